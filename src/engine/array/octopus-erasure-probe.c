/* SPDX-License-Identifier: GPL-3.0-or-later */
/* octopus-erasure-probe.c — each service's archive of one key, read from its end (see the
 * header).  All services are asked at once; the verdict waits for every answer, since an
 * archive is judged against the set the others agree on. */
#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>

#include "octopus-array-private.h"
#include "octopus-erasure-probe.h"
#include "octopus-service.h"

/* What one (service, key, ETag) said: the same ETag is the same bytes, so it need not be read
 * again while the process lives (a refresh asks only keys whose copies disagree). */
typedef struct {
  gboolean scheme_seen;
  guint    scheme_index;
  gboolean trailer_ok;
  OctopusErasureTrailer trailer;
} Memo;

typedef struct {
  GTask   *task;
  guint    i;
  gint64   size;
  char    *etag;
  Memo     memo;
  char    *data_md5;      /* deep: MD5 of the archive's data */
  char    *error;
  GOutputStream *trailer_out;
  gboolean unreachable;
  gboolean missing;
} Slot;

typedef struct {
  GPtrArray  *services;
  char       *key;
  guint       n;
  Slot       *slots;
  gboolean    deep;
  GHashTable *memo;
  guint       pending;
} ProbeData;

static void
probe_data_free (ProbeData *data)
{
  for (guint i = 0; i < data->n; i++)
    {
      g_free (data->slots[i].etag);
      g_free (data->slots[i].data_md5);
      g_free (data->slots[i].error);
      g_clear_object (&data->slots[i].trailer_out);
    }
  g_free (data->slots);
  g_ptr_array_unref (data->services);
  g_free (data->key);
  g_clear_pointer (&data->memo, g_hash_table_unref);
  g_free (data);
}

void
octopus_erasure_probe_free (OctopusErasureProbe *probe)
{
  if (probe == NULL)
    return;
  g_free (probe->states);
  g_free (probe->index);
  for (guint i = 0; probe->errors != NULL && i < probe->n; i++)
    g_free (probe->errors[i]);
  g_free (probe->errors);
  g_free (probe);
}

GHashTable *
octopus_erasure_probe_memo_new (void)
{
  return g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
}

static char *
memo_key (ProbeData *data, Slot *slot)
{
  return g_strdup_printf ("%s\x1f%s\x1f%s",
                          octopus_service_get_name (data->services->pdata[slot->i]),
                          data->key, slot->etag ? slot->etag : "");
}

static OctopusService *
slot_service (Slot *slot)
{
  ProbeData *data = g_task_get_task_data (slot->task);

  return data->services->pdata[slot->i];
}

static gboolean
same_trailer (const OctopusErasureTrailer *a, const OctopusErasureTrailer *b)
{
  return octopus_erasure_trailer_same_set (a, b);
}

/* The set most archives agree on. */
static const Memo *
find_reference (ProbeData *data)
{
  const Memo *best = NULL;
  guint best_votes = 0;

  for (guint i = 0; i < data->n; i++)
    {
      const Memo *c = &data->slots[i].memo;
      guint votes = 0;

      if (data->slots[i].missing || data->slots[i].unreachable || !c->trailer_ok)
        continue;
      for (guint j = 0; j < data->n; j++)
        if (data->slots[j].memo.trailer_ok && !data->slots[j].missing
            && !data->slots[j].unreachable
            && same_trailer (&c->trailer, &data->slots[j].memo.trailer))
          votes++;
      if (votes > best_votes)
        {
          best = c;
          best_votes = votes;
        }
    }
  return best;
}

static char *
md5_hex (const guint8 md5[16])
{
  GString *s = g_string_sized_new (32);

  for (guint i = 0; i < 16; i++)
    g_string_append_printf (s, "%02x", md5[i]);
  return g_string_free (s, FALSE);
}

/* Why @slot is not a good archive of @ref's set, or NULL when it is. */
static char *
judge (ProbeData *data, Slot *slot, const Memo *ref)
{
  const Memo *c = &slot->memo;
  g_autofree char *want = NULL;

  if (!c->scheme_seen)
    return g_strdup (_("not an archive of this object (no erasure-coding metadata)"));
  if (!c->trailer_ok || ref == NULL || !same_trailer (&c->trailer, &ref->trailer))
    return g_strdup (_("the archive's trailer is damaged or belongs to another upload"));
  if (c->trailer.index != c->scheme_index
      || (guint64) slot->size != c->trailer.data_length + OCTOPUS_ERASURE_TRAILER_SIZE)
    return g_strdup (_("the archive's size or index does not match its trailer"));
  if (!data->deep)
    return NULL;
  want = md5_hex (ref->trailer.archive_md5[c->trailer.index]);
  if (slot->data_md5 == NULL || g_ascii_strcasecmp (want, slot->data_md5) != 0)
    return g_strdup (_("the archive's contents differ from what its trailer records"));
  return NULL;
}

