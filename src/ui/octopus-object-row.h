/* SPDX-License-Identifier: GPL-3.0-or-later */
/* octopus-object-row.h — the name cell of an object row: folder-like prefix (dimmed) + name.
 *
 * It also carries the row's position in the view's model, so a right click anywhere on the row
 * can select that row before the context menu opens.
 */
#pragma once

#include <gtk/gtk.h>

#include "octopus-object.h"

G_BEGIN_DECLS

#define OCTOPUS_TYPE_OBJECT_ROW (octopus_object_row_get_type ())
G_DECLARE_FINAL_TYPE (OctopusObjectRow, octopus_object_row, OCTOPUS, OBJECT_ROW, GtkWidget)

GtkWidget     *octopus_object_row_new          (void);
OctopusObject *octopus_object_row_get_object   (OctopusObjectRow *self);
void           octopus_object_row_set_object   (OctopusObjectRow *self,
                                                OctopusObject    *object);
guint          octopus_object_row_get_position (OctopusObjectRow *self);

/* "Photos/2024/harbour.jpg" → folder "Photos/2024/", name "harbour.jpg". */
void           octopus_split_key               (const char       *key,
                                                char            **folder,
                                                char            **name);

G_END_DECLS
