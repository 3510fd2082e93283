/* SPDX-License-Identifier: GPL-3.0-or-later */
/* octopus-array-ops.c — delete and ACLs on every service at once. */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "octopus-array-private.h"

#define DELETE_BATCH 1000

/* ---- delete ----------------------------------------------------------------------------- */

typedef struct {
  GPtrArray *keys;        /* of char * */
  GPtrArray *results;
  guint      pending;     /* services still deleting */
} DeleteData;

typedef struct {
  GTask    *task;
  guint     service;
  guint     offset;       /* first key of the running batch */
  gboolean  one_by_one;   /* DeleteObjects is not implemented here */
} ServiceDelete;

static void
delete_data_free (DeleteData *data)
{
  g_clear_pointer (&data->keys, g_ptr_array_unref);
  g_clear_pointer (&data->results, g_ptr_array_unref);
  g_free (data);
}

static void delete_next (ServiceDelete *sd);

static OctopusService *
sd_service (ServiceDelete *sd)
{
  OctopusArray *self = g_task_get_source_object (sd->task);
  return g_ptr_array_index (self->services, sd->service);
}

static void
add_result (ServiceDelete       *sd,
            const char          *key,
            OctopusResultStatus  status,
            const char          *message)
{
  OctopusArray *self = g_task_get_source_object (sd->task);
  DeleteData *data = g_task_get_task_data (sd->task);

  g_ptr_array_add (data->results,
                   _octopus_array_result_new (key, octopus_service_get_name (sd_service (sd)),
                                              status, message));
  if (status == OCTOPUS_RESULT_OK)
    octopus_object_table_forget (self->table, key, sd->service);
}

/* A failure of the whole request applies to every key of the batch; a network failure
 * ends this service's part (the service is unreachable: every remaining key is reported). */
static void
fail_batch (ServiceDelete *sd,
            guint          count,
            const GError  *error)
{
  DeleteData *data = g_task_get_task_data (sd->task);
  OctopusResultStatus status = _octopus_error_is_unreachable (error) ? OCTOPUS_RESULT_UNREACHABLE
                                                                     : OCTOPUS_RESULT_FAILED;
  guint end = status == OCTOPUS_RESULT_UNREACHABLE ? data->keys->len
                                                   : MIN (sd->offset + count, data->keys->len);

  for (guint i = sd->offset; i < end; i++)
    add_result (sd, g_ptr_array_index (data->keys, i), status, error->message);
  sd->offset = end;
}

static void
delete_one_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  ServiceDelete *sd = user_data;
  DeleteData *data = g_task_get_task_data (sd->task);
  g_autoptr(GError) error = NULL;

  if (!octopus_s3_client_delete_object_finish (OCTOPUS_S3_CLIENT (source), result, &error))
    fail_batch (sd, 1, error);
  else
    add_result (sd, g_ptr_array_index (data->keys, sd->offset++), OCTOPUS_RESULT_OK, NULL);
  delete_next (sd);
}

static void
delete_batch_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  ServiceDelete *sd = user_data;
  DeleteData *data = g_task_get_task_data (sd->task);
  guint count = MIN (DELETE_BATCH, data->keys->len - sd->offset);
  g_autoptr(GPtrArray) failed = NULL;
  g_autoptr(GHashTable) failed_keys = NULL;
  g_autoptr(GError) error = NULL;

  failed = octopus_s3_client_delete_objects_finish (OCTOPUS_S3_CLIENT (source), result, &error);
  if (failed == NULL && _octopus_error_is_unsupported (error))
    {
      sd->one_by_one = TRUE;   /* retry this batch key by key */
      delete_next (sd);
      return;
    }
  if (failed == NULL)
    {
      fail_batch (sd, count, error);
      delete_next (sd);
      return;
    }

  failed_keys = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint i = 0; i < failed->len; i++)
    {
      OctopusS3DeleteError *e = g_ptr_array_index (failed, i);
      if (e->key != NULL)
        g_hash_table_insert (failed_keys, e->key, e);
    }
  for (guint i = sd->offset; i < sd->offset + count; i++)
    {
      const char *key = g_ptr_array_index (data->keys, i);
      OctopusS3DeleteError *e = g_hash_table_lookup (failed_keys, key);

      if (e != NULL)
        add_result (sd, key, OCTOPUS_RESULT_FAILED, e->message ? e->message : e->code);
      else
        add_result (sd, key, OCTOPUS_RESULT_OK, NULL);
    }
  sd->offset += count;
  delete_next (sd);
}

