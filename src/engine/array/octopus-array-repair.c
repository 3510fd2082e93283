/* SPDX-License-Identifier: GPL-3.0-or-later */
/* octopus-array-repair.c — copy a good replica to the services that lack it: the plan for
 * each key, the checks before writing, ACLs; the copying itself is in octopus-array-copy.c.
 *
 * One key at a time: the source copy (one whose MD5 is the reference) is read once and fanned
 * out to every target.  Small objects (≤ one part) are read into memory, checked against the
 * reference MD5, then PUT with Content-MD5 and x-amz-meta-md5chksum.  Large ones go as
 * multipart uploads, one part in memory at a time; the MD5 of the whole stream is checked
 * before CompleteMultipartUpload, and a mismatch aborts every target — a bad copy is never
 * written over anything.  User metadata and content type are preserved; the source's ACL is
 * carried over to targets that support ACLs (a public canned ACL as such, explicit grants under
 * the target's own owner).  Repair never deletes, and never writes
 * over a copy that appeared or changed since the refresh the plan came from (each target is
 * HEADed first): that copy is newer than anything the table knows.
 */
#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>

#include "octopus-array-private.h"
#include "octopus-array-repair-private.h"

typedef struct {
  GPtrArray *keys;             /* of char *, the keys to look at */
  guint      next;
  GPtrArray *results;          /* of OctopusArrayResult */
  int        only;             /* the one service to write to, or -1: every one */
} RepairData;

static void repair_next_key (GTask *task);

static void
repair_data_free (RepairData *data)
{
  g_clear_pointer (&data->keys, g_ptr_array_unref);
  g_clear_pointer (&data->results, g_ptr_array_unref);
  g_free (data);
}

OctopusService *
_octopus_repair_service_at (KeyRepair *kr,
                            guint      index)
{
  OctopusArray *self = g_task_get_source_object (kr->task);
  return g_ptr_array_index (self->services, index);
}

Target *
_octopus_repair_target_at (KeyRepair *kr,
                           guint      i)
{
  return &g_array_index (kr->targets, Target, i);
}

void
_octopus_repair_target_fail (KeyRepair    *kr,
                             guint         i,
                             const GError *error)
{
  Target *t = _octopus_repair_target_at (kr, i);

  if (t->error == NULL)
    t->error = g_strdup (error->message);
}

Call *
_octopus_repair_call_new (KeyRepair *kr,
                          guint      target)
{
  Call *call = g_new0 (Call, 1);

  call->kr = kr;
  call->target = target;
  octopus_fanout_add (&kr->fanout);
  return call;
}

/* Ends one fan-out call; runs the next step once every call has come back. */
void
_octopus_repair_call_done (Call *call)
{
  KeyRepair *kr = call->kr;

  g_free (call);
  octopus_fanout_answer (&kr->fanout);
}

static void
key_repair_free (KeyRepair *kr)
{
  OctopusArray *self = g_task_get_source_object (kr->task);

  for (guint i = 0; i < kr->targets->len; i++)
    {
      Target *t = _octopus_repair_target_at (kr, i);

      octopus_object_table_set_transferring (self->table, kr->key, t->service, FALSE);
      g_free (t->upload_id);
      g_clear_pointer (&t->parts, g_ptr_array_unref);
      g_free (t->error);
      g_free (t->listed_etag);
      g_free (t->new_etag);
    }
  g_array_unref (kr->targets);
  g_clear_object (&kr->stream);
  g_clear_pointer (&kr->metadata, g_hash_table_unref);
  g_clear_pointer (&kr->md5, g_checksum_free);
  g_free (kr->buffer);
  g_free (kr->key);
  g_free (kr->expected_md5);
  g_free (kr->content_type);
  g_free (kr->canned_acl);
  g_clear_pointer (&kr->source_acl, octopus_s3_acl_free);
  g_clear_object (&kr->task);
  g_free (kr);
}

/* Reports every target and moves on to the next key.  A repaired copy shows in sync in the
 * table at once (the user sees the icon change), not at the next refresh. */
