/* SPDX-License-Identifier: GPL-3.0-or-later */
/* octopus-erasure-fetch.c — archives → reader → local stream (see the header).
 *
 * One source at a time completes its fragment of the current segment (a ranged GET per
 * attached archive stays open across segments); when every attached source is complete the
 * reader decodes the segment and the output is written. */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "octopus-erasure-fetch.h"
#include "octopus-service.h"

#define READ_CHUNK (256 * 1024)

typedef struct {
  guint         service;
  guint         index;
  GInputStream *stream;   /* NULL until opened */
} Source;

typedef struct {
  GPtrArray            *services;
  char                 *key;
  OctopusErasureProbe  *probe;
  OctopusErasureReader *reader;
  guint                 target;
  GOutputStream        *out;
  GArray               *candidates;  /* service indexes with good archives, not yet used */
  GArray               *attached;    /* of Source */
  guint                 current;     /* the attached source being read */
  GError               *last_error;  /* why the last archive was dropped */
} Fetch;

static void
fetch_free (Fetch *f)
{
  for (guint i = 0; i < f->attached->len; i++)
    g_clear_object (&g_array_index (f->attached, Source, i).stream);
  g_array_unref (f->attached);
  g_array_unref (f->candidates);
  g_ptr_array_unref (f->services);
  g_object_unref (f->out);
  g_free (f->key);
  g_clear_error (&f->last_error);
  g_free (f);
}

static void step (GTask *task);

static guint
k_of (Fetch *f)
{
  return f->probe->reference.k;
}

/* Attaches good archives until k are attached; FALSE when there are not enough. */
static gboolean
attach_more (Fetch *f)
{
  while (f->attached->len < k_of (f) && f->candidates->len > 0)
    {
      Source s = { g_array_index (f->candidates, guint, 0), 0, NULL };

      s.index = f->probe->index[s.service];
      g_array_remove_index (f->candidates, 0);
      g_array_append_val (f->attached, s);
    }
  return f->attached->len >= k_of (f);
}

static void
drop_current (GTask *task, GError *error)
{
  Fetch *f = g_task_get_task_data (task);

  g_clear_object (&g_array_index (f->attached, Source, f->current).stream);
  g_array_remove_index (f->attached, f->current);
  g_clear_error (&f->last_error);
  f->last_error = error;
  if (!attach_more (f))
    {
      g_task_return_new_error (task, OCTOPUS_ERASURE_ERROR, OCTOPUS_ERASURE_ERROR_NOT_ENOUGH,
                               _("%s: fewer than %u good archives can be read (last: %s)"),
                               f->key, k_of (f), f->last_error->message);
      g_object_unref (task);
      return;
    }
  step (task);
}

static void
read_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GTask *task = user_data;
  Fetch *f = g_task_get_task_data (task);
  Source *s = &g_array_index (f->attached, Source, f->current);
  GError *error = NULL;
  g_autoptr(GBytes) bytes = g_input_stream_read_bytes_finish (G_INPUT_STREAM (source), result,
                                                              &error);
  gsize consumed = 0, len;
  const guint8 *data;

  if (bytes == NULL || g_bytes_get_size (bytes) == 0)
    {
      drop_current (task, error ? error : g_error_new (G_IO_ERROR, G_IO_ERROR_PARTIAL_INPUT,
                                                       _("the archive ended early")));
      return;
    }
  data = g_bytes_get_data (bytes, &len);
  if (!octopus_erasure_reader_feed (f->reader, s->index, data, len, &consumed, &error)
      || consumed != len)
    {
      drop_current (task, error ? error : g_error_new (G_IO_ERROR, G_IO_ERROR_FAILED,
                                                       _("the archive was read out of step")));
      return;
    }
  step (task);
}

static void
opened_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GTask *task = user_data;
  Fetch *f = g_task_get_task_data (task);
  Source *s = &g_array_index (f->attached, Source, f->current);
  GError *error = NULL;

  s->stream = octopus_s3_client_get_object_finish (OCTOPUS_S3_CLIENT (source), result, NULL,
                                                   &error);
  if (s->stream == NULL)
    {
      drop_current (task, error);
      return;
    }
  step (task);
}

