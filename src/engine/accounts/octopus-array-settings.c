/* SPDX-License-Identifier: GPL-3.0-or-later */
/* octopus-array-settings.c — [Array] of accounts.ini, and the passphrases in the keyring. */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "octopus-account.h"
#include "octopus-account-store.h"
#include "octopus-array-settings.h"
#include "octopus-erasure-coder.h"
#include "octopus-secret.h"

#define GROUP "Array"
#define KEY_REDUNDANCY "redundancy"
#define KEY_K "erasure-k"
#define KEY_M "erasure-m"
#define KEY_ENCRYPTION "encryption"
#define KEY_FILENAMES "filename-encryption"

struct _OctopusArraySettings
{
  GObject parent_instance;

  char                     *path;
  OctopusRedundancy         redundancy;
  guint                     k, m;        /* 0 with mirror */
  OctopusEncryption         encryption;
  OctopusFilenameEncryption filenames;
};

G_DEFINE_FINAL_TYPE (OctopusArraySettings, octopus_array_settings, G_TYPE_OBJECT)
G_DEFINE_QUARK (octopus-array-settings-error-quark, octopus_array_settings_error)

static void
octopus_array_settings_finalize (GObject *object)
{
  g_free (OCTOPUS_ARRAY_SETTINGS (object)->path);
  G_OBJECT_CLASS (octopus_array_settings_parent_class)->finalize (object);
}

static void
octopus_array_settings_class_init (OctopusArraySettingsClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = octopus_array_settings_finalize;
}

static void
octopus_array_settings_init (OctopusArraySettings *self)
{
}

static void
reset (OctopusArraySettings *self)
{
  self->redundancy = OCTOPUS_REDUNDANCY_MIRROR;
  self->k = self->m = 0;
  self->encryption = OCTOPUS_ENCRYPTION_OFF;
  self->filenames = OCTOPUS_FILENAME_ENCRYPTION_STANDARD;
}

void
octopus_array_passphrases_free (OctopusArrayPassphrases *passphrases)
{
  if (passphrases == NULL)
    return;
  octopus_secret_free (passphrases->passphrase);
  octopus_secret_free (passphrases->salt);
  g_free (passphrases);
}

const char *
octopus_redundancy_to_string (OctopusRedundancy redundancy)
{
  return redundancy == OCTOPUS_REDUNDANCY_ERASURE ? "erasure" : "mirror";
}

const char *
octopus_encryption_to_string (OctopusEncryption encryption)
{
  return encryption == OCTOPUS_ENCRYPTION_RCLONE_CRYPT ? "rclone-crypt" : "off";
}

const char *
octopus_filename_encryption_to_string (OctopusFilenameEncryption filenames)
{
  return filenames == OCTOPUS_FILENAME_ENCRYPTION_OFF ? "off" : "standard";
}

gboolean
octopus_filename_encryption_from_string (const char *text, OctopusFilenameEncryption *out,
                                         GError **error)
{
  if (g_strcmp0 (text, "standard") == 0)
    *out = OCTOPUS_FILENAME_ENCRYPTION_STANDARD;
  else if (g_strcmp0 (text, "off") == 0)
    *out = OCTOPUS_FILENAME_ENCRYPTION_OFF;
  else
    {
      g_set_error (error, OCTOPUS_ARRAY_SETTINGS_ERROR, OCTOPUS_ARRAY_SETTINGS_ERROR_INVALID,
                   _("The filename encryption “%s” is neither “standard” nor “off”"),
                   text != NULL ? text : "");
      return FALSE;
    }
  return TRUE;
}

OctopusArraySettings *
octopus_array_settings_new (const char *path)
{
  OctopusArraySettings *self = g_object_new (OCTOPUS_TYPE_ARRAY_SETTINGS, NULL);

  self->path = path != NULL ? g_strdup (path) : octopus_account_store_get_default_path ();
  reset (self);
  return self;
}

const char *
octopus_array_settings_get_path (OctopusArraySettings *self)
{
  g_return_val_if_fail (OCTOPUS_IS_ARRAY_SETTINGS (self), NULL);
  return self->path;
}

/* ---- reading ----------------------------------------------------------------------- */

static gboolean
bad_value (OctopusArraySettings *self, const char *key, const char *value, GError **error)
{
  g_autofree char *shown = g_utf8_make_valid (value != NULL ? value : "", -1);

  g_set_error (error, OCTOPUS_ARRAY_SETTINGS_ERROR, OCTOPUS_ARRAY_SETTINGS_ERROR_INVALID,
               _("The array setting “%s” in “%s” has a value Octopus does not know: "
                 "“%s”"), key, self->path, shown);
  return FALSE;
}

