/* SPDX-License-Identifier: GPL-3.0-or-later */
/* octopus-window-share.c — "Copy Share Link…": a small dialog to choose how long the link
 * works (and which service's copy, when several are in sync), with the plain warning that
 * anyone with the link can download the file and that it cannot be revoked; Copy puts the
 * presigned URL (octopus_array_share_url) on the clipboard.  The window never signs itself. */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "octopus-share.h"
#include "octopus-share-dialog.h"
#include "octopus-window-private.h"

/* The choices offered, in the order of the drop-down. */
static const guint expiry_seconds[] = { 60 * 60, 24 * 60 * 60, OCTOPUS_SHARE_MAX_SECONDS };

typedef struct {
  OctopusArray    *array;
  AdwToastOverlay *toasts;   /* where the outcome is said */
  char        *key;
  char       **services;   /* names of the services whose copy is in sync */
  GtkDropDown *expiry;     /* owned by the dialog */
  GtkDropDown *service;    /* NULL when only one copy is in sync */
} ShareChoice;

static void
share_choice_free (ShareChoice *choice)
{
  g_clear_object (&choice->array);
  g_clear_object (&choice->toasts);
  g_free (choice->key);
  g_strfreev (choice->services);
  g_free (choice);
}

/* Says @message in a toast over @toasts. */
static void
toast (AdwToastOverlay *toasts,
       const char      *message)
{
  AdwToast *toast = adw_toast_new (message);

  adw_toast_set_timeout (toast, 5);
  adw_toast_overlay_add_toast (toasts, toast);
}

static void
toast_error (AdwToastOverlay *toasts,
             const GError    *error)
{
  /* Translators: "<what failed>: <why>" */
  g_autofree char *message = g_strdup_printf (_("%s: %s"), _("Could not make a share link"),
                                              error->message);
  toast (toasts, message);
}

static void
share_response_cb (AdwMessageDialog *dialog,
                   const char       *response)
{
  ShareChoice *choice = g_object_get_data (G_OBJECT (dialog), "share-choice");
  guint expiry = gtk_drop_down_get_selected (choice->expiry);
  const char *service = choice->services[0];
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  g_autofree char *message = NULL;

  if (g_strcmp0 (response, "copy") != 0)
    return;
  if (choice->service != NULL)
    service = choice->services[gtk_drop_down_get_selected (choice->service)];
  url = octopus_array_share_url (choice->array, choice->key, service,
                                 expiry_seconds[MIN (expiry, G_N_ELEMENTS (expiry_seconds) - 1)],
                                 NULL, &error);
  if (url == NULL)
    {
      toast_error (choice->toasts, error);
      return;
    }
  gdk_clipboard_set_text (gtk_widget_get_clipboard (GTK_WIDGET (choice->toasts)), url);
  message = g_strdup_printf (_("Share link for “%s” copied to the clipboard"), choice->key);
  toast (choice->toasts, message);
}

/* A label and a drop-down on one row of @grid; the label names the drop-down for screen
 * readers and its mnemonic focuses it. */
static GtkDropDown *
add_choice (GtkGrid            *grid,
            int                 row,
            const char         *label_text,
            const char         *name,
            const char * const *strings)
{
  GtkWidget *label = gtk_label_new_with_mnemonic (label_text);
  GtkWidget *drop_down = gtk_drop_down_new_from_strings (strings);

  gtk_widget_set_halign (label, GTK_ALIGN_END);
  gtk_widget_set_name (drop_down, name);   /* tests find it by name */
  gtk_widget_set_hexpand (drop_down, TRUE);
  gtk_label_set_mnemonic_widget (GTK_LABEL (label), drop_down);
  gtk_accessible_update_relation (GTK_ACCESSIBLE (drop_down),
                                  GTK_ACCESSIBLE_RELATION_LABELLED_BY, label, NULL, -1);
  gtk_grid_attach (grid, label, 0, row, 1, 1);
  gtk_grid_attach (grid, drop_down, 1, row, 1, 1);
  return GTK_DROP_DOWN (drop_down);
}

/* The expiry, and the service when there is a choice of copies. */
static GtkWidget *
choices_new (ShareChoice *choice)
{
  const char *expiries[] = { _("1 hour"), _("1 day"), _("7 days"), NULL };
  GtkGrid *grid = GTK_GRID (gtk_grid_new ());

  gtk_grid_set_row_spacing (grid, 6);
  gtk_grid_set_column_spacing (grid, 12);
  choice->expiry = add_choice (grid, 0, _("_Expires after"), "share-expiry", expiries);
  if (choice->services[0] != NULL && choice->services[1] != NULL)
    choice->service = add_choice (grid, 1, _("_Service"), "share-service",
                                  (const char * const *) choice->services);
  return GTK_WIDGET (grid);
}

void
octopus_share_dialog_present (GtkWindow       *parent,
                              OctopusArray    *array,
                              const char      *key,
                              AdwToastOverlay *toasts)
{
  g_auto(GStrv) services = NULL;
  g_autofree char *heading = NULL;
  ShareChoice *choice;
  GtkWidget *dialog;

  g_return_if_fail (OCTOPUS_IS_ARRAY (array));
  g_return_if_fail (key != NULL);
  services = octopus_array_share_services (array, key);
  if (services[0] == NULL)
    {
      /* No copy may be shared: the engine's refusal says why, and no dialog is opened. */
      g_autoptr(GError) error = NULL;
      g_autofree char *url = octopus_array_share_url (array, key, NULL, 60 * 60, NULL, &error);

      g_return_if_fail (url == NULL);
      toast_error (toasts, error);
      return;
    }

  choice = g_new0 (ShareChoice, 1);
  choice->array = g_object_ref (array);
  choice->toasts = g_object_ref (toasts);
  choice->key = g_strdup (key);
  choice->services = g_steal_pointer (&services);
  heading = g_strdup_printf (_("Share “%s”"), key);
  dialog = adw_message_dialog_new (parent, heading,
                                   _("Anyone with the link can download the file until the link "
                                     "expires. A link cannot be revoked except by deleting or "
                                     "overwriting the object."));
  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), choices_new (choice));
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"), "copy", _("Copy _Link"), NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "copy",
                                              ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "copy");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_object_set_data_full (G_OBJECT (dialog), "share-choice", choice,
                          (GDestroyNotify) share_choice_free);
  g_signal_connect (dialog, "response", G_CALLBACK (share_response_cb), NULL);
  gtk_window_present (GTK_WINDOW (dialog));
}

void
_octopus_window_share (OctopusWindow *self,
                       const char    *key)
{
  g_return_if_fail (key != NULL);
  if (self->array == NULL)
    return;
  octopus_share_dialog_present (GTK_WINDOW (self), self->array, key, self->toast_overlay);
}
