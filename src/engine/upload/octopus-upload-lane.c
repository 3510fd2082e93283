/* SPDX-License-Identifier: GPL-3.0-or-later */
/* octopus-upload-lane.c — one service's side of an upload job: its lane.
 *
 * A lane sends each part the reader hands it (PutObject for a small file; otherwise
 * CreateMultipartUpload or, resuming, ListParts first, then UploadPart and
 * CompleteMultipartUpload), retries within bounds, and gives up for this service alone.
 * It takes its parts at its own pace: from the job's shared window while it keeps up, read
 * again from the file (and checked against the first read's MD5) once it fell behind.
 * The shape of the whole job is described in octopus-upload-job.c. */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "octopus-upload-job-private.h"
#include "octopus-object-table.h"

static void lane_send          (Lane *lane, Part *part, GBytes *data, guint attempt);
static void lane_create        (Lane *lane, guint attempt);

/* ---- lanes -------------------------------------------------------------------------------- */

void
_octopus_upload_lane_progress_changed (Lane *lane)
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
      octopus_upload_journal_entry_set_completed (job->entry,
                                                  octopus_service_get_name (lane->service),
                                                  octopus_service_get_bucket (lane->service));
      _octopus_upload_job_save_journal (job);
    }
  _octopus_upload_lane_progress_changed (lane);
  _octopus_upload_job_check_finished (job);
}

static void
aborted_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  Request *req = user_data;
  Job *job = req->lane->job;
  g_autoptr(GError) error = NULL;

  req->lane->ops--;
  if (!octopus_s3_client_abort_multipart_finish (OCTOPUS_S3_CLIENT (source), result, &error))
    g_debug ("Abort of an upload of %s failed: %s",
             octopus_transfer_get_key (job->transfer), error->message);
  if (error != NULL && !octopus_upload_abort_error_is_final (error))
    {
      /* The service is down (it died mid-upload): the upload stays open there until an
       * abort gets through.  Its entry stays journaled (the file's own may go once it
       * settled), and the queue retries it while it runs, the next start otherwise. */
      if (job->owed_aborts == NULL)
        job->owed_aborts =
          g_ptr_array_new_with_free_func ((GDestroyNotify) octopus_upload_journal_entry_unref);
      g_ptr_array_add (job->owed_aborts, g_steal_pointer (&req->abort_entry));
    }
  else if (job->journal != NULL)
    octopus_upload_journal_queue_remove (job->journal, req->abort_entry);   /* gone */
  _octopus_upload_job_check_finished (job);
  _octopus_upload_request_free (req);
}

void
_octopus_upload_lane_abort (Lane       *lane,
                            const char *upload_id)
{
  Job *job = lane->job;
  Request *req = _octopus_upload_request_new (lane, NULL, 1);

  lane->ops++;
  req->upload_id = g_strdup (upload_id);
  /* Journaled until the service answers: an upload this installation started is never
   * forgotten while it may still be open (a kill now leaves the abort owed, and the next
   * start retries it; the sweep there leaves alone what no journal knows). */
  req->abort_entry =
    octopus_upload_journal_entry_new_abort (octopus_service_get_name (lane->service),
                                            octopus_service_get_bucket (lane->service),
                                            octopus_transfer_get_key (job->transfer), upload_id);
  if (job->journal != NULL)
    octopus_upload_journal_queue_save (job->journal, req->abort_entry);
  /* No cancellable: an abort must run even (especially) when the upload was cancelled. */
  octopus_s3_client_abort_multipart_async (octopus_service_get_client (lane->service),
                                           octopus_service_get_bucket (lane->service),
                                           octopus_transfer_get_key (job->transfer),
                                           upload_id, NULL, aborted_cb, req);
}

