/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-account-store.c — presets, validation, accounts.ini round trip, bucket names, and the
 * failure messages of connecting (no keyring, no server needed). */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <gio/gio.h>
#include <glib/gstdio.h>

#include "octopus-account-connect.h"
#include "octopus-account-store.h"
#include "octopus-provider.h"

/* Runs the main context until *@slot is set, failing the test after 30 s. */
static gboolean
on_timeout (gpointer data)
{
  g_error ("an async operation did not finish within 30 s");
  return G_SOURCE_REMOVE;
}

static void
result_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static GAsyncResult *
wait_for (GAsyncResult **slot)
{
  guint id = g_timeout_add_seconds (30, on_timeout, NULL);

  while (*slot == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (id);
  return g_steal_pointer (slot);
}

/* ---- presets -------------------------------------------------------------------- */

/* The store's load error exists and names each of the NULL-terminated reasons: entries that
 * cannot be read are told to the user, not left to a log. */
static void
assert_load_error_names (OctopusAccountStore *store,
                         const char          *reason,
                         ...)
{
  const GError *error = octopus_account_store_get_load_error (store);
  va_list args;

  g_assert_nonnull (error);
  va_start (args, reason);
  for (const char *r = reason; r != NULL; r = va_arg (args, const char *))
    if (strstr (error->message, r) == NULL)
      g_error ("the load error “%s” does not name “%s”", error->message, r);
  va_end (args);
}

static void
test_presets (void)
{
  const char *ids[] = { "aws", "minio", "ceph", "swift", "wasabi", "b2", "r2", "gcs", "custom" };
  guint n = 0;
  const OctopusProvider *all = octopus_provider_get_all (&n);
  g_autofree char *aws = NULL, *wasabi = NULL, *b2 = NULL, *r2 = NULL, *gcs = NULL;

  g_assert_cmpuint (n, ==, G_N_ELEMENTS (ids));
  for (guint i = 0; i < n; i++)
    {
      g_assert_cmpstr (all[i].id, ==, ids[i]);
      g_assert_true (octopus_provider_lookup (ids[i]) == &all[i]);
      g_assert_cmpstr (octopus_provider_get_display_name (&all[i]), !=, "");
      g_assert_nonnull (all[i].default_region);
    }
  g_assert_null (octopus_provider_lookup ("dropbox"));

  aws = octopus_provider_expand_endpoint (octopus_provider_lookup ("aws"), "eu-west-1", NULL);
  g_assert_cmpstr (aws, ==, "https://s3.eu-west-1.amazonaws.com");
  wasabi = octopus_provider_expand_endpoint (octopus_provider_lookup ("wasabi"), NULL, NULL);
  g_assert_cmpstr (wasabi, ==, "https://s3.us-east-1.wasabisys.com");
  b2 = octopus_provider_expand_endpoint (octopus_provider_lookup ("b2"), "eu-central-003", NULL);
  g_assert_cmpstr (b2, ==, "https://s3.eu-central-003.backblazeb2.com");
  gcs = octopus_provider_expand_endpoint (octopus_provider_lookup ("gcs"), NULL, NULL);
  g_assert_cmpstr (gcs, ==, "https://storage.googleapis.com");

  /* R2 needs the account id; without it there is no endpoint to guess. */
  g_assert_null (octopus_provider_expand_endpoint (octopus_provider_lookup ("r2"), NULL, NULL));
  r2 = octopus_provider_expand_endpoint (octopus_provider_lookup ("r2"), NULL, "0123abcd");
  g_assert_cmpstr (r2, ==, "https://0123abcd.r2.cloudflarestorage.com");
  g_assert_cmpstr (octopus_provider_lookup ("r2")->default_region, ==, "auto");
  /* A region cannot smuggle another host into the URL. */
  g_assert_null (octopus_provider_expand_endpoint (octopus_provider_lookup ("aws"),
                                                   "evil.com/x", NULL));
  g_assert_null (octopus_provider_lookup ("minio")->endpoint_pattern);

  /* What the engine relies on: who rejects ACLs, whose multipart ETags can be checked. */
  g_assert_cmpint (octopus_provider_lookup ("r2")->acl_support, ==, OCTOPUS_ACL_SUPPORT_NO);
  g_assert_cmpint (octopus_provider_lookup ("minio")->acl_support, ==, OCTOPUS_ACL_SUPPORT_NO);
  g_assert_cmpint (octopus_provider_lookup ("b2")->acl_support, ==, OCTOPUS_ACL_SUPPORT_NO);
  g_assert_cmpint (octopus_provider_lookup ("aws")->acl_support, ==, OCTOPUS_ACL_SUPPORT_UNKNOWN);
  g_assert_true (octopus_provider_lookup ("aws")->multipart_etags_meaningful);
  g_assert_false (octopus_provider_lookup ("gcs")->multipart_etags_meaningful);
  g_assert_true (octopus_provider_lookup ("minio")->path_style);
  g_assert_false (octopus_provider_lookup ("aws")->path_style);

  g_assert_cmpstr (octopus_provider_guess ("https://s3.eu-west-1.amazonaws.com")->id, ==, "aws");
  g_assert_cmpstr (octopus_provider_guess ("https://abc.r2.cloudflarestorage.com")->id, ==, "r2");
  g_assert_cmpstr (octopus_provider_guess ("http://127.0.0.1:9000")->id, ==, "custom");
  g_assert_cmpstr (octopus_provider_guess ("https://amazonaws.com.evil.example")->id, ==, "custom");
}

static void
test_account_defaults (void)
{
  g_autoptr(OctopusAccount) minio = octopus_account_new ("m", "minio", "http://127.0.0.1:9000");
  g_autoptr(OctopusAccount) r2 = octopus_account_new ("r", "r2",
                                                      "https://x.r2.cloudflarestorage.com");
  g_autoptr(OctopusAccount) guessed = octopus_account_new ("g", NULL, "https://s3.amazonaws.com");

  g_assert_true (octopus_account_get_path_style (minio));
  g_assert_cmpint (octopus_account_get_acl_support (minio), ==, OCTOPUS_ACL_SUPPORT_NO);
  g_assert_cmpstr (octopus_account_get_region (r2), ==, "auto");
  g_assert_cmpstr (octopus_account_get_provider_id (guessed), ==, "aws");
  g_assert_false (octopus_account_get_path_style (guessed));
  g_assert_cmpint (octopus_account_get_state (guessed), ==, OCTOPUS_ACCOUNT_STATE_UNKNOWN);
}

/* ---- validation ----------------------------------------------------------------- */

static OctopusAccount *
valid_account (const char *name)
{
  OctopusAccount *account = octopus_account_new (name, "custom", "https://s3.example.com");

  octopus_account_set_bucket (account, "my-bucket");
  octopus_account_set_access_key (account, "AKIDEXAMPLE");
  return account;
}

static void
test_validate_names (void)
{
  const struct { const char *name; gboolean ok; } cases[] = {
    { "Work", TRUE }, { "Büro S3 #1", TRUE }, { "a", TRUE },
    { "", FALSE }, { " lead", FALSE }, { "trail ", FALSE }, { "a[b", FALSE }, { "a]b", FALSE },
    { "tab\there", FALSE }, { "new\nline", FALSE },
    { "0123456789012345678901234567890123456789012345678901234567890123456789", FALSE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(OctopusAccount) account = valid_account (cases[i].name);
      g_autoptr(GError) error = NULL;
      gboolean ok = octopus_account_validate (account, &error);

      g_test_message ("name “%s”", cases[i].name);
      g_assert_cmpint (ok, ==, cases[i].ok);
      if (!ok)
        g_assert_error (error, OCTOPUS_ACCOUNT_ERROR, OCTOPUS_ACCOUNT_ERROR_INVALID_NAME);
    }
}

static void
test_validate_endpoints (void)
{
  const struct { const char *url; gboolean allow_http; gint code; } cases[] = {
    { "https://s3.example.com", FALSE, -1 },
    { "https://s3.example.com/", FALSE, -1 },
    { "https://127.0.0.1:9000", FALSE, -1 },
    { "http://127.0.0.1:9000", TRUE, -1 },
    { "http://127.0.0.1:9000", FALSE, OCTOPUS_ACCOUNT_ERROR_INSECURE_ENDPOINT },
    { "ftp://s3.example.com", TRUE, OCTOPUS_ACCOUNT_ERROR_INVALID_ENDPOINT },
    { "s3.example.com", TRUE, OCTOPUS_ACCOUNT_ERROR_INVALID_ENDPOINT },
    { "https://", TRUE, OCTOPUS_ACCOUNT_ERROR_INVALID_ENDPOINT },
    { "https://s3.example.com/bucket", TRUE, OCTOPUS_ACCOUNT_ERROR_INVALID_ENDPOINT },
    { "https://s3.example.com/?x=1", TRUE, OCTOPUS_ACCOUNT_ERROR_INVALID_ENDPOINT },
    { "https://user:pw@s3.example.com", TRUE, OCTOPUS_ACCOUNT_ERROR_INVALID_ENDPOINT },
    { "", TRUE, OCTOPUS_ACCOUNT_ERROR_INVALID_ENDPOINT },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      gboolean ok = octopus_account_check_endpoint (cases[i].url, cases[i].allow_http, &error);

      g_test_message ("endpoint “%s”", cases[i].url);
      if (cases[i].code < 0)
        g_assert_no_error (error);
      else
        g_assert_error (error, OCTOPUS_ACCOUNT_ERROR, cases[i].code);
      g_assert_cmpint (ok, ==, cases[i].code < 0);
    }
}

static void
test_validate_buckets (void)
{
  const struct { const char *bucket; gboolean ok; } cases[] = {
    { "abc", TRUE }, { "my-bucket.example", TRUE }, { "octopus-0123456789abcdef", TRUE },
    { "ab", FALSE }, { "Abc", FALSE }, { "a_b_c", FALSE }, { "-abc", FALSE }, { "abc-", FALSE },
    { "a..b", FALSE }, { "a.-b", FALSE }, { "192.168.5.4", FALSE }, { "xn--abc", FALSE },
    { "abc-s3alias", FALSE }, { "a b c", FALSE },
    { "a123456789012345678901234567890123456789012345678901234567890123", FALSE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;

      g_test_message ("bucket “%s”", cases[i].bucket);
      g_assert_cmpint (octopus_account_check_bucket (cases[i].bucket, &error), ==, cases[i].ok);
      if (!cases[i].ok)
        g_assert_error (error, OCTOPUS_ACCOUNT_ERROR, OCTOPUS_ACCOUNT_ERROR_INVALID_BUCKET);
    }
}

static void
test_validate_other_fields (void)
{
  g_autoptr(OctopusAccount) provider = octopus_account_new ("p", "dropbox", "https://x.example");
  g_autoptr(OctopusAccount) key = valid_account ("k");
  g_autoptr(OctopusAccount) region = valid_account ("r");
  g_autoptr(GError) error = NULL;

  g_assert_false (octopus_account_validate (provider, &error));
  g_assert_error (error, OCTOPUS_ACCOUNT_ERROR, OCTOPUS_ACCOUNT_ERROR_INVALID_PROVIDER);
  g_assert_nonnull (strstr (error->message, "dropbox"));
  g_clear_error (&error);

  octopus_account_set_access_key (key, "has space");
  g_assert_false (octopus_account_validate (key, &error));
  g_assert_error (error, OCTOPUS_ACCOUNT_ERROR, OCTOPUS_ACCOUNT_ERROR_INVALID_ACCESS_KEY);
  g_clear_error (&error);

  octopus_account_set_region (region, "");
  g_assert_false (octopus_account_validate (region, &error));
  g_assert_error (error, OCTOPUS_ACCOUNT_ERROR, OCTOPUS_ACCOUNT_ERROR_INVALID_REGION);
}

static void
test_default_bucket_name (void)
{
  g_autofree char *a = octopus_account_generate_bucket_name ();
  g_autofree char *b = octopus_account_generate_bucket_name ();

  g_assert_true (g_regex_match_simple ("^octopus-[0-9a-f]{16}$", a, 0, 0));
  g_assert_true (octopus_account_check_bucket (a, NULL));
  g_assert_cmpstr (a, !=, b);
}

/* ---- the config file ------------------------------------------------------------ */

/* Each store test starts without an accounts.ini. */
static void
fresh_config (void)
{
  g_autofree char *path = octopus_account_store_get_default_path ();
  g_unlink (path);
}

static void
count_changes_cb (GListModel *model, guint position, guint removed, guint added, gpointer data)
{
  *(guint *) data += added;
}

static const char sample_ini[] =
  "[General]\nversion=1\n\n"
  "[Account Büro S3 #1]\nprovider=aws\nendpoint=https://s3.eu-west-1.amazonaws.com\n"
  "region=eu-west-1\nbucket=octopus-0123456789abcdef\naccess-key=AKIDEXAMPLE\n"
  "path-style=false\nallow-http=false\nobject-acls=true\n\n"
  "[Account local]\nprovider=minio\nendpoint=http://127.0.0.1:9000\nregion=us-east-1\n"
  "bucket=photos\naccess-key=minio:admin\npath-style=true\nallow-http=true\n\n"
  "[Account broken]\nregion=us-east-1\n";

static void
assert_sample_accounts (OctopusAccountStore *store)
{
  OctopusAccount *aws = octopus_account_store_lookup (store, "Büro S3 #1");
  OctopusAccount *local = octopus_account_store_lookup (store, "local");
  g_autoptr(OctopusAccount) first = NULL;

  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store)), ==, 2);
  g_assert_true (g_list_model_get_item_type (G_LIST_MODEL (store)) == OCTOPUS_TYPE_ACCOUNT);
  first = g_list_model_get_item (G_LIST_MODEL (store), 0);
  g_assert_true (first == aws);
  g_assert_null (g_list_model_get_item (G_LIST_MODEL (store), 2));
  g_assert_null (octopus_account_store_lookup (store, "broken"));

  g_assert_nonnull (aws);
  g_assert_cmpstr (octopus_account_get_provider_id (aws), ==, "aws");
  g_assert_cmpstr (octopus_account_get_endpoint (aws), ==, "https://s3.eu-west-1.amazonaws.com");
  g_assert_cmpstr (octopus_account_get_region (aws), ==, "eu-west-1");
  g_assert_cmpstr (octopus_account_get_bucket (aws), ==, "octopus-0123456789abcdef");
  g_assert_cmpstr (octopus_account_get_access_key (aws), ==, "AKIDEXAMPLE");
  g_assert_false (octopus_account_get_path_style (aws));
  g_assert_false (octopus_account_get_allow_http (aws));
  /* What the ACL probe found is kept; without it the provider's default holds (MinIO: none). */
  g_assert_cmpint (octopus_account_get_acl_support (aws), ==, OCTOPUS_ACL_SUPPORT_YES);
  g_assert_cmpint (octopus_account_get_acl_support (local), ==, OCTOPUS_ACL_SUPPORT_NO);

  g_assert_nonnull (local);
  g_assert_cmpstr (octopus_account_get_provider_id (local), ==, "minio");
  g_assert_cmpstr (octopus_account_get_access_key (local), ==, "minio:admin");
  g_assert_true (octopus_account_get_path_style (local));
  g_assert_true (octopus_account_get_allow_http (local));
  g_assert_true (octopus_account_validate (aws, NULL));
  g_assert_true (octopus_account_validate (local, NULL));
}

