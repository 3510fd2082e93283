/* SPDX-License-Identifier: GPL-3.0-or-later */
/* octopus-upload-queue-crypt.c — encrypted uploads (issue 21): each file is encrypted once,
 * streaming, into a spool file in rclone crypt's format (a random nonce), and the queue then
 * uploads that spool file under the encrypted name, with the plaintext's size and SHA-256
 * sealed in the metadata OCTOPUS_UPLOAD_CRYPT_METADATA.
 *
 * Why a spool file rather than encrypting inside the job: the same ciphertext then goes to
 * every service and is what the MD5 pre-pass, the lanes, resume and repair see, with no change
 * to them, and memory stays bounded.  The cost is one extra write of the file to the cache
 * folder.  The spool file is journaled in place of the plaintext; it and its sidecar
 * (".facts": the sealed facts, which a resume after a restart must send again) are removed
 * once the journal no longer needs them. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>

#include <glib/gstdio.h>
#include <glib/gi18n-lib.h>

#include "octopus-array-settings.h"
#include "octopus-crypt.h"
#include "octopus-upload-queue-private.h"

#define FACTS_SUFFIX ".facts"

void
octopus_upload_queue_set_encryption (OctopusUploadQueue   *self,
                                     OctopusCryptKeys     *keys,
                                     OctopusCryptNameMode  names)
{
  g_return_if_fail (OCTOPUS_IS_UPLOAD_QUEUE (self));

  g_clear_pointer (&self->crypt_keys, octopus_crypt_keys_unref);
  if (keys != NULL)
    self->crypt_keys = octopus_crypt_keys_ref (keys);
  self->crypt_names = names;
}

static char *
spool_dir (void)
{
  return g_build_filename (g_get_user_cache_dir (), "octopus", "spool", NULL);
}

static gboolean
is_spool_file (GFile *file)
{
  g_autofree char *dir = spool_dir ();
  g_autoptr(GFile) parent = g_file_get_parent (file);

  return parent != NULL && g_strcmp0 (g_file_peek_path (parent), dir) == 0;
}

static void
spool_remove (GFile *file)
{
  g_autofree char *facts = g_strconcat (g_file_peek_path (file), FACTS_SUFFIX, NULL);

  g_unlink (g_file_peek_path (file));
  g_unlink (facts);
}

/* ---- encrypting into the spool (a worker thread) ------------------------------------------ */

typedef struct {
  GFile            *source;
  OctopusCryptKeys *keys;
  char             *path;     /* the spool file, once created */
  char             *sealed;   /* the sealed facts, once written */
} Spool;

static void
spool_free (Spool *spool)
{
  g_object_unref (spool->source);
  octopus_crypt_keys_unref (spool->keys);
  g_free (spool->path);
  g_free (spool->sealed);
  g_free (spool);
}

/* A new, empty spool file of mode 0600 → its path. */
static char *
spool_create (GError **error)
{
  g_autofree char *dir = spool_dir ();
  g_autofree char *path = g_build_filename (dir, "upload-XXXXXX", NULL);
  int fd;

  if (g_mkdir_with_parents (dir, 0700) != 0
      || (fd = g_mkstemp_full (path, O_RDWR, 0600)) < 0)
    {
      int saved = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   _("Cannot create a file in %s to encrypt into: %s"), dir, g_strerror (saved));
      return NULL;
    }
  g_close (fd, NULL);
  return g_steal_pointer (&path);
}

static gboolean
spool_encrypt (Spool         *spool,
               GCancellable  *cancellable,
               GError       **error)
{
  g_autoptr(GFile) out_file = g_file_new_for_path (spool->path);
  g_autoptr(GFileInputStream) in = g_file_read (spool->source, cancellable, error);
  g_autoptr(GFileOutputStream) out = NULL;
  g_autoptr(OctopusCryptEncrypter) enc = NULL;
  g_autoptr(GOutputStream) sealed_out = NULL;
  g_autofree char *facts_path = NULL;

  if (in == NULL)
    return FALSE;
  out = g_file_replace (out_file, NULL, FALSE, G_FILE_CREATE_PRIVATE, cancellable, error);
  if (out == NULL)
    return FALSE;
  enc = octopus_crypt_encrypter_new (spool->keys);
  sealed_out = g_converter_output_stream_new (G_OUTPUT_STREAM (out), G_CONVERTER (enc));
  if (g_output_stream_splice (sealed_out, G_INPUT_STREAM (in),
                              G_OUTPUT_STREAM_SPLICE_CLOSE_SOURCE
                              | G_OUTPUT_STREAM_SPLICE_CLOSE_TARGET,
                              cancellable, error) < 0)
    return FALSE;
  spool->sealed = octopus_crypt_seal_facts (spool->keys,
                                            octopus_crypt_encrypter_get_plain_size (enc),
                                            octopus_crypt_encrypter_get_sha256 (enc));
  facts_path = g_strconcat (spool->path, FACTS_SUFFIX, NULL);
  return g_file_set_contents_full (facts_path, spool->sealed, -1,
                                   G_FILE_SET_CONTENTS_CONSISTENT, 0600, error);
}

