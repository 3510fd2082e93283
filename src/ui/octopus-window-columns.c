/* SPDX-License-Identifier: GPL-3.0-or-later */
/* octopus-window-columns.c — the window's service columns: one status column per service,
 * each sortable by that service's state. */
#include "config.h"

#include "octopus-status-cell.h"
#include "octopus-window-private.h"

/* ---- service columns ---- */

static void
status_setup_cb (GtkSignalListItemFactory *factory,
                 GtkListItem              *item,
                 gpointer                  user_data)
{
  gtk_list_item_set_child (item, octopus_status_cell_new (GPOINTER_TO_UINT (user_data)));
}

static void
status_bind_cb (GtkSignalListItemFactory *factory,
                GtkListItem              *item,
                gpointer                  user_data)
{
  octopus_status_cell_set_object (OCTOPUS_STATUS_CELL (gtk_list_item_get_child (item)),
                                  gtk_list_item_get_item (item));
}

static void
status_unbind_cb (GtkSignalListItemFactory *factory,
                  GtkListItem              *item,
                  gpointer                  user_data)
{
  octopus_status_cell_set_object (OCTOPUS_STATUS_CELL (gtk_list_item_get_child (item)), NULL);
}

static int
service_state_for_sort (OctopusObject *object,
                        gpointer       user_data)
{
  guint index = GPOINTER_TO_UINT (user_data);

  if (object == NULL || index >= octopus_object_get_n_services (object))
    return 0;
  return octopus_object_get_service_state (object, index);
}

void
_octopus_window_remove_service_columns (OctopusWindow *self)
{
  for (guint i = 0; i < self->service_columns->len; i++)
    gtk_column_view_remove_column (self->column_view, g_ptr_array_index (self->service_columns, i));
  g_ptr_array_set_size (self->service_columns, 0);
}

void
_octopus_window_add_service_columns (OctopusWindow *self)
{
  for (guint i = 0; i < self->services->len; i++)
    {
      OctopusService *service = g_ptr_array_index (self->services, i);
      g_autoptr(GtkListItemFactory) factory = gtk_signal_list_item_factory_new ();
      g_autoptr(GtkColumnViewColumn) column = NULL;
      g_autoptr(GtkSorter) sorter = NULL;
      GtkExpression *expression;

      g_signal_connect (factory, "setup", G_CALLBACK (status_setup_cb), GUINT_TO_POINTER (i));
      g_signal_connect (factory, "bind", G_CALLBACK (status_bind_cb), NULL);
      g_signal_connect (factory, "unbind", G_CALLBACK (status_unbind_cb), NULL);

      expression = gtk_cclosure_expression_new (G_TYPE_INT, NULL, 0, NULL,
                                                G_CALLBACK (service_state_for_sort),
                                                GUINT_TO_POINTER (i), NULL);
      sorter = GTK_SORTER (gtk_numeric_sorter_new (expression));

      column = gtk_column_view_column_new (octopus_service_get_name (service),
                                           g_steal_pointer (&factory));
      gtk_column_view_column_set_sorter (column, sorter);
      gtk_column_view_column_set_resizable (column, TRUE);
      gtk_column_view_append_column (self->column_view, column);
      g_ptr_array_add (self->service_columns, g_object_ref (column));
    }
}