void
_octopus_repair_key_done (KeyRepair *kr)
{
  RepairData *data = g_task_get_task_data (kr->task);
  OctopusArray *self = g_task_get_source_object (kr->task);
  g_autoptr(GTask) task = g_object_ref (kr->task);
  const char *md5 = kr->md5 != NULL ? g_checksum_get_string (kr->md5) : kr->expected_md5;

  for (guint i = 0; i < kr->targets->len; i++)
    {
      Target *t = _octopus_repair_target_at (kr, i);
      const char *name = octopus_service_get_name (_octopus_repair_service_at (kr, t->service));

      if (t->error != NULL)
        g_ptr_array_add (data->results,
                         _octopus_array_result_new (kr->key, name, OCTOPUS_RESULT_FAILED,
                                                    t->error));
      else
        {
          g_autofree char *msg =
            g_strdup_printf (_("copied from %s"),
                             octopus_service_get_name (_octopus_repair_service_at (kr,
                                                                                   kr->source)));
          g_ptr_array_add (data->results,
                           _octopus_array_result_new (kr->key, name, OCTOPUS_RESULT_OK, msg));
          octopus_object_table_set_copy (self->table, kr->key, t->service, kr->bytes,
                                         t->new_etag, md5, g_get_real_time () / G_USEC_PER_SEC);
        }
    }
  key_repair_free (kr);
  repair_next_key (task);
}

void
_octopus_repair_fail_all_targets (KeyRepair  *kr,
                                  const char *message)
{
  for (guint i = 0; i < kr->targets->len; i++)
    {
      Target *t = _octopus_repair_target_at (kr, i);
      if (t->error == NULL)
        t->error = g_strdup (message);
    }
}

gboolean
_octopus_repair_source_matches (KeyRepair  *kr,
                                const char *md5)
{
  if (kr->bytes != kr->size && kr->size >= 0)
    return FALSE;
  return kr->expected_md5 == NULL || g_strcmp0 (kr->expected_md5, md5) == 0;
}

void
_octopus_repair_report_source_mismatch (KeyRepair  *kr,
                                        const char *md5)
{
  g_autofree char *msg =
    g_strdup_printf (_("the copy on %s did not match its MD5 while reading (%s, got %s); "
                       "nothing was written"),
                     octopus_service_get_name (_octopus_repair_service_at (kr, kr->source)),
                     kr->expected_md5 ? kr->expected_md5 : "?", md5 ? md5 : "?");
  _octopus_repair_fail_all_targets (kr, msg);
}

/* ---- ACL on the new copies -------------------------------------------------------------- */

/* An ACL call on a repaired copy failed: a service without ACLs is remembered (its copy is
 * fine as it is); any other failure is the target's. */
static void
acl_failed (Call         *call,
            const GError *error)
{
  OctopusService *service =
    _octopus_repair_service_at (call->kr,
                                _octopus_repair_target_at (call->kr, call->target)->service);

  if (_octopus_error_is_unsupported (error))
    octopus_service_set_acl_support (service, OCTOPUS_SUPPORT_NO);
  else
    _octopus_repair_target_fail (call->kr, call->target, error);
}

static void
acl_put_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  Call *call = user_data;
  g_autoptr(GError) error = NULL;

  if (!octopus_s3_client_put_object_acl_finish (OCTOPUS_S3_CLIENT (source), result, &error))
    acl_failed (call, error);
  _octopus_repair_call_done (call);
}

/* The new copy's ACL, as its service wrote it: it names that service's owner, which the
 * source's grants are given to (the source's owner id means nothing there). */
static void
target_acl_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  Call *call = user_data;
  KeyRepair *kr = call->kr;
  OctopusService *service =
    _octopus_repair_service_at (kr, _octopus_repair_target_at (kr, call->target)->service);
  g_autoptr(OctopusAclPolicy) current = NULL;
  g_autoptr(OctopusAclPolicy) policy = NULL;
  g_autoptr(GError) error = NULL;

  current = octopus_s3_client_get_object_acl_finish (OCTOPUS_S3_CLIENT (source), result, &error);
  if (current != NULL)
    policy = octopus_acl_policy_transfer (kr->source_acl, current, &error);
  if (policy == NULL)
    {
      acl_failed (call, error);
      _octopus_repair_call_done (call);
      return;
    }
  octopus_s3_client_put_object_acl_async (OCTOPUS_S3_CLIENT (source),
                                          octopus_service_get_bucket (service), kr->key, NULL,
                                          policy, g_task_get_cancellable (kr->task), acl_put_cb,
                                          call);
}

/* Gives each new copy the source's ACL where the target may support ACLs: a public canned ACL
 * as that canned ACL, explicit grants under the target's own owner.  A private source needs
 * nothing: a new copy is private. */
