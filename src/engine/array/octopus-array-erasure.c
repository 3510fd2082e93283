/* SPDX-License-Identifier: GPL-3.0-or-later */
/* octopus-array-erasure.c — the refresh's last phase: which listed keys are erasure-coded
 * objects, and the state of each archive (issue 20).
 *
 * A mirrored object whose copies agree needs no request: only keys whose present copies
 * differ (an erasure set's archives always do) or that are missing somewhere are probed.  What
 * each (service, key, ETag) said is remembered in the array's memo for as long as the array
 * lives — an in-memory table rather than the MD5 cache on disk, because the cache's entries
 * are an MD5 per copy and a trailer is 640 bytes; a new process asks again once per key. */
#include "config.h"

#include "octopus-array-private.h"
#include "octopus-erasure-probe.h"

typedef struct {
  guint       n;
  guint       pending;
  GHashTable *keys;       /* key → OctopusS3Object *[n] (borrowed from the listings) */
} Phase;

static void
phase_free (Phase *phase)
{
  g_hash_table_unref (phase->keys);
  g_free (phase);
}

/* Copies agree: every service listed it, with one ETag and one size. */
static gboolean
copies_agree (OctopusS3Object **copies, guint n)
{
  for (guint i = 0; i < n; i++)
    if (copies[i] == NULL || copies[i]->size != copies[0]->size
        || g_strcmp0 (copies[i]->etag, copies[0]->etag) != 0)
      return FALSE;
  return TRUE;
}

static void
phase_step_done (GTask *task)
{
  Phase *phase = g_task_get_task_data (task);

  if (--phase->pending == 0)
    g_task_return_boolean (task, TRUE);
  g_object_unref (task);
}

typedef struct {
  GTask *task;
  char  *key;
} ProbeCall;

static void
probed_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  ProbeCall *call = user_data;
  OctopusArray *self = g_task_get_source_object (call->task);
  OctopusErasureProbe *probe = _octopus_erasure_probe_finish (result, NULL);

  if (probe != NULL && probe->erasure)
    g_hash_table_replace (self->erasure_probes, g_steal_pointer (&call->key), probe);
  else
    octopus_erasure_probe_free (probe);
  phase_step_done (call->task);
  g_free (call->key);
  g_free (call);
}

void
_octopus_array_erasure_phase_async (OctopusArray *self, guint n, GPtrArray **listings,
                                    char **errors, gboolean deep, GCancellable *cancellable,
                                    GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  Phase *phase = g_new0 (Phase, 1);
  g_autofree gboolean *reachable = g_new0 (gboolean, n);
  GHashTableIter iter;
  gpointer key, copies;

  phase->n = n;
  phase->keys = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);
  phase->pending = 1;
  g_task_set_task_data (task, phase, (GDestroyNotify) phase_free);
  if (self->erasure_memo == NULL)
    self->erasure_memo = octopus_erasure_probe_memo_new ();
  g_clear_pointer (&self->erasure_probes, g_hash_table_unref);
  self->erasure_probes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                (GDestroyNotify) octopus_erasure_probe_free);
  for (guint i = 0; i < n; i++)
    {
      reachable[i] = listings[i] != NULL && errors[i] == NULL;
      for (guint j = 0; listings[i] != NULL && j < listings[i]->len; j++)
        {
          OctopusS3Object *o = g_ptr_array_index (listings[i], j);
          OctopusS3Object **row = g_hash_table_lookup (phase->keys, o->key);

          if (row == NULL)
            g_hash_table_insert (phase->keys, o->key, row = g_new0 (OctopusS3Object *, n));
          row[i] = o;
        }
    }
  g_hash_table_iter_init (&iter, phase->keys);
  while (g_hash_table_iter_next (&iter, &key, &copies))
    {
      ProbeCall *call = g_new0 (ProbeCall, 1);

      if (copies_agree (copies, n))
        {
          g_free (call);
          continue;
        }
      call->task = g_object_ref (task);
      call->key = g_strdup (key);
      phase->pending++;
      _octopus_erasure_probe_async (self->services, key, copies, reachable, deep,
                                    self->erasure_memo, cancellable, probed_cb, call);
    }
  phase_step_done (g_object_ref (task));
}

gboolean
_octopus_array_erasure_phase_finish (OctopusArray *self, GAsyncResult *result, GError **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Marks the probed erasure-coded rows of the table as such, and every other row mirrored. */
void
_octopus_array_apply_erasure (OctopusArray *self)
{
  GListModel *model = G_LIST_MODEL (self->table);

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(OctopusObject) object = g_list_model_get_item (model, i);
      OctopusErasureProbe *probe = self->erasure_probes == NULL ? NULL
        : g_hash_table_lookup (self->erasure_probes, octopus_object_get_key (object));
      g_autofree char *md5 = NULL;

      if (probe == NULL)
        {
          if (octopus_object_get_erasure (object, NULL, NULL))
            octopus_object_set_erasure (object, 0, 0, -1, NULL, NULL);
          continue;
        }
      if (probe->n_good > 0)
        {
          GString *s = g_string_sized_new (32);

          for (guint b = 0; b < 16; b++)
            g_string_append_printf (s, "%02x", probe->reference.md5[b]);
          md5 = g_string_free (s, FALSE);
        }
      octopus_object_set_erasure (object, probe->n_good > 0 ? probe->reference.k : 1,
                                  probe->reference.m,
                                  probe->n_good > 0 ? (gint64) probe->reference.original_length
                                                    : -1,
                                  md5, probe->states);
    }
}

/* The last probe of @key (NULL when it is not known as an erasure-coded object). */
OctopusErasureProbe *
_octopus_array_lookup_erasure (OctopusArray *self, const char *key)
{
  return self->erasure_probes ? g_hash_table_lookup (self->erasure_probes, key) : NULL;
}