static void
delete_next (ServiceDelete *sd)
{
  DeleteData *data = g_task_get_task_data (sd->task);
  OctopusService *service = sd_service (sd);
  OctopusS3Client *client = octopus_service_get_client (service);
  GCancellable *cancellable = g_task_get_cancellable (sd->task);
  const GError *unusable = octopus_service_get_unusable (service);

  /* Nothing is sent to a service that cannot be used; every key is reported. */
  for (; unusable != NULL && sd->offset < data->keys->len; sd->offset++)
    add_result (sd, g_ptr_array_index (data->keys, sd->offset), OCTOPUS_RESULT_UNREACHABLE,
                unusable->message);

  if (sd->offset >= data->keys->len || g_cancellable_is_cancelled (cancellable))
    {
      GTask *task = sd->task;

      g_free (sd);
      if (--data->pending == 0 && !g_task_return_error_if_cancelled (task))
        g_task_return_pointer (task, g_ptr_array_ref (data->results),
                               (GDestroyNotify) g_ptr_array_unref);
      g_object_unref (task);
      return;
    }

  if (sd->one_by_one)
    {
      octopus_s3_client_delete_object_async (client, octopus_service_get_bucket (service),
                                             g_ptr_array_index (data->keys, sd->offset),
                                             cancellable, delete_one_cb, sd);
    }
  else
    {
      guint count = MIN (DELETE_BATCH, data->keys->len - sd->offset);
      g_autofree const char **batch = g_new0 (const char *, count + 1);

      for (guint i = 0; i < count; i++)
        batch[i] = g_ptr_array_index (data->keys, sd->offset + i);
      octopus_s3_client_delete_objects_async (client, octopus_service_get_bucket (service),
                                              batch, cancellable, delete_batch_cb, sd);
    }
}

void
octopus_array_delete_async (OctopusArray        *self,
                            const char * const  *keys,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  DeleteData *data;

  g_return_if_fail (OCTOPUS_IS_ARRAY (self));
  g_return_if_fail (keys != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, octopus_array_delete_async);
  data = g_new0 (DeleteData, 1);
  data->keys = g_ptr_array_new_with_free_func (g_free);
  data->results = g_ptr_array_new_with_free_func ((GDestroyNotify) octopus_array_result_free);
  for (guint i = 0; keys[i] != NULL; i++)
    g_ptr_array_add (data->keys, g_strdup (keys[i]));
  g_task_set_task_data (task, data, (GDestroyNotify) delete_data_free);

  if (data->keys->len == 0 || self->services->len == 0)
    {
      g_task_return_pointer (task, g_ptr_array_ref (data->results),
                             (GDestroyNotify) g_ptr_array_unref);
      return;
    }

  data->pending = self->services->len;
  for (guint i = 0; i < self->services->len; i++)
    {
      ServiceDelete *sd = g_new0 (ServiceDelete, 1);

      sd->task = g_object_ref (task);
      sd->service = i;
      delete_next (sd);
    }
}

