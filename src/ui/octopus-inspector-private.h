/* SPDX-License-Identifier: GPL-3.0-or-later */
/* octopus-inspector-private.h — what octopus-inspector.c (the facts) and
 * octopus-inspector-actions.c (the actions on one copy) share. */
#pragma once

#include "octopus-inspector.h"

G_BEGIN_DECLS

typedef enum {
  FACT_STATE,
  FACT_SIZE,
  FACT_MD5,
  FACT_ETAG,
  FACT_MODIFIED,
  FACT_TYPE,
  FACT_CLASS,
  FACT_METADATA,
  FACT_VERSION,
  FACT_ACL,
  FACT_PROBLEM,
  N_FACTS
} InspectorFact;

/* One service's column. */
typedef struct {
  OctopusInspector    *self;       /* unowned: the inspector owns the column */
  char                *service;
  AdwPreferencesGroup *facts;      /* every fact but the state */
  AdwActionRow        *rows[N_FACTS];   /* NULL for FACT_STATE, a label under the name */
  GtkLabel            *values[N_FACTS];
  GtkWidget           *repair;
  GtkWidget           *download;
  GtkWidget           *remove;
  OctopusObjectState   state;      /* as last shown */
  gboolean             present;
} InspectorColumn;

struct _OctopusInspector
{
  AdwWindow         parent_instance;

  /* Template children */
  AdwToastOverlay  *toast_overlay;
  AdwWindowTitle   *window_title;
  GtkButton        *share_button;
  GtkSpinner       *spinner;
  GtkStack         *stack;
  AdwStatusPage    *error_page;
  GtkBox           *services_box;

  OctopusArray     *array;
  char             *key;
  GCancellable     *cancellable;  /* cancelled when the inspector closes */
  GPtrArray        *columns;      /* of InspectorColumn, in service order */
  guint             busy;         /* reads and actions in flight */
};

/* octopus-inspector.c */
/* One more (or one less) read or action in flight: the spinner and the buttons follow. */
void _octopus_inspector_busy             (OctopusInspector *self,
                                          gboolean          busy);
void _octopus_inspector_toast            (OctopusInspector *self,
                                          const char       *message);

/* octopus-inspector-actions.c */
/* Connects the column's Repair, Download and Delete buttons. */
void _octopus_inspector_connect_actions  (InspectorColumn  *column);

G_END_DECLS
