/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-array-settings.c — [Array] of accounts.ini: defaults, round trip next to the accounts,
 * validation of erasure K+M, values that cannot be read (no keyring needed: the passphrases
 * are tested by tests/cli/test-cli-settings.sh and the widget tests). */
#include "config.h"

#include <string.h>
#include <sys/stat.h>
#include <gio/gio.h>
#include <glib/gstdio.h>

#include "octopus-account-store.h"
#include "octopus-array-settings.h"

static char *
temp_config (char **dir)
{
  *dir = g_dir_make_tmp ("octopus-settings-XXXXXX", NULL);
  g_assert_nonnull (*dir);
  return g_build_filename (*dir, "accounts.ini", NULL);
}

static void
remove_config (char *dir, char *path)
{
  g_unlink (path);
  g_rmdir (dir);
}

static OctopusArraySettings *
load_settings (const char *path)
{
  OctopusArraySettings *settings = octopus_array_settings_new (path);
  g_autoptr(GError) error = NULL;

  octopus_array_settings_load (settings, &error);
  g_assert_no_error (error);
  return settings;
}

/* No file, or a file with accounts only: mirror, no encryption, filenames standard. */
static void
test_defaults (void)
{
  g_autofree char *dir = NULL;
  g_autofree char *path = temp_config (&dir);
  g_autoptr(OctopusArraySettings) settings = load_settings (path);

  g_assert_cmpint (octopus_array_settings_get_redundancy (settings), ==,
                   OCTOPUS_REDUNDANCY_MIRROR);
  g_assert_cmpuint (octopus_array_settings_get_k (settings), ==, 0);
  g_assert_cmpint (octopus_array_settings_get_encryption (settings), ==, OCTOPUS_ENCRYPTION_OFF);
  g_assert_cmpint (octopus_array_settings_get_filename_encryption (settings), ==,
                   OCTOPUS_FILENAME_ENCRYPTION_STANDARD);
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));   /* loading writes nothing */
  remove_config (dir, path);
}

static const char accounts_ini[] =
  "# hand-written comment\n"
  "[Account alpha]\nprovider=minio\nendpoint=http://127.0.0.1:9000\nbucket=b1\n"
  "access-key=AK1\npath-style=true\nallow-http=true\n\n"
  "[Account beta]\nprovider=swift\nendpoint=http://127.0.0.1:8080\nbucket=b2\n"
  "access-key=AK2\npath-style=true\nallow-http=true\n\n"
  "[Later]\nsomething=kept\n";

static void
assert_accounts_intact (const char *path)
{
  g_autoptr(OctopusAccountStore) store = octopus_account_store_new (path);
  g_autoptr(GKeyFile) keyfile = g_key_file_new ();
  g_autofree char *kept = NULL;

  g_assert_true (octopus_account_store_load (store, NULL));
  g_assert_null (octopus_account_store_get_load_error (store));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store)), ==, 2);
  g_assert_cmpstr (octopus_account_get_bucket (octopus_account_store_lookup (store, "beta")),
                   ==, "b2");
  g_assert_true (g_key_file_load_from_file (keyfile, path, G_KEY_FILE_NONE, NULL));
  kept = g_key_file_get_string (keyfile, "Later", "something", NULL);
  g_assert_cmpstr (kept, ==, "kept");
}

/* Saving writes [Array] and leaves the accounts and other groups alone; the account store's
 * own save keeps [Array] in turn; the file stays 0600. */
