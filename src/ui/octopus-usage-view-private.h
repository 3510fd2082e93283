/* SPDX-License-Identifier: GPL-3.0-or-later */
/* octopus-usage-view-private.h — the usage view's widgets, for the widget tests. */
#pragma once

#include "octopus-usage-view.h"

G_BEGIN_DECLS

struct _OctopusUsageView
{
  AdwWindow            parent_instance;

  /* Template children */
  AdwToastOverlay     *toast_overlay;
  GtkButton           *refresh_button;
  GtkSpinner          *spinner;
  GtkLabel            *summary_label;
  AdwPreferencesGroup *total_group;
  GtkBox              *folders_box;

  OctopusArray       *array;
  OctopusObjectTable *table;        /* the array's */
  GCancellable       *cancellable;  /* cancelled when the view closes */
  guint               update_idle;  /* coalesces a burst of items-changed */
  gboolean            busy;
  GPtrArray          *total_rows;     /* of AdwActionRow, one per service, in total_group */
  GPtrArray          *total_bars;     /* of GtkLevelBar, the bar of each of total_rows */
  GPtrArray          *folder_groups;  /* of AdwPreferencesGroup in folders_box, by folder */
};

G_END_DECLS
