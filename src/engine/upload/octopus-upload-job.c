/* octopus-upload-job.c — one file, read once, streamed to every service at once.
 *
 * Shape: one reader reads parts in order (a worker thread reads and MD5s each part); each
 * part's GBytes goes to every service's *lane*; a lane sends it (PutObject for a small file,
 * UploadPart otherwise) and answers with an ETag or gives up.  A part is freed when every
 * lane has answered for it, and the reader only reads ahead while fewer than
 * settings.parts_in_flight parts are alive: memory = parts_in_flight × part_size, whatever
 * the file size, and a slow service paces the reader (bounded memory is worth more than
 * letting a fast service run ahead).
 *
 * x-amz-meta-md5chksum for multipart uploads.  CreateMultipartUpload fixes the object's
 * metadata before the first part, so the whole-file MD5 must be known before anything is
 * sent.  Options weighed:
 *   - hash the file first (rclone's way): one extra local read and one MD5 pass per file,
 *     independent of the number of services, no extra request, no extra server work;
 *   - upload without it, then CopyObject onto itself with REPLACE metadata: a server-side
 *     copy of the whole object on every service (doubles the servers' I/O, CopyObject is
 *     limited to 5 GiB on AWS, Swift turns the SLO manifest into a plain copy, the multipart
 *     ETag changes), and a window in which the copy has no md5chksum at all;
 *   - trust part ETags instead: not comparable across services with different part sizes.
 * We hash first.  Measured here (Debian 12, 2 cores): GChecksum MD5 runs at about 650 MB/s,
 * so the pre-pass over a 200 MiB file in the page cache costs about 0.35 s of one core, a few
 * per cent of the upload itself (three local services take seconds), and it is paid once per
 * file, not once per service.  A resumed upload takes
 * the MD5 from the journal and does not hash again.  Part MD5s (Content-MD5, and the local
 * MD5 a resume compares with ListParts ETags) are computed on the upload pass, on the bytes
 * actually sent.
 *
 * Change detection: every part read re-checks the file (inode, size, mtime, still at its
 * path); before any CompleteMultipartUpload the file is checked once more.  A change fails
 * the file on every service and aborts every multipart upload: nothing partial is left.
 *
 * The journal (octopus-upload-journal.h): the queue journals every file when it is queued;
 * the job records on that entry what each service got — completed, given up for good
 * (access denied, no such bucket…), or nothing (still needed: a service that was
 * unreachable or failing with 5xx is retried at the next start) — and, for multipart, the
 * upload id and acknowledged parts.  The queue removes the entry once the file settled.
 * A resumed file whose size or mtime differ from the journal's changed while Octopus was
 * not running: the user dropped *that file*, so its current content is uploaded, to every
 * service (copies completed earlier hold the old content), and the transfer says so in
 * its "notice".  A resumed file that no longer exists fails with a message saying so.
 */
#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>

#include "octopus-transfer-private.h"
#include "octopus-upload-job.h"
#include "octopus-upload-reader.h"
#include "octopus-object-table.h"

#define MIB (1024 * 1024)

typedef enum {
  LANE_STARTING,      /* CreateMultipartUpload or ListParts in flight, or not begun */
  LANE_RUNNING,
  LANE_COMPLETING,    /* CompleteMultipartUpload in flight */
  LANE_DONE,
  LANE_FAILED,
} LaneState;

typedef struct _Job Job;

typedef struct {
  guint    number;        /* 1-based */
  goffset  offset;
  gsize    length;
  GBytes  *data;          /* NULL before it is read and after every lane answered */
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
  GQueue                 waiting;      /* Part* read before the upload id was known */
  guint                  ops;          /* requests in flight */
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
  guint                      alive;        /* parts holding data */
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
  guint                attempt;
  goffset              written;
  char                *upload_id;   /* aborts: the upload being aborted */
  OctopusS3PutOptions  options;
} Request;

static void job_pump_reader    (Job *job);
static void job_check_finished (Job *job);
static void job_fail           (Job *job, GError *error);
static void lane_send          (Lane *lane, Part *part, guint attempt);
static void lane_create        (Lane *lane, guint attempt);
static void lane_maybe_complete (Lane *lane);
static void lane_give_up       (Lane *lane, const GError *error);

gsize
octopus_upload_part_size_for (goffset size,
                              gsize   preferred)
{
  guint64 needed = ((guint64) MAX (size, 0) + OCTOPUS_UPLOAD_MAX_PARTS - 1) / OCTOPUS_UPLOAD_MAX_PARTS;
  guint64 part = MAX (MAX ((guint64) preferred, (guint64) OCTOPUS_UPLOAD_MIN_PART_SIZE), needed);

  return (gsize) ((part + MIB - 1) / MIB * MIB);
}

/* ---- bookkeeping -------------------------------------------------------------------------- */

