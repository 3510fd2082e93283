/* SPDX-License-Identifier: GPL-3.0-or-later */
/* octopus-erasure-files.h — the whole-file operations on local archives (blocking: run them in
 * a worker thread).  The writer and reader are the streaming building blocks under them. */

#pragma once

#include <gio/gio.h>

#include "octopus-erasure-format.h"

G_BEGIN_DECLS

gboolean octopus_erasure_read_trailer      (const char         *archive_path,
                                            OctopusErasureTrailer *trailer,
                                            GError            **error);
gboolean octopus_erasure_encode_file       (const char         *path,
                                            guint               k,
                                            guint               m,
                                            const char * const *archive_paths,
                                            GCancellable       *cancellable,
                                            GError            **error);
gboolean octopus_erasure_decode_archives   (const char * const *archive_paths,
                                            const char         *out_path,
                                            guint32            *damaged,
                                            GCancellable       *cancellable,
                                            GError            **error);
gboolean octopus_erasure_rebuild_archive   (const char * const *archive_paths,
                                            guint               target,
                                            const char         *out_path,
                                            GCancellable       *cancellable,
                                            GError            **error);

G_END_DECLS
