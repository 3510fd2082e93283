/* SPDX-License-Identifier: GPL-3.0-or-later */
/* octopus-cli-array.c — `octopus-cli status|repair|delete|download`: the array from the
 * configured accounts, refreshed, then one operation on every service (acl: octopus-cli-acl.c). */
#include "config.h"

#include <stdio.h>
#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>

#include "octopus-array.h"
#include "octopus-service-loader.h"
#include "octopus-cli.h"
#include "octopus-cli-array.h"
#include "octopus-cli-crypt.h"

const char octopus_cli_status_synopsis[] =
  /* Translators: translate the prose; keep the “octopus-cli …” lines as they are. */
  N_("  octopus-cli status [--json] [--deep]\n"
     "        One row per key: KEY, SIZE, overall state, then NAME=STATE per service.\n"
     "        States: in-sync, missing, differs, unknown-hash, unreachable, transferring.\n"
     "        --deep downloads and hashes copies without a comparable MD5.");
const char octopus_cli_download_synopsis[] =
  /* Translators: translate the prose; keep the “octopus-cli …” lines as they are. */
  N_("  octopus-cli download KEY... --to DIR [--bwlimit RATE]\n"
     "        Download, verified against the MD5, from the first good replica (falling back\n"
     "        to the next). Keys are mapped to paths inside DIR: \"..\", \".\", empty parts and\n"
     "        leading slashes are dropped, control bytes become \"_\": nothing lands outside DIR.\n"
     "        --bwlimit caps the rate of all downloads together (5M = 5 MiB/s; off = no limit).");
const char octopus_cli_delete_synopsis[] =
  /* Translators: translate the prose; keep the “octopus-cli …” lines as they are. */
  N_("  octopus-cli delete KEY... | delete --all --yes\n"
     "        Delete the keys on every service (--all: every key, only with --yes).");
const char octopus_cli_repair_synopsis[] =
  /* Translators: translate the prose; keep the “octopus-cli …” lines as they are. */
  N_("  octopus-cli repair [KEY...] [--bwlimit RATE]\n"
     "        Copy a good replica to the services where a key is missing or differs.\n"
     "        Never deletes anything. --bwlimit caps reading and writing, each (5M = 5 MiB/s).");

/* ---- shared ----------------------------------------------------------------------------- */

/* Loads the services and builds the array, refreshed unless @refresh is FALSE; NULL (message
 * printed) on failure. */
OctopusArray *
octopus_cli_load_array (gboolean                 refresh,
                        OctopusArrayRefreshFlags flags)
{
  GAsyncResult *pending = NULL;
  g_autoptr(GAsyncResult) res = NULL;
  g_autoptr(GAsyncResult) res2 = NULL;
  g_autoptr(GPtrArray) services = NULL;
  g_autoptr(OctopusArray) array = NULL;
  g_autoptr(GError) error = NULL;

  octopus_services_load_async (NULL, octopus_cli_async_done, &pending);
  res = octopus_cli_wait (&pending);
  services = octopus_services_load_finish (res, &error);
  if (services == NULL)
    {
      octopus_cli_error ("%s", error->message);
      return NULL;
    }
  if (services->len == 0)
    {
      octopus_cli_error ("%s", _("no accounts; add one with “octopus-cli account add”"));
      return NULL;
    }

  array = octopus_array_new (services);
  if (!refresh)
    return g_steal_pointer (&array);
  octopus_array_refresh_async (array, flags, NULL, octopus_cli_async_done, &pending);
  res2 = octopus_cli_wait (&pending);
  if (!octopus_array_refresh_finish (array, res2, &error))
    {
      octopus_cli_error ("%s", error->message);
      return NULL;
    }
  return g_steal_pointer (&array);
}

/* Prints every unreachable service on stderr; TRUE when there was one. */
gboolean
octopus_cli_report_unreachable (OctopusArray *array)
{
  gboolean any = FALSE;

  for (guint i = 0; i < octopus_array_get_n_services (array); i++)
    {
      OctopusService *service = octopus_array_get_service (array, i);
      const GError *error = octopus_service_get_last_error (service);

      if (error != NULL)
        {
          octopus_cli_error (_("%s: unreachable: %s"), octopus_service_get_name (service),
                             error->message);
          any = TRUE;
        }
    }
  return any;
}

