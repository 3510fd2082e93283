/* SPDX-License-Identifier: GPL-3.0-or-later */
/* octopus-preferences-window.c — accounts and transfer settings.
 *
 * The secret access key is typed into a password row, handed to the engine (which puts it in
 * the keyring once the service connected) and cleared from the row; it is never read back or
 * shown again.  Adding and editing say their errors on the form; other engine errors become a
 * toast in this window.
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "octopus-account-connect.h"
#include "octopus-preferences-window-private.h"

G_DEFINE_FINAL_TYPE (OctopusPreferencesWindow, octopus_preferences_window,
                     ADW_TYPE_PREFERENCES_WINDOW)

static void
toast (OctopusPreferencesWindow *self,
       const char               *message)
{
  adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (self), adw_toast_new (message));
}

static void
toast_error (OctopusPreferencesWindow *self,
             const char               *what,
             const GError             *error)
{
  g_autofree char *message = NULL;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  message = g_strdup_printf (_("%s: %s"), what, error->message);
  toast (self, message);
}

/* The form says what went wrong, in words, and stays open. */
static void
show_form_error (OctopusPreferencesWindow *self,
                 const char               *message)
{
  gtk_label_set_text (self->form_error_label, message);
  gtk_widget_set_visible (GTK_WIDGET (self->form_error_label), message != NULL);
}

/* While a service being added or edited connects: a spinner, Save insensitive; Back
 * cancels. */
static void
set_connecting (OctopusPreferencesWindow *self,
                gboolean                  connecting)
{
  gtk_widget_set_visible (GTK_WIDGET (self->save_spinner), connecting);
  gtk_spinner_set_spinning (self->save_spinner, connecting);
  gtk_widget_set_sensitive (GTK_WIDGET (self->save_button), !connecting);
}

static const char *
entry_text (gpointer row)
{
  return gtk_editable_get_text (GTK_EDITABLE (row));
}

static void
clear_secret (OctopusPreferencesWindow *self)
{
  /* Overwrite before clearing so the text buffer does not keep the key around. */
  gtk_editable_set_text (GTK_EDITABLE (self->secret_row), "");
}

/* ---- the account form (a subpage) ---- */

static const OctopusProvider *
selected_provider (OctopusPreferencesWindow *self)
{
  guint n = 0;
  const OctopusProvider *all = octopus_provider_get_all (&n);
  guint index = adw_combo_row_get_selected (self->provider_row);

  return index < n ? &all[index] : octopus_provider_lookup (OCTOPUS_PROVIDER_CUSTOM);
}

/* Replaces @row's text with @value when the user has not changed what the preset put there
 * (@last: the preset's previous value, updated). */
static void
fill_from_preset (AdwEntryRow  *row,
                  char        **last,
                  const char   *value)
{
  const char *now = entry_text (row);

  if (now[0] != '\0' && g_strcmp0 (now, *last) != 0)
    return;
  gtk_editable_set_text (GTK_EDITABLE (row), value != NULL ? value : "");
  g_free (*last);
  *last = g_strdup (value != NULL ? value : "");
}

/* A new service: the chosen provider's preset fills the endpoint (when it has a fixed one),
 * the region and the addressing style, and the form shows them.  Editing keeps the account's. */
static void
apply_provider_preset (OctopusPreferencesWindow *self)
{
  const OctopusProvider *provider = selected_provider (self);
  g_autofree char *endpoint = NULL;

  if (self->editing != NULL)
    return;
  fill_from_preset (self->region_row, &self->preset_region, provider->default_region);
  endpoint = octopus_provider_expand_endpoint (provider, entry_text (self->region_row), NULL);
  fill_from_preset (self->endpoint_row, &self->preset_endpoint, endpoint);
  gtk_switch_set_active (self->path_style_switch, provider->path_style);
}