static void
job_free (Job *job)
{
  for (guint i = 0; i < job->n_lanes; i++)
    {
      Lane *lane = &job->lanes[i];

      g_clear_object (&lane->service);
      g_clear_object (&lane->progress);
      g_clear_object (&lane->cancellable);
      g_free (lane->upload_id);
      g_clear_pointer (&lane->server_parts, g_hash_table_unref);
      if (lane->etags != NULL)
        for (guint p = 0; p < job->n_parts; p++)
          g_free (lane->etags[p]);
      g_free (lane->etags);
      g_queue_clear (&lane->waiting);
    }
  for (guint p = 0; p < job->n_parts; p++)
    {
      g_clear_pointer (&job->parts[p].data, g_bytes_unref);
      g_free (job->parts[p].owes);
    }
  if (job->cancelled_id != 0)
    g_cancellable_disconnect (job->cancellable, job->cancelled_id);
  g_free (job->lanes);
  g_free (job->parts);
  g_clear_object (&job->transfer);
  g_clear_object (&job->cancellable);
  g_clear_object (&job->journal);
  g_clear_pointer (&job->entry, octopus_upload_journal_entry_unref);
  g_clear_object (&job->reader);
  g_clear_pointer (&job->metadata, g_hash_table_unref);
  g_clear_pointer (&job->context, g_main_context_unref);
  g_clear_error (&job->fatal);
  g_clear_pointer (&job->owed_aborts, g_ptr_array_unref);
  g_free (job);
}

static Request *
request_new (Lane *lane,
             Part *part,
             guint attempt)
{
  Request *req = g_new0 (Request, 1);

  req->task = g_object_ref (lane->job->task);
  req->lane = lane;
  req->part = part;
  req->attempt = attempt;
  return req;
}

static void
request_free (Request *req)
{
  g_object_unref (req->task);
  g_free (req->upload_id);
  g_free (req);
}

static void
job_save_journal (Job *job)
{
  if (job->journal == NULL || job->entry == NULL)
    return;
  /* Batched: written by a worker thread within 100 ms, with whatever changed meanwhile. */
  octopus_upload_journal_queue_save (job->journal, job->entry);
}

/* A failure that the same request may not have at the next start: the service was
 * unreachable or overloaded.  Such a service keeps the file in the journal. */
static gboolean
error_is_transient (const GError *error)
{
  return g_error_matches (error, OCTOPUS_S3_ERROR, OCTOPUS_S3_ERROR_NETWORK)
         || g_error_matches (error, OCTOPUS_S3_ERROR, OCTOPUS_S3_ERROR_SERVER);
}

static gboolean
lane_is_live (Lane *lane)
{
  return lane->state < LANE_DONE;
}

static gboolean
job_any_lane_live (Job *job)
{
  for (guint i = 0; i < job->n_lanes; i++)
    if (lane_is_live (&job->lanes[i]))
      return TRUE;
  return FALSE;
}

/* Another try for this request?  The client has already retried transient failures with
 * backoff; our own bound covers what outlives that (a reset mid-part, a BadDigest). */
