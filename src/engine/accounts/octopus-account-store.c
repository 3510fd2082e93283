/* SPDX-License-Identifier: GPL-3.0-or-later */
/* octopus-account-store.c — accounts.ini + keyring, exposed as a GListModel. */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "octopus-account-store.h"
#include "octopus-secret.h"

#define GROUP_PREFIX "Account "

struct _OctopusAccountStore
{
  GObject parent_instance;

  char      *path;
  GPtrArray *accounts;   /* of OctopusAccount, in file order */
  GError    *load_error; /* why the last load failed, or skipped entries; NULL when clean */
};

static void octopus_account_store_list_model_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (OctopusAccountStore, octopus_account_store, G_TYPE_OBJECT,
                         G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL,
                                                octopus_account_store_list_model_init))

/* ---- GListModel ------------------------------------------------------------ */

static GType
list_get_item_type (GListModel *model)
{
  return OCTOPUS_TYPE_ACCOUNT;
}

static guint
list_get_n_items (GListModel *model)
{
  return OCTOPUS_ACCOUNT_STORE (model)->accounts->len;
}

static gpointer
list_get_item (GListModel *model, guint position)
{
  OctopusAccountStore *self = OCTOPUS_ACCOUNT_STORE (model);

  if (position >= self->accounts->len)
    return NULL;
  return g_object_ref (g_ptr_array_index (self->accounts, position));
}

static void
octopus_account_store_list_model_init (GListModelInterface *iface)
{
  iface->get_item_type = list_get_item_type;
  iface->get_n_items = list_get_n_items;
  iface->get_item = list_get_item;
}

/* ---- object ------------------------------------------------------------------ */

static void
octopus_account_store_finalize (GObject *object)
{
  OctopusAccountStore *self = OCTOPUS_ACCOUNT_STORE (object);

  g_free (self->path);
  g_clear_error (&self->load_error);
  g_ptr_array_unref (self->accounts);
  G_OBJECT_CLASS (octopus_account_store_parent_class)->finalize (object);
}

static void
octopus_account_store_class_init (OctopusAccountStoreClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = octopus_account_store_finalize;
}

static void
octopus_account_store_init (OctopusAccountStore *self)
{
  self->accounts = g_ptr_array_new_with_free_func (g_object_unref);
}

char *
octopus_account_store_get_default_path (void)
{
  return g_build_filename (g_get_user_config_dir (), "octopus", "accounts.ini", NULL);
}

OctopusAccountStore *
octopus_account_store_new (const char *path)
{
  OctopusAccountStore *self = g_object_new (OCTOPUS_TYPE_ACCOUNT_STORE, NULL);

  self->path = path != NULL ? g_strdup (path) : octopus_account_store_get_default_path ();
  return self;
}

const char *
octopus_account_store_get_path (OctopusAccountStore *self)
{
  g_return_val_if_fail (OCTOPUS_IS_ACCOUNT_STORE (self), NULL);
  return self->path;
}

OctopusAccount *
octopus_account_store_lookup (OctopusAccountStore *self, const char *name)
{
  g_return_val_if_fail (OCTOPUS_IS_ACCOUNT_STORE (self), NULL);

  for (guint i = 0; name != NULL && i < self->accounts->len; i++)
    {
      OctopusAccount *account = g_ptr_array_index (self->accounts, i);
      if (g_str_equal (octopus_account_get_name (account), name))
        return account;
    }
  return NULL;
}

/* ---- the file ---------------------------------------------------------------- */

/* One optional string of @group: TRUE with *@out NULL when the key is absent; FALSE when it
 * is present but cannot be read (GKeyFile refuses a value that is not UTF-8). */