/* @b's root, pretty-printed on stdout: what every --json prints. */
void
octopus_cli_print_json (JsonBuilder *b)
{
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autoptr(JsonNode) root = json_builder_get_root (b);
  g_autofree char *text = NULL;

  json_generator_set_root (gen, root);
  json_generator_set_pretty (gen, TRUE);
  text = json_generator_to_data (gen, NULL);
  printf ("%s\n", text);
}

/* One line per result; failures on stderr.  → the exit status. */
int
octopus_cli_print_results (GPtrArray *results)
{
  for (guint i = 0; i < results->len; i++)
    {
      OctopusArrayResult *r = g_ptr_array_index (results, i);
      const char *status = octopus_result_status_to_string (r->status);
      g_autofree char *name = octopus_cli_crypt_shown_name (r->key);
      g_autofree char *line =
        g_strdup_printf ("%s\t%s\t%s%s%s", name ? name : "-", r->service ? r->service : "-",
                         status, r->message ? ": " : "", r->message ? r->message : "");

      if (r->status == OCTOPUS_RESULT_FAILED || r->status == OCTOPUS_RESULT_UNREACHABLE)
        g_printerr ("%s\n", line);
      else
        printf ("%s\n", line);
    }
  return octopus_array_results_have_failures (results) ? OCTOPUS_CLI_EXIT_FAILED
                                                       : OCTOPUS_CLI_EXIT_OK;
}

/* Parses @entries out of argv (GOption); FALSE → usage error already printed. */
gboolean
octopus_cli_parse_options (int          *argc,
                           char       ***argv,
                           const char   *parameters,
                           const char   *synopsis,
                           GOptionEntry *entries)
{
  g_autoptr(GOptionContext) context = g_option_context_new (parameters);
  g_autoptr(GError) error = NULL;

  g_option_context_set_description (context, synopsis);
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, argc, argv, &error))
    {
      octopus_cli_error ("%s", error->message);
      return FALSE;
    }
  return TRUE;
}

/* ---- status ----------------------------------------------------------------------------- */

/* "layout": "mirror", or "erasure" with "k" and "m". */
static void
add_layout_json (JsonBuilder *b, OctopusObject *row)
{
  guint k, m;
  gboolean erasure = octopus_object_get_erasure (row, &k, &m);

  json_builder_set_member_name (b, "layout");
  json_builder_add_string_value (b, erasure ? "erasure" : "mirror");
  if (!erasure)
    return;
  json_builder_set_member_name (b, "k");
  json_builder_add_int_value (b, k);
  json_builder_set_member_name (b, "m");
  json_builder_add_int_value (b, m);
}

static void
add_service_json (JsonBuilder   *b,
                  OctopusObject *row,
                  guint          i)
{
  json_builder_set_member_name (b, octopus_object_get_service_name (row, i));
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "state");
  json_builder_add_string_value (b, octopus_object_state_to_string (
                                      octopus_object_get_service_state (row, i)));
  json_builder_set_member_name (b, "etag");
  if (octopus_object_get_service_present (row, i))
    json_builder_add_string_value (b, octopus_object_get_service_etag (row, i));
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "size");
  if (octopus_object_get_service_present (row, i))
    json_builder_add_int_value (b, octopus_object_get_service_size (row, i));
  else
    json_builder_add_null_value (b);
  json_builder_end_object (b);
}

/* "key" is the plaintext name; with keys in the keyring, also "stored_key" (what the services
 * hold) and "encrypted": "decrypted" (the name decrypts; "size" is the plaintext's) or
 * "unreadable" (it does not: an unencrypted object, or another passphrase's). */
static void
add_name_json (JsonBuilder   *b,
               OctopusObject *row)
{
  const char *key = octopus_object_get_key (row);
  g_autofree char *name = octopus_cli_crypt_name_of (key);
  gint64 size = octopus_object_get_size (row);
  guint64 plain = 0;

  json_builder_set_member_name (b, "key");
  json_builder_add_string_value (b, name != NULL ? name : key);
  if (octopus_cli_crypt_keys (FALSE, NULL) != NULL)
    {
      json_builder_set_member_name (b, "stored_key");
      json_builder_add_string_value (b, key);
      json_builder_set_member_name (b, "encrypted");
      json_builder_add_string_value (b, name != NULL ? "decrypted" : "unreadable");
      json_builder_set_member_name (b, "stored_size");
      json_builder_add_int_value (b, size);
    }
  if (name != NULL && size >= 0 && octopus_crypt_decrypted_size ((guint64) size, &plain, NULL))
    size = (gint64) plain;
  json_builder_set_member_name (b, "size");
  json_builder_add_int_value (b, size);
}

