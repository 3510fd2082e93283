/* SPDX-License-Identifier: GPL-3.0-or-later */
/* octopus-upload-queue.c — the upload queue: list model, settings, scheduling, wait.
 *
 * Persistence: every file is journaled when it is queued (batched writes, see
 * octopus-upload-journal.h) and its entry removed once it settled: every service holds it or
 * was given up for good, the user cancelled it, or the file itself failed (vanished, changed
 * while read, unreadable).  A service that was unreachable keeps the entry, and the next
 * start sends the file to it.  Dropping the queue (quitting) stops the uploads without
 * aborting anything or touching the journal, so the next start resumes the whole queue.
 *
 * Adding files and folders: octopus-upload-queue-add.c; resume and cleanup at start:
 * octopus-upload-queue-resume.c; the array's table while files upload:
 * octopus-upload-queue-table.c; the struct they share: octopus-upload-queue-private.h. */
#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>

#include "octopus-upload-queue-private.h"

#define MIB (1024 * 1024)
/* After a service failed at the network level, later files skip it for this long instead of
 * each paying the client's full retry schedule against a dead host. */
#define UNREACHABLE_HOLD_US (30 * G_USEC_PER_SEC)


static void octopus_upload_queue_list_model_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (OctopusUploadQueue, octopus_upload_queue, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL,
                                                      octopus_upload_queue_list_model_init))

enum {
  PROP_0,
  PROP_MAX_IN_FLIGHT,
  PROP_PART_SIZE,
  PROP_PARTS_IN_FLIGHT,
  PROP_MULTIPART_THRESHOLD,
  PROP_BUSY,
  PROP_N_ITEMS,
  PROP_ABORTS_PENDING,
  N_PROPS
};

enum {
  SIGNAL_TRANSFER_FINISHED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

/* ---- GListModel --------------------------------------------------------------------------- */

static GType
list_get_item_type (GListModel *model)
{
  return OCTOPUS_TYPE_TRANSFER;
}

static guint
list_get_n_items (GListModel *model)
{
  return OCTOPUS_UPLOAD_QUEUE (model)->transfers->len;
}

static gpointer
list_get_item (GListModel *model,
               guint       position)
{
  OctopusUploadQueue *self = OCTOPUS_UPLOAD_QUEUE (model);

  if (position >= self->transfers->len)
    return NULL;
  return g_object_ref (self->transfers->pdata[position]);
}

static void
octopus_upload_queue_list_model_init (GListModelInterface *iface)
{
  iface->get_item_type = list_get_item_type;
  iface->get_n_items = list_get_n_items;
  iface->get_item = list_get_item;
}

void
_octopus_upload_queue_items_changed (OctopusUploadQueue *self,
                                     guint               position,
                                     guint               removed,
                                     guint               added)
{
  g_list_model_items_changed (G_LIST_MODEL (self), position, removed, added);
  if (removed != added)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ITEMS]);
}

/* ---- GObject ------------------------------------------------------------------------------ */

static void
octopus_upload_queue_dispose (GObject *object)
{
  OctopusUploadQueue *self = OCTOPUS_UPLOAD_QUEUE (object);
  g_autoptr(GPtrArray) waiters = g_steal_pointer (&self->waiters);

  /* The owner let go (the application quits): stop every upload as it is, for the next
   * start to resume, and write the journal out now. */
  for (guint i = 0; i < self->transfers->len; i++)
    {
      g_signal_handlers_disconnect_by_data (self->transfers->pdata[i], self);
      _octopus_transfer_suspend (self->transfers->pdata[i]);
    }
  /* What is still owed stays journaled for the next start. */
  g_clear_pointer (&self->aborts, octopus_upload_aborts_free);
  if (self->journal != NULL)
    octopus_upload_journal_close (self->journal);
  for (guint i = 0; waiters != NULL && i < waiters->len; i++)
    g_task_return_new_error (waiters->pdata[i], G_IO_ERROR, G_IO_ERROR_CANCELLED,
                             "The upload queue was dropped");
  g_clear_weak_pointer (&self->array);
  G_OBJECT_CLASS (octopus_upload_queue_parent_class)->dispose (object);
}