static gboolean
read_string (GKeyFile *keyfile, const char *group, const char *key, char **out, GError **error)
{
  g_autoptr(GError) local_error = NULL;

  *out = g_key_file_get_string (keyfile, group, key, &local_error);
  if (*out != NULL || g_error_matches (local_error, G_KEY_FILE_ERROR,
                                       G_KEY_FILE_ERROR_KEY_NOT_FOUND))
    return TRUE;
  /* The name was checked first: it is UTF-8 here. */
  g_set_error (error, OCTOPUS_ACCOUNT_ERROR, OCTOPUS_ACCOUNT_ERROR_CONFIG,
               _("The account “%s” has an unreadable “%s” (%s)"),
               group + strlen (GROUP_PREFIX), key, local_error->message);
  return FALSE;
}

/* The account of one [Account NAME] group, or NULL with @error saying why it cannot be
 * used.  Everything that reaches the UI, the keyring and the S3 layer must be UTF-8: the
 * name (GKeyFile does not check group names) and every string field. */
static OctopusAccount *
account_from_group (GKeyFile *keyfile, const char *group, GError **error)
{
  const char *name = group + strlen (GROUP_PREFIX);
  g_autofree char *provider = NULL, *endpoint = NULL, *region = NULL, *bucket = NULL;
  g_autofree char *access_key = NULL;
  OctopusAccount *account;

  if (!g_utf8_validate (name, -1, NULL))
    {
      g_autofree char *shown = g_utf8_make_valid (name, -1);
      g_set_error (error, OCTOPUS_ACCOUNT_ERROR, OCTOPUS_ACCOUNT_ERROR_CONFIG,
                   _("The account name “%s” is not valid UTF-8"), shown);
      return NULL;
    }
  if (!read_string (keyfile, group, "provider", &provider, error) ||
      !read_string (keyfile, group, "endpoint", &endpoint, error) ||
      !read_string (keyfile, group, "region", &region, error) ||
      !read_string (keyfile, group, "bucket", &bucket, error) ||
      !read_string (keyfile, group, "access-key", &access_key, error))
    return NULL;
  if (endpoint == NULL || provider == NULL)
    {
      g_set_error (error, OCTOPUS_ACCOUNT_ERROR, OCTOPUS_ACCOUNT_ERROR_CONFIG,
                   _("The account “%s” lacks its provider or endpoint"), name);
      return NULL;
    }

  account = octopus_account_new (name, provider, endpoint);
  if (region != NULL)
    octopus_account_set_region (account, region);
  octopus_account_set_bucket (account, bucket);
  octopus_account_set_access_key (account, access_key);
  octopus_account_set_path_style (account,
                                  g_key_file_get_boolean (keyfile, group, "path-style", NULL));
  octopus_account_set_allow_http (account,
                                  g_key_file_get_boolean (keyfile, group, "allow-http", NULL));
  if (g_key_file_has_key (keyfile, group, "object-acls", NULL))
    octopus_account_set_acl_support (account,
                                     g_key_file_get_boolean (keyfile, group, "object-acls", NULL)
                                     ? OCTOPUS_ACL_SUPPORT_YES : OCTOPUS_ACL_SUPPORT_NO);
  return account;
}

/* A broken [Account …] group is skipped with a warning, never a failed load: one damaged
 * entry (hand-edited, half-written by another tool) must not take every other account
 * away from the user.  It is not lost either: saving keeps the groups it did not load as
 * they are (see write_accounts()), so the user can still repair it by hand. */
/* An entry that cannot be read is kept in the file and named in the load error. */
static void
note_skipped_entry (OctopusAccountStore *self,
                    const GError        *entry_error)
{
  if (self->load_error == NULL)
    g_set_error (&self->load_error, OCTOPUS_ACCOUNT_ERROR, OCTOPUS_ACCOUNT_ERROR_CONFIG,
                 _("Accounts in “%s” that cannot be read are left out: %s"), self->path,
                 entry_error->message);
  else
    {
      char *longer = g_strdup_printf ("%s; %s", self->load_error->message, entry_error->message);

      g_free (self->load_error->message);
      self->load_error->message = longer;
    }
}

