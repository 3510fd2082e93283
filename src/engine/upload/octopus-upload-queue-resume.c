/* SPDX-License-Identifier: GPL-3.0-or-later */
/* octopus-upload-queue-resume.c — at start: abort the multipart uploads this installation
 * left behind (and only those: see octopus-upload-owner.h), retry the aborts owed, and queue
 * every journaled upload again. */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "octopus-fanout.h"
#include "octopus-upload-owner.h"
#include "octopus-upload-queue-private.h"

/* ---- resume and cleanup ------------------------------------------------------------------- */

typedef struct {
  OctopusUploadQueue *queue;
  GPtrArray          *entries;   /* of OctopusUploadJournalEntry */
  OctopusFanout       fanout;    /* listings and aborts in flight */
  GHashTable         *left_alone; /* service name → uploads of others (GUINT_TO_POINTER) */
} ResumeData;

typedef struct {
  GTask          *task;
  OctopusService *service;
  char           *key;         /* a leftover's abort: its key and upload id */
  char           *upload_id;
} ResumeOp;

static void
resume_data_free (ResumeData *data)
{
  g_clear_pointer (&data->entries, g_ptr_array_unref);
  g_clear_pointer (&data->left_alone, g_hash_table_unref);
  g_clear_object (&data->queue);
  g_free (data);
}

static ResumeOp *
resume_op_new (GTask          *task,
               OctopusService *service)
{
  ResumeOp *op = g_new0 (ResumeOp, 1);

  op->task = g_object_ref (task);
  op->service = service ? g_object_ref (service) : NULL;
  return op;
}

static void
resume_op_free (ResumeOp *op)
{
  g_object_unref (op->task);
  g_clear_object (&op->service);
  g_free (op->key);
  g_free (op->upload_id);
  g_free (op);
}

/* Every cleanup call answered: queue the journaled uploads. */
static void
resume_finish (GTask *task)
{
  ResumeData *data = g_task_get_task_data (task);
  guint resumed = 0;

  for (guint i = 0; i < data->entries->len; i++)
    {
      OctopusUploadJournalEntry *entry = data->entries->pdata[i];
      g_autoptr(GFile) file = NULL;

      if (octopus_upload_journal_entry_is_abort (entry))
        continue;   /* owed aborts: retried from resume_sweep() */
      file = g_file_new_for_path (octopus_upload_journal_entry_get_path (entry));

      /* Settled on every service this queue has (accounts removed since do not count). */
      if (!_octopus_upload_queue_entry_needed (data->queue, entry))
        {
          octopus_upload_journal_queue_remove (data->queue->journal, entry);
          continue;
        }
      _octopus_upload_queue_append (data->queue, file, octopus_upload_journal_entry_get_key (entry),
                                    NULL, entry);
      resumed++;
    }
  g_clear_pointer (&data->queue->left_alone, g_hash_table_unref);
  data->queue->left_alone = g_steal_pointer (&data->left_alone);
  data->queue->busy_ops--;
  _octopus_upload_queue_check_settled (data->queue);
  g_task_return_int (task, resumed);
}

static void
resume_op_done (ResumeOp *op)
{
  ResumeData *data = g_task_get_task_data (op->task);

  octopus_fanout_answer (&data->fanout);
  resume_op_free (op);
}

static void
leftover_aborted_cb (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  ResumeOp *op = user_data;
  ResumeData *data = g_task_get_task_data (op->task);
  g_autoptr(GError) error = NULL;

  if (!octopus_s3_client_abort_multipart_finish (OCTOPUS_S3_CLIENT (source), result, &error))
    {
      g_debug ("Cannot abort a leftover upload: %s", error->message);
      if (!octopus_upload_abort_error_is_final (error))
        {
          g_autoptr(GPtrArray) owed =
            g_ptr_array_new_with_free_func ((GDestroyNotify) octopus_upload_journal_entry_unref);

          g_ptr_array_add (owed, octopus_upload_journal_entry_new_abort (
                             octopus_service_get_name (op->service),
                             octopus_service_get_bucket (op->service), op->key, op->upload_id));
          octopus_upload_journal_queue_save (data->queue->journal, owed->pdata[0]);
          _octopus_upload_queue_owe_aborts (data->queue, owed, FALSE);
        }
    }
  resume_op_done (op);
}