/* One word of [Array]: TRUE with *@out NULL when the key is absent. */
static gboolean
read_word (OctopusArraySettings *self, GKeyFile *keyfile, const char *key, char **out,
           GError **error)
{
  g_autoptr(GError) local_error = NULL;

  *out = g_key_file_get_string (keyfile, GROUP, key, &local_error);
  if (*out != NULL
      || g_error_matches (local_error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_KEY_NOT_FOUND)
      || g_error_matches (local_error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_GROUP_NOT_FOUND))
    return TRUE;
  return bad_value (self, key, local_error->message, error);
}

static gboolean
read_count (OctopusArraySettings *self, GKeyFile *keyfile, const char *key, guint *out,
            GError **error)
{
  g_autofree char *text = NULL;
  guint64 value;

  if (!read_word (self, keyfile, key, &text, error))
    return FALSE;
  if (text == NULL)
    {
      g_set_error (error, OCTOPUS_ARRAY_SETTINGS_ERROR, OCTOPUS_ARRAY_SETTINGS_ERROR_INVALID,
                   _("The array setting “%s” is missing from “%s”"), key, self->path);
      return FALSE;
    }
  if (!g_ascii_string_to_unsigned (text, 10, 1, OCTOPUS_ERASURE_MAX_SERVICES, &value, NULL))
    {
      g_autofree char *shown = g_utf8_make_valid (text, -1);

      g_set_error (error, OCTOPUS_ARRAY_SETTINGS_ERROR, OCTOPUS_ARRAY_SETTINGS_ERROR_INVALID,
                   _("The array setting “%s” in “%s” is “%s”, not a number from 1 "
                     "to %u"), key, self->path, shown, OCTOPUS_ERASURE_MAX_SERVICES);
      return FALSE;
    }
  *out = (guint) value;
  return TRUE;
}

static gboolean
read_redundancy (OctopusArraySettings *self, GKeyFile *keyfile, GError **error)
{
  g_autofree char *word = NULL;

  if (!read_word (self, keyfile, KEY_REDUNDANCY, &word, error))
    return FALSE;
  if (word == NULL || g_str_equal (word, "mirror"))
    return TRUE;
  if (!g_str_equal (word, "erasure"))
    return bad_value (self, KEY_REDUNDANCY, word, error);
  if (!read_count (self, keyfile, KEY_K, &self->k, error)
      || !read_count (self, keyfile, KEY_M, &self->m, error))
    return FALSE;
  if (self->k + self->m > OCTOPUS_ERASURE_MAX_SERVICES)
    {
      g_set_error (error, OCTOPUS_ARRAY_SETTINGS_ERROR, OCTOPUS_ARRAY_SETTINGS_ERROR_INVALID,
                   _("Erasure coding %u+%u in “%s” has more than %u fragments"),
                   self->k, self->m, self->path, OCTOPUS_ERASURE_MAX_SERVICES);
      return FALSE;
    }
  self->redundancy = OCTOPUS_REDUNDANCY_ERASURE;
  return TRUE;
}

static gboolean
read_encryption (OctopusArraySettings *self, GKeyFile *keyfile, GError **error)
{
  g_autofree char *word = NULL, *names = NULL;

  if (!read_word (self, keyfile, KEY_ENCRYPTION, &word, error)
      || !read_word (self, keyfile, KEY_FILENAMES, &names, error))
    return FALSE;
  if (names != NULL && !octopus_filename_encryption_from_string (names, &self->filenames, NULL))
    return bad_value (self, KEY_FILENAMES, names, error);
  if (word == NULL || g_str_equal (word, "off"))
    return TRUE;
  if (!g_str_equal (word, "rclone-crypt"))
    return bad_value (self, KEY_ENCRYPTION, word, error);
  self->encryption = OCTOPUS_ENCRYPTION_RCLONE_CRYPT;
  return TRUE;
}