static void
test_keyfile_round_trip (void)
{
  g_autofree char *path = octopus_account_store_get_default_path ();
  g_autofree char *expected = g_build_filename (g_get_user_config_dir (), "octopus",
                                                "accounts.ini", NULL);
  g_autofree char *dir = g_path_get_dirname (path);
  g_autoptr(OctopusAccountStore) store = octopus_account_store_new (NULL);
  g_autoptr(OctopusAccountStore) again = octopus_account_store_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *written = NULL;
  guint added = 0;
  struct stat st;

  fresh_config ();

  /* main() points XDG_CONFIG_HOME at a fresh temporary folder. */
  g_assert_cmpstr (path, ==, expected);
  g_assert_cmpstr (octopus_account_store_get_path (store), ==, path);

  /* No file yet: an empty store, not an error. */
  g_assert_true (octopus_account_store_load (store, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store)), ==, 0);

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_assert_true (g_file_set_contents (path, sample_ini, -1, NULL));
  g_signal_connect (store, "items-changed", G_CALLBACK (count_changes_cb), &added);
  g_assert_true (octopus_account_store_load (store, &error));
  assert_load_error_names (store, "broken", NULL);
  g_assert_cmpuint (added, ==, 2);
  assert_sample_accounts (store);

  /* Save, then read back with a second store: the same accounts, in a private file. */
  g_assert_cmpint (g_unlink (path), ==, 0);
  g_assert_true (octopus_account_store_save (store, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  g_assert_true (octopus_account_store_load (again, &error));
  assert_sample_accounts (again);
  g_assert_true (g_file_get_contents (path, &written, NULL, NULL));
  g_assert_null (strstr (written, "secret ="));
}

static void
test_unreadable_config (void)
{
  g_autoptr(OctopusAccountStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (g_get_user_config_dir (), "bad.ini", NULL);

  g_assert_cmpint (g_mkdir_with_parents (g_get_user_config_dir (), 0700), ==, 0);
  g_assert_true (g_file_set_contents (path, "this is [not a key file\n", -1, NULL));
  store = octopus_account_store_new (path);
  g_assert_false (octopus_account_store_load (store, &error));
  g_assert_error (error, OCTOPUS_ACCOUNT_ERROR, OCTOPUS_ACCOUNT_ERROR_CONFIG);
  g_assert_nonnull (strstr (error->message, path));
}

/* accounts.ini is user-writable: a name or a field that is not UTF-8 (found by fuzzing: a
 * group "[Account \xff\xfe bad]" came out as an account name) costs that entry alone, with
 * a warning that names the problem; the other accounts load, and a save keeps the broken
 * entry as it was for the user to repair. */
static const char not_utf8_ini[] =
  "[Account good]\nprovider=minio\nendpoint=http://127.0.0.1:9000\nbucket=photos\n\n"
  "[Account \xff\xfe bad]\nprovider=custom\nendpoint=http://127.0.0.1:9000\n\n"
  "[Account badfield]\nprovider=custom\nendpoint=http://127.0.0.1:9000\nbucket=b\xc3\n\n"
  "[Account badkey]\nprovider=custom\nendpoint=http://127.0.0.1:9000\naccess-key=\xe9t\xe9\n";

static void
assert_not_utf8_entries_named (OctopusAccountStore *store)
{
  assert_load_error_names (store, "is not valid UTF-8",
                           "“badfield” has an unreadable “bucket”",
                           "“badkey” has an unreadable “access-key”", NULL);
}

static void
test_not_utf8_entries (void)
{
  g_autofree char *path = g_build_filename (g_get_user_config_dir (), "not-utf8.ini", NULL);
  g_autoptr(OctopusAccountStore) store = octopus_account_store_new (path);
  g_autoptr(OctopusAccountStore) again = octopus_account_store_new (path);
  g_autoptr(OctopusAccount) first = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *written = NULL;
  gsize written_len = 0;

  g_assert_cmpint (g_mkdir_with_parents (g_get_user_config_dir (), 0700), ==, 0);
  g_assert_true (g_file_set_contents (path, not_utf8_ini, -1, NULL));

  g_assert_true (octopus_account_store_load (store, &error));
  assert_not_utf8_entries_named (store);
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store)), ==, 1);
  first = g_list_model_get_item (G_LIST_MODEL (store), 0);
  g_assert_cmpstr (octopus_account_get_name (first), ==, "good");
  g_assert_cmpstr (octopus_account_get_bucket (first), ==, "photos");
  g_assert_null (octopus_account_store_lookup (store, "badfield"));
  g_assert_null (octopus_account_store_lookup (store, "badkey"));

  /* Saved: the good account rewritten, the broken entries kept byte for byte. */
  g_assert_true (octopus_account_store_save (store, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (path, &written, &written_len, NULL));
  g_assert_nonnull (g_strstr_len (written, written_len, "[Account \xff\xfe bad]"));
  g_assert_nonnull (g_strstr_len (written, written_len, "bucket=b\xc3"));
  g_assert_nonnull (strstr (written, "[Account good]"));

  g_assert_true (octopus_account_store_load (again, &error));
  assert_not_utf8_entries_named (again);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (again)), ==, 1);
  g_assert_nonnull (octopus_account_store_lookup (again, "good"));
}

