/* SPDX-License-Identifier: GPL-3.0-or-later */
/* octopus-preferences-array.c — the preferences' Redundancy and Encryption groups: the array
 * settings (octopus-array-settings.h) in the same accounts.ini as the services, so the window
 * and octopus-cli show and change one thing.  They are read when the window opens.
 *
 * Redundancy offers mirroring and only the erasure codes K+M that fit the services there are;
 * a choice is written at once.  Encryption opens OctopusPassphraseDialog to turn it on, turns
 * it off at once (the passphrase stays in the keyring for the files already encrypted), and
 * shows the passphrase once on request, read from the keyring. */
#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>

#include "octopus-passphrase-dialog.h"
#include "octopus-preferences-window-private.h"
#include "octopus-secret.h"

typedef struct {
  guint k, m;   /* 0, 0: mirror */
} RedundancyChoice;

static void refresh_encryption (OctopusPreferencesWindow *self);

/* Keyring answers come back to the window only while it exists: a pending one must not keep
 * a closed window alive (it holds a weak reference, not a strong one). */
static GWeakRef *
weak_self (OctopusPreferencesWindow *self)
{
  GWeakRef *ref = g_new0 (GWeakRef, 1);

  g_weak_ref_init (ref, self);
  return ref;
}

static OctopusPreferencesWindow *
strong_self (gpointer user_data)
{
  GWeakRef *ref = user_data;
  OctopusPreferencesWindow *self = g_weak_ref_get (ref);

  g_weak_ref_clear (ref);
  g_free (ref);
  if (self != NULL && self->array_settings == NULL)   /* closed, not finalized yet */
    g_clear_object (&self);
  return self;
}

static void
toast (OctopusPreferencesWindow *self,
       const char               *message)
{
  adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (self), adw_toast_new (message));
}

static guint
count_services (OctopusPreferencesWindow *self)
{
  return self->accounts != NULL ? g_list_model_get_n_items (G_LIST_MODEL (self->accounts)) : 0;
}

/* ---- redundancy ---- */

static char *
choice_label (const RedundancyChoice *choice,
              guint                   n_services)
{
  if (choice->k == 0)
    return g_strdup (_("Mirror on every service"));
  if (choice->k + choice->m != n_services)
    return g_strdup_printf (_("Erasure coding %u+%u: does not fit the %u services; choose again"),
                            choice->k, choice->m, n_services);
  /* Translators: %.3g is the stored factor, e.g. 1.5 for 2+1 (the data times 1.5). */
  return g_strdup_printf (_("Erasure coding %u+%u: survives the loss of %u of %u services, "
                            "stores %.3g×"),
                          choice->k, choice->m, choice->m, n_services,
                          (double) (choice->k + choice->m) / choice->k);
}

/* Mirror, then every K+M that fits the services (fewest parity fragments first), and the
 * stored choice when it no longer fits (so that the row does not pretend otherwise). */
static void
rebuild_redundancy (OctopusPreferencesWindow *self)
{
  g_autoptr(GtkStringList) labels = gtk_string_list_new (NULL);
  guint n = count_services (self);
  RedundancyChoice stored = { 0, 0 };
  guint selected = 0;

  g_array_set_size (self->redundancy_choices, 0);
  g_array_append_val (self->redundancy_choices, stored);
  for (guint m = 1; n >= 2 && n <= OCTOPUS_ERASURE_MAX_SERVICES && m < n; m++)
    {
      RedundancyChoice choice = { n - m, m };
      g_array_append_val (self->redundancy_choices, choice);
    }
  if (self->array_settings != NULL)
    {
      stored.k = octopus_array_settings_get_k (self->array_settings);
      stored.m = octopus_array_settings_get_m (self->array_settings);
    }
  if (stored.k != 0 && stored.k + stored.m != n)
    g_array_append_val (self->redundancy_choices, stored);

  for (guint i = 0; i < self->redundancy_choices->len; i++)
    {
      const RedundancyChoice *choice = &g_array_index (self->redundancy_choices,
                                                       RedundancyChoice, i);
      g_autofree char *label = choice_label (choice, n);

      gtk_string_list_append (labels, label);
      if (choice->k == stored.k && choice->m == stored.m)
        selected = i;
    }
  self->updating_array = TRUE;
  adw_combo_row_set_model (self->redundancy_row, G_LIST_MODEL (labels));
  adw_combo_row_set_selected (self->redundancy_row, selected);
  self->updating_array = FALSE;
}

static gboolean
rebuild_redundancy_idle (gpointer user_data)
{
  OctopusPreferencesWindow *self = user_data;

  self->redundancy_idle = 0;
  rebuild_redundancy (self);
  return G_SOURCE_REMOVE;
}

/* Writes the chosen redundancy at once.  The row is only rebuilt (to show what the file says)
 * when that failed, and from an idle: replacing the model from inside its own selection
 * notification makes the combo row select again. */
