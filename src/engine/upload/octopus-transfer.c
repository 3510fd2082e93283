/* SPDX-License-Identifier: GPL-3.0-or-later */
/* octopus-transfer.c — one file's upload to every service, as properties and a signal. */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "octopus-transfer-private.h"

struct _OctopusTransfer
{
  GObject               parent_instance;

  GFile                *file;
  char                 *key;
  goffset               size;
  OctopusTransferState  state;
  GError               *error;
  GListStore           *services;     /* of OctopusUploadProgress */
  GCancellable         *cancellable;
  double                fraction;
  OctopusUploadJournalEntry *journal;
  gboolean              resumed;
  gboolean              suspended;
  char                 *notice;
  char                 *display_name;  /* the plaintext name of an encrypted upload, or NULL */
  GHashTable           *metadata;      /* extra x-amz-meta-* for the job, or NULL */
  gboolean              spooled;       /* @file is a spool file of ours: removed when done */
};

G_DEFINE_FINAL_TYPE (OctopusTransfer, octopus_transfer, G_TYPE_OBJECT)

G_DEFINE_ENUM_TYPE (OctopusTransferState, octopus_transfer_state,
  G_DEFINE_ENUM_VALUE (OCTOPUS_TRANSFER_STATE_QUEUED, "queued"),
  G_DEFINE_ENUM_VALUE (OCTOPUS_TRANSFER_STATE_PREPARING, "preparing"),
  G_DEFINE_ENUM_VALUE (OCTOPUS_TRANSFER_STATE_UPLOADING, "uploading"),
  G_DEFINE_ENUM_VALUE (OCTOPUS_TRANSFER_STATE_DONE, "done"),
  G_DEFINE_ENUM_VALUE (OCTOPUS_TRANSFER_STATE_PARTIAL, "partial"),
  G_DEFINE_ENUM_VALUE (OCTOPUS_TRANSFER_STATE_FAILED, "failed"),
  G_DEFINE_ENUM_VALUE (OCTOPUS_TRANSFER_STATE_CANCELLED, "cancelled"))

enum {
  PROP_0,
  PROP_FILE,
  PROP_KEY,
  PROP_SIZE,
  PROP_STATE,
  PROP_FINISHED,
  PROP_FRACTION,
  PROP_ERROR_MESSAGE,
  PROP_SERVICES,
  PROP_NOTICE,
  N_PROPS
};

enum {
  SIGNAL_FINISHED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void
octopus_transfer_finalize (GObject *object)
{
  OctopusTransfer *self = OCTOPUS_TRANSFER (object);

  g_clear_object (&self->file);
  g_clear_pointer (&self->key, g_free);
  g_clear_error (&self->error);
  g_clear_object (&self->services);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->journal, octopus_upload_journal_entry_unref);
  g_clear_pointer (&self->notice, g_free);
  g_clear_pointer (&self->display_name, g_free);
  g_clear_pointer (&self->metadata, g_hash_table_unref);

  G_OBJECT_CLASS (octopus_transfer_parent_class)->finalize (object);
}

