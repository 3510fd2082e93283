/* SPDX-License-Identifier: GPL-3.0-or-later */
/* octopus-rate-limited-stream.c — asynchronous reads wait for the bucket, never block.
 *
 * libsoup reads a request body with g_input_stream_read_async (it splices it into the
 * connection) and the engine reads GET bodies the same way, so only the asynchronous read is
 * limited: when the bucket is empty it waits on a GSource timeout in the caller's main
 * context. The wait is cut to MAX_WAIT_MS so a new rate is noticed soon whatever the old one
 * was. A synchronous read passes straight through (nothing reads these streams that way).
 */
#include "config.h"

#include "octopus-rate-limited-stream.h"

#define MAX_WAIT_MS 100

struct _OctopusRateLimitedStream {
  GInputStream      parent_instance;
  GInputStream     *base;
  OctopusRateLimit *limit;
};

G_DEFINE_FINAL_TYPE (OctopusRateLimitedStream, octopus_rate_limited_stream, G_TYPE_INPUT_STREAM)

typedef struct {
  void  *buffer;
  gsize  count;
  gsize  granted;
  int    io_priority;
} ReadData;

static void try_read (GTask *task);

static gssize
limited_read (GInputStream *stream,
              void         *buffer,
              gsize         count,
              GCancellable *cancellable,
              GError      **error)
{
  return g_input_stream_read (OCTOPUS_RATE_LIMITED_STREAM (stream)->base, buffer, count,
                              cancellable, error);
}

static void
base_read_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  OctopusRateLimitedStream *self = g_task_get_source_object (task);
  ReadData *data = g_task_get_task_data (task);
  GError *error = NULL;
  gssize n = g_input_stream_read_finish (G_INPUT_STREAM (source), result, &error);

  /* A short read (the end of a part) gives back what it did not use. */
  octopus_rate_limit_give_back (self->limit, data->granted - (gsize) MAX (n, 0));
  if (n < 0)
    g_task_return_error (task, error);
  else
    g_task_return_int (task, n);
}

static gboolean
wait_done_cb (gpointer user_data)
{
  try_read (g_object_ref (user_data)); /* the source drops its own reference */
  return G_SOURCE_REMOVE;
}

/* Owns one reference to @task, which it hands on to the read or drops. */
static void
try_read (GTask *task)
{
  OctopusRateLimitedStream *self = g_task_get_source_object (task);
  ReadData *data = g_task_get_task_data (task);
  g_autoptr(GSource) wait = NULL;
  gint64 wait_us;

  if (g_task_return_error_if_cancelled (task))
    {
      g_object_unref (task);
      return;
    }
  data->granted = octopus_rate_limit_take (self->limit, data->count, &wait_us);
  if (data->granted > 0)
    {
      g_input_stream_read_async (self->base, data->buffer, data->granted, data->io_priority,
                                 g_task_get_cancellable (task), base_read_cb, task);
      return;
    }
  wait = g_timeout_source_new ((guint) CLAMP ((wait_us + 999) / 1000, 1, MAX_WAIT_MS));
  g_task_attach_source (task, wait, wait_done_cb);
  g_object_unref (task);
}

static void
limited_read_async (GInputStream       *stream,
                    void               *buffer,
                    gsize               count,
                    int                 io_priority,
                    GCancellable       *cancellable,
                    GAsyncReadyCallback callback,
                    gpointer            user_data)
{
  GTask *task = g_task_new (stream, cancellable, callback, user_data);
  ReadData *data = g_new0 (ReadData, 1);

  g_task_set_source_tag (task, limited_read_async);
  data->buffer = buffer;
  data->count = count;
  data->io_priority = io_priority;
  g_task_set_task_data (task, data, g_free);
  if (count == 0)
    {
      g_task_return_int (task, 0);
      g_object_unref (task);
      return;
    }
  try_read (task);
}

static gssize
limited_read_finish (GInputStream *stream,
                     GAsyncResult *result,
                     GError      **error)
{
  return g_task_propagate_int (G_TASK (result), error);
}

static gboolean
limited_close (GInputStream *stream,
               GCancellable *cancellable,
               GError      **error)
{
  return g_input_stream_close (OCTOPUS_RATE_LIMITED_STREAM (stream)->base, cancellable, error);
}

static void
base_close_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (g_input_stream_close_finish (G_INPUT_STREAM (source), result, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static void
limited_close_async (GInputStream       *stream,
                     int                 io_priority,
                     GCancellable       *cancellable,
                     GAsyncReadyCallback callback,
                     gpointer            user_data)
{
  GTask *task = g_task_new (stream, cancellable, callback, user_data);

  g_task_set_source_tag (task, limited_close_async);
  g_input_stream_close_async (OCTOPUS_RATE_LIMITED_STREAM (stream)->base, io_priority,
                              cancellable, base_close_cb, task);
}

static gboolean
limited_close_finish (GInputStream *stream,
                      GAsyncResult *result,
                      GError      **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
octopus_rate_limited_stream_finalize (GObject *object)
{
  OctopusRateLimitedStream *self = OCTOPUS_RATE_LIMITED_STREAM (object);

  g_clear_object (&self->base);
  g_clear_object (&self->limit);
  G_OBJECT_CLASS (octopus_rate_limited_stream_parent_class)->finalize (object);
}

static void
octopus_rate_limited_stream_class_init (OctopusRateLimitedStreamClass *klass)
{
  GInputStreamClass *stream_class = G_INPUT_STREAM_CLASS (klass);

  G_OBJECT_CLASS (klass)->finalize = octopus_rate_limited_stream_finalize;
  stream_class->read_fn = limited_read;
  stream_class->read_async = limited_read_async;
  stream_class->read_finish = limited_read_finish;
  stream_class->close_fn = limited_close;
  stream_class->close_async = limited_close_async;
  stream_class->close_finish = limited_close_finish;
}

static void
octopus_rate_limited_stream_init (OctopusRateLimitedStream *self)
{
}

GInputStream *
octopus_rate_limited_stream_new (GInputStream     *base,
                                 OctopusRateLimit *limit)
{
  OctopusRateLimitedStream *self = g_object_new (OCTOPUS_TYPE_RATE_LIMITED_STREAM, NULL);

  self->base = g_object_ref (base);
  self->limit = g_object_ref (limit);
  return G_INPUT_STREAM (self);
}