static void
print_status_json (OctopusArray *array)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  GListModel *model = G_LIST_MODEL (octopus_array_get_table (array));

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "services");
  json_builder_begin_array (b);
  for (guint i = 0; i < octopus_array_get_n_services (array); i++)
    {
      OctopusService *service = octopus_array_get_service (array, i);

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "name");
      json_builder_add_string_value (b, octopus_service_get_name (service));
      json_builder_set_member_name (b, "reachable");
      json_builder_add_boolean_value (b, octopus_service_get_reachable (service));
      json_builder_end_object (b);
    }
  json_builder_end_array (b);

  json_builder_set_member_name (b, "objects");
  json_builder_begin_array (b);
  for (guint r = 0; r < g_list_model_get_n_items (model); r++)
    {
      g_autoptr(OctopusObject) row = g_list_model_get_item (model, r);

      json_builder_begin_object (b);
      add_name_json (b, row);
      json_builder_set_member_name (b, "md5");
      if (octopus_object_get_md5 (row) != NULL)
        json_builder_add_string_value (b, octopus_object_get_md5 (row));
      else
        json_builder_add_null_value (b);
      json_builder_set_member_name (b, "state");
      json_builder_add_string_value (b, octopus_object_state_to_string (
                                          octopus_object_get_state (row)));
      add_layout_json (b, row);
      json_builder_set_member_name (b, "services");
      json_builder_begin_object (b);
      for (guint i = 0; i < octopus_object_get_n_services (row); i++)
        add_service_json (b, row, i);
      json_builder_end_object (b);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
  octopus_cli_print_json (b);
}

static void
print_status_text (OctopusArray *array)
{
  GListModel *model = G_LIST_MODEL (octopus_array_get_table (array));

  for (guint r = 0; r < g_list_model_get_n_items (model); r++)
    {
      g_autoptr(OctopusObject) row = g_list_model_get_item (model, r);
      GString *line = g_string_new (NULL);
      g_autofree char *name = octopus_cli_crypt_name_of (octopus_object_get_key (row));
      gint64 size = octopus_object_get_size (row);
      guint64 plain = 0;

      if (name != NULL && size >= 0 && octopus_crypt_decrypted_size ((guint64) size, &plain, NULL))
        size = (gint64) plain;
      g_string_append_printf (line, "%s\t%" G_GINT64_FORMAT "\t%s",
                              name != NULL ? name : octopus_object_get_key (row), size,
                              octopus_object_state_to_string (octopus_object_get_state (row)));
      for (guint i = 0; i < octopus_object_get_n_services (row); i++)
        g_string_append_printf (line, "\t%s=%s", octopus_object_get_service_name (row, i),
                                octopus_object_state_to_string (
                                  octopus_object_get_service_state (row, i)));
      printf ("%s\n", line->str);
      g_string_free (line, TRUE);
    }
}

int
octopus_cli_status (int    argc,
                    char **argv)
{
  gboolean json = FALSE, deep = FALSE;
  GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print one JSON document"), NULL },
    { "deep", 0, 0, G_OPTION_ARG_NONE, &deep, N_("Hash copies that have no comparable MD5"), NULL },
    { NULL }
  };
  g_autoptr(OctopusArray) array = NULL;
  gboolean unreachable;

  if (!octopus_cli_parse_options (&argc, &argv, "", _(octopus_cli_status_synopsis), entries))
    return OCTOPUS_CLI_EXIT_USAGE;
  if (argc > 1)
    {
      octopus_cli_error (_("status takes no arguments"));
      return OCTOPUS_CLI_EXIT_USAGE;
    }

  array = octopus_cli_load_array (TRUE, deep ? OCTOPUS_ARRAY_REFRESH_DEEP
                                             : OCTOPUS_ARRAY_REFRESH_NONE);
  if (array == NULL)
    return OCTOPUS_CLI_EXIT_FAILED;
  unreachable = octopus_cli_report_unreachable (array);
  if (json)
    print_status_json (array);
  else
    print_status_text (array);
  return unreachable ? OCTOPUS_CLI_EXIT_FAILED : OCTOPUS_CLI_EXIT_OK;
}

