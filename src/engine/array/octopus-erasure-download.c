/* SPDX-License-Identifier: GPL-3.0-or-later */
/* octopus-erasure-download.c — an erasure-coded object decoded from any k good archives into
 * a temporary file beside the target, renamed only once the reader checked length, MD5 and
 * SHA-256 against the trailer (issue 20).  Fewer than k good archives: a clear error and no
 * local file. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <glib/gstdio.h>
#include <glib/gi18n-lib.h>

#include "octopus-array-private.h"
#include "octopus-download.h"
#include "octopus-erasure-fetch.h"

typedef struct {
  char                 *key;
  char                 *path;
  char                 *tmp;
  OctopusErasureProbe  *probe;
  OctopusErasureReader *reader;
  GOutputStream        *out;
} ErasureDownload;

static void
erasure_download_free (ErasureDownload *d)
{
  if (d->out != NULL)
    g_output_stream_close (d->out, NULL, NULL);
  g_clear_object (&d->out);
  if (d->tmp != NULL)
    g_unlink (d->tmp);
  g_free (d->tmp);
  g_free (d->key);
  g_free (d->path);
  g_clear_pointer (&d->reader, octopus_erasure_reader_free);
  g_clear_pointer (&d->probe, octopus_erasure_probe_free);
  g_free (d);
}

static void
fetched_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  ErasureDownload *d = g_task_get_task_data (task);
  GError *error = NULL;

  if (!_octopus_erasure_fetch_finish (result, &error)
      || !g_output_stream_close (d->out, NULL, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  g_clear_object (&d->out);
  if (g_rename (d->tmp, d->path) != 0)
    {
      int saved = errno;

      g_task_return_new_error (task, G_IO_ERROR, g_io_error_from_errno (saved),
                               _("Could not write %s: %s"), d->path, g_strerror (saved));
      return;
    }
  g_clear_pointer (&d->tmp, g_free);
  g_task_return_pointer (task, g_strdup (d->path), g_free);
}

/* A new temporary file beside the target, mode 0666 less the umask. */
static gboolean
open_temporary (ErasureDownload *d, GError **error)
{
  g_autoptr(GFile) file = NULL;
  int fd;

  d->tmp = g_strconcat (d->path, ".octopus-XXXXXX", NULL);
  fd = g_mkstemp_full (d->tmp, O_RDWR, 0666);
  if (fd < 0)
    {
      int saved = errno;

      g_clear_pointer (&d->tmp, g_free);
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), _("Could not write %s: %s"),
                   d->path, g_strerror (saved));
      return FALSE;
    }
  close (fd);
  file = g_file_new_for_path (d->tmp);
  d->out = G_OUTPUT_STREAM (g_file_append_to (file, G_FILE_CREATE_NONE, NULL, error));
  return d->out != NULL;
}

static void
probed_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  OctopusArray *self = g_task_get_source_object (task);
  ErasureDownload *d = g_task_get_task_data (task);
  GCancellable *cancellable;
  GError *error = NULL;

  d->probe = _octopus_erasure_probe_finish (result, &error);
  if (d->probe == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  if (d->probe->n_good < MAX (d->probe->reference.k, 1))
    {
      g_task_return_new_error (task, OCTOPUS_ERASURE_ERROR, OCTOPUS_ERASURE_ERROR_NOT_ENOUGH,
                               _("%s is lost: only %u good archives are left, and more are "
                                 "needed to read it"), d->key, d->probe->n_good);
      return;
    }
  d->reader = octopus_erasure_reader_new (&d->probe->reference, &error);
  if (d->reader == NULL || !open_temporary (d, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  cancellable = g_task_get_cancellable (task);
  _octopus_erasure_fetch_async (self->services, d->key, d->probe, d->reader, G_MAXUINT, d->out,
                                cancellable, fetched_cb, g_steal_pointer (&task));
}

void
_octopus_array_erasure_download_async (OctopusArray *self, const char *key,
                                       const char *directory, const char *path,
                                       GCancellable *cancellable, GAsyncReadyCallback callback,
                                       gpointer user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  ErasureDownload *d = g_new0 (ErasureDownload, 1);
  GError *error = NULL;

  g_task_set_source_tag (task, _octopus_array_erasure_download_async);
  d->key = g_strdup (key);
  d->path = g_strdup (path);
  g_task_set_task_data (task, d, (GDestroyNotify) erasure_download_free);
  if (!octopus_download_make_parents (directory, path, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  /* A fresh look at every archive: the refresh may be minutes old. */
  _octopus_erasure_probe_async (self->services, key, NULL, NULL, FALSE, NULL, cancellable,
                                probed_cb, g_steal_pointer (&task));
}

char *
_octopus_array_erasure_download_finish (OctopusArray *self, GAsyncResult *result,
                                        GError **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}