/* Found by fuzzing (tests/fuzz/regressions/account-store-reserved-encoding-key): a broken
 * group "[Account Swift]" holds "Encoding=swift" below a good account.  GKeyFile accepts that
 * key outside the first group only; the save put the kept broken group first, and the file
 * Octopus had written no longer loaded ("Key file contains unsupported encoding").  The good
 * account must survive load → save → load, and the broken entries stay for the user. */
static void
test_reserved_encoding_key (void)
{
  g_autofree char *fixture = g_test_build_filename (G_TEST_DIST, "fuzz", "regressions",
                                                    "account-store-reserved-encoding-key",
                                                    NULL);
  g_autofree char *path = g_build_filename (g_get_user_config_dir (), "encoding.ini", NULL);
  g_autoptr(OctopusAccountStore) store = octopus_account_store_new (path);
  g_autoptr(OctopusAccountStore) again = octopus_account_store_new (path);
  g_autoptr(OctopusAccount) first = NULL;
  g_autoptr(OctopusAccount) reloaded = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *data = NULL;
  g_autofree char *written = NULL;
  gsize len = 0, written_len = 0;

  g_assert_true (g_file_get_contents (fixture, &data, &len, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_mkdir_with_parents (g_get_user_config_dir (), 0700), ==, 0);
  g_assert_true (g_file_set_contents (path, data, len, NULL));

  g_assert_true (octopus_account_store_load (store, &error));
  assert_load_error_names (store, "“Swift” lacks its provider or endpoint", NULL);
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store)), ==, 1);
  first = g_list_model_get_item (G_LIST_MODEL (store), 0);
  g_assert_cmpstr (octopus_account_get_name (first), ==, "AWS eu");
  g_assert_cmpstr (octopus_account_get_provider_id (first), ==, "aws");
  g_assert_cmpstr (octopus_account_get_endpoint (first), ==,
                   "htttps://s3.eu-west-1.amazonaws.co");

  g_assert_true (octopus_account_store_save (store, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (path, &written, &written_len, NULL));
  /* The broken group and the other section are kept; only the reserved key is gone. */
  g_assert_nonnull (g_strstr_len (written, written_len, "[Account Swift]"));
  g_assert_nonnull (g_strstr_len (written, written_len, "endnpoith=ttp://127.0.0\xdc"));
  g_assert_nonnull (g_strstr_len (written, written_len, "[Other]"));
  g_assert_null (g_strstr_len (written, written_len, "Encoding="));

  g_assert_true (octopus_account_store_load (again, &error));
  assert_load_error_names (again, "“Swift” lacks its provider or endpoint", NULL);
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (again)), ==, 1);
  reloaded = g_list_model_get_item (G_LIST_MODEL (again), 0);
  g_assert_cmpstr (octopus_account_get_name (reloaded), ==, "AWS eu");
  g_assert_cmpstr (octopus_account_get_provider_id (reloaded), ==, "aws");
  g_assert_cmpstr (octopus_account_get_endpoint (reloaded), ==,
                   octopus_account_get_endpoint (first));
  g_assert_cmpstr (octopus_account_get_region (reloaded), ==,
                   octopus_account_get_region (first));

  /* The key twice in a group (found by fuzzing too): GKeyFile checks both lines. */
  g_assert_true (g_file_set_contents (path, "[Account a]\nprovider=custom\n"
                                      "endpoint=https://s3.example.com\n\n"
                                      "[Extra]\nEncoding=swift\nkept=yes\n"
                                      "[Extra]\nEncoding=UTF-8\n", -1, NULL));
  g_assert_true (octopus_account_store_load (store, &error));
  g_assert_true (octopus_account_store_save (store, &error));
  g_assert_no_error (error);
  g_clear_pointer (&written, g_free);
  g_assert_true (g_file_get_contents (path, &written, NULL, NULL));
  g_assert_null (strstr (written, "Encoding="));
  g_assert_nonnull (strstr (written, "[Extra]\nkept=yes\n"));
  g_assert_true (octopus_account_store_load (again, &error));
  g_assert_no_error (error);
  g_assert_nonnull (octopus_account_store_lookup (again, "a"));

  /* "Encoding=UTF-8" once is harmless anywhere in a file: it is kept. */
  g_assert_true (g_file_set_contents (path, "[Account a]\nprovider=custom\n"
                                      "endpoint=https://s3.example.com\n\n"
                                      "[Extra]\nEncoding=UTF-8\n", -1, NULL));
  g_assert_true (octopus_account_store_load (store, &error));
  g_assert_true (octopus_account_store_save (store, &error));
  g_assert_no_error (error);
  g_clear_pointer (&written, g_free);
  g_assert_true (g_file_get_contents (path, &written, NULL, NULL));
  g_assert_nonnull (strstr (written, "[Extra]\nEncoding=UTF-8\n"));
  g_assert_true (octopus_account_store_load (again, &error));
  g_assert_no_error (error);
  g_assert_nonnull (octopus_account_store_lookup (again, "a"));
}

