/* SPDX-License-Identifier: GPL-3.0-or-later */
/* octopus-window.c — the main window: pages, the object table, summary, context menu.
 * Actions live in octopus-window-actions.c, drag-and-drop in -dnd.c, the service columns in
 * -columns.c, the upload queue in -uploads.c. */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "octopus-object-row.h"
#include "octopus-service-loader.h"
#include "octopus-status-cell.h"
#include "octopus-window-private.h"

G_DEFINE_FINAL_TYPE (OctopusWindow, octopus_window, ADW_TYPE_APPLICATION_WINDOW)

enum { PROP_0, PROP_ACCOUNTS, N_PROPS };
static GParamSpec *properties[N_PROPS];

static void load_services (OctopusWindow *self);

OctopusWindow *
octopus_window_new (GtkApplication      *application,
                    OctopusAccountStore *accounts)
{
  return g_object_new (OCTOPUS_TYPE_WINDOW,
                       "application", application,
                       "accounts", accounts,
                       NULL);
}

const char *
octopus_window_get_page (OctopusWindow *self)
{
  g_return_val_if_fail (OCTOPUS_IS_WINDOW (self), NULL);
  return gtk_stack_get_visible_child_name (self->stack);
}

void
octopus_window_toast (OctopusWindow *self,
                      const char    *message)
{
  AdwToast *toast;

  g_return_if_fail (OCTOPUS_IS_WINDOW (self));

  toast = adw_toast_new (message);
  adw_toast_set_timeout (toast, 5);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

void
_octopus_window_toast_error (OctopusWindow *self,
                             const char    *what,
                             const GError  *error)
{
  g_autofree char *message = NULL;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  /* Translators: "<what failed>: <why>" */
  message = g_strdup_printf (_("%s: %s"), what, error->message);
  octopus_window_toast (self, message);
}

/* ---- pages and summary ---- */

void
_octopus_window_update_page (OctopusWindow *self)
{
  const char *page;

  if (self->accounts == NULL || g_list_model_get_n_items (G_LIST_MODEL (self->accounts)) == 0)
    page = "no-accounts";
  else if (self->table == NULL)
    page = "loading";
  else if (g_list_model_get_n_items (G_LIST_MODEL (self->table)) == 0)
    page = "empty";
  else
    page = "objects";

  gtk_stack_set_visible_child_name (self->stack, page);
}

static gboolean
summary_idle_cb (gpointer user_data)
{
  OctopusWindow *self = user_data;

  self->summary_idle_id = 0;
  _octopus_window_update_summary (self);
  _octopus_window_update_page (self);
  /* Rows change state in place; the "only problems" filter must look again. */
  gtk_filter_changed (GTK_FILTER (self->problems_filter), GTK_FILTER_CHANGE_DIFFERENT);
  _octopus_window_actions_update (self);
  _octopus_window_update_sync_status (self);
  return G_SOURCE_REMOVE;
}

void
_octopus_window_queue_summary (OctopusWindow *self)
{
  /* Coalesces bursts of items-changed (a listing of 100,000 keys) into one recount. */
  if (self->summary_idle_id == 0)
    self->summary_idle_id = g_idle_add_full (G_PRIORITY_LOW, summary_idle_cb, self, NULL);
}

/* ---- template callbacks (closures in the column factories) ---- */

static char *
format_size_cb (gpointer instance,
                gint64   size)
{
  if (size < 0)
    return g_strdup ("—");
  return g_format_size (size);
}

static char *
format_date_cb (gpointer instance,
                gint64   when)
{
  g_autoptr(GDateTime) dt = NULL;

  if (when <= 0)
    return g_strdup ("—");
  dt = g_date_time_new_from_unix_local (when);
  /* Translators: date and time format for the Modified column, see g_date_time_format() */
  return g_date_time_format (dt, _("%Y-%m-%d %H:%M"));
}

/* ---- services and the table ---- */

static void
table_items_changed_cb (OctopusWindow *self)
{
  _octopus_window_queue_summary (self);
}

static void
set_table (OctopusWindow      *self,
           OctopusObjectTable *table)
{
  if (self->table != NULL)
    g_signal_handlers_disconnect_by_func (self->table, table_items_changed_cb, self);
  g_set_object (&self->table, table);
  gtk_filter_list_model_set_model (self->filter_model, G_LIST_MODEL (table));
  if (table != NULL)
    g_signal_connect_object (table, "items-changed", G_CALLBACK (table_items_changed_cb), self,
                             G_CONNECT_SWAPPED);
  _octopus_window_update_summary (self);
  _octopus_window_update_page (self);
  _octopus_window_actions_update (self);
}

void
_octopus_window_set_array (OctopusWindow *self,
                           OctopusArray  *array)
{
  if (self->array == array)
    return;
  _octopus_window_remove_service_columns (self);
  set_table (self, NULL);
  g_clear_pointer (&self->services, g_ptr_array_unref);
  if (self->array != NULL)
    g_signal_handlers_disconnect_by_data (self->array, self);
  g_set_object (&self->array, array);
  if (array == NULL)
    {
      _octopus_window_set_queue (self, NULL);
      return;
    }

  self->services = g_ptr_array_ref (octopus_array_get_services (array));
  _octopus_window_add_service_columns (self);
  set_table (self, octopus_array_get_table (array));
  _octopus_window_show_last_known (self);
}


static void
services_loaded_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(OctopusWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) services = octopus_services_load_finish (result, &error);
  g_autoptr(OctopusArray) array = NULL;

  if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    self->loading = FALSE;
  _octopus_window_queue_summary (self);
  if (services == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      adw_status_page_set_title (self->loading_page, _("The Services Could Not Be Loaded"));
      adw_status_page_set_description (self->loading_page, error->message);
      adw_status_page_set_icon_name (self->loading_page, "dialog-error-symbolic");
      _octopus_window_toast_error (self, _("Could not load the services"), error);
      return;
    }

  array = octopus_array_new (services);
  _octopus_window_set_array (self, array);
  _octopus_window_start_uploads (self);

  /* Fill the table from the services (listing runs off the main loop). */
  gtk_widget_activate_action (GTK_WIDGET (self), "win.refresh", NULL);
}

