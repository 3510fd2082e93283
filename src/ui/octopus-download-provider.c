/* SPDX-License-Identifier: GPL-3.0-or-later */
/* octopus-download-provider.c — text/uri-list that downloads the objects when asked. */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "octopus-download-provider.h"

struct _OctopusDownloadProvider
{
  GdkContentProvider parent_instance;

  OctopusArray *array;
  char        **keys;
  char         *directory;
  char         *uri_list;   /* the answer, once every key is downloaded */
  GPtrArray    *waiting;    /* GTask: requests that arrived while downloading */
  guint         pending;    /* downloads in flight */
  GError       *error;      /* the first download that failed */
  GPtrArray    *uris;       /* file: URIs in key order (NULL until downloaded) */
};

G_DEFINE_FINAL_TYPE (OctopusDownloadProvider, octopus_download_provider, GDK_TYPE_CONTENT_PROVIDER)

#define URI_LIST "text/uri-list"

GdkContentProvider *
octopus_download_provider_new (OctopusArray       *array,
                               const char * const *keys,
                               const char         *directory)
{
  OctopusDownloadProvider *self;

  g_return_val_if_fail (OCTOPUS_IS_ARRAY (array), NULL);
  g_return_val_if_fail (keys != NULL && keys[0] != NULL, NULL);

  self = g_object_new (OCTOPUS_TYPE_DOWNLOAD_PROVIDER, NULL);
  self->array = g_object_ref (array);
  self->keys = g_strdupv ((char **) keys);
  if (directory != NULL)
    self->directory = g_strdup (directory);
  else
    {
      g_autofree char *parent = g_build_filename (g_get_user_cache_dir (), "octopus", "drag", NULL);
      g_autofree char *template = NULL;

      /* One folder per drag, so two objects with the same name never overwrite each other. */
      g_mkdir_with_parents (parent, 0700);
      template = g_build_filename (parent, "XXXXXX", NULL);
      self->directory = g_mkdtemp (g_steal_pointer (&template));
      if (self->directory == NULL)
        self->directory = g_steal_pointer (&parent);
    }
  return GDK_CONTENT_PROVIDER (self);
}

const char *
octopus_download_provider_get_directory (OctopusDownloadProvider *self)
{
  g_return_val_if_fail (OCTOPUS_IS_DOWNLOAD_PROVIDER (self), NULL);
  return self->directory;
}

static GdkContentFormats *
octopus_download_provider_ref_formats (GdkContentProvider *provider)
{
  return gdk_content_formats_new ((const char *[]) { URI_LIST }, 1);
}

/* ---- writing the answer ---- */