static gboolean
should_retry (Job          *job,
              const GError *error,
              guint         attempt)
{
  if (attempt >= job->settings.attempts
      || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return FALSE;
  if (error->domain != OCTOPUS_S3_ERROR)
    return TRUE;
  switch (error->code)
    {
    case OCTOPUS_S3_ERROR_NETWORK:
      /* Refused or unknown host will not change in a second; a reset might. */
      return octopus_s3_error_is_retryable (error);
    case OCTOPUS_S3_ERROR_SERVER:
    case OCTOPUS_S3_ERROR_BAD_DIGEST:
    case OCTOPUS_S3_ERROR_FAILED:
    case OCTOPUS_S3_ERROR_MALFORMED_REPLY:
      return TRUE;
    default:
      return FALSE;
    }
}

/* Lane @lane has an answer for @part (acknowledged, or given up): maybe free the part. */
static void
part_settle (Job  *job,
             Part *part,
             Lane *lane)
{
  if (part->owes == NULL || !part->owes[lane->index])
    return;
  part->owes[lane->index] = FALSE;
  part->owed--;
  if (part->owed == 0 && part->data != NULL)
    {
      g_clear_pointer (&part->data, g_bytes_unref);
      job->alive--;
      job_pump_reader (job);
    }
}

/* ---- lanes -------------------------------------------------------------------------------- */

static void
lane_progress_changed (Lane *lane)
{
  _octopus_transfer_progress_changed (lane->job->transfer);
}

static void
lane_set_done (Lane       *lane,
               const char *etag)
{
  Job *job = lane->job;
  const char *md5_b64 = g_hash_table_lookup (job->metadata, "md5chksum");
  g_autofree char *md5_hex = md5_b64 ? octopus_md5_base64_to_hex (md5_b64) : NULL;

  lane->state = LANE_DONE;
  _octopus_upload_progress_set_copy (lane->progress, etag, md5_hex);
  _octopus_upload_progress_set_state (lane->progress, OCTOPUS_UPLOAD_STATE_DONE, NULL);
  if (!octopus_service_get_reachable (lane->service))
    octopus_service_set_last_error (lane->service, NULL);
  if (job->entry != NULL)
    {
      octopus_upload_journal_entry_set_completed (job->entry, octopus_service_get_name (lane->service),
                                                  octopus_service_get_bucket (lane->service));
      job_save_journal (job);
    }
  lane_progress_changed (lane);
  job_check_finished (job);
}

static void
on_aborted (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  Request *req = user_data;
  Job *job = req->lane->job;
  g_autoptr(GError) error = NULL;

  req->lane->ops--;
  if (!octopus_s3_client_abort_multipart_finish (OCTOPUS_S3_CLIENT (source), result, &error))
    {
      g_debug ("Abort of an upload of %s failed: %s",
               octopus_transfer_get_key (job->transfer), error->message);
      /* The service is down (it died mid-upload): the upload stays open there until an
       * abort gets through.  Journal it now (the file's own entry may go once it settled),
       * and let the queue retry it while it runs, the next start otherwise. */
      if (!octopus_upload_abort_error_is_final (error))
        {
          OctopusService *service = req->lane->service;
          g_autoptr(OctopusUploadJournalEntry) owed =
            octopus_upload_journal_entry_new_abort (octopus_service_get_name (service),
                                                    octopus_service_get_bucket (service),
                                                    octopus_transfer_get_key (job->transfer),
                                                    req->upload_id);

          if (job->journal != NULL)
            octopus_upload_journal_queue_save (job->journal, owed);
          if (job->owed_aborts == NULL)
            job->owed_aborts = g_ptr_array_new_with_free_func ((GDestroyNotify) octopus_upload_journal_entry_unref);
          g_ptr_array_add (job->owed_aborts, g_steal_pointer (&owed));
        }
    }
  job_check_finished (job);
  request_free (req);
}

static void
lane_abort (Lane       *lane,
            const char *upload_id)
{
  Job *job = lane->job;
  Request *req = request_new (lane, NULL, 1);

  lane->ops++;
  req->upload_id = g_strdup (upload_id);
  /* No cancellable: an abort must run even (especially) when the upload was cancelled. */
  octopus_s3_client_abort_multipart_async (octopus_service_get_client (lane->service),
                                           octopus_service_get_bucket (lane->service),
                                           octopus_transfer_get_key (job->transfer),
                                           upload_id, NULL, on_aborted, req);
}

static void
lane_give_up (Lane         *lane,
              const GError *error)
{
  Job *job = lane->job;
  const char *name = octopus_service_get_name (lane->service);
  gboolean cancelled = g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);

  if (!lane_is_live (lane))
    return;
  lane->state = LANE_FAILED;
  g_cancellable_cancel (lane->cancellable);
  g_queue_clear (&lane->waiting);
  if (_octopus_transfer_is_suspended (job->transfer))
    {
      /* Quitting: the open upload and its journal lane are what the next start resumes. */
    }
  else
    {
      if (lane->upload_id != NULL)
        lane_abort (lane, lane->upload_id);
      if (job->entry != NULL && !cancelled)
        {
          /* Transient: no lane, so the next start sends the file again; otherwise given up
           * for good (repair can still copy it once the cause is fixed). */
          if (error_is_transient (error))
            octopus_upload_journal_entry_remove_lane (job->entry, name);
          else
            octopus_upload_journal_entry_set_gave_up (job->entry, name,
                                                      octopus_service_get_bucket (lane->service));
          job_save_journal (job);
        }
    }
  if (g_error_matches (error, OCTOPUS_S3_ERROR, OCTOPUS_S3_ERROR_NETWORK))
    octopus_service_set_last_error (lane->service, error);
  _octopus_upload_progress_set_state (lane->progress,
                                      cancelled ? OCTOPUS_UPLOAD_STATE_CANCELLED
                                                : OCTOPUS_UPLOAD_STATE_FAILED,
                                      cancelled ? NULL : error);
  lane_progress_changed (lane);

  for (guint p = 0; p < job->n_parts; p++)
    part_settle (job, &job->parts[p], lane);
  job_check_finished (job);
}

static void
lane_part_done (Lane       *lane,
                Part       *part,
                const char *etag)
{
  Job *job = lane->job;

  g_free (lane->etags[part->number - 1]);
  lane->etags[part->number - 1] = g_strdup (etag);
  lane->acked++;
  _octopus_upload_progress_add_done (lane->progress, (goffset) part->length);
  lane_progress_changed (lane);
  if (job->entry != NULL && job->multipart)
    {
      octopus_upload_journal_entry_add_part (job->entry, octopus_service_get_name (lane->service),
                                             part->number, etag, part->md5_hex);
      job_save_journal (job);
    }
  part_settle (job, part, lane);
  if (job->multipart)
    lane_maybe_complete (lane);
  else
    lane_set_done (lane, etag);
}

static void
on_request_progress (goffset  bytes_sent,
                     goffset  total,
                     gpointer user_data)
{
  Request *req = user_data;

  /* A restarted request (libsoup resends on a fresh connection) counts from 0 again: what
   * it sends then is sent once more, and only bytes that went out count as sent. */
  _octopus_upload_progress_add_sent (req->lane->progress,
                                     bytes_sent >= req->written ? bytes_sent - req->written
                                                                : bytes_sent);
  _octopus_upload_progress_add_written (req->lane->progress, bytes_sent - req->written);
  req->written = bytes_sent;
}

