/* SPDX-License-Identifier: GPL-3.0-or-later */
/* octopus-window-uploads.c — the window's upload queue: made when the services are loaded,
 * resumed from the journal (and what the resume left alone told), one message per batch of
 * finished files, a refresh once they settled. */
#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>

#include "octopus-array-settings.h"
#include "octopus-crypt.h"
#include "octopus-window-private.h"

static gboolean
refresh_timeout_cb (gpointer user_data)
{
  OctopusWindow *self = user_data;

  self->refresh_timeout_id = 0;
  gtk_widget_activate_action (GTK_WIDGET (self), "win.refresh", NULL);
  _octopus_window_queue_summary (self);
  return G_SOURCE_REMOVE;
}

static void
queue_items_changed_cb (OctopusWindow *self)
{
  _octopus_window_queue_summary (self);
}

static gboolean
clear_finished_idle_cb (gpointer user_data)
{
  OctopusWindow *self = user_data;

  if (self->queue != NULL)
    octopus_upload_queue_clear_finished (self->queue);
  return G_SOURCE_REMOVE;
}

/* One message per batch (files dropped together, or added while others were uploading), not
 * one per file: it is told once the queue has nothing left to do. */
static void
transfer_finished_cb (OctopusWindow      *self,
                      OctopusTransfer    *transfer,
                      OctopusUploadQueue *queue)
{
  OctopusTransferState state = octopus_transfer_get_state (transfer);

  if ((guint) state < G_N_ELEMENTS (self->batch_counts))
    self->batch_counts[state]++;
  if (state == OCTOPUS_TRANSFER_STATE_FAILED && self->batch_failure == NULL)
    {
      g_autofree char *why = octopus_transfer_dup_failure (transfer);

      /* Translators: "<file>: <why>" */
      self->batch_failure = g_strdup_printf (_("%s: %s"),
                                             octopus_transfer_get_display_name (transfer),
                                             why != NULL ? why : _("no service took the file"));
    }

  if (!octopus_upload_queue_has_unfinished (queue))
    {
      g_autofree char *message = _octopus_format_upload_batch (self->batch_counts,
                                                               self->batch_failure);

      if (message != NULL)
        _octopus_window_notify (self, "octopus-upload", _("Upload finished"), message);
      memset (self->batch_counts, 0, sizeof self->batch_counts);
      g_clear_pointer (&self->batch_failure, g_free);
    }

  /* Finished transfers leave the panel; the table learns the result from a listing. */
  g_idle_add_full (G_PRIORITY_DEFAULT, clear_finished_idle_cb, g_object_ref (self), g_object_unref);
  g_clear_handle_id (&self->refresh_timeout_id, g_source_remove);
  self->refresh_timeout_id = g_timeout_add (300, refresh_timeout_cb, self);
}

static void
resumed_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(OctopusWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  guint n = octopus_upload_queue_resume_finish (OCTOPUS_UPLOAD_QUEUE (source), result, &error);
  g_autofree char *left_alone = NULL;

  if (error != NULL)
    {
      _octopus_window_toast_error (self, _("Could not resume the interrupted uploads"), error);
      return;
    }
  if (n > 0)
    {
      g_autofree char *message =
        g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                      "Resuming %u interrupted upload",
                                      "Resuming %u interrupted uploads", n), n);
      octopus_window_toast (self, message);
    }
  /* Uploads of another computer or program in the same buckets: never aborted, but said. */
  left_alone = octopus_upload_queue_describe_left_alone (OCTOPUS_UPLOAD_QUEUE (source));
  if (left_alone != NULL)
    octopus_window_toast (self, left_alone);
}

/* Settings apply to files that start afterwards (see octopus-upload-queue.h). */
void
_octopus_window_apply_transfer_settings (OctopusWindow *self)
{
  if (self->queue == NULL)
    return;
  octopus_upload_queue_set_max_in_flight (self->queue,
                                          g_settings_get_int (self->settings,
                                                              "parallel-transfers"));
  octopus_upload_queue_set_part_size (self->queue,
                                      (gsize) g_settings_get_int (self->settings, "part-size-mib")
                                      << 20);
}

