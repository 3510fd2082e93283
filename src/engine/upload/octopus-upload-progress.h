/* SPDX-License-Identifier: GPL-3.0-or-later */
/* octopus-upload-progress.h — how far one file's upload to one service has come.
 *
 * One object per (transfer, service).  Every figure is a property the GUI binds to:
 * "bytes-done" and "fraction" count only bytes the server acknowledged (a part counts once
 * its response arrived, or once ListParts showed the service already holds it); "bytes-written"
 * adds what is on the wire right now, for a smooth bar inside a large part; "bytes-sent" is
 * every request body byte handed to the network for this file (retries and resends included),
 * which is what a resumed upload saves.
 */
#pragma once

#include <gio/gio.h>
#include "octopus-service.h"

G_BEGIN_DECLS

typedef enum {
  OCTOPUS_UPLOAD_STATE_WAITING,    /* queued, or reading/hashing the file */
  OCTOPUS_UPLOAD_STATE_UPLOADING,
  OCTOPUS_UPLOAD_STATE_DONE,       /* the service holds a complete, verified copy */
  OCTOPUS_UPLOAD_STATE_FAILED,     /* given up for this file; see "error-message" */
  OCTOPUS_UPLOAD_STATE_CANCELLED,
} OctopusUploadState;

#define OCTOPUS_TYPE_UPLOAD_STATE (octopus_upload_state_get_type ())
GType octopus_upload_state_get_type (void);

#define OCTOPUS_TYPE_UPLOAD_PROGRESS (octopus_upload_progress_get_type ())
G_DECLARE_FINAL_TYPE (OctopusUploadProgress, octopus_upload_progress, OCTOPUS, UPLOAD_PROGRESS,
                      GObject)

OctopusService     *octopus_upload_progress_get_service       (OctopusUploadProgress *self);
const char         *octopus_upload_progress_get_service_name  (OctopusUploadProgress *self);
OctopusUploadState  octopus_upload_progress_get_state         (OctopusUploadProgress *self);
double              octopus_upload_progress_get_fraction      (OctopusUploadProgress *self);
goffset             octopus_upload_progress_get_bytes_done    (OctopusUploadProgress *self);
goffset             octopus_upload_progress_get_bytes_written (OctopusUploadProgress *self);
goffset             octopus_upload_progress_get_bytes_sent    (OctopusUploadProgress *self);
goffset             octopus_upload_progress_get_total         (OctopusUploadProgress *self);
/* NULL unless FAILED. */
const GError       *octopus_upload_progress_get_error         (OctopusUploadProgress *self);

/* For the upload engine only. */
OctopusUploadProgress *_octopus_upload_progress_new           (OctopusService        *service);
void  _octopus_upload_progress_set_total     (OctopusUploadProgress *self, goffset total);
void  _octopus_upload_progress_set_state     (OctopusUploadProgress *self,
                                              OctopusUploadState     state,
                                              const GError          *error);
void  _octopus_upload_progress_add_done      (OctopusUploadProgress *self, goffset bytes);
void  _octopus_upload_progress_add_written   (OctopusUploadProgress *self, goffset delta);
void  _octopus_upload_progress_add_sent      (OctopusUploadProgress *self, goffset bytes);
/* What the service holds once done: its ETag (NULL when not known) and the content MD5
 * (hex), for the array's table. */
void  _octopus_upload_progress_set_copy      (OctopusUploadProgress *self,
                                              const char            *etag,
                                              const char            *md5_hex);
const char *_octopus_upload_progress_get_etag (OctopusUploadProgress *self);
const char *_octopus_upload_progress_get_md5  (OctopusUploadProgress *self);

G_END_DECLS