static OctopusUploadOwner
classify (ResumeData      *data,
          OctopusService  *service,
          OctopusS3Upload *upload)
{
  OctopusS3Client *client = octopus_service_get_client (service);
  OctopusOpenUpload open = {
    .service = octopus_service_get_name (service), .bucket = octopus_service_get_bucket (service),
    .key = upload->key, .upload_id = upload->upload_id, .initiated = upload->initiated,
  };

  /* The listing just answered: its Date header is the freshest measure of the clocks. */
  open.clock_known = octopus_s3_client_get_clock_offset (client, &open.clock_offset_us);
  return octopus_upload_owner_classify (data->entries, &open);
}

static void
abort_leftover (ResumeOp        *op,
                OctopusS3Upload *upload)
{
  ResumeData *data = g_task_get_task_data (op->task);
  ResumeOp *abort_op = resume_op_new (op->task, op->service);

  octopus_fanout_add (&data->fanout);
  abort_op->key = g_strdup (upload->key);
  abort_op->upload_id = g_strdup (upload->upload_id);
  octopus_s3_client_abort_multipart_async (octopus_service_get_client (op->service),
                                           octopus_service_get_bucket (op->service),
                                           upload->key, upload->upload_id, NULL,
                                           leftover_aborted_cb, abort_op);
}

static void
uploads_listed_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  ResumeOp *op = user_data;
  ResumeData *data = g_task_get_task_data (op->task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) uploads =
    octopus_s3_client_list_multipart_uploads_finish (OCTOPUS_S3_CLIENT (source), result, &error);

  if (uploads == NULL)
    {
      /* s3rver: no ListMultipartUploads.  Nothing to sweep there; not an error. */
      if (g_error_matches (error, OCTOPUS_S3_ERROR, OCTOPUS_S3_ERROR_NOT_IMPLEMENTED))
        octopus_service_set_multipart_listing (op->service, OCTOPUS_SUPPORT_NO);
      g_debug ("Cannot list uploads on %s: %s", octopus_service_get_name (op->service),
               error->message);
    }
  else
    {
      const char *name = octopus_service_get_name (op->service);
      guint others = 0;

      octopus_service_set_multipart_listing (op->service, OCTOPUS_SUPPORT_YES);
      for (guint i = 0; i < uploads->len; i++)
        {
          OctopusS3Upload *upload = uploads->pdata[i];

          /* Another computer with the same accounts, or another program, may be uploading
           * to this bucket right now: abort only what this installation left behind. */
          switch (classify (data, op->service, upload))
            {
            case OCTOPUS_UPLOAD_OWNER_TRACKED:
              break;   /* resumed, or its abort retried */
            case OCTOPUS_UPLOAD_OWNER_LEFTOVER:
              abort_leftover (op, upload);
              break;
            case OCTOPUS_UPLOAD_OWNER_FOREIGN:
            default:
              g_debug ("Leaving alone the upload %s of %s on %s: not this installation's",
                       upload->upload_id, upload->key, name);
              others++;
              break;
            }
        }
      if (others > 0)
        g_hash_table_replace (data->left_alone, g_strdup (name), GUINT_TO_POINTER (others));
    }
  resume_op_done (op);
}

static void resume_sweep (GTask *task);

static void
journal_loaded_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  ResumeData *data = g_task_get_task_data (task);

  data->entries = octopus_upload_journal_load_finish (OCTOPUS_UPLOAD_JOURNAL (source), result,
                                                      NULL);
  if (data->entries == NULL)
    data->entries =
      g_ptr_array_new_with_free_func ((GDestroyNotify) octopus_upload_journal_entry_unref);
  resume_sweep (task);
}