static void
on_part_sent (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  Request *req = user_data;
  Lane *lane = req->lane;
  Job *job = lane->job;
  g_autoptr(GError) error = NULL;
  g_autofree char *etag = NULL;

  lane->ops--;
  _octopus_upload_progress_add_written (lane->progress, -req->written);
  if (job->multipart)
    etag = octopus_s3_client_upload_part_finish (OCTOPUS_S3_CLIENT (source), result, &error);
  else
    etag = octopus_s3_client_put_object_finish (OCTOPUS_S3_CLIENT (source), result, &error);

  if (!lane_is_live (lane) || !req->part->owes[lane->index] || job->fatal != NULL)
    ;   /* given up meanwhile: the answer no longer matters */
  else if (etag != NULL)
    lane_part_done (lane, req->part, etag);
  else if (should_retry (job, error, req->attempt))
    lane_send (lane, req->part, req->attempt + 1);
  else
    lane_give_up (lane, error);

  job_check_finished (job);
  request_free (req);
}

static void
lane_send (Lane *lane,
           Part *part,
           guint attempt)
{
  Job *job = lane->job;
  Request *req = request_new (lane, part, attempt);
  OctopusS3Client *client = octopus_service_get_client (lane->service);
  const char *bucket = octopus_service_get_bucket (lane->service);
  const char *key = octopus_transfer_get_key (job->transfer);

  lane->ops++;
  req->options.content_md5 = part->md5_base64;
  req->options.progress = on_request_progress;
  req->options.progress_data = req;
  _octopus_upload_progress_set_state (lane->progress, OCTOPUS_UPLOAD_STATE_UPLOADING, NULL);

  if (job->multipart)
    octopus_s3_client_upload_part_async (client, bucket, key, lane->upload_id, part->number,
                                         part->data, &req->options, lane->cancellable,
                                         on_part_sent, req);
  else
    {
      req->options.metadata = job->metadata;
      octopus_s3_client_put_object_async (client, bucket, key, part->data, &req->options,
                                          lane->cancellable, on_part_sent, req);
    }
}

/* A part was read: send it, or skip it when a resumed upload already holds the same bytes. */
static void
lane_offer (Lane *lane,
            Part *part)
{
  if (!part->owes[lane->index])
    return;
  if (lane->server_parts != NULL)
    {
      const char *etag = g_hash_table_lookup (lane->server_parts, GUINT_TO_POINTER (part->number));

      if (etag != NULL && g_ascii_strcasecmp (etag, part->md5_hex) == 0)
        {
          lane_part_done (lane, part, etag);
          return;
        }
    }
  if (lane->state == LANE_STARTING)
    g_queue_push_tail (&lane->waiting, part);
  else
    lane_send (lane, part, 1);
}

static void
lane_started (Lane *lane)
{
  Part *part;

  lane->state = LANE_RUNNING;
  _octopus_upload_progress_set_state (lane->progress, OCTOPUS_UPLOAD_STATE_UPLOADING, NULL);
  while (lane_is_live (lane) && (part = g_queue_pop_head (&lane->waiting)) != NULL)
    lane_offer (lane, part);
  lane_maybe_complete (lane);
}

static void
on_completed (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  Request *req = user_data;
  Lane *lane = req->lane;
  Job *job = lane->job;
  g_autoptr(GError) error = NULL;
  g_autofree char *etag = NULL;

  lane->ops--;
  etag = octopus_s3_client_complete_multipart_finish (OCTOPUS_S3_CLIENT (source), result, &error);
  if (lane->state != LANE_COMPLETING)
    ;
  else if (etag != NULL)
    {
      g_clear_pointer (&lane->upload_id, g_free);   /* nothing left to abort */
      lane_set_done (lane, etag);
    }
  else if (should_retry (job, error, req->attempt))
    {
      Request *again = request_new (lane, NULL, req->attempt + 1);
      g_autoptr(GPtrArray) parts = g_ptr_array_new_with_free_func ((GDestroyNotify) octopus_s3_part_free);

      for (guint p = 0; p < job->n_parts; p++)
        g_ptr_array_add (parts, octopus_s3_part_new (p + 1, lane->etags[p], -1));
      lane->ops++;
      octopus_s3_client_complete_multipart_async (OCTOPUS_S3_CLIENT (source),
                                                  octopus_service_get_bucket (lane->service),
                                                  octopus_transfer_get_key (job->transfer),
                                                  lane->upload_id, parts, lane->cancellable,
                                                  on_completed, again);
    }
  else
    lane_give_up (lane, error);

  job_check_finished (job);
  request_free (req);
}

static void
lane_maybe_complete (Lane *lane)
{
  Job *job = lane->job;
  g_autoptr(GPtrArray) parts = NULL;

  if (lane->state != LANE_RUNNING || lane->acked < job->n_parts || !job->read_done
      || job->fatal != NULL)
    return;

  lane->state = LANE_COMPLETING;
  parts = g_ptr_array_new_with_free_func ((GDestroyNotify) octopus_s3_part_free);
  for (guint p = 0; p < job->n_parts; p++)
    g_ptr_array_add (parts, octopus_s3_part_new (p + 1, lane->etags[p], -1));
  lane->ops++;
  octopus_s3_client_complete_multipart_async (octopus_service_get_client (lane->service),
                                              octopus_service_get_bucket (lane->service),
                                              octopus_transfer_get_key (job->transfer),
                                              lane->upload_id, parts, lane->cancellable,
                                              on_completed, request_new (lane, NULL, 1));
}