gboolean
octopus_account_store_load (OctopusAccountStore *self, GError **error)
{
  g_autoptr(GKeyFile) keyfile = g_key_file_new ();
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GPtrArray) accounts = g_ptr_array_new_with_free_func (g_object_unref);
  g_auto(GStrv) groups = NULL;
  guint old_len;

  g_return_val_if_fail (OCTOPUS_IS_ACCOUNT_STORE (self), FALSE);

  g_clear_error (&self->load_error);
  if (!g_key_file_load_from_file (keyfile, self->path, G_KEY_FILE_NONE, &local_error)
      && !g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
    {
      g_set_error (&self->load_error, OCTOPUS_ACCOUNT_ERROR, OCTOPUS_ACCOUNT_ERROR_CONFIG,
                   _("Cannot read the accounts from “%s”: %s"), self->path,
                   local_error->message);
      g_propagate_error (error, g_error_copy (self->load_error));
      return FALSE;
    }

  groups = g_key_file_get_groups (keyfile, NULL);
  for (guint i = 0; groups[i] != NULL; i++)
    {
      g_autoptr(GError) group_error = NULL;
      OctopusAccount *account;

      if (!g_str_has_prefix (groups[i], GROUP_PREFIX))
        continue;
      account = account_from_group (keyfile, groups[i], &group_error);
      if (account == NULL)
        {
          /* Kept in the file (saved back as it was), and told to whoever shows the store. */
          g_debug ("%s: %s; this entry is ignored", self->path, group_error->message);
          note_skipped_entry (self, group_error);
          continue;
        }
      g_ptr_array_add (accounts, account);
    }

  old_len = self->accounts->len;
  g_ptr_array_unref (self->accounts);
  self->accounts = g_steal_pointer (&accounts);
  g_list_model_items_changed (G_LIST_MODEL (self), 0, old_len, self->accounts->len);
  return TRUE;
}

static void
account_to_group (GKeyFile *keyfile, OctopusAccount *account)
{
  g_autofree char *group = g_strconcat (GROUP_PREFIX, octopus_account_get_name (account), NULL);
  const char *s;

  /* A broken group of the same name kept from the file is replaced, not merged into. */
  g_key_file_remove_group (keyfile, group, NULL);

  g_key_file_set_string (keyfile, group, "provider", octopus_account_get_provider_id (account));
  g_key_file_set_string (keyfile, group, "endpoint", octopus_account_get_endpoint (account));
  if ((s = octopus_account_get_region (account)) != NULL)
    g_key_file_set_string (keyfile, group, "region", s);
  if ((s = octopus_account_get_bucket (account)) != NULL)
    g_key_file_set_string (keyfile, group, "bucket", s);
  if ((s = octopus_account_get_access_key (account)) != NULL)
    g_key_file_set_string (keyfile, group, "access-key", s);
  g_key_file_set_boolean (keyfile, group, "path-style", octopus_account_get_path_style (account));
  g_key_file_set_boolean (keyfile, group, "allow-http", octopus_account_get_allow_http (account));
  /* What the ACL probe found when the account was connected, so every later run (the array's
   * Permissions, repair) says "ACLs not supported here" without asking the server again. */
  if (octopus_account_get_acl_support (account) != OCTOPUS_ACL_SUPPORT_UNKNOWN)
    g_key_file_set_boolean (keyfile, group, "object-acls",
                            octopus_account_get_acl_support (account) == OCTOPUS_ACL_SUPPORT_YES);
}

/* GKeyFile reserves the key "Encoding" (the charset declaration of old desktop files): in the
 * first group of a file, any value but "UTF-8" makes the whole file fail to load ("Key file
 * contains unsupported encoding"); in any other group it is an ordinary key.  A group kept
 * from the file may hold one (found by fuzzing), but a save moves groups around: the accounts
 * are written after the kept groups, so a kept group can become the first one, and the file
 * Octopus saved would then lose every account at the next start.  Octopus never reads this
 * key, and no value of it but "UTF-8" is safe in a file whose group order Octopus changes, so
 * the kept group loses that key and keeps everything else: the accounts stay readable.
 *
 * The key may be there more than once (a repeated line, or the group repeated further down).
 * GKeyFile checks every such line, reads the last one, and g_key_file_remove_key() removes
 * only that one, so such a group is written anew: every other key once, with the value
 * GKeyFile reads for it, and no "Encoding". */