void
_octopus_upload_lane_give_up (Lane         *lane,
                              const GError *error)
{
  Job *job = lane->job;
  const char *name = octopus_service_get_name (lane->service);
  gboolean cancelled = g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);

  if (!_octopus_upload_lane_is_live (lane))
    return;
  lane->state = LANE_FAILED;
  g_cancellable_cancel (lane->cancellable);
  if (_octopus_transfer_is_suspended (job->transfer))
    {
      /* Quitting: the open upload and its journal lane are what the next start resumes. */
    }
  else
    {
      if (lane->upload_id != NULL)
        _octopus_upload_lane_abort (lane, lane->upload_id);
      if (job->entry != NULL && !cancelled)
        {
          /* Transient: no lane, so the next start sends the file again; otherwise given up
           * for good (repair can still copy it once the cause is fixed). */
          if (_octopus_upload_error_is_transient (error))
            octopus_upload_journal_entry_remove_lane (job->entry, name);
          else
            octopus_upload_journal_entry_set_gave_up (job->entry, name,
                                                      octopus_service_get_bucket (lane->service));
          _octopus_upload_job_save_journal (job);
        }
    }
  if (g_error_matches (error, OCTOPUS_S3_ERROR, OCTOPUS_S3_ERROR_NETWORK))
    octopus_service_set_last_error (lane->service, error);
  _octopus_upload_progress_set_state (lane->progress,
                                      cancelled ? OCTOPUS_UPLOAD_STATE_CANCELLED
                                                : OCTOPUS_UPLOAD_STATE_FAILED,
                                      cancelled ? NULL : error);
  _octopus_upload_lane_progress_changed (lane);

  for (guint p = 0; p < job->n_parts; p++)
    _octopus_upload_part_settle (job, &job->parts[p], lane);
  _octopus_upload_job_check_finished (job);
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
  _octopus_upload_lane_progress_changed (lane);
  if (job->entry != NULL && job->multipart)
    {
      octopus_upload_journal_entry_add_part (job->entry, octopus_service_get_name (lane->service),
                                             part->number, etag, part->md5_hex);
      _octopus_upload_job_save_journal (job);
    }
  _octopus_upload_part_settle (job, part, lane);
  if (job->multipart)
    _octopus_upload_lane_maybe_complete (lane);
  else
    lane_set_done (lane, etag);
}

static void
request_progress_cb (goffset  bytes_sent,
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

static gboolean
pump_idle_cb (gpointer user_data)
{
  Request *req = user_data;

  req->lane->ops--;
  _octopus_upload_lane_pump (req->lane);
  _octopus_upload_job_check_finished (req->lane->job);
  return G_SOURCE_REMOVE;
}

/* The lane takes its next parts once the answered request is gone: the client's request
 * holds the part's bytes until its callback has returned, and a re-read started before that
 * would hold one part more than the lane's window. */
static void
lane_pump_later (Lane *lane)
{
  g_autoptr(GSource) source = g_idle_source_new ();

  lane->ops++;
  g_source_set_callback (source, pump_idle_cb, _octopus_upload_request_new (lane, NULL, 1),
                         (GDestroyNotify) _octopus_upload_request_free);
  g_source_attach (source, lane->job->context);
}

static void
part_sent_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  Request *req = user_data;
  Lane *lane = req->lane;
  Job *job = lane->job;
  g_autoptr(GError) error = NULL;
  g_autofree char *etag = NULL;

  lane->ops--;
  lane->sending--;
  _octopus_upload_progress_add_written (lane->progress, -req->written);
  if (job->multipart)
    etag = octopus_s3_client_upload_part_finish (OCTOPUS_S3_CLIENT (source), result, &error);
  else
    etag = octopus_s3_client_put_object_finish (OCTOPUS_S3_CLIENT (source), result, &error);

  if (!_octopus_upload_lane_is_live (lane) || !req->part->owes[lane->index] || job->fatal != NULL)
    ;   /* given up meanwhile: the answer no longer matters */
  else if (etag != NULL)
    lane_part_done (lane, req->part, etag);
  else if (_octopus_upload_should_retry (job, error, req->attempt))
    lane_send (lane, req->part, req->data, req->attempt + 1);
  else
    _octopus_upload_lane_give_up (lane, error);

  g_clear_pointer (&req->data, g_bytes_unref);
  lane_pump_later (lane);
  _octopus_upload_job_check_finished (job);
  _octopus_upload_request_free (req);
}

