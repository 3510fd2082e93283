/* SPDX-License-Identifier: GPL-3.0-or-later */
/* octopus-array-ops.c — delete and ACLs on every service at once. */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "octopus-array-private.h"
#include "octopus-fanout.h"

#define DELETE_BATCH 1000

/* ---- delete ----------------------------------------------------------------------------- */

typedef struct {
  GPtrArray *keys;        /* of char * */
  GPtrArray *results;
  OctopusFanout fanout;   /* services still deleting */
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

/* Every service is done: the results, key by key and service by service. */
static void
delete_return (GTask *task)
{
  DeleteData *data = g_task_get_task_data (task);

  if (!g_task_return_error_if_cancelled (task))
    g_task_return_pointer (task, g_ptr_array_ref (data->results),
                           (GDestroyNotify) g_ptr_array_unref);
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
      octopus_fanout_answer (&data->fanout);
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

/* Deletes @keys on service @only, or on every service when @only is -1. */
static void
delete_start (OctopusArray       *self,
              const char * const *keys,
              int                 only,
              GTask              *task)
{
  DeleteData *data;

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

  octopus_fanout_begin (&data->fanout, (OctopusFanoutNext) delete_return, task);
  for (guint i = 0; i < self->services->len; i++)
    {
      ServiceDelete *sd;

      if (only >= 0 && i != (guint) only)
        continue;
      sd = g_new0 (ServiceDelete, 1);
      sd->task = g_object_ref (task);
      sd->service = i;
      octopus_fanout_add (&data->fanout);
      delete_next (sd);
    }
  octopus_fanout_seal (&data->fanout);
}

void
octopus_array_delete_async (OctopusArray        *self,
                            const char * const  *keys,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (OCTOPUS_IS_ARRAY (self));
  g_return_if_fail (keys != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, octopus_array_delete_async);
  delete_start (self, keys, -1, task);
}

void
octopus_array_delete_copy_async (OctopusArray        *self,
                                 const char          *key,
                                 const char          *service_name,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  const char *keys[] = { key, NULL };
  GError *error = NULL;
  int only;

  g_return_if_fail (OCTOPUS_IS_ARRAY (self));
  g_return_if_fail (key != NULL);
  g_return_if_fail (service_name != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, octopus_array_delete_async);
  only = _octopus_array_service_index (self, service_name, &error);
  if (only < 0)
    {
      g_task_return_error (task, error);
      return;
    }
  delete_start (self, keys, only, task);
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
  GPtrArray    *entries;  /* get: of OctopusArrayAcl, one per service (pre-filled) */
  GPtrArray    *results;  /* set and change: of OctopusArrayResult */
  char         *key;
  GPtrArray    *changes;  /* change: the grants and revokes to apply to each service's ACL */
  /* set: the caller's canned ACL or policy, borrowed while the calls are started */
  const char             *canned;
  const OctopusAclPolicy *policy;
  OctopusFanout           fanout;
} AclData;

typedef struct {
  GTask *task;
  guint  service;
} AclCall;

static void
acl_data_free (AclData *data)
{
  g_clear_pointer (&data->entries, g_ptr_array_unref);
  g_clear_pointer (&data->results, g_ptr_array_unref);
  g_clear_pointer (&data->changes, g_ptr_array_unref);
  g_free (data->key);
  g_free (data);
}

/* Every service has answered: its entries (get) or results (set, change). */
static void
acl_return (GTask *task)
{
  AclData *data = g_task_get_task_data (task);
  GPtrArray *out = data->entries != NULL ? data->entries : data->results;

  /* Cancelled: one G_IO_ERROR_CANCELLED for the call, never a "cancelled" per service. */
  if (!g_task_return_error_if_cancelled (task))
    g_task_return_pointer (task, g_ptr_array_ref (out), (GDestroyNotify) g_ptr_array_unref);
}

/* A task for an ACL call on @key over every service; @entries for get, results otherwise. */
static GTask *
acl_task_new (OctopusArray       *self,
              const char         *key,
              gboolean            entries,
              gpointer            source_tag,
              GCancellable       *cancellable,
              GAsyncReadyCallback callback,
              gpointer            user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  AclData *data = g_new0 (AclData, 1);

  g_task_set_source_tag (task, source_tag);
  data->key = g_strdup (key);
  if (entries)
    data->entries = g_ptr_array_new_with_free_func ((GDestroyNotify) octopus_array_acl_free);
  else
    data->results = g_ptr_array_new_with_free_func ((GDestroyNotify) octopus_array_result_free);
  g_task_set_task_data (task, data, (GDestroyNotify) acl_data_free);
  octopus_fanout_begin (&data->fanout, (OctopusFanoutNext) acl_return, task);
  return task;
}

/* A call to service @index; its callback ends with acl_call_done(). */
static AclCall *
acl_call_new (GTask *task,
              guint  index)
{
  AclData *data = g_task_get_task_data (task);
  AclCall *call = g_new0 (AclCall, 1);

  call->task = g_object_ref (task);
  call->service = index;
  octopus_fanout_add (&data->fanout);
  return call;
}

static void
acl_call_done (AclCall *call)
{
  GTask *task = call->task;
  AclData *data = g_task_get_task_data (task);

  g_free (call);
  octopus_fanout_answer (&data->fanout);
  g_object_unref (task);
}

static OctopusService *
acl_call_service (AclCall *call)
{
  OctopusArray *self = g_task_get_source_object (call->task);
  return g_ptr_array_index (self->services, call->service);
}

/* Why nothing is sent to @service: it cannot be used, or it has no ACLs (learnt from an
 * earlier answer).  FALSE when it is worth asking. */
static gboolean
acl_skipped (OctopusService      *service,
             OctopusResultStatus *status,
             const char         **message)
{
  if (octopus_service_get_unusable (service) != NULL)
    {
      *status = OCTOPUS_RESULT_UNREACHABLE;
      *message = octopus_service_get_unusable (service)->message;
      return TRUE;
    }
  if (octopus_service_get_acl_support (service) == OCTOPUS_SUPPORT_NO)
    {
      *status = OCTOPUS_RESULT_UNSUPPORTED;
      *message = _("ACLs not supported here");
      return TRUE;
    }
  return FALSE;
}

/* What a failed ACL call of @service means: no ACLs there (remembered), unreachable, or
 * failed; @message receives the words (owned). */
static OctopusResultStatus
acl_failure (OctopusService *service,
             const GError   *error,
             char          **message)
{
  /* A service known to take ACLs that does not implement one request (Swift: a grant to an
   * e-mail address) still has ACLs: that change failed there. */
  if (g_error_matches (error, OCTOPUS_S3_ERROR, OCTOPUS_S3_ERROR_NOT_IMPLEMENTED) &&
      octopus_service_get_acl_support (service) == OCTOPUS_SUPPORT_YES)
    {
      *message = g_strdup (error->message);
      return OCTOPUS_RESULT_FAILED;
    }
  if (_octopus_error_is_unsupported (error))
    {
      octopus_service_set_acl_support (service, OCTOPUS_SUPPORT_NO);
      *message = g_strdup (_("ACLs not supported here"));
      return OCTOPUS_RESULT_UNSUPPORTED;
    }
  *message = g_strdup (error->message);
  return _octopus_error_is_unreachable (error) ? OCTOPUS_RESULT_UNREACHABLE
                                                : OCTOPUS_RESULT_FAILED;
}

static void
add_acl_result (AclData             *data,
                OctopusService      *service,
                OctopusResultStatus  status,
                const char          *message)
{
  g_ptr_array_add (data->results,
                   _octopus_array_result_new (data->key, octopus_service_get_name (service),
                                              status, message));
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
  else
    entry->status = acl_failure (acl_call_service (call), error, &entry->message);
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

  task = acl_task_new (self, key, TRUE, octopus_array_get_acl_async, cancellable, callback,
                       user_data);
  data = g_task_get_task_data (task);
  for (guint i = 0; i < self->services->len; i++)
    {
      OctopusService *service = g_ptr_array_index (self->services, i);
      OctopusArrayAcl *entry = g_new0 (OctopusArrayAcl, 1);
      const char *message;

      entry->service = g_strdup (octopus_service_get_name (service));
      g_ptr_array_add (data->entries, entry);
      if (acl_skipped (service, &entry->status, &message))
        {
          entry->message = g_strdup (message);
          continue;
        }
      octopus_s3_client_get_object_acl_async (octopus_service_get_client (service),
                                              octopus_service_get_bucket (service), key,
                                              cancellable, get_acl_cb, acl_call_new (task, i));
    }
  octopus_fanout_seal (&data->fanout);
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
  g_autoptr(GError) error = NULL;

  if (octopus_s3_client_put_object_acl_finish (OCTOPUS_S3_CLIENT (source), result, &error))
    {
      octopus_service_set_acl_support (service, OCTOPUS_SUPPORT_YES);
      add_acl_result (data, service, OCTOPUS_RESULT_OK, NULL);
    }
  else
    {
      g_autofree char *message = NULL;
      OctopusResultStatus status = acl_failure (service, error, &message);

      add_acl_result (data, service, status, message);
    }
  acl_call_done (call);
}

/* Sends each service that may have ACLs the call @start makes for it; the others get their
 * result at once. */
typedef void (*AclStart) (OctopusService *service, AclCall *call);

static void
acl_fan_out (GTask   *task,
             AclStart start)
{
  OctopusArray *self = g_task_get_source_object (task);
  AclData *data = g_task_get_task_data (task);

  for (guint i = 0; i < self->services->len; i++)
    {
      OctopusService *service = g_ptr_array_index (self->services, i);
      OctopusResultStatus status;
      const char *message;

      if (acl_skipped (service, &status, &message))
        add_acl_result (data, service, status, message);
      else
        start (service, acl_call_new (task, i));
    }
  octopus_fanout_seal (&data->fanout);
}

static void
start_set_acl (OctopusService *service,
               AclCall        *call)
{
  AclData *data = g_task_get_task_data (call->task);

  octopus_s3_client_put_object_acl_async (octopus_service_get_client (service),
                                          octopus_service_get_bucket (service), data->key,
                                          data->canned, data->policy,
                                          g_task_get_cancellable (call->task), set_acl_cb, call);
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

  task = acl_task_new (self, key, FALSE, octopus_array_set_acl_async, cancellable, callback,
                       user_data);
  if (canned != NULL && !octopus_acl_canned_is_valid (canned))
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                               _("“%s” is not a canned ACL"), canned);
      return;
    }
  /* The requests are built as they are started: the caller's values are not kept. */
  data = g_task_get_task_data (task);
  data->canned = canned;
  data->policy = acl;
  acl_fan_out (task, start_set_acl);
  data->canned = NULL;
  data->policy = NULL;
}

