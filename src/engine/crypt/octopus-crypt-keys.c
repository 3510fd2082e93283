/* SPDX-License-Identifier: GPL-3.0-or-later */
/* octopus-crypt-keys.c — keys derived exactly as rclone's crypt backend does (cipher.go, Key):
 * scrypt (N = 16384, r = 8, p = 1) of the passphrase, salted with the second passphrase or,
 * when that is empty, with rclone's fixed default salt; 80 bytes cut into the data key, the
 * name key and the name tweak. */
#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>
#include <sodium.h>

#include "octopus-crypt-error.h"
#include "octopus-crypt-keys.h"

struct _OctopusCryptKeys {
  gatomicrefcount ref_count;
  guint8 *material; /* sodium_malloc'd, read-only once filled */
};

G_DEFINE_BOXED_TYPE (OctopusCryptKeys, octopus_crypt_keys,
                     octopus_crypt_keys_ref, octopus_crypt_keys_unref)

/* rclone's defaultSalt: a fact of the format, so that rclone derives the same keys. */
static const guint8 default_salt[] = {
  0xA8, 0x0D, 0xF4, 0x3A, 0x8F, 0xBD, 0x03, 0x08,
  0xA7, 0xCA, 0xB8, 0x3E, 0x58, 0x1F, 0x86, 0xB1,
};

enum { SCRYPT_N = 16384, SCRYPT_R = 8, SCRYPT_P = 1 };

/* sodium_init() is idempotent and thread-safe, but must run before sodium_malloc and
 * randombytes; every entry point of the core calls this. */
void
octopus_crypt_init (void)
{
  static gsize done = 0;

  if (g_once_init_enter (&done))
    {
      if (sodium_init () < 0)
        g_error ("libsodium could not be initialised");
      g_once_init_leave (&done, 1);
    }
}

/* An empty key set whose material the caller fills, then seals read-only. */
static OctopusCryptKeys *
keys_alloc (void)
{
  OctopusCryptKeys *keys;
  guint8 *material;

  octopus_crypt_init ();
  material = sodium_malloc (OCTOPUS_CRYPT_KEY_MATERIAL_SIZE);
  if (material == NULL)
    g_error ("sodium_malloc failed for %d bytes", OCTOPUS_CRYPT_KEY_MATERIAL_SIZE);
  keys = g_new0 (OctopusCryptKeys, 1);
  g_atomic_ref_count_init (&keys->ref_count);
  keys->material = material;
  return keys;
}

static OctopusCryptKeys *
keys_seal (OctopusCryptKeys *keys)
{
  sodium_mprotect_readonly (keys->material);
  return keys;
}

OctopusCryptKeys *
octopus_crypt_keys_derive (const char  *passphrase,
                           const char  *salt,
                           GError     **error)
{
  g_autoptr(OctopusCryptKeys) keys = NULL;
  const guint8 *salt_bytes = default_salt;
  gsize salt_len = sizeof default_salt;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  /* rclone turns an empty password into all-zero keys (for its own tests); a user's array
   * never gets those. */
  if (passphrase == NULL || *passphrase == '\0')
    {
      g_set_error_literal (error, OCTOPUS_CRYPT_ERROR, OCTOPUS_CRYPT_ERROR_PASSPHRASE,
                           _("The encryption passphrase is empty"));
      return NULL;
    }
  if (salt != NULL && *salt != '\0')
    {
      salt_bytes = (const guint8 *) salt;
      salt_len = strlen (salt);
    }

  keys = keys_alloc ();
  if (crypto_pwhash_scryptsalsa208sha256_ll ((const guint8 *) passphrase, strlen (passphrase),
                                             salt_bytes, salt_len,
                                             SCRYPT_N, SCRYPT_R, SCRYPT_P,
                                             keys->material,
                                             OCTOPUS_CRYPT_KEY_MATERIAL_SIZE) != 0)
    {
      g_set_error_literal (error, OCTOPUS_CRYPT_ERROR, OCTOPUS_CRYPT_ERROR_PASSPHRASE,
                           _("Could not derive the encryption keys (out of memory?)"));
      return NULL;
    }
  return keys_seal (g_steal_pointer (&keys));
}

