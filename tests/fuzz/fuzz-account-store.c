/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fuzz-account-store.c — libFuzzer target: the account config loader on an arbitrary
 * accounts.ini.
 *
 * The config file is user-writable and may be damaged or hand-edited; loading it must give
 * accounts or a clean error, and every account it yields must survive validation, a save and
 * a reload (the saved file loads, with the same accounts field by field) — never a crash,
 * leak or GLib critical.
 */
#include <stdint.h>
#include <unistd.h>
#include <glib.h>

#include "fuzz-common.h"
#include <glib/gstdio.h>

#include "octopus-account-store.h"

int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static char *dir;
static char *in_path;

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  fuzz_init_logging ();
  dir = g_dir_make_tmp ("octopus-fuzz-accounts-XXXXXX", NULL);
  if (dir == NULL)
    g_error ("cannot make a temporary folder");
  in_path = g_build_filename (dir, "accounts.ini", NULL);
  return 0;
}

/* The first persisted field in which @a and @b differ, or NULL. */
static const char *
account_difference (OctopusAccount *a, OctopusAccount *b)
{
#define SAME_STRING(getter) \
  if (g_strcmp0 (octopus_account_get_##getter (a), octopus_account_get_##getter (b)) != 0) \
    return #getter
  SAME_STRING (name);
  SAME_STRING (provider_id);
  SAME_STRING (endpoint);
  SAME_STRING (region);
  SAME_STRING (bucket);
  SAME_STRING (access_key);
#undef SAME_STRING
  if (octopus_account_get_path_style (a) != octopus_account_get_path_style (b))
    return "path-style";
  if (octopus_account_get_allow_http (a) != octopus_account_get_allow_http (b))
    return "allow-http";
  if (octopus_account_get_acl_support (a) != octopus_account_get_acl_support (b))
    return "ACL support";
  return NULL;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  OctopusAccountStore *store;
  GError *error = NULL;
  guint n;

  if (!g_file_set_contents (in_path, (const char *) data, size, NULL))
    g_error ("cannot write %s", in_path);

  store = octopus_account_store_new (in_path);
  if (!octopus_account_store_load (store, &error))
    {
      if (error == NULL || error->message == NULL)
        g_error ("load failed without an error");
      g_clear_error (&error);
      g_object_unref (store);
      return 0;
    }

  n = g_list_model_get_n_items (G_LIST_MODEL (store));
  for (guint i = 0; i < n; i++)
    {
      OctopusAccount *account = g_list_model_get_item (G_LIST_MODEL (store), i);
      const char *name = octopus_account_get_name (account);

      if (name == NULL || !g_utf8_validate (name, -1, NULL))
        g_error ("an account name that is not UTF-8 came out of the loader");
      (void) octopus_account_get_endpoint (account);
      (void) octopus_account_get_provider (account);
      if (!octopus_account_validate (account, &error))
        g_clear_error (&error);
      g_object_unref (account);
    }

  /* What was loaded must round-trip: a file Octopus saved (over our temporary copy) must
   * load again, with the same accounts in the same order. */
  if (octopus_account_store_save (store, &error))
    {
      OctopusAccountStore *again = octopus_account_store_new (in_path);

      if (!octopus_account_store_load (again, &error))
        g_error ("a file Octopus saved does not load: %s", error->message);
      if (g_list_model_get_n_items (G_LIST_MODEL (again)) != n)
        g_error ("save and reload changed the number of accounts (%u → %u)",
                 n, g_list_model_get_n_items (G_LIST_MODEL (again)));
      for (guint i = 0; i < n; i++)
        {
          OctopusAccount *a = g_list_model_get_item (G_LIST_MODEL (store), i);
          OctopusAccount *b = g_list_model_get_item (G_LIST_MODEL (again), i);
          const char *what = account_difference (a, b);

          if (what != NULL)
            g_error ("save and reload changed the %s of account %u", what, i);
          g_object_unref (a);
          g_object_unref (b);
        }
      g_object_unref (again);
    }
  else
    g_clear_error (&error);

  g_object_unref (store);
  return 0;
}
