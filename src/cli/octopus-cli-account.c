/* SPDX-License-Identifier: GPL-3.0-or-later */
/* octopus-cli-account.c — `octopus-cli account add|list|remove|test`. */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <glib/gi18n-lib.h>

#include "octopus-account-connect.h"
#include "octopus-account-store.h"
#include "octopus-secret.h"
#include "octopus-cli.h"

const char octopus_cli_account_synopsis[] =
  /* Translators: translate the prose; keep the “octopus-cli …” lines as they are. */
  N_("  octopus-cli account add NAME --endpoint URL --access-key KEY [--region R] [--bucket B]\n"
     "                          [--path-style] [--allow-http] [--provider P]\n"
     "        Add an account. The secret key is read from standard input (one line); it is\n"
     "        never accepted on the command line. The account is checked and its bucket\n"
     "        created (default: octopus-<16 random hex digits>) before anything is saved.\n"
     "  octopus-cli account list\n"
     "        One line per account: NAME, PROVIDER, ENDPOINT, BUCKET, separated by tabs.\n"
     "  octopus-cli account remove NAME\n"
     "        Remove the account and its secret key from the keyring (the bucket stays).\n"
     "  octopus-cli account test [NAME]\n"
     "        Check one account, or all: credentials, bucket, region and ACL support.");

/* ---- helpers ------------------------------------------------------------------- */

static OctopusAccountStore *
load_store (void)
{
  g_autoptr(OctopusAccountStore) store = octopus_account_store_new (NULL);
  g_autoptr(GError) error = NULL;

  if (!octopus_account_store_load (store, &error))
    {
      octopus_cli_error ("%s", error->message);
      return NULL;
    }
  if (octopus_account_store_get_load_error (store) != NULL)
    octopus_cli_error ("%s", octopus_account_store_get_load_error (store)->message);
  return g_steal_pointer (&store);
}

/* Reads one line from stdin without echo on a terminal.  stdin is made unbuffered first so
 * that no copy of the secret is left in stdio's buffer; the line buffer is wiped. */
static char *
read_secret (const char *name, GError **error)
{
  char line[1024];
  g_autofree char *prompt = g_strdup_printf (_("Secret access key for “%s”: "), name);
  char *got;
  size_t len;

  setvbuf (stdin, NULL, _IONBF, 0);
  if (!octopus_cli_read_quiet_line (prompt, line, sizeof line))
    line[0] = '\0';
  len = strlen (line);
  if (len == sizeof line - 1 && line[len - 1] != '\n')
    {
      explicit_bzero (line, sizeof line);
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE,
                   _("The secret key on standard input is too long"));
      return NULL;
    }
  while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
    line[--len] = '\0';
  if (len == 0)
    {
      explicit_bzero (line, sizeof line);
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("No secret key on standard input (give it as one line, e.g. from a "
                     "password manager: “pass show s3 | octopus-cli account add …”)"));
      return NULL;
    }
  got = g_strndup (line, len);
  explicit_bzero (line, sizeof line);
  return got;
}

static const char *
acl_text (OctopusAccount *account)
{
  switch (octopus_account_get_acl_support (account))
    {
    case OCTOPUS_ACL_SUPPORT_YES: return _("ACLs supported");
    case OCTOPUS_ACL_SUPPORT_NO: return _("ACLs not supported here");
    case OCTOPUS_ACL_SUPPORT_UNKNOWN: default: return _("ACL support unknown");
    }
}

static void
warn_if_plain_http (OctopusAccount *account)
{
  if (g_str_has_prefix (octopus_account_get_endpoint (account), "http:"))
    g_printerr (_("Warning: the account “%s” uses plain HTTP; its traffic is not encrypted\n"),
                octopus_account_get_name (account));
}

static gboolean
parse (GOptionContext *context, int *argc, char ***argv)
{
  g_autoptr(GError) error = NULL;

  for (int i = 1; i < *argc; i++)
    if (g_str_has_prefix ((*argv)[i], "--secret"))
      {
        octopus_cli_error (_("the secret key is read from standard input, never from the "
                             "command line"));
        return FALSE;
      }
  if (!g_option_context_parse (context, argc, argv, &error))
    {
      octopus_cli_error ("%s", error->message);
      return FALSE;
    }
  return TRUE;
}

/* ---- add ------------------------------------------------------------------------ */

