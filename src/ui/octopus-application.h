/* SPDX-License-Identifier: GPL-3.0-or-later */
/* octopus-application.h — the AdwApplication: app actions, command line, the main window. */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define OCTOPUS_TYPE_APPLICATION (octopus_application_get_type ())
G_DECLARE_FINAL_TYPE (OctopusApplication, octopus_application, OCTOPUS, APPLICATION, AdwApplication)

OctopusApplication *octopus_application_new (void);

/* Registers the UI's GResource once (templates, menus, shortcuts window). Tests call it too. */
void                octopus_ui_register_resources (void);

G_END_DECLS
