/* SPDX-License-Identifier: GPL-3.0-or-later */
/* octopus-window-actions.c — everything the user can do in the window, as win.* actions.
 *
 * The actions are in the window's GActionMap, so GtkApplication exports them on D-Bus
 * (org.gtk.Actions on /io/github/octopus_rais/Octopus/window/N): tests drive them with gdbus.
 * _octopus_window_actions_update() is the one place that enables them from the state.
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "octopus-acl-dialog.h"
#include "octopus-inspector.h"
#include "octopus-usage-view.h"
#include "octopus-window-private.h"

static void
set_enabled (OctopusWindow *self,
             const char    *name,
             gboolean       enabled)
{
  GAction *action = g_action_map_lookup_action (G_ACTION_MAP (self), name);

  if (G_IS_SIMPLE_ACTION (action))
    g_simple_action_set_enabled (G_SIMPLE_ACTION (action), enabled);
}

void
_octopus_window_actions_update (OctopusWindow *self)
{
  g_autoptr(GtkBitset) selected = NULL;
  guint64 n_selected;
  gboolean have_array = self->array != NULL;

  selected = gtk_selection_model_get_selection (GTK_SELECTION_MODEL (self->selection));
  n_selected = gtk_bitset_get_size (selected);

  set_enabled (self, "refresh", have_array);
  set_enabled (self, "upload", self->queue != NULL);
  set_enabled (self, "upload-paths", self->queue != NULL);
  set_enabled (self, "repair-selected", have_array && n_selected > 0);
  set_enabled (self, "delete-selected", have_array && n_selected > 0);
  set_enabled (self, "download-selected", have_array && n_selected > 0);
  set_enabled (self, "edit-acl", have_array && n_selected > 0);
  set_enabled (self, "share-selected", have_array && n_selected == 1);
  set_enabled (self, "inspect-selected", have_array && n_selected == 1);
  set_enabled (self, "erase-all", have_array);
  set_enabled (self, "check-contents", have_array);
  set_enabled (self, "usage", have_array);
}

static char **
selected_keys (OctopusWindow *self)
{
  g_autoptr(GPtrArray) objects = _octopus_window_get_selected (self);
  g_autoptr(GStrvBuilder) keys = g_strv_builder_new ();

  for (guint i = 0; i < objects->len; i++)
    g_strv_builder_add (keys, octopus_object_get_key (g_ptr_array_index (objects, i)));
  return g_strv_builder_end (keys);
}

/* Tells the user how an operation over keys × services went: a toast always, and a desktop
 * notification when the window is not focused (uploads and repairs can take long). */
static void
report_results (OctopusWindow *self,
                GPtrArray     *results,
                const char    *id,
                const char    *title,
                const char    *success)
{
  const OctopusArrayResult *first_failure = NULL;
  guint n_failures = 0;
  g_autofree char *message = NULL;

  for (guint i = 0; i < results->len; i++)
    {
      const OctopusArrayResult *r = g_ptr_array_index (results, i);

      if (r->status == OCTOPUS_RESULT_FAILED || r->status == OCTOPUS_RESULT_UNREACHABLE)
        {
          if (first_failure == NULL)
            first_failure = r;
          n_failures++;
        }
    }

  if (first_failure == NULL)
    message = g_strdup (success);
  else
    /* Translators: "<key> on <service>: <error> (and N more failures)" */
    message = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                            "%s on %s: %s",
                                            "%s on %s: %s (%u failures)", n_failures),
                               first_failure->key ? first_failure->key : "—",
                               first_failure->service ? first_failure->service : "—",
                               first_failure->message ? first_failure->message : _("failed"),
                               n_failures);
  _octopus_window_notify (self, id, title, message);
}

/* Repairs and deletes in flight count as "busy" in win.sync-status. */
static void
operation_started (OctopusWindow *self)
{
  self->operations++;
  _octopus_window_update_sync_status (self);
}

static void
operation_done (OctopusWindow *self)
{
  g_return_if_fail (self->operations > 0);
  self->operations--;
  _octopus_window_queue_summary (self);
}