static void
octopus_upload_queue_finalize (GObject *object)
{
  OctopusUploadQueue *self = OCTOPUS_UPLOAD_QUEUE (object);

  g_queue_clear_full (&self->pending, g_object_unref);
  g_clear_pointer (&self->services, g_ptr_array_unref);
  g_clear_pointer (&self->transfers, g_ptr_array_unref);
  g_clear_object (&self->journal);
  g_clear_pointer (&self->sent, g_hash_table_unref);
  g_clear_pointer (&self->down_since, g_hash_table_unref);
  g_clear_pointer (&self->waiters, g_ptr_array_unref);
  g_clear_pointer (&self->left_alone, g_hash_table_unref);
  g_clear_pointer (&self->crypt_keys, octopus_crypt_keys_unref);

  G_OBJECT_CLASS (octopus_upload_queue_parent_class)->finalize (object);
}

static void
octopus_upload_queue_get_property (GObject    *object,
                                   guint       prop_id,
                                   GValue     *value,
                                   GParamSpec *pspec)
{
  OctopusUploadQueue *self = OCTOPUS_UPLOAD_QUEUE (object);

  switch (prop_id)
    {
    case PROP_MAX_IN_FLIGHT:
      g_value_set_uint (value, self->max_in_flight);
      break;
    case PROP_PART_SIZE:
      g_value_set_uint64 (value, self->settings.part_size);
      break;
    case PROP_PARTS_IN_FLIGHT:
      g_value_set_uint (value, self->settings.parts_in_flight);
      break;
    case PROP_MULTIPART_THRESHOLD:
      g_value_set_int64 (value, self->settings.multipart_threshold);
      break;
    case PROP_BUSY:
      g_value_set_boolean (value, self->busy);
      break;
    case PROP_N_ITEMS:
      g_value_set_uint (value, self->transfers->len);
      break;
    case PROP_ABORTS_PENDING:
      g_value_set_uint (value, octopus_upload_queue_get_aborts_pending (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
octopus_upload_queue_set_property (GObject      *object,
                                   guint         prop_id,
                                   const GValue *value,
                                   GParamSpec   *pspec)
{
  OctopusUploadQueue *self = OCTOPUS_UPLOAD_QUEUE (object);

  switch (prop_id)
    {
    case PROP_MAX_IN_FLIGHT:
      octopus_upload_queue_set_max_in_flight (self, g_value_get_uint (value));
      break;
    case PROP_PART_SIZE:
      octopus_upload_queue_set_part_size (self, (gsize) g_value_get_uint64 (value));
      break;
    case PROP_PARTS_IN_FLIGHT:
      octopus_upload_queue_set_parts_in_flight (self, g_value_get_uint (value));
      break;
    case PROP_MULTIPART_THRESHOLD:
      octopus_upload_queue_set_multipart_threshold (self, g_value_get_int64 (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
octopus_upload_queue_class_init (OctopusUploadQueueClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags rw = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;
  GParamFlags ro = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->dispose = octopus_upload_queue_dispose;
  object_class->finalize = octopus_upload_queue_finalize;
  object_class->get_property = octopus_upload_queue_get_property;
  object_class->set_property = octopus_upload_queue_set_property;

  properties[PROP_MAX_IN_FLIGHT] =
    g_param_spec_uint ("max-in-flight", NULL, NULL, 1, OCTOPUS_UPLOAD_MAX_TRANSFERS,
                      OCTOPUS_UPLOAD_DEFAULT_TRANSFERS, rw);
  properties[PROP_PART_SIZE] =
    g_param_spec_uint64 ("part-size", NULL, NULL, OCTOPUS_UPLOAD_MIN_PART_SIZE,
                         G_MAXUINT32, 8 * MIB, rw);
  properties[PROP_PARTS_IN_FLIGHT] =
    g_param_spec_uint ("parts-in-flight", NULL, NULL, 1, 64, 4, rw);
  properties[PROP_MULTIPART_THRESHOLD] =
    g_param_spec_int64 ("multipart-threshold", NULL, NULL, 0, G_MAXINT64, 16 * MIB, rw);
  properties[PROP_BUSY] = g_param_spec_boolean ("busy", NULL, NULL, FALSE, ro);
  properties[PROP_N_ITEMS] = g_param_spec_uint ("n-items", NULL, NULL, 0, G_MAXUINT, 0, ro);
  properties[PROP_ABORTS_PENDING] =
    g_param_spec_uint ("aborts-pending", NULL, NULL, 0, G_MAXUINT, 0, ro);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* Emitted for every transfer when it finishes (after the transfer's own "finished"). */
  signals[SIGNAL_TRANSFER_FINISHED] =
    g_signal_new ("transfer-finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, OCTOPUS_TYPE_TRANSFER);
}

static void
octopus_upload_queue_init (OctopusUploadQueue *self)
{
  self->transfers = g_ptr_array_new_with_free_func (g_object_unref);
  g_queue_init (&self->pending);
  self->max_in_flight = OCTOPUS_UPLOAD_DEFAULT_TRANSFERS;
  self->settings.part_size = 8 * MIB;
  self->settings.parts_in_flight = 4;
  self->settings.multipart_threshold = 16 * MIB;
  self->settings.attempts = 3;
  self->sent = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->down_since = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->waiters = g_ptr_array_new_with_free_func (g_object_unref);
}

static void
aborts_changed_cb (gpointer user_data)
{
  g_object_notify_by_pspec (G_OBJECT (user_data), properties[PROP_ABORTS_PENDING]);
}

static OctopusService *
queue_lookup_service (OctopusUploadQueue *self,
                      const char         *name)
{
  for (guint i = 0; i < self->services->len; i++)
    if (g_strcmp0 (octopus_service_get_name (self->services->pdata[i]), name) == 0)
      return self->services->pdata[i];
  return NULL;
}

/* Owes the aborts in @owed (abort entries, journaled), retried while the queue lives. */
void
_octopus_upload_queue_owe_aborts (OctopusUploadQueue *self,
                                  GPtrArray          *owed,
                                  gboolean            now)
{
  for (guint i = 0; owed != NULL && self->aborts != NULL && i < owed->len; i++)
    {
      OctopusUploadJournalEntry *entry = owed->pdata[i];
      OctopusService *service =
        queue_lookup_service (self, octopus_upload_journal_entry_get_abort_service (entry));

      /* An account removed since: nothing can abort it any more; the entry stays, harmless. */
      if (service != NULL)
        octopus_upload_aborts_add (self->aborts, service, entry, now);
    }
}

guint
octopus_upload_queue_get_aborts_pending (OctopusUploadQueue *self)
{
  g_return_val_if_fail (OCTOPUS_IS_UPLOAD_QUEUE (self), 0);
  return self->aborts != NULL ? octopus_upload_aborts_get_pending (self->aborts) : 0;
}

void
octopus_upload_queue_flush_journal (OctopusUploadQueue *self)
{
  g_return_if_fail (OCTOPUS_IS_UPLOAD_QUEUE (self));
  octopus_upload_journal_flush (self->journal);
}

OctopusUploadQueue *
octopus_upload_queue_new (GPtrArray  *services,
                          const char *journal_dir)
{
  OctopusUploadQueue *self = g_object_new (OCTOPUS_TYPE_UPLOAD_QUEUE, NULL);

  self->services = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < services->len; i++)
    g_ptr_array_add (self->services, g_object_ref (services->pdata[i]));
  self->journal = octopus_upload_journal_new (journal_dir);
  self->aborts = octopus_upload_aborts_new (self->journal, G_CALLBACK (aborts_changed_cb), self);
  return self;
}

GPtrArray *
octopus_upload_queue_get_services (OctopusUploadQueue *self)
{
  g_return_val_if_fail (OCTOPUS_IS_UPLOAD_QUEUE (self), NULL);
  return self->services;
}

void
octopus_upload_queue_set_array (OctopusUploadQueue *self,
                                OctopusArray       *array)
{
  g_return_if_fail (OCTOPUS_IS_UPLOAD_QUEUE (self));
  g_set_weak_pointer (&self->array, array);
}

/* ---- settings ----------------------------------------------------------------------------- */

void
octopus_upload_queue_set_max_in_flight (OctopusUploadQueue *self, guint n)
{
  g_return_if_fail (OCTOPUS_IS_UPLOAD_QUEUE (self));
  n = MAX (n, 1);
  if (self->max_in_flight == n)
    return;
  self->max_in_flight = n;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MAX_IN_FLIGHT]);
  _octopus_upload_queue_schedule (self);
}

guint
octopus_upload_queue_get_max_in_flight (OctopusUploadQueue *self)
{
  g_return_val_if_fail (OCTOPUS_IS_UPLOAD_QUEUE (self), 0);
  return self->max_in_flight;
}

void
octopus_upload_queue_set_part_size (OctopusUploadQueue *self, gsize size)
{
  g_return_if_fail (OCTOPUS_IS_UPLOAD_QUEUE (self));
  size = MAX (size, (gsize) OCTOPUS_UPLOAD_MIN_PART_SIZE);
  if (self->settings.part_size == size)
    return;
  self->settings.part_size = size;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PART_SIZE]);
}

gsize
octopus_upload_queue_get_part_size (OctopusUploadQueue *self)
{
  g_return_val_if_fail (OCTOPUS_IS_UPLOAD_QUEUE (self), 0);
  return self->settings.part_size;
}

void
octopus_upload_queue_set_parts_in_flight (OctopusUploadQueue *self, guint n)
{
  g_return_if_fail (OCTOPUS_IS_UPLOAD_QUEUE (self));
  n = MAX (n, 1);
  if (self->settings.parts_in_flight == n)
    return;
  self->settings.parts_in_flight = n;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PARTS_IN_FLIGHT]);
}

guint
octopus_upload_queue_get_parts_in_flight (OctopusUploadQueue *self)
{
  g_return_val_if_fail (OCTOPUS_IS_UPLOAD_QUEUE (self), 0);
  return self->settings.parts_in_flight;
}

void
octopus_upload_queue_set_multipart_threshold (OctopusUploadQueue *self, goffset size)
{
  g_return_if_fail (OCTOPUS_IS_UPLOAD_QUEUE (self));
  if (self->settings.multipart_threshold == size)
    return;
  self->settings.multipart_threshold = size;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MULTIPART_THRESHOLD]);
}

goffset
octopus_upload_queue_get_multipart_threshold (OctopusUploadQueue *self)
{
  g_return_val_if_fail (OCTOPUS_IS_UPLOAD_QUEUE (self), 0);
  return self->settings.multipart_threshold;
}

void
octopus_upload_queue_set_attempts (OctopusUploadQueue *self, guint n)
{
  g_return_if_fail (OCTOPUS_IS_UPLOAD_QUEUE (self));
  self->settings.attempts = MAX (n, 1);
}

gsize
octopus_upload_queue_get_memory_budget (OctopusUploadQueue *self)
{
  gsize per_file;

  g_return_val_if_fail (OCTOPUS_IS_UPLOAD_QUEUE (self), 0);
  /* A multipart file holds parts_in_flight parts in its shared window, plus at most
   * LANE_REREAD_WINDOW (2) for each service that fell behind (all but the fastest); a
   * single-PUT file holds itself, which is below the threshold.  The part size can grow for
   * files over 10,000 × part-size; that growth is the one case above this figure (and it is
   * what S3's part limit forces). */
  per_file = MAX ((self->settings.parts_in_flight + 2 * (MAX (self->services->len, 1) - 1))
                  * self->settings.part_size,
                  (gsize) MAX (self->settings.multipart_threshold, 0));
  /* Only LARGE_FILES_IN_FLIGHT files over SMALL_FILE_SIZE run at once (queue_take_startable);
   * the others in flight are small files. */
  return MIN (self->max_in_flight, LARGE_FILES_IN_FLIGHT) * per_file
         + (self->max_in_flight - MIN (self->max_in_flight, LARGE_FILES_IN_FLIGHT))
           * SMALL_FILE_SIZE;
}

goffset
octopus_upload_queue_get_bytes_sent (OctopusUploadQueue *self,
                                     const char         *service_name)
{
  goffset *sent;
  goffset total;

  g_return_val_if_fail (OCTOPUS_IS_UPLOAD_QUEUE (self), 0);

  sent = g_hash_table_lookup (self->sent, service_name);
  total = sent ? *sent : 0;
  /* plus what running transfers have sent so far */
  for (guint i = 0; i < self->transfers->len; i++)
    {
      OctopusTransfer *t = self->transfers->pdata[i];
      OctopusUploadProgress *p;

      if (octopus_transfer_is_finished (t))
        continue;
      p = octopus_transfer_get_progress_for (t, service_name);
      if (p != NULL)
        total += octopus_upload_progress_get_bytes_sent (p);
    }
  return total;
}

/* ---- scheduling --------------------------------------------------------------------------- */

gboolean
octopus_upload_queue_get_busy (OctopusUploadQueue *self)
{
  g_return_val_if_fail (OCTOPUS_IS_UPLOAD_QUEUE (self), FALSE);
  return self->busy;
}

gboolean
octopus_upload_queue_has_unfinished (OctopusUploadQueue *self)
{
  guint n;

  g_return_val_if_fail (OCTOPUS_IS_UPLOAD_QUEUE (self), FALSE);
  n = g_list_model_get_n_items (G_LIST_MODEL (self));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(OctopusTransfer) transfer = g_list_model_get_item (G_LIST_MODEL (self), i);

      if (!octopus_transfer_is_finished (transfer))
        return TRUE;
    }
  return FALSE;
}