/* The passphrases travel to the worker thread in wiped memory. */
typedef struct {
  char *passphrase;
  char *salt;
} DeriveData;

static char *
secure_strdup (const char *text)
{
  gsize len = text != NULL ? strlen (text) : 0;
  char *copy = sodium_malloc (len + 1);

  if (copy == NULL)
    g_error ("sodium_malloc failed for %" G_GSIZE_FORMAT " bytes", len + 1);
  if (len > 0)
    memcpy (copy, text, len);
  copy[len] = '\0';
  return copy;
}

static void
derive_data_free (DeriveData *data)
{
  sodium_free (data->passphrase);
  sodium_free (data->salt);
  g_free (data);
}

static void
derive_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  DeriveData *data = task_data;
  GError *error = NULL;
  OctopusCryptKeys *keys = octopus_crypt_keys_derive (data->passphrase, data->salt, &error);

  if (keys == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, keys, (GDestroyNotify) octopus_crypt_keys_unref);
}

/* scrypt with these parameters takes 16 MiB and a noticeable fraction of a second: off the
 * main thread. */
void
octopus_crypt_keys_derive_async (const char          *passphrase,
                                 const char          *salt,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  DeriveData *data;

  octopus_crypt_init ();
  data = g_new0 (DeriveData, 1);
  data->passphrase = secure_strdup (passphrase);
  data->salt = secure_strdup (salt);
  g_task_set_source_tag (task, octopus_crypt_keys_derive_async);
  g_task_set_task_data (task, data, (GDestroyNotify) derive_data_free);
  g_task_run_in_thread (task, derive_thread);
}

OctopusCryptKeys *
octopus_crypt_keys_derive_finish (GAsyncResult  *result,
                                  GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_async_result_is_tagged (result, octopus_crypt_keys_derive_async),
                        NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Keys given directly: rclone's test vectors use all-zero keys, and a caller that keeps the
 * derived material itself need not run scrypt again. */
OctopusCryptKeys *
octopus_crypt_keys_new_from_material (const guint8  *material,
                                      gsize          length,
                                      GError       **error)
{
  OctopusCryptKeys *keys;

  if (material == NULL || length != OCTOPUS_CRYPT_KEY_MATERIAL_SIZE)
    {
      g_set_error (error, OCTOPUS_CRYPT_ERROR, OCTOPUS_CRYPT_ERROR_PASSPHRASE,
                   "key material must be %d bytes, not %" G_GSIZE_FORMAT,
                   OCTOPUS_CRYPT_KEY_MATERIAL_SIZE, length);
      return NULL;
    }
  keys = keys_alloc ();
  memcpy (keys->material, material, OCTOPUS_CRYPT_KEY_MATERIAL_SIZE);
  return keys_seal (keys);
}

OctopusCryptKeys *
octopus_crypt_keys_ref (OctopusCryptKeys *keys)
{
  g_return_val_if_fail (keys != NULL, NULL);
  g_atomic_ref_count_inc (&keys->ref_count);
  return keys;
}

void
octopus_crypt_keys_unref (OctopusCryptKeys *keys)
{
  g_return_if_fail (keys != NULL);
  if (!g_atomic_ref_count_dec (&keys->ref_count))
    return;
  sodium_free (keys->material); /* wipes before unmapping */
  g_free (keys);
}

const guint8 *
octopus_crypt_keys_get_data_key (OctopusCryptKeys *keys)
{
  return keys->material;
}

const guint8 *
octopus_crypt_keys_get_name_key (OctopusCryptKeys *keys)
{
  return keys->material + OCTOPUS_CRYPT_DATA_KEY_SIZE;
}

const guint8 *
octopus_crypt_keys_get_name_tweak (OctopusCryptKeys *keys)
{
  return keys->material + OCTOPUS_CRYPT_DATA_KEY_SIZE + OCTOPUS_CRYPT_NAME_KEY_SIZE;
}