void
_octopus_repair_apply_acl (KeyRepair *kr)
{
  octopus_fanout_begin (&kr->fanout, (OctopusFanoutNext) _octopus_repair_key_done, kr);
  for (guint i = 0; i < kr->targets->len; i++)
    {
      Target *t = _octopus_repair_target_at (kr, i);
      OctopusService *service = _octopus_repair_service_at (kr, t->service);
      OctopusS3Client *client = octopus_service_get_client (service);
      const char *bucket = octopus_service_get_bucket (service);
      GCancellable *cancellable = g_task_get_cancellable (kr->task);

      if (t->error != NULL || octopus_service_get_acl_support (service) == OCTOPUS_SUPPORT_NO)
        continue;
      if (kr->canned_acl != NULL)
        octopus_s3_client_put_object_acl_async (client, bucket, kr->key, kr->canned_acl, NULL,
                                                cancellable, acl_put_cb,
                                                _octopus_repair_call_new (kr, i));
      else if (kr->source_acl != NULL)
        octopus_s3_client_get_object_acl_async (client, bucket, kr->key, cancellable,
                                                target_acl_cb, _octopus_repair_call_new (kr, i));
    }
  octopus_fanout_seal (&kr->fanout);
}

/* ---- per key ---------------------------------------------------------------------------- */

static void
get_cb (GObject      *source,
        GAsyncResult *result,
        gpointer      user_data)
{
  KeyRepair *kr = user_data;
  g_autoptr(OctopusS3Object) info = NULL;
  g_autoptr(GError) error = NULL;

  kr->stream = octopus_s3_client_get_object_finish (OCTOPUS_S3_CLIENT (source), result, &info,
                                                    &error);
  if (kr->stream == NULL)
    {
      g_autofree char *msg =
        g_strdup_printf (_("could not read the copy on %s: %s"),
                         octopus_service_get_name (_octopus_repair_service_at (kr, kr->source)),
                         error->message);
      _octopus_repair_fail_all_targets (kr, msg);
      _octopus_repair_key_done (kr);
      return;
    }

  kr->metadata = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  if (info != NULL && info->metadata != NULL)
    {
      GHashTableIter iter;
      gpointer name, value;

      g_hash_table_iter_init (&iter, info->metadata);
      while (g_hash_table_iter_next (&iter, &name, &value))
        g_hash_table_replace (kr->metadata, g_strdup (name), g_strdup (value));
    }
  if (info != NULL)
    kr->content_type = g_strdup (info->content_type);

  if (kr->size <= OCTOPUS_ARRAY_PART_SIZE)
    _octopus_repair_small (kr);
  else
    _octopus_repair_large (kr);
}

static void
start_get (KeyRepair *kr)
{
  OctopusService *source = _octopus_repair_service_at (kr, kr->source);

  octopus_s3_client_get_object_async (octopus_service_get_client (source),
                                      octopus_service_get_bucket (source), kr->key, -1, -1,
                                      g_task_get_cancellable (kr->task), get_cb, kr);
}

static void source_acl_cb (GObject *source, GAsyncResult *result, gpointer user_data);

/* Reads the source: its ACL first where ACLs may be supported, then the object. */
static void
start_source (KeyRepair *kr)
{
  OctopusService *source = _octopus_repair_service_at (kr, kr->source);

  if (!_octopus_repair_any_target_alive (kr))
    {
      _octopus_repair_key_done (kr);
      return;
    }
  if (octopus_service_get_acl_support (source) != OCTOPUS_SUPPORT_NO)
    octopus_s3_client_get_object_acl_async (octopus_service_get_client (source),
                                            octopus_service_get_bucket (source), kr->key,
                                            g_task_get_cancellable (kr->task), source_acl_cb, kr);
  else
    start_get (kr);
}

static void
check_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  Call *call = user_data;
  Target *t = _octopus_repair_target_at (call->kr, call->target);
  g_autoptr(OctopusS3Object) info = NULL;
  g_autoptr(GError) error = NULL;

  info = octopus_s3_client_head_object_finish (OCTOPUS_S3_CLIENT (source), result, &error);
  if (info == NULL && !g_error_matches (error, OCTOPUS_S3_ERROR, OCTOPUS_S3_ERROR_NO_SUCH_KEY))
    _octopus_repair_target_fail (call->kr, call->target, error);
  else if ((info == NULL) != (t->listed_etag == NULL) ||
           (info != NULL && g_strcmp0 (info->etag, t->listed_etag) != 0))
    {
      if (t->error == NULL)
        t->error = g_strdup (_("the copy here changed since the last refresh; it was left "
                               "alone (refresh, then repair again)"));
    }
  _octopus_repair_call_done (call);
}