/* ---- refresh ---- */

static void repair_done_cb (GObject *source, GAsyncResult *result, gpointer user_data);

/* With "repair-automatically", a refresh that finds missing or differing copies starts a
 * repair of everything; the refresh after that repair never starts another, so a service that
 * keeps failing cannot make the two loop. */
static void
maybe_repair_automatically (OctopusWindow *self)
{
  guint counts[OCTOPUS_OBJECT_N_STATES] = { 0, };

  if (self->auto_repaired)
    {
      self->auto_repaired = FALSE;
      return;
    }
  if (!g_settings_get_boolean (self->settings, "repair-automatically"))
    return;
  octopus_object_table_count_states (octopus_array_get_table (self->array), counts);
  if (counts[OCTOPUS_OBJECT_STATE_MISSING] + counts[OCTOPUS_OBJECT_STATE_DIFFERS] == 0)
    return;
  self->auto_repaired = TRUE;
  operation_started (self);
  octopus_array_repair_async (self->array, NULL, self->cancellable, repair_done_cb,
                              g_object_ref (self));
}

static void
refresh_done_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(OctopusWindow) self = user_data;
  g_autoptr(GError) error = NULL;

  self->refreshing--;
  _octopus_window_queue_summary (self);
  if (!octopus_array_refresh_finish (OCTOPUS_ARRAY (source), result, &error))
    {
      _octopus_window_toast_error (self, _("Could not refresh"), error);
      return;
    }
  if (OCTOPUS_ARRAY (source) != self->array)
    return;  /* the services were reloaded meanwhile */

  for (guint i = 0; i < self->services->len; i++)
    {
      OctopusService *service = g_ptr_array_index (self->services, i);
      const GError *last = octopus_service_get_last_error (service);

      if (!octopus_service_get_reachable (service) && last != NULL)
        {
          /* Translators: "<service> is unreachable: <why>" */
          g_autofree char *message = g_strdup_printf (_("%s is unreachable: %s"),
                                                      octopus_service_get_name (service),
                                                      last->message);
          octopus_window_toast (self, message);
        }
    }

  _octopus_window_update_summary (self);
  _octopus_window_update_page (self);
  gtk_filter_changed (GTK_FILTER (self->problems_filter), GTK_FILTER_CHANGE_DIFFERENT);
  _octopus_window_actions_update (self);
  maybe_repair_automatically (self);
  /* GUI tests wait for this line (G_MESSAGES_DEBUG=octopus) before reading the table. */
  g_debug ("Refresh finished: %u objects",
           g_list_model_get_n_items (G_LIST_MODEL (octopus_array_get_table (self->array))));
}

static void
refresh_action (GSimpleAction *action,
                GVariant      *parameter,
                gpointer       user_data)
{
  OctopusWindow *self = user_data;

  if (self->array == NULL)
    return;
  self->refreshing++;
  _octopus_window_update_sync_status (self);
  octopus_array_refresh_async (self->array, OCTOPUS_ARRAY_REFRESH_NONE, self->cancellable,
                               refresh_done_cb, g_object_ref (self));
}

/* The deep check: a refresh that downloads and hashes every copy whose MD5 cannot be known
 * from a listing (multipart uploads by other tools), then says how many it checked. */
static void
check_contents_done_cb (GObject      *source,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  g_autoptr(OctopusWindow) self = g_object_ref (user_data);  /* refresh_done_cb takes one */
  guint hashed = octopus_array_get_deep_hash_count (OCTOPUS_ARRAY (source)) - self->deep_hashed;
  g_autofree char *message = NULL;

  refresh_done_cb (source, result, user_data);
  message = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                          "%u copy was downloaded and hashed",
                                          "%u copies were downloaded and hashed", hashed),
                             hashed);
  _octopus_window_notify (self, "octopus-check", _("Contents checked"), message);
}