/* An add that fails validation touches neither the keyring nor the file. */
static void
test_add_invalid_writes_nothing (void)
{
  g_autoptr(OctopusAccountStore) store = octopus_account_store_new (NULL);
  g_autoptr(OctopusAccount) account = valid_account ("bad bucket");
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  GAsyncResult *pending = NULL;

  fresh_config ();

  octopus_account_set_bucket (account, "Not_Valid");
  octopus_account_store_add_async (store, account, "s3cret", NULL, result_cb, &pending);
  result = wait_for (&pending);
  g_assert_false (octopus_account_store_add_finish (store, result, &error));
  g_assert_error (error, OCTOPUS_ACCOUNT_ERROR, OCTOPUS_ACCOUNT_ERROR_INVALID_BUCKET);
  g_assert_false (g_file_test (octopus_account_store_get_path (store), G_FILE_TEST_EXISTS));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store)), ==, 0);
}

static void
test_duplicate_name (void)
{
  g_autoptr(OctopusAccountStore) store = octopus_account_store_new (NULL);
  g_autoptr(OctopusAccount) account = valid_account ("dup");
  g_autoptr(OctopusAccount) other = octopus_account_new ("dup", "custom", "https://x.example");
  g_autoptr(GError) error = NULL;

  fresh_config ();

  /* The duplicate check needs an account in the store: load one from a file. */
  {
    g_autofree char *dir = g_path_get_dirname (octopus_account_store_get_path (store));
    g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
    g_assert_true (g_file_set_contents (octopus_account_store_get_path (store),
                                        "[Account dup]\nprovider=custom\n"
                                        "endpoint=https://s3.example.com\n", -1, NULL));
  }
  g_assert_true (octopus_account_store_load (store, NULL));
  octopus_account_set_bucket (other, "some-bucket");
  octopus_account_set_access_key (other, "AK");
  g_assert_false (octopus_account_store_check_new (store, other, &error));
  g_assert_error (error, OCTOPUS_ACCOUNT_ERROR, OCTOPUS_ACCOUNT_ERROR_DUPLICATE_NAME);
  g_assert_true (octopus_account_validate (account, NULL));
}