static void
conclude (GTask *task)
{
  ProbeData *data = g_task_get_task_data (task);
  OctopusErasureProbe *probe = g_new0 (OctopusErasureProbe, 1);
  const Memo *ref = find_reference (data);

  probe->n = data->n;
  probe->states = g_new0 (OctopusObjectState, data->n);
  probe->index = g_new0 (guint, data->n);
  probe->errors = g_new0 (char *, data->n);
  if (ref != NULL)
    probe->reference = ref->trailer;
  for (guint i = 0; i < data->n; i++)
    {
      Slot *slot = &data->slots[i];

      probe->erasure |= slot->memo.scheme_seen;
      if (slot->unreachable)
        {
          probe->states[i] = OCTOPUS_OBJECT_STATE_UNREACHABLE;
          probe->errors[i] = g_strdup (slot->error);
          continue;
        }
      if (slot->missing)
        {
          probe->states[i] = OCTOPUS_OBJECT_STATE_MISSING;
          continue;
        }
      probe->errors[i] = judge (data, slot, ref);
      probe->states[i] = probe->errors[i] == NULL ? OCTOPUS_OBJECT_STATE_IN_SYNC
                                                  : OCTOPUS_OBJECT_STATE_DAMAGED;
      probe->index[i] = slot->memo.trailer.index;
      probe->n_good += probe->errors[i] == NULL;
    }
  g_task_return_pointer (task, probe, (GDestroyNotify) octopus_erasure_probe_free);
}

static void
slot_done (Slot *slot, GError *error)
{
  GTask *task = slot->task;
  ProbeData *data = g_task_get_task_data (task);

  if (error != NULL)
    {
      if (g_error_matches (error, OCTOPUS_S3_ERROR, OCTOPUS_S3_ERROR_NO_SUCH_KEY))
        slot->missing = TRUE;
      else
        {
          slot->unreachable = TRUE;
          slot->error = g_strdup (error->message);
        }
      g_error_free (error);
    }
  if (--data->pending == 0)
    conclude (task);
  g_object_unref (task);
}

static void
data_pumped_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Slot *slot = user_data;
  GError *error = NULL;

  slot->data_md5 = _octopus_pump_finish (result, NULL, &error);
  /* A read that breaks off leaves the archive unjudged as damaged, not the service down. */
  g_clear_error (&error);
  slot_done (slot, NULL);
}

static void
data_get_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Slot *slot = user_data;
  GError *error = NULL;
  g_autoptr(GInputStream) stream =
    octopus_s3_client_get_object_finish (OCTOPUS_S3_CLIENT (source), result, NULL, &error);

  if (stream == NULL)
    {
      slot_done (slot, error);
      return;
    }
  _octopus_pump_async (stream, NULL, g_task_get_cancellable (slot->task), data_pumped_cb, slot);
}

static void
check_data (Slot *slot)
{
  ProbeData *data = g_task_get_task_data (slot->task);
  OctopusService *service = slot_service (slot);

  if (!data->deep || !slot->memo.trailer_ok || slot->memo.trailer.data_length == 0)
    {
      if (data->deep && slot->memo.trailer_ok)
        slot->data_md5 = g_strdup ("d41d8cd98f00b204e9800998ecf8427e");
      slot_done (slot, NULL);
      return;
    }
  octopus_s3_client_get_object_async (octopus_service_get_client (service),
                                      octopus_service_get_bucket (service), data->key, 0,
                                      slot->memo.trailer.data_length - 1,
                                      g_task_get_cancellable (slot->task), data_get_cb, slot);
}

static void
remember (Slot *slot)
{
  ProbeData *data = g_task_get_task_data (slot->task);

  if (data->memo != NULL)
    g_hash_table_replace (data->memo, memo_key (data, slot), g_memdup2 (&slot->memo,
                                                                        sizeof slot->memo));
}

static void
trailer_pumped_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Slot *slot = user_data;
  g_autoptr(GOutputStream) out = g_steal_pointer (&slot->trailer_out);
  GError *error = NULL;
  g_autofree char *md5 = _octopus_pump_finish (result, NULL, &error);
  GMemoryOutputStream *mem = G_MEMORY_OUTPUT_STREAM (out);

  if (md5 == NULL)
    {
      slot_done (slot, error);
      return;
    }
  slot->memo.trailer_ok =
    octopus_erasure_trailer_parse (g_memory_output_stream_get_data (mem),
                                   g_memory_output_stream_get_data_size (mem),
                                   &slot->memo.trailer, NULL);
  remember (slot);
  check_data (slot);
}