static void
drop_reserved_encoding (GKeyFile *keyfile, const char *group)
{
  g_auto(GStrv) keys = g_key_file_get_keys (keyfile, group, NULL, NULL);
  g_autoptr(GPtrArray) values = NULL;
  g_autofree char *value = NULL;
  guint n_encoding = 0;

  for (guint i = 0; keys != NULL && keys[i] != NULL; i++)
    if (g_str_equal (keys[i], "Encoding"))
      n_encoding++;
  if (n_encoding == 0)
    return;
  value = g_key_file_get_value (keyfile, group, "Encoding", NULL);
  if (n_encoding == 1 && g_ascii_strcasecmp (value, "UTF-8") == 0)
    return;

  values = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; keys[i] != NULL; i++)
    g_ptr_array_add (values, g_key_file_get_value (keyfile, group, keys[i], NULL));
  g_key_file_remove_group (keyfile, group, NULL);
  for (guint i = 0; keys[i] != NULL; i++)
    if (!g_str_equal (keys[i], "Encoding"))
      g_key_file_set_value (keyfile, group, keys[i], g_ptr_array_index (values, i));
}

/* Starts from the file as it is now and drops every group that reads as an account: the
 * store's accounts replace those.  What remains is what the store did not load (broken
 * [Account …] groups, other sections), kept for the user to repair or for a later version. */
static GKeyFile *
keyfile_without_accounts (const char *path)
{
  GKeyFile *keyfile = g_key_file_new ();
  g_auto(GStrv) groups = NULL;

  if (!g_key_file_load_from_file (keyfile, path, G_KEY_FILE_NONE, NULL))
    return keyfile;
  groups = g_key_file_get_groups (keyfile, NULL);
  for (guint i = 0; groups[i] != NULL; i++)
    {
      g_autoptr(OctopusAccount) account = NULL;

      if (g_str_has_prefix (groups[i], GROUP_PREFIX))
        account = account_from_group (keyfile, groups[i], NULL);
      if (account != NULL)
        g_key_file_remove_group (keyfile, groups[i], NULL);
      else
        drop_reserved_encoding (keyfile, groups[i]);
    }
  return keyfile;
}

/* Writes the store's accounts to the file, @old (when given) replaced by @replacement (NULL:
 * left out); without @old, @replacement (when given) is added at the end. */
static gboolean
write_accounts (OctopusAccountStore *self, OctopusAccount *old, OctopusAccount *replacement,
                GError **error)
{
  g_autoptr(GKeyFile) keyfile = keyfile_without_accounts (self->path);
  g_autofree char *dir = g_path_get_dirname (self->path);
  g_autofree char *data = NULL;
  g_autoptr(GError) local_error = NULL;
  gsize len;

  g_key_file_set_comment (keyfile, NULL, NULL,
                          " Octopus accounts. The secret keys are in the keyring, not here.",
                          NULL);
  for (guint i = 0; i < self->accounts->len; i++)
    {
      OctopusAccount *account = g_ptr_array_index (self->accounts, i);

      if (account != old)
        account_to_group (keyfile, account);
      else if (replacement != NULL)
        account_to_group (keyfile, replacement);
    }
  if (old == NULL && replacement != NULL)
    account_to_group (keyfile, replacement);
  data = g_key_file_to_data (keyfile, &len, NULL);

  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved_errno = errno;
      g_set_error (error, OCTOPUS_ACCOUNT_ERROR, OCTOPUS_ACCOUNT_ERROR_CONFIG,
                   _("Cannot create the folder “%s”: %s"), dir, g_strerror (saved_errno));
      return FALSE;
    }
  if (!g_file_set_contents_full (self->path, data, len, G_FILE_SET_CONTENTS_CONSISTENT, 0600,
                                 &local_error))
    {
      g_set_error (error, OCTOPUS_ACCOUNT_ERROR, OCTOPUS_ACCOUNT_ERROR_CONFIG,
                   _("Cannot save the accounts: %s"), local_error->message);
      return FALSE;
    }
  return TRUE;
}

