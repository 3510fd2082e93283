/* SPDX-License-Identifier: GPL-3.0-or-later */
/* drop-target.c — test helper: a small window that accepts files dropped on it.
 *
 * The counterpart of drag-source.c: the e2e test drags a row out of Octopus onto this window
 * (a real XDND exchange between two processes, text/uri-list → GdkFileList).  Prints
 * "TARGET READY" once mapped, "TARGET MOTION" while a drag moves over it, "DROPPED <path>" for
 * every file received, then "DROP DONE" and quits.  The file's bytes are checked by the test.
 */
#include <gtk/gtk.h>

static gboolean done;

static gboolean
drop_cb (GtkDropTarget *target,
         const GValue  *value,
         double         x,
         double         y,
         gpointer       user_data)
{
  GSList *files = gdk_file_list_get_files (g_value_get_boxed (value));

  for (GSList *l = files; l != NULL; l = l->next)
    {
      g_autofree char *path = g_file_get_path (l->data);
      g_print ("DROPPED %s\n", path != NULL ? path : "(not a local file)");
    }
  g_slist_free (files);
  g_print ("DROP DONE\n");
  done = TRUE;
  return TRUE;
}

/* XDND: the source sends its next position only after our status for the previous one, so
 * after two of these the source knows the drop is accepted and the driver may release. */
static GdkDragAction
motion_cb (GtkDropTarget *target,
           double         x,
           double         y,
           gpointer       user_data)
{
  g_print ("TARGET MOTION\n");
  return GDK_ACTION_COPY;
}

static void
map_cb (GtkWidget *window)
{
  g_print ("TARGET READY\n");
}

int
main (int   argc,
      char *argv[])
{
  GtkWidget *window, *label;
  GtkDropTarget *target;

  setvbuf (stdout, NULL, _IOLBF, 0);
  gtk_init ();

  window = gtk_window_new ();
  gtk_window_set_title (GTK_WINDOW (window), "DropTarget");
  gtk_window_set_decorated (GTK_WINDOW (window), FALSE);
  gtk_window_set_default_size (GTK_WINDOW (window), 200, 150);
  label = gtk_label_new ("Drop here");
  gtk_window_set_child (GTK_WINDOW (window), label);

  target = gtk_drop_target_new (GDK_TYPE_FILE_LIST, GDK_ACTION_COPY);
  g_signal_connect (target, "enter", G_CALLBACK (motion_cb), NULL);
  g_signal_connect (target, "motion", G_CALLBACK (motion_cb), NULL);
  g_signal_connect (target, "drop", G_CALLBACK (drop_cb), NULL);
  gtk_widget_add_controller (window, GTK_EVENT_CONTROLLER (target));
  g_signal_connect (window, "map", G_CALLBACK (map_cb), NULL);
  gtk_window_present (GTK_WINDOW (window));

  while (!done)
    g_main_context_iteration (NULL, TRUE);
  return 0;
}