static void
load_services (OctopusWindow *self)
{
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();

  _octopus_window_set_array (self, NULL);
  if (self->accounts == NULL || g_list_model_get_n_items (G_LIST_MODEL (self->accounts)) == 0)
    return;

  adw_status_page_set_title (self->loading_page, _("Connecting to the Services…"));
  adw_status_page_set_description (self->loading_page, NULL);
  adw_status_page_set_icon_name (self->loading_page, NULL);
  self->loading = TRUE;
  _octopus_window_queue_summary (self);
  octopus_services_load_async (self->cancellable, services_loaded_cb, g_object_ref (self));
}

static void
accounts_changed_cb (OctopusWindow *self)
{
  load_services (self);
}

/* ---- selection and the context menu ---- */

GPtrArray *
_octopus_window_get_selected (OctopusWindow *self)
{
  GPtrArray *objects = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GtkBitset) selected =
    gtk_selection_model_get_selection (GTK_SELECTION_MODEL (self->selection));
  GtkBitsetIter iter;
  guint position;

  for (gboolean ok = gtk_bitset_iter_init_first (&iter, selected, &position);
       ok;
       ok = gtk_bitset_iter_next (&iter, &position))
    g_ptr_array_add (objects, g_list_model_get_item (G_LIST_MODEL (self->selection), position));
  return objects;
}

static OctopusObjectRow *
find_object_row (GtkWidget *widget)
{
  if (OCTOPUS_IS_OBJECT_ROW (widget))
    return OCTOPUS_OBJECT_ROW (widget);
  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      OctopusObjectRow *row = find_object_row (child);
      if (row != NULL)
        return row;
    }
  return NULL;
}

/* The name cell showing @position, if that row is built (the view builds visible rows only). */
static OctopusObjectRow *
find_object_row_at (GtkWidget *widget,
                    guint      position)
{
  if (OCTOPUS_IS_OBJECT_ROW (widget))
    return octopus_object_row_get_position (OCTOPUS_OBJECT_ROW (widget)) == position
           ? OCTOPUS_OBJECT_ROW (widget) : NULL;
  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      OctopusObjectRow *row = find_object_row_at (child, position);
      if (row != NULL)
        return row;
    }
  return NULL;
}

