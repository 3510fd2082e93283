/* SPDX-License-Identifier: GPL-3.0-or-later */
/* octopus-service-loader.c — the array's members, made from the configured accounts. */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "octopus-account-connect.h"
#include "octopus-account-store.h"
#include "octopus-secret.h"
#include "octopus-service-loader.h"

typedef struct {
  OctopusAccountStore *store;
  GPtrArray           *services;   /* of OctopusService, grows as secrets arrive */
  guint                next;       /* index of the account whose secret is being read */
} LoadData;

static void
load_data_free (LoadData *data)
{
  g_clear_object (&data->store);
  g_clear_pointer (&data->services, g_ptr_array_unref);
  g_free (data);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LoadData, load_data_free)

static OctopusSupport
support_from_account (OctopusAclSupport support)
{
  switch (support)
    {
    case OCTOPUS_ACL_SUPPORT_YES: return OCTOPUS_SUPPORT_YES;
    case OCTOPUS_ACL_SUPPORT_NO: return OCTOPUS_SUPPORT_NO;
    case OCTOPUS_ACL_SUPPORT_UNKNOWN:
    default: return OCTOPUS_SUPPORT_UNKNOWN;
    }
}

/* A service for @account; with no usable secret (@reason), or settings that make no client
 * (e.g. a hand-edited http:// endpoint without allow-http), it still exists so its column
 * shows, marked unusable with the reason: nothing is sent to it, and the other accounts are
 * not affected. */
static OctopusService *
service_for_account (OctopusAccount *account,
                     const char     *secret,
                     const GError   *reason,
                     GError        **error)
{
  g_autoptr(OctopusS3Client) client = NULL;
  g_autoptr(OctopusService) service = NULL;
  g_autoptr(GError) client_error = NULL;

  /* A client needs some secret; an empty one can never sign a request that a server accepts
   * (and none is sent: the service is unusable). */
  client = octopus_account_create_client (account, secret != NULL ? secret : "", &client_error);
  if (client == NULL)
    {
      /* A stand-in that is never used: an unusable service sends nothing. */
      OctopusS3ClientOptions options = {
        .name = octopus_account_get_name (account),
        .endpoint = "https://invalid.invalid",   /* RFC 6761: never resolves */
        .access_key = "",
        .secret_key = "",
      };

      client = octopus_s3_client_new (&options, error);
      if (client == NULL)
        return NULL;
      reason = client_error;
    }

  service = octopus_service_new (octopus_account_get_name (account), client,
                                 octopus_account_get_bucket (account));
  octopus_service_set_acl_support (service,
                                   support_from_account (
                                     octopus_account_get_acl_support (account)));
  if (reason != NULL)
    octopus_service_set_unusable (service, reason);
  return g_steal_pointer (&service);
}

static void load_next_secret (GTask *task);

static void
secret_lookup_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  LoadData *data = g_task_get_task_data (task);
  g_autoptr(OctopusAccount) account =
    g_list_model_get_item (G_LIST_MODEL (data->store), data->next);
  g_autoptr(GError) lookup_error = NULL;
  g_autoptr(GError) error = NULL;
  OctopusService *service;
  char *secret;

  secret = octopus_secret_lookup_finish (result, &lookup_error);
  if (lookup_error != NULL && (g_error_matches (lookup_error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
                               g_error_matches (lookup_error, OCTOPUS_ACCOUNT_ERROR,
                                                OCTOPUS_ACCOUNT_ERROR_KEYRING_UNAVAILABLE)))
    {
      g_task_return_error (task, g_steal_pointer (&lookup_error));
      return;
    }

  service = service_for_account (account, secret, lookup_error, &error);
  octopus_secret_free (secret);
  if (service == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  g_ptr_array_add (data->services, service);
  data->next++;
  load_next_secret (g_steal_pointer (&task));
}

static void
load_next_secret (GTask *task)
{
  LoadData *data = g_task_get_task_data (task);
  g_autoptr(OctopusAccount) account = NULL;

  if (data->next >= g_list_model_get_n_items (G_LIST_MODEL (data->store)))
    {
      g_task_return_pointer (task, g_steal_pointer (&data->services),
                             (GDestroyNotify) g_ptr_array_unref);
      g_object_unref (task);
      return;
    }

  account = g_list_model_get_item (G_LIST_MODEL (data->store), data->next);
  octopus_secret_lookup_async (octopus_account_get_name (account),
                               g_task_get_cancellable (task),
                               secret_lookup_cb, task);
}

void
octopus_services_load_async (GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(LoadData) data = g_new0 (LoadData, 1);
  g_autofree char *path = octopus_account_store_get_default_path ();
  g_autoptr(GError) error = NULL;

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, octopus_services_load_async);

  data->store = octopus_account_store_new (path);
  data->services = g_ptr_array_new_with_free_func (g_object_unref);
  if (!octopus_account_store_load (data->store, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  g_task_set_task_data (task, g_steal_pointer (&data), (GDestroyNotify) load_data_free);
  load_next_secret (g_steal_pointer (&task));
}

GPtrArray *
octopus_services_load_finish (GAsyncResult  *result,
                              GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == octopus_services_load_async,
                        NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