static void
octopus_transfer_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  OctopusTransfer *self = OCTOPUS_TRANSFER (object);

  switch (prop_id)
    {
    case PROP_FILE:
      g_value_set_object (value, self->file);
      break;
    case PROP_KEY:
      g_value_set_string (value, self->key);
      break;
    case PROP_SIZE:
      g_value_set_int64 (value, self->size);
      break;
    case PROP_STATE:
      g_value_set_enum (value, self->state);
      break;
    case PROP_FINISHED:
      g_value_set_boolean (value, octopus_transfer_is_finished (self));
      break;
    case PROP_FRACTION:
      g_value_set_double (value, self->fraction);
      break;
    case PROP_ERROR_MESSAGE:
      g_value_set_string (value, self->error ? self->error->message : NULL);
      break;
    case PROP_SERVICES:
      g_value_set_object (value, self->services);
      break;
    case PROP_NOTICE:
      g_value_set_string (value, self->notice);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
octopus_transfer_class_init (OctopusTransferClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->finalize = octopus_transfer_finalize;
  object_class->get_property = octopus_transfer_get_property;

  properties[PROP_FILE] = g_param_spec_object ("file", NULL, NULL, G_TYPE_FILE, flags);
  properties[PROP_KEY] = g_param_spec_string ("key", NULL, NULL, NULL, flags);
  properties[PROP_SIZE] = g_param_spec_int64 ("size", NULL, NULL, -1, G_MAXINT64, -1, flags);
  properties[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL, OCTOPUS_TYPE_TRANSFER_STATE,
                       OCTOPUS_TRANSFER_STATE_QUEUED, flags);
  properties[PROP_FINISHED] = g_param_spec_boolean ("finished", NULL, NULL, FALSE, flags);
  properties[PROP_FRACTION] =
    g_param_spec_double ("fraction", NULL, NULL, 0.0, 1.0, 0.0, flags);
  properties[PROP_ERROR_MESSAGE] =
    g_param_spec_string ("error-message", NULL, NULL, NULL, flags);
  properties[PROP_SERVICES] =
    g_param_spec_object ("services", NULL, NULL, G_TYPE_LIST_MODEL, flags);
  properties[PROP_NOTICE] = g_param_spec_string ("notice", NULL, NULL, NULL, flags);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* Emitted once, after the final state is set. */
  signals[SIGNAL_FINISHED] =
    g_signal_new ("finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
octopus_transfer_init (OctopusTransfer *self)
{
  self->size = -1;
  self->services = g_list_store_new (OCTOPUS_TYPE_UPLOAD_PROGRESS);
  self->cancellable = g_cancellable_new ();
}

OctopusTransfer *
_octopus_transfer_new (GFile      *file,
                       const char *key,
                       GPtrArray  *services)
{
  OctopusTransfer *self = g_object_new (OCTOPUS_TYPE_TRANSFER, NULL);

  self->file = g_object_ref (file);
  self->key = g_strdup (key);
  for (guint i = 0; i < services->len; i++)
    {
      g_autoptr(OctopusUploadProgress) progress = _octopus_upload_progress_new (services->pdata[i]);
      g_list_store_append (self->services, progress);
    }
  return self;
}

GFile *
octopus_transfer_get_file (OctopusTransfer *self)
{
  g_return_val_if_fail (OCTOPUS_IS_TRANSFER (self), NULL);
  return self->file;
}

const char *
octopus_transfer_get_key (OctopusTransfer *self)
{
  g_return_val_if_fail (OCTOPUS_IS_TRANSFER (self), NULL);
  return self->key;
}

const char *
octopus_transfer_get_display_name (OctopusTransfer *self)
{
  g_return_val_if_fail (OCTOPUS_IS_TRANSFER (self), NULL);
  return self->display_name != NULL ? self->display_name : self->key;
}

void
_octopus_transfer_set_display_name (OctopusTransfer *self,
                                    const char      *name)
{
  g_free (self->display_name);
  self->display_name = g_strdup (name);
}

/* The file is only swapped while the transfer waits (the spool file of an encrypted upload
 * replaces the plaintext once it is written); no job reads it yet. */
void
_octopus_transfer_set_file (OctopusTransfer *self,
                            GFile           *file,
                            gboolean         spooled)
{
  g_set_object (&self->file, file);
  self->spooled = spooled;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FILE]);
}

gboolean
_octopus_transfer_get_spooled (OctopusTransfer *self)
{
  return self->spooled;
}

void
_octopus_transfer_set_metadata (OctopusTransfer *self,
                                const char      *name,
                                const char      *value)
{
  if (self->metadata == NULL)
    self->metadata = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_hash_table_replace (self->metadata, g_strdup (name), g_strdup (value));
}

GHashTable *
_octopus_transfer_dup_metadata (OctopusTransfer *self)
{
  GHashTable *copy = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  GHashTableIter iter;
  gpointer name, value;

  if (self->metadata != NULL)
    {
      g_hash_table_iter_init (&iter, self->metadata);
      while (g_hash_table_iter_next (&iter, &name, &value))
        g_hash_table_insert (copy, g_strdup (name), g_strdup (value));
    }
  return copy;
}

goffset
octopus_transfer_get_size (OctopusTransfer *self)
{
  g_return_val_if_fail (OCTOPUS_IS_TRANSFER (self), -1);
  return self->size;
}

OctopusTransferState
octopus_transfer_get_state (OctopusTransfer *self)
{
  g_return_val_if_fail (OCTOPUS_IS_TRANSFER (self), OCTOPUS_TRANSFER_STATE_QUEUED);
  return self->state;
}

gboolean
octopus_transfer_is_finished (OctopusTransfer *self)
{
  g_return_val_if_fail (OCTOPUS_IS_TRANSFER (self), FALSE);
  return self->state >= OCTOPUS_TRANSFER_STATE_DONE;
}

double
octopus_transfer_get_fraction (OctopusTransfer *self)
{
  g_return_val_if_fail (OCTOPUS_IS_TRANSFER (self), 0.0);
  return self->fraction;
}

const GError *
octopus_transfer_get_error (OctopusTransfer *self)
{
  g_return_val_if_fail (OCTOPUS_IS_TRANSFER (self), NULL);
  return self->error;
}

const char *
octopus_transfer_get_notice (OctopusTransfer *self)
{
  g_return_val_if_fail (OCTOPUS_IS_TRANSFER (self), NULL);
  return self->notice;
}

char *
octopus_transfer_dup_failure (OctopusTransfer *self)
{
  GListModel *services;
  g_autoptr(GString) why = NULL;

  g_return_val_if_fail (OCTOPUS_IS_TRANSFER (self), NULL);

  if (self->error != NULL)
    return g_strdup (self->error->message);
  services = octopus_transfer_get_services (self);
  for (guint i = 0; i < g_list_model_get_n_items (services); i++)
    {
      g_autoptr(OctopusUploadProgress) p = g_list_model_get_item (services, i);
      const GError *error = octopus_upload_progress_get_error (p);
      g_autofree char *named = NULL;

      if (octopus_upload_progress_get_state (p) == OCTOPUS_UPLOAD_STATE_DONE)
        continue;
      named = octopus_service_name_message (octopus_upload_progress_get_service_name (p),
                                            error != NULL ? error->message : _("not uploaded"));
      if (why == NULL)
        why = g_string_new (named);
      else
        g_string_append_printf (why, "; %s", named);
    }
  return why != NULL ? g_string_free (g_steal_pointer (&why), FALSE) : NULL;
}

GListModel *
octopus_transfer_get_services (OctopusTransfer *self)
{
  g_return_val_if_fail (OCTOPUS_IS_TRANSFER (self), NULL);
  return G_LIST_MODEL (self->services);
}

OctopusUploadProgress *
octopus_transfer_get_progress_for (OctopusTransfer *self,
                                   const char      *service_name)
{
  guint n;

  g_return_val_if_fail (OCTOPUS_IS_TRANSFER (self), NULL);

  n = g_list_model_get_n_items (G_LIST_MODEL (self->services));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(OctopusUploadProgress) p = g_list_model_get_item (G_LIST_MODEL (self->services), i);
      if (g_strcmp0 (octopus_upload_progress_get_service_name (p), service_name) == 0)
        return p;   /* the store keeps it alive */
    }
  return NULL;
}