static void
written_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (!g_output_stream_write_all_finish (G_OUTPUT_STREAM (source), result, NULL, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
answer (OctopusDownloadProvider *self,
        GTask                   *task)
{
  GOutputStream *stream = g_task_get_task_data (task);

  if (self->error != NULL)
    {
      g_task_return_error (task, g_error_copy (self->error));
      g_object_unref (task);
      return;
    }
  g_output_stream_write_all_async (stream, self->uri_list, strlen (self->uri_list),
                                   g_task_get_priority (task), g_task_get_cancellable (task),
                                   written_cb, task);
}

static void
answer_waiting (OctopusDownloadProvider *self)
{
  g_autoptr(GPtrArray) waiting = g_steal_pointer (&self->waiting);

  self->waiting = g_ptr_array_new ();
  for (guint i = 0; i < waiting->len; i++)
    answer (self, g_ptr_array_index (waiting, i));
}

/* ---- downloading ---- */

typedef struct {
  OctopusDownloadProvider *self;   /* owned */
  guint                    index;  /* into keys and uris */
} DownloadData;

static void
download_finished (OctopusDownloadProvider *self,
                   guint                    index,
                   char                    *path,
                   GError                  *error)
{
  if (path == NULL && self->error == NULL)
    self->error = g_error_copy (error);
  else if (path != NULL)
    {
      g_autoptr(GFile) file = g_file_new_for_path (path);

      g_free (g_ptr_array_index (self->uris, index));
      g_ptr_array_index (self->uris, index) = g_file_get_uri (file);
    }

  if (--self->pending > 0)
    return;

  if (self->error == NULL)
    {
      GString *list = g_string_new (NULL);

      for (guint i = 0; i < self->uris->len; i++)
        g_string_append_printf (list, "%s\r\n", (char *) g_ptr_array_index (self->uris, i));
      self->uri_list = g_string_free (list, FALSE);
      g_debug ("Dragged objects downloaded: %s", self->uri_list);
    }
  else
    g_debug ("Drag download failed: %s", self->error->message);
  answer_waiting (self);
}

static void
downloaded_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  DownloadData *data = user_data;
  g_autoptr(OctopusDownloadProvider) self = data->self;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = octopus_array_download_finish (OCTOPUS_ARRAY (source), result, NULL,
                                                         &error);

  download_finished (self, data->index, path, error);
  g_free (data);
}

static void
start_downloads (OctopusDownloadProvider *self)
{
  guint n = g_strv_length (self->keys);

  self->uris = g_ptr_array_new_full (n, g_free);
  g_ptr_array_set_size (self->uris, n);
  self->pending = n;
  for (guint i = 0; i < n; i++)
    {
      DownloadData *data = g_new0 (DownloadData, 1);


      data->self = g_object_ref (self);
      data->index = i;
      /* Not the request's cancellable: a second request may still want the files. */
      octopus_array_download_async (self->array, self->keys[i], self->directory, NULL,
                                    downloaded_cb, data);
    }
}

static void
octopus_download_provider_write_mime_type_async (GdkContentProvider  *provider,
                                                 const char          *mime_type,
                                                 GOutputStream       *stream,
                                                 int                  io_priority,
                                                 GCancellable        *cancellable,
                                                 GAsyncReadyCallback  callback,
                                                 gpointer             user_data)
{
  OctopusDownloadProvider *self = OCTOPUS_DOWNLOAD_PROVIDER (provider);
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, octopus_download_provider_write_mime_type_async);
  g_task_set_priority (task, io_priority);
  g_task_set_task_data (task, g_object_ref (stream), g_object_unref);

  if (g_strcmp0 (mime_type, URI_LIST) != 0)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                               _("Cannot provide the object as %s"), mime_type);
      g_object_unref (task);
      return;
    }
  if (self->uri_list != NULL || (self->error != NULL && self->pending == 0))
    {
      answer (self, task);
      return;
    }
  g_ptr_array_add (self->waiting, task);
  if (self->uris == NULL)
    start_downloads (self);
}

static gboolean
octopus_download_provider_write_mime_type_finish (GdkContentProvider  *provider,
                                                  GAsyncResult        *result,
                                                  GError             **error)
{
  g_return_val_if_fail (g_task_is_valid (result, provider), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
octopus_download_provider_finalize (GObject *object)
{
  OctopusDownloadProvider *self = OCTOPUS_DOWNLOAD_PROVIDER (object);

  g_clear_object (&self->array);
  g_clear_pointer (&self->keys, g_strfreev);
  g_clear_pointer (&self->directory, g_free);
  g_clear_pointer (&self->uri_list, g_free);
  g_clear_pointer (&self->waiting, g_ptr_array_unref);
  g_clear_pointer (&self->uris, g_ptr_array_unref);
  g_clear_error (&self->error);
  G_OBJECT_CLASS (octopus_download_provider_parent_class)->finalize (object);
}

static void
octopus_download_provider_class_init (OctopusDownloadProviderClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GdkContentProviderClass *provider_class = GDK_CONTENT_PROVIDER_CLASS (klass);

  object_class->finalize = octopus_download_provider_finalize;
  provider_class->ref_formats = octopus_download_provider_ref_formats;
  provider_class->write_mime_type_async = octopus_download_provider_write_mime_type_async;
  provider_class->write_mime_type_finish = octopus_download_provider_write_mime_type_finish;
}

static void
octopus_download_provider_init (OctopusDownloadProvider *self)
{
  self->waiting = g_ptr_array_new ();
}