static void
redundancy_selected_cb (OctopusPreferencesWindow *self)
{
  guint index = adw_combo_row_get_selected (self->redundancy_row);
  const RedundancyChoice *choice;
  g_autoptr(GError) error = NULL;

  if (self->updating_array || self->array_settings == NULL
      || index >= self->redundancy_choices->len)
    return;
  choice = &g_array_index (self->redundancy_choices, RedundancyChoice, index);
  if (choice->k == 0)
    octopus_array_settings_set_mirror (self->array_settings);
  else if (!octopus_array_settings_set_erasure (self->array_settings, choice->k, choice->m,
                                                count_services (self), &error))
    toast (self, error->message);
  if (error == NULL && !octopus_array_settings_save (self->array_settings, &error))
    {
      toast (self, error->message);
      octopus_array_settings_load (self->array_settings, NULL);
    }
  if (error != NULL && self->redundancy_idle == 0)
    self->redundancy_idle = g_idle_add (rebuild_redundancy_idle, self);
}

/* ---- encryption ---- */

static void
keyring_queried_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(OctopusPreferencesWindow) self = strong_self (user_data);
  g_autoptr(GError) error = NULL;
  gboolean has_passphrase = FALSE;

  if (self == NULL)
    {
      octopus_array_settings_query_keyring_finish (OCTOPUS_ARRAY_SETTINGS (source), result,
                                                   NULL, NULL, NULL);
      return;
    }
  if (!octopus_array_settings_query_keyring_finish (OCTOPUS_ARRAY_SETTINGS (source), result,
                                                    &has_passphrase, NULL, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      adw_action_row_set_subtitle (self->passphrase_row, error->message);
      return;
    }
  adw_action_row_set_subtitle (self->passphrase_row,
                               has_passphrase ? _("In the keyring") : _("Not in the keyring"));
  gtk_widget_set_sensitive (GTK_WIDGET (self->show_passphrase_button), has_passphrase);
}

static void
refresh_encryption (OctopusPreferencesWindow *self)
{
  gboolean on = octopus_array_settings_get_encryption (self->array_settings)
                == OCTOPUS_ENCRYPTION_RCLONE_CRYPT;
  gboolean names = octopus_array_settings_get_filename_encryption (self->array_settings)
                   == OCTOPUS_FILENAME_ENCRYPTION_STANDARD;

  self->updating_array = TRUE;
  gtk_switch_set_active (self->encryption_switch, on);
  self->updating_array = FALSE;
  adw_action_row_set_subtitle (self->encryption_row,
                               !on ? _("Off: new uploads are not encrypted")
                               : names ? _("On: rclone crypt, file names encrypted")
                                       : _("On: rclone crypt, file names not encrypted"));
  gtk_widget_set_sensitive (GTK_WIDGET (self->show_passphrase_button), FALSE);
  octopus_array_settings_query_keyring_async (self->array_settings, self->cancellable,
                                              keyring_queried_cb, weak_self (self));
}

static void
encryption_enabled_cb (OctopusPreferencesWindow *self)
{
  refresh_encryption (self);
  toast (self, _("New uploads are encrypted. Keep your passphrase safe."));
}

/* The switch goes back off until the dialog stored the passphrase.  From an idle: turning a
 * GtkSwitch back from inside its own change makes it toggle once more. */
static gboolean
open_passphrase_dialog_idle (gpointer user_data)
{
  OctopusPreferencesWindow *self = user_data;
  OctopusPassphraseDialog *dialog;

  self->encryption_idle = 0;
  self->updating_array = TRUE;
  gtk_switch_set_active (self->encryption_switch, FALSE);
  self->updating_array = FALSE;
  dialog = octopus_passphrase_dialog_new (GTK_WINDOW (self), self->array_settings);
  g_signal_connect_object (dialog, "enabled", G_CALLBACK (encryption_enabled_cb), self,
                           G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (dialog));
  return G_SOURCE_REMOVE;
}

static void
encryption_switched_cb (OctopusPreferencesWindow *self)
{
  g_autoptr(GError) error = NULL;

  if (self->updating_array || self->array_settings == NULL)
    return;
  if (gtk_switch_get_active (self->encryption_switch))
    {
      if (self->encryption_idle == 0)
        self->encryption_idle = g_idle_add (open_passphrase_dialog_idle, self);
      return;
    }
  if (self->encryption_idle != 0)   /* on and off again before the dialog opened */
    {
      g_clear_handle_id (&self->encryption_idle, g_source_remove);
      return;
    }
  if (!octopus_array_settings_disable_encryption (self->array_settings, &error))
    toast (self, error->message);
  else
    toast (self, _("New uploads are not encrypted. The passphrase stays in the keyring: "
                   "files already encrypted need it."));
  refresh_encryption (self);
}

static void
passphrase_dialog_response_cb (AdwMessageDialog *dialog,
                               const char       *response,
                               GtkLabel         *label)
{
  /* Shown once: the text leaves the label as the dialog closes. */
  gtk_label_set_text (label, "");
}

