/* SPDX-License-Identifier: GPL-3.0-or-later */
/* octopus-erasure-repair.c — a missing or damaged archive of an erasure-coded object rebuilt
 * from k good ones, segment by segment, into a temporary file (the reader proves it
 * byte-identical to the original through the MD5 the trailer records), then PUT to its
 * service with Content-MD5 and x-amz-meta-octopus-ec (issue 20).  Targets are the columns the
 * last refresh found missing or damaged (a deep check finds a flipped byte); sources are the
 * archives that are good both then and in a fresh look now.  Never deletes. */
#include "config.h"

#include <glib/gstdio.h>
#include <glib/gi18n-lib.h>

#include "octopus-array-private.h"
#include "octopus-erasure-fetch.h"

typedef struct {
  char                 *key;
  GPtrArray            *results;     /* the repair's report (borrowed reference) */
  GArray               *targets;     /* service indexes */
  GArray               *indexes;     /* the archive index each target gets */
  guint                 next;        /* target being rebuilt */
  OctopusErasureProbe  *probe;
  OctopusErasureReader *reader;
  GFile                *tmp;
  GFileIOStream        *io;
  GOutputStream        *out;         /* io's */
} ErasureRepair;

static void
clear_target (ErasureRepair *r)
{
  if (r->io != NULL)
    g_io_stream_close (G_IO_STREAM (r->io), NULL, NULL);
  g_clear_object (&r->io);
  r->out = NULL;
  if (r->tmp != NULL)
    g_file_delete (r->tmp, NULL, NULL);
  g_clear_object (&r->tmp);
  g_clear_pointer (&r->reader, octopus_erasure_reader_free);
}

static void
erasure_repair_free (ErasureRepair *r)
{
  clear_target (r);
  g_free (r->key);
  g_ptr_array_unref (r->results);
  g_array_unref (r->targets);
  g_array_unref (r->indexes);
  g_clear_pointer (&r->probe, octopus_erasure_probe_free);
  g_free (r);
}

static void rebuild_next (GTask *task);

static const char *
target_name (GTask *task)
{
  OctopusArray *self = g_task_get_source_object (task);
  ErasureRepair *r = g_task_get_task_data (task);

  return octopus_service_get_name (
    self->services->pdata[g_array_index (r->targets, guint, r->next)]);
}

static void
target_done (GTask *task, GError *error)
{
  OctopusArray *self = g_task_get_source_object (task);
  ErasureRepair *r = g_task_get_task_data (task);
  guint service = g_array_index (r->targets, guint, r->next);

  g_ptr_array_add (r->results,
                   _octopus_array_result_new (r->key, target_name (task),
                                              error ? OCTOPUS_RESULT_FAILED : OCTOPUS_RESULT_OK,
                                              error ? error->message : NULL));
  octopus_object_table_set_transferring (self->table, r->key, service, FALSE);
  g_clear_error (&error);
  clear_target (r);
  r->next++;
  rebuild_next (task);
}

static void
put_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GTask *task = user_data;
  GError *error = NULL;
  g_autofree char *etag = octopus_s3_client_put_object_stream_finish (OCTOPUS_S3_CLIENT (source),
                                                                       result, &error);

  target_done (task, error);
}

static char *
file_md5_base64 (GFile *file, GError **error)
{
  g_autoptr(GFileInputStream) in = g_file_read (file, NULL, error);
  g_autoptr(GChecksum) md5 = g_checksum_new (G_CHECKSUM_MD5);
  g_autofree guint8 *buf = g_malloc (256 * 1024);
  guint8 digest[16];
  gsize len = sizeof digest;
  gssize n;

  if (in == NULL)
    return NULL;
  while ((n = g_input_stream_read (G_INPUT_STREAM (in), buf, 256 * 1024, NULL, error)) > 0)
    g_checksum_update (md5, buf, n);
  if (n < 0)
    return NULL;
  g_checksum_get_digest (md5, digest, &len);
  return g_base64_encode (digest, len);
}

static void
fetched_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GTask *task = user_data;
  OctopusArray *self = g_task_get_source_object (task);
  ErasureRepair *r = g_task_get_task_data (task);
  OctopusService *service = self->services->pdata[g_array_index (r->targets, guint, r->next)];
  guint index = g_array_index (r->indexes, guint, r->next);
  OctopusS3PutOptions options = { 0 };
  g_autoptr(GHashTable) metadata = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);
  g_autoptr(GFileInputStream) in = NULL;
  g_autofree char *md5 = NULL;
  GError *error = NULL;

  if (!_octopus_erasure_fetch_finish (result, &error)
      || !g_output_stream_close (r->out, NULL, &error)
      || (md5 = file_md5_base64 (r->tmp, &error)) == NULL
      || (in = g_file_read (r->tmp, NULL, &error)) == NULL)
    {
      target_done (task, error);
      return;
    }
  g_hash_table_insert (metadata, (gpointer) "octopus-ec",
                       octopus_erasure_scheme_to_string (r->probe->reference.k,
                                                         r->probe->reference.m, index));
  options.metadata = metadata;
  options.content_md5 = md5;
  octopus_s3_client_put_object_stream_async (
    octopus_service_get_client (service), octopus_service_get_bucket (service), r->key,
    G_INPUT_STREAM (in), r->probe->reference.data_length + OCTOPUS_ERASURE_TRAILER_SIZE,
    &options, g_task_get_cancellable (task), put_cb, task);
}