static int
account_add (int argc, char **argv)
{
  g_autofree char *endpoint = NULL, *access_key = NULL, *region = NULL, *bucket = NULL;
  g_autofree char *provider_id = NULL;
  gboolean path_style = FALSE, allow_http = FALSE;
  const GOptionEntry entries[] = {
    { "endpoint", 0, 0, G_OPTION_ARG_STRING, &endpoint, N_("Service URL"), "URL" },
    { "access-key", 0, 0, G_OPTION_ARG_STRING, &access_key, N_("Access key ID"), "KEY" },
    { "region", 0, 0, G_OPTION_ARG_STRING, &region, N_("Region (default: the provider’s)"), "R" },
    { "bucket", 0, 0, G_OPTION_ARG_STRING, &bucket, N_("Bucket (created when missing)"), "B" },
    { "path-style", 0, 0, G_OPTION_ARG_NONE, &path_style, N_("Path-style addressing"), NULL },
    { "allow-http", 0, 0, G_OPTION_ARG_NONE, &allow_http,
      N_("Allow an unencrypted http:// endpoint"), NULL },
    { "provider", 0, 0, G_OPTION_ARG_STRING, &provider_id,
      N_("aws, minio, ceph, swift, wasabi, b2, r2, gcs or custom"), "P" },
    { NULL }
  };
  g_autoptr(GOptionContext) context =
    g_option_context_new (_("NAME — add an account (secret key on stdin)"));
  g_autoptr(OctopusAccountStore) store = NULL;
  g_autoptr(OctopusAccount) account = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  GAsyncResult *pending = NULL;
  const OctopusProvider *provider;
  char *secret;

  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!parse (context, &argc, &argv))
    return OCTOPUS_CLI_EXIT_USAGE;
  if (argc != 2)
    {
      octopus_cli_error (_("usage: octopus-cli account add NAME --endpoint URL "
                           "--access-key KEY …"));
      return OCTOPUS_CLI_EXIT_USAGE;
    }

  if ((store = load_store ()) == NULL)
    return OCTOPUS_CLI_EXIT_FAILED;

  /* A preset with an endpoint pattern (AWS, Wasabi, B2, GCS) can fill in the endpoint. */
  provider = octopus_provider_lookup (provider_id);
  if (endpoint == NULL && provider != NULL)
    endpoint = octopus_provider_expand_endpoint (provider, region, NULL);
  account = octopus_account_new (argv[1], provider_id, endpoint);
  if (region != NULL)
    octopus_account_set_region (account, region);
  if (path_style)
    octopus_account_set_path_style (account, TRUE);
  octopus_account_set_allow_http (account, allow_http);
  octopus_account_set_access_key (account, access_key);
  octopus_account_set_bucket_or_new (account, bucket);
  if (!octopus_account_store_check_new (store, account, &error))
    {
      octopus_cli_error ("%s", error->message);
      return OCTOPUS_CLI_EXIT_USAGE;
    }

  /* Before asking for the secret or touching the network: is there a keyring to keep it? */
  octopus_secret_check_async (octopus_cli_can_prompt (), NULL, octopus_cli_async_done, &pending);
  result = octopus_cli_wait (&pending);
  if (!octopus_secret_check_finish (result, &error))
    {
      octopus_cli_error (_("cannot add “%s”: %s"), argv[1], error->message);
      return OCTOPUS_CLI_EXIT_FAILED;
    }
  g_clear_object (&result);

  if ((secret = read_secret (argv[1], &error)) == NULL)
    {
      octopus_cli_error ("%s", error->message);
      return OCTOPUS_CLI_EXIT_USAGE;
    }

  /* The same engine call as the window's Save: connect, create the bucket, probe ACLs, and
   * store the account and its secret only when all of that worked. */
  octopus_account_add_async (store, account, secret, NULL, octopus_cli_async_done, &pending);
  octopus_secret_free (secret);
  result = octopus_cli_wait (&pending);
  if (!octopus_account_add_finish (account, result, &error))
    {
      octopus_cli_error (_("cannot add “%s”: %s"), argv[1], error->message);
      return OCTOPUS_CLI_EXIT_FAILED;
    }

  printf (_("Added account “%s”: bucket %s at %s (region %s, %s)\n"),
          octopus_account_get_name (account), octopus_account_get_bucket (account),
          octopus_account_get_endpoint (account), octopus_account_get_region (account),
          acl_text (account));
  warn_if_plain_http (account);
  return OCTOPUS_CLI_EXIT_OK;
}

/* ---- list ------------------------------------------------------------------------ */

static int
account_list (int argc, char **argv)
{
  g_autoptr(GOptionContext) context = g_option_context_new (_("— list the accounts"));
  g_autoptr(OctopusAccountStore) store = NULL;
  guint n;

  if (!parse (context, &argc, &argv))
    return OCTOPUS_CLI_EXIT_USAGE;
  if (argc != 1)
    {
      octopus_cli_error (_("usage: octopus-cli account list"));
      return OCTOPUS_CLI_EXIT_USAGE;
    }
  if ((store = load_store ()) == NULL)
    return OCTOPUS_CLI_EXIT_FAILED;

  n = g_list_model_get_n_items (G_LIST_MODEL (store));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(OctopusAccount) account = g_list_model_get_item (G_LIST_MODEL (store), i);
      const char *bucket = octopus_account_get_bucket (account);

      printf ("%s\t%s\t%s\t%s\n", octopus_account_get_name (account),
              octopus_account_get_provider_id (account), octopus_account_get_endpoint (account),
              bucket != NULL ? bucket : "");
    }
  return OCTOPUS_CLI_EXIT_OK;
}

/* ---- remove ---------------------------------------------------------------------- */