static void
test_round_trip_keeps_accounts (void)
{
  g_autofree char *dir = NULL;
  g_autofree char *path = temp_config (&dir);
  g_autoptr(OctopusArraySettings) settings = NULL, again = NULL, third = NULL;
  g_autoptr(OctopusAccountStore) store = octopus_account_store_new (path);
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  GStatBuf st;

  g_assert_true (g_file_set_contents (path, accounts_ini, -1, NULL));
  settings = load_settings (path);
  g_assert_true (octopus_array_settings_set_erasure (settings, 1, 1, 2, &error));
  g_assert_true (octopus_array_settings_save (settings, &error));
  g_assert_no_error (error);
  assert_accounts_intact (path);

  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  g_assert_nonnull (strstr (text, "[Array]\nredundancy=erasure\nerasure-k=1\nerasure-m=1\n"
                                  "encryption=off\n"));
  g_assert_nonnull (strstr (text, "# hand-written comment"));
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);

  /* The account store rewrites the file: [Array] stays. */
  g_assert_true (octopus_account_store_load (store, NULL));
  g_assert_true (octopus_account_store_save (store, &error));
  again = load_settings (path);
  g_assert_cmpint (octopus_array_settings_get_redundancy (again), ==, OCTOPUS_REDUNDANCY_ERASURE);
  g_assert_cmpuint (octopus_array_settings_get_k (again), ==, 1);
  g_assert_cmpuint (octopus_array_settings_get_m (again), ==, 1);

  /* Back to mirror: K and M leave the file. */
  octopus_array_settings_set_mirror (again);
  g_assert_true (octopus_array_settings_save (again, &error));
  third = load_settings (path);
  g_assert_cmpint (octopus_array_settings_get_redundancy (third), ==, OCTOPUS_REDUNDANCY_MIRROR);
  g_clear_pointer (&text, g_free);
  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  g_assert_null (strstr (text, "erasure-k"));
  assert_accounts_intact (path);
  remove_config (dir, path);
}

/* K ≥ 1, M ≥ 1, K+M == the number of services, K+M ≤ 32; a refused choice changes nothing. */
static void
test_erasure_validation (void)
{
  static const struct { guint k, m, n; const char *why; } bad[] = {
    { 0, 2, 2, "at least 1" },
    { 2, 0, 2, "at least 1" },
    { 2, 1, 4, "the number of services" },
    { 2, 2, 3, "the number of services" },
    { 30, 3, 33, "at most 32" },
  };
  g_autoptr(OctopusArraySettings) settings = octopus_array_settings_new ("/nonexistent/x.ini");

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_false (octopus_array_settings_set_erasure (settings, bad[i].k, bad[i].m, bad[i].n,
                                                          &error));
      g_assert_error (error, OCTOPUS_ARRAY_SETTINGS_ERROR, OCTOPUS_ARRAY_SETTINGS_ERROR_INVALID);
      g_assert_nonnull (strstr (error->message, bad[i].why));
      g_assert_cmpint (octopus_array_settings_get_redundancy (settings), ==,
                       OCTOPUS_REDUNDANCY_MIRROR);
    }
  g_assert_true (octopus_array_settings_set_erasure (settings, 2, 1, 3, NULL));
  g_assert_true (octopus_array_settings_set_erasure (settings, 16, 16, 32, NULL));
  g_assert_true (octopus_array_settings_check_services (settings, 32, NULL));
  /* A service added since: the stored choice no longer fits, and says so. */
  g_assert_false (octopus_array_settings_check_services (settings, 33, NULL));
  octopus_array_settings_set_mirror (settings);
  g_assert_true (octopus_array_settings_check_services (settings, 5, NULL));
}

/* A value Octopus cannot read is an error naming the key, not a silent default (uploading
 * unencrypted what the user asked to encrypt would be worse than not uploading). */
