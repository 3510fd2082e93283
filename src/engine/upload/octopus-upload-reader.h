/* SPDX-License-Identifier: GPL-3.0-or-later */
/* octopus-upload-reader.h — reads one local file for upload, in parts, off the main thread.
 *
 * Every read runs in a worker thread (g_task_run_in_thread): pread() of one part into a fresh
 * buffer, its MD5 computed right there (so the main loop never hashes), and a check that the
 * file is still the one that was opened (same inode, size and mtime, still at its path).  A
 * file that changed or disappeared fails the read with a message naming it.
 *
 * Part buffers are counted: octopus_upload_reader_get_bytes_alive() is the memory the upload
 * engine holds in file data right now, and the peak is what tests compare with the budget.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct {
  GBytes *data;
  char    md5_base64[25];   /* for Content-MD5 */
  char    md5_hex[33];      /* what a part ETag is on S3 */
} OctopusUploadChunk;

void octopus_upload_chunk_free (OctopusUploadChunk *chunk);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (OctopusUploadChunk, octopus_upload_chunk_free)

#define OCTOPUS_TYPE_UPLOAD_READER (octopus_upload_reader_get_type ())
G_DECLARE_FINAL_TYPE (OctopusUploadReader, octopus_upload_reader, OCTOPUS, UPLOAD_READER, GObject)

void                 octopus_upload_reader_open_async  (GFile               *file,
                                                        GCancellable        *cancellable,
                                                        GAsyncReadyCallback  callback,
                                                        gpointer             user_data);
OctopusUploadReader *octopus_upload_reader_open_finish (GAsyncResult        *result,
                                                        GError             **error);

goffset     octopus_upload_reader_get_size     (OctopusUploadReader *self);
gint64      octopus_upload_reader_get_mtime_us (OctopusUploadReader *self);
const char *octopus_upload_reader_get_path     (OctopusUploadReader *self);

/* The MD5 of the whole file (base64), reading it through once in small blocks. */
void  octopus_upload_reader_hash_async  (OctopusUploadReader *self,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data);
char *octopus_upload_reader_hash_finish (OctopusUploadReader *self,
                                         GAsyncResult        *result,
                                         GError             **error);

/* @length bytes at @offset, with their MD5. */
void                octopus_upload_reader_read_async  (OctopusUploadReader *self,
                                                       goffset              offset,
                                                       gsize                length,
                                                       GCancellable        *cancellable,
                                                       GAsyncReadyCallback  callback,
                                                       gpointer             user_data);
OctopusUploadChunk *octopus_upload_reader_read_finish (OctopusUploadReader *self,
                                                       GAsyncResult        *result,
                                                       GError             **error);

/* Is the file still the one opened?  Quick (two stat calls); fine on the main thread. */
gboolean octopus_upload_reader_check (OctopusUploadReader *self,
                                      GError             **error);

/* Bytes of file data held in part buffers by every reader of the process. */
gsize    octopus_upload_reader_get_bytes_alive (void);
gsize    octopus_upload_reader_get_peak_bytes  (void);
void     octopus_upload_reader_reset_peak      (void);

G_END_DECLS
