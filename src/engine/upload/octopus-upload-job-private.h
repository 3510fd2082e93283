/* SPDX-License-Identifier: GPL-3.0-or-later */
/* octopus-upload-job-private.h — the types of one upload job and the functions its two
 * files share: octopus-upload-job.c (bookkeeping, the reader, the whole job) and
 * octopus-upload-lane.c (one service's side of it, and its re-reads).  Internal to the
 * upload engine. */
#pragma once

#include "octopus-transfer-private.h"
#include "octopus-upload-job.h"
#include "octopus-upload-reader.h"

G_BEGIN_DECLS

typedef enum {
  LANE_STARTING,      /* CreateMultipartUpload or ListParts in flight, or not begun */
  LANE_RUNNING,
  LANE_COMPLETING,    /* CompleteMultipartUpload in flight */
  LANE_DONE,
  LANE_FAILED,
} LaneState;

typedef struct _Job Job;

/* Parts a lane that fell behind the shared window may hold at once (being re-read from the
 * file or sent): one on the wire and the next one ready. */
#define LANE_REREAD_WINDOW 2

typedef struct {
  guint    number;        /* 1-based */
  goffset  offset;
  gsize    length;
  GBytes  *data;          /* in the shared window: read, and not yet answered by every
                           * lane nor dropped for a lane that fell behind */
  gboolean read;          /* read once: the MD5s below are known (kept for re-reads) */
  char     md5_base64[25];
  char     md5_hex[33];
  guint    owed;          /* lanes that still owe an answer for this part */
  gboolean *owes;         /* per lane */
} Part;

typedef struct {
  Job                   *job;          /* unowned: the job outlives its lanes */
  guint                  index;
  OctopusService        *service;
  OctopusUploadProgress *progress;
  GCancellable          *cancellable;  /* cancelled when the lane gives up */
  LaneState              state;
  char                  *upload_id;
  GHashTable            *server_parts; /* resume: part number → ETag the service holds */
  char                 **etags;        /* per part, once acknowledged */
  guint                  next;         /* the next part this lane takes (sends or skips) */
  guint                  lowest;       /* no part below this one is owed by this lane */
  guint                  sending;      /* parts on the wire */
  guint                  rereading;    /* parts being read again for this lane alone */
  guint                  ops;          /* requests and re-reads in flight */
  guint                  acked;
} Lane;

struct _Job {
  GTask                     *task;         /* unowned: the task owns the job */
  GMainContext              *context;
  OctopusTransfer           *transfer;
  GCancellable              *cancellable;  /* the transfer's */
  gulong                     cancelled_id;
  OctopusUploadSettings      settings;
  OctopusUploadJournal      *journal;      /* may be NULL */
  OctopusUploadJournalEntry *entry;        /* the transfer's, or NULL (not journaled) */
  OctopusUploadReader       *reader;
  GHashTable                *metadata;     /* md5chksum */
  Lane                      *lanes;
  guint                      n_lanes;
  Part                      *parts;
  guint                      n_parts;
  guint                      next_read;
  guint                      alive;        /* parts in the shared window (holding data) */
  guint                      oldest;       /* no part below this one is in the window */
  gboolean                   multipart;
  gboolean                   io_busy;      /* open, hash or a part read in flight */
  gboolean                   reading_started;
  gboolean                   read_done;    /* every part read, final check passed */
  GError                    *fatal;        /* file-level failure or cancellation */
  GPtrArray                 *owed_aborts;  /* abort entries of aborts that failed, or NULL */
  gboolean                   finished;
};

typedef struct {
  GTask               *task;   /* owned: keeps the job alive */
  Lane                *lane;
  Part                *part;
  GBytes              *data;        /* the part's bytes this request sends */
  guint                attempt;
  goffset              written;
  char                *upload_id;   /* aborts: the upload being aborted */
  OctopusUploadJournalEntry *abort_entry; /* aborts: journaled until the service answered */
  OctopusS3PutOptions  options;
} Request;

/* octopus-upload-job.c */
Request  *_octopus_upload_request_new        (Lane         *lane,
                                              Part         *part,
                                              guint         attempt);
void      _octopus_upload_request_free       (Request      *req);
void      _octopus_upload_job_save_journal   (Job          *job);
/* A failure that the same request may not have at the next start: the service was
 * unreachable or overloaded.  Such a service keeps the file in the journal. */
gboolean  _octopus_upload_error_is_transient (const GError *error);
gboolean  _octopus_upload_lane_is_live       (Lane         *lane);
/* Another try for this request? */
gboolean  _octopus_upload_should_retry       (Job          *job,
                                              const GError *error,
                                              guint         attempt);
/* Lane @lane has an answer for @part (acknowledged, or given up): maybe free the part. */
void      _octopus_upload_part_settle        (Job          *job,
                                              Part         *part,
                                              Lane         *lane);
void      _octopus_upload_job_check_finished (Job          *job);
/* Reads the next part into the window when there is room, or makes room for a lane that
 * waits for it by dropping the oldest part (the lanes still owing it read it again). */
void      _octopus_upload_job_pump_reader    (Job          *job);
/* The file changed or cannot be read: every lane that still reads it fails with @error
 * (taken); when no copy is complete or completing, the whole file fails. */
void      _octopus_upload_job_file_failed    (Job          *job,
                                              GError       *error);

/* octopus-upload-lane.c */
void      _octopus_upload_lane_progress_changed (Lane         *lane);
/* Aborts the multipart upload @upload_id (even when the transfer was cancelled). */
void      _octopus_upload_lane_abort            (Lane         *lane,
                                                 const char   *upload_id);
void      _octopus_upload_lane_give_up          (Lane         *lane,
                                                 const GError *error);
/* Takes the lane's next parts while it has room: from the shared window, or read again
 * from the file when the window has moved past them; skips parts a resumed upload holds. */
void      _octopus_upload_lane_pump             (Lane         *lane);
/* Every part acknowledged and the file read to the end: CompleteMultipartUpload. */
void      _octopus_upload_lane_maybe_complete   (Lane         *lane);
/* Resumes the journaled upload, or creates one (or is done: the journal says so). */
void      _octopus_upload_lane_start_multipart  (Lane         *lane);

G_END_DECLS