void
octopus_transfer_cancel (OctopusTransfer *self)
{
  g_return_if_fail (OCTOPUS_IS_TRANSFER (self));

  if (octopus_transfer_is_finished (self))
    return;
  /* A queued transfer never started: finish it here; a running one is stopped by its job,
   * which watches this cancellable (and aborts what it started on the services). */
  if (self->state == OCTOPUS_TRANSFER_STATE_QUEUED)
    {
      g_autoptr(GError) error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                                     _("Cancelled"));
      guint n = g_list_model_get_n_items (G_LIST_MODEL (self->services));

      for (guint i = 0; i < n; i++)
        {
          g_autoptr(OctopusUploadProgress) p =
            g_list_model_get_item (G_LIST_MODEL (self->services), i);
          _octopus_upload_progress_set_state (p, OCTOPUS_UPLOAD_STATE_CANCELLED, NULL);
        }
      g_cancellable_cancel (self->cancellable);
      _octopus_transfer_set_state (self, OCTOPUS_TRANSFER_STATE_CANCELLED, error);
      _octopus_transfer_emit_finished (self);
      return;
    }
  g_cancellable_cancel (self->cancellable);
}

GCancellable *
_octopus_transfer_get_cancellable (OctopusTransfer *self)
{
  return self->cancellable;
}