gboolean
_octopus_window_select_key (OctopusWindow *self,
                            const char    *key)
{
  GListModel *model = G_LIST_MODEL (self->selection);
  guint n = g_list_model_get_n_items (model);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(OctopusObject) object = g_list_model_get_item (model, i);
      OctopusObjectRow *row;

      if (g_strcmp0 (octopus_object_get_key (object), key) != 0)
        continue;
      gtk_selection_model_select_item (GTK_SELECTION_MODEL (self->selection), i, TRUE);
      /* The focus goes to the row as the keyboard would move it there, so Menu and
       * Shift+F10 then open the context menu on this row. */
      row = find_object_row_at (GTK_WIDGET (self->column_view), i);
      for (GtkWidget *w = GTK_WIDGET (row);
           w != NULL && w != GTK_WIDGET (self->column_view);
           w = gtk_widget_get_parent (w))
        if (gtk_widget_get_focusable (w) && gtk_widget_grab_focus (w))
          break;
      return TRUE;
    }
  gtk_selection_model_unselect_all (GTK_SELECTION_MODEL (self->selection));
  return FALSE;
}

/* The row under (x, y) of the column view: the first ancestor of the picked widget that holds
 * an OctopusObjectRow is that row (a row holds exactly one: its name cell). */
guint
_octopus_window_row_at (OctopusWindow *self,
                        double         x,
                        double         y)
{
  GtkWidget *picked = gtk_widget_pick (GTK_WIDGET (self->column_view), x, y, GTK_PICK_DEFAULT);

  for (GtkWidget *w = picked; w != NULL && w != GTK_WIDGET (self->column_view);
       w = gtk_widget_get_parent (w))
    {
      OctopusObjectRow *row = find_object_row (w);
      if (row != NULL)
        return octopus_object_row_get_position (row);
      if (GTK_IS_SCROLLABLE (w))
        break;  /* reached the list itself: the click was not on a row */
    }
  return GTK_INVALID_LIST_POSITION;
}

void
_octopus_window_popup_row_menu (OctopusWindow *self,
                                double         x,
                                double         y)
{
  GdkRectangle rect = { (int) x, (int) y, 1, 1 };

  if (self->row_popover == NULL)
    {
      self->row_popover = gtk_popover_menu_new_from_model (self->row_menu);
      gtk_widget_set_parent (self->row_popover, GTK_WIDGET (self->column_view));
      gtk_popover_set_has_arrow (GTK_POPOVER (self->row_popover), FALSE);
      gtk_widget_set_halign (self->row_popover, GTK_ALIGN_START);
    }
  gtk_popover_set_pointing_to (GTK_POPOVER (self->row_popover), &rect);
  gtk_popover_popup (GTK_POPOVER (self->row_popover));
}

static void
select_row_for_menu (OctopusWindow *self,
                     double         x,
                     double         y)
{
  guint position = _octopus_window_row_at (self, x, y);

  if (position == GTK_INVALID_LIST_POSITION)
    return;
  /* Right click on an unselected row acts on that row alone, as in Files. */
  if (!gtk_selection_model_is_selected (GTK_SELECTION_MODEL (self->selection), position))
    gtk_selection_model_select_item (GTK_SELECTION_MODEL (self->selection), position, TRUE);
  _octopus_window_popup_row_menu (self, x, y);
}

static void
row_click_pressed_cb (GtkGestureClick *gesture,
                      int              n_press,
                      double           x,
                      double           y,
                      OctopusWindow   *self)
{
  GdkEvent *event = gtk_event_controller_get_current_event (GTK_EVENT_CONTROLLER (gesture));

  if (event == NULL || !gdk_event_triggers_context_menu (event))
    return;
  gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_CLAIMED);
  select_row_for_menu (self, x, y);
}

static void
row_long_pressed_cb (GtkGestureLongPress *gesture,
                     double               x,
                     double               y,
                     OctopusWindow       *self)
{
  select_row_for_menu (self, x, y);
}

static gboolean
column_view_key_pressed_cb (GtkEventControllerKey *controller,
                            guint                  keyval,
                            guint                  keycode,
                            GdkModifierType        state,
                            OctopusWindow         *self)
{
  GtkWidget *focus;
  graphene_point_t point;

  if (keyval != GDK_KEY_Menu && !(keyval == GDK_KEY_F10 && (state & GDK_SHIFT_MASK)))
    return GDK_EVENT_PROPAGATE;

  /* Open the menu at the focused row, which the keyboard has already selected. */
  focus = gtk_root_get_focus (GTK_ROOT (self));
  if (focus == NULL || !gtk_widget_compute_point (focus, GTK_WIDGET (self->column_view),
                                                  &GRAPHENE_POINT_INIT (8, 8), &point))
    point = GRAPHENE_POINT_INIT (8, 8);
  _octopus_window_popup_row_menu (self, point.x, point.y);
  return GDK_EVENT_STOP;
}

