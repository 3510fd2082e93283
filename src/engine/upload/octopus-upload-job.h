/* SPDX-License-Identifier: GPL-3.0-or-later */
/* octopus-upload-job.h — uploads one file to every service (the queue's worker).
 *
 * Internal to the upload engine: OctopusUploadQueue runs one job per transfer in flight.
 * The job reads the file once, in parts (octopus-upload-reader), into a window of parts
 * that every service's lane takes from at its own pace; a lane that falls behind the window
 * reads its parts again (octopus-upload-job.c says why).  Its outcome is written on the
 * transfer (state, per-service progress); the job itself only reports that it has settled.
 */
#pragma once

#include <gio/gio.h>
#include "octopus-transfer.h"
#include "octopus-upload-journal.h"

G_BEGIN_DECLS

typedef struct {
  goffset multipart_threshold;  /* files of at least this size use multipart */
  gsize   part_size;            /* preferred part size (raised for huge files) */
  guint   parts_in_flight;      /* parts of this file in the shared window at once */
  guint   attempts;             /* tries per request on top of the client's own retries */
} OctopusUploadSettings;

#define OCTOPUS_UPLOAD_MIN_PART_SIZE (5 * 1024 * 1024)
#define OCTOPUS_UPLOAD_MAX_PARTS     10000

/* max(preferred, ceil(size / 10000), 5 MiB), rounded up to a whole MiB. */
gsize    octopus_upload_part_size_for (goffset size,
                                       gsize   preferred);

/* @skip: NULL, or one entry per service: NULL to upload, or the reason the service is given
 * up before starting (it was unreachable moments ago).  @journal may be NULL (no resume). */
void     octopus_upload_job_run_async  (OctopusTransfer             *transfer,
                                        GPtrArray                   *services,
                                        GPtrArray                   *skip,
                                        const OctopusUploadSettings *settings,
                                        OctopusUploadJournal        *journal,
                                        GAsyncReadyCallback          callback,
                                        gpointer                     user_data);
/* @owed_aborts (may be NULL): set to the aborts that failed (the service could not be
 * reached), as abort entries already saved in the journal, for the queue to retry; NULL when
 * there are none. */
gboolean octopus_upload_job_run_finish (GAsyncResult                *result,
                                        GPtrArray                  **owed_aborts,
                                        GError                     **error);

/* An AbortMultipartUpload failure that no retry can change: anything but an unreachable
 * service or a 5xx (the upload is gone already, the service cannot abort at all: s3rver). */
gboolean octopus_upload_abort_error_is_final (const GError *error);

G_END_DECLS