static void
rebuild_next (GTask *task)
{
  OctopusArray *self = g_task_get_source_object (task);
  ErasureRepair *r = g_task_get_task_data (task);
  g_autoptr(GFileIOStream) io = NULL;
  GError *error = NULL;

  if (r->next >= r->targets->len)
    {
      g_task_return_boolean (task, TRUE);
      g_object_unref (task);
      return;
    }
  r->reader = octopus_erasure_reader_new_rebuild (&r->probe->reference,
                                                  g_array_index (r->indexes, guint, r->next),
                                                  &error);
  if (r->reader != NULL)
    r->tmp = g_file_new_tmp ("octopus-archive-XXXXXX", &io, &error);
  if (r->tmp == NULL)
    {
      target_done (task, error);
      return;
    }
  r->io = g_steal_pointer (&io);
  r->out = g_io_stream_get_output_stream (G_IO_STREAM (r->io));
  _octopus_erasure_fetch_async (self->services, r->key, r->probe, r->reader,
                                g_array_index (r->indexes, guint, r->next), r->out,
                                g_task_get_cancellable (task), fetched_cb, task);
}

/* Which services get which archive: a damaged archive keeps its index when its trailer still
 * says it; the others take the indexes no good archive holds, in order. */
static void
plan_targets (ErasureRepair *r, OctopusObject *row)
{
  guint n = r->probe->n, total = r->probe->reference.k + r->probe->reference.m;
  g_autofree gboolean *held = g_new0 (gboolean, total);

  for (guint i = 0; i < n; i++)
    {
      OctopusObjectState was = octopus_object_get_service_state (row, i);

      if (was == OCTOPUS_OBJECT_STATE_DAMAGED
          && r->probe->states[i] == OCTOPUS_OBJECT_STATE_IN_SYNC)
        r->probe->states[i] = OCTOPUS_OBJECT_STATE_DAMAGED;  /* the deep check knew better */
      if (r->probe->states[i] == OCTOPUS_OBJECT_STATE_IN_SYNC && r->probe->index[i] < total)
        held[r->probe->index[i]] = TRUE;
    }
  for (guint i = 0; i < n; i++)
    {
      guint index = r->probe->index[i];

      if (r->probe->states[i] != OCTOPUS_OBJECT_STATE_DAMAGED || index >= total || held[index])
        continue;
      held[index] = TRUE;
      g_array_append_val (r->targets, i);
      g_array_append_val (r->indexes, index);
    }
  for (guint i = 0; i < n; i++)
    {
      OctopusObjectState s = r->probe->states[i];
      guint index = 0;
      gboolean planned = FALSE;

      for (guint j = 0; j < r->targets->len; j++)
        planned |= g_array_index (r->targets, guint, j) == i;
      if (planned || (s != OCTOPUS_OBJECT_STATE_MISSING && s != OCTOPUS_OBJECT_STATE_DAMAGED))
        continue;
      while (index < total && held[index])
        index++;
      if (index == total)
        break;
      held[index] = TRUE;
      g_array_append_val (r->targets, i);
      g_array_append_val (r->indexes, index);
    }
}

static void
probed_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GTask *task = user_data;
  OctopusArray *self = g_task_get_source_object (task);
  ErasureRepair *r = g_task_get_task_data (task);
  OctopusObject *row = octopus_object_table_lookup (self->table, r->key);
  GError *error = NULL;

  r->probe = _octopus_erasure_probe_finish (result, &error);
  if (r->probe == NULL || row == NULL)
    {
      g_ptr_array_add (r->results, _octopus_array_result_new (r->key, NULL,
                                                              OCTOPUS_RESULT_FAILED,
                                                              error ? error->message : NULL));
      g_clear_error (&error);
      g_task_return_boolean (task, TRUE);
      g_object_unref (task);
      return;
    }
  plan_targets (r, row);
  if (r->targets->len > 0 && r->probe->n_good < r->probe->reference.k)
    {
      g_autofree char *msg = g_strdup_printf (
        _("only %u good archives are left and %u are needed; it cannot be repaired"),
        r->probe->n_good, r->probe->reference.k);

      g_ptr_array_add (r->results, _octopus_array_result_new (r->key, NULL,
                                                              OCTOPUS_RESULT_FAILED, msg));
      g_array_set_size (r->targets, 0);
    }
  for (guint i = 0; i < r->targets->len; i++)
    octopus_object_table_set_transferring (self->table, r->key,
                                           g_array_index (r->targets, guint, i), TRUE);
  rebuild_next (task);
}

void
_octopus_array_erasure_repair_async (OctopusArray *self, const char *key, GPtrArray *results,
                                     GCancellable *cancellable, GAsyncReadyCallback callback,
                                     gpointer user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  ErasureRepair *r = g_new0 (ErasureRepair, 1);

  g_task_set_source_tag (task, _octopus_array_erasure_repair_async);
  r->key = g_strdup (key);
  r->results = g_ptr_array_ref (results);
  r->targets = g_array_new (FALSE, FALSE, sizeof (guint));
  r->indexes = g_array_new (FALSE, FALSE, sizeof (guint));
  g_task_set_task_data (task, r, (GDestroyNotify) erasure_repair_free);
  _octopus_erasure_probe_async (self->services, key, NULL, NULL, FALSE, NULL, cancellable,
                                probed_cb, task);
}

gboolean
_octopus_array_erasure_repair_finish (OctopusArray *self, GAsyncResult *result, GError **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}
