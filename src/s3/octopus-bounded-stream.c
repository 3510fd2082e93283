/* SPDX-License-Identifier: GPL-3.0-or-later */
/* octopus-bounded-stream.c — a window of at most N bytes of the caller's stream, which it
 * never closes: libsoup closes the body stream it is given, and splices it to the end, while
 * the caller's stream must stay open (to be rewound for a retry, or to read the next part
 * from).
 */
#include "config.h"

#include "octopus-bounded-stream.h"

struct _OctopusBoundedStream {
  GInputStream  parent_instance;
  GInputStream *base;
  goffset       remaining;
};

G_DEFINE_FINAL_TYPE (OctopusBoundedStream, octopus_bounded_stream, G_TYPE_INPUT_STREAM)

static gssize
bounded_read (GInputStream *stream,
              void         *buffer,
              gsize         count,
              GCancellable *cancellable,
              GError      **error)
{
  OctopusBoundedStream *self = OCTOPUS_BOUNDED_STREAM (stream);
  gssize n;

  count = MIN (count, (gsize) self->remaining);
  if (count == 0)
    return 0;
  n = g_input_stream_read (self->base, buffer, count, cancellable, error);
  if (n > 0)
    self->remaining -= n;
  return n;
}

static void
bounded_read_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  OctopusBoundedStream *self = g_task_get_source_object (task);
  GError *error = NULL;
  gssize n = g_input_stream_read_finish (G_INPUT_STREAM (source), result, &error);

  if (n < 0)
    {
      g_task_return_error (task, error);
      return;
    }
  self->remaining -= n;
  g_task_return_int (task, n);
}

static void
bounded_read_async (GInputStream       *stream,
                    void               *buffer,
                    gsize               count,
                    int                 io_priority,
                    GCancellable       *cancellable,
                    GAsyncReadyCallback callback,
                    gpointer            user_data)
{
  OctopusBoundedStream *self = OCTOPUS_BOUNDED_STREAM (stream);
  GTask *task = g_task_new (stream, cancellable, callback, user_data);

  g_task_set_source_tag (task, bounded_read_async);
  count = MIN (count, (gsize) self->remaining);
  if (count == 0)
    {
      g_task_return_int (task, 0);
      g_object_unref (task);
      return;
    }
  g_input_stream_read_async (self->base, buffer, count, io_priority, cancellable,
                             bounded_read_cb, task);
}

static gssize
bounded_read_finish (GInputStream *stream,
                     GAsyncResult *result,
                     GError      **error)
{
  return g_task_propagate_int (G_TASK (result), error);
}

static gboolean
bounded_close (GInputStream *stream,
               GCancellable *cancellable,
               GError      **error)
{
  return TRUE; /* the base stream is the caller's */
}

static void
octopus_bounded_stream_finalize (GObject *object)
{
  g_clear_object (&OCTOPUS_BOUNDED_STREAM (object)->base);
  G_OBJECT_CLASS (octopus_bounded_stream_parent_class)->finalize (object);
}

static void
octopus_bounded_stream_class_init (OctopusBoundedStreamClass *klass)
{
  GInputStreamClass *stream_class = G_INPUT_STREAM_CLASS (klass);

  G_OBJECT_CLASS (klass)->finalize = octopus_bounded_stream_finalize;
  stream_class->read_fn = bounded_read;
  stream_class->read_async = bounded_read_async;
  stream_class->read_finish = bounded_read_finish;
  stream_class->close_fn = bounded_close;
}

static void
octopus_bounded_stream_init (OctopusBoundedStream *self)
{
}

GInputStream *
octopus_bounded_stream_new (GInputStream *base,
                            goffset       length)
{
  OctopusBoundedStream *self = g_object_new (OCTOPUS_TYPE_BOUNDED_STREAM, NULL);

  self->base = g_object_ref (base);
  self->remaining = length;
  return G_INPUT_STREAM (self);
}