static void
selection_changed_cb (OctopusWindow *self)
{
  _octopus_window_actions_update (self);
}

static gboolean
problems_filter_func (gpointer item,
                      gpointer user_data)
{
  OctopusWindow *self = user_data;

  if (!g_settings_get_boolean (self->settings, "only-problems"))
    return TRUE;
  return octopus_object_get_state (item) != OCTOPUS_OBJECT_STATE_IN_SYNC;
}

static void
only_problems_changed_cb (OctopusWindow *self)
{
  gtk_filter_changed (GTK_FILTER (self->problems_filter), GTK_FILTER_CHANGE_DIFFERENT);
}

/* ---- GObject ---- */

static void
octopus_window_constructed (GObject *object)
{
  OctopusWindow *self = OCTOPUS_WINDOW (object);

  G_OBJECT_CLASS (octopus_window_parent_class)->constructed (object);

  if (self->accounts != NULL)
    g_signal_connect_object (self->accounts, "items-changed", G_CALLBACK (accounts_changed_cb),
                             self, G_CONNECT_SWAPPED);
  load_services (self);
  _octopus_window_update_page (self);
  if (self->accounts != NULL && octopus_account_store_get_load_error (self->accounts) != NULL)
    _octopus_window_toast_error (self, _("Some accounts could not be read"),
                                 octopus_account_store_get_load_error (self->accounts));
}

static gboolean
octopus_window_close_request (GtkWindow *window)
{
  OctopusWindow *self = OCTOPUS_WINDOW (window);

  /* Stop listings and transfers started by this window; the queue resumes them next time. */
  g_cancellable_cancel (self->cancellable);
  return GTK_WINDOW_CLASS (octopus_window_parent_class)->close_request (window);
}

static void
octopus_window_dispose (GObject *object)
{
  OctopusWindow *self = OCTOPUS_WINDOW (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->summary_idle_id, g_source_remove);
  g_clear_handle_id (&self->refresh_timeout_id, g_source_remove);
  if (self->queue != NULL)
    g_signal_handlers_disconnect_by_data (self->queue, self);
  g_clear_object (&self->queue);
  g_clear_pointer (&self->row_popover, gtk_widget_unparent);
  if (self->table != NULL)
    g_signal_handlers_disconnect_by_func (self->table, table_items_changed_cb, self);
  gtk_widget_dispose_template (GTK_WIDGET (self), OCTOPUS_TYPE_WINDOW);
  g_clear_object (&self->table);
  if (self->array != NULL)
    g_signal_handlers_disconnect_by_data (self->array, self);
  g_clear_object (&self->array);
  g_clear_pointer (&self->services, g_ptr_array_unref);
  g_clear_pointer (&self->service_columns, g_ptr_array_unref);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->accounts);
  g_clear_object (&self->settings);
  g_clear_pointer (&self->batch_failure, g_free);
  G_OBJECT_CLASS (octopus_window_parent_class)->dispose (object);
}

