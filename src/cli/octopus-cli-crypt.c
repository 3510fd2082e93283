/* SPDX-License-Identifier: GPL-3.0-or-later */
/* octopus-cli-crypt.c — encrypted objects in the commands of octopus-cli (issue 21).
 *
 * The commands take and print plaintext names; the services hold the encrypted keys.  The
 * keys are derived once per process (scrypt takes a moment) from the passphrases in the
 * keyring. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <glib/gstdio.h>
#include <glib/gi18n-lib.h>

#include "octopus-account.h"
#include "octopus-array-info.h"
#include "octopus-array-settings.h"
#include "octopus-download.h"
#include "octopus-upload-queue.h"
#include "octopus-cli.h"
#include "octopus-cli-crypt.h"

typedef struct {
  gboolean              loaded;
  gboolean              failed;
  gboolean              enabled;
  OctopusCryptKeys     *keys;
  OctopusCryptNameMode  names;
} CliCrypt;

/* Process-wide: the commands run once and exit. */
static CliCrypt cli_crypt;

static OctopusArrayPassphrases *
lookup_passphrases (OctopusArraySettings *settings,
                    GError              **error)
{
  GAsyncResult *pending = NULL;
  g_autoptr(GAsyncResult) res = NULL;

  octopus_array_settings_lookup_passphrases_async (settings, NULL, octopus_cli_async_done,
                                                   &pending);
  res = octopus_cli_wait (&pending);
  return octopus_array_settings_lookup_passphrases_finish (settings, res, error);
}

static void
crypt_load (void)
{
  g_autoptr(OctopusArraySettings) settings = octopus_array_settings_new (NULL);
  g_autoptr(OctopusArrayPassphrases) pass = NULL;
  g_autoptr(GError) error = NULL;

  cli_crypt.loaded = TRUE;
  if (!octopus_array_settings_load (settings, &error))
    {
      octopus_cli_error ("%s", error->message);
      cli_crypt.failed = TRUE;
      return;
    }
  cli_crypt.enabled =
    octopus_array_settings_get_encryption (settings) == OCTOPUS_ENCRYPTION_RCLONE_CRYPT;
  cli_crypt.names = octopus_array_settings_get_filename_encryption (settings)
                    == OCTOPUS_FILENAME_ENCRYPTION_OFF ? OCTOPUS_CRYPT_NAMES_OFF
                                                       : OCTOPUS_CRYPT_NAMES_STANDARD;
  pass = lookup_passphrases (settings, &error);
  if (pass != NULL)
    cli_crypt.keys = octopus_crypt_keys_derive (pass->passphrase, pass->salt, &error);
  if (cli_crypt.keys == NULL && cli_crypt.enabled)
    {
      /* Encryption is on: uploading or naming without the keys would be wrong. */
      octopus_cli_error (_("encryption is on, but its passphrase cannot be used: %s"),
                         error != NULL ? error->message : "");
      cli_crypt.failed = TRUE;
    }
}

OctopusCryptKeys *
octopus_cli_crypt_keys (gboolean  required,
                        gboolean *failed)
{
  if (!cli_crypt.loaded)
    crypt_load ();
  if (failed != NULL)
    *failed = required && cli_crypt.failed;
  return cli_crypt.keys;
}

OctopusCryptNameMode
octopus_cli_crypt_names (void)
{
  if (!cli_crypt.loaded)
    crypt_load ();
  return cli_crypt.names;
}

gboolean
octopus_cli_crypt_enabled (gboolean *failed)
{
  if (!cli_crypt.loaded)
    crypt_load ();
  if (failed != NULL)
    *failed = cli_crypt.failed;
  return cli_crypt.enabled;
}

char *
octopus_cli_crypt_name_of (const char *key)
{
  OctopusCryptKeys *keys = octopus_cli_crypt_keys (FALSE, NULL);

  if (keys == NULL)
    return NULL;
  return octopus_crypt_decrypt_name (keys, cli_crypt.names, key, NULL);
}

gboolean
octopus_cli_crypt_is_encrypted (const char *key)
{
  g_autofree char *name = octopus_cli_crypt_name_of (key);

  return name != NULL;
}

