/* SPDX-License-Identifier: GPL-3.0-or-later */
/* octopus-upload-job.c — one file, read once, streamed to every service at once.
 *
 * Shape: one reader reads parts in order (a worker thread reads and MD5s each part) into a
 * shared window of at most settings.parts_in_flight parts; every service's *lane* takes the
 * parts it needs at its own pace and sends them (PutObject for a small file, UploadPart
 * otherwise), answering with an ETag or giving up.  A part leaves the window when every lane
 * has answered for it, or, when the window is full and a lane waits for the next part, when
 * it is the oldest one: the lanes still sending it keep their reference until they have an
 * answer, and a lane that had not taken it yet has fallen behind.
 *
 * Why not let the slowest lane pace the reader (as the first version did, a part freed only
 * once every lane answered)?  A Redundant Array of Independent Services usually mixes a fast
 * service with a slow one, and then every copy took as long as the slowest: upload time grew
 * with the slowest link again.  Why not keep the parts for the slow lane?  Memory would grow
 * with the spread of speeds, up to the whole file.  So a lane that fell behind reads its parts
 * again, itself (octopus-upload-lane.c: the same reader, pread at the part's offset in a worker
 * thread, the page cache most of the time), holding at most LANE_REREAD_WINDOW parts (one on
 * the wire, one ready), and checks each against the part MD5 of the first read, kept for
 * every part (a few dozen bytes each).  A lane earns the window's full width by answering
 * parts (slow start), so a slow one never holds more than that when it falls behind.
 * Memory: (parts_in_flight + LANE_REREAD_WINDOW × lanes behind) × part_size, whatever the
 * file size and however far apart the services' speeds are.  The price: a lagging service
 * costs one more local read and MD5 pass of the parts it lags on.
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
 * Change detection: every part read and re-read re-checks the file (inode, size, mtime,
 * still at its path), a re-read also compares its MD5 with the first read's; before each
 * CompleteMultipartUpload the file is checked once more.  A change aborts the multipart
 * upload of every lane still reading the file: nothing partial is left.  While no copy is
 * complete (or being completed) that is every service and the file fails as a whole; once
 * the fast copies are complete they hold the bytes checked on the first read and stay, and
 * only the lagging copy fails.
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

#include "octopus-upload-job-private.h"
#include "octopus-object-table.h"

#define MIB (1024 * 1024)

static void job_fail           (Job *job, GError *error);

gsize
octopus_upload_part_size_for (goffset size,
                              gsize   preferred)
{
  guint64 needed = ((guint64) MAX (size, 0) + OCTOPUS_UPLOAD_MAX_PARTS - 1)
                   / OCTOPUS_UPLOAD_MAX_PARTS;
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

Request *
_octopus_upload_request_new (Lane *lane,
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

void
_octopus_upload_request_free (Request *req)
{
  g_object_unref (req->task);
  g_clear_pointer (&req->data, g_bytes_unref);
  g_free (req->upload_id);
  g_clear_pointer (&req->abort_entry, octopus_upload_journal_entry_unref);
  g_free (req);
}

void
_octopus_upload_job_save_journal (Job *job)
{
  if (job->journal == NULL || job->entry == NULL)
    return;
  /* Batched: written by a worker thread within 100 ms, with whatever changed meanwhile. */
  octopus_upload_journal_queue_save (job->journal, job->entry);
}

/* A failure that the same request may not have at the next start: the service was
 * unreachable or overloaded.  Such a service keeps the file in the journal. */
gboolean
_octopus_upload_error_is_transient (const GError *error)
{
  return g_error_matches (error, OCTOPUS_S3_ERROR, OCTOPUS_S3_ERROR_NETWORK)
         || g_error_matches (error, OCTOPUS_S3_ERROR, OCTOPUS_S3_ERROR_SERVER);
}

gboolean
_octopus_upload_lane_is_live (Lane *lane)
{
  return lane->state < LANE_DONE;
}

static gboolean
job_any_lane_live (Job *job)
{
  for (guint i = 0; i < job->n_lanes; i++)
    if (_octopus_upload_lane_is_live (&job->lanes[i]))
      return TRUE;
  return FALSE;
}

/* Another try for this request?  The client has already retried transient failures with
 * backoff; our own bound covers what outlives that (a reset mid-part, a BadDigest). */
gboolean
_octopus_upload_should_retry (Job          *job,
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
void
_octopus_upload_part_settle (Job  *job,
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
      _octopus_upload_job_pump_reader (job);
    }
}

/* ---- the reader --------------------------------------------------------------------------- */

