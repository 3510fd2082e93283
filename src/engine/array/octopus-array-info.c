/* SPDX-License-Identifier: GPL-3.0-or-later */
/* octopus-array-info.c — one key's facts on every service: a HEAD and the ACL per copy, the
 * state from the table and its reason in words. */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "octopus-array-info.h"
#include "octopus-array-private.h"
#include "octopus-fanout.h"
#include "octopus-s3-error.h"

typedef struct {
  char          *key;
  GPtrArray     *copies;  /* of OctopusCopyInfo, one per service (pre-filled) */
  OctopusFanout  fanout;
  GTask         *task;    /* owned until the fan-out is done */
} InfoData;

typedef struct {
  GTask *task;
  guint  service;
} InfoCall;

static void
info_data_free (InfoData *data)
{
  g_free (data->key);
  g_clear_pointer (&data->copies, g_ptr_array_unref);
  g_free (data);
}

const char *
octopus_copy_md5_source_to_string (OctopusMd5Source source)
{
  switch (source)
    {
    case OCTOPUS_MD5_SOURCE_METADATA:
    case OCTOPUS_MD5_SOURCE_HEAD:
      return "md5chksum";
    case OCTOPUS_MD5_SOURCE_ETAG:
      return "etag";
    case OCTOPUS_MD5_SOURCE_DEEP:
      return "deep-check";
    case OCTOPUS_MD5_SOURCE_NONE:
    default:
      return "unknown";
    }
}

void
octopus_copy_info_free (OctopusCopyInfo *info)
{
  if (info == NULL)
    return;
  g_free (info->service);
  g_free (info->reason);
  g_free (info->md5);
  g_free (info->etag);
  g_free (info->content_type);
  g_free (info->storage_class);
  g_clear_pointer (&info->metadata, g_hash_table_unref);
  g_free (info->version_id);
  g_free (info->acl_canned);
  g_free (info->error);
  g_free (info);
}

char *
octopus_copy_info_dup_acl_summary (const OctopusCopyInfo *info)
{
  switch (info->acl_status)
    {
    case OCTOPUS_RESULT_OK:
      if (info->acl_canned != NULL)
        return g_strdup (info->acl_canned);
      return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u grant", "%u grants",
                                           info->acl_n_grants), info->acl_n_grants);
    case OCTOPUS_RESULT_UNSUPPORTED:
      return g_strdup (_("not supported"));
    default:
      return g_strdup (_("unknown"));
    }
}

/* ---- reasons ------------------------------------------------------------------------------ */

static guint
count_in_sync (OctopusObject *row)
{
  guint n = 0;

  for (guint i = 0; i < octopus_object_get_n_services (row); i++)
    if (octopus_object_get_service_state (row, i) == OCTOPUS_OBJECT_STATE_IN_SYNC)
      n++;
  return n;
}

/* Names what this copy holds and what the copies in sync hold: the MD5s when both are
 * known, else the sizes. */
static char *
dup_differs_reason (OctopusObject *row,
                    guint          index)
{
  const char *md5 = octopus_object_get_service_md5 (row, index);
  const char *ref = octopus_object_get_md5 (row);
  guint n = count_in_sync (row);
  g_autofree char *size = NULL;
  g_autofree char *ref_size = NULL;

  if (md5 != NULL && ref != NULL && g_strcmp0 (md5, ref) != 0)
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                         "differs: MD5 %s where %u service holds %s",
                                         "differs: MD5 %s where %u services hold %s", n),
                            md5, n, ref);
  size = g_strdup_printf ("%" G_GINT64_FORMAT, octopus_object_get_service_size (row, index));
  ref_size = g_strdup_printf ("%" G_GINT64_FORMAT, octopus_object_get_size (row));
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                       "differs: %s bytes where %u service holds %s bytes",
                                       "differs: %s bytes where %u services hold %s bytes", n),
                          size, n, ref_size);
}

