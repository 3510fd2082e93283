/* SPDX-License-Identifier: GPL-3.0-or-later */
/* octopus-account-connect.c — check credentials, find or create the bucket, probe ACLs. */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "octopus-account-connect.h"
#include "octopus-account-store.h"
#include "octopus-secret.h"

typedef struct {
  OctopusAccountConnectFlags flags;
  char            *secret;          /* owned, wiped on free */
  OctopusS3Client *client;          /* owned */
  GError          *error;           /* owned: the failure being diagnosed */
  gboolean         region_retried;
  gboolean         bucket_created;
} ConnectData;

static void
connect_data_free (ConnectData *data)
{
  octopus_secret_free (data->secret);
  g_clear_object (&data->client);
  g_clear_error (&data->error);
  g_free (data);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ConnectData, connect_data_free)

static void head_bucket (GTask *task);

OctopusS3Client *
octopus_account_create_client (OctopusAccount *account, const char *secret, GError **error)
{
  OctopusS3ClientOptions options = {
    .name = octopus_account_get_name (account),
    .endpoint = octopus_account_get_endpoint (account),
    .region = octopus_account_get_region (account),
    .access_key = octopus_account_get_access_key (account),
    .secret_key = secret,
    .path_style = octopus_account_get_path_style (account),
    .allow_http = octopus_account_get_allow_http (account),
  };

  g_return_val_if_fail (OCTOPUS_IS_ACCOUNT (account), NULL);
  g_return_val_if_fail (secret != NULL, NULL);
  return octopus_s3_client_new (&options, error);
}

/* ---- messages ------------------------------------------------------------------ */

/* Puts the user-facing explanation in front of the technical message, keeping the error's
 * domain, code and extended data (S3 code, request id) intact. */
static void
explain (GError *error, const char *explanation)
{
  char *message = g_strdup_printf ("%s (%s)", explanation, error->message);

  g_free (error->message);
  error->message = message;
}

static void
explain_s3_error (GError *error, OctopusAccount *account)
{
  const char *bucket = octopus_account_get_bucket (account);
  const char *s3_code = octopus_s3_error_get_s3_code (error);
  g_autofree char *text = NULL;

  if (error->domain != OCTOPUS_S3_ERROR)
    return;

  switch ((OctopusS3ErrorCode) error->code)
    {
    case OCTOPUS_S3_ERROR_TLS:
      text = g_strdup (_("The secure connection failed: the server’s certificate could not be "
                         "verified (TLS)"));
      break;
    case OCTOPUS_S3_ERROR_AUTH:
      if (g_strcmp0 (s3_code, "InvalidAccessKeyId") == 0)
        text = g_strdup_printf (_("The access key ID “%s” is not known to the service"),
                                octopus_account_get_access_key (account));
      else if (g_strcmp0 (s3_code, "SignatureDoesNotMatch") == 0)
        text = g_strdup (_("Authentication failed: the secret key is wrong (the service "
                           "rejected the signature)"));
      else
        text = g_strdup (_("Authentication failed: check the access key ID and the secret key"));
      break;
    case OCTOPUS_S3_ERROR_CLOCK_SKEW:
      text = g_strdup (_("This computer’s clock differs too much from the service’s; set the "
                         "correct date and time"));
      break;
    case OCTOPUS_S3_ERROR_ACCESS_DENIED:
      text = g_strdup_printf (_("Access to the bucket “%s” was denied: it belongs to someone "
                                "else, or this key may not use it"), bucket);
      break;
    case OCTOPUS_S3_ERROR_BUCKET_TAKEN:
      text = g_strdup_printf (_("The bucket name “%s” is taken by someone else; choose another "
                                "bucket name"), bucket);
      break;
    case OCTOPUS_S3_ERROR_NO_SUCH_BUCKET:
    case OCTOPUS_S3_ERROR_NO_SUCH_KEY:
      text = g_strdup_printf (_("The bucket “%s” does not exist"), bucket);
      break;
    case OCTOPUS_S3_ERROR_WRONG_REGION:
      text = g_strdup_printf (_("The bucket “%s” is in another region than “%s”"), bucket,
                              octopus_account_get_region (account));
      break;
    case OCTOPUS_S3_ERROR_SERVER:
      text = g_strdup (_("The service is failing at the moment; try again later"));
      break;
    case OCTOPUS_S3_ERROR_NETWORK:
      text = g_strdup_printf (_("Cannot reach %s"), octopus_account_get_endpoint (account));
      break;
    default:
      text = g_strdup (_("The service refused the request"));
      break;
    }
  explain (error, text);
}