static gboolean
queue_has_pending (OctopusUploadQueue *self)
{
  OctopusTransfer *head;

  /* Transfers cancelled while queued stay in the queue until they reach its head. */
  while ((head = g_queue_peek_head (&self->pending)) != NULL
         && octopus_transfer_get_state (head) != OCTOPUS_TRANSFER_STATE_QUEUED)
    g_object_unref (g_queue_pop_head (&self->pending));
  return head != NULL;
}

void
_octopus_upload_queue_set_busy (OctopusUploadQueue *self,
                                gboolean            busy)
{
  if (self->busy == busy)
    return;
  self->busy = busy;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
}

void
_octopus_upload_queue_check_settled (OctopusUploadQueue *self)
{
  g_autoptr(GPtrArray) waiters = NULL;

  if (self->running > 0 || self->busy_ops > 0 || queue_has_pending (self))
    {
      _octopus_upload_queue_set_busy (self, TRUE);
      return;
    }
  _octopus_upload_queue_set_busy (self, FALSE);
  waiters = g_steal_pointer (&self->waiters);
  self->waiters = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; waiters != NULL && i < waiters->len; i++)
    g_task_return_boolean (waiters->pdata[i], TRUE);
}

/* Shows @transfer's key as transferring (or not) on every service of the array. */
/* Does the journal still need @entry: some service of the queue lacks the file and was not
 * given up? */