GPtrArray *
octopus_array_delete_finish (OctopusArray  *self,
                             GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- ACLs ------------------------------------------------------------------------------- */

void
octopus_array_acl_free (OctopusArrayAcl *acl)
{
  if (acl == NULL)
    return;
  g_free (acl->service);
  g_clear_pointer (&acl->acl, octopus_s3_acl_free);
  g_free (acl->message);
  g_free (acl);
}

gboolean
octopus_array_acls_agree (GPtrArray *acls)
{
  g_autoptr(GPtrArray) policies = g_ptr_array_new ();

  for (guint i = 0; acls != NULL && i < acls->len; i++)
    {
      OctopusArrayAcl *entry = g_ptr_array_index (acls, i);

      if (entry->status == OCTOPUS_RESULT_OK && entry->acl != NULL)
        g_ptr_array_add (policies, entry->acl);
    }
  return octopus_acl_policies_agree ((const OctopusAclPolicy * const *) policies->pdata,
                                     policies->len);
}

typedef struct {
  GPtrArray *entries;     /* get: of OctopusArrayAcl, one per service (pre-filled) */
  GPtrArray *results;     /* set: of OctopusArrayResult */
  guint      pending;
} AclData;

typedef struct {
  GTask *task;
  guint  service;
} AclCall;

static void set_acl_cb (GObject *source, GAsyncResult *result, gpointer user_data);

static void
acl_data_free (AclData *data)
{
  g_clear_pointer (&data->entries, g_ptr_array_unref);
  g_clear_pointer (&data->results, g_ptr_array_unref);
  g_free (data);
}

static void
acl_call_done (AclCall *call)
{
  GTask *task = call->task;
  AclData *data = g_task_get_task_data (task);

  g_free (call);
  /* Cancelled: one G_IO_ERROR_CANCELLED for the call, never a "cancelled" per service. */
  if (--data->pending == 0 && !g_task_return_error_if_cancelled (task))
    {
      if (data->entries != NULL)
        g_task_return_pointer (task, g_ptr_array_ref (data->entries),
                               (GDestroyNotify) g_ptr_array_unref);
      else
        g_task_return_pointer (task, g_ptr_array_ref (data->results),
                               (GDestroyNotify) g_ptr_array_unref);
    }
  g_object_unref (task);
}

static OctopusService *
acl_call_service (AclCall *call)
{
  OctopusArray *self = g_task_get_source_object (call->task);
  return g_ptr_array_index (self->services, call->service);
}

static void
get_acl_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  AclCall *call = user_data;
  AclData *data = g_task_get_task_data (call->task);
  OctopusArrayAcl *entry = g_ptr_array_index (data->entries, call->service);
  g_autoptr(GError) error = NULL;

  entry->acl = octopus_s3_client_get_object_acl_finish (OCTOPUS_S3_CLIENT (source), result, &error);
  if (entry->acl != NULL)
    entry->status = OCTOPUS_RESULT_OK;
  else if (_octopus_error_is_unsupported (error))
    {
      octopus_service_set_acl_support (acl_call_service (call), OCTOPUS_SUPPORT_NO);
      entry->status = OCTOPUS_RESULT_UNSUPPORTED;
      entry->message = g_strdup (_("ACLs not supported here"));
    }
  else
    {
      entry->status = _octopus_error_is_unreachable (error) ? OCTOPUS_RESULT_UNREACHABLE
                                                            : OCTOPUS_RESULT_FAILED;
      entry->message = g_strdup (error->message);
    }
  acl_call_done (call);
}

void
octopus_array_get_acl_async (OctopusArray        *self,
                             const char          *key,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  AclData *data;

  g_return_if_fail (OCTOPUS_IS_ARRAY (self));
  g_return_if_fail (key != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, octopus_array_get_acl_async);
  data = g_new0 (AclData, 1);
  data->entries = g_ptr_array_new_with_free_func ((GDestroyNotify) octopus_array_acl_free);
  g_task_set_task_data (task, data, (GDestroyNotify) acl_data_free);

  data->pending = 1;
  for (guint i = 0; i < self->services->len; i++)
    {
      OctopusService *service = g_ptr_array_index (self->services, i);
      OctopusArrayAcl *entry = g_new0 (OctopusArrayAcl, 1);
      AclCall *call;

      entry->service = g_strdup (octopus_service_get_name (service));
      g_ptr_array_add (data->entries, entry);
      if (octopus_service_get_unusable (service) != NULL)
        {
          entry->status = OCTOPUS_RESULT_UNREACHABLE;
          entry->message = g_strdup (octopus_service_get_unusable (service)->message);
          continue;
        }
      if (octopus_service_get_acl_support (service) == OCTOPUS_SUPPORT_NO)
        {
          entry->status = OCTOPUS_RESULT_UNSUPPORTED;
          entry->message = g_strdup (_("ACLs not supported here"));
          continue;
        }
      call = g_new0 (AclCall, 1);
      call->task = g_object_ref (task);
      call->service = i;
      data->pending++;
      octopus_s3_client_get_object_acl_async (octopus_service_get_client (service),
                                              octopus_service_get_bucket (service), key,
                                              cancellable, get_acl_cb, call);
    }

  {
    AclCall *hold = g_new0 (AclCall, 1);   /* releases the count held while starting */
    hold->task = g_steal_pointer (&task);
    acl_call_done (hold);
  }
}

