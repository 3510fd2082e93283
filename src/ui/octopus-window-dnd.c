/* SPDX-License-Identifier: GPL-3.0-or-later */
/* octopus-window-dnd.c — files and folders dropped anywhere on the window are uploaded;
 * rows dragged out of the window become files where they are dropped.
 *
 * GtkDropTarget(GDK_TYPE_FILE_LIST) receives text/uri-list from file managers and, inside a
 * sandbox, document-portal paths; the drop handler only turns them into local paths and hands
 * them to octopus_window_add_paths(), which tests call directly too.
 *
 * Dragging rows out offers text/uri-list through OctopusDownloadProvider: the objects are
 * downloaded (verified) only when the drop target asks for the data.
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "octopus-download-provider.h"
#include "octopus-window-private.h"

/* A drag that started in this window (a row) is not an upload. */
static gboolean
is_own_drag (GtkDropTarget *target)
{
  GdkDrop *drop = gtk_drop_target_get_current_drop (target);

  return drop != NULL && gdk_drop_get_drag (drop) != NULL;
}

static GdkDragAction
enter_or_motion_cb (GtkDropTarget *target,
                    double         x,
                    double         y,
                    OctopusWindow *self)
{
  return is_own_drag (target) ? 0 : GDK_ACTION_COPY;
}

static gboolean
drop_cb (GtkDropTarget *target,
         const GValue  *value,
         double         x,
         double         y,
         OctopusWindow *self)
{
  g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func (g_free);
  GSList *files;

  if (!G_VALUE_HOLDS (value, GDK_TYPE_FILE_LIST) || is_own_drag (target))
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

static GdkContentProvider *
drag_prepare_cb (GtkDragSource *source,
                 double         x,
                 double         y,
                 OctopusWindow *self)
{
  guint position = _octopus_window_row_at (self, x, y);
  g_autoptr(GPtrArray) objects = NULL;
  g_autoptr(GStrvBuilder) builder = NULL;
  g_auto(GStrv) keys = NULL;

  if (self->array == NULL || position == GTK_INVALID_LIST_POSITION)
    return NULL;  /* not on a row: no drag (rubber-band selection stays possible) */

  /* Dragging an unselected row drags that row alone, as in Files. */
  if (!gtk_selection_model_is_selected (GTK_SELECTION_MODEL (self->selection), position))
    gtk_selection_model_select_item (GTK_SELECTION_MODEL (self->selection), position, TRUE);

  objects = _octopus_window_get_selected (self);
  if (_octopus_window_refuse_encrypted (self, objects))
    return NULL;
  builder = g_strv_builder_new ();
  for (guint i = 0; i < objects->len; i++)
    g_strv_builder_add (builder, octopus_object_get_key (g_ptr_array_index (objects, i)));
  keys = g_strv_builder_end (builder);
  if (keys[0] == NULL)
    return NULL;
  g_debug ("Dragging %u object(s), first “%s”", g_strv_length (keys), keys[0]);
  return octopus_download_provider_new (self->array, (const char * const *) keys, NULL);
}

void
_octopus_window_dnd_init (OctopusWindow *self)
{
  GtkDropTarget *target = gtk_drop_target_new (GDK_TYPE_FILE_LIST, GDK_ACTION_COPY);
  GtkDragSource *source = gtk_drag_source_new ();

  g_signal_connect (target, "enter", G_CALLBACK (enter_or_motion_cb), self);
  g_signal_connect (target, "motion", G_CALLBACK (enter_or_motion_cb), self);
  g_signal_connect (target, "drop", G_CALLBACK (drop_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (target));

  gtk_drag_source_set_actions (source, GDK_ACTION_COPY);
  g_signal_connect (source, "prepare", G_CALLBACK (drag_prepare_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self->column_view), GTK_EVENT_CONTROLLER (source));
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