static gboolean
write_output (Fetch *f, GBytes *bytes, GCancellable *cancellable, GError **error)
{
  return g_output_stream_write_all (f->out, g_bytes_get_data (bytes, NULL),
                                    g_bytes_get_size (bytes), NULL, cancellable, error);
}

static void
finish_fetch (GTask *task)
{
  Fetch *f = g_task_get_task_data (task);
  g_autoptr(GBytes) trailer = NULL;
  GError *error = NULL;

  if (!octopus_erasure_reader_finish (f->reader, &trailer, &error)
      || (trailer != NULL && !write_output (f, trailer, g_task_get_cancellable (task), &error)))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
  g_object_unref (task);
}

/* Reads whatever the reader still wants; decodes a segment once every source is complete. */
static void
step (GTask *task)
{
  Fetch *f = g_task_get_task_data (task);
  OctopusErasureReader *r = f->reader;
  g_autoptr(GBytes) segment = NULL;
  GError *error = NULL;

  for (;;)
    {
      for (f->current = 0; f->current < f->attached->len; f->current++)
        {
          Source *s = &g_array_index (f->attached, Source, f->current);
          OctopusService *service = f->services->pdata[s->service];
          gsize wants = octopus_erasure_reader_wants (r, s->index);

          if (wants == 0)
            continue;
          if (s->stream == NULL)
            {
              octopus_s3_client_get_object_async (
                octopus_service_get_client (service), octopus_service_get_bucket (service),
                f->key, octopus_erasure_reader_get_offset (r),
                f->probe->reference.data_length - 1, g_task_get_cancellable (task), opened_cb,
                task);
              return;
            }
          g_input_stream_read_bytes_async (s->stream, MIN (wants, READ_CHUNK),
                                           G_PRIORITY_DEFAULT, g_task_get_cancellable (task),
                                           read_cb, task);
          return;
        }
      if (octopus_erasure_reader_get_segment (r) >= octopus_erasure_reader_get_n_segments (r))
        {
          finish_fetch (task);
          return;
        }
      segment = octopus_erasure_reader_next (r, &error);
      if (segment == NULL || !write_output (f, segment, g_task_get_cancellable (task), &error))
        {
          g_task_return_error (task, error);
          g_object_unref (task);
          return;
        }
      g_clear_pointer (&segment, g_bytes_unref);
    }
}

void
_octopus_erasure_fetch_async (GPtrArray *services, const char *key, OctopusErasureProbe *probe,
                              OctopusErasureReader *reader, guint target, GOutputStream *out,
                              GCancellable *cancellable, GAsyncReadyCallback callback,
                              gpointer user_data)
{
  GTask *task = g_task_new (NULL, cancellable, callback, user_data);
  Fetch *f = g_new0 (Fetch, 1);

  g_task_set_source_tag (task, _octopus_erasure_fetch_async);
  f->services = g_ptr_array_ref (services);
  f->key = g_strdup (key);
  f->probe = probe;
  f->reader = reader;
  f->target = target;
  f->out = g_object_ref (out);
  f->candidates = g_array_new (FALSE, FALSE, sizeof (guint));
  f->attached = g_array_new (FALSE, FALSE, sizeof (Source));
  g_task_set_task_data (task, f, (GDestroyNotify) fetch_free);
  for (guint i = 0; i < probe->n; i++)
    if (probe->states[i] == OCTOPUS_OBJECT_STATE_IN_SYNC && probe->index[i] != target)
      g_array_append_val (f->candidates, i);
  if (!attach_more (f))
    {
      g_task_return_new_error (task, OCTOPUS_ERASURE_ERROR, OCTOPUS_ERASURE_ERROR_NOT_ENOUGH,
                               _("%s: only %u good archives are left and %u are needed to read "
                                 "it; the file is lost"), key, f->attached->len, k_of (f));
      g_object_unref (task);
      return;
    }
  step (task);
}

gboolean
_octopus_erasure_fetch_finish (GAsyncResult *result, GError **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}