void
_octopus_window_set_queue (OctopusWindow      *self,
                           OctopusUploadQueue *queue)
{
  if (self->queue != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->queue, self);
      octopus_upload_queue_cancel_all (self->queue);
    }
  g_set_object (&self->queue, queue);
  octopus_transfers_panel_set_queue (self->transfers_panel, queue);
  if (queue == NULL)
    return;

  _octopus_window_apply_transfer_settings (self);
  g_signal_connect_object (queue, "items-changed", G_CALLBACK (queue_items_changed_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (queue, "transfer-finished", G_CALLBACK (transfer_finished_cb), self,
                           G_CONNECT_SWAPPED);
}

void
_octopus_window_start_queue (OctopusWindow      *self,
                             OctopusUploadQueue *queue)
{
  /* The queue shows its keys as "transferring" in the array's table while they upload. */
  octopus_upload_queue_set_array (queue, self->array);
  _octopus_window_set_queue (self, queue);
  octopus_upload_queue_resume_async (queue, self->cancellable, resumed_cb, g_object_ref (self));
}

/* ---- plaintext names of encrypted objects ---- */

typedef struct {
  OctopusCryptKeys     *keys;
  OctopusCryptNameMode  names;
} NameDecoder;

static void
name_decoder_free (gpointer data)
{
  NameDecoder *d = data;

  octopus_crypt_keys_unref (d->keys);
  g_free (d);
}

static char *
decode_name (const char *key,
             gpointer    data)
{
  NameDecoder *d = data;

  return octopus_crypt_decrypt_name (d->keys, d->names, key, NULL);
}

static void
name_keys_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(OctopusWindow) self = user_data;
  g_autoptr(OctopusCryptKeys) keys = octopus_crypt_keys_derive_finish (result, NULL);
  NameDecoder *d;

  if (keys == NULL || self->array == NULL)
    return;
  d = g_new0 (NameDecoder, 1);
  d->keys = g_steal_pointer (&keys);
  d->names = (OctopusCryptNameMode) self->crypt_names;
  octopus_object_table_set_name_decoder (octopus_array_get_table (self->array), decode_name, d,
                                         name_decoder_free);
}

static void
name_passphrases_cb (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(OctopusWindow) self = user_data;
  g_autoptr(OctopusArrayPassphrases) pass =
    octopus_array_settings_lookup_passphrases_finish (OCTOPUS_ARRAY_SETTINGS (source), result,
                                                      NULL);

  /* No passphrase: nothing was ever encrypted here, every name is what it is. */
  if (pass != NULL)
    octopus_crypt_keys_derive_async (pass->passphrase, pass->salt, self->cancellable,
                                     name_keys_cb, g_object_ref (self));
}

/* With a passphrase in the keyring, the object list shows encrypted objects by their
 * plaintext names (the object table's name decoder). */
static void
start_naming (OctopusWindow *self)
{
  g_autoptr(OctopusArraySettings) settings = octopus_array_settings_new (NULL);

  if (!octopus_array_settings_load (settings, NULL))
    return;
  self->crypt_names = octopus_array_settings_get_filename_encryption (settings)
                      == OCTOPUS_FILENAME_ENCRYPTION_OFF ? OCTOPUS_CRYPT_NAMES_OFF
                                                         : OCTOPUS_CRYPT_NAMES_STANDARD;
  octopus_array_settings_lookup_passphrases_async (settings, self->cancellable,
                                                   name_passphrases_cb, g_object_ref (self));
}

/* The window cannot decrypt yet: downloading, dragging out or sharing an encrypted object
 * would hand out its ciphertext under the encrypted name.  Refused with a toast that points to
 * the command that can.  → TRUE when refused. */
gboolean
_octopus_window_refuse_encrypted (OctopusWindow *self,
                                  GPtrArray     *objects)
{
  for (guint i = 0; objects != NULL && i < objects->len; i++)
    if (octopus_object_has_display_key (g_ptr_array_index (objects, i)))
      {
        octopus_window_toast (self, _("Encrypted files cannot be downloaded or shared from the "
                                      "window yet; use “octopus-cli download”"));
        return TRUE;
      }
  return FALSE;
}

/* Uploads go to the array's services; journaled uploads from an earlier run resume first. */
void
_octopus_window_start_uploads (OctopusWindow *self)
{
  g_autoptr(OctopusUploadQueue) queue = octopus_upload_queue_new (self->services, NULL);

  start_naming (self);

  /* Encryption as Preferences set it, at each drop (octopus-upload-queue-crypt.c). */
  octopus_upload_queue_follow_array_settings (queue);
  _octopus_window_start_queue (self, queue);
}