static void
on_created (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  Request *req = user_data;
  Lane *lane = req->lane;
  Job *job = lane->job;
  g_autoptr(GError) error = NULL;
  g_autofree char *upload_id = NULL;

  lane->ops--;
  upload_id = octopus_s3_client_create_multipart_finish (OCTOPUS_S3_CLIENT (source), result, &error);
  if (lane->state != LANE_STARTING || job->fatal != NULL)
    {
      /* Given up while it was being created: do not leave it open. */
      if (upload_id != NULL)
        lane_abort (lane, upload_id);
    }
  else if (upload_id == NULL)
    {
      if (should_retry (job, error, req->attempt))
        lane_create (lane, req->attempt + 1);
      else
        lane_give_up (lane, error);
    }
  else
    {
      lane->upload_id = g_steal_pointer (&upload_id);
      if (job->entry != NULL)
        {
          octopus_upload_journal_entry_set_upload (job->entry,
                                                   octopus_service_get_name (lane->service),
                                                   octopus_service_get_bucket (lane->service),
                                                   lane->upload_id);
          job_save_journal (job);
        }
      lane_started (lane);
    }
  job_check_finished (job);
  request_free (req);
}

static void
lane_create (Lane  *lane,
             guint  attempt)
{
  Job *job = lane->job;
  Request *req = request_new (lane, NULL, attempt);

  lane->ops++;
  req->options.metadata = job->metadata;
  octopus_s3_client_create_multipart_async (octopus_service_get_client (lane->service),
                                            octopus_service_get_bucket (lane->service),
                                            octopus_transfer_get_key (job->transfer),
                                            &req->options, lane->cancellable,
                                            on_created, req);
}

static void
on_listed (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  Request *req = user_data;
  Lane *lane = req->lane;
  Job *job = lane->job;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) parts = NULL;

  lane->ops--;
  parts = octopus_s3_client_list_parts_finish (OCTOPUS_S3_CLIENT (source), result, &error);
  if (lane->state != LANE_STARTING || job->fatal != NULL)
    ;   /* the give-up already aborted lane->upload_id */
  else if (parts != NULL)
    {
      octopus_service_set_multipart_listing (lane->service, OCTOPUS_SUPPORT_YES);
      lane->server_parts = g_hash_table_new_full (NULL, NULL, NULL, g_free);
      for (guint i = 0; i < parts->len; i++)
        {
          OctopusS3Part *part = parts->pdata[i];
          g_hash_table_replace (lane->server_parts, GUINT_TO_POINTER (part->number),
                                g_strdup (part->etag));
        }
      lane_started (lane);
    }
  else
    {
      g_autofree char *old_id = g_steal_pointer (&lane->upload_id);

      /* The service cannot tell what it holds (s3rver has no ListParts), or the upload is
       * gone: abort it (best effort) and start this service over. */
      g_debug ("Cannot resume %s on %s: %s", octopus_transfer_get_key (job->transfer),
               octopus_service_get_name (lane->service), error->message);
      if (g_error_matches (error, OCTOPUS_S3_ERROR, OCTOPUS_S3_ERROR_NOT_IMPLEMENTED))
        octopus_service_set_multipart_listing (lane->service, OCTOPUS_SUPPORT_NO);
      if (!g_error_matches (error, OCTOPUS_S3_ERROR, OCTOPUS_S3_ERROR_NO_SUCH_UPLOAD))
        lane_abort (lane, old_id);
      lane_create (lane, 1);
    }
  job_check_finished (job);
  request_free (req);
}

static void
lane_start_multipart (Lane *lane)
{
  Job *job = lane->job;
  const char *name = octopus_service_get_name (lane->service);
  OctopusUploadJournalLane *journaled =
    job->entry ? octopus_upload_journal_entry_get_lane (job->entry, name) : NULL;

  if (journaled != NULL
      && g_strcmp0 (journaled->bucket, octopus_service_get_bucket (lane->service)) != 0)
    journaled = NULL;   /* the account now points at another bucket: start over */

  if (journaled != NULL && journaled->completed)
    {
      lane->acked = job->n_parts;
      _octopus_upload_progress_add_done (lane->progress, octopus_upload_reader_get_size (job->reader));
      lane_set_done (lane, NULL);
    }
  else if (journaled != NULL && journaled->upload_id != NULL)
    {
      lane->upload_id = g_strdup (journaled->upload_id);
      lane->ops++;
      octopus_s3_client_list_parts_async (octopus_service_get_client (lane->service),
                                          octopus_service_get_bucket (lane->service),
                                          octopus_transfer_get_key (job->transfer),
                                          lane->upload_id, lane->cancellable, on_listed,
                                          request_new (lane, NULL, 1));
    }
  else
    lane_create (lane, 1);
}

/* ---- the reader --------------------------------------------------------------------------- */