char *
octopus_object_dup_state_reason (OctopusObject *row,
                                 guint          index,
                                 const char    *fallback_error)
{
  const char *why;

  g_return_val_if_fail (OCTOPUS_IS_OBJECT (row), NULL);

  switch (octopus_object_get_service_state (row, index))
    {
    case OCTOPUS_OBJECT_STATE_IN_SYNC:
      return g_strdup (_("in sync"));
    case OCTOPUS_OBJECT_STATE_TRANSFERRING:
      return g_strdup (_("transferring"));
    case OCTOPUS_OBJECT_STATE_UNKNOWN_HASH:
      return g_strdup (_("no comparable MD5; the size matches"));
    case OCTOPUS_OBJECT_STATE_MISSING:
      return g_strdup (_("missing"));
    case OCTOPUS_OBJECT_STATE_DIFFERS:
      return dup_differs_reason (row, index);
    case OCTOPUS_OBJECT_STATE_UNREACHABLE:
    default:
      why = octopus_object_get_service_error (row, index);
      if (why == NULL)
        why = fallback_error;
      return why != NULL ? g_strdup_printf (_("unreachable: %s"), why)
                         : g_strdup (_("unreachable"));
    }
}

/* ---- the HEADs and the ACLs --------------------------------------------------------------- */

/* The copy's MD5 and where it came from: md5chksum, a plain ETag, or (for this very copy, the
 * ETag unchanged) what a deep check put in the table. */
static void
fill_md5 (OctopusCopyInfo       *copy,
          const OctopusS3Object *head,
          OctopusObject         *row,
          guint                  index)
{
  const char *chk = g_hash_table_lookup (copy->metadata, "md5chksum");
  g_autofree char *from_chk = octopus_md5_base64_to_hex (chk);

  if (from_chk != NULL)
    {
      copy->md5 = g_steal_pointer (&from_chk);
      copy->md5_source = OCTOPUS_MD5_SOURCE_METADATA;
    }
  else if (octopus_etag_is_md5 (head->etag))
    {
      copy->md5 = g_ascii_strdown (head->etag, -1);
      copy->md5_source = OCTOPUS_MD5_SOURCE_ETAG;
    }
  else if (row != NULL && octopus_object_get_service_md5 (row, index) != NULL
           && g_strcmp0 (octopus_object_get_service_etag (row, index), head->etag) == 0)
    {
      copy->md5 = g_strdup (octopus_object_get_service_md5 (row, index));
      copy->md5_source = OCTOPUS_MD5_SOURCE_DEEP;
    }
}

static void
fill_from_head (OctopusCopyInfo       *copy,
                const OctopusS3Object *head,
                OctopusObject         *row,
                guint                  index)
{
  GHashTableIter iter;
  gpointer name, value;

  copy->present = TRUE;
  copy->size = head->size;
  copy->etag = g_strdup (head->etag);
  copy->last_modified = head->last_modified;
  copy->content_type = g_strdup (head->content_type);
  /* S3 sends x-amz-storage-class only for classes other than STANDARD. */
  copy->storage_class = g_strdup (head->storage_class ? head->storage_class : "STANDARD");
  copy->version_id = g_strdup (head->version_id);
  if (head->metadata != NULL)
    {
      g_hash_table_iter_init (&iter, head->metadata);
      while (g_hash_table_iter_next (&iter, &name, &value))
        g_hash_table_insert (copy->metadata, g_strdup (name), g_strdup (value));
    }
  fill_md5 (copy, head, row, index);
}

static void
head_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  InfoCall *call = user_data;
  InfoData *data = g_task_get_task_data (call->task);
  OctopusArray *self = g_task_get_source_object (call->task);
  OctopusCopyInfo *copy = g_ptr_array_index (data->copies, call->service);
  g_autoptr(OctopusS3Object) head = NULL;
  g_autoptr(GError) error = NULL;

  head = octopus_s3_client_head_object_finish (OCTOPUS_S3_CLIENT (source), result, &error);
  if (head != NULL)
    fill_from_head (copy, head, octopus_object_table_lookup (self->table, data->key),
                    call->service);
  else if (!g_error_matches (error, OCTOPUS_S3_ERROR, OCTOPUS_S3_ERROR_NO_SUCH_KEY))
    copy->error = g_strdup (error->message);
  g_object_unref (call->task);
  g_free (call);
  octopus_fanout_answer (&data->fanout);
}

