/* SPDX-License-Identifier: GPL-3.0-or-later */
/* octopus-erasure-upload.h — one file to k+m services as erasure-coded archives (issue 20):
 * archive i (fragments of every segment, then its trailer) goes to service i under the key.
 *
 * The file is read and encoded in a worker thread one segment at a time; each service has one
 * part buffer, so memory is bounded by a part per service, never the file.  An archive no
 * larger than the part size is one PUT, a larger one a multipart upload with Content-MD5 per
 * part.  Every archive carries x-amz-meta-octopus-ec.  The upload succeeds once at least k+1
 * archives are stored; the others are reported and need a repair.  With fewer the file fails,
 * and the archives that were stored stay (a good copy is never deleted).  No resume after a
 * restart yet: an interrupted erasure upload starts again from the beginning. */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define OCTOPUS_TYPE_ERASURE_UPLOAD (octopus_erasure_upload_get_type ())
G_DECLARE_FINAL_TYPE (OctopusErasureUpload, octopus_erasure_upload, OCTOPUS, ERASURE_UPLOAD,
                      GObject)

/* @services: k+m OctopusService, archive i to services[i]. */
OctopusErasureUpload *octopus_erasure_upload_new         (GPtrArray    *services,
                                                          GFile        *file,
                                                          const char   *key,
                                                          guint         k,
                                                          guint         m,
                                                          gsize         part_size);
const char           *octopus_erasure_upload_get_key     (OctopusErasureUpload *self);
/* The file's size (known once the upload has started). */
goffset               octopus_erasure_upload_get_size    (OctopusErasureUpload *self);
/* Bytes of archive @index acknowledged by its service so far, and the archive's full size. */
goffset               octopus_erasure_upload_get_sent    (OctopusErasureUpload *self,
                                                          guint         index);
goffset               octopus_erasure_upload_get_archive_size (OctopusErasureUpload *self);
/* After the run: why archive @index was not stored, or NULL when it was. */
const GError         *octopus_erasure_upload_get_error   (OctopusErasureUpload *self,
                                                          guint         index);
guint                 octopus_erasure_upload_get_n_stored (OctopusErasureUpload *self);

/* TRUE when at least k+1 archives were stored. */
void                  octopus_erasure_upload_run_async   (OctopusErasureUpload *self,
                                                          GCancellable *cancellable,
                                                          GAsyncReadyCallback callback,
                                                          gpointer      user_data);
gboolean              octopus_erasure_upload_run_finish  (OctopusErasureUpload *self,
                                                          GAsyncResult *result,
                                                          GError      **error);

G_END_DECLS