static void
lane_send (Lane   *lane,
           Part   *part,
           GBytes *data,
           guint   attempt)
{
  Job *job = lane->job;
  Request *req = _octopus_upload_request_new (lane, part, attempt);
  OctopusS3Client *client = octopus_service_get_client (lane->service);
  const char *bucket = octopus_service_get_bucket (lane->service);
  const char *key = octopus_transfer_get_key (job->transfer);

  lane->ops++;
  lane->sending++;
  req->data = g_bytes_ref (data);
  req->options.content_md5 = part->md5_base64;
  req->options.progress = request_progress_cb;
  req->options.progress_data = req;
  _octopus_upload_progress_set_state (lane->progress, OCTOPUS_UPLOAD_STATE_UPLOADING, NULL);

  if (job->multipart)
    octopus_s3_client_upload_part_async (client, bucket, key, lane->upload_id, part->number,
                                         req->data, &req->options, lane->cancellable,
                                         part_sent_cb, req);
  else
    {
      req->options.metadata = job->metadata;
      octopus_s3_client_put_object_async (client, bucket, key, req->data, &req->options,
                                          lane->cancellable, part_sent_cb, req);
    }
}

/* The part read again for a lane that fell behind: the bytes of the first read (same MD5),
 * or the file changed since. */
static void
reread_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  Request *req = user_data;
  Lane *lane = req->lane;
  Job *job = lane->job;
  g_autoptr(OctopusUploadChunk) chunk = NULL;
  GError *error = NULL;

  lane->ops--;
  lane->rereading--;
  chunk = octopus_upload_reader_read_finish (OCTOPUS_UPLOAD_READER (source), result, &error);
  if (!_octopus_upload_lane_is_live (lane) || job->fatal != NULL)
    g_clear_error (&error);   /* given up meanwhile */
  else if (chunk == NULL)
    _octopus_upload_job_file_failed (job, error);
  else if (g_ascii_strcasecmp (chunk->md5_hex, req->part->md5_hex) != 0)
    _octopus_upload_job_file_failed (job,
      g_error_new (G_IO_ERROR, G_IO_ERROR_FAILED, _("%s changed while it was being uploaded"),
                   octopus_upload_reader_get_path (job->reader)));
  else
    lane_send (lane, req->part, chunk->data, 1);

  g_clear_pointer (&chunk, octopus_upload_chunk_free);
  _octopus_upload_lane_pump (lane);
  _octopus_upload_job_check_finished (job);
  _octopus_upload_request_free (req);
}

/* The window moved past @part before this lane took it: read it again (a worker thread,
 * the page cache most of the time), for this lane alone. */
static void
lane_reread (Lane *lane,
             Part *part)
{
  Job *job = lane->job;

  g_debug ("%s: part %u of %s is read again (the window moved on)",
           octopus_service_get_name (lane->service), part->number,
           octopus_transfer_get_key (job->transfer));
  lane->ops++;
  lane->rereading++;
  octopus_upload_reader_read_async (job->reader, part->offset, part->length, lane->cancellable,
                                    reread_cb, _octopus_upload_request_new (lane, part, 1));
}

/* A resumed upload already holds @part's bytes: acknowledged without sending. */
static gboolean
lane_holds_part (Lane *lane,
                 Part *part)
{
  const char *etag;

  if (lane->server_parts == NULL)
    return FALSE;
  etag = g_hash_table_lookup (lane->server_parts, GUINT_TO_POINTER (part->number));
  if (etag == NULL || g_ascii_strcasecmp (etag, part->md5_hex) != 0)
    return FALSE;
  lane_part_done (lane, part, etag);
  return TRUE;
}

/* Does the lane still owe a part that left the shared window?  Then the parts it holds are
 * its own (re-read, or kept on the wire after the window moved on), and it may hold no more
 * than LANE_REREAD_WINDOW of them: memory stays bounded however far behind it is. */
static gboolean
lane_is_behind (Lane *lane)
{
  Job *job = lane->job;

  /* Below lane->next every part was read (its owes[] exists); lane->next itself is owed. */
  while (lane->lowest < lane->next && !job->parts[lane->lowest].owes[lane->index])
    lane->lowest++;
  while (job->oldest < job->next_read && job->parts[job->oldest].data == NULL)
    job->oldest++;
  return lane->lowest < job->oldest;
}

