/* SPDX-License-Identifier: GPL-3.0-or-later */
/* octopus-secret.c — libsecret wrapper: one item per account, clear keyring errors. */
#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>

#include "octopus-account.h"
#include "octopus-secret.h"

#define ATTRIBUTE_ACCOUNT "account"
/* The array's own items (OctopusCryptSecret): "passphrase" or "salt".  Another attribute than
 * "account", so that no account name can ever address them. */
#define ATTRIBUTE_ARRAY_CRYPT "array-crypt"

/* Which item an operation is about: one attribute and its value. */
typedef struct {
  const char *attribute;   /* ATTRIBUTE_ACCOUNT or ATTRIBUTE_ARRAY_CRYPT */
  char       *value;
} ItemKey;

static ItemKey *
item_key_new (const char *attribute, const char *value)
{
  ItemKey *key = g_new0 (ItemKey, 1);

  key->attribute = attribute;
  key->value = g_strdup (value);
  return key;
}

static void
item_key_free (ItemKey *key)
{
  g_free (key->value);
  g_free (key);
}

static const char *
crypt_kind (OctopusCryptSecret which)
{
  return which == OCTOPUS_CRYPT_SECRET_SALT ? "salt" : "passphrase";
}

const SecretSchema *
octopus_secret_get_schema (void)
{
  static const SecretSchema schema = {
    .name = OCTOPUS_SECRET_SCHEMA_NAME,
    .flags = SECRET_SCHEMA_NONE,
    .attributes = {
      { .name = ATTRIBUTE_ACCOUNT, .type = SECRET_SCHEMA_ATTRIBUTE_STRING },
      { .name = ATTRIBUTE_ARRAY_CRYPT, .type = SECRET_SCHEMA_ATTRIBUTE_STRING },
      { .name = NULL, .type = 0 },
    },
  };
  return &schema;
}

void
octopus_secret_free (char *secret)
{
  if (secret == NULL)
    return;
  explicit_bzero (secret, strlen (secret));
  g_free (secret);
}

void
octopus_secret_disconnect (void)
{
  secret_service_disconnect ();
}

/* Why the keyring is unavailable, in words a user can act on.  The situations are those of
 * headless-testing.md §5: no session bus, no provider, no default keyring, locked. */