/* HEADs every target: only a copy still as the refresh saw it may be written over. */
static void
check_targets (KeyRepair *kr)
{
  octopus_fanout_begin (&kr->fanout, (OctopusFanoutNext) start_source, kr);
  for (guint i = 0; i < kr->targets->len; i++)
    {
      OctopusService *service =
        _octopus_repair_service_at (kr, _octopus_repair_target_at (kr, i)->service);

      octopus_s3_client_head_object_async (octopus_service_get_client (service),
                                           octopus_service_get_bucket (service), kr->key,
                                           g_task_get_cancellable (kr->task), check_cb,
                                           _octopus_repair_call_new (kr, i));
    }
  octopus_fanout_seal (&kr->fanout);
}

static void
source_acl_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  KeyRepair *kr = user_data;
  g_autoptr(OctopusS3Acl) acl = NULL;
  g_autoptr(GError) error = NULL;

  acl = octopus_s3_client_get_object_acl_finish (OCTOPUS_S3_CLIENT (source), result, &error);
  if (acl != NULL)
    {
      const char *canned = octopus_acl_to_canned (acl);

      if (canned == NULL)
        kr->source_acl = g_steal_pointer (&acl);   /* explicit grants, carried over */
      else if (!g_str_equal (canned, "private"))
        kr->canned_acl = g_strdup (canned);
    }
  else if (_octopus_error_is_unsupported (error))
    octopus_service_set_acl_support (_octopus_repair_service_at (kr, kr->source),
                                     OCTOPUS_SUPPORT_NO);
  start_get (kr);
}

/* Picks the source copy: one in sync with the reference; without any MD5 in the row, the
 * reference copy itself (same size, newest). */
static int
pick_source (OctopusObject *row)
{
  int fallback = -1;

  for (guint i = 0; i < octopus_object_get_n_services (row); i++)
    {
      OctopusObjectState state = octopus_object_get_service_state (row, i);

      if (state == OCTOPUS_OBJECT_STATE_IN_SYNC)
        return (int) i;
      if (state == OCTOPUS_OBJECT_STATE_UNKNOWN_HASH && fallback < 0 &&
          octopus_object_get_md5 (row) == NULL)
        fallback = (int) i;
    }
  return fallback;
}

static KeyRepair *
plan_key (GTask         *task,
          OctopusObject *row)
{
  OctopusArray *self = g_task_get_source_object (task);
  RepairData *data = g_task_get_task_data (task);
  const char *key = octopus_object_get_key (row);
  KeyRepair *kr;
  int source;

  kr = g_new0 (KeyRepair, 1);
  kr->targets = g_array_new (FALSE, TRUE, sizeof (Target));
  for (guint i = 0; i < octopus_object_get_n_services (row); i++)
    {
      OctopusObjectState state = octopus_object_get_service_state (row, i);
      Target t = { .service = i };

      if (state != OCTOPUS_OBJECT_STATE_MISSING && state != OCTOPUS_OBJECT_STATE_DIFFERS)
        continue;
      if (data->only >= 0 && i != (guint) data->only)
        continue;   /* repairing one copy: the others are not touched */
      t.listed_etag = g_strdup (octopus_object_get_service_etag (row, i));
      g_array_append_val (kr->targets, t);
    }
  source = kr->targets->len > 0 ? pick_source (row) : -1;
  if (source < 0)
    {
      if (kr->targets->len > 0)
        g_ptr_array_add (data->results,
                         _octopus_array_result_new (key, NULL, OCTOPUS_RESULT_FAILED,
                                                    _("no reachable copy to repair from")));
      for (guint i = 0; i < kr->targets->len; i++)
        g_free (_octopus_repair_target_at (kr, i)->listed_etag);
      g_array_unref (kr->targets);
      g_free (kr);
      return NULL;
    }

  kr->task = g_object_ref (task);
  kr->key = g_strdup (key);
  kr->source = (guint) source;
  kr->size = octopus_object_get_service_size (row, (guint) source);
  kr->expected_md5 = g_strdup (octopus_object_get_md5 (row));
  kr->md5 = g_checksum_new (G_CHECKSUM_MD5);

  if (octopus_object_get_tie (row))
    {
      g_autofree char *msg =
        g_strdup_printf (_("copies disagree in equal numbers; the newest (on %s) was used"),
                         octopus_service_get_name (_octopus_repair_service_at (kr, kr->source)));
      g_ptr_array_add (data->results,
                       _octopus_array_result_new (key, NULL, OCTOPUS_RESULT_NOTE, msg));
    }
  for (guint i = 0; i < kr->targets->len; i++)
    octopus_object_table_set_transferring (self->table, key,
                                           _octopus_repair_target_at (kr, i)->service, TRUE);
  return kr;
}