static void
show_account_form (OctopusPreferencesWindow *self,
                   OctopusAccount           *account)
{
  guint n = 0;
  const OctopusProvider *all = octopus_provider_get_all (&n);

  g_set_object (&self->editing, account);
  show_form_error (self, NULL);
  adw_window_title_set_title (self->account_title,
                              account != NULL ? _("Edit Service") : _("Add a Service"));
  gtk_editable_set_text (GTK_EDITABLE (self->name_row),
                         account ? octopus_account_get_name (account) : "");
  /* The provider only fills in presets, which an edit does not apply. */
  gtk_widget_set_sensitive (GTK_WIDGET (self->provider_row), account == NULL);
  gtk_editable_set_text (GTK_EDITABLE (self->endpoint_row),
                         account ? octopus_account_get_endpoint (account) : "");
  gtk_editable_set_text (GTK_EDITABLE (self->region_row),
                         account && octopus_account_get_region (account)
                         ? octopus_account_get_region (account) : "");
  gtk_editable_set_text (GTK_EDITABLE (self->bucket_row),
                         account && octopus_account_get_bucket (account)
                         ? octopus_account_get_bucket (account) : "");
  gtk_editable_set_text (GTK_EDITABLE (self->access_key_row),
                         account && octopus_account_get_access_key (account)
                         ? octopus_account_get_access_key (account) : "");
  clear_secret (self);
  /* Editing: an empty secret keeps the stored one (which is never shown). */
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->secret_row),
                                 account != NULL ? _("New Secret Access Key (empty: keep)")
                                                 : _("Secret Access Key"));
  gtk_switch_set_active (self->path_style_switch,
                         account ? octopus_account_get_path_style (account) : FALSE);
  gtk_switch_set_active (self->allow_http_switch,
                         account ? octopus_account_get_allow_http (account) : FALSE);

  g_clear_pointer (&self->preset_endpoint, g_free);
  g_clear_pointer (&self->preset_region, g_free);
  adw_combo_row_set_selected (self->provider_row, 0);
  for (guint i = 0; account != NULL && i < n; i++)
    if (g_strcmp0 (all[i].id, octopus_account_get_provider_id (account)) == 0)
      adw_combo_row_set_selected (self->provider_row, i);
  apply_provider_preset (self);

  adw_preferences_window_present_subpage (ADW_PREFERENCES_WINDOW (self), self->account_page);
  gtk_widget_grab_focus (GTK_WIDGET (account != NULL ? self->access_key_row : self->name_row));
}

/* "Could not add/save the service: why", on the form, which stays open. */
static void
show_form_failure (OctopusPreferencesWindow *self,
                   const GError             *error)
{
  const char *failed = self->editing != NULL ? _("Could not save the service")
                                             : _("Could not add the service");
  g_autofree char *message = g_strdup_printf (_("%s: %s"), failed, error->message);

  show_form_error (self, message);
}

/* The end of an add or an edit: the form closes, or says on itself what went wrong. */
static void
finish_change (OctopusPreferencesWindow *self,
               GAsyncResult             *result,
               const GError             *error,
               const char               *done)
{
  /* Cancelled by Back (the form may have been opened again since) or by closing the window:
   * the form is no longer this change's. */
  if (g_task_get_cancellable (G_TASK (result)) != self->connecting)
    return;
  g_clear_object (&self->connecting);
  set_connecting (self, FALSE);
  if (error != NULL)
    {
      show_form_failure (self, error);
      return;
    }
  g_clear_object (&self->editing);
  adw_preferences_window_close_subpage (ADW_PREFERENCES_WINDOW (self));
  toast (self, done);
}

static void
account_added_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(OctopusPreferencesWindow) self = user_data;
  g_autoptr(GError) error = NULL;

  octopus_account_add_finish (OCTOPUS_ACCOUNT (source), result, &error);
  finish_change (self, result, error, _("Service added"));
}

static void
account_updated_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(OctopusPreferencesWindow) self = user_data;
  g_autoptr(GError) error = NULL;

  octopus_account_update_finish (OCTOPUS_ACCOUNT (source), result, &error);
  finish_change (self, result, error, _("Service saved"));
}

/* A new account object from the form: for an added service, and for an edited one, which
 * replaces the old object only when it is stored. */