static void
check_contents_action (GSimpleAction *action,
                       GVariant      *parameter,
                       gpointer       user_data)
{
  OctopusWindow *self = user_data;

  if (self->array == NULL)
    return;
  self->refreshing++;
  self->deep_hashed = octopus_array_get_deep_hash_count (self->array);
  _octopus_window_update_sync_status (self);
  octopus_array_refresh_async (self->array, OCTOPUS_ARRAY_REFRESH_DEEP, self->cancellable,
                               check_contents_done_cb, g_object_ref (self));
}

/* ---- repair ---- */

static void
repair_done_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(OctopusWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) results =
    octopus_array_repair_finish (OCTOPUS_ARRAY (source), result, &error);

  operation_done (self);
  if (results == NULL)
    {
      _octopus_window_toast_error (self, _("Could not repair"), error);
      return;
    }
  report_results (self, results, "octopus-repair", _("Repair finished"),
                  _("Repair finished: every copy is in sync"));
  gtk_widget_activate_action (GTK_WIDGET (self), "win.refresh", NULL);
}

static void
repair_selected_action (GSimpleAction *action,
                        GVariant      *parameter,
                        gpointer       user_data)
{
  OctopusWindow *self = user_data;
  g_auto(GStrv) keys = selected_keys (self);

  if (self->array == NULL || keys[0] == NULL)
    return;
  operation_started (self);
  octopus_array_repair_async (self->array, (const char * const *) keys, self->cancellable,
                              repair_done_cb, g_object_ref (self));
}

/* ---- delete ---- */

static void
delete_done_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(OctopusWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) results =
    octopus_array_delete_finish (OCTOPUS_ARRAY (source), result, &error);

  operation_done (self);
  if (results == NULL)
    {
      _octopus_window_toast_error (self, _("Could not delete"), error);
      return;
    }
  report_results (self, results, "octopus-delete", _("Delete finished"),
                  _("Deleted from every service"));
  gtk_widget_activate_action (GTK_WIDGET (self), "win.refresh", NULL);
}

/* Deletes the keys a confirmation dialog carries ("keys") once its @confirm response came. */
static void
delete_confirmed (AdwMessageDialog *dialog,
                  const char       *response,
                  const char       *confirm,
                  OctopusWindow    *self)
{
  char **keys = g_object_get_data (G_OBJECT (dialog), "keys");

  if (g_strcmp0 (response, confirm) != 0 || self->array == NULL)
    return;
  operation_started (self);
  octopus_array_delete_async (self->array, (const char * const *) keys, self->cancellable,
                              delete_done_cb, g_object_ref (self));
}

static void
delete_response_cb (AdwMessageDialog *dialog,
                    const char       *response,
                    OctopusWindow    *self)
{
  delete_confirmed (dialog, response, "delete", self);
}