/* ---- finishing ----------------------------------------------------------------- */

static void
fail (GTask *task, GError *error)
{
  OctopusAccount *account = g_task_get_source_object (task);

  explain_s3_error (error, account);
  if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    octopus_account_set_state (account, OCTOPUS_ACCOUNT_STATE_FAILED, error->message);
  else
    octopus_account_set_state (account, OCTOPUS_ACCOUNT_STATE_UNKNOWN, NULL);
  g_task_return_error (task, error);
  g_object_unref (task);
}

static void
succeed (GTask *task)
{
  OctopusAccount *account = g_task_get_source_object (task);
  ConnectData *data = g_task_get_task_data (task);

  octopus_account_set_state (account, OCTOPUS_ACCOUNT_STATE_CONNECTED, NULL);
  g_task_return_pointer (task, g_steal_pointer (&data->client), g_object_unref);
  g_object_unref (task);
}

/* ---- network diagnosis: unknown host or connection refused? ------------------------ */

static void
diagnose_connect_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GTask *task = user_data;
  OctopusAccount *account = g_task_get_source_object (task);
  ConnectData *data = g_task_get_task_data (task);
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GError) error = NULL;
  GError *failure = g_steal_pointer (&data->error);

  connection = g_socket_client_connect_to_uri_finish (G_SOCKET_CLIENT (source), result, &error);
  if (g_error_matches (error, G_RESOLVER_ERROR, G_RESOLVER_ERROR_NOT_FOUND)
      || g_error_matches (error, G_RESOLVER_ERROR, G_RESOLVER_ERROR_TEMPORARY_FAILURE))
    explain (failure, _("Unknown host: the server name in the endpoint cannot be found"));
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED))
    explain (failure, _("Connection refused: nothing answers at the endpoint’s address "
                        "and port"));
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
    explain (failure, _("The server did not answer in time"));
  else
    {
      g_autofree char *text = g_strdup_printf (_("Cannot reach %s"),
                                               octopus_account_get_endpoint (account));
      explain (failure, text);
    }
  /* explained already: keep fail() from adding a second explanation */
  octopus_account_set_state (account, OCTOPUS_ACCOUNT_STATE_FAILED, failure->message);
  g_task_return_error (task, failure);
  g_object_unref (task);
}

static void
diagnose_network_failure (GTask *task, GError *error)
{
  OctopusAccount *account = g_task_get_source_object (task);
  ConnectData *data = g_task_get_task_data (task);
  g_autoptr(GSocketClient) client = g_socket_client_new ();

  /* Only the TCP connection: that is where "unknown host" and "refused" differ. */
  data->error = error;
  g_socket_client_set_timeout (client, 15);
  g_socket_client_connect_to_uri_async (client, octopus_account_get_endpoint (account), 443,
                                        g_task_get_cancellable (task), diagnose_connect_cb, task);
}

static void
fail_s3 (GTask *task, GError *error)
{
  if (g_error_matches (error, OCTOPUS_S3_ERROR, OCTOPUS_S3_ERROR_NETWORK))
    diagnose_network_failure (task, error);
  else
    fail (task, error);
}

/* ---- ACL probe ------------------------------------------------------------------ */

static void
probe_deleted_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GTask *task = user_data;
  g_autoptr(GError) error = NULL;

  /* A probe object left behind is harmless; the connection itself worked. */
  if (!octopus_s3_client_delete_object_finish (OCTOPUS_S3_CLIENT (source), result, &error))
    g_debug ("Could not delete the ACL probe object: %s", error->message);
  succeed (task);
}