GPtrArray *
octopus_array_set_acl_finish (OctopusArray  *self,
                              GAsyncResult  *result,
                              GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* @changes applied in order to @current, as one policy. */
static OctopusAclPolicy *
apply_changes (const OctopusAclPolicy  *current,
               GPtrArray               *changes,
               GError                 **error)
{
  g_autoptr(OctopusAclPolicy) policy = NULL;

  for (guint i = 0; i < changes->len; i++)
    {
      OctopusAclPolicy *next = octopus_acl_policy_apply (policy != NULL ? policy : current,
                                                         g_ptr_array_index (changes, i), error);

      if (next == NULL)
        return NULL;
      g_clear_pointer (&policy, octopus_acl_policy_free);
      policy = next;
    }
  return g_steal_pointer (&policy);
}

/* Grants and revokes: this service's ACL was read; write back the policy built from it. */
static void
change_read_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  AclCall *call = user_data;
  AclData *data = g_task_get_task_data (call->task);
  OctopusService *service = acl_call_service (call);
  g_autoptr(OctopusAclPolicy) current = NULL;
  g_autoptr(OctopusAclPolicy) policy = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;
  OctopusResultStatus status;

  current = octopus_s3_client_get_object_acl_finish (OCTOPUS_S3_CLIENT (source), result, &error);
  if (current != NULL)
    policy = apply_changes (current, data->changes, &error);
  if (policy != NULL)
    {
      octopus_s3_client_put_object_acl_async (OCTOPUS_S3_CLIENT (source),
                                              octopus_service_get_bucket (service), data->key,
                                              NULL, policy, g_task_get_cancellable (call->task),
                                              set_acl_cb, call);
      return;
    }
  if (current != NULL)
    {
      status = OCTOPUS_RESULT_FAILED;   /* the change cannot apply to this ACL */
      message = g_strdup (error->message);
    }
  else
    status = acl_failure (service, error, &message);
  add_acl_result (data, service, status, message);
  acl_call_done (call);
}

