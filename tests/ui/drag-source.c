/* SPDX-License-Identifier: GPL-3.0-or-later */
/* drag-source.c — test helper: a small window that drags the files named on its command line.
 *
 * Started next to the app under Xvfb; xdotool presses and moves the real pointer from this
 * window onto the app, so the two processes carry out a real XDND exchange (text/uri-list →
 * GdkFileList).  Prints "SOURCE READY" once mapped, "DRAG ACCEPTED" once the target accepts
 * the drop (XdndStatus), quits when the drag ends.
 */
#include <gtk/gtk.h>

static GdkFileList *files;
static gboolean done;

static GdkContentProvider *
prepare_cb (GtkDragSource *source,
            double         x,
            double         y,
            gpointer       user_data)
{
  return gdk_content_provider_new_typed (GDK_TYPE_FILE_LIST, files);
}

/* The target answered XdndStatus with an action it accepts: the driver may release now. */
static void
selected_action_cb (GdkDrag    *drag,
                    GParamSpec *pspec,
                    gpointer    user_data)
{
  static gboolean said;

  if (!said && gdk_drag_get_selected_action (drag) != 0)
    {
      said = TRUE;
      g_print ("DRAG ACCEPTED\n");
    }
}

static void
drag_begin_cb (GtkDragSource *source,
               GdkDrag       *drag,
               gpointer       user_data)
{
  g_signal_connect (drag, "notify::selected-action", G_CALLBACK (selected_action_cb), NULL);
}

static void
drag_end_cb (GtkDragSource *source,
             GdkDrag       *drag,
             gboolean       delete_data,
             gpointer       user_data)
{
  g_print ("DRAG END\n");
  done = TRUE;
}

static void
map_cb (GtkWidget *window)
{
  g_print ("SOURCE READY\n");
}

int
main (int   argc,
      char *argv[])
{
  GSList *list = NULL;
  GtkWidget *window, *label;
  GtkDragSource *source;

  setvbuf (stdout, NULL, _IOLBF, 0);
  gtk_init ();

  for (int i = argc - 1; i >= 1; i--)
    list = g_slist_prepend (list, g_file_new_for_commandline_arg (argv[i]));
  files = gdk_file_list_new_from_list (list);
  g_slist_free_full (list, g_object_unref);

  window = gtk_window_new ();
  gtk_window_set_title (GTK_WINDOW (window), "DragSource");
  gtk_window_set_decorated (GTK_WINDOW (window), FALSE);
  gtk_window_set_default_size (GTK_WINDOW (window), 200, 150);
  label = gtk_label_new ("Drag me");
  gtk_window_set_child (GTK_WINDOW (window), label);

  source = gtk_drag_source_new ();
  gtk_drag_source_set_actions (source, GDK_ACTION_COPY);
  g_signal_connect (source, "prepare", G_CALLBACK (prepare_cb), NULL);
  g_signal_connect (source, "drag-begin", G_CALLBACK (drag_begin_cb), NULL);
  g_signal_connect (source, "drag-end", G_CALLBACK (drag_end_cb), NULL);
  gtk_widget_add_controller (label, GTK_EVENT_CONTROLLER (source));
  g_signal_connect (window, "map", G_CALLBACK (map_cb), NULL);
  gtk_window_present (GTK_WINDOW (window));

  while (!done)
    g_main_context_iteration (NULL, TRUE);
  g_boxed_free (GDK_TYPE_FILE_LIST, files);
  return 0;
}