gboolean
octopus_account_store_save (OctopusAccountStore *self, GError **error)
{
  g_return_val_if_fail (OCTOPUS_IS_ACCOUNT_STORE (self), FALSE);
  return write_accounts (self, NULL, NULL, error);
}

gboolean
octopus_account_store_check_new (OctopusAccountStore *self, OctopusAccount *account,
                                 GError **error)
{
  g_return_val_if_fail (OCTOPUS_IS_ACCOUNT_STORE (self), FALSE);
  g_return_val_if_fail (OCTOPUS_IS_ACCOUNT (account), FALSE);

  if (!octopus_account_validate (account, error))
    return FALSE;
  if (octopus_account_store_lookup (self, octopus_account_get_name (account)) != NULL)
    {
      g_set_error (error, OCTOPUS_ACCOUNT_ERROR, OCTOPUS_ACCOUNT_ERROR_DUPLICATE_NAME,
                   _("There is already an account named “%s”"),
                   octopus_account_get_name (account));
      return FALSE;
    }
  return TRUE;
}

/* ---- add ----------------------------------------------------------------------- */

typedef struct {
  OctopusAccount *account;   /* owned */
  GError         *error;     /* owned: the config write failure, returned after rollback */
} AddData;

static void
add_data_free (AddData *data)
{
  g_clear_object (&data->account);
  g_clear_error (&data->error);
  g_free (data);
}

static void
add_rollback_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  AddData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  if (!octopus_secret_clear_finish (result, &error))
    g_prefix_error (&data->error, _("The secret key stays in the keyring (%s): "), error->message);
  g_task_return_error (task, g_steal_pointer (&data->error));
}

static void
add_secret_stored_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  OctopusAccountStore *self = g_task_get_source_object (task);
  AddData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  if (!octopus_secret_store_finish (result, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (!write_accounts (self, NULL, data->account, &data->error))
    {
      /* Not cancellable: a half-added account must not stay behind. */
      octopus_secret_clear_async (octopus_account_get_name (data->account), NULL,
                                  add_rollback_cb, g_steal_pointer (&task));
      return;
    }
  g_ptr_array_add (self->accounts, g_object_ref (data->account));
  g_list_model_items_changed (G_LIST_MODEL (self), self->accounts->len - 1, 0, 1);
  g_task_return_boolean (task, TRUE);
}

void
octopus_account_store_add_async (OctopusAccountStore *self, OctopusAccount *account,
                                 const char *secret, GCancellable *cancellable,
                                 GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  AddData *data;

  g_return_if_fail (OCTOPUS_IS_ACCOUNT_STORE (self));
  g_return_if_fail (OCTOPUS_IS_ACCOUNT (account));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, octopus_account_store_add_async);
  data = g_new0 (AddData, 1);
  data->account = g_object_ref (account);
  g_task_set_task_data (task, data, (GDestroyNotify) add_data_free);

  if (octopus_account_get_bucket (account) == NULL)
    {
      g_autofree char *bucket = octopus_account_generate_bucket_name ();
      octopus_account_set_bucket (account, bucket);
    }
  if (!octopus_account_store_check_new (self, account, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (secret == NULL || *secret == '\0')
    {
      g_task_return_new_error (task, OCTOPUS_ACCOUNT_ERROR, OCTOPUS_ACCOUNT_ERROR_SECRET_MISSING,
                               _("The secret access key is empty"));
      return;
    }
  octopus_secret_store_async (octopus_account_get_name (account), secret, cancellable,
                              add_secret_stored_cb, g_steal_pointer (&task));
}

gboolean
octopus_account_store_add_finish (OctopusAccountStore *self, GAsyncResult *result,
                                  GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result))
                        == octopus_account_store_add_async, FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ---- replace (an edited account) ------------------------------------------------- */

typedef struct {
  OctopusAccount *account;   /* owned: the one in the store, until it is replaced */
  OctopusAccount *edited;    /* owned */
  char           *secret;    /* owned, wiped: what goes into the keyring, or NULL */
  GError         *error;     /* owned: the keyring failure, returned after rollback */
} ReplaceData;

static void
replace_data_free (ReplaceData *data)
{
  g_clear_object (&data->account);
  g_clear_object (&data->edited);
  octopus_secret_free (data->secret);
  g_clear_error (&data->error);
  g_free (data);
}

static gboolean
replace_renames (ReplaceData *data)
{
  return g_strcmp0 (octopus_account_get_name (data->account),
                    octopus_account_get_name (data->edited)) != 0;
}

/* Everything is written: the edited account takes the old one's place in the model. */
static void
replace_done (GTask *task)
{
  OctopusAccountStore *self = g_task_get_source_object (task);
  ReplaceData *data = g_task_get_task_data (task);
  guint position;

  if (g_ptr_array_find (self->accounts, data->account, &position))
    {
      g_object_unref (g_ptr_array_index (self->accounts, position));
      g_ptr_array_index (self->accounts, position) = g_object_ref (data->edited);
      g_list_model_items_changed (G_LIST_MODEL (self), position, 1, 1);
    }
  g_task_return_boolean (task, TRUE);
}

static void
replace_old_cleared_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  ReplaceData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  /* The rename is done either way; an old item left behind only costs a keyring entry. */
  if (!octopus_secret_clear_finish (result, &error))
    g_warning ("The keyring item of the renamed account “%s” stays: %s",
               octopus_account_get_name (data->account), error->message);
  replace_done (task);
}

