/* SPDX-License-Identifier: GPL-3.0-or-later */
/* octopus-download-provider.h — drag rows out of the window as files.
 *
 * A GdkContentProvider offering text/uri-list for some keys of an array.  Nothing is
 * downloaded when the drag starts: only when the drop target asks for the data are the objects
 * downloaded (octopus_array_download_async, verified against the reference MD5) into a private
 * folder under the user cache directory, and their file: URIs written.  A second request
 * reuses the files of the first.
 */
#pragma once

#include <gtk/gtk.h>

#include "octopus-array.h"

G_BEGIN_DECLS

#define OCTOPUS_TYPE_DOWNLOAD_PROVIDER (octopus_download_provider_get_type ())
G_DECLARE_FINAL_TYPE (OctopusDownloadProvider, octopus_download_provider,
                      OCTOPUS, DOWNLOAD_PROVIDER, GdkContentProvider)

/* @directory: where the files go (created when needed); NULL picks a new folder under
 * $XDG_CACHE_HOME/octopus/drag. */
GdkContentProvider *octopus_download_provider_new           (OctopusArray       *array,
                                                             const char * const *keys,
                                                             const char         *directory);
const char         *octopus_download_provider_get_directory (OctopusDownloadProvider *self);

G_END_DECLS