static void
part_read_cb (GObject      *source,
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
      _octopus_upload_job_check_finished (job);
      return;
    }

  part->data = g_steal_pointer (&chunk->data);
  part->read = TRUE;
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
    if (_octopus_upload_lane_is_live (&job->lanes[i]))
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
    _octopus_upload_lane_pump (&job->lanes[i]);

  _octopus_upload_job_pump_reader (job);
  _octopus_upload_job_check_finished (job);
}

/* A lane that could send more now, but its next part has not been read yet. */
static gboolean
job_lane_starved (Job  *job,
                  Lane *lane)
{
  return lane->state == LANE_RUNNING && lane->next == job->next_read
         && lane->sending + lane->rereading < job->settings.parts_in_flight;
}

/* The window is full.  If a lane waits for the next part, the oldest part leaves the window:
 * the lanes still sending it keep their reference until their answer, the lanes that have
 * not taken it yet fell behind and read it again themselves (octopus-upload-lane.c). */
static gboolean
job_make_room (Job *job)
{
  gboolean starved = FALSE;

  for (guint i = 0; i < job->n_lanes && !starved; i++)
    starved = job_lane_starved (job, &job->lanes[i]);
  if (!starved)
    return FALSE;
  while (job->oldest < job->next_read && job->parts[job->oldest].data == NULL)
    job->oldest++;
  if (job->oldest == job->next_read)
    return FALSE;
  g_clear_pointer (&job->parts[job->oldest].data, g_bytes_unref);
  job->alive--;
  return TRUE;
}

void
_octopus_upload_job_pump_reader (Job *job)
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
          _octopus_upload_job_file_failed (job, error);
          return;
        }
      job->read_done = TRUE;
      for (guint i = 0; i < job->n_lanes; i++)
        _octopus_upload_lane_maybe_complete (&job->lanes[i]);
      return;
    }
  if (!job_any_lane_live (job)
      || (job->alive >= job->settings.parts_in_flight && !job_make_room (job)))
    return;

  part = &job->parts[job->next_read++];
  job->io_busy = TRUE;
  octopus_upload_reader_read_async (job->reader, part->offset, part->length, job->cancellable,
                                    part_read_cb, g_object_ref (job->task));
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
  _octopus_upload_job_pump_reader (job);
}

static void
job_start_multipart (Job        *job,
                     const char *md5_base64)
{
  g_hash_table_replace (job->metadata, g_strdup ("md5chksum"), g_strdup (md5_base64));
  if (job->entry != NULL && octopus_upload_journal_entry_get_md5 (job->entry) == NULL)
    {
      octopus_upload_journal_entry_set_multipart (job->entry, job->parts[0].length, md5_base64);
      _octopus_upload_job_save_journal (job);
    }
  for (guint i = 0; i < job->n_lanes; i++)
    if (_octopus_upload_lane_is_live (&job->lanes[i]))
      _octopus_upload_lane_start_multipart (&job->lanes[i]);
  job_start_reading (job);
}

static void
hashed_cb (GObject      *source,
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
    _octopus_upload_job_check_finished (job);
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
      OctopusUploadJournalLane *journaled =
        octopus_upload_journal_entry_get_lane (job->entry, name);

      if (journaled == NULL)
        continue;
      if (journaled->upload_id != NULL && !journaled->completed
          && g_strcmp0 (journaled->bucket, octopus_service_get_bucket (lane->service)) == 0)
        _octopus_upload_lane_abort (lane, journaled->upload_id);
      if (!(keep_completed && (journaled->completed || journaled->gave_up)))
        octopus_upload_journal_entry_remove_lane (job->entry, name);
    }
  octopus_upload_journal_entry_set_multipart (job->entry, 0, NULL);
  _octopus_upload_job_save_journal (job);
}