void
octopus_secret_translate_error (GError **error, GCancellable *cancellable)
{
  GError *e;
  const char *why;
  gint code = OCTOPUS_ACCOUNT_ERROR_KEYRING_UNAVAILABLE;
  GError *translated;

  if (error == NULL || *error == NULL)
    return;
  e = *error;
  if (e->domain == OCTOPUS_ACCOUNT_ERROR)
    return;
  if (g_error_matches (e, G_IO_ERROR, G_IO_ERROR_CANCELLED)
      && g_cancellable_is_cancelled (cancellable))
    return;

  if (g_error_matches (e, G_DBUS_ERROR, G_DBUS_ERROR_SERVICE_UNKNOWN)
      || g_error_matches (e, G_DBUS_ERROR, G_DBUS_ERROR_NAME_HAS_NO_OWNER))
    why = _("no Secret Service provider (such as GNOME Keyring or KeePassXC) is running");
  else if (g_error_matches (e, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_OBJECT)
           || g_error_matches (e, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_METHOD))
    why = _("there is no default keyring to store the key in (create one, e.g. “Login”, "
            "in Passwords and Keys)");
  else if (g_error_matches (e, SECRET_ERROR, SECRET_ERROR_IS_LOCKED)
           || g_error_matches (e, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      why = _("the keyring is locked and was not unlocked");
      code = OCTOPUS_ACCOUNT_ERROR_KEYRING_LOCKED;
    }
  else if (g_error_matches (e, G_DBUS_ERROR, G_DBUS_ERROR_TIMEOUT)
           || g_error_matches (e, G_DBUS_ERROR, G_DBUS_ERROR_NO_REPLY)
           || g_error_matches (e, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
    why = _("the Secret Service did not answer");
  else if (e->domain == G_IO_ERROR && g_getenv ("DBUS_SESSION_BUS_ADDRESS") == NULL)
    why = _("there is no D-Bus session bus");
  else
    why = _("the Secret Service failed");

  translated = g_error_new (OCTOPUS_ACCOUNT_ERROR, code,
                            _("The keyring (Secret Service) is not available: %s (%s)"),
                            why, e->message);
  g_clear_error (error);
  *error = translated;
}


/* ---- locked items ------------------------------------------------------------- */

/* gnome-keyring answers a lookup or clear on a locked keyring with "nothing there" when it
 * cannot show an unlock prompt.  Searching without unlocking tells the two apart: an item
 * that is still listed is locked, not missing. */
static void
search_locked (GTask *task, GAsyncReadyCallback callback)
{
  GCancellable *cancellable = g_task_get_cancellable (task);
  const ItemKey *key = g_task_get_task_data (task);

  secret_password_search (octopus_secret_get_schema (), SECRET_SEARCH_ALL, cancellable,
                          callback, task, key->attribute, key->value, NULL);
}

/* TRUE when items are left (locked); FALSE with @error set when the search failed. */
static gboolean
items_remain (GAsyncResult *result, GTask *task, GError **error)
{
  GList *items = secret_password_search_finish (result, error);
  gboolean remain = items != NULL;

  g_list_free_full (items, g_object_unref);
  if (*error != NULL)
    octopus_secret_translate_error (error, g_task_get_cancellable (task));
  return remain;
}

static GError *
locked_error (void)
{
  return g_error_new (OCTOPUS_ACCOUNT_ERROR, OCTOPUS_ACCOUNT_ERROR_KEYRING_LOCKED,
                      _("The keyring (Secret Service) is not available: the keyring is locked "
                        "and was not unlocked; unlock it and try again"));
}

/* What every _finish below but crypt_exists's does: check that TAG started the task, take its
 * result. */
static gboolean
finish_boolean (GAsyncResult *result, gpointer tag, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == tag, FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

static gpointer
finish_pointer (GAsyncResult *result, gpointer tag, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == tag, NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- check --------------------------------------------------------------- */

static void
check_collection_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(SecretCollection) collection = NULL;
  gboolean may_prompt = GPOINTER_TO_INT (g_task_get_task_data (task));

  collection = secret_collection_for_alias_finish (result, &error);
  if (collection == NULL && error == NULL)
    g_set_error (&error, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_OBJECT,
                 "No collection has the alias “default”");
  else if (collection != NULL && !may_prompt && secret_collection_get_locked (collection))
    g_set_error (&error, SECRET_ERROR, SECRET_ERROR_IS_LOCKED,
                 "The default collection is locked and no prompt can be shown");
  if (error != NULL)
    {
      octopus_secret_translate_error (&error, g_task_get_cancellable (task));
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_task_return_boolean (task, TRUE);
}

static void
check_service_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(SecretService) service = secret_service_get_finish (result, &error);
  GCancellable *cancellable;

  if (service == NULL)
    {
      octopus_secret_translate_error (&error, g_task_get_cancellable (task));
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  cancellable = g_task_get_cancellable (task);
  secret_collection_for_alias (service, SECRET_COLLECTION_DEFAULT, SECRET_COLLECTION_NONE,
                               cancellable, check_collection_cb, g_steal_pointer (&task));
}

void
octopus_secret_check_async (gboolean may_prompt, GCancellable *cancellable,
                            GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);

  g_task_set_source_tag (task, octopus_secret_check_async);
  g_task_set_task_data (task, GINT_TO_POINTER (may_prompt), NULL);
  /* OPEN_SESSION makes a round trip, so a missing provider shows up here already. */
  secret_service_get (SECRET_SERVICE_OPEN_SESSION, cancellable, check_service_cb,
                      g_steal_pointer (&task));
}

gboolean
octopus_secret_check_finish (GAsyncResult *result, GError **error)
{
  return finish_boolean (result, octopus_secret_check_async, error);
}

/* ---- store ---------------------------------------------------------------- */

static void
store_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;

  if (!secret_password_store_finish (result, &error))
    {
      octopus_secret_translate_error (&error, g_task_get_cancellable (task));
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_task_return_boolean (task, TRUE);
}

/* Stores @secret under @attribute = @value; the task's source tag is @tag. */
static void
store_item (const char *attribute, const char *value, const char *label, const char *secret,
            gpointer tag, GCancellable *cancellable, GAsyncReadyCallback callback,
            gpointer user_data)
{
  GTask *task = g_task_new (NULL, cancellable, callback, user_data);

  g_task_set_source_tag (task, tag);
  secret_password_store (octopus_secret_get_schema (), SECRET_COLLECTION_DEFAULT, label, secret,
                         cancellable, store_cb, task, attribute, value, NULL);
}

void
octopus_secret_store_async (const char *account_name, const char *secret,
                            GCancellable *cancellable, GAsyncReadyCallback callback,
                            gpointer user_data)
{
  g_autofree char *label = NULL;

  g_return_if_fail (account_name != NULL);
  g_return_if_fail (secret != NULL);

  /* The label is what keyring managers show; not translated so that it stays searchable. */
  label = g_strdup_printf ("Octopus: %s", account_name);
  store_item (ATTRIBUTE_ACCOUNT, account_name, label, secret, octopus_secret_store_async,
              cancellable, callback, user_data);
}

gboolean
octopus_secret_store_finish (GAsyncResult *result, GError **error)
{
  return finish_boolean (result, octopus_secret_store_async, error);
}

/* ---- lookup --------------------------------------------------------------- */

static GError *
missing_error (const ItemKey *key)
{
  if (g_str_equal (key->attribute, ATTRIBUTE_ARRAY_CRYPT))
    return g_error_new (OCTOPUS_ACCOUNT_ERROR, OCTOPUS_ACCOUNT_ERROR_SECRET_MISSING,
                        g_str_equal (key->value, "salt")
                        ? _("The keyring holds no second passphrase for the array")
                        : _("The keyring holds no passphrase for the array"));
  return g_error_new (OCTOPUS_ACCOUNT_ERROR, OCTOPUS_ACCOUNT_ERROR_SECRET_MISSING,
                      _("The keyring holds no secret key for the account “%s”; "
                        "remove the account and add it again"), key->value);
}

static void
lookup_missing_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;

  if (items_remain (result, task, &error))
    g_task_return_error (task, locked_error ());
  else if (error != NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_error (task, missing_error (g_task_get_task_data (task)));
}

static void
lookup_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  char *password = secret_password_lookup_finish (result, &error);
  char *copy;

  if (error != NULL)
    {
      octopus_secret_translate_error (&error, g_task_get_cancellable (task));
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (password == NULL)
    {
      GTask *t = g_steal_pointer (&task);
      search_locked (t, lookup_missing_cb);
      return;
    }
  /* libsecret may hand out non-pageable memory that only secret_password_free() releases;
   * copy into ordinary memory so that callers have one rule: octopus_secret_free(). */
  copy = g_strdup (password);
  secret_password_free (password);
  g_task_return_pointer (task, copy, (GDestroyNotify) octopus_secret_free);
}

static void
lookup_item (const char *attribute, const char *value, gpointer tag, GCancellable *cancellable,
             GAsyncReadyCallback callback, gpointer user_data)
{
  GTask *task = g_task_new (NULL, cancellable, callback, user_data);

  g_task_set_source_tag (task, tag);
  g_task_set_task_data (task, item_key_new (attribute, value), (GDestroyNotify) item_key_free);
  secret_password_lookup (octopus_secret_get_schema (), cancellable, lookup_cb, task,
                          attribute, value, NULL);
}

void
octopus_secret_lookup_async (const char *account_name, GCancellable *cancellable,
                             GAsyncReadyCallback callback, gpointer user_data)
{
  g_return_if_fail (account_name != NULL);
  lookup_item (ATTRIBUTE_ACCOUNT, account_name, octopus_secret_lookup_async, cancellable,
               callback, user_data);
}

char *
octopus_secret_lookup_finish (GAsyncResult *result, GError **error)
{
  return finish_pointer (result, octopus_secret_lookup_async, error);
}

/* ---- clear ---------------------------------------------------------------- */

static void
clear_verified_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;

  if (items_remain (result, task, &error))
    g_task_return_error (task, locked_error ());
  else if (error != NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

static void
clear_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;

  /* FALSE without an error means "nothing cleared": gone already, or locked. */
  secret_password_clear_finish (result, &error);
  if (error != NULL)
    {
      octopus_secret_translate_error (&error, g_task_get_cancellable (task));
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  {
    GTask *t = g_steal_pointer (&task);
    search_locked (t, clear_verified_cb);
  }
}

static void
clear_item (const char *attribute, const char *value, gpointer tag, GCancellable *cancellable,
            GAsyncReadyCallback callback, gpointer user_data)
{
  GTask *task = g_task_new (NULL, cancellable, callback, user_data);

  g_task_set_source_tag (task, tag);
  g_task_set_task_data (task, item_key_new (attribute, value), (GDestroyNotify) item_key_free);
  secret_password_clear (octopus_secret_get_schema (), cancellable, clear_cb, task,
                         attribute, value, NULL);
}

void
octopus_secret_clear_async (const char *account_name, GCancellable *cancellable,
                            GAsyncReadyCallback callback, gpointer user_data)
{
  g_return_if_fail (account_name != NULL);
  clear_item (ATTRIBUTE_ACCOUNT, account_name, octopus_secret_clear_async, cancellable,
              callback, user_data);
}

gboolean
octopus_secret_clear_finish (GAsyncResult *result, GError **error)
{
  return finish_boolean (result, octopus_secret_clear_async, error);
}

/* ---- the array's passphrases ------------------------------------------------------ */

void
octopus_secret_crypt_store_async (OctopusCryptSecret which, const char *secret,
                                  GCancellable *cancellable, GAsyncReadyCallback callback,
                                  gpointer user_data)
{
  g_return_if_fail (secret != NULL);
  store_item (ATTRIBUTE_ARRAY_CRYPT, crypt_kind (which),
              which == OCTOPUS_CRYPT_SECRET_SALT ? "Octopus: array encryption salt passphrase"
                                                 : "Octopus: array encryption passphrase",
              secret, octopus_secret_crypt_store_async, cancellable, callback, user_data);
}

gboolean
octopus_secret_crypt_store_finish (GAsyncResult *result, GError **error)
{
  return finish_boolean (result, octopus_secret_crypt_store_async, error);
}

void
octopus_secret_crypt_lookup_async (OctopusCryptSecret which, GCancellable *cancellable,
                                   GAsyncReadyCallback callback, gpointer user_data)
{
  lookup_item (ATTRIBUTE_ARRAY_CRYPT, crypt_kind (which), octopus_secret_crypt_lookup_async,
               cancellable, callback, user_data);
}

char *
octopus_secret_crypt_lookup_finish (GAsyncResult *result, GError **error)
{
  return finish_pointer (result, octopus_secret_crypt_lookup_async, error);
}

void
octopus_secret_crypt_clear_async (OctopusCryptSecret which, GCancellable *cancellable,
                                  GAsyncReadyCallback callback, gpointer user_data)
{
  clear_item (ATTRIBUTE_ARRAY_CRYPT, crypt_kind (which), octopus_secret_crypt_clear_async,
              cancellable, callback, user_data);
}

gboolean
octopus_secret_crypt_clear_finish (GAsyncResult *result, GError **error)
{
  return finish_boolean (result, octopus_secret_crypt_clear_async, error);
}

static void
exists_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  gboolean exists = items_remain (result, task, &error);

  if (error != NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_int (task, exists);
}

void
octopus_secret_crypt_exists_async (OctopusCryptSecret which, GCancellable *cancellable,
                                   GAsyncReadyCallback callback, gpointer user_data)
{
  GTask *task = g_task_new (NULL, cancellable, callback, user_data);

  g_task_set_source_tag (task, octopus_secret_crypt_exists_async);
  /* A search that neither unlocks nor loads secrets: the passphrase never leaves the keyring,
   * and a locked item still counts as there. */
  secret_password_search (octopus_secret_get_schema (), SECRET_SEARCH_ALL, cancellable,
                          exists_cb, task, ATTRIBUTE_ARRAY_CRYPT, crypt_kind (which), NULL);
}

gboolean
octopus_secret_crypt_exists_finish (GAsyncResult *result, gboolean *exists, GError **error)
{
  g_autoptr(GError) local_error = NULL;
  gssize value;

  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result))
                        == octopus_secret_crypt_exists_async, FALSE);
  value = g_task_propagate_int (G_TASK (result), &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  *exists = value != 0;
  return TRUE;
}