static void
probe_acl_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GTask *task = user_data;
  OctopusAccount *account = g_task_get_source_object (task);
  ConnectData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  if (octopus_s3_client_put_object_acl_finish (OCTOPUS_S3_CLIENT (source), result, &error))
    octopus_account_set_acl_support (account, OCTOPUS_ACL_SUPPORT_YES);
  else if (g_error_matches (error, OCTOPUS_S3_ERROR, OCTOPUS_S3_ERROR_NOT_IMPLEMENTED)
           || g_error_matches (error, OCTOPUS_S3_ERROR, OCTOPUS_S3_ERROR_ACL_UNSUPPORTED)
           || g_error_matches (error, OCTOPUS_S3_ERROR, OCTOPUS_S3_ERROR_ACCESS_DENIED)
           || g_error_matches (error, OCTOPUS_S3_ERROR, OCTOPUS_S3_ERROR_INVALID_REQUEST))
    octopus_account_set_acl_support (account, OCTOPUS_ACL_SUPPORT_NO);
  else
    g_debug ("ACL probe inconclusive: %s", error->message);

  octopus_s3_client_delete_object_async (data->client, octopus_account_get_bucket (account),
                                         OCTOPUS_ACCOUNT_ACL_PROBE_KEY, NULL,
                                         probe_deleted_cb, task);
}

static void
probe_put_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GTask *task = user_data;
  OctopusAccount *account = g_task_get_source_object (task);
  ConnectData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autofree char *etag = NULL;

  etag = octopus_s3_client_put_object_finish (OCTOPUS_S3_CLIENT (source), result, &error);
  if (etag == NULL)
    {
      g_autofree char *text =
        g_strdup_printf (_("Cannot write into the bucket “%s”"),
                         octopus_account_get_bucket (account));
      if (error->domain == OCTOPUS_S3_ERROR && error->code != OCTOPUS_S3_ERROR_ACCESS_DENIED)
        {
          fail_s3 (task, g_steal_pointer (&error));
          return;
        }
      explain (error, text);
      octopus_account_set_state (account, OCTOPUS_ACCOUNT_STATE_FAILED, error->message);
      g_task_return_error (task, g_steal_pointer (&error));
      g_object_unref (task);
      return;
    }
  /* "private" is every object's default, so setting it changes nothing where it works. */
  octopus_s3_client_put_object_acl_async (data->client, octopus_account_get_bucket (account),
                                          OCTOPUS_ACCOUNT_ACL_PROBE_KEY, "private", NULL,
                                          g_task_get_cancellable (task), probe_acl_cb, task);
}

static void
bucket_ready (GTask *task)
{
  OctopusAccount *account = g_task_get_source_object (task);
  ConnectData *data = g_task_get_task_data (task);
  g_autoptr(GBytes) body = NULL;

  if (!(data->flags & OCTOPUS_ACCOUNT_CONNECT_PROBE_ACL))
    {
      succeed (task);
      return;
    }
  body = g_bytes_new_static ("octopus\n", 8);
  octopus_s3_client_put_object_async (data->client, octopus_account_get_bucket (account),
                                      OCTOPUS_ACCOUNT_ACL_PROBE_KEY, body, NULL,
                                      g_task_get_cancellable (task), probe_put_cb, task);
}

/* ---- bucket -------------------------------------------------------------------- */

static void
adopt_region (GTask *task, const char *region)
{
  OctopusAccount *account = g_task_get_source_object (task);
  ConnectData *data = g_task_get_task_data (task);

  if (region == NULL || *region == '\0'
      || g_strcmp0 (region, octopus_account_get_region (account)) == 0)
    return;
  octopus_s3_client_set_region (data->client, region);
  octopus_account_set_region (account, region);
}

