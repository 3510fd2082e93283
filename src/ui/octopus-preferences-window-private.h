/* SPDX-License-Identifier: GPL-3.0-or-later */
/* octopus-preferences-window-private.h — the preferences window's struct, shared by its files:
 * octopus-preferences-window.c (accounts, transfers) and octopus-preferences-array.c (the
 * array settings: redundancy, encryption). */
#pragma once

#include "octopus-array-settings.h"
#include "octopus-preferences-window.h"

G_BEGIN_DECLS

struct _OctopusPreferencesWindow
{
  AdwPreferencesWindow  parent_instance;

  GtkButton            *add_button;
  GtkListBox           *accounts_list;
  GtkSwitch            *repair_switch;
  GtkSpinButton        *parallel_spin;
  GtkSpinButton        *part_size_spin;
  GtkSpinButton        *upload_limit_spin;
  GtkSpinButton        *download_limit_spin;
  GtkWidget            *account_page;
  GtkButton            *back_button;
  AdwWindowTitle       *account_title;
  GtkButton            *save_button;
  GtkSpinner           *save_spinner;
  GtkLabel             *form_error_label;
  AdwEntryRow          *name_row;
  AdwComboRow          *provider_row;
  AdwEntryRow          *endpoint_row;
  AdwEntryRow          *region_row;
  AdwEntryRow          *bucket_row;
  AdwEntryRow          *access_key_row;
  AdwPasswordEntryRow  *secret_row;
  GtkSwitch            *path_style_switch;
  GtkSwitch            *allow_http_switch;

  /* The array settings (octopus-preferences-array.c) */
  AdwComboRow          *redundancy_row;
  GtkSwitch            *encryption_switch;
  AdwActionRow         *encryption_row;
  AdwActionRow         *passphrase_row;
  GtkButton            *show_passphrase_button;
  OctopusArraySettings *array_settings;  /* NULL without an account store */
  GArray               *redundancy_choices; /* of RedundancyChoice, one per redundancy_row item */
  gboolean              updating_array;   /* the rows are being set from the settings */
  guint                 redundancy_idle;  /* rebuilds the redundancy row after a failure */
  guint                 encryption_idle;  /* opens the passphrase dialog */

  GSettings            *settings;
  OctopusAccountStore  *accounts;
  OctopusAccount       *editing;      /* NULL while adding */
  char                 *preset_endpoint; /* what the provider preset last filled in, so */
  char                 *preset_region;   /* a value the user typed is never overwritten */
  GCancellable         *cancellable;
  GCancellable         *connecting;   /* the service being added or edited, or NULL */
};

/* octopus-preferences-array.c */
void octopus_preferences_array_init    (OctopusPreferencesWindow *self);
/* Reads the settings beside @self->accounts' file and shows them. */
void octopus_preferences_array_load    (OctopusPreferencesWindow *self);
void octopus_preferences_array_dispose (OctopusPreferencesWindow *self);
void octopus_preferences_array_bind_template (GtkWidgetClass *widget_class);

G_END_DECLS