static void
show_passphrases (OctopusPreferencesWindow      *self,
                  const OctopusArrayPassphrases *found)
{
  g_autofree char *text = NULL;
  GtkWidget *dialog, *label;

  text = found->salt != NULL
         ? g_strdup_printf (_("%s\nSecond passphrase: %s"), found->passphrase, found->salt)
         : g_strdup (found->passphrase);
  label = gtk_label_new (text);
  explicit_bzero (text, strlen (text));
  gtk_label_set_selectable (GTK_LABEL (label), TRUE);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_widget_add_css_class (label, "monospace");
  gtk_accessible_update_property (GTK_ACCESSIBLE (label), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Passphrase"), -1);
  dialog = adw_message_dialog_new (GTK_WINDOW (self), _("Write Down Your Passphrase"),
                                   _("Keep it somewhere safe, away from this computer. If you "
                                     "lose this passphrase, your encrypted files cannot be "
                                     "recovered by anyone."));
  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), label);
  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Close"));
  g_signal_connect (dialog, "response", G_CALLBACK (passphrase_dialog_response_cb), label);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
passphrases_found_cb (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(OctopusPreferencesWindow) self = strong_self (user_data);
  g_autoptr(OctopusArrayPassphrases) found = NULL;
  g_autoptr(GError) error = NULL;

  found = octopus_array_settings_lookup_passphrases_finish (OCTOPUS_ARRAY_SETTINGS (source),
                                                            result, &error);
  if (self == NULL)
    return;
  if (found == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        toast (self, error->message);
      return;
    }
  show_passphrases (self, found);
}

static void
show_passphrase_clicked_cb (OctopusPreferencesWindow *self)
{
  if (self->array_settings == NULL)
    return;
  octopus_array_settings_lookup_passphrases_async (self->array_settings, self->cancellable,
                                                   passphrases_found_cb, weak_self (self));
}

/* ---- the window's hooks ---- */

void
octopus_preferences_array_bind_template (GtkWidgetClass *widget_class)
{
#define BIND(name) \
  gtk_widget_class_bind_template_child (widget_class, OctopusPreferencesWindow, name)
  BIND (redundancy_row);
  BIND (encryption_switch);
  BIND (encryption_row);
  BIND (passphrase_row);
  BIND (show_passphrase_button);
#undef BIND
}

void
octopus_preferences_array_init (OctopusPreferencesWindow *self)
{
  self->redundancy_choices = g_array_new (FALSE, TRUE, sizeof (RedundancyChoice));
  g_signal_connect_swapped (self->redundancy_row, "notify::selected",
                            G_CALLBACK (redundancy_selected_cb), self);
  g_signal_connect_swapped (self->encryption_switch, "notify::active",
                            G_CALLBACK (encryption_switched_cb), self);
  g_signal_connect_swapped (self->show_passphrase_button, "clicked",
                            G_CALLBACK (show_passphrase_clicked_cb), self);
  /* Without an account store (widget tests) there is no file to keep settings in. */
  gtk_widget_set_sensitive (GTK_WIDGET (self->redundancy_row), FALSE);
  gtk_widget_set_sensitive (GTK_WIDGET (self->encryption_row), FALSE);
  gtk_widget_set_sensitive (GTK_WIDGET (self->passphrase_row), FALSE);
}

void
octopus_preferences_array_load (OctopusPreferencesWindow *self)
{
  g_autoptr(GError) error = NULL;

  if (self->accounts == NULL)
    return;
  self->array_settings =
    octopus_array_settings_new (octopus_account_store_get_path (self->accounts));
  /* A value that cannot be read is said; the rows show the defaults until a choice is made. */
  if (!octopus_array_settings_load (self->array_settings, &error))
    toast (self, error->message);
  g_signal_connect_object (self->accounts, "items-changed", G_CALLBACK (rebuild_redundancy),
                           self, G_CONNECT_SWAPPED);
  gtk_widget_set_sensitive (GTK_WIDGET (self->redundancy_row), TRUE);
  gtk_widget_set_sensitive (GTK_WIDGET (self->encryption_row), TRUE);
  gtk_widget_set_sensitive (GTK_WIDGET (self->passphrase_row), TRUE);
  rebuild_redundancy (self);
  refresh_encryption (self);
}

void
octopus_preferences_array_dispose (OctopusPreferencesWindow *self)
{
  if (self->redundancy_row != NULL)
    g_signal_handlers_disconnect_by_func (self->redundancy_row, redundancy_selected_cb, self);
  if (self->encryption_switch != NULL)
    g_signal_handlers_disconnect_by_func (self->encryption_switch, encryption_switched_cb, self);
  g_clear_handle_id (&self->redundancy_idle, g_source_remove);
  g_clear_handle_id (&self->encryption_idle, g_source_remove);
  g_clear_object (&self->array_settings);
  g_clear_pointer (&self->redundancy_choices, g_array_unref);
}