gboolean
_octopus_upload_queue_entry_needed (OctopusUploadQueue        *self,
                                    OctopusUploadJournalEntry *entry)
{
  for (guint i = 0; i < self->services->len; i++)
    if (!octopus_upload_journal_entry_is_settled
          (entry, octopus_service_get_name (self->services->pdata[i]),
           octopus_service_get_bucket (self->services->pdata[i])))
      return TRUE;
  return FALSE;
}

static void
queue_journal_settle (OctopusUploadQueue *self,
                      OctopusTransfer    *transfer)
{
  OctopusUploadJournalEntry *entry = _octopus_transfer_get_journal (transfer);

  if (entry == NULL)
    return;
  /* Cancelled by the user, or a file-level failure (gone, changed while read, unreadable):
   * the user has been told; nothing to resume. */
  if (octopus_transfer_get_error (transfer) != NULL
      || !_octopus_upload_queue_entry_needed (self, entry))
    octopus_upload_journal_queue_remove (self->journal, entry);
  else
    octopus_upload_journal_queue_save (self->journal, entry);
}

void
_octopus_upload_queue_transfer_finished_cb (OctopusTransfer    *transfer,
                                            OctopusUploadQueue *self)
{
  guint n = g_list_model_get_n_items (octopus_transfer_get_services (transfer));

  queue_journal_settle (self, transfer);
  _octopus_upload_queue_crypt_settled (self, transfer);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(OctopusUploadProgress) p =
        g_list_model_get_item (octopus_transfer_get_services (transfer), i);
      const char *name = octopus_upload_progress_get_service_name (p);
      const GError *error = octopus_upload_progress_get_error (p);
      goffset *sent = g_hash_table_lookup (self->sent, name);

      if (sent == NULL)
        {
          sent = g_new0 (goffset, 1);
          g_hash_table_insert (self->sent, g_strdup (name), sent);
        }
      *sent += octopus_upload_progress_get_bytes_sent (p);

      if (g_error_matches (error, OCTOPUS_S3_ERROR, OCTOPUS_S3_ERROR_NETWORK))
        {
          gint64 *since = g_new (gint64, 1);
          *since = g_get_monotonic_time ();
          g_hash_table_replace (self->down_since, g_strdup (name), since);
        }
      else if (octopus_upload_progress_get_state (p) == OCTOPUS_UPLOAD_STATE_DONE)
        g_hash_table_remove (self->down_since, name);
    }
  _octopus_upload_queue_mark_transferring (self, transfer, FALSE);
  _octopus_upload_queue_show_copies (self, transfer);
  g_signal_emit (self, signals[SIGNAL_TRANSFER_FINISHED], 0, transfer);
  _octopus_upload_queue_schedule (self);
  _octopus_upload_queue_check_settled (self);
}