/* The stored file and a new store loaded from it. */
static OctopusAccountStore *
sample_store (char **text)
{
  OctopusAccountStore *store = octopus_account_store_new (NULL);
  g_autofree char *dir = g_path_get_dirname (octopus_account_store_get_path (store));

  fresh_config ();
  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_assert_true (g_file_set_contents (octopus_account_store_get_path (store), sample_ini, -1,
                                      NULL));
  g_assert_true (octopus_account_store_load (store, NULL));
  g_assert_true (g_file_get_contents (octopus_account_store_get_path (store), text, NULL, NULL));
  return store;
}

/* An edited copy of @account: the same settings, name @name. */
static OctopusAccount *
edited_copy (OctopusAccount *account, const char *name)
{
  OctopusAccount *copy = octopus_account_new (name, octopus_account_get_provider_id (account),
                                              octopus_account_get_endpoint (account));

  octopus_account_set_region (copy, octopus_account_get_region (account));
  octopus_account_set_bucket (copy, octopus_account_get_bucket (account));
  octopus_account_set_access_key (copy, octopus_account_get_access_key (account));
  octopus_account_set_path_style (copy, octopus_account_get_path_style (account));
  octopus_account_set_allow_http (copy, octopus_account_get_allow_http (account));
  return copy;
}