static void
octopus_window_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  OctopusWindow *self = OCTOPUS_WINDOW (object);

  switch (prop_id)
    {
    case PROP_ACCOUNTS:
      self->accounts = g_value_dup_object (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
octopus_window_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  OctopusWindow *self = OCTOPUS_WINDOW (object);

  switch (prop_id)
    {
    case PROP_ACCOUNTS:
      g_value_set_object (value, self->accounts);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
octopus_window_class_init (OctopusWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->constructed = octopus_window_constructed;
  object_class->dispose = octopus_window_dispose;
  object_class->get_property = octopus_window_get_property;
  object_class->set_property = octopus_window_set_property;
  window_class->close_request = octopus_window_close_request;

  properties[PROP_ACCOUNTS] =
    g_param_spec_object ("accounts", NULL, NULL, OCTOPUS_TYPE_ACCOUNT_STORE,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* Types named in the template and in the column factories' inline templates. */
  g_type_ensure (OCTOPUS_TYPE_OBJECT);
  g_type_ensure (OCTOPUS_TYPE_OBJECT_ROW);
  g_type_ensure (OCTOPUS_TYPE_STATUS_CELL);
  g_type_ensure (OCTOPUS_TYPE_TRANSFERS_PANEL);

  gtk_widget_class_set_template_from_resource (widget_class,
    "/io/github/octopus_rais/Octopus/octopus-window.ui");
  gtk_widget_class_bind_template_child (widget_class, OctopusWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, OctopusWindow, window_title);
  gtk_widget_class_bind_template_child (widget_class, OctopusWindow, search_button);
  gtk_widget_class_bind_template_child (widget_class, OctopusWindow, search_bar);
  gtk_widget_class_bind_template_child (widget_class, OctopusWindow, search_entry);
  gtk_widget_class_bind_template_child (widget_class, OctopusWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, OctopusWindow, loading_page);
  gtk_widget_class_bind_template_child (widget_class, OctopusWindow, column_view);
  gtk_widget_class_bind_template_child (widget_class, OctopusWindow, selection);
  gtk_widget_class_bind_template_child (widget_class, OctopusWindow, filter_model);
  gtk_widget_class_bind_template_child (widget_class, OctopusWindow, problems_filter);
  gtk_widget_class_bind_template_child (widget_class, OctopusWindow, row_menu);
  gtk_widget_class_bind_template_child (widget_class, OctopusWindow, transfers_panel);
  gtk_widget_class_bind_template_callback (widget_class, format_size_cb);
  gtk_widget_class_bind_template_callback (widget_class, format_date_cb);
}

static void
octopus_window_init (OctopusWindow *self)
{
  GtkGesture *click, *long_press;
  GtkEventController *keys, *shortcuts;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->settings = g_settings_new (APP_ID);
  self->cancellable = g_cancellable_new ();
  self->service_columns = g_ptr_array_new_with_free_func (g_object_unref);

  g_settings_bind (self->settings, "window-width", self, "default-width", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "window-height", self, "default-height",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "window-maximized", self, "maximized", G_SETTINGS_BIND_DEFAULT);

  gtk_custom_filter_set_filter_func (self->problems_filter, problems_filter_func, self, NULL);
  g_signal_connect_object (self->settings, "changed::parallel-transfers",
                           G_CALLBACK (_octopus_window_apply_transfer_settings), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->settings, "changed::part-size-mib",
                           G_CALLBACK (_octopus_window_apply_transfer_settings), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->settings, "changed::only-problems",
                           G_CALLBACK (only_problems_changed_cb), self, G_CONNECT_SWAPPED);
  gtk_search_bar_connect_entry (self->search_bar, GTK_EDITABLE (self->search_entry));
  gtk_search_bar_set_key_capture_widget (self->search_bar, GTK_WIDGET (self));
  g_signal_connect_object (self->selection, "selection-changed",
                           G_CALLBACK (selection_changed_cb), self, G_CONNECT_SWAPPED);

  click = gtk_gesture_click_new ();
  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (click), 0);
  gtk_event_controller_set_propagation_phase (GTK_EVENT_CONTROLLER (click), GTK_PHASE_CAPTURE);
  g_signal_connect (click, "pressed", G_CALLBACK (row_click_pressed_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self->column_view), GTK_EVENT_CONTROLLER (click));

  long_press = gtk_gesture_long_press_new ();
  gtk_gesture_single_set_touch_only (GTK_GESTURE_SINGLE (long_press), TRUE);
  g_signal_connect (long_press, "pressed", G_CALLBACK (row_long_pressed_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self->column_view), GTK_EVENT_CONTROLLER (long_press));

  /* Delete only where objects have the focus: in the search entry it must delete text. */
  shortcuts = gtk_shortcut_controller_new ();
  gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (shortcuts),
                                        gtk_shortcut_new (
                                          gtk_keyval_trigger_new (GDK_KEY_Delete, 0),
                                          gtk_named_action_new ("win.delete-selected")));
  gtk_widget_add_controller (GTK_WIDGET (self->column_view), shortcuts);

  keys = gtk_event_controller_key_new ();
  g_signal_connect (keys, "key-pressed", G_CALLBACK (column_view_key_pressed_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self->column_view), keys);

  _octopus_window_actions_init (self);
  _octopus_window_dnd_init (self);
}