static int
account_remove (int argc, char **argv)
{
  g_autoptr(GOptionContext) context = g_option_context_new (_("NAME — remove an account"));
  g_autoptr(OctopusAccountStore) store = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  GAsyncResult *pending = NULL;

  if (!parse (context, &argc, &argv))
    return OCTOPUS_CLI_EXIT_USAGE;
  if (argc != 2)
    {
      octopus_cli_error (_("usage: octopus-cli account remove NAME"));
      return OCTOPUS_CLI_EXIT_USAGE;
    }
  if ((store = load_store ()) == NULL)
    return OCTOPUS_CLI_EXIT_FAILED;

  octopus_account_store_remove_async (store, argv[1], NULL, octopus_cli_async_done, &pending);
  result = octopus_cli_wait (&pending);
  if (!octopus_account_store_remove_finish (store, result, &error))
    {
      octopus_cli_error (_("cannot remove “%s”: %s"), argv[1], error->message);
      return OCTOPUS_CLI_EXIT_FAILED;
    }
  printf (_("Removed account “%s” (its bucket and objects are left on the service)\n"),
          argv[1]);
  return OCTOPUS_CLI_EXIT_OK;
}

/* ---- test ------------------------------------------------------------------------ */

/* TRUE when @account connected; prints one line either way. */
static gboolean
test_one (OctopusAccount *account)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  GAsyncResult *pending = NULL;

  /* No bucket creation here: "test" reports, it does not repair. */
  octopus_account_connect_async (account, NULL, OCTOPUS_ACCOUNT_CONNECT_PROBE_ACL, NULL,
                                 octopus_cli_async_done, &pending);
  result = octopus_cli_wait (&pending);
  if (!octopus_account_connect_check_finish (account, result, &error))
    {
      printf (_("%s: FAILED: %s\n"), octopus_account_get_name (account), error->message);
      return FALSE;
    }
  printf (_("%s: OK: bucket %s at %s (region %s, %s)\n"), octopus_account_get_name (account),
          octopus_account_get_bucket (account), octopus_account_get_endpoint (account),
          octopus_account_get_region (account), acl_text (account));
  warn_if_plain_http (account);
  return TRUE;
}

static int
account_test (int argc, char **argv)
{
  g_autoptr(GOptionContext) context =
    g_option_context_new (_("[NAME] — check one account or all"));
  g_autoptr(OctopusAccountStore) store = NULL;
  g_autoptr(GPtrArray) accounts = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) regions = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  gboolean all_ok = TRUE, changed = FALSE;

  if (!parse (context, &argc, &argv))
    return OCTOPUS_CLI_EXIT_USAGE;
  if (argc > 2)
    {
      octopus_cli_error (_("usage: octopus-cli account test [NAME]"));
      return OCTOPUS_CLI_EXIT_USAGE;
    }
  if ((store = load_store ()) == NULL)
    return OCTOPUS_CLI_EXIT_FAILED;

  if (argc == 2)
    {
      OctopusAccount *account = octopus_account_store_lookup (store, argv[1]);
      if (account == NULL)
        {
          octopus_cli_error (_("there is no account named “%s”"), argv[1]);
          return OCTOPUS_CLI_EXIT_FAILED;
        }
      g_ptr_array_add (accounts, g_object_ref (account));
    }
  else
    for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (store)); i++)
      g_ptr_array_add (accounts, g_list_model_get_item (G_LIST_MODEL (store), i));

  if (accounts->len == 0)
    g_printerr (_("There are no accounts; add one with “octopus-cli account add”.\n"));

  for (guint i = 0; i < accounts->len; i++)
    {
      OctopusAccount *account = g_ptr_array_index (accounts, i);
      g_autofree char *region = g_strdup (octopus_account_get_region (account));

      if (!test_one (account))
        all_ok = FALSE;
      changed |= g_strcmp0 (region, octopus_account_get_region (account)) != 0;
    }

  /* Keep a region the service told us about, so the next run goes straight there. */
  if (changed && !octopus_account_store_save (store, &error))
    octopus_cli_error ("%s", error->message);

  return all_ok ? OCTOPUS_CLI_EXIT_OK : OCTOPUS_CLI_EXIT_FAILED;
}

/* ---- dispatch ------------------------------------------------------------------- */

int
octopus_cli_account (int argc, char **argv)
{
  static const struct {
    const char *name;
    int (*run) (int argc, char **argv);
  } subcommands[] = {
    { "add", account_add },
    { "list", account_list },
    { "remove", account_remove },
    { "test", account_test },
  };

  if (argc >= 2 && (g_str_equal (argv[1], "--help") || g_str_equal (argv[1], "-h")))
    {
      printf ("%s\n", _(octopus_cli_account_synopsis));
      return OCTOPUS_CLI_EXIT_OK;
    }
  for (guint i = 0; argc >= 2 && i < G_N_ELEMENTS (subcommands); i++)
    if (g_str_equal (argv[1], subcommands[i].name))
      {
        int status = subcommands[i].run (argc - 1, argv + 1);

        octopus_secret_disconnect ();
        return status;
      }

  octopus_cli_error (_("usage: octopus-cli account add|list|remove|test …; "
                       "see “octopus-cli --help”"));
  return OCTOPUS_CLI_EXIT_USAGE;
}