static void
on_part_read (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Job *job = g_task_get_task_data (task);
  Part *part = &job->parts[job->next_read - 1];
  g_autoptr(OctopusUploadChunk) chunk = NULL;
  GError *error = NULL;

  job->io_busy = FALSE;
  chunk = octopus_upload_reader_read_finish (OCTOPUS_UPLOAD_READER (source), result, &error);
  if (chunk == NULL)
    {
      job_fail (job, error);
      return;
    }
  if (job->fatal != NULL)
    {
      job_check_finished (job);
      return;
    }

  part->data = g_steal_pointer (&chunk->data);
  memcpy (part->md5_base64, chunk->md5_base64, sizeof part->md5_base64);
  memcpy (part->md5_hex, chunk->md5_hex, sizeof part->md5_hex);
  job->alive++;
  if (!job->multipart)
    {
      /* A single PUT: the part is the whole file and its MD5 the whole-file MD5. */
      g_hash_table_replace (job->metadata, g_strdup ("md5chksum"), g_strdup (part->md5_base64));
    }

  part->owes = g_new0 (gboolean, job->n_lanes);
  for (guint i = 0; i < job->n_lanes; i++)
    if (lane_is_live (&job->lanes[i]))
      {
        part->owes[i] = TRUE;
        part->owed++;
      }
  if (part->owed == 0)
    {
      g_clear_pointer (&part->data, g_bytes_unref);
      job->alive--;
    }
  for (guint i = 0; i < job->n_lanes; i++)
    lane_offer (&job->lanes[i], part);

  job_pump_reader (job);
  job_check_finished (job);
}

static void
job_pump_reader (Job *job)
{
  Part *part;

  if (job->finished || job->fatal != NULL || job->io_busy || job->read_done
      || !job->reading_started)
    return;

  if (job->next_read == job->n_parts)
    {
      GError *error = NULL;

      /* The last look before any copy is completed. */
      if (!octopus_upload_reader_check (job->reader, &error))
        {
          job_fail (job, error);
          return;
        }
      job->read_done = TRUE;
      for (guint i = 0; i < job->n_lanes; i++)
        lane_maybe_complete (&job->lanes[i]);
      return;
    }
  if (!job_any_lane_live (job) || job->alive >= job->settings.parts_in_flight)
    return;

  part = &job->parts[job->next_read++];
  job->io_busy = TRUE;
  octopus_upload_reader_read_async (job->reader, part->offset, part->length, job->cancellable,
                                    on_part_read, g_object_ref (job->task));
}

static void
job_plan_parts (Job     *job,
                goffset  size,
                gsize    part_size)
{
  job->n_parts = size == 0 ? 1 : (guint) ((size + (goffset) part_size - 1) / (goffset) part_size);
  job->parts = g_new0 (Part, job->n_parts);
  for (guint p = 0; p < job->n_parts; p++)
    {
      job->parts[p].number = p + 1;
      job->parts[p].offset = (goffset) p * (goffset) part_size;
      job->parts[p].length = (gsize) MIN ((goffset) part_size, size - job->parts[p].offset);
    }
  for (guint i = 0; i < job->n_lanes; i++)
    job->lanes[i].etags = g_new0 (char *, job->n_parts);
}

static void
job_start_reading (Job *job)
{
  if (job->finished)
    return;
  _octopus_transfer_set_state (job->transfer, OCTOPUS_TRANSFER_STATE_UPLOADING, NULL);
  job->reading_started = TRUE;
  job_pump_reader (job);
}

static void
job_start_multipart (Job        *job,
                     const char *md5_base64)
{
  g_hash_table_replace (job->metadata, g_strdup ("md5chksum"), g_strdup (md5_base64));
  if (job->entry != NULL && octopus_upload_journal_entry_get_md5 (job->entry) == NULL)
    {
      octopus_upload_journal_entry_set_multipart (job->entry, job->parts[0].length, md5_base64);
      job_save_journal (job);
    }
  for (guint i = 0; i < job->n_lanes; i++)
    if (lane_is_live (&job->lanes[i]))
      lane_start_multipart (&job->lanes[i]);
  job_start_reading (job);
}

static void
on_hashed (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Job *job = g_task_get_task_data (task);
  g_autofree char *md5 = NULL;
  GError *error = NULL;

  job->io_busy = FALSE;
  md5 = octopus_upload_reader_hash_finish (OCTOPUS_UPLOAD_READER (source), result, &error);
  if (md5 == NULL)
    job_fail (job, error);
  else if (job->fatal != NULL || !job_any_lane_live (job))
    job_check_finished (job);
  else
    job_start_multipart (job, md5);
}

/* The journal's multipart data no longer fits (changed file, other part size, now a single
 * PUT): abort the uploads it started and forget them.  @keep_completed FALSE: the file itself
 * changed, so copies completed earlier are stale too and every service gets it again. */
static void
job_reset_entry (Job      *job,
                 gboolean  keep_completed)
{
  for (guint i = 0; i < job->n_lanes; i++)
    {
      Lane *lane = &job->lanes[i];
      const char *name = octopus_service_get_name (lane->service);
      OctopusUploadJournalLane *journaled = octopus_upload_journal_entry_get_lane (job->entry, name);

      if (journaled == NULL)
        continue;
      if (journaled->upload_id != NULL && !journaled->completed
          && g_strcmp0 (journaled->bucket, octopus_service_get_bucket (lane->service)) == 0)
        lane_abort (lane, journaled->upload_id);
      if (!(keep_completed && (journaled->completed || journaled->gave_up)))
        octopus_upload_journal_entry_remove_lane (job->entry, name);
    }
  octopus_upload_journal_entry_set_multipart (job->entry, 0, NULL);
  job_save_journal (job);
}