static void
replace_secret_stored_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  OctopusAccountStore *self = g_task_get_source_object (task);
  ReplaceData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  if (!octopus_secret_store_finish (result, &error))
    {
      /* The file goes back to the accounts as they were; the old secret was not touched. */
      if (!write_accounts (self, NULL, NULL, &data->error))
        g_prefix_error (&error, _("The changed settings stay in the file (%s): "),
                        data->error->message);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (!replace_renames (data))
    {
      replace_done (task);
      return;
    }
  /* Not cancellable: the secret must not stay behind under the old name. */
  octopus_secret_clear_async (octopus_account_get_name (data->account), NULL,
                              replace_old_cleared_cb, g_steal_pointer (&task));
}

/* The file first: it is local and can be written back at once if the keyring fails. */
static void
replace_write (GTask *task)
{
  OctopusAccountStore *self = g_task_get_source_object (task);
  ReplaceData *data = g_task_get_task_data (task);
  GError *error = NULL;

  if (!write_accounts (self, data->account, data->edited, &error))
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  if (data->secret == NULL)
    {
      replace_done (task);
      g_object_unref (task);
      return;
    }
  octopus_secret_store_async (octopus_account_get_name (data->edited), data->secret,
                              g_task_get_cancellable (task), replace_secret_stored_cb, task);
}

static void
replace_old_secret_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GTask *task = user_data;
  ReplaceData *data = g_task_get_task_data (task);
  GError *error = NULL;

  data->secret = octopus_secret_lookup_finish (result, &error);
  /* An account without a secret has nothing to move. */
  if (data->secret == NULL
      && !g_error_matches (error, OCTOPUS_ACCOUNT_ERROR, OCTOPUS_ACCOUNT_ERROR_SECRET_MISSING))
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  g_clear_error (&error);
  replace_write (task);
}