void
_octopus_transfer_set_size (OctopusTransfer *self,
                            goffset          size)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->services));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(OctopusUploadProgress) p = g_list_model_get_item (G_LIST_MODEL (self->services), i);
      _octopus_upload_progress_set_total (p, size);
    }
  if (self->size == size)
    return;
  self->size = size;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SIZE]);
}

void
_octopus_transfer_set_state (OctopusTransfer      *self,
                             OctopusTransferState  state,
                             const GError         *error)
{
  gboolean was_finished = octopus_transfer_is_finished (self);

  g_object_freeze_notify (G_OBJECT (self));
  if (error != NULL || self->error != NULL)
    {
      g_clear_error (&self->error);
      self->error = error ? g_error_copy (error) : NULL;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ERROR_MESSAGE]);
    }
  if (self->state != state)
    {
      self->state = state;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
      if (was_finished != octopus_transfer_is_finished (self))
        g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FINISHED]);
    }
  g_object_thaw_notify (G_OBJECT (self));
}

void
_octopus_transfer_progress_changed (OctopusTransfer *self)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->services));
  double sum = 0.0;
  double fraction;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(OctopusUploadProgress) p = g_list_model_get_item (G_LIST_MODEL (self->services), i);
      sum += octopus_upload_progress_get_fraction (p);
    }
  fraction = n > 0 ? sum / n : 0.0;
  if (fraction == self->fraction)
    return;
  self->fraction = fraction;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FRACTION]);
}

void
_octopus_transfer_emit_finished (OctopusTransfer *self)
{
  _octopus_transfer_progress_changed (self);
  g_signal_emit (self, signals[SIGNAL_FINISHED], 0);
}

OctopusUploadJournalEntry *
_octopus_transfer_get_journal (OctopusTransfer *self)
{
  return self->journal;
}

gboolean
_octopus_transfer_get_resumed (OctopusTransfer *self)
{
  return self->resumed;
}

void
_octopus_transfer_set_journal (OctopusTransfer           *self,
                               OctopusUploadJournalEntry *entry,
                               gboolean                   resumed)
{
  g_clear_pointer (&self->journal, octopus_upload_journal_entry_unref);
  self->journal = entry ? octopus_upload_journal_entry_ref (entry) : NULL;
  self->resumed = resumed;
}

void
_octopus_transfer_set_notice (OctopusTransfer *self,
                              const char      *notice)
{
  if (g_strcmp0 (self->notice, notice) == 0)
    return;
  g_free (self->notice);
  self->notice = g_strdup (notice);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_NOTICE]);
}

void
_octopus_transfer_suspend (OctopusTransfer *self)
{
  if (octopus_transfer_is_finished (self))
    return;
  self->suspended = TRUE;
  /* A running job sees the cancellation and stops; a queued transfer has no job. */
  g_cancellable_cancel (self->cancellable);
}

gboolean
_octopus_transfer_is_suspended (OctopusTransfer *self)
{
  return self->suspended;
}