static OctopusAccount *
account_from_form (OctopusPreferencesWindow *self)
{
  const char *region = entry_text (self->region_row);
  const char *provider_id = self->editing != NULL
                            ? octopus_account_get_provider_id (self->editing)
                            : selected_provider (self)->id;
  OctopusAccount *account = octopus_account_new (entry_text (self->name_row), provider_id,
                                                 entry_text (self->endpoint_row));

  /* An empty region: the preset's for a new service, none for an edited one (as it was). */
  if (region[0] != '\0' || self->editing != NULL)
    octopus_account_set_region (account, region[0] != '\0' ? region : NULL);
  octopus_account_set_bucket_or_new (account, entry_text (self->bucket_row));
  octopus_account_set_access_key (account, entry_text (self->access_key_row));
  octopus_account_set_path_style (account, gtk_switch_get_active (self->path_style_switch));
  octopus_account_set_allow_http (account, gtk_switch_get_active (self->allow_http_switch));
  return account;
}

/* Checks what can be checked without the network; says on the form what is wrong. */
static gboolean
check_form (OctopusPreferencesWindow *self,
            OctopusAccount           *account)
{
  g_autoptr(GError) error = NULL;
  OctopusAccount *holder = octopus_account_store_lookup (self->accounts,
                                                         octopus_account_get_name (account));

  if (!octopus_account_validate (account, &error))
    {
      show_form_failure (self, error);
      return FALSE;
    }
  if (holder != NULL && holder != self->editing)
    {
      g_set_error (&error, OCTOPUS_ACCOUNT_ERROR, OCTOPUS_ACCOUNT_ERROR_DUPLICATE_NAME,
                   _("There is already an account named “%s”"),
                   octopus_account_get_name (account));
      show_form_failure (self, error);
      return FALSE;
    }
  if (self->editing == NULL && entry_text (self->secret_row)[0] == '\0')
    {
      show_form_error (self, _("Enter the secret access key"));
      return FALSE;
    }
  return TRUE;
}

static void
save_clicked_cb (OctopusPreferencesWindow *self)
{
  g_autoptr(OctopusAccount) account = NULL;
  const char *secret = entry_text (self->secret_row);

  if (self->accounts == NULL)
    return;
  account = account_from_form (self);
  if (!check_form (self, account))
    return;

  /* The same engine calls as `octopus-cli account add`: nothing is saved unless it connects
   * (an edit connects when it changes where or as whom it connects). */
  show_form_error (self, NULL);
  set_connecting (self, TRUE);
  g_clear_object (&self->connecting);
  self->connecting = g_cancellable_new ();
  if (self->editing != NULL)
    octopus_account_update_async (self->accounts, self->editing, account,
                                  secret[0] != '\0' ? secret : NULL, self->connecting,
                                  account_updated_cb, g_object_ref (self));
  else
    octopus_account_add_async (self->accounts, account, secret, self->connecting,
                               account_added_cb, g_object_ref (self));
  clear_secret (self);
}

/* ---- the accounts list ---- */

static void
tested_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(OctopusPreferencesWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;

  if (!octopus_account_connect_check_finish (OCTOPUS_ACCOUNT (source), result, &error))
    {
      toast_error (self, octopus_account_get_name (OCTOPUS_ACCOUNT (source)), error);
      return;
    }
  message = g_strdup_printf (_("%s works"), octopus_account_get_name (OCTOPUS_ACCOUNT (source)));
  toast (self, message);
}

static void
test_clicked_cb (GtkButton                *button,
                 OctopusPreferencesWindow *self)
{
  OctopusAccount *account = g_object_get_data (G_OBJECT (button), "account");

  /* As `octopus-cli account test` does: credentials, bucket, region and ACL support. */
  octopus_account_connect_async (account, NULL, OCTOPUS_ACCOUNT_CONNECT_PROBE_ACL,
                                 self->cancellable, tested_cb, g_object_ref (self));
}

static void
removed_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(OctopusPreferencesWindow) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!octopus_account_store_remove_finish (OCTOPUS_ACCOUNT_STORE (source), result, &error))
    toast_error (self, _("Could not remove the service"), error);
}