static void
delete_selected_action (GSimpleAction *action,
                        GVariant      *parameter,
                        gpointer       user_data)
{
  OctopusWindow *self = user_data;
  g_auto(GStrv) keys = selected_keys (self);
  guint n_keys = g_strv_length (keys);
  guint n_services;
  g_autofree char *heading = NULL;
  g_autofree char *body = NULL;
  GtkWidget *dialog;

  if (self->array == NULL || n_keys == 0)
    return;
  n_services = octopus_array_get_n_services (self->array);

  if (n_keys == 1)
    heading = g_strdup_printf (_("Delete “%s”?"), keys[0]);
  else
    heading = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Delete %u Object?",
                                            "Delete %u Objects?", n_keys), n_keys);
  body = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                       "Every copy on %u service will be deleted. "
                                       "This cannot be undone.",
                                       "Every copy on %u services will be deleted. "
                                       "This cannot be undone.",
                                       n_services), n_services);

  dialog = adw_message_dialog_new (GTK_WINDOW (self), heading, body);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "delete", _("_Delete"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "delete",
                                              ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_object_set_data_full (G_OBJECT (dialog), "keys", g_steal_pointer (&keys),
                          (GDestroyNotify) g_strfreev);
  g_signal_connect_object (dialog, "response", G_CALLBACK (delete_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* ---- erase all ---- */

static GtkWidget *
destructive_dialog (OctopusWindow *self,
                    const char    *heading,
                    const char    *body,
                    const char    *confirm_label)
{
  GtkWidget *dialog = adw_message_dialog_new (GTK_WINDOW (self), heading, body);

  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"), "confirm", confirm_label, NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "confirm",
                                              ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  return dialog;
}

static void
erase_confirmed_cb (AdwMessageDialog *dialog,
                    const char       *response,
                    OctopusWindow    *self)
{
  delete_confirmed (dialog, response, "confirm", self);
}

/* The deliberate second step: the same numbers again, and a button that says what it does. */
static void
erase_first_step_cb (AdwMessageDialog *first,
                     const char       *response,
                     OctopusWindow    *self)
{
  char **keys = g_object_get_data (G_OBJECT (first), "keys");
  guint n_keys = g_strv_length (keys);
  g_autofree char *heading = NULL;
  GtkWidget *dialog;

  if (g_strcmp0 (response, "confirm") != 0 || self->array == NULL)
    return;
  heading = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Really Erase %u Object?",
                                          "Really Erase %u Objects?", n_keys), n_keys);
  dialog = destructive_dialog (self, heading,
                               _("This is the last step. Nothing can bring them back."),
                               _("_Erase Everything"));
  g_object_set_data_full (G_OBJECT (dialog), "keys", g_strdupv (keys),
                          (GDestroyNotify) g_strfreev);
  g_signal_connect_object (dialog, "response", G_CALLBACK (erase_confirmed_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* Erase all (primary menu): every object the table lists, on every service, after a
 * confirmation that names how many objects on how many services, and a second step. */
static void
erase_all_action (GSimpleAction *action,
                  GVariant      *parameter,
                  gpointer       user_data)
{
  OctopusWindow *self = user_data;
  GListModel *table;
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) keys = NULL;
  g_autofree char *heading = NULL;
  g_autofree char *body = NULL;
  guint n_keys, n_services;
  GtkWidget *dialog;

  if (self->array == NULL)
    return;
  table = G_LIST_MODEL (octopus_array_get_table (self->array));
  n_keys = g_list_model_get_n_items (table);
  if (n_keys == 0)
    {
      octopus_window_toast (self, _("There is nothing to erase"));
      return;
    }
  for (guint i = 0; i < n_keys; i++)
    {
      g_autoptr(OctopusObject) object = g_list_model_get_item (table, i);
      g_strv_builder_add (builder, octopus_object_get_key (object));
    }
  keys = g_strv_builder_end (builder);
  n_services = octopus_array_get_n_services (self->array);

  heading = g_strdup (_("Erase Everything?"));
  /* Translators: "<N objects> on <M services>" */
  body = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                       "%u object will be deleted from every service "
                                       "(%u services).",
                                       "%u objects will be deleted from every service "
                                       "(%u services).", n_keys), n_keys, n_services);
  dialog = destructive_dialog (self, heading, body, _("_Continue…"));
  g_object_set_data_full (G_OBJECT (dialog), "keys", g_steal_pointer (&keys),
                          (GDestroyNotify) g_strfreev);
  g_signal_connect_object (dialog, "response", G_CALLBACK (erase_first_step_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* ---- download ---- */

static void
download_done_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(OctopusWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) results = NULL;
  g_autofree char *path = octopus_array_download_finish (OCTOPUS_ARRAY (source), result,
                                                         &results, &error);
  g_autofree char *message = NULL;

  if (path == NULL)
    {
      _octopus_window_toast_error (self, _("Could not download"), error);
      return;
    }
  message = g_strdup_printf (_("Saved “%s”"), path);
  octopus_window_toast (self, message);
}

static void
download_folder_chosen_cb (GtkNativeDialog *chooser,
                           int              response,
                           OctopusWindow   *self)
{
  g_autoptr(GFile) folder = NULL;
  g_autofree char *directory = NULL;
  char **keys = g_object_get_data (G_OBJECT (chooser), "keys");

  if (response == GTK_RESPONSE_ACCEPT && self->array != NULL)
    {
      folder = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
      directory = folder != NULL ? g_file_get_path (folder) : NULL;
      for (guint i = 0; directory != NULL && keys[i] != NULL; i++)
        octopus_array_download_async (self->array, keys[i], directory, self->cancellable,
                                      download_done_cb, g_object_ref (self));
    }
  g_object_unref (chooser);
}

static void
download_selected_action (GSimpleAction *action,
                          GVariant      *parameter,
                          gpointer       user_data)
{
  OctopusWindow *self = user_data;
  g_autoptr(GPtrArray) objects = _octopus_window_get_selected (self);
  GtkFileChooserNative *chooser;

  if (_octopus_window_refuse_encrypted (self, objects))
    return;
  chooser = gtk_file_chooser_native_new (_("Download to Folder"), GTK_WINDOW (self),
                                         GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER,
                                         _("_Download"), _("_Cancel"));
  g_object_set_data_full (G_OBJECT (chooser), "keys", selected_keys (self),
                          (GDestroyNotify) g_strfreev);
  g_signal_connect_object (chooser, "response", G_CALLBACK (download_folder_chosen_cb), self, 0);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

/* ---- permissions ---- */

static void
edit_acl_action (GSimpleAction *action,
                 GVariant      *parameter,
                 gpointer       user_data)
{
  OctopusWindow *self = user_data;
  g_auto(GStrv) keys = selected_keys (self);
  OctopusAclDialog *dialog;

  if (self->array == NULL || keys[0] == NULL)
    return;
  dialog = octopus_acl_dialog_new (self->array, (const char * const *) keys);
  gtk_window_set_transient_for (GTK_WINDOW (dialog), GTK_WINDOW (self));
  gtk_window_present (GTK_WINDOW (dialog));
}

/* ---- share ---- */

static void
share_selected_action (GSimpleAction *action,
                       GVariant      *parameter,
                       gpointer       user_data)
{
  OctopusWindow *self = user_data;
  g_auto(GStrv) keys = selected_keys (self);
  g_autoptr(GPtrArray) objects = _octopus_window_get_selected (self);

  if (self->array == NULL || keys[0] == NULL || _octopus_window_refuse_encrypted (self, objects))
    return;
  _octopus_window_share (self, keys[0]);
}

/* ---- inspect ---- */

static void
inspect_selected_action (GSimpleAction *action,
                         GVariant      *parameter,
                         gpointer       user_data)
{
  OctopusWindow *self = user_data;
  g_auto(GStrv) keys = selected_keys (self);
  OctopusInspector *inspector;

  if (self->array == NULL || keys[0] == NULL || keys[1] != NULL)
    return;
  inspector = octopus_inspector_new (self->array, keys[0]);
  gtk_window_set_transient_for (GTK_WINDOW (inspector), GTK_WINDOW (self));
  gtk_window_present (GTK_WINDOW (inspector));
}

/* ---- usage ---- */

static void
usage_action (GSimpleAction *action,
              GVariant      *parameter,
              gpointer       user_data)
{
  OctopusWindow *self = user_data;
  OctopusUsageView *view;

  if (self->array == NULL)
    return;
  view = octopus_usage_view_new (self->array);
  gtk_window_set_transient_for (GTK_WINDOW (view), GTK_WINDOW (self));
  gtk_window_present (GTK_WINDOW (view));
}

/* ---- upload ---- */

static void
upload_paths_action (GSimpleAction *action,
                     GVariant      *parameter,
                     gpointer       user_data)
{
  OctopusWindow *self = user_data;
  g_autofree const char **paths = g_variant_get_strv (parameter, NULL);

  octopus_window_add_paths (self, paths);
}

static void
upload_files_chosen_cb (GtkNativeDialog *chooser,
                        int              response,
                        OctopusWindow   *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GListModel) files = gtk_file_chooser_get_files (GTK_FILE_CHOOSER (chooser));
      g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func (g_free);

      for (guint i = 0; i < g_list_model_get_n_items (files); i++)
        {
          g_autoptr(GFile) file = g_list_model_get_item (files, i);
          char *path = g_file_get_path (file);

          if (path != NULL)
            g_ptr_array_add (paths, path);
        }
      g_ptr_array_add (paths, NULL);
      octopus_window_add_paths (self, (const char * const *) paths->pdata);
    }
  g_object_unref (chooser);
}

static void
upload_action (GSimpleAction *action,
               GVariant      *parameter,
               gpointer       user_data)
{
  OctopusWindow *self = user_data;
  GtkFileChooserNative *chooser;

  /* GtkFileChooserNative goes through the file chooser portal inside a sandbox. */
  chooser = gtk_file_chooser_native_new (_("Upload Files"), GTK_WINDOW (self),
                                         GTK_FILE_CHOOSER_ACTION_OPEN,
                                         _("_Upload"), _("_Cancel"));
  gtk_file_chooser_set_select_multiple (GTK_FILE_CHOOSER (chooser), TRUE);
  g_signal_connect_object (chooser, "response", G_CALLBACK (upload_files_chosen_cb), self, 0);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

static void
cancel_all_action (GSimpleAction *action,
                   GVariant      *parameter,
                   gpointer       user_data)
{
  OctopusWindow *self = user_data;

  if (self->queue != NULL)
    octopus_upload_queue_cancel_all (self->queue);
}

/* ---- search and selection ---- */

static void
search_action (GSimpleAction *action,
               GVariant      *parameter,
               gpointer       user_data)
{
  OctopusWindow *self = user_data;

  gtk_toggle_button_set_active (self->search_button,
                                !gtk_toggle_button_get_active (self->search_button));
}

static void
select_key_action (GSimpleAction *action,
                   GVariant      *parameter,
                   gpointer       user_data)
{
  OctopusWindow *self = user_data;

  _octopus_window_select_key (self, g_variant_get_string (parameter, NULL));
}

/* "sync-status" is read-only: requests to change it from outside are ignored. */
static void
ignore_change_state (GSimpleAction *action,
                     GVariant      *value,
                     gpointer       user_data)
{
}

static const GActionEntry win_actions[] = {
  { .name = "refresh", .activate = refresh_action },
  { .name = "upload", .activate = upload_action },
  { .name = "upload-paths", .activate = upload_paths_action, .parameter_type = "as" },
  { .name = "repair-selected", .activate = repair_selected_action },
  { .name = "delete-selected", .activate = delete_selected_action },
  { .name = "download-selected", .activate = download_selected_action },
  { .name = "edit-acl", .activate = edit_acl_action },
  { .name = "share-selected", .activate = share_selected_action },
  { .name = "inspect-selected", .activate = inspect_selected_action },
  { .name = "erase-all", .activate = erase_all_action },
  { .name = "check-contents", .activate = check_contents_action },
  { .name = "usage", .activate = usage_action },
  { .name = "cancel-all-transfers", .activate = cancel_all_action },
  { .name = "search", .activate = search_action },
  { .name = "select-key", .activate = select_key_action, .parameter_type = "s" },
  { .name = "sync-status", .state = "(true, @a{sa{ss}} {})", .change_state = ignore_change_state },
};

void
_octopus_window_actions_init (OctopusWindow *self)
{
  g_autoptr(GAction) only_problems = g_settings_create_action (self->settings, "only-problems");
  /* Also a window action so the preference can be flipped over D-Bus (the GUI test does). */
  g_autoptr(GAction) repair_automatically = g_settings_create_action (self->settings,
                                                                       "repair-automatically");

  g_action_map_add_action_entries (G_ACTION_MAP (self), win_actions, G_N_ELEMENTS (win_actions),
                                   self);
  g_action_map_add_action (G_ACTION_MAP (self), only_problems);
  g_action_map_add_action (G_ACTION_MAP (self), repair_automatically);
  _octopus_window_actions_update (self);
}