gboolean
octopus_array_settings_load (OctopusArraySettings *self, GError **error)
{
  g_autoptr(GKeyFile) keyfile = g_key_file_new ();
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (OCTOPUS_IS_ARRAY_SETTINGS (self), FALSE);

  reset (self);
  if (!g_key_file_load_from_file (keyfile, self->path, G_KEY_FILE_NONE, &local_error))
    {
      if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        return TRUE;
      g_set_error (error, OCTOPUS_ARRAY_SETTINGS_ERROR, OCTOPUS_ARRAY_SETTINGS_ERROR_CONFIG,
                   _("Cannot read the array settings from “%s”: %s"), self->path,
                   local_error->message);
      return FALSE;
    }
  if (!read_redundancy (self, keyfile, error) || !read_encryption (self, keyfile, error))
    {
      reset (self);
      return FALSE;
    }
  return TRUE;
}

/* ---- writing ----------------------------------------------------------------------- */

static void
set_or_remove (GKeyFile *keyfile, const char *key, const char *value)
{
  if (value != NULL)
    g_key_file_set_string (keyfile, GROUP, key, value);
  else
    g_key_file_remove_key (keyfile, GROUP, key, NULL);
}

/* Only our keys of [Array] change: other groups (the accounts), their comments and any key a
 * later version adds stay as they are. */
static void
settings_to_keyfile (OctopusArraySettings *self, GKeyFile *keyfile)
{
  gboolean erasure = self->redundancy == OCTOPUS_REDUNDANCY_ERASURE;
  gboolean crypt = self->encryption == OCTOPUS_ENCRYPTION_RCLONE_CRYPT;
  g_autofree char *k = erasure ? g_strdup_printf ("%u", self->k) : NULL;
  g_autofree char *m = erasure ? g_strdup_printf ("%u", self->m) : NULL;

  g_key_file_set_string (keyfile, GROUP, KEY_REDUNDANCY,
                         octopus_redundancy_to_string (self->redundancy));
  set_or_remove (keyfile, KEY_K, k);
  set_or_remove (keyfile, KEY_M, m);
  g_key_file_set_string (keyfile, GROUP, KEY_ENCRYPTION,
                         octopus_encryption_to_string (self->encryption));
  set_or_remove (keyfile, KEY_FILENAMES,
                 crypt ? octopus_filename_encryption_to_string (self->filenames) : NULL);
}

gboolean
octopus_array_settings_save (OctopusArraySettings *self, GError **error)
{
  g_autoptr(GKeyFile) keyfile = g_key_file_new ();
  g_autoptr(GError) local_error = NULL;
  g_autofree char *dir = NULL, *data = NULL;
  gsize len;

  g_return_val_if_fail (OCTOPUS_IS_ARRAY_SETTINGS (self), FALSE);

  /* A file that exists but cannot be read is not overwritten: it holds the accounts. */
  if (!g_key_file_load_from_file (keyfile, self->path,
                                  G_KEY_FILE_KEEP_COMMENTS | G_KEY_FILE_KEEP_TRANSLATIONS,
                                  &local_error)
      && !g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
    {
      g_set_error (error, OCTOPUS_ARRAY_SETTINGS_ERROR, OCTOPUS_ARRAY_SETTINGS_ERROR_CONFIG,
                   _("Cannot save the array settings: “%s” cannot be read (%s)"), self->path,
                   local_error->message);
      return FALSE;
    }
  g_clear_error (&local_error);
  settings_to_keyfile (self, keyfile);
  data = g_key_file_to_data (keyfile, &len, NULL);

  dir = g_path_get_dirname (self->path);
  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved_errno = errno;
      g_set_error (error, OCTOPUS_ARRAY_SETTINGS_ERROR, OCTOPUS_ARRAY_SETTINGS_ERROR_CONFIG,
                   _("Cannot create the folder “%s”: %s"), dir, g_strerror (saved_errno));
      return FALSE;
    }
  if (!g_file_set_contents_full (self->path, data, len, G_FILE_SET_CONTENTS_CONSISTENT, 0600,
                                 &local_error))
    {
      g_set_error (error, OCTOPUS_ARRAY_SETTINGS_ERROR, OCTOPUS_ARRAY_SETTINGS_ERROR_CONFIG,
                   _("Cannot save the array settings: %s"), local_error->message);
      return FALSE;
    }
  return TRUE;
}

/* ---- getters and redundancy ----------------------------------------------------------- */

OctopusRedundancy
octopus_array_settings_get_redundancy (OctopusArraySettings *self)
{
  g_return_val_if_fail (OCTOPUS_IS_ARRAY_SETTINGS (self), OCTOPUS_REDUNDANCY_MIRROR);
  return self->redundancy;
}