static void
start_change_acl (OctopusService *service,
                  AclCall        *call)
{
  AclData *data = g_task_get_task_data (call->task);

  octopus_s3_client_get_object_acl_async (octopus_service_get_client (service),
                                          octopus_service_get_bucket (service), data->key,
                                          g_task_get_cancellable (call->task), change_read_cb,
                                          call);
}

void
octopus_array_change_acl_async (OctopusArray           *self,
                                const char             *key,
                                const OctopusAclChange *change,
                                GCancellable           *cancellable,
                                GAsyncReadyCallback     callback,
                                gpointer                user_data)
{
  g_autoptr(GPtrArray) changes = g_ptr_array_new ();

  g_return_if_fail (change != NULL);

  g_ptr_array_add (changes, (gpointer) change);
  octopus_array_change_acl_list_async (self, key, changes, cancellable, callback, user_data);
}

void
octopus_array_change_acl_list_async (OctopusArray        *self,
                                     const char          *key,
                                     GPtrArray           *changes,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  AclData *data;
  const OctopusAclChange *first;

  g_return_if_fail (OCTOPUS_IS_ARRAY (self));
  g_return_if_fail (key != NULL);
  g_return_if_fail (changes != NULL && changes->len > 0);

  first = g_ptr_array_index (changes, 0);
  if (changes->len == 1 && first->kind == OCTOPUS_ACL_CHANGE_CANNED)
    {
      octopus_array_set_acl_async (self, key, first->canned, NULL, cancellable,
                                   callback, user_data);
      return;
    }

  task = acl_task_new (self, key, FALSE, octopus_array_change_acl_list_async, cancellable,
                       callback, user_data);
  data = g_task_get_task_data (task);
  data->changes = g_ptr_array_new_with_free_func ((GDestroyNotify) octopus_acl_change_free);
  for (guint i = 0; i < changes->len; i++)
    g_ptr_array_add (data->changes, octopus_acl_change_copy (g_ptr_array_index (changes, i)));
  acl_fan_out (task, start_change_acl);
}

GPtrArray *
octopus_array_change_acl_finish (OctopusArray  *self,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

GPtrArray *
octopus_array_change_acl_list_finish (OctopusArray  *self,
                                      GAsyncResult  *result,
                                      GError       **error)
{
  return octopus_array_change_acl_finish (self, result, error);
}