static void
spool_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  Spool *spool = task_data;
  GError *error = NULL;

  spool->path = spool_create (&error);
  if (spool->path != NULL && spool_encrypt (spool, cancellable, &error))
    {
      g_task_return_boolean (task, TRUE);
      return;
    }
  if (spool->path != NULL)
    {
      g_autoptr(GFile) file = g_file_new_for_path (spool->path);
      spool_remove (file);
    }
  g_task_return_error (task, error);
}

/* ---- the queue's side ---------------------------------------------------------------------- */

static void
transfer_fail (OctopusTransfer *transfer,
               const GError    *error)
{
  gboolean cancelled = g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);

  _octopus_transfer_set_state (transfer, cancelled ? OCTOPUS_TRANSFER_STATE_CANCELLED
                                                   : OCTOPUS_TRANSFER_STATE_FAILED, error);
  _octopus_transfer_emit_finished (transfer);
}

/* The spool file is written: it replaces the plaintext, is journaled, and waits its turn. */
static void
spooled_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  OctopusUploadQueue *self = OCTOPUS_UPLOAD_QUEUE (source);
  g_autoptr(OctopusTransfer) transfer = user_data;
  Spool *spool = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;
  g_autoptr(GFile) file = NULL;
  g_autoptr(OctopusUploadJournalEntry) entry = NULL;
  GStatBuf st;

  self->busy_ops--;
  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      g_prefix_error (&error, _("Cannot encrypt %s: "), g_file_peek_path (spool->source));
      transfer_fail (transfer, error);
      _octopus_upload_queue_check_settled (self);
      return;
    }
  file = g_file_new_for_path (spool->path);
  _octopus_transfer_set_file (transfer, file, TRUE);
  _octopus_transfer_set_metadata (transfer, OCTOPUS_UPLOAD_CRYPT_METADATA, spool->sealed);
  if (g_stat (spool->path, &st) == 0)
    {
      entry = octopus_upload_journal_entry_new (spool->path, octopus_transfer_get_key (transfer),
                                                st.st_size,
                                                (gint64) st.st_mtim.tv_sec * G_USEC_PER_SEC
                                                + st.st_mtim.tv_nsec / 1000, 0, NULL);
      octopus_upload_journal_queue_save (self->journal, entry);
      _octopus_transfer_set_journal (transfer, entry, FALSE);
    }
  g_queue_push_tail (&self->pending, g_object_ref (transfer));
  _octopus_upload_queue_schedule (self);
  _octopus_upload_queue_check_settled (self);
}

OctopusTransfer *
_octopus_upload_queue_append_encrypted (OctopusUploadQueue *self,
                                        GFile              *file,
                                        const char         *name)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *key = octopus_crypt_encrypt_name (self->crypt_keys, self->crypt_names, name,
                                                     &error);
  OctopusTransfer *transfer = key ? _octopus_upload_queue_find_active (self, key) : NULL;
  GTask *task;
  Spool *spool;

  if (transfer != NULL)
    return transfer;
  transfer = _octopus_transfer_new (file, key != NULL ? key : name, self->services);
  _octopus_transfer_set_display_name (transfer, name);
  g_signal_connect (transfer, "finished", G_CALLBACK (_octopus_upload_queue_transfer_finished_cb),
                    self);
  g_ptr_array_add (self->transfers, transfer);
  _octopus_upload_queue_items_changed (self, self->transfers->len - 1, 0, 1);
  if (key == NULL || g_file_peek_path (file) == NULL)
    {
      if (error == NULL)
        error = g_error_new (G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                             _("Only local files can be encrypted and uploaded"));
      transfer_fail (transfer, error);
      return transfer;
    }

  spool = g_new0 (Spool, 1);
  spool->source = g_object_ref (file);
  spool->keys = octopus_crypt_keys_ref (self->crypt_keys);
  task = g_task_new (self, _octopus_transfer_get_cancellable (transfer), spooled_cb,
                     g_object_ref (transfer));
  g_task_set_task_data (task, spool, (GDestroyNotify) spool_free);
  self->busy_ops++;
  _octopus_upload_queue_set_busy (self, TRUE);
  g_task_run_in_thread (task, spool_thread);
  g_object_unref (task);
  return transfer;
}