void
_octopus_upload_lane_pump (Lane *lane)
{
  Job *job = lane->job;
  guint held, room;

  while (lane->state == LANE_RUNNING && job->fatal == NULL && lane->next < job->n_parts)
    {
      Part *part = &job->parts[lane->next];

      if (!part->read)
        break;   /* the shared reader has not got there yet */
      held = lane->sending + lane->rereading;
      /* A lane earns the window's full width by answering parts (as TCP's slow start): a
       * slow service never holds more than LANE_REREAD_WINDOW parts when it falls behind. */
      room = lane_is_behind (lane) ? LANE_REREAD_WINDOW
                                   : MIN (job->settings.parts_in_flight,
                                          LANE_REREAD_WINDOW + lane->acked);
      if (!part->owes[lane->index] || lane_holds_part (lane, part))
        lane->next++;
      else if (part->data != NULL && held < room)
        {
          lane->next++;
          lane_send (lane, part, part->data, 1);
        }
      else if (part->data == NULL && held < room)
        {
          lane->next++;
          lane_reread (lane, part);
        }
      else
        break;
    }
  if (lane->state == LANE_RUNNING && lane->next == job->next_read)
    _octopus_upload_job_pump_reader (job);
}

static void
lane_started (Lane *lane)
{
  lane->state = LANE_RUNNING;
  _octopus_upload_progress_set_state (lane->progress, OCTOPUS_UPLOAD_STATE_UPLOADING, NULL);
  _octopus_upload_lane_pump (lane);
  _octopus_upload_lane_maybe_complete (lane);
}

static void
completed_cb (GObject      *source,
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
  else if (_octopus_upload_should_retry (job, error, req->attempt))
    {
      Request *again = _octopus_upload_request_new (lane, NULL, req->attempt + 1);
      g_autoptr(GPtrArray) parts =
        g_ptr_array_new_with_free_func ((GDestroyNotify) octopus_s3_part_free);

      for (guint p = 0; p < job->n_parts; p++)
        g_ptr_array_add (parts, octopus_s3_part_new (p + 1, lane->etags[p], -1));
      lane->ops++;
      octopus_s3_client_complete_multipart_async (OCTOPUS_S3_CLIENT (source),
                                                  octopus_service_get_bucket (lane->service),
                                                  octopus_transfer_get_key (job->transfer),
                                                  lane->upload_id, parts, lane->cancellable,
                                                  completed_cb, again);
    }
  else
    _octopus_upload_lane_give_up (lane, error);

  _octopus_upload_job_check_finished (job);
  _octopus_upload_request_free (req);
}

void
_octopus_upload_lane_maybe_complete (Lane *lane)
{
  Job *job = lane->job;
  g_autoptr(GPtrArray) parts = NULL;
  GError *error = NULL;

  if (lane->state != LANE_RUNNING || lane->acked < job->n_parts || !job->read_done
      || job->fatal != NULL)
    return;
  /* A lane that fell behind read parts after the shared reader's last look: look again. */
  if (!octopus_upload_reader_check (job->reader, &error))
    {
      _octopus_upload_job_file_failed (job, error);
      return;
    }

  lane->state = LANE_COMPLETING;
  parts = g_ptr_array_new_with_free_func ((GDestroyNotify) octopus_s3_part_free);
  for (guint p = 0; p < job->n_parts; p++)
    g_ptr_array_add (parts, octopus_s3_part_new (p + 1, lane->etags[p], -1));
  lane->ops++;
  octopus_s3_client_complete_multipart_async (octopus_service_get_client (lane->service),
                                              octopus_service_get_bucket (lane->service),
                                              octopus_transfer_get_key (job->transfer),
                                              lane->upload_id, parts, lane->cancellable,
                                              completed_cb,
                                              _octopus_upload_request_new (lane, NULL, 1));
}