static void
acl_cb (GObject      *source,
        GAsyncResult *result,
        gpointer      user_data)
{
  GTask *task = user_data;
  InfoData *data = g_task_get_task_data (task);
  g_autoptr(GPtrArray) acls = NULL;

  acls = octopus_array_get_acl_finish (OCTOPUS_ARRAY (source), result, NULL);
  for (guint i = 0; acls != NULL && i < acls->len && i < data->copies->len; i++)
    {
      OctopusArrayAcl *acl = g_ptr_array_index (acls, i);
      OctopusCopyInfo *copy = g_ptr_array_index (data->copies, i);

      copy->acl_status = acl->status;
      if (acl->status == OCTOPUS_RESULT_OK && acl->acl != NULL)
        {
          copy->acl_canned = g_strdup (octopus_acl_to_canned (acl->acl));
          copy->acl_n_grants = acl->acl->grants ? acl->acl->grants->len : 0;
        }
      /* A missing copy has no ACL to read: that is no failure worth a word. */
      else if (acl->status != OCTOPUS_RESULT_UNSUPPORTED && copy->present && copy->error == NULL)
        copy->error = g_strdup (acl->message);
    }
  g_object_unref (task);
  octopus_fanout_answer (&data->fanout);
}

/* Every call has answered: the states and reasons from the table, then the result. */
static void
info_done (gpointer user_data)
{
  InfoData *data = user_data;
  g_autoptr(GTask) task = g_steal_pointer (&data->task);
  OctopusArray *self = g_task_get_source_object (task);
  OctopusObject *row = octopus_object_table_lookup (self->table, data->key);

  for (guint i = 0; i < data->copies->len; i++)
    {
      OctopusCopyInfo *copy = g_ptr_array_index (data->copies, i);
      OctopusService *service = g_ptr_array_index (self->services, i);
      const GError *last = octopus_service_get_last_error (service);
      const char *fallback = last != NULL ? last->message : copy->error;

      copy->state = row != NULL ? octopus_object_get_service_state (row, i)
                                : OCTOPUS_OBJECT_STATE_MISSING;
      copy->reason = row != NULL ? octopus_object_dup_state_reason (row, i, fallback)
                                 : g_strdup (_("missing"));
    }
  g_task_return_pointer (task, g_steal_pointer (&data->copies),
                         (GDestroyNotify) g_ptr_array_unref);
}

static OctopusCopyInfo *
copy_info_new (OctopusService *service)
{
  OctopusCopyInfo *copy = g_new0 (OctopusCopyInfo, 1);

  copy->service = g_strdup (octopus_service_get_name (service));
  copy->size = -1;
  copy->acl_status = OCTOPUS_RESULT_FAILED;
  copy->metadata = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  return copy;
}

static void
start_head (GTask          *task,
            OctopusService *service,
            guint           index)
{
  InfoData *data = g_task_get_task_data (task);
  InfoCall *call = g_new0 (InfoCall, 1);

  call->task = g_object_ref (task);
  call->service = index;
  octopus_fanout_add (&data->fanout);
  octopus_s3_client_head_object_async (octopus_service_get_client (service),
                                       octopus_service_get_bucket (service), data->key,
                                       g_task_get_cancellable (task), head_cb, call);
}

void
octopus_array_info_async (OctopusArray        *self,
                          const char          *key,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  InfoData *data;

  g_return_if_fail (OCTOPUS_IS_ARRAY (self));
  g_return_if_fail (key != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, octopus_array_info_async);
  if (octopus_object_table_lookup (self->table, key) == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                               _("“%s” is on no service"), key);
      return;
    }

  data = g_new0 (InfoData, 1);
  data->key = g_strdup (key);
  data->copies = g_ptr_array_new_with_free_func ((GDestroyNotify) octopus_copy_info_free);
  data->task = g_object_ref (task);
  g_task_set_task_data (task, data, (GDestroyNotify) info_data_free);
  octopus_fanout_begin (&data->fanout, info_done, data);
  for (guint i = 0; i < self->services->len; i++)
    {
      OctopusService *service = g_ptr_array_index (self->services, i);

      g_ptr_array_add (data->copies, copy_info_new (service));
      if (octopus_service_get_unusable (service) == NULL)
        start_head (task, service, i);
    }
  octopus_fanout_add (&data->fanout);
  octopus_array_get_acl_async (self, key, cancellable, acl_cb, g_object_ref (task));
  octopus_fanout_seal (&data->fanout);
}

GPtrArray *
octopus_array_info_finish (OctopusArray  *self,
                           GAsyncResult  *result,
                           GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