/* Replacing an account (no keyring involved: same name, no new secret) writes it in its place,
 * keeps the entry that cannot be read, and says items-changed at its position; a name that
 * another account has is refused and changes nothing. */
static void
test_replace (void)
{
  g_autofree char *text = NULL, *now = NULL;
  g_autoptr(OctopusAccountStore) store = sample_store (&text);
  g_autoptr(OctopusAccountStore) reloaded = octopus_account_store_new (NULL);
  OctopusAccount *local = octopus_account_store_lookup (store, "local");
  g_autoptr(OctopusAccount) taken = edited_copy (local, "Büro S3 #1");
  g_autoptr(OctopusAccount) edited = edited_copy (local, "local");
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  GAsyncResult *pending = NULL;
  guint added = 0;

  g_signal_connect (store, "items-changed", G_CALLBACK (count_changes_cb), &added);
  octopus_account_store_replace_async (store, local, taken, NULL, NULL, result_cb, &pending);
  result = wait_for (&pending);
  g_assert_false (octopus_account_store_replace_finish (store, result, &error));
  g_assert_error (error, OCTOPUS_ACCOUNT_ERROR, OCTOPUS_ACCOUNT_ERROR_DUPLICATE_NAME);
  g_assert_true (g_file_get_contents (octopus_account_store_get_path (store), &now, NULL, NULL));
  g_assert_cmpstr (now, ==, text);
  g_assert_cmpuint (added, ==, 0);
  g_clear_object (&result);
  g_clear_error (&error);

  octopus_account_set_bucket (edited, "photos-2");
  octopus_account_store_replace_async (store, local, edited, NULL, NULL, result_cb, &pending);
  result = wait_for (&pending);
  g_assert_true (octopus_account_store_replace_finish (store, result, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (added, ==, 1);
  g_assert_true (octopus_account_store_lookup (store, "local") == edited);
  g_assert_true (octopus_account_store_load (reloaded, NULL));
  g_assert_cmpstr (octopus_account_get_bucket (octopus_account_store_lookup (reloaded, "local")),
                   ==, "photos-2");
  g_assert_nonnull (octopus_account_store_lookup (reloaded, "Büro S3 #1"));
  assert_load_error_names (reloaded, "broken", NULL);
}

/* An edit that changes where the account connects connects first: when that fails, nothing
 * is written and the store keeps the old account. */
static void
test_update_connect_fails (void)
{
  g_autofree char *text = NULL, *now = NULL;
  g_autoptr(OctopusAccountStore) store = sample_store (&text);
  OctopusAccount *local = octopus_account_store_lookup (store, "local");
  g_autoptr(OctopusAccount) edited = octopus_account_new ("local", "minio",
                                                          "http://127.0.0.1:9");
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  GAsyncResult *pending = NULL;

  octopus_account_set_bucket (edited, "photos");
  octopus_account_set_access_key (edited, "minio:admin");
  octopus_account_set_allow_http (edited, TRUE);
  octopus_account_update_async (store, local, edited, "s3cret", NULL, result_cb, &pending);
  result = wait_for (&pending);
  g_assert_false (octopus_account_update_finish (edited, result, &error));
  g_assert_nonnull (strstr (error->message, "Connection refused"));
  g_assert_true (g_file_get_contents (octopus_account_store_get_path (store), &now, NULL, NULL));
  g_assert_cmpstr (now, ==, text);
  g_assert_true (octopus_account_store_lookup (store, "local") == local);
}

/* ---- connecting: failure messages ----------------------------------------------- */

static void
assert_connect_fails (const char *endpoint, gboolean allow_http, const char *expected)
{
  g_autoptr(OctopusAccount) account = octopus_account_new ("t", "custom", endpoint);
  g_autoptr(OctopusS3Client) client = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  GAsyncResult *pending = NULL;

  octopus_account_set_bucket (account, "octopus-test");
  octopus_account_set_access_key (account, "AK");
  octopus_account_set_allow_http (account, allow_http);
  octopus_account_set_path_style (account, TRUE);
  octopus_account_connect_async (account, "s3cret", OCTOPUS_ACCOUNT_CONNECT_NONE, NULL,
                                 result_cb, &pending);
  g_assert_cmpint (octopus_account_get_state (account), !=, OCTOPUS_ACCOUNT_STATE_UNKNOWN);
  result = wait_for (&pending);
  client = octopus_account_connect_finish (account, result, &error);
  g_assert_null (client);
  g_assert_nonnull (error);
  g_test_message ("%s → %s", endpoint, error->message);
  g_assert_nonnull (strstr (error->message, expected));
  g_assert_null (strstr (error->message, "s3cret"));
  g_assert_cmpint (octopus_account_get_state (account), ==, OCTOPUS_ACCOUNT_STATE_FAILED);
  g_assert_cmpstr (octopus_account_get_status_message (account), ==, error->message);
}

static void
test_connect_refused (void)
{
  g_autoptr(GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                            G_SOCKET_PROTOCOL_TCP, NULL);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autofree char *endpoint = NULL;

  /* A port that was just free and is not listening: bind, note the port, close. */
  g_assert_true (g_socket_bind (socket, any, FALSE, NULL));
  bound = g_socket_get_local_address (socket, NULL);
  endpoint = g_strdup_printf ("http://127.0.0.1:%u",
                              g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound)));
  g_socket_close (socket, NULL);
  assert_connect_fails (endpoint, TRUE, "Connection refused");
}