/* A journaled upload read back: when its file is a spool file, the sealed facts go with it
 * again (a plain PUT that had not started carries no metadata yet), and it shows its
 * plaintext name where the keys can tell it. */
void
_octopus_upload_queue_crypt_resumed (OctopusUploadQueue *self,
                                     OctopusTransfer    *transfer)
{
  GFile *file = octopus_transfer_get_file (transfer);
  g_autofree char *facts_path = NULL;
  g_autofree char *sealed = NULL;
  g_autofree char *name = NULL;

  if (g_file_peek_path (file) == NULL || !is_spool_file (file))
    return;
  _octopus_transfer_set_file (transfer, file, TRUE);
  facts_path = g_strconcat (g_file_peek_path (file), FACTS_SUFFIX, NULL);
  if (g_file_get_contents (facts_path, &sealed, NULL, NULL))
    _octopus_transfer_set_metadata (transfer, OCTOPUS_UPLOAD_CRYPT_METADATA, g_strstrip (sealed));
  if (self->crypt_keys != NULL)
    name = octopus_crypt_decrypt_name (self->crypt_keys, self->crypt_names,
                                       octopus_transfer_get_key (transfer), NULL);
  if (name != NULL)
    _octopus_transfer_set_display_name (transfer, name);
}

/* The transfer has settled: its spool file goes unless the journal keeps it for a resume. */
void
_octopus_upload_queue_crypt_settled (OctopusUploadQueue *self,
                                     OctopusTransfer    *transfer)
{
  OctopusUploadJournalEntry *entry = _octopus_transfer_get_journal (transfer);

  if (!_octopus_transfer_get_spooled (transfer) || _octopus_transfer_is_suspended (transfer))
    return;
  if (entry != NULL && octopus_transfer_get_error (transfer) == NULL
      && _octopus_upload_queue_entry_needed (self, entry))
    return;
  spool_remove (octopus_transfer_get_file (transfer));
}

/* ---- following the array settings (the window) -------------------------------------------- */

void
octopus_upload_queue_follow_array_settings (OctopusUploadQueue *self)
{
  g_return_if_fail (OCTOPUS_IS_UPLOAD_QUEUE (self));
  self->follow_settings = TRUE;
}

static void
keys_derived_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  OctopusUploadQueue *self = g_task_get_source_object (task);
  GError *error = NULL;
  g_autoptr(OctopusCryptKeys) keys = octopus_crypt_keys_derive_finish (result, &error);

  if (keys == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  octopus_upload_queue_set_encryption (self, keys, self->crypt_names);
  g_task_return_boolean (task, TRUE);
}

static void
passphrases_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  g_autoptr(OctopusArrayPassphrases) pass =
    octopus_array_settings_lookup_passphrases_finish (OCTOPUS_ARRAY_SETTINGS (source), result,
                                                      &error);

  if (pass == NULL)
    {
      g_prefix_error (&error, _("Encryption is on, but its passphrase cannot be read: "));
      g_task_return_error (task, error);
      return;
    }
  octopus_crypt_keys_derive_async (pass->passphrase, pass->salt, g_task_get_cancellable (task),
                                   keys_derived_cb, g_object_ref (task));
}

void
_octopus_upload_queue_prepare_encryption_async (OctopusUploadQueue  *self,
                                                GCancellable        *cancellable,
                                                GAsyncReadyCallback  callback,
                                                gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  g_autoptr(OctopusArraySettings) settings = octopus_array_settings_new (NULL);
  GError *error = NULL;

  if (!octopus_array_settings_load (settings, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  if (octopus_array_settings_get_encryption (settings) != OCTOPUS_ENCRYPTION_RCLONE_CRYPT)
    {
      octopus_upload_queue_set_encryption (self, NULL, self->crypt_names);
      g_task_return_boolean (task, TRUE);
      return;
    }
  self->crypt_names = octopus_array_settings_get_filename_encryption (settings)
                      == OCTOPUS_FILENAME_ENCRYPTION_OFF ? OCTOPUS_CRYPT_NAMES_OFF
                                                         : OCTOPUS_CRYPT_NAMES_STANDARD;
  /* Derived once: scrypt takes a moment.  (A passphrase replaced meanwhile applies from the
   * next start.) */
  if (self->crypt_keys != NULL)
    {
      g_task_return_boolean (task, TRUE);
      return;
    }
  octopus_array_settings_lookup_passphrases_async (settings, cancellable, passphrases_cb,
                                                   g_steal_pointer (&task));
}

gboolean
_octopus_upload_queue_prepare_encryption_finish (OctopusUploadQueue  *self,
                                                 GAsyncResult        *result,
                                                 GError             **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}