/* ---- repair ----------------------------------------------------------------------------- */

int
octopus_cli_repair (int    argc,
                    char **argv)
{
  GOptionEntry entries[] = { OCTOPUS_CLI_BWLIMIT_ENTRY, { NULL } };
  g_autoptr(OctopusArray) array = NULL;
  g_autoptr(GAsyncResult) res = NULL;
  g_autoptr(GPtrArray) results = NULL;
  g_autoptr(GError) error = NULL;
  GAsyncResult *pending = NULL;

  if (!octopus_cli_parse_options (&argc, &argv, "[KEY…]", _(octopus_cli_repair_synopsis),
                                  entries))
    return OCTOPUS_CLI_EXIT_USAGE;

  array = octopus_cli_load_array (TRUE, OCTOPUS_ARRAY_REFRESH_NONE);
  if (array == NULL)
    return OCTOPUS_CLI_EXIT_FAILED;
  octopus_cli_crypt_map_names (array, argv, 1, argc);
  octopus_array_repair_async (array, argc > 1 ? (const char * const *) argv + 1 : NULL, NULL,
                              octopus_cli_async_done, &pending);
  res = octopus_cli_wait (&pending);
  results = octopus_array_repair_finish (array, res, &error);
  if (results == NULL)
    {
      octopus_cli_error ("%s", error->message);
      return OCTOPUS_CLI_EXIT_FAILED;
    }
  return octopus_cli_print_results (results);
}

/* ---- delete ----------------------------------------------------------------------------- */

int
octopus_cli_delete (int    argc,
                    char **argv)
{
  gboolean all = FALSE, yes = FALSE;
  GOptionEntry entries[] = {
    { "all", 0, 0, G_OPTION_ARG_NONE, &all, N_("Delete every key"), NULL },
    { "yes", 0, 0, G_OPTION_ARG_NONE, &yes, N_("Confirm --all"), NULL },
    { NULL }
  };
  g_autoptr(OctopusArray) array = NULL;
  g_autoptr(GAsyncResult) res = NULL;
  g_autoptr(GPtrArray) results = NULL;
  g_autoptr(GPtrArray) keys = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  GAsyncResult *pending = NULL;
  gboolean unreachable;

  if (!octopus_cli_parse_options (&argc, &argv, "KEY… | --all --yes",
                                  _(octopus_cli_delete_synopsis), entries))
    return OCTOPUS_CLI_EXIT_USAGE;
  if (all && !yes)
    {
      octopus_cli_error (_("--all deletes every object on every service; add --yes to confirm"));
      return OCTOPUS_CLI_EXIT_USAGE;
    }
  if (all == (argc > 1))
    {
      octopus_cli_error (_("give the keys to delete, or --all --yes"));
      return OCTOPUS_CLI_EXIT_USAGE;
    }

  array = octopus_cli_load_array (TRUE, OCTOPUS_ARRAY_REFRESH_NONE);
  if (array == NULL)
    return OCTOPUS_CLI_EXIT_FAILED;
  unreachable = octopus_cli_report_unreachable (array);

  if (all)
    {
      GListModel *model = G_LIST_MODEL (octopus_array_get_table (array));
      for (guint i = 0; i < g_list_model_get_n_items (model); i++)
        {
          g_autoptr(OctopusObject) row = g_list_model_get_item (model, i);
          g_ptr_array_add (keys, g_strdup (octopus_object_get_key (row)));
        }
    }
  else
    {
      octopus_cli_crypt_map_names (array, argv, 1, argc);
      for (int i = 1; i < argc; i++)
        g_ptr_array_add (keys, g_strdup (argv[i]));
    }
  g_ptr_array_add (keys, NULL);

  octopus_array_delete_async (array, (const char * const *) keys->pdata, NULL,
                              octopus_cli_async_done, &pending);
  res = octopus_cli_wait (&pending);
  results = octopus_array_delete_finish (array, res, &error);
  if (results == NULL)
    {
      octopus_cli_error ("%s", error->message);
      return OCTOPUS_CLI_EXIT_FAILED;
    }
  if (octopus_cli_print_results (results) != OCTOPUS_CLI_EXIT_OK || unreachable)
    return OCTOPUS_CLI_EXIT_FAILED;
  return OCTOPUS_CLI_EXIT_OK;
}

