/* SPDX-License-Identifier: GPL-3.0-or-later */
/* octopus-window.h — the main window: the object table with one status column per service,
 * drag-and-drop upload, transfers, context menus on rows. */
#pragma once

#include <adwaita.h>

#include "octopus-account-store.h"

G_BEGIN_DECLS

#define OCTOPUS_TYPE_WINDOW (octopus_window_get_type ())
G_DECLARE_FINAL_TYPE (OctopusWindow, octopus_window, OCTOPUS, WINDOW, AdwApplicationWindow)

/* @accounts: the user's accounts (may be NULL in widget tests: the window shows
 * "Add a Service"). */
OctopusWindow *octopus_window_new        (GtkApplication      *application,
                                          OctopusAccountStore *accounts);
/* Queues local files and folders for upload to every service (drop, file chooser, tests). */
void           octopus_window_add_paths  (OctopusWindow       *self,
                                          const char * const  *paths);
/* A toast with @message (already translated). */
void           octopus_window_toast      (OctopusWindow       *self,
                                          const char          *message);
/* The name of the visible page: "loading", "no-accounts", "empty" or "objects". */
const char    *octopus_window_get_page   (OctopusWindow       *self);

G_END_DECLS