void
octopus_upload_queue_resume_async (OctopusUploadQueue  *self,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  ResumeData *data;

  g_return_if_fail (OCTOPUS_IS_UPLOAD_QUEUE (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, octopus_upload_queue_resume_async);
  data = g_new0 (ResumeData, 1);
  data->queue = g_object_ref (self);
  data->left_alone = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_task_set_task_data (task, data, (GDestroyNotify) resume_data_free);
  self->busy_ops++;
  _octopus_upload_queue_set_busy (self, TRUE);
  /* Read in a worker: a journal of 1,000 queued files is 1,000 small JSON files. */
  octopus_upload_journal_load_async (self->journal, NULL, journal_loaded_cb,
                                     g_steal_pointer (&task));
}

/* Aborts the multipart uploads this installation left behind, then resume_finish(). */
static void
resume_sweep (GTask *task)
{
  ResumeData *data = g_task_get_task_data (task);
  OctopusUploadQueue *self = data->queue;
  GCancellable *cancellable = g_task_get_cancellable (task);

  /* Aborts a previous run could not get through: try them again now. */
  for (guint i = 0; i < data->entries->len; i++)
    if (octopus_upload_journal_entry_is_abort (data->entries->pdata[i]))
      {
        g_autoptr(GPtrArray) owed = g_ptr_array_new ();

        g_ptr_array_add (owed, data->entries->pdata[i]);
        _octopus_upload_queue_owe_aborts (self, owed, TRUE);
      }

  octopus_fanout_begin (&data->fanout, (OctopusFanoutNext) resume_finish, task);
  for (guint i = 0; i < self->services->len; i++)
    {
      OctopusService *service = self->services->pdata[i];

      if (octopus_service_get_multipart_listing (service) == OCTOPUS_SUPPORT_NO
          || !octopus_service_get_reachable (service))
        continue;
      octopus_fanout_add (&data->fanout);
      octopus_s3_client_list_multipart_uploads_async (octopus_service_get_client (service),
                                                      octopus_service_get_bucket (service),
                                                      NULL, cancellable, uploads_listed_cb,
                                                      resume_op_new (task, service));
    }
  octopus_fanout_seal (&data->fanout);
}

guint
octopus_upload_queue_resume_finish (OctopusUploadQueue  *self,
                                    GAsyncResult        *result,
                                    GError             **error)
{
  gssize n;

  g_return_val_if_fail (g_task_is_valid (result, self), 0);
  n = g_task_propagate_int (G_TASK (result), error);
  return n < 0 ? 0 : (guint) n;
}

guint
octopus_upload_queue_get_left_alone (OctopusUploadQueue *self,
                                     const char         *service_name)
{
  g_return_val_if_fail (OCTOPUS_IS_UPLOAD_QUEUE (self), 0);
  if (self->left_alone == NULL)
    return 0;
  return GPOINTER_TO_UINT (g_hash_table_lookup (self->left_alone, service_name));
}

char *
octopus_upload_queue_describe_left_alone (OctopusUploadQueue *self)
{
  g_autoptr(GPtrArray) parts = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *list = NULL;
  const char *name = NULL;
  guint n = 0;

  g_return_val_if_fail (OCTOPUS_IS_UPLOAD_QUEUE (self), NULL);
  /* In the order of the services, as the window's columns show them. */
  for (guint i = 0; i < self->services->len; i++)
    {
      const char *s = octopus_service_get_name (self->services->pdata[i]);
      guint count = octopus_upload_queue_get_left_alone (self, s);

      if (count == 0)
        continue;
      name = s;
      n = count;
      /* TRANSLATORS: one item of a list, e.g. "2 on swift-a" */
      g_ptr_array_add (parts, g_strdup_printf (_("%u on %s"), count, s));
    }
  if (parts->len == 0)
    return NULL;
  if (parts->len == 1)
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                         "%u unfinished upload by another computer or program "
                                         "was left alone on %s",
                                         "%u unfinished uploads by other computers or programs "
                                         "were left alone on %s", n), n, name);
  g_ptr_array_add (parts, NULL);
  list = g_strjoinv (", ", (char **) parts->pdata);
  return g_strdup_printf (_("Unfinished uploads by other computers or programs were left "
                            "alone: %s"), list);
}