static void
test_bad_values (void)
{
  static const struct { const char *group; const char *key; } bad[] = {
    { "[Array]\nredundancy=raid5\n", "redundancy" },
    { "[Array]\nredundancy=erasure\nerasure-k=0\nerasure-m=1\n", "erasure-k" },
    { "[Array]\nredundancy=erasure\nerasure-k=2\n", "erasure-m" },
    { "[Array]\nredundancy=erasure\nerasure-k=two\nerasure-m=1\n", "erasure-k" },
    { "[Array]\nredundancy=erasure\nerasure-k=20\nerasure-m=20\n", "more than 32" },
    { "[Array]\nencryption=aes\n", "encryption" },
    { "[Array]\nencryption=rclone-crypt\nfilename-encryption=obfuscate\n",
      "filename-encryption" },
  };
  g_autofree char *dir = NULL;
  g_autofree char *path = temp_config (&dir);

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(OctopusArraySettings) settings = octopus_array_settings_new (path);
      g_autoptr(GError) error = NULL;

      g_assert_true (g_file_set_contents (path, bad[i].group, -1, NULL));
      g_assert_false (octopus_array_settings_load (settings, &error));
      g_assert_error (error, OCTOPUS_ARRAY_SETTINGS_ERROR, OCTOPUS_ARRAY_SETTINGS_ERROR_INVALID);
      g_test_message ("%s", error->message);
      g_assert_nonnull (strstr (error->message, bad[i].key));
      g_assert_nonnull (strstr (error->message, path));
      g_assert_cmpint (octopus_array_settings_get_redundancy (settings), ==,
                       OCTOPUS_REDUNDANCY_MIRROR);
    }

  /* A file that cannot be read at all is not overwritten by a save. */
  {
    g_autoptr(OctopusArraySettings) settings = octopus_array_settings_new (path);
    g_autoptr(GError) error = NULL;
    g_autofree char *text = NULL;

    g_assert_true (g_file_set_contents (path, "not a key file", -1, NULL));
    g_assert_false (octopus_array_settings_save (settings, &error));
    g_assert_error (error, OCTOPUS_ARRAY_SETTINGS_ERROR, OCTOPUS_ARRAY_SETTINGS_ERROR_CONFIG);
    g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
    g_assert_cmpstr (text, ==, "not a key file");
  }
  remove_config (dir, path);
}

static void
result_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

/* An empty passphrase is refused before the keyring is asked; disabling writes "off" and
 * keeps the file's other content. */
static void
test_encryption_file (void)
{
  g_autofree char *dir = NULL;
  g_autofree char *path = temp_config (&dir);
  g_autoptr(OctopusArraySettings) settings = NULL, again = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  GAsyncResult *pending = NULL;

  g_assert_true (g_file_set_contents (path, "[Array]\nencryption=rclone-crypt\n"
                                            "filename-encryption=off\n", -1, NULL));
  settings = load_settings (path);
  g_assert_cmpint (octopus_array_settings_get_encryption (settings), ==,
                   OCTOPUS_ENCRYPTION_RCLONE_CRYPT);
  g_assert_cmpint (octopus_array_settings_get_filename_encryption (settings), ==,
                   OCTOPUS_FILENAME_ENCRYPTION_OFF);

  octopus_array_settings_enable_encryption_async (settings, "", NULL,
                                                  OCTOPUS_FILENAME_ENCRYPTION_STANDARD, FALSE,
                                                  NULL, result_cb, &pending);
  while (pending == NULL)
    g_main_context_iteration (NULL, TRUE);
  result = g_steal_pointer (&pending);
  g_assert_false (octopus_array_settings_enable_encryption_finish (settings, result, &error));
  g_assert_error (error, OCTOPUS_ARRAY_SETTINGS_ERROR, OCTOPUS_ARRAY_SETTINGS_ERROR_PASSPHRASE);
  g_clear_error (&error);
  g_clear_object (&result);

  g_assert_true (octopus_array_settings_disable_encryption (settings, &error));
  again = load_settings (path);
  g_assert_cmpint (octopus_array_settings_get_encryption (again), ==, OCTOPUS_ENCRYPTION_OFF);
  remove_config (dir, path);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/array-settings/defaults", test_defaults);
  g_test_add_func ("/array-settings/round-trip", test_round_trip_keeps_accounts);
  g_test_add_func ("/array-settings/erasure-validation", test_erasure_validation);
  g_test_add_func ("/array-settings/bad-values", test_bad_values);
  g_test_add_func ("/array-settings/encryption-file", test_encryption_file);
  return g_test_run ();
}