guint
octopus_array_settings_get_k (OctopusArraySettings *self)
{
  g_return_val_if_fail (OCTOPUS_IS_ARRAY_SETTINGS (self), 0);
  return self->k;
}

guint
octopus_array_settings_get_m (OctopusArraySettings *self)
{
  g_return_val_if_fail (OCTOPUS_IS_ARRAY_SETTINGS (self), 0);
  return self->m;
}

OctopusEncryption
octopus_array_settings_get_encryption (OctopusArraySettings *self)
{
  g_return_val_if_fail (OCTOPUS_IS_ARRAY_SETTINGS (self), OCTOPUS_ENCRYPTION_OFF);
  return self->encryption;
}

OctopusFilenameEncryption
octopus_array_settings_get_filename_encryption (OctopusArraySettings *self)
{
  g_return_val_if_fail (OCTOPUS_IS_ARRAY_SETTINGS (self), OCTOPUS_FILENAME_ENCRYPTION_STANDARD);
  return self->filenames;
}

gboolean
octopus_array_settings_validate_erasure (guint k, guint m, guint n_services, GError **error)
{
  const char *why = NULL;

  if (k < 1 || m < 1)
    why = _("K and M must both be at least 1");
  else if (k + m > OCTOPUS_ERASURE_MAX_SERVICES)
    why = _("K+M can be at most 32");
  else if (k + m != n_services)
    why = _("K+M must be the number of services");
  if (why == NULL)
    return TRUE;
  g_set_error (error, OCTOPUS_ARRAY_SETTINGS_ERROR, OCTOPUS_ARRAY_SETTINGS_ERROR_INVALID,
               ngettext ("Erasure coding %u+%u does not fit the array of %u service: %s",
                         "Erasure coding %u+%u does not fit the array of %u services: %s",
                         n_services),
               k, m, n_services, why);
  return FALSE;
}

gboolean
octopus_array_settings_erasure_available (GError **error)
{
  /* Refuses when liberasurecode's ISA-L backend cannot be loaded: no other backend's
   * fragments are interchangeable with it, so there is no fallback. */
  return octopus_erasure_backend_available (error);
}

gboolean
octopus_array_settings_check_services (OctopusArraySettings *self, guint n_services,
                                       GError **error)
{
  g_return_val_if_fail (OCTOPUS_IS_ARRAY_SETTINGS (self), FALSE);

  if (self->redundancy != OCTOPUS_REDUNDANCY_ERASURE)
    return TRUE;
  return octopus_array_settings_validate_erasure (self->k, self->m, n_services, error);
}

void
octopus_array_settings_set_mirror (OctopusArraySettings *self)
{
  g_return_if_fail (OCTOPUS_IS_ARRAY_SETTINGS (self));
  self->redundancy = OCTOPUS_REDUNDANCY_MIRROR;
  self->k = self->m = 0;
}

gboolean
octopus_array_settings_set_erasure (OctopusArraySettings *self, guint k, guint m,
                                    guint n_services, GError **error)
{
  g_return_val_if_fail (OCTOPUS_IS_ARRAY_SETTINGS (self), FALSE);

  if (!octopus_array_settings_validate_erasure (k, m, n_services, error)
      || !octopus_array_settings_erasure_available (error))
    return FALSE;
  self->redundancy = OCTOPUS_REDUNDANCY_ERASURE;
  self->k = k;
  self->m = m;
  return TRUE;
}

gboolean
octopus_array_settings_disable_encryption (OctopusArraySettings *self, GError **error)
{
  OctopusEncryption was;

  g_return_val_if_fail (OCTOPUS_IS_ARRAY_SETTINGS (self), FALSE);

  was = self->encryption;
  self->encryption = OCTOPUS_ENCRYPTION_OFF;
  if (octopus_array_settings_save (self, error))
    return TRUE;
  self->encryption = was;
  return FALSE;
}

/* ---- the keyring -------------------------------------------------------------------- */

typedef struct {
  OctopusArrayPassphrases *found;      /* owned: what the lookup has found so far */
  char                    *passphrase; /* owned, wiped: enable only */
  char                    *salt;       /* owned, wiped: enable only; NULL = none */
  OctopusFilenameEncryption filenames;
  gboolean                 replace;
  gboolean                 has_passphrase;
} KeyringData;

static void
keyring_data_free (KeyringData *data)
{
  octopus_array_passphrases_free (data->found);
  octopus_secret_free (data->passphrase);
  octopus_secret_free (data->salt);
  g_free (data);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KeyringData, keyring_data_free)