GPtrArray *
octopus_array_get_acl_finish (OctopusArray  *self,
                              GAsyncResult  *result,
                              GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
set_acl_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  AclCall *call = user_data;
  AclData *data = g_task_get_task_data (call->task);
  OctopusService *service = acl_call_service (call);
  const char *name = octopus_service_get_name (service);
  const char *key = g_object_get_data (G_OBJECT (call->task), "key");
  g_autoptr(GError) error = NULL;

  if (octopus_s3_client_put_object_acl_finish (OCTOPUS_S3_CLIENT (source), result, &error))
    {
      octopus_service_set_acl_support (service, OCTOPUS_SUPPORT_YES);
      g_ptr_array_add (data->results, _octopus_array_result_new (key, name, OCTOPUS_RESULT_OK, NULL));
    }
  else if (_octopus_error_is_unsupported (error))
    {
      octopus_service_set_acl_support (service, OCTOPUS_SUPPORT_NO);
      g_ptr_array_add (data->results,
                       _octopus_array_result_new (key, name, OCTOPUS_RESULT_UNSUPPORTED,
                                                  _("ACLs not supported here")));
    }
  else
    g_ptr_array_add (data->results,
                     _octopus_array_result_new (key, name,
                                                _octopus_error_is_unreachable (error)
                                                  ? OCTOPUS_RESULT_UNREACHABLE
                                                  : OCTOPUS_RESULT_FAILED,
                                                error->message));
  acl_call_done (call);
}

void
octopus_array_set_acl_async (OctopusArray           *self,
                             const char             *key,
                             const char             *canned,
                             const OctopusAclPolicy *acl,
                             GCancellable           *cancellable,
                             GAsyncReadyCallback     callback,
                             gpointer                user_data)
{
  g_autoptr(GTask) task = NULL;
  AclData *data;

  g_return_if_fail (OCTOPUS_IS_ARRAY (self));
  g_return_if_fail (key != NULL);
  g_return_if_fail ((canned != NULL) != (acl != NULL));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, octopus_array_set_acl_async);
  g_object_set_data_full (G_OBJECT (task), "key", g_strdup (key), g_free);
  data = g_new0 (AclData, 1);
  data->results = g_ptr_array_new_with_free_func ((GDestroyNotify) octopus_array_result_free);
  g_task_set_task_data (task, data, (GDestroyNotify) acl_data_free);

  if (canned != NULL && !octopus_acl_canned_is_valid (canned))
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                               _("“%s” is not a canned ACL"), canned);
      return;
    }

  data->pending = 1;
  for (guint i = 0; i < self->services->len; i++)
    {
      OctopusService *service = g_ptr_array_index (self->services, i);
      AclCall *call;

      if (octopus_service_get_unusable (service) != NULL)
        {
          g_ptr_array_add (data->results,
                           _octopus_array_result_new (key, octopus_service_get_name (service),
                                                      OCTOPUS_RESULT_UNREACHABLE,
                                                      octopus_service_get_unusable (service)->message));
          continue;
        }
      if (octopus_service_get_acl_support (service) == OCTOPUS_SUPPORT_NO)
        {
          g_ptr_array_add (data->results,
                           _octopus_array_result_new (key, octopus_service_get_name (service),
                                                      OCTOPUS_RESULT_UNSUPPORTED,
                                                      _("ACLs not supported here")));
          continue;
        }
      call = g_new0 (AclCall, 1);
      call->task = g_object_ref (task);
      call->service = i;
      data->pending++;
      octopus_s3_client_put_object_acl_async (octopus_service_get_client (service),
                                              octopus_service_get_bucket (service), key,
                                              canned, acl, cancellable, set_acl_cb, call);
    }

  {
    AclCall *hold = g_new0 (AclCall, 1);
    hold->task = g_steal_pointer (&task);
    acl_call_done (hold);
  }
}