static void
read_scheme (Slot *slot, GHashTable *metadata)
{
  GHashTableIter iter;
  gpointer name, value;
  guint k, m;

  if (metadata == NULL)
    return;
  g_hash_table_iter_init (&iter, metadata);
  while (g_hash_table_iter_next (&iter, &name, &value))
    if (g_ascii_strcasecmp (name, "octopus-ec") == 0)
      slot->memo.scheme_seen =
        octopus_erasure_scheme_parse (value, &k, &m, &slot->memo.scheme_index, NULL);
}

static void
trailer_get_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Slot *slot = user_data;
  GError *error = NULL;
  g_autoptr(OctopusS3Object) info = NULL;
  g_autoptr(GInputStream) stream =
    octopus_s3_client_get_object_finish (OCTOPUS_S3_CLIENT (source), result, &info, &error);

  if (stream == NULL)
    {
      slot_done (slot, error);
      return;
    }
  read_scheme (slot, info->metadata);
  slot->trailer_out = g_memory_output_stream_new_resizable ();
  _octopus_pump_async (stream, slot->trailer_out, g_task_get_cancellable (slot->task),
                       trailer_pumped_cb, slot);
}

static void
got_object (Slot *slot, gint64 size, const char *etag)
{
  ProbeData *data = g_task_get_task_data (slot->task);
  OctopusService *service = slot_service (slot);
  g_autofree char *mkey = NULL;
  Memo *memo;

  slot->size = size;
  slot->etag = g_strdup (etag);
  mkey = memo_key (data, slot);
  memo = data->memo ? g_hash_table_lookup (data->memo, mkey) : NULL;
  if (memo != NULL)
    {
      slot->memo = *memo;
      check_data (slot);
      return;
    }
  if (size <= 0)
    {
      slot_done (slot, NULL);
      return;
    }
  octopus_s3_client_get_object_async (octopus_service_get_client (service),
                                      octopus_service_get_bucket (service), data->key,
                                      MAX (0, size - OCTOPUS_ERASURE_TRAILER_SIZE), size - 1,
                                      g_task_get_cancellable (slot->task), trailer_get_cb, slot);
}

static void
head_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Slot *slot = user_data;
  GError *error = NULL;
  g_autoptr(OctopusS3Object) info =
    octopus_s3_client_head_object_finish (OCTOPUS_S3_CLIENT (source), result, &error);

  if (info == NULL)
    slot_done (slot, error);
  else
    got_object (slot, info->size, info->etag);
}

void
_octopus_erasure_probe_async (GPtrArray *services, const char *key, OctopusS3Object **listed,
                              const gboolean *reachable, gboolean deep, GHashTable *memo,
                              GCancellable *cancellable, GAsyncReadyCallback callback,
                              gpointer user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  ProbeData *data = g_new0 (ProbeData, 1);

  g_task_set_source_tag (task, _octopus_erasure_probe_async);
  data->services = g_ptr_array_ref (services);
  data->key = g_strdup (key);
  data->n = services->len;
  data->slots = g_new0 (Slot, data->n);
  data->deep = deep;
  data->memo = memo ? g_hash_table_ref (memo) : NULL;
  data->pending = data->n + 1;
  g_task_set_task_data (task, data, (GDestroyNotify) probe_data_free);
  for (guint i = 0; i < data->n; i++)
    {
      Slot *slot = &data->slots[i];
      OctopusService *service = services->pdata[i];

      slot->task = g_object_ref (task);
      slot->i = i;
      if ((reachable != NULL && !reachable[i]) || octopus_service_get_unusable (service))
        {
          slot->unreachable = TRUE;
          slot_done (slot, NULL);
        }
      else if (listed == NULL)
        octopus_s3_client_head_object_async (octopus_service_get_client (service),
                                             octopus_service_get_bucket (service), key,
                                             cancellable, head_cb, slot);
      else if (listed[i] == NULL)
        {
          slot->missing = TRUE;
          slot_done (slot, NULL);
        }
      else
        got_object (slot, listed[i]->size, listed[i]->etag);
    }
  /* The count held across the loop. */
  if (--data->pending == 0)
    conclude (task);
}

OctopusErasureProbe *
_octopus_erasure_probe_finish (GAsyncResult *result, GError **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}