static void
job_done_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  RunningJob *job = user_data;
  g_autoptr(OctopusUploadQueue) self = g_weak_ref_get (&job->queue);
  g_autoptr(GPtrArray) owed = NULL;
  gboolean large = job->large;

  g_weak_ref_clear (&job->queue);
  g_free (job);
  octopus_upload_job_run_finish (result, &owed, NULL);
  if (self == NULL)
    return;   /* dropped: the job was only winding down (its owed aborts are journaled) */
  _octopus_upload_queue_owe_aborts (self, owed, FALSE);
  self->running--;
  self->running_large -= large;
  _octopus_upload_queue_schedule (self);
  _octopus_upload_queue_check_settled (self);
}

static void
error_free0 (gpointer error)
{
  if (error != NULL)
    g_error_free (error);
}

/* Services that cannot be used at all (their client is a stand-in: no secret, settings that
 * make no client), with their own reason, and services that failed at the network level
 * moments ago: skip them for this file. */
static GPtrArray *
queue_skip_list (OctopusUploadQueue *self)
{
  GPtrArray *skip = g_ptr_array_new_with_free_func (error_free0);
  gint64 now = g_get_monotonic_time ();

  for (guint i = 0; i < self->services->len; i++)
    {
      OctopusService *service = self->services->pdata[i];
      gint64 *since = g_hash_table_lookup (self->down_since, octopus_service_get_name (service));
      const GError *last = octopus_service_get_last_error (service);
      const GError *unusable = octopus_service_get_unusable (service);

      if (unusable != NULL)
        g_ptr_array_add (skip, g_error_copy (unusable));
      else if (since != NULL && now - *since < UNREACHABLE_HOLD_US)
        g_ptr_array_add (skip, last ? g_error_copy (last)
                                    : g_error_new (OCTOPUS_S3_ERROR, OCTOPUS_S3_ERROR_NETWORK,
                                                   _("%s is unreachable"),
                                                   octopus_service_get_name (service)));
      else
        g_ptr_array_add (skip, NULL);
    }
  return skip;
}