/* ---- download --------------------------------------------------------------------------- */

/* A copy that failed before a good one was found is worth saying, with the copy that served:
 * "KEY: downloaded from swift; px: the copy was cut off: …". */
static void
print_download_fallback (const char *printable_key,
                         GPtrArray  *results)
{
  g_autoptr(GString) failed = g_string_new (NULL);
  const char *served = NULL;

  for (guint j = 0; results != NULL && j < results->len; j++)
    {
      OctopusArrayResult *r = g_ptr_array_index (results, j);

      if (r->status == OCTOPUS_RESULT_FAILED)
        g_string_append_printf (failed, "; %s", r->message);
      else
        served = r->service;
    }
  if (failed->len > 0 && served != NULL)
    octopus_cli_error (_("%s: downloaded from %s%s"), printable_key, served, failed->str);
}

int
octopus_cli_download (int    argc,
                      char **argv)
{
  g_autofree char *to = NULL;
  GOptionEntry entries[] = {
    { "to", 0, 0, G_OPTION_ARG_FILENAME, &to, N_("Folder to download into"), N_("DIR") },
    OCTOPUS_CLI_BWLIMIT_ENTRY,
    { NULL }
  };
  g_autoptr(OctopusArray) array = NULL;
  int status = OCTOPUS_CLI_EXIT_OK;

  if (!octopus_cli_parse_options (&argc, &argv, "KEY… --to DIR",
                                  _(octopus_cli_download_synopsis), entries))
    return OCTOPUS_CLI_EXIT_USAGE;
  if (to == NULL || argc < 2)
    {
      octopus_cli_error (_("usage: octopus-cli download KEY... --to DIR"));
      return OCTOPUS_CLI_EXIT_USAGE;
    }
  if (!g_file_test (to, G_FILE_TEST_IS_DIR))
    {
      octopus_cli_error (_("%s is not a folder"), to);
      return OCTOPUS_CLI_EXIT_USAGE;
    }

  array = octopus_cli_load_array (TRUE, OCTOPUS_ARRAY_REFRESH_NONE);
  if (array == NULL)
    return OCTOPUS_CLI_EXIT_FAILED;

  for (int i = 1; i < argc; i++)
    {
      g_autoptr(GAsyncResult) res = NULL;
      g_autoptr(GPtrArray) results = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *path = NULL;
      g_autofree char *printable = NULL;
      GAsyncResult *pending = NULL;
      char *key = argv[i];

      octopus_cli_crypt_map_names (array, &key, 0, 1);   /* the stored key of name argv[i] */
      printable = octopus_cli_printable_key (argv[i]);
      if (octopus_cli_crypt_is_encrypted (key))
        path = octopus_cli_crypt_download (array, key, argv[i], to, &results, &error);
      else if (octopus_cli_crypt_keys (FALSE, NULL) != NULL
               && octopus_cli_crypt_is_sealed (array, key))
        /* Never the ciphertext under a plaintext's name. */
        error = g_error_new (OCTOPUS_CRYPT_ERROR, OCTOPUS_CRYPT_ERROR_PASSPHRASE,
                             _("%s is encrypted, but its name does not decrypt with the "
                               "passphrase in the keyring: it was encrypted with another "
                               "passphrase"), printable);
      else
        {
          octopus_array_download_async (array, key, to, NULL, octopus_cli_async_done, &pending);
          res = octopus_cli_wait (&pending);
          path = octopus_array_download_finish (array, res, &results, &error);
        }
      if (path == NULL)
        {
          for (guint j = 0; results != NULL && j < results->len; j++)
            {
              OctopusArrayResult *r = g_ptr_array_index (results, j);
              if (r->status == OCTOPUS_RESULT_FAILED)
                octopus_cli_error ("%s: %s", printable, r->message);
            }
          octopus_cli_error ("%s: %s", printable, error->message);
          status = OCTOPUS_CLI_EXIT_FAILED;
          continue;
        }
      print_download_fallback (printable, results);
      printf ("%s\t%s\n", printable, path);
    }
  return status;
}