static void
created_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  Request *req = user_data;
  Lane *lane = req->lane;
  Job *job = lane->job;
  g_autoptr(GError) error = NULL;
  g_autofree char *upload_id = NULL;

  lane->ops--;
  upload_id = octopus_s3_client_create_multipart_finish (OCTOPUS_S3_CLIENT (source), result,
                                                         &error);
  if (lane->state != LANE_STARTING || job->fatal != NULL)
    {
      /* Given up while it was being created: do not leave it open. */
      if (upload_id != NULL)
        _octopus_upload_lane_abort (lane, upload_id);
    }
  else if (upload_id == NULL)
    {
      if (_octopus_upload_should_retry (job, error, req->attempt))
        lane_create (lane, req->attempt + 1);
      else
        _octopus_upload_lane_give_up (lane, error);
    }
  else
    {
      lane->upload_id = g_steal_pointer (&upload_id);
      if (job->entry != NULL)
        {
          octopus_upload_journal_entry_set_created (job->entry,
                                                    octopus_service_get_name (lane->service),
                                                    octopus_service_get_bucket (lane->service),
                                                    lane->upload_id, g_get_real_time ());
          _octopus_upload_job_save_journal (job);
        }
      lane_started (lane);
    }
  _octopus_upload_job_check_finished (job);
  _octopus_upload_request_free (req);
}

static void
send_create (Request *req)
{
  Lane *lane = req->lane;

  req->options.metadata = lane->job->metadata;
  /* Not cancelled with the lane: a create that reached the service opens an upload whether
   * or not we wait for the answer, and only the answer's id lets created_cb abort it. */
  octopus_s3_client_create_multipart_async (octopus_service_get_client (lane->service),
                                            octopus_service_get_bucket (lane->service),
                                            octopus_transfer_get_key (lane->job->transfer),
                                            &req->options, NULL, created_cb, req);
}

static void
creating_written_cb (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  Request *req = user_data;
  Lane *lane = req->lane;

  octopus_upload_journal_sync_finish (OCTOPUS_UPLOAD_JOURNAL (source), result, NULL);
  if (lane->state == LANE_STARTING && lane->job->fatal == NULL)
    {
      send_create (req);
      return;
    }
  lane->ops--;   /* given up meanwhile: nothing was created */
  _octopus_upload_job_check_finished (lane->job);
  _octopus_upload_request_free (req);
}

static void
lane_create (Lane  *lane,
             guint  attempt)
{
  Job *job = lane->job;
  Request *req = _octopus_upload_request_new (lane, NULL, attempt);

  lane->ops++;
  if (job->entry == NULL || job->journal == NULL || attempt > 1)
    {
      send_create (req);   /* a retry: the first attempt's time is on disk already */
      return;
    }
  /* The upload is journaled as ours before it exists: when this installation began creating
   * it, on disk before the request goes out.  An upload of this key that the service
   * initiated then is ours even if its id never reached the journal (a kill before the
   * answer was written, a retry after a lost reply); the next start aborts it, and leaves
   * alone every upload no journal of this installation accounts for. */
  octopus_upload_journal_entry_set_creating (job->entry, octopus_service_get_name (lane->service),
                                             octopus_service_get_bucket (lane->service),
                                             g_get_real_time ());
  _octopus_upload_job_save_journal (job);
  octopus_upload_journal_sync_async (job->journal, creating_written_cb, req);
}

static void
listed_cb (GObject      *source,
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
        _octopus_upload_lane_abort (lane, old_id);
      lane_create (lane, 1);
    }
  _octopus_upload_job_check_finished (job);
  _octopus_upload_request_free (req);
}

void
_octopus_upload_lane_start_multipart (Lane *lane)
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
      _octopus_upload_progress_add_done (lane->progress,
                                         octopus_upload_reader_get_size (job->reader));
      lane_set_done (lane, NULL);
    }
  else if (journaled != NULL && journaled->upload_id != NULL)
    {
      lane->upload_id = g_strdup (journaled->upload_id);
      lane->ops++;
      octopus_s3_client_list_parts_async (octopus_service_get_client (lane->service),
                                          octopus_service_get_bucket (lane->service),
                                          octopus_transfer_get_key (job->transfer),
                                          lane->upload_id, lane->cancellable, listed_cb,
                                          _octopus_upload_request_new (lane, NULL, 1));
    }
  else
    lane_create (lane, 1);
}