static GTask *
keyring_task (OctopusArraySettings *self, gpointer tag, GCancellable *cancellable,
              GAsyncReadyCallback callback, gpointer user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, tag);
  g_task_set_task_data (task, g_new0 (KeyringData, 1), (GDestroyNotify) keyring_data_free);
  return task;
}

/* -- query -- */

static void
query_salt_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  KeyringData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  gboolean has_salt = FALSE;

  if (!octopus_secret_crypt_exists_finish (result, &has_salt, &error))
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_int (task, (data->has_passphrase ? 1 : 0) | (has_salt ? 2 : 0));
}

static void
query_passphrase_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  KeyringData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  GCancellable *cancellable;

  if (!octopus_secret_crypt_exists_finish (result, &data->has_passphrase, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  /* The task moves on: its cancellable is read first (argument order is unspecified). */
  cancellable = g_task_get_cancellable (task);
  octopus_secret_crypt_exists_async (OCTOPUS_CRYPT_SECRET_SALT, cancellable, query_salt_cb,
                                     g_steal_pointer (&task));
}

void
octopus_array_settings_query_keyring_async (OctopusArraySettings *self,
                                            GCancellable *cancellable,
                                            GAsyncReadyCallback callback, gpointer user_data)
{
  GTask *task;

  g_return_if_fail (OCTOPUS_IS_ARRAY_SETTINGS (self));
  task = keyring_task (self, octopus_array_settings_query_keyring_async, cancellable, callback,
                       user_data);
  octopus_secret_crypt_exists_async (OCTOPUS_CRYPT_SECRET_PASSPHRASE, cancellable,
                                     query_passphrase_cb, task);
}

gboolean
octopus_array_settings_query_keyring_finish (OctopusArraySettings *self, GAsyncResult *result,
                                             gboolean *has_passphrase, gboolean *has_salt,
                                             GError **error)
{
  g_autoptr(GError) local_error = NULL;
  gssize bits;

  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result))
                        == octopus_array_settings_query_keyring_async, FALSE);
  bits = g_task_propagate_int (G_TASK (result), &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  if (has_passphrase != NULL)
    *has_passphrase = (bits & 1) != 0;
  if (has_salt != NULL)
    *has_salt = (bits & 2) != 0;
  return TRUE;
}

/* -- lookup -- */

static void
lookup_salt_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  KeyringData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  data->found->salt = octopus_secret_crypt_lookup_finish (result, &error);
  /* No second passphrase is the usual case, not a failure. */
  if (data->found->salt == NULL
      && !g_error_matches (error, OCTOPUS_ACCOUNT_ERROR, OCTOPUS_ACCOUNT_ERROR_SECRET_MISSING))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_task_return_pointer (task, g_steal_pointer (&data->found),
                         (GDestroyNotify) octopus_array_passphrases_free);
}

static void
lookup_passphrase_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  KeyringData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  GCancellable *cancellable;

  data->found = g_new0 (OctopusArrayPassphrases, 1);
  data->found->passphrase = octopus_secret_crypt_lookup_finish (result, &error);
  if (data->found->passphrase == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  cancellable = g_task_get_cancellable (task);
  octopus_secret_crypt_lookup_async (OCTOPUS_CRYPT_SECRET_SALT, cancellable, lookup_salt_cb,
                                     g_steal_pointer (&task));
}

void
octopus_array_settings_lookup_passphrases_async (OctopusArraySettings *self,
                                                 GCancellable *cancellable,
                                                 GAsyncReadyCallback callback,
                                                 gpointer user_data)
{
  GTask *task;

  g_return_if_fail (OCTOPUS_IS_ARRAY_SETTINGS (self));
  task = keyring_task (self, octopus_array_settings_lookup_passphrases_async, cancellable,
                       callback, user_data);
  octopus_secret_crypt_lookup_async (OCTOPUS_CRYPT_SECRET_PASSPHRASE, cancellable,
                                     lookup_passphrase_cb, task);
}

OctopusArrayPassphrases *
octopus_array_settings_lookup_passphrases_finish (OctopusArraySettings *self,
                                                  GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result))
                        == octopus_array_settings_lookup_passphrases_async, NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* -- enable: compare with what the keyring holds, store, then write the file -- */