static void
create_bucket_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GTask *task = user_data;
  ConnectData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  if (!octopus_s3_client_create_bucket_finish (OCTOPUS_S3_CLIENT (source), result, &error))
    {
      fail_s3 (task, g_steal_pointer (&error));
      return;
    }
  data->bucket_created = TRUE;
  head_bucket (task);   /* confirm it is there and learn its region */
}

static void
create_bucket (GTask *task)
{
  OctopusAccount *account = g_task_get_source_object (task);
  ConnectData *data = g_task_get_task_data (task);
  const char *region = octopus_account_get_region (account);
  const char *constraint = region;

  /* us-east-1 is S3's default and must not be named; "auto" (R2, GCS) is no location. */
  if (region == NULL || g_str_equal (region, "us-east-1") || g_str_equal (region, "auto"))
    constraint = NULL;
  octopus_s3_client_create_bucket_async (data->client, octopus_account_get_bucket (account),
                                         constraint, g_task_get_cancellable (task),
                                         create_bucket_cb, task);
}

static void
head_bucket_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GTask *task = user_data;
  ConnectData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autofree char *region = NULL;

  if (octopus_s3_client_head_bucket_finish (OCTOPUS_S3_CLIENT (source), result, &region, &error))
    {
      adopt_region (task, region);
      bucket_ready (task);
      return;
    }
  if (g_error_matches (error, OCTOPUS_S3_ERROR, OCTOPUS_S3_ERROR_WRONG_REGION)
      && !data->region_retried)
    {
      const char *named = octopus_s3_error_get_region (error);

      data->region_retried = TRUE;
      adopt_region (task, named != NULL ? named : region);
      if (named != NULL || region != NULL)
        {
          head_bucket (task);
          return;
        }
    }
  /* A HEAD reply has no body, so a missing bucket may come back as a bare 404. */
  if ((g_error_matches (error, OCTOPUS_S3_ERROR, OCTOPUS_S3_ERROR_NO_SUCH_BUCKET)
       || g_error_matches (error, OCTOPUS_S3_ERROR, OCTOPUS_S3_ERROR_NO_SUCH_KEY))
      && (data->flags & OCTOPUS_ACCOUNT_CONNECT_CREATE_BUCKET) && !data->bucket_created)
    {
      create_bucket (task);
      return;
    }
  fail_s3 (task, g_steal_pointer (&error));
}

static void
head_bucket (GTask *task)
{
  OctopusAccount *account = g_task_get_source_object (task);
  ConnectData *data = g_task_get_task_data (task);

  octopus_s3_client_head_bucket_async (data->client, octopus_account_get_bucket (account),
                                       g_task_get_cancellable (task), head_bucket_cb, task);
}

/* ---- credentials --------------------------------------------------------------- */

static void
list_buckets_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GTask *task = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) buckets = NULL;

  buckets = octopus_s3_client_list_buckets_finish (OCTOPUS_S3_CLIENT (source), result, &error);
  /* A GET carries an error body, so a wrong key id or secret is named precisely here (a HEAD
   * would only say 403).  A key limited to one bucket may be refused ListBuckets: go on. */
  if (buckets == NULL && !g_error_matches (error, OCTOPUS_S3_ERROR, OCTOPUS_S3_ERROR_ACCESS_DENIED))
    {
      fail_s3 (task, g_steal_pointer (&error));
      return;
    }
  head_bucket (task);
}

static void
start_with_secret (GTask *task)
{
  OctopusAccount *account = g_task_get_source_object (task);
  ConnectData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  data->client = octopus_account_create_client (account, data->secret, &error);
  /* The client holds its own copy; ours is no longer needed. */
  g_clear_pointer (&data->secret, octopus_secret_free);
  if (data->client == NULL)
    {
      fail (task, g_steal_pointer (&error));
      return;
    }
  octopus_s3_client_list_buckets_async (data->client, g_task_get_cancellable (task),
                                        list_buckets_cb, task);
}