static void
remove_response_cb (AdwMessageDialog         *dialog,
                    const char               *response,
                    OctopusPreferencesWindow *self)
{
  const char *name = g_object_get_data (G_OBJECT (dialog), "account-name");

  if (g_strcmp0 (response, "remove") != 0 || self->accounts == NULL)
    return;
  /* Only the account goes: the objects on the service stay where they are. */
  octopus_account_store_remove_async (self->accounts, name, self->cancellable, removed_cb,
                                      g_object_ref (self));
}

/* Removing asks first, and says what stays: the objects on the service. */
static void
remove_clicked_cb (GtkButton                *button,
                   OctopusPreferencesWindow *self)
{
  OctopusAccount *account = g_object_get_data (G_OBJECT (button), "account");
  const char *name = octopus_account_get_name (account);
  g_autofree char *heading = g_strdup_printf (_("Remove “%s”?"), name);
  GtkWidget *dialog;

  dialog = adw_message_dialog_new (GTK_WINDOW (self), heading,
                                   _("Octopus forgets this service and its secret key. The "
                                     "objects on it stay where they are."));
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"), "remove", _("_Remove"), NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "remove",
                                              ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_object_set_data_full (G_OBJECT (dialog), "account-name", g_strdup (name), g_free);
  g_signal_connect_object (dialog, "response", G_CALLBACK (remove_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
edit_activated_cb (AdwActionRow             *row,
                   OctopusPreferencesWindow *self)
{
  show_account_form (self, g_object_get_data (G_OBJECT (row), "account"));
}

static GtkWidget *
icon_button (const char *icon_name,
             const char *tooltip,
             gpointer    account)
{
  GtkWidget *button = gtk_button_new_from_icon_name (icon_name);

  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (button, "flat");
  gtk_widget_set_tooltip_text (button, tooltip);
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, tooltip,
                                  -1);
  g_object_set_data_full (G_OBJECT (button), "account", g_object_ref (account), g_object_unref);
  return button;
}

static GtkWidget *
create_account_row (gpointer item,
                    gpointer user_data)
{
  OctopusPreferencesWindow *self = user_data;
  OctopusAccount *account = item;
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *test, *remove;
  g_autofree char *subtitle = NULL;
  g_autofree char *test_label = g_strdup_printf (_("Test %s"), octopus_account_get_name (account));
  g_autofree char *remove_label =
    g_strdup_printf (_("Remove %s"), octopus_account_get_name (account));

  subtitle = g_strdup_printf ("%s · %s", octopus_account_get_endpoint (account),
                              octopus_account_get_bucket (account)
                              ? octopus_account_get_bucket (account) : "");
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), octopus_account_get_name (account));
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
  g_object_set_data_full (G_OBJECT (row), "account", g_object_ref (account), g_object_unref);
  g_signal_connect (row, "activated", G_CALLBACK (edit_activated_cb), self);

  test = icon_button ("network-transmit-receive-symbolic", test_label, account);
  g_signal_connect (test, "clicked", G_CALLBACK (test_clicked_cb), self);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), test);

  remove = icon_button ("user-trash-symbolic", remove_label, account);
  g_signal_connect (remove, "clicked", G_CALLBACK (remove_clicked_cb), self);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), remove);
  return row;
}

/* ---- GObject ---- */

OctopusPreferencesWindow *
octopus_preferences_window_new (OctopusAccountStore *accounts)
{
  OctopusPreferencesWindow *self = g_object_new (OCTOPUS_TYPE_PREFERENCES_WINDOW, NULL);

  if (g_set_object (&self->accounts, accounts))
    gtk_list_box_bind_model (self->accounts_list, G_LIST_MODEL (accounts),
                             create_account_row, self, NULL);
  gtk_widget_set_sensitive (GTK_WIDGET (self->add_button), accounts != NULL);
  octopus_preferences_array_load (self);
  return self;
}