static void
enable_write (GTask *task)
{
  OctopusArraySettings *self = g_task_get_source_object (task);
  KeyringData *data = g_task_get_task_data (task);
  OctopusEncryption was = self->encryption;
  OctopusFilenameEncryption was_names = self->filenames;
  GError *error = NULL;

  self->encryption = OCTOPUS_ENCRYPTION_RCLONE_CRYPT;
  self->filenames = data->filenames;
  if (!octopus_array_settings_save (self, &error))
    {
      self->encryption = was;
      self->filenames = was_names;
      g_task_return_error (task, error);
      return;
    }
  g_task_return_boolean (task, TRUE);
}

static void
enable_salt_done_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  KeyringData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  gboolean ok = data->salt != NULL ? octopus_secret_crypt_store_finish (result, &error)
                                   : octopus_secret_crypt_clear_finish (result, &error);

  if (!ok)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    enable_write (task);
}

static void
enable_stored_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  KeyringData *data = g_task_get_task_data (task);
  GCancellable *cancellable = g_task_get_cancellable (task);
  g_autoptr(GError) error = NULL;

  if (!octopus_secret_crypt_store_finish (result, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (data->salt != NULL)
    octopus_secret_crypt_store_async (OCTOPUS_CRYPT_SECRET_SALT, data->salt, cancellable,
                                      enable_salt_done_cb, g_steal_pointer (&task));
  else
    octopus_secret_crypt_clear_async (OCTOPUS_CRYPT_SECRET_SALT, cancellable,
                                      enable_salt_done_cb, g_steal_pointer (&task));
}

static gboolean
same_passphrases (const OctopusArrayPassphrases *found, const KeyringData *data)
{
  return g_strcmp0 (found->passphrase, data->passphrase) == 0
         && g_strcmp0 (found->salt, data->salt) == 0;
}

static void
enable_looked_up_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  OctopusArraySettings *self = g_task_get_source_object (task);
  KeyringData *data = g_task_get_task_data (task);
  g_autoptr(OctopusArrayPassphrases) found = NULL;
  g_autoptr(GError) error = NULL;
  GCancellable *cancellable;

  found = octopus_array_settings_lookup_passphrases_finish (self, result, &error);
  if (found == NULL
      && !g_error_matches (error, OCTOPUS_ACCOUNT_ERROR, OCTOPUS_ACCOUNT_ERROR_SECRET_MISSING))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (found != NULL && !data->replace && !same_passphrases (found, data))
    {
      g_task_return_new_error (task, OCTOPUS_ARRAY_SETTINGS_ERROR,
                               OCTOPUS_ARRAY_SETTINGS_ERROR_PASSPHRASE,
                               _("The keyring already holds other passphrases for this array; "
                                 "objects encrypted with them could no longer be read. Give "
                                 "the same passphrases, or replace them deliberately"));
      return;
    }
  cancellable = g_task_get_cancellable (task);
  octopus_secret_crypt_store_async (OCTOPUS_CRYPT_SECRET_PASSPHRASE, data->passphrase,
                                    cancellable, enable_stored_cb, g_steal_pointer (&task));
}

void
octopus_array_settings_enable_encryption_async (OctopusArraySettings *self,
                                                const char *passphrase, const char *salt,
                                                OctopusFilenameEncryption filenames,
                                                gboolean replace, GCancellable *cancellable,
                                                GAsyncReadyCallback callback,
                                                gpointer user_data)
{
  GTask *task;
  KeyringData *data;

  g_return_if_fail (OCTOPUS_IS_ARRAY_SETTINGS (self));

  task = keyring_task (self, octopus_array_settings_enable_encryption_async, cancellable,
                       callback, user_data);
  if (passphrase == NULL || *passphrase == '\0')
    {
      g_task_return_new_error (task, OCTOPUS_ARRAY_SETTINGS_ERROR,
                               OCTOPUS_ARRAY_SETTINGS_ERROR_PASSPHRASE,
                               _("The passphrase is empty"));
      g_object_unref (task);
      return;
    }
  data = g_task_get_task_data (task);
  data->passphrase = g_strdup (passphrase);
  data->salt = salt != NULL && *salt != '\0' ? g_strdup (salt) : NULL;
  data->filenames = filenames;
  data->replace = replace;
  octopus_array_settings_lookup_passphrases_async (self, cancellable, enable_looked_up_cb, task);
}

gboolean
octopus_array_settings_enable_encryption_finish (OctopusArraySettings *self,
                                                 GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result))
                        == octopus_array_settings_enable_encryption_async, FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}
