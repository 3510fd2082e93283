/* SPDX-License-Identifier: GPL-3.0-or-later */
/* octopus-array-pump.c — stream → (hash, optional output stream), in bounded chunks. */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "octopus-array-private.h"

#define CHUNK (256 * 1024)

typedef struct {
  GInputStream  *in;
  GOutputStream *out;       /* nullable */
  GChecksum     *md5;
  guint8        *buffer;    /* CHUNK bytes */
  gint64         bytes;
} PumpData;

static void
pump_data_free (PumpData *data)
{
  g_clear_object (&data->in);
  g_clear_object (&data->out);
  g_clear_pointer (&data->md5, g_checksum_free);
  g_free (data->buffer);
  g_free (data);
}

static void read_next (GTask *task);

static void
wrote_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;

  if (!g_output_stream_write_all_finish (G_OUTPUT_STREAM (source), result, NULL, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  read_next (g_steal_pointer (&task));
}

static void
read_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  PumpData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  gssize n;

  n = g_input_stream_read_finish (G_INPUT_STREAM (source), result, &error);
  if (n < 0)
    {
      /* Said so: it is the service's copy that failed, not a local file. */
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_prefix_error (&error, _("the copy was cut off: "));
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (n == 0)
    {
      g_task_return_pointer (task, g_strdup (g_checksum_get_string (data->md5)), g_free);
      return;
    }

  g_checksum_update (data->md5, data->buffer, (gsize) n);
  data->bytes += n;
  /* The cancellable is fetched before the task is handed over: argument order is unspecified. */
  if (data->out != NULL)
    {
      GCancellable *cancellable = g_task_get_cancellable (task);
      g_output_stream_write_all_async (data->out, data->buffer, (gsize) n, G_PRIORITY_DEFAULT,
                                       cancellable, wrote_cb, g_steal_pointer (&task));
    }
  else
    read_next (g_steal_pointer (&task));
}

static void
read_next (GTask *task)
{
  PumpData *data = g_task_get_task_data (task);

  g_input_stream_read_async (data->in, data->buffer, CHUNK, G_PRIORITY_DEFAULT,
                             g_task_get_cancellable (task), read_cb, task);
}

void
_octopus_pump_async (GInputStream        *in,
                     GOutputStream       *out,
                     GCancellable        *cancellable,
                     GAsyncReadyCallback  callback,
                     gpointer             user_data)
{
  GTask *task = g_task_new (NULL, cancellable, callback, user_data);
  PumpData *data = g_new0 (PumpData, 1);

  g_task_set_source_tag (task, _octopus_pump_async);
  data->in = g_object_ref (in);
  data->out = out ? g_object_ref (out) : NULL;
  data->md5 = g_checksum_new (G_CHECKSUM_MD5);
  data->buffer = g_malloc (CHUNK);
  g_task_set_task_data (task, data, (GDestroyNotify) pump_data_free);
  read_next (task);
}

char *
_octopus_pump_finish (GAsyncResult  *result,
                      gint64        *bytes,
                      GError       **error)
{
  PumpData *data = g_task_get_task_data (G_TASK (result));

  if (bytes != NULL)
    *bytes = data->bytes;
  return g_task_propagate_pointer (G_TASK (result), error);
}