static gboolean
transfer_is_large (OctopusTransfer *transfer)
{
  return octopus_transfer_get_size (transfer) > SMALL_FILE_SIZE;
}

/* The first queued file that may start now, taken out of the queue: a large file waits while
 * LARGE_FILES_IN_FLIGHT others run, and small files behind it go ahead meanwhile. */
static OctopusTransfer *
queue_take_startable (OctopusUploadQueue *self)
{
  for (GList *l = self->pending.head; l != NULL; l = l->next)
    {
      OctopusTransfer *transfer = l->data;

      if (octopus_transfer_get_state (transfer) != OCTOPUS_TRANSFER_STATE_QUEUED ||
          (transfer_is_large (transfer) && self->running_large >= LARGE_FILES_IN_FLIGHT))
        continue;
      g_queue_delete_link (&self->pending, l);
      return transfer;
    }
  return NULL;
}

void
_octopus_upload_queue_schedule (OctopusUploadQueue *self)
{
  OctopusTransfer *next;

  while (self->running < self->max_in_flight && queue_has_pending (self)
         && (next = queue_take_startable (self)) != NULL)
    {
      g_autoptr(OctopusTransfer) transfer = next;
      g_autoptr(GPtrArray) skip = queue_skip_list (self);
      RunningJob *job = g_new0 (RunningJob, 1);

      g_weak_ref_init (&job->queue, self);
      job->large = transfer_is_large (transfer);
      self->running++;
      self->running_large += job->large;
      _octopus_upload_queue_mark_transferring (self, transfer, TRUE);
      _octopus_upload_queue_watch_copies (self, transfer);
      octopus_upload_job_run_async (transfer, self->services, skip, &self->settings,
                                    self->journal, job_done_cb, job);
    }
}