/* The stored keys that replace names in argv: kept for the life of the process, as argv. */
static GPtrArray *mapped_keys;

void
octopus_cli_crypt_map_names (OctopusArray *array,
                             char        **argv,
                             int           from,
                             int           to)
{
  OctopusObjectTable *table = octopus_array_get_table (array);
  OctopusCryptKeys *keys = octopus_cli_crypt_keys (FALSE, NULL);

  for (int i = from; keys != NULL && i < to; i++)
    {
      char *stored;

      if (octopus_object_table_lookup (table, argv[i]) != NULL)
        continue;   /* the key of an object as it is: an unencrypted one, or a stored key */
      stored = octopus_crypt_encrypt_name (keys, cli_crypt.names, argv[i], NULL);
      if (stored == NULL)
        continue;
      if (mapped_keys == NULL)
        mapped_keys = g_ptr_array_new_with_free_func (g_free);
      g_ptr_array_add (mapped_keys, stored);
      argv[i] = stored;
    }
}

char *
octopus_cli_crypt_shown_name (const char *key)
{
  char *name = key != NULL ? octopus_cli_crypt_name_of (key) : NULL;

  return name != NULL ? name : g_strdup (key);
}

/* ---- download ------------------------------------------------------------------------------ */

/* The sealed facts of the copy that served the download (or of any copy that has them). */
static char *
sealed_facts_of (OctopusArray *array,
                 const char   *key,
                 GPtrArray    *results)
{
  GAsyncResult *pending = NULL;
  g_autoptr(GAsyncResult) res = NULL;
  g_autoptr(GPtrArray) copies = NULL;
  const char *served = NULL;
  char *found = NULL;

  for (guint j = 0; results != NULL && j < results->len; j++)
    {
      OctopusArrayResult *r = g_ptr_array_index (results, j);
      if (r->status == OCTOPUS_RESULT_OK)
        served = r->service;
    }
  octopus_array_info_async (array, key, NULL, octopus_cli_async_done, &pending);
  res = octopus_cli_wait (&pending);
  copies = octopus_array_info_finish (array, res, NULL);
  for (guint i = 0; copies != NULL && i < copies->len; i++)
    {
      OctopusCopyInfo *copy = copies->pdata[i];
      const char *value = g_hash_table_lookup (copy->metadata, OCTOPUS_UPLOAD_CRYPT_METADATA);

      if (value == NULL)
        continue;
      if (found == NULL || g_strcmp0 (copy->service, served) == 0)
        {
          g_free (found);
          found = g_strdup (value);
        }
    }
  return found;
}

gboolean
octopus_cli_crypt_is_sealed (OctopusArray *array,
                             const char   *key)
{
  g_autofree char *sealed = sealed_facts_of (array, key, NULL);

  return sealed != NULL;
}

/* Decrypts @cipher into @part, checking the sealed facts (when there are any) at the end. */
static gboolean
decrypt_file (const char  *cipher,
              const char  *part,
              gint64       plain_size,
              const char  *sha256,
              GError     **error)
{
  g_autoptr(GFile) in_file = g_file_new_for_path (cipher);
  g_autoptr(GFile) out_file = g_file_new_for_path (part);
  g_autoptr(GFileInputStream) in = g_file_read (in_file, NULL, error);
  g_autoptr(GFileOutputStream) out = NULL;
  g_autoptr(OctopusCryptDecrypter) dec = NULL;
  g_autoptr(GInputStream) plain = NULL;

  if (in == NULL)
    return FALSE;
  out = g_file_replace (out_file, NULL, FALSE, G_FILE_CREATE_PRIVATE, NULL, error);
  if (out == NULL)
    return FALSE;
  dec = octopus_crypt_decrypter_new (cli_crypt.keys);
  octopus_crypt_decrypter_set_expected (dec, plain_size, sha256);
  plain = g_converter_input_stream_new (G_INPUT_STREAM (in), G_CONVERTER (dec));
  return g_output_stream_splice (G_OUTPUT_STREAM (out), plain,
                                 G_OUTPUT_STREAM_SPLICE_CLOSE_SOURCE
                                 | G_OUTPUT_STREAM_SPLICE_CLOSE_TARGET, NULL, error) >= 0;
}