static void
erasure_repaired_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;

  _octopus_array_erasure_repair_finish (OCTOPUS_ARRAY (source), result, NULL);
  repair_next_key (task);
}

static void
repair_next_key (GTask *task)
{
  OctopusArray *self = g_task_get_source_object (task);
  RepairData *data = g_task_get_task_data (task);

  while (data->next < data->keys->len)
    {
      const char *key = g_ptr_array_index (data->keys, data->next++);
      OctopusObject *row = octopus_object_table_lookup (self->table, key);
      KeyRepair *kr;

      if (g_task_return_error_if_cancelled (task))
        return;
      if (row == NULL)
        {
          g_ptr_array_add (data->results,
                           _octopus_array_result_new (key, NULL, OCTOPUS_RESULT_FAILED,
                                                      _("no such key on any service")));
          continue;
        }
      if (octopus_object_get_erasure (row, NULL, NULL)
          && octopus_object_get_state (row) == OCTOPUS_OBJECT_STATE_IN_SYNC)
        continue;
      if (octopus_object_get_erasure (row, NULL, NULL))
        {
          /* Rebuilt from k archives, never copied from one. */
          _octopus_array_erasure_repair_async (self, key, data->results,
                                               g_task_get_cancellable (task),
                                               erasure_repaired_cb, g_object_ref (task));
          return;
        }
      kr = plan_key (task, row);
      if (kr == NULL)
        continue;

      check_targets (kr);
      return;
    }

  g_task_return_pointer (task, g_ptr_array_ref (data->results),
                         (GDestroyNotify) g_ptr_array_unref);
}

/* Starts a repair of @keys (NULL: every key), writing only to service @only (-1: all). */
static void
repair_start (OctopusArray        *self,
              const char * const  *keys,
              int                  only,
              GTask               *task)
{
  RepairData *data;
  GListModel *model;

  data = g_new0 (RepairData, 1);
  data->keys = g_ptr_array_new_with_free_func (g_free);
  data->results = g_ptr_array_new_with_free_func ((GDestroyNotify) octopus_array_result_free);
  data->only = only;
  g_task_set_task_data (task, data, (GDestroyNotify) repair_data_free);

  model = G_LIST_MODEL (self->table);
  if (keys != NULL)
    for (guint i = 0; keys[i] != NULL; i++)
      g_ptr_array_add (data->keys, g_strdup (keys[i]));
  else
    for (guint i = 0; i < g_list_model_get_n_items (model); i++)
      {
        g_autoptr(OctopusObject) row = g_list_model_get_item (model, i);
        g_ptr_array_add (data->keys, g_strdup (octopus_object_get_key (row)));
      }

  /* Unreachable services are reported once: nothing is attempted there. */
  for (guint i = 0; i < self->services->len; i++)
    {
      OctopusService *service = g_ptr_array_index (self->services, i);
      const GError *error = octopus_service_get_last_error (service);

      if (error != NULL && (only < 0 || i == (guint) only))
        g_ptr_array_add (data->results,
                         _octopus_array_result_new (NULL, octopus_service_get_name (service),
                                                    OCTOPUS_RESULT_UNREACHABLE, error->message));
    }

  repair_next_key (task);
}

void
octopus_array_repair_async (OctopusArray        *self,
                            const char * const  *keys,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (OCTOPUS_IS_ARRAY (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, octopus_array_repair_async);
  repair_start (self, keys, -1, task);
}

void
octopus_array_repair_copy_async (OctopusArray        *self,
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
  g_task_set_source_tag (task, octopus_array_repair_async);
  only = _octopus_array_service_index (self, service_name, &error);
  if (only < 0)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  repair_start (self, keys, only, task);
}

GPtrArray *
octopus_array_repair_finish (OctopusArray  *self,
                             GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