static void
test_connect_unknown_host (void)
{
  /* .invalid never resolves (RFC 6761). */
  assert_connect_fails ("https://octopus-test.invalid", FALSE, "Unknown host");
}

static void
test_connect_insecure_refused (void)
{
  assert_connect_fails ("http://127.0.0.1:9", FALSE, "not encrypted");
}

int
main (int argc, char **argv)
{
  g_autofree char *tmp_home = NULL;
  g_autofree char *config_home = NULL;
  g_autofree char *rm = NULL;
  int status;

  /* The isolated XDG_DATA_DIRS hide the GSettings schemas that the GNOME proxy resolver of
   * glib-networking would read; these tests only talk to 127.0.0.1 and .invalid. */
  g_setenv ("GIO_USE_PROXY_RESOLVER", "dummy", TRUE);
  /* A private XDG_CONFIG_HOME for the whole run (G_TEST_OPTION_ISOLATE_DIRS would do it per
   * test, but GLib 2.74 leaks the old values under LeakSanitizer). */
  tmp_home = g_dir_make_tmp ("octopus-test-account-store-XXXXXX", NULL);
  g_assert_nonnull (tmp_home);
  config_home = g_build_filename (tmp_home, "config", NULL);
  g_setenv ("XDG_CONFIG_HOME", config_home, TRUE);
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/account/presets", test_presets);
  g_test_add_func ("/account/defaults", test_account_defaults);
  g_test_add_func ("/account/validate/names", test_validate_names);
  g_test_add_func ("/account/validate/endpoints", test_validate_endpoints);
  g_test_add_func ("/account/validate/buckets", test_validate_buckets);
  g_test_add_func ("/account/validate/other", test_validate_other_fields);
  g_test_add_func ("/account/default-bucket-name", test_default_bucket_name);
  g_test_add_func ("/account-store/round-trip", test_keyfile_round_trip);
  g_test_add_func ("/account-store/unreadable", test_unreadable_config);
  g_test_add_func ("/account-store/not-utf8-entries", test_not_utf8_entries);
  g_test_add_func ("/account-store/reserved-encoding-key", test_reserved_encoding_key);
  g_test_add_func ("/account-store/add-invalid-writes-nothing", test_add_invalid_writes_nothing);
  g_test_add_func ("/account-store/duplicate", test_duplicate_name);
  g_test_add_func ("/account-store/replace", test_replace);
  g_test_add_func ("/account-connect/update-fails", test_update_connect_fails);
  g_test_add_func ("/account-connect/refused", test_connect_refused);
  g_test_add_func ("/account-connect/unknown-host", test_connect_unknown_host);
  g_test_add_func ("/account-connect/insecure", test_connect_insecure_refused);

  status = g_test_run ();
  rm = g_strdup_printf ("rm -rf '%s'", tmp_home);
  if (system (rm) != 0)
    g_printerr ("# could not remove %s\n", tmp_home);
  return status;
}