/* Resuming: services the journal says hold the file (in the bucket they use now) are done. */
static void
job_skip_completed (Job *job)
{
  for (guint i = 0; i < job->n_lanes; i++)
    {
      Lane *lane = &job->lanes[i];

      if (!lane_is_live (lane)
          || !octopus_upload_journal_entry_is_settled (job->entry,
                                                       octopus_service_get_name (lane->service),
                                                       octopus_service_get_bucket (lane->service))
          || !octopus_upload_journal_entry_get_lane (job->entry,
                                                     octopus_service_get_name (lane->service))->completed)
        continue;
      lane->state = LANE_DONE;
      _octopus_upload_progress_add_done (lane->progress, octopus_upload_reader_get_size (job->reader));
      _octopus_upload_progress_set_state (lane->progress, OCTOPUS_UPLOAD_STATE_DONE, NULL);
      lane_progress_changed (lane);
    }
}

/* The entry against the file as it is now; FALSE when nothing is left to send. */
static gboolean
job_check_entry (Job *job)
{
  OctopusUploadJournalEntry *entry = job->entry;
  goffset size = octopus_upload_reader_get_size (job->reader);
  gint64 mtime = octopus_upload_reader_get_mtime_us (job->reader);
  gsize part_size = octopus_upload_part_size_for (size, job->settings.part_size);

  if (octopus_upload_journal_entry_get_size (entry) != size
      || octopus_upload_journal_entry_get_mtime (entry) != mtime)
    {
      /* Changed since it was queued.  In this run that is just the user saving the file
       * before its turn; across a restart, say that the content is not what was queued. */
      if (_octopus_transfer_get_resumed (job->transfer))
        {
          g_autofree char *notice =
            g_strdup_printf (_("%s changed since it was queued; its current content was "
                               "uploaded to every service"), octopus_upload_reader_get_path (job->reader));
          _octopus_transfer_set_notice (job->transfer, notice);
        }
      job_reset_entry (job, FALSE);
      octopus_upload_journal_entry_set_file (entry, size, mtime);
      job_save_journal (job);
    }
  else if (octopus_upload_journal_entry_get_md5 (entry) != NULL
           && (!job->multipart || octopus_upload_journal_entry_get_part_size (entry) != part_size))
    job_reset_entry (job, TRUE);

  job_skip_completed (job);
  return job_any_lane_live (job);
}

/* A resumed file that is gone: say so in words about the queue, not about open(). */
static GError *
job_open_error (Job    *job,
                GError *error)
{
  GError *better;

  if (!_octopus_transfer_get_resumed (job->transfer)
      || !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
    return error;
  better = g_error_new (G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                        _("%s was removed after it was queued for upload; not uploaded"),
                        g_file_peek_path (octopus_transfer_get_file (job->transfer)));
  g_error_free (error);
  return better;
}

static void
on_opened (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Job *job = g_task_get_task_data (task);
  GError *error = NULL;
  goffset size;
  gsize part_size;

  job->io_busy = FALSE;
  job->reader = octopus_upload_reader_open_finish (result, &error);
  if (job->reader == NULL)
    {
      job_fail (job, job_open_error (job, error));
      return;
    }
  if (job->fatal != NULL || !job_any_lane_live (job))
    {
      job_check_finished (job);
      return;
    }

  size = octopus_upload_reader_get_size (job->reader);
  _octopus_transfer_set_size (job->transfer, size);
  part_size = octopus_upload_part_size_for (size, job->settings.part_size);
  job->multipart = size >= job->settings.multipart_threshold && size > (goffset) OCTOPUS_UPLOAD_MIN_PART_SIZE;

  if (job->entry != NULL && !job_check_entry (job))
    {
      job_check_finished (job);   /* every service already holds it */
      return;
    }

  if (!job->multipart)
    {
      job_plan_parts (job, size, (gsize) MAX (size, 1));
      for (guint i = 0; i < job->n_lanes; i++)
        if (lane_is_live (&job->lanes[i]))
          job->lanes[i].state = LANE_RUNNING;
      job_start_reading (job);
      return;
    }

  job_plan_parts (job, size, part_size);
  if (job->entry != NULL && octopus_upload_journal_entry_get_md5 (job->entry) != NULL)
    {
      /* Resuming: the MD5 that went into md5chksum is in the journal. */
      job_start_multipart (job, octopus_upload_journal_entry_get_md5 (job->entry));
      return;
    }
  job->io_busy = TRUE;
  octopus_upload_reader_hash_async (job->reader, job->cancellable, on_hashed, g_object_ref (task));
}

/* ---- the whole job ------------------------------------------------------------------------ */

static void
job_fail (Job    *job,
          GError *error)
{
  if (job->fatal != NULL || job->finished)
    {
      g_error_free (error);
      job_check_finished (job);
      return;
    }
  job->fatal = error;
  for (guint i = 0; i < job->n_lanes; i++)
    lane_give_up (&job->lanes[i], error);
  for (guint p = 0; p < job->n_parts; p++)
    if (job->parts[p].data != NULL)
      {
        g_clear_pointer (&job->parts[p].data, g_bytes_unref);
        job->alive--;
      }
  job_check_finished (job);
}

static gboolean
on_cancel_idle (gpointer user_data)
{
  Job *job = g_task_get_task_data (G_TASK (user_data));

  if (!job->finished)
    job_fail (job, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, _("Cancelled")));
  return G_SOURCE_REMOVE;
}

