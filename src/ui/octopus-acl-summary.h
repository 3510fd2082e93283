/* SPDX-License-Identifier: GPL-3.0-or-later */
/* octopus-acl-summary.h — what a permissions change did, per service, in one sentence for
 * the Permissions dialog: "Changed on swift; skipped (no ACLs): s3rver; failed on px:
 * Access Denied". */
#pragma once

#include "octopus-array.h"

G_BEGIN_DECLS

/* @results: OctopusArrayResult of one change over @n_keys keys (services in the order they
 * first appear).  A service is "changed" when it took the change for every key, "skipped"
 * when it has no ACLs, and failed with the first failure's reason otherwise.  → translated,
 * capitalized text. */
char *octopus_acl_summary_new (GPtrArray *results,
                               guint      n_keys);

G_END_DECLS
