/* SPDX-License-Identifier: GPL-3.0-or-later */
/* octopus-usage.h — what the array holds, per service and per top-level folder.
 *
 * Computed from the object table as last refreshed (no request is made): per service the
 * copies and bytes it holds and the copies missing, differing or unreachable there, and the
 * objects whose only copy in sync is on that service ("at risk": one failure from loss).
 * `octopus-cli usage` prints it; the window can show the same.
 */
#pragma once

#include "octopus-object-table.h"

G_BEGIN_DECLS

/* One service's totals (in one folder, or over the whole array). */
typedef struct {
  guint64 objects;      /* copies held, whatever their state (not counting unreachable) */
  guint64 bytes;        /* their sizes */
  guint64 missing;
  guint64 differing;
  guint64 unreachable;  /* copies not known: the service could not be listed */
  guint64 at_risk;      /* objects whose only copy in sync is this service's */
} OctopusUsageCounts;

/* The totals of a set of keys: all of them, or those of one top-level folder. */
typedef struct {
  char               *folder;    /* "" for the whole array and for keys outside folders;
                                    else the top-level folder with its "/" ("photos/") */
  guint64             keys;      /* objects (keys) in the set */
  guint64             at_risk;   /* keys with exactly one copy in sync */
  OctopusUsageCounts *services;  /* one per service, in the table's order */
} OctopusUsageGroup;

typedef struct {
  guint              n_services;
  char             **service_names;  /* NULL-terminated */
  OctopusUsageGroup *total;
  GPtrArray         *folders;        /* of OctopusUsageGroup, sorted by folder; the keys
                                        outside any folder are the group "" */
} OctopusUsage;

OctopusUsage *octopus_usage_compute (OctopusObjectTable *table);
void          octopus_usage_free    (OctopusUsage       *usage);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (OctopusUsage, octopus_usage_free)

G_END_DECLS