/* May run in whichever thread cancelled: defer to the job's context. */
static void
on_transfer_cancelled (GCancellable *cancellable,
                       gpointer      user_data)
{
  Job *job = user_data;
  g_autoptr(GSource) source = g_idle_source_new ();

  g_source_set_callback (source, on_cancel_idle, g_object_ref (job->task), g_object_unref);
  g_source_attach (source, job->context);
}

static void
job_check_finished (Job *job)
{
  guint done = 0;
  OctopusTransferState state;
  gboolean cancelled;

  if (job->finished || job->io_busy)
    return;
  for (guint i = 0; i < job->n_lanes; i++)
    if (lane_is_live (&job->lanes[i]) || job->lanes[i].ops > 0)
      return;

  job->finished = TRUE;
  for (guint i = 0; i < job->n_lanes; i++)
    if (job->lanes[i].state == LANE_DONE)
      done++;

  cancelled = g_error_matches (job->fatal, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  if (cancelled)
    state = OCTOPUS_TRANSFER_STATE_CANCELLED;
  else if (done == job->n_lanes)
    state = OCTOPUS_TRANSFER_STATE_DONE;
  else if (done > 0)
    state = OCTOPUS_TRANSFER_STATE_PARTIAL;
  else
    state = OCTOPUS_TRANSFER_STATE_FAILED;

  /* Every lane has settled; the queue decides what the journal keeps of this file. */
  _octopus_transfer_set_state (job->transfer, state, job->fatal);
  _octopus_transfer_emit_finished (job->transfer);
  g_task_return_boolean (job->task, TRUE);
}

void
octopus_upload_job_run_async (OctopusTransfer             *transfer,
                              GPtrArray                   *services,
                              GPtrArray                   *skip,
                              const OctopusUploadSettings *settings,
                              OctopusUploadJournal        *journal,
                              GAsyncReadyCallback          callback,
                              gpointer                     user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, NULL, callback, user_data);
  Job *job = g_new0 (Job, 1);
  OctopusUploadJournalEntry *resume = _octopus_transfer_get_journal (transfer);

  g_task_set_source_tag (task, octopus_upload_job_run_async);
  g_task_set_task_data (task, job, (GDestroyNotify) job_free);
  job->task = task;
  job->context = g_main_context_ref_thread_default ();
  job->transfer = g_object_ref (transfer);
  job->cancellable = g_object_ref (_octopus_transfer_get_cancellable (transfer));
  job->settings = *settings;
  job->settings.parts_in_flight = MAX (job->settings.parts_in_flight, 1);
  job->settings.attempts = MAX (job->settings.attempts, 1);
  job->journal = journal ? g_object_ref (journal) : NULL;
  job->entry = resume ? octopus_upload_journal_entry_ref (resume) : NULL;
  job->metadata = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  job->n_lanes = services->len;
  job->lanes = g_new0 (Lane, job->n_lanes);

  for (guint i = 0; i < job->n_lanes; i++)
    {
      Lane *lane = &job->lanes[i];

      lane->job = job;
      lane->index = i;
      lane->service = g_object_ref (services->pdata[i]);
      lane->progress = octopus_transfer_get_progress_for (transfer,
                                                          octopus_service_get_name (lane->service));
      g_object_ref (lane->progress);
      lane->cancellable = g_cancellable_new ();
      g_queue_init (&lane->waiting);
    }
  /* Busy from here on, so that a lane given up right away cannot finish the job early. */
  job->io_busy = TRUE;
  for (guint i = 0; skip != NULL && i < MIN (skip->len, job->n_lanes); i++)
    if (skip->pdata[i] != NULL)
      lane_give_up (&job->lanes[i], skip->pdata[i]);

  _octopus_transfer_set_state (transfer, OCTOPUS_TRANSFER_STATE_PREPARING, NULL);
  job->cancelled_id = g_cancellable_connect (job->cancellable, G_CALLBACK (on_transfer_cancelled),
                                             job, NULL);
  octopus_upload_reader_open_async (octopus_transfer_get_file (transfer), job->cancellable,
                                    on_opened, g_object_ref (task));
}

gboolean
octopus_upload_job_run_finish (GAsyncResult  *result,
                               GPtrArray    **owed_aborts,
                               GError       **error)
{
  Job *job;

  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  job = g_task_get_task_data (G_TASK (result));
  if (owed_aborts != NULL)
    *owed_aborts = g_steal_pointer (&job->owed_aborts);
  return g_task_propagate_boolean (G_TASK (result), error);
}

gboolean
octopus_upload_abort_error_is_final (const GError *error)
{
  /* Only a service that could not be reached, or failed with a 5xx, may answer otherwise
   * later; any other answer (NoSuchUpload, s3rver's 405, AccessDenied) is what it is. */
  return !error_is_transient (error);
}