void
octopus_upload_queue_cancel_all (OctopusUploadQueue *self)
{
  g_autoptr(GPtrArray) snapshot = NULL;

  g_return_if_fail (OCTOPUS_IS_UPLOAD_QUEUE (self));

  snapshot = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < self->transfers->len; i++)
    g_ptr_array_add (snapshot, g_object_ref (self->transfers->pdata[i]));
  for (guint i = 0; i < snapshot->len; i++)
    octopus_transfer_cancel (snapshot->pdata[i]);
}

void
octopus_upload_queue_clear_finished (OctopusUploadQueue *self)
{
  guint old_len;

  g_return_if_fail (OCTOPUS_IS_UPLOAD_QUEUE (self));

  old_len = self->transfers->len;
  for (guint i = self->transfers->len; i > 0; i--)
    {
      OctopusTransfer *t = self->transfers->pdata[i - 1];

      if (octopus_transfer_is_finished (t))
        {
          g_signal_handlers_disconnect_by_data (t, self);
          g_ptr_array_remove_index (self->transfers, i - 1);
        }
    }
  if (old_len != self->transfers->len)
    _octopus_upload_queue_items_changed (self, 0, old_len, self->transfers->len);
}

/* ---- wait --------------------------------------------------------------------------------- */

void
octopus_upload_queue_wait_async (OctopusUploadQueue  *self,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, octopus_upload_queue_wait_async);
  g_ptr_array_add (self->waiters, g_steal_pointer (&task));
  _octopus_upload_queue_check_settled (self);
}

gboolean
octopus_upload_queue_wait_finish (OctopusUploadQueue  *self,
                                  GAsyncResult        *result,
                                  GError             **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}