static gboolean
replace_check (OctopusAccountStore *self, ReplaceData *data, GError **error)
{
  OctopusAccount *holder = octopus_account_store_lookup (self,
                                                         octopus_account_get_name (data->edited));

  if (!g_ptr_array_find (self->accounts, data->account, NULL))
    {
      g_set_error (error, OCTOPUS_ACCOUNT_ERROR, OCTOPUS_ACCOUNT_ERROR_NOT_FOUND,
                   _("There is no account named “%s”"),
                   octopus_account_get_name (data->account));
      return FALSE;
    }
  if (!octopus_account_validate (data->edited, error))
    return FALSE;
  if (holder != NULL && holder != data->account)
    {
      g_set_error (error, OCTOPUS_ACCOUNT_ERROR, OCTOPUS_ACCOUNT_ERROR_DUPLICATE_NAME,
                   _("There is already an account named “%s”"),
                   octopus_account_get_name (data->edited));
      return FALSE;
    }
  return TRUE;
}

void
octopus_account_store_replace_async (OctopusAccountStore *self, OctopusAccount *account,
                                     OctopusAccount *edited, const char *secret,
                                     GCancellable *cancellable, GAsyncReadyCallback callback,
                                     gpointer user_data)
{
  GTask *task;
  ReplaceData *data;
  GError *error = NULL;

  g_return_if_fail (OCTOPUS_IS_ACCOUNT_STORE (self));
  g_return_if_fail (OCTOPUS_IS_ACCOUNT (account));
  g_return_if_fail (OCTOPUS_IS_ACCOUNT (edited));

  /* The task reference is passed from step to step. */
  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, octopus_account_store_replace_async);
  data = g_new0 (ReplaceData, 1);
  data->account = g_object_ref (account);
  data->edited = g_object_ref (edited);
  data->secret = secret != NULL && *secret != '\0' ? g_strdup (secret) : NULL;
  g_task_set_task_data (task, data, (GDestroyNotify) replace_data_free);

  if (!replace_check (self, data, &error))
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  if (data->secret == NULL && replace_renames (data))
    octopus_secret_lookup_async (octopus_account_get_name (account), cancellable,
                                 replace_old_secret_cb, task);
  else
    replace_write (task);
}

gboolean
octopus_account_store_replace_finish (OctopusAccountStore *self, GAsyncResult *result,
                                      GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result))
                        == octopus_account_store_replace_async, FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ---- remove -------------------------------------------------------------------- */

static void
remove_secret_cleared_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  OctopusAccountStore *self = g_task_get_source_object (task);
  OctopusAccount *account = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  guint position;

  if (!octopus_secret_clear_finish (result, &error)
      || !write_accounts (self, account, NULL, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (g_ptr_array_find (self->accounts, account, &position))
    {
      g_ptr_array_remove_index (self->accounts, position);
      g_list_model_items_changed (G_LIST_MODEL (self), position, 1, 0);
    }
  g_task_return_boolean (task, TRUE);
}

void
octopus_account_store_remove_async (OctopusAccountStore *self, const char *name,
                                    GCancellable *cancellable, GAsyncReadyCallback callback,
                                    gpointer user_data)
{
  g_autoptr(GTask) task = NULL;
  OctopusAccount *account;

  g_return_if_fail (OCTOPUS_IS_ACCOUNT_STORE (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, octopus_account_store_remove_async);
  account = octopus_account_store_lookup (self, name);
  if (account == NULL)
    {
      g_task_return_new_error (task, OCTOPUS_ACCOUNT_ERROR, OCTOPUS_ACCOUNT_ERROR_NOT_FOUND,
                               _("There is no account named “%s”"), name != NULL ? name : "");
      return;
    }
  g_task_set_task_data (task, g_object_ref (account), g_object_unref);
  /* The secret goes first: a secret left behind without its account is the worse outcome. */
  octopus_secret_clear_async (name, cancellable, remove_secret_cleared_cb,
                              g_steal_pointer (&task));
}

gboolean
octopus_account_store_remove_finish (OctopusAccountStore *self, GAsyncResult *result,
                                     GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result))
                        == octopus_account_store_remove_async, FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

const GError *
octopus_account_store_get_load_error (OctopusAccountStore *self)
{
  g_return_val_if_fail (OCTOPUS_IS_ACCOUNT_STORE (self), NULL);
  return self->load_error;
}