/* The object's length must be what the sealed plaintext size makes: rclone's format cannot
 * tell a copy cut at a chunk boundary by itself. */
static gboolean
check_length (const char *cipher,
              gint64      plain_size,
              GError    **error)
{
  GStatBuf st;

  if (plain_size < 0 || g_stat (cipher, &st) != 0)
    return TRUE;
  if ((guint64) st.st_size == octopus_crypt_encrypted_size ((guint64) plain_size))
    return TRUE;
  g_set_error (error, OCTOPUS_CRYPT_ERROR, OCTOPUS_CRYPT_ERROR_TRUNCATED,
               _("the stored object is %lld bytes, but %lld bytes of plaintext encrypt to "
                 "%llu: it was cut off or changed"), (long long) st.st_size,
               (long long) plain_size,
               (unsigned long long) octopus_crypt_encrypted_size ((guint64) plain_size));
  return FALSE;
}

static gboolean
decrypt_checked (OctopusArray *array,
                 const char   *key,
                 const char   *cipher,
                 const char   *part,
                 GPtrArray    *results,
                 GError      **error)
{
  g_autofree char *sealed = sealed_facts_of (array, key, results);
  g_autofree char *sha256 = NULL;
  guint64 size = 0;
  gint64 plain_size = -1;

  if (sealed != NULL)
    {
      if (!octopus_crypt_open_facts (cli_crypt.keys, sealed, &size, &sha256, error))
        return FALSE;
      plain_size = (gint64) size;
    }
  return check_length (cipher, plain_size, error)
         && decrypt_file (cipher, part, plain_size, sha256, error);
}

/* Removes @file, the folders between it and @dir (a stored key's folders), then @dir. */
static void
remove_tree (const char *dir,
             const char *file)
{
  g_autofree char *parent = file != NULL ? g_path_get_dirname (file) : NULL;

  if (file != NULL)
    g_unlink (file);
  while (parent != NULL && g_str_has_prefix (parent, dir) && strlen (parent) > strlen (dir))
    {
      char *up = g_path_get_dirname (parent);

      g_rmdir (parent);
      g_free (parent);
      parent = up;
    }
  g_rmdir (dir);
}

char *
octopus_cli_crypt_download (OctopusArray  *array,
                            const char    *key,
                            const char    *name,
                            const char    *directory,
                            GPtrArray    **results,
                            GError       **error)
{
  g_autofree char *tmpdir = g_build_filename (directory, ".octopus-crypt-XXXXXX", NULL);
  g_autofree char *cipher = NULL;
  g_autofree char *dest = octopus_download_local_path (directory, name);
  g_autofree char *part = g_strconcat (dest, ".octopus-part", NULL);
  GAsyncResult *pending = NULL;
  g_autoptr(GAsyncResult) res = NULL;
  g_autoptr(GError) local = NULL;

  if (g_mkdtemp_full (tmpdir, 0700) == NULL)
    {
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno),
                   _("cannot create a temporary folder in %s"), directory);
      return NULL;
    }
  octopus_array_download_async (array, key, tmpdir, NULL, octopus_cli_async_done, &pending);
  res = octopus_cli_wait (&pending);
  cipher = octopus_array_download_finish (array, res, results, &local);
  if (cipher != NULL && octopus_download_make_parents (directory, dest, &local)
      && decrypt_checked (array, key, cipher, part, results ? *results : NULL, &local)
      && g_rename (part, dest) == 0)
    {
      remove_tree (tmpdir, cipher);
      return g_steal_pointer (&dest);
    }
  if (local == NULL)
    local = g_error_new (G_IO_ERROR, g_io_error_from_errno (errno),
                         _("cannot rename %s: %s"), part, g_strerror (errno));
  g_unlink (part);
  remove_tree (tmpdir, cipher);
  /* The caller names the object; the stored key says which one on the services. */
  g_set_error (error, local->domain, local->code, _("stored as %s: %s"), key, local->message);
  return NULL;
}
