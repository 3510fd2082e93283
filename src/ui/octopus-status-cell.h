/* SPDX-License-Identifier: GPL-3.0-or-later */
/* octopus-status-cell.h — one service's state of one object: a symbolic icon, a tooltip that
 * says what it means (and why, on error), and the same words as the accessible description. */
#pragma once

#include <gtk/gtk.h>

#include "octopus-object.h"

G_BEGIN_DECLS

#define OCTOPUS_TYPE_STATUS_CELL (octopus_status_cell_get_type ())
G_DECLARE_FINAL_TYPE (OctopusStatusCell, octopus_status_cell, OCTOPUS, STATUS_CELL, GtkWidget)

GtkWidget          *octopus_status_cell_new         (guint              service_index);
void                octopus_status_cell_set_object  (OctopusStatusCell *self,
                                                     OctopusObject     *object);
OctopusObjectState  octopus_status_cell_get_state   (OctopusStatusCell *self);

/* Short words for a state ("In sync", "Missing", …), translated. */
const char         *octopus_object_state_to_label   (OctopusObjectState state);
/* What the state means for the user, translated. */
const char         *octopus_object_state_to_meaning (OctopusObjectState state);

G_END_DECLS