static void
octopus_preferences_window_dispose (GObject *object)
{
  OctopusPreferencesWindow *self = OCTOPUS_PREFERENCES_WINDOW (object);

  g_cancellable_cancel (self->cancellable);
  if (self->connecting != NULL)
    g_cancellable_cancel (self->connecting);
  g_clear_object (&self->connecting);
  if (self->accounts_list != NULL)
    gtk_list_box_bind_model (self->accounts_list, NULL, NULL, NULL, NULL);
  if (self->provider_row != NULL)
    g_signal_handlers_disconnect_by_func (self->provider_row, apply_provider_preset, self);
  octopus_preferences_array_dispose (self);
  gtk_widget_dispose_template (GTK_WIDGET (self), OCTOPUS_TYPE_PREFERENCES_WINDOW);
  g_clear_object (&self->editing);
  g_clear_pointer (&self->preset_endpoint, g_free);
  g_clear_pointer (&self->preset_region, g_free);
  g_clear_object (&self->accounts);
  g_clear_object (&self->settings);
  g_clear_object (&self->cancellable);
  G_OBJECT_CLASS (octopus_preferences_window_parent_class)->dispose (object);
}

static void
octopus_preferences_window_class_init (OctopusPreferencesWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = octopus_preferences_window_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
    "/io/github/octopus_rais/Octopus/octopus-preferences-window.ui");
#define BIND(name) \
  gtk_widget_class_bind_template_child (widget_class, OctopusPreferencesWindow, name)
  BIND (add_button);
  BIND (accounts_list);
  BIND (repair_switch);
  BIND (parallel_spin);
  BIND (part_size_spin);
  BIND (upload_limit_spin);
  BIND (download_limit_spin);
  BIND (account_page);
  BIND (back_button);
  BIND (account_title);
  BIND (save_button);
  BIND (save_spinner);
  BIND (form_error_label);
  BIND (name_row);
  BIND (provider_row);
  BIND (endpoint_row);
  BIND (region_row);
  BIND (bucket_row);
  BIND (access_key_row);
  BIND (secret_row);
  BIND (path_style_switch);
  BIND (allow_http_switch);
#undef BIND
  octopus_preferences_array_bind_template (widget_class);
}

static void
add_clicked_cb (OctopusPreferencesWindow *self)
{
  show_account_form (self, NULL);
}

static void
close_subpage (OctopusPreferencesWindow *self)
{
  if (self->connecting != NULL)
    g_cancellable_cancel (self->connecting);
  g_clear_object (&self->connecting);
  set_connecting (self, FALSE);
  show_form_error (self, NULL);
  clear_secret (self);
  adw_preferences_window_close_subpage (ADW_PREFERENCES_WINDOW (self));
}

static void
octopus_preferences_window_init (OctopusPreferencesWindow *self)
{
  g_autoptr(GtkStringList) providers = gtk_string_list_new (NULL);
  const OctopusProvider *all;
  guint n = 0;

  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();
  self->settings = g_settings_new (APP_ID);

  g_settings_bind (self->settings, "repair-automatically", self->repair_switch, "active",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "parallel-transfers", self->parallel_spin, "value",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "part-size-mib", self->part_size_spin, "value",
                   G_SETTINGS_BIND_DEFAULT);
  /* The application applies these to every transfer at once (octopus-application.c). */
  g_settings_bind (self->settings, "upload-limit-mib", self->upload_limit_spin, "value",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "download-limit-mib", self->download_limit_spin, "value",
                   G_SETTINGS_BIND_DEFAULT);

  all = octopus_provider_get_all (&n);
  for (guint i = 0; i < n; i++)
    gtk_string_list_append (providers, octopus_provider_get_display_name (&all[i]));
  adw_combo_row_set_model (self->provider_row, G_LIST_MODEL (providers));

  g_signal_connect_swapped (self->provider_row, "notify::selected",
                            G_CALLBACK (apply_provider_preset), self);
  g_signal_connect_swapped (self->add_button, "clicked", G_CALLBACK (add_clicked_cb), self);
  g_signal_connect_swapped (self->back_button, "clicked", G_CALLBACK (close_subpage), self);
  g_signal_connect_swapped (self->save_button, "clicked", G_CALLBACK (save_clicked_cb), self);
  gtk_widget_set_sensitive (GTK_WIDGET (self->add_button), FALSE);
  octopus_preferences_array_init (self);
}

void
octopus_preferences_window_show_add_service (OctopusPreferencesWindow *self)
{
  g_return_if_fail (OCTOPUS_IS_PREFERENCES_WINDOW (self));

  if (self->accounts != NULL)
    show_account_form (self, NULL);
}
