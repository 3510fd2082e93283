/* SPDX-License-Identifier: GPL-3.0-or-later */
/* octopus-upload-aborts.c — owed AbortMultipartUpload calls, retried with backoff. */
#include "config.h"

#include "octopus-upload-aborts.h"
#include "octopus-upload-job.h"

#define FIRST_DELAY_MS 1000
#define MAX_DELAY_MS   (5 * 60 * 1000)

struct _OctopusUploadAborts
{
  OctopusUploadJournal *journal;
  GPtrArray            *owed;       /* of Owed */
  GCallback             changed;
  gpointer              user_data;
};

typedef struct {
  OctopusUploadAborts       *aborts;      /* NULL once the owner let go (request in flight) */
  OctopusService            *service;
  OctopusUploadJournalEntry *entry;
  guint                      attempt;
  guint                      timer;
  gulong                     reachable_id;
  gboolean                   in_flight;
} Owed;

static void owed_try (Owed *owed);

static void
owed_free (Owed *owed)
{
  g_clear_handle_id (&owed->timer, g_source_remove);
  g_clear_signal_handler (&owed->reachable_id, owed->service);
  g_clear_object (&owed->service);
  g_clear_pointer (&owed->entry, octopus_upload_journal_entry_unref);
  g_free (owed);
}

static void
aborts_changed (OctopusUploadAborts *self)
{
  if (self->changed != NULL)
    ((void (*) (gpointer)) self->changed) (self->user_data);
}

static gboolean
retry_timer_cb (gpointer user_data)
{
  Owed *owed = user_data;

  owed->timer = 0;
  owed_try (owed);
  return G_SOURCE_REMOVE;
}

static void
owed_schedule (Owed  *owed,
               guint  delay_ms)
{
  g_clear_handle_id (&owed->timer, g_source_remove);
  owed->timer = g_timeout_add (delay_ms, retry_timer_cb, owed);
}

/* The service answers again (a refresh, an upload got through): no need to wait. */
static void
reachable_cb (OctopusService *service,
              GParamSpec     *pspec,
              Owed           *owed)
{
  if (octopus_service_get_reachable (service) && !owed->in_flight)
    owed_schedule (owed, 0);
}

static void
owed_done (Owed *owed)
{
  OctopusUploadAborts *self = owed->aborts;

  octopus_upload_journal_queue_remove (self->journal, owed->entry);
  g_ptr_array_remove_fast (self->owed, owed);   /* frees it */
  aborts_changed (self);
}

static void
aborted_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  Owed *owed = user_data;
  g_autoptr(GError) error = NULL;
  gboolean ok = octopus_s3_client_abort_multipart_finish (OCTOPUS_S3_CLIENT (source), result,
                                                          &error);

  owed->in_flight = FALSE;
  if (owed->aborts == NULL)
    {
      owed_free (owed);   /* the queue is gone; the journal keeps what is still owed */
      return;
    }
  if (ok || octopus_upload_abort_error_is_final (error))
    {
      owed_done (owed);
      return;
    }
  g_debug ("Abort of %s on %s failed again (attempt %u): %s",
           octopus_upload_journal_entry_get_key (owed->entry),
           octopus_service_get_name (owed->service), owed->attempt, error->message);
  owed->attempt++;
  owed_schedule (owed, (guint) MIN ((guint64) FIRST_DELAY_MS << MIN (owed->attempt, 20u),
                                    (guint64) MAX_DELAY_MS));
}

static void
owed_try (Owed *owed)
{
  OctopusUploadJournalLane *lane =
    octopus_upload_journal_entry_get_lane (owed->entry, octopus_service_get_name (owed->service));

  if (owed->in_flight || octopus_service_get_unusable (owed->service) != NULL)
    return;
  owed->in_flight = TRUE;
  /* No cancellable: an abort must run whatever else was cancelled. */
  octopus_s3_client_abort_multipart_async (octopus_service_get_client (owed->service),
                                           lane->bucket,
                                           octopus_upload_journal_entry_get_key (owed->entry),
                                           lane->upload_id, NULL, aborted_cb, owed);
}

OctopusUploadAborts *
octopus_upload_aborts_new (OctopusUploadJournal *journal,
                           GCallback             changed,
                           gpointer              user_data)
{
  OctopusUploadAborts *self = g_new0 (OctopusUploadAborts, 1);

  self->journal = g_object_ref (journal);
  self->owed = g_ptr_array_new_with_free_func ((GDestroyNotify) owed_free);
  self->changed = changed;
  self->user_data = user_data;
  return self;
}

void
octopus_upload_aborts_free (OctopusUploadAborts *self)
{
  if (self == NULL)
    return;
  /* Requests in flight free their Owed when they answer. */
  for (guint i = 0; i < self->owed->len; i++)
    {
      Owed *owed = self->owed->pdata[i];

      if (owed->in_flight)
        {
          owed->aborts = NULL;
          g_clear_handle_id (&owed->timer, g_source_remove);
          g_clear_signal_handler (&owed->reachable_id, owed->service);
          self->owed->pdata[i] = NULL;
        }
    }
  g_ptr_array_set_free_func (self->owed, NULL);
  for (guint i = 0; i < self->owed->len; i++)
    if (self->owed->pdata[i] != NULL)
      owed_free (self->owed->pdata[i]);
  g_ptr_array_unref (self->owed);
  g_object_unref (self->journal);
  g_free (self);
}

void
octopus_upload_aborts_add (OctopusUploadAborts       *self,
                           OctopusService            *service,
                           OctopusUploadJournalEntry *entry,
                           gboolean                   now)
{
  OctopusUploadJournalLane *lane =
    octopus_upload_journal_entry_get_lane (entry, octopus_service_get_name (service));
  Owed *owed;

  g_return_if_fail (octopus_upload_journal_entry_is_abort (entry));
  if (lane == NULL || lane->upload_id == NULL || lane->bucket == NULL)
    {
      octopus_upload_journal_queue_remove (self->journal, entry);   /* nothing to abort */
      return;
    }
  owed = g_new0 (Owed, 1);
  owed->aborts = self;
  owed->service = g_object_ref (service);
  owed->entry = octopus_upload_journal_entry_ref (entry);
  owed->reachable_id = g_signal_connect (service, "notify::reachable",
                                         G_CALLBACK (reachable_cb), owed);
  g_ptr_array_add (self->owed, owed);
  owed_schedule (owed, now ? 0 : FIRST_DELAY_MS);
  aborts_changed (self);
}

guint
octopus_upload_aborts_get_pending (OctopusUploadAborts *self)
{
  return self->owed->len;
}
