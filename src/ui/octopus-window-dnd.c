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

void
octopus_window_add_paths (OctopusWindow      *self,
                          const char * const *paths)
{
  g_return_if_fail (OCTOPUS_IS_WINDOW (self));
  g_return_if_fail (paths != NULL);

  /* The upload queue is not part of this build yet; the upload actions stay disabled. */
  g_debug ("%u paths dropped, no upload queue", g_strv_length ((char **) paths));
}