/* Resuming: services the journal says hold the file (in the bucket they use now) are done. */
static void
job_skip_completed (Job *job)
{
  for (guint i = 0; i < job->n_lanes; i++)
    {
      Lane *lane = &job->lanes[i];

      if (!_octopus_upload_lane_is_live (lane)
          || !octopus_upload_journal_entry_is_settled (job->entry,
                                                       octopus_service_get_name (lane->service),
                                                       octopus_service_get_bucket (lane->service))
          || !octopus_upload_journal_entry_get_lane
                (job->entry, octopus_service_get_name (lane->service))->completed)
        continue;
      lane->state = LANE_DONE;
      _octopus_upload_progress_add_done (lane->progress,
                                         octopus_upload_reader_get_size (job->reader));
      _octopus_upload_progress_set_state (lane->progress, OCTOPUS_UPLOAD_STATE_DONE, NULL);
      _octopus_upload_lane_progress_changed (lane);
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
                               "uploaded to every service"),
                             octopus_upload_reader_get_path (job->reader));
          _octopus_transfer_set_notice (job->transfer, notice);
        }
      job_reset_entry (job, FALSE);
      octopus_upload_journal_entry_set_file (entry, size, mtime);
      _octopus_upload_job_save_journal (job);
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
opened_cb (GObject      *source,
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
      _octopus_upload_job_check_finished (job);
      return;
    }

  size = octopus_upload_reader_get_size (job->reader);
  _octopus_transfer_set_size (job->transfer, size);
  part_size = octopus_upload_part_size_for (size, job->settings.part_size);
  job->multipart = size >= job->settings.multipart_threshold
                   && size > (goffset) OCTOPUS_UPLOAD_MIN_PART_SIZE;

  if (job->entry != NULL && !job_check_entry (job))
    {
      _octopus_upload_job_check_finished (job);   /* every service already holds it */
      return;
    }

  if (!job->multipart)
    {
      job_plan_parts (job, size, (gsize) MAX (size, 1));
      for (guint i = 0; i < job->n_lanes; i++)
        if (_octopus_upload_lane_is_live (&job->lanes[i]))
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
  octopus_upload_reader_hash_async (job->reader, job->cancellable, hashed_cb, g_object_ref (task));
}

/* ---- the whole job ------------------------------------------------------------------------ */

static void
job_fail (Job    *job,
          GError *error)
{
  if (job->fatal != NULL || job->finished)
    {
      g_error_free (error);
      _octopus_upload_job_check_finished (job);
      return;
    }
  job->fatal = error;
  for (guint i = 0; i < job->n_lanes; i++)
    _octopus_upload_lane_give_up (&job->lanes[i], error);
  for (guint p = 0; p < job->n_parts; p++)
    if (job->parts[p].data != NULL)
      {
        g_clear_pointer (&job->parts[p].data, g_bytes_unref);
        job->alive--;
      }
  _octopus_upload_job_check_finished (job);
}

void
_octopus_upload_job_file_failed (Job    *job,
                                 GError *error)
{
  gboolean some_copy = FALSE;

  for (guint i = 0; i < job->n_lanes; i++)
    if (job->lanes[i].state == LANE_COMPLETING || job->lanes[i].state == LANE_DONE)
      some_copy = TRUE;
  if (!some_copy)
    {
      job_fail (job, error);
      return;
    }
  /* The copies complete (or being completed) hold the bytes checked on the first read and
   * stay; only the lanes that still need the file lose it. */
  for (guint i = 0; i < job->n_lanes; i++)
    if (job->lanes[i].state < LANE_COMPLETING)
      _octopus_upload_lane_give_up (&job->lanes[i], error);
  g_error_free (error);
  _octopus_upload_job_check_finished (job);
}

static gboolean
cancel_idle_cb (gpointer user_data)
{
  Job *job = g_task_get_task_data (G_TASK (user_data));

  if (!job->finished)
    job_fail (job, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, _("Cancelled")));
  return G_SOURCE_REMOVE;
}

/* May run in whichever thread cancelled: defer to the job's context. */
static void
transfer_cancelled_cb (GCancellable *cancellable,
                       gpointer      user_data)
{
  Job *job = user_data;
  g_autoptr(GSource) source = g_idle_source_new ();

  g_source_set_callback (source, cancel_idle_cb, g_object_ref (job->task), g_object_unref);
  g_source_attach (source, job->context);
}

void
_octopus_upload_job_check_finished (Job *job)
{
  guint done = 0;
  OctopusTransferState state;
  gboolean cancelled;

  if (job->finished || job->io_busy)
    return;
  for (guint i = 0; i < job->n_lanes; i++)
    if (_octopus_upload_lane_is_live (&job->lanes[i]) || job->lanes[i].ops > 0)
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
  job->metadata = _octopus_transfer_dup_metadata (transfer);
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
    }
  /* Busy from here on, so that a lane given up right away cannot finish the job early. */
  job->io_busy = TRUE;
  for (guint i = 0; skip != NULL && i < MIN (skip->len, job->n_lanes); i++)
    if (skip->pdata[i] != NULL)
      _octopus_upload_lane_give_up (&job->lanes[i], skip->pdata[i]);

  _octopus_transfer_set_state (transfer, OCTOPUS_TRANSFER_STATE_PREPARING, NULL);
  job->cancelled_id = g_cancellable_connect (job->cancellable, G_CALLBACK (transfer_cancelled_cb),
                                             job, NULL);
  octopus_upload_reader_open_async (octopus_transfer_get_file (transfer), job->cancellable,
                                    opened_cb, g_object_ref (task));
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
  return !_octopus_upload_error_is_transient (error);
}