static void
secret_lookup_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GTask *task = user_data;
  ConnectData *data = g_task_get_task_data (task);
  GError *error = NULL;

  data->secret = octopus_secret_lookup_finish (result, &error);
  if (data->secret == NULL)
    {
      fail (task, error);
      return;
    }
  start_with_secret (task);
}

void
octopus_account_connect_async (OctopusAccount *account, const char *secret,
                               OctopusAccountConnectFlags flags, GCancellable *cancellable,
                               GAsyncReadyCallback callback, gpointer user_data)
{
  GTask *task;
  ConnectData *data;
  g_autoptr(GError) error = NULL;

  g_return_if_fail (OCTOPUS_IS_ACCOUNT (account));

  /* The task reference is passed from step to step and released by fail()/succeed(). */
  task = g_task_new (account, cancellable, callback, user_data);
  g_task_set_source_tag (task, octopus_account_connect_async);
  data = g_new0 (ConnectData, 1);
  data->flags = flags;
  data->secret = g_strdup (secret);
  g_task_set_task_data (task, data, (GDestroyNotify) connect_data_free);

  octopus_account_set_state (account, OCTOPUS_ACCOUNT_STATE_CONNECTING, NULL);
  if (!octopus_account_validate (account, &error))
    {
      fail (task, g_steal_pointer (&error));
      return;
    }
  if (secret == NULL)
    octopus_secret_lookup_async (octopus_account_get_name (account), cancellable,
                                 secret_lookup_cb, task);
  else
    start_with_secret (task);
}

OctopusS3Client *
octopus_account_connect_finish (OctopusAccount *account, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, account), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result))
                        == octopus_account_connect_async, NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

gboolean
octopus_account_connect_check_finish (OctopusAccount  *account,
                                      GAsyncResult    *result,
                                      GError         **error)
{
  g_autoptr(OctopusS3Client) client = octopus_account_connect_finish (account, result, error);

  return client != NULL;
}

/* ---- adding and editing a service ------------------------------------------------------ */

/* Adding and editing share one path: connect (credentials, bucket found or created, region
 * adopted, ACL probe), then store; the task's source object is the account being stored. */
typedef struct {
  OctopusAccountStore *store;
  OctopusAccount      *old;      /* editing: the account replaced; NULL when adding */
  char                *secret;   /* the one given, wiped when freed; NULL: the stored one */
} ChangeData;

static void
change_data_free (ChangeData *data)
{
  g_clear_object (&data->store);
  g_clear_object (&data->old);
  octopus_secret_free (data->secret);
  g_free (data);
}

static GTask *
change_task_new (OctopusAccountStore *store,
                 OctopusAccount      *old,
                 OctopusAccount      *account,
                 const char          *secret,
                 GCancellable        *cancellable,
                 GAsyncReadyCallback  callback,
                 gpointer             user_data,
                 gpointer             source_tag)
{
  GTask *task = g_task_new (account, cancellable, callback, user_data);
  ChangeData *data = g_new0 (ChangeData, 1);

  g_task_set_source_tag (task, source_tag);
  data->store = g_object_ref (store);
  data->old = old != NULL ? g_object_ref (old) : NULL;
  data->secret = secret != NULL && *secret != '\0' ? g_strdup (secret) : NULL;
  g_task_set_task_data (task, data, (GDestroyNotify) change_data_free);
  return task;
}

static void
change_stored_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  ChangeData *data = g_task_get_task_data (task);
  OctopusAccountStore *store = OCTOPUS_ACCOUNT_STORE (source);
  GError *error = NULL;
  gboolean stored;

  stored = data->old == NULL ? octopus_account_store_add_finish (store, result, &error)
                             : octopus_account_store_replace_finish (store, result, &error);
  if (!stored)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

/* Takes over @task's reference. */
static void
store_change (GTask *task)
{
  OctopusAccount *account = g_task_get_source_object (task);
  ChangeData *data = g_task_get_task_data (task);
  GCancellable *cancellable = g_task_get_cancellable (task);

  if (data->old == NULL)
    octopus_account_store_add_async (data->store, account, data->secret, cancellable,
                                     change_stored_cb, task);
  else
    octopus_account_store_replace_async (data->store, data->old, account, data->secret,
                                         cancellable, change_stored_cb, task);
}

