/* SPDX-License-Identifier: GPL-3.0-or-later */
/* octopus-usage-view.h — "Usage…": what the array holds, per service and per top-level folder
 * (the figures of octopus_usage_compute, the same as `octopus-cli usage`): objects and bytes
 * held, copies missing, differing and unreachable, the objects with a good copy on one service
 * only, and a bar per service.  Follows the table (rows added or removed) and offers Refresh,
 * which lists every service again. */
#pragma once

#include <adwaita.h>

#include "octopus-array.h"

G_BEGIN_DECLS

#define OCTOPUS_TYPE_USAGE_VIEW (octopus_usage_view_get_type ())
G_DECLARE_FINAL_TYPE (OctopusUsageView, octopus_usage_view, OCTOPUS, USAGE_VIEW, AdwWindow)

/* Shows the table as last refreshed at once. */
OctopusUsageView *octopus_usage_view_new      (OctopusArray     *array);
/* TRUE while Refresh runs (property "busy"; tests wait on it). */
gboolean          octopus_usage_view_get_busy (OctopusUsageView *self);
/* Lists every service again, then shows the new figures. */
void              octopus_usage_view_refresh  (OctopusUsageView *self);

G_END_DECLS
