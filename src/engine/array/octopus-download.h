/* SPDX-License-Identifier: GPL-3.0-or-later */
/* octopus-download.h — where a key lands on disk, safely.
 *
 * A key is split on '/' and '\\'; empty, "." and ".." components are dropped (so
 * "../../escape.txt" → "DIR/escape.txt" and "/etc/passwd" → "DIR/etc/passwd"); control bytes
 * (below 0x20 and 0x7f) become '_'; invalid UTF-8 is replaced; a component longer than 255
 * bytes is cut at a character boundary.  A key with nothing left is "_".  Nothing can name a
 * path outside DIR, and intermediate folders are created without following symlinks: an
 * existing symlink (or file) in the way is an error, not a way out.
 * The download itself is octopus_array_download_async() (octopus-array.h).
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* The relative path (components joined by '/') a key is written to inside the folder. */
char     *octopus_download_relative_path (const char *key);
/* @directory joined with octopus_download_relative_path (@key). */
char     *octopus_download_local_path    (const char *directory,
                                          const char *key);
/* Creates the folders between @directory and @path (a path under it), refusing symlinks. */
gboolean  octopus_download_make_parents  (const char *directory,
                                          const char *path,
                                          GError    **error);

G_END_DECLS