static void
change_connected_cb (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (!octopus_account_connect_check_finish (OCTOPUS_ACCOUNT (source), result, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  store_change (g_steal_pointer (&task));
}

/* Connects @task's account with @secret; takes over @task's reference. */
static void
connect_then_store (GTask      *task,
                    const char *secret)
{
  octopus_account_connect_async (g_task_get_source_object (task), secret,
                                 OCTOPUS_ACCOUNT_CONNECT_CREATE_BUCKET
                                 | OCTOPUS_ACCOUNT_CONNECT_PROBE_ACL,
                                 g_task_get_cancellable (task), change_connected_cb, task);
}

void
octopus_account_add_async (OctopusAccountStore *store,
                           OctopusAccount      *account,
                           const char          *secret,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (OCTOPUS_IS_ACCOUNT_STORE (store));
  g_return_if_fail (OCTOPUS_IS_ACCOUNT (account));
  g_return_if_fail (secret != NULL);

  task = change_task_new (store, NULL, account, secret, cancellable, callback, user_data,
                          octopus_account_add_async);
  connect_then_store (task, secret);
}

gboolean
octopus_account_add_finish (OctopusAccount  *account,
                            GAsyncResult    *result,
                            GError         **error)
{
  g_return_val_if_fail (g_task_is_valid (result, account), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result))
                        == octopus_account_add_async, FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Whether @edited reaches another service, bucket or identity than @old: then it connects
 * before anything is stored.  The name, the provider label and allow-http (which only
 * permits an http:// endpoint, checked by validation) do not change where requests go. */
static gboolean
connection_changed (OctopusAccount *old,
                    OctopusAccount *edited)
{
  return g_strcmp0 (octopus_account_get_endpoint (old), octopus_account_get_endpoint (edited))
         || g_strcmp0 (octopus_account_get_region (old), octopus_account_get_region (edited))
         || g_strcmp0 (octopus_account_get_bucket (old), octopus_account_get_bucket (edited))
         || g_strcmp0 (octopus_account_get_access_key (old),
                       octopus_account_get_access_key (edited))
         || !octopus_account_get_path_style (old) != !octopus_account_get_path_style (edited);
}

static void
update_old_secret_cb (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  GTask *task = user_data;
  GError *error = NULL;
  char *secret = octopus_secret_lookup_finish (result, &error);

  if (secret == NULL)
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  connect_then_store (task, secret);
  octopus_secret_free (secret);
}

void
octopus_account_update_async (OctopusAccountStore *store,
                              OctopusAccount      *account,
                              OctopusAccount      *edited,
                              const char          *secret,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  GTask *task;
  ChangeData *data;

  g_return_if_fail (OCTOPUS_IS_ACCOUNT_STORE (store));
  g_return_if_fail (OCTOPUS_IS_ACCOUNT (account));
  g_return_if_fail (OCTOPUS_IS_ACCOUNT (edited));

  /* The task reference is passed from step to step. */
  task = change_task_new (store, account, edited, secret, cancellable, callback, user_data,
                          octopus_account_update_async);
  data = g_task_get_task_data (task);
  if (data->secret != NULL)
    connect_then_store (task, data->secret);
  else if (connection_changed (account, edited))
    /* The stored secret is under the old name (which the edit may change). */
    octopus_secret_lookup_async (octopus_account_get_name (account), cancellable,
                                 update_old_secret_cb, task);
  else
    {
      /* Nothing to learn from the service: keep what the last connection found. */
      octopus_account_set_acl_support (edited, octopus_account_get_acl_support (account));
      store_change (task);
    }
}

gboolean
octopus_account_update_finish (OctopusAccount  *edited,
                               GAsyncResult    *result,
                               GError         **error)
{
  g_return_val_if_fail (g_task_is_valid (result, edited), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result))
                        == octopus_account_update_async, FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}
