/* SPDX-License-Identifier: GPL-3.0-or-later */
/* octopus-preferences-window.h — accounts (add, edit, test, remove) and transfer settings. */
#pragma once

#include <adwaita.h>

#include "octopus-account-store.h"

G_BEGIN_DECLS

#define OCTOPUS_TYPE_PREFERENCES_WINDOW (octopus_preferences_window_get_type ())
G_DECLARE_FINAL_TYPE (OctopusPreferencesWindow, octopus_preferences_window, OCTOPUS,
                      PREFERENCES_WINDOW, AdwPreferencesWindow)

/* @accounts may be NULL (widget tests): the accounts group is then empty. */
OctopusPreferencesWindow *octopus_preferences_window_new (OctopusAccountStore *accounts);
/* Opens the form that adds a service (what the window's empty state leads to). */
void                      octopus_preferences_window_show_add_service
                                                         (OctopusPreferencesWindow *self);

G_END_DECLS
