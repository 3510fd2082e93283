/* SPDX-License-Identifier: GPL-3.0-or-later */
/* octopus-passphrase-dialog.c — the passphrase twice, the optional second one, file names.
 *
 * The rows are emptied whenever the dialog is done with them (stored, cancelled, closed), so
 * no copy of a passphrase stays in a widget; the copies handed to the engine are wiped. */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "octopus-passphrase-dialog.h"
#include "octopus-secret.h"

struct _OctopusPassphraseDialog
{
  AdwWindow             parent_instance;

  GtkButton            *cancel_button;
  GtkButton            *enable_button;
  GtkSpinner           *spinner;
  AdwPasswordEntryRow  *passphrase_row;
  AdwPasswordEntryRow  *repeat_row;
  AdwPasswordEntryRow  *salt_row;
  AdwComboRow          *filenames_row;
  GtkLabel             *error_label;

  OctopusArraySettings *settings;
  GCancellable         *cancellable;
};

G_DEFINE_FINAL_TYPE (OctopusPassphraseDialog, octopus_passphrase_dialog, ADW_TYPE_WINDOW)

enum { SIGNAL_ENABLED, N_SIGNALS };
static guint signals[N_SIGNALS];

static const char *
row_text (AdwPasswordEntryRow *row)
{
  return gtk_editable_get_text (GTK_EDITABLE (row));
}

static void
clear_rows (OctopusPassphraseDialog *self)
{
  gtk_editable_set_text (GTK_EDITABLE (self->passphrase_row), "");
  gtk_editable_set_text (GTK_EDITABLE (self->repeat_row), "");
  gtk_editable_set_text (GTK_EDITABLE (self->salt_row), "");
}

static void
show_error (OctopusPassphraseDialog *self,
            const char              *message)
{
  gtk_label_set_text (self->error_label, message != NULL ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), message != NULL);
}

static void
set_busy (OctopusPassphraseDialog *self,
          gboolean                 busy)
{
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), busy);
  gtk_spinner_set_spinning (self->spinner, busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->enable_button), !busy);
}

static void
enabled_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(OctopusPassphraseDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  gboolean enabled = octopus_array_settings_enable_encryption_finish (
                       OCTOPUS_ARRAY_SETTINGS (source), result, &error);

  /* Closed meanwhile: nothing left to tell (the window reads the settings when it opens). */
  if (self->cancellable == NULL || g_cancellable_is_cancelled (self->cancellable))
    return;
  if (!enabled)
    {
      set_busy (self, FALSE);
      show_error (self, error->message);
      return;
    }
  set_busy (self, FALSE);
  clear_rows (self);
  g_signal_emit (self, signals[SIGNAL_ENABLED], 0);
  gtk_window_destroy (GTK_WINDOW (self));
}

/* Refuses an empty passphrase and two that differ before the keyring is asked. */
static void
enable_clicked_cb (OctopusPassphraseDialog *self)
{
  OctopusFilenameEncryption filenames = adw_combo_row_get_selected (self->filenames_row) == 1
                                        ? OCTOPUS_FILENAME_ENCRYPTION_OFF
                                        : OCTOPUS_FILENAME_ENCRYPTION_STANDARD;

  if (*row_text (self->passphrase_row) == '\0')
    {
      show_error (self, _("Enter a passphrase."));
      return;
    }
  if (g_strcmp0 (row_text (self->passphrase_row), row_text (self->repeat_row)) != 0)
    {
      show_error (self, _("The passphrases do not match."));
      return;
    }
  show_error (self, NULL);
  set_busy (self, TRUE);
  /* Another passphrase than the keyring's is refused (replace = FALSE): objects encrypted
   * with it would become unreadable.  The engine copies and wipes what it is given. */
  octopus_array_settings_enable_encryption_async (self->settings, row_text (self->passphrase_row),
                                                  row_text (self->salt_row), filenames, FALSE,
                                                  self->cancellable, enabled_cb,
                                                  g_object_ref (self));
}

static void
cancel_clicked_cb (OctopusPassphraseDialog *self)
{
  gtk_window_destroy (GTK_WINDOW (self));
}

static void
octopus_passphrase_dialog_dispose (GObject *object)
{
  OctopusPassphraseDialog *self = OCTOPUS_PASSPHRASE_DIALOG (object);

  g_cancellable_cancel (self->cancellable);
  if (self->passphrase_row != NULL)
    clear_rows (self);
  gtk_widget_dispose_template (GTK_WIDGET (self), OCTOPUS_TYPE_PASSPHRASE_DIALOG);
  g_clear_object (&self->settings);
  g_clear_object (&self->cancellable);
  G_OBJECT_CLASS (octopus_passphrase_dialog_parent_class)->dispose (object);
}

static void
octopus_passphrase_dialog_class_init (OctopusPassphraseDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = octopus_passphrase_dialog_dispose;

  /* The passphrases are in the keyring and the settings file says rclone-crypt. */
  signals[SIGNAL_ENABLED] = g_signal_new ("enabled", G_TYPE_FROM_CLASS (klass),
                                          G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                          G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class,
    "/io/github/octopus_rais/Octopus/octopus-passphrase-dialog.ui");
#define BIND(name) \
  gtk_widget_class_bind_template_child (widget_class, OctopusPassphraseDialog, name)
  BIND (cancel_button);
  BIND (enable_button);
  BIND (spinner);
  BIND (passphrase_row);
  BIND (repeat_row);
  BIND (salt_row);
  BIND (filenames_row);
  BIND (error_label);
#undef BIND
}

static void
octopus_passphrase_dialog_init (OctopusPassphraseDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();
  g_signal_connect_swapped (self->enable_button, "clicked", G_CALLBACK (enable_clicked_cb),
                            self);
  g_signal_connect_swapped (self->cancel_button, "clicked", G_CALLBACK (cancel_clicked_cb),
                            self);
}

OctopusPassphraseDialog *
octopus_passphrase_dialog_new (GtkWindow            *parent,
                               OctopusArraySettings *settings)
{
  OctopusPassphraseDialog *self;

  g_return_val_if_fail (OCTOPUS_IS_ARRAY_SETTINGS (settings), NULL);

  self = g_object_new (OCTOPUS_TYPE_PASSPHRASE_DIALOG, "transient-for", parent, NULL);
  self->settings = g_object_ref (settings);
  return self;
}