GPtrArray *
octopus_array_set_acl_finish (OctopusArray  *self,
                              GAsyncResult  *result,
                              GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* A grant or revoke: this service's ACL was read; write back the policy built from it. */
static void
change_read_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  AclCall *call = user_data;
  AclData *data = g_task_get_task_data (call->task);
  OctopusService *service = acl_call_service (call);
  const char *name = octopus_service_get_name (service);
  const char *key = g_object_get_data (G_OBJECT (call->task), "key");
  const OctopusAclChange *change = g_object_get_data (G_OBJECT (call->task), "change");
  g_autoptr(OctopusAclPolicy) current = NULL;
  g_autoptr(OctopusAclPolicy) policy = NULL;
  g_autoptr(GError) error = NULL;

  current = octopus_s3_client_get_object_acl_finish (OCTOPUS_S3_CLIENT (source), result, &error);
  if (current != NULL)
    policy = octopus_acl_policy_apply (current, change, &error);
  if (policy != NULL)
    {
      octopus_s3_client_put_object_acl_async (OCTOPUS_S3_CLIENT (source),
                                              octopus_service_get_bucket (service), key,
                                              NULL, policy, g_task_get_cancellable (call->task),
                                              set_acl_cb, call);
      return;
    }
  if (current != NULL)
    g_ptr_array_add (data->results,
                     _octopus_array_result_new (key, name, OCTOPUS_RESULT_FAILED, error->message));
  else if (_octopus_error_is_unsupported (error))
    {
      octopus_service_set_acl_support (service, OCTOPUS_SUPPORT_NO);
      g_ptr_array_add (data->results,
                       _octopus_array_result_new (key, name, OCTOPUS_RESULT_UNSUPPORTED,
                                                  _("ACLs not supported here")));
    }
  else
    g_ptr_array_add (data->results,
                     _octopus_array_result_new (key, name,
                                                _octopus_error_is_unreachable (error)
                                                  ? OCTOPUS_RESULT_UNREACHABLE
                                                  : OCTOPUS_RESULT_FAILED,
                                                error->message));
  acl_call_done (call);
}

void
octopus_array_change_acl_async (OctopusArray           *self,
                                const char             *key,
                                const OctopusAclChange *change,
                                GCancellable           *cancellable,
                                GAsyncReadyCallback     callback,
                                gpointer                user_data)
{
  g_autoptr(GTask) task = NULL;
  AclData *data;

  g_return_if_fail (OCTOPUS_IS_ARRAY (self));
  g_return_if_fail (key != NULL);
  g_return_if_fail (change != NULL);

  if (change->kind == OCTOPUS_ACL_CHANGE_CANNED)
    {
      octopus_array_set_acl_async (self, key, change->canned, NULL, cancellable,
                                   callback, user_data);
      return;
    }

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, octopus_array_change_acl_async);
  g_object_set_data_full (G_OBJECT (task), "key", g_strdup (key), g_free);
  g_object_set_data_full (G_OBJECT (task), "change", octopus_acl_change_copy (change),
                          (GDestroyNotify) octopus_acl_change_free);
  data = g_new0 (AclData, 1);
  data->results = g_ptr_array_new_with_free_func ((GDestroyNotify) octopus_array_result_free);
  g_task_set_task_data (task, data, (GDestroyNotify) acl_data_free);

  data->pending = 1;
  for (guint i = 0; i < self->services->len; i++)
    {
      OctopusService *service = g_ptr_array_index (self->services, i);
      AclCall *call;
      const GError *unusable = octopus_service_get_unusable (service);

      if (unusable != NULL)
        {
          g_ptr_array_add (data->results,
                           _octopus_array_result_new (key, octopus_service_get_name (service),
                                                      OCTOPUS_RESULT_UNREACHABLE,
                                                      unusable->message));
          continue;
        }
      if (octopus_service_get_acl_support (service) == OCTOPUS_SUPPORT_NO)
        {
          g_ptr_array_add (data->results,
                           _octopus_array_result_new (key, octopus_service_get_name (service),
                                                      OCTOPUS_RESULT_UNSUPPORTED,
                                                      _("ACLs not supported here")));
          continue;
        }
      call = g_new0 (AclCall, 1);
      call->task = g_object_ref (task);
      call->service = i;
      data->pending++;
      octopus_s3_client_get_object_acl_async (octopus_service_get_client (service),
                                              octopus_service_get_bucket (service), key,
                                              cancellable, change_read_cb, call);
    }

  {
    AclCall *hold = g_new0 (AclCall, 1);
    hold->task = g_steal_pointer (&task);
    acl_call_done (hold);
  }
}

GPtrArray *
octopus_array_change_acl_finish (OctopusArray  *self,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
