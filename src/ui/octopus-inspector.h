/* SPDX-License-Identifier: GPL-3.0-or-later */
/* octopus-inspector.h — "Inspect…": every service's copy of one key side by side (the facts
 * of octopus_array_info_async: size, MD5 and where it came from, ETag, dates, type, storage
 * class, metadata, version, ACL, and the copy's state with its reason in words), with actions
 * on one copy only (repair, download, delete) and "Copy Share Link…".  After an action the
 * facts are read again. */
#pragma once

#include <adwaita.h>

#include "octopus-array.h"

G_BEGIN_DECLS

#define OCTOPUS_TYPE_INSPECTOR (octopus_inspector_get_type ())
G_DECLARE_FINAL_TYPE (OctopusInspector, octopus_inspector, OCTOPUS, INSPECTOR, AdwWindow)

/* Starts reading the facts of @key at once. */
OctopusInspector *octopus_inspector_new      (OctopusArray     *array,
                                              const char       *key);
const char       *octopus_inspector_get_key  (OctopusInspector *self);
/* TRUE while facts are read or an action runs (property "busy"; tests wait on it). */
gboolean          octopus_inspector_get_busy (OctopusInspector *self);
/* Reads every copy's facts again. */
void              octopus_inspector_reload   (OctopusInspector *self);

G_END_DECLS
