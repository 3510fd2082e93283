/* octopus-window-dnd.c — files and folders dropped anywhere on the window are uploaded.
 *
 * GtkDropTarget(GDK_TYPE_FILE_LIST) receives text/uri-list from file managers and, inside a
 * sandbox, document-portal paths; the drop handler only turns them into local paths and hands
 * them to octopus_window_add_paths(), which tests call directly too.
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "octopus-window-private.h"

static gboolean
drop_cb (GtkDropTarget *target,
         const GValue  *value,
         double         x,
         double         y,
         OctopusWindow *self)
{
  g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func (g_free);
  GSList *files;

  if (!G_VALUE_HOLDS (value, GDK_TYPE_FILE_LIST))
    return FALSE;

  files = gdk_file_list_get_files (g_value_get_boxed (value));
  for (GSList *l = files; l != NULL; l = l->next)
    {
      char *path = g_file_get_path (l->data);

      if (path != NULL)
        g_ptr_array_add (paths, path);
    }
  g_slist_free (files);

  if (paths->len == 0)
    {
      octopus_window_toast (self, _("Only local files can be uploaded"));
      return FALSE;
    }
  g_ptr_array_add (paths, NULL);
  octopus_window_add_paths (self, (const char * const *) paths->pdata);
  return TRUE;
}

void
_octopus_window_dnd_init (OctopusWindow *self)
{
  GtkDropTarget *target = gtk_drop_target_new (GDK_TYPE_FILE_LIST, GDK_ACTION_COPY);

  g_signal_connect (target, "drop", G_CALLBACK (drop_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (target));
}

static void
added_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(OctopusWindow) self = user_data;
  g_autoptr(GError) error = NULL;

  octopus_upload_queue_add_finish (OCTOPUS_UPLOAD_QUEUE (source), result, &error);
  if (error != NULL)
    _octopus_window_toast_error (self, _("Could not upload"), error);
}

void
octopus_window_add_paths (OctopusWindow      *self,
                          const char * const *paths)
{
  g_return_if_fail (OCTOPUS_IS_WINDOW (self));
  g_return_if_fail (paths != NULL);

  if (self->queue == NULL)
    {
      octopus_window_toast (self, _("Add a service before uploading"));
      return;
    }
  /* Folders are walked asynchronously by the queue; uploads start while it walks. */
  for (guint i = 0; paths[i] != NULL; i++)
    {
      g_autoptr(GFile) file = g_file_new_for_path (paths[i]);

      octopus_upload_queue_add_async (self->queue, file, NULL, self->cancellable,
                                      added_cb, g_object_ref (self));
    }
}
