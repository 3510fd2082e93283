/* SPDX-License-Identifier: GPL-3.0-or-later */
/* octopus-acl-dialog.h — "Permissions…" for one or several objects: every service's ACL side
 * by side (of the first object), disagreement marked; a canned ACL, or a grant added, changed
 * or removed, applied to every object on every service that supports ACLs, each service
 * keeping its own owner.  The result says per service what happened. */
#pragma once

#include <adwaita.h>

#include "octopus-array.h"

G_BEGIN_DECLS

#define OCTOPUS_TYPE_ACL_DIALOG (octopus_acl_dialog_get_type ())
G_DECLARE_FINAL_TYPE (OctopusAclDialog, octopus_acl_dialog, OCTOPUS, ACL_DIALOG, AdwWindow)

/* @keys: one or more keys (NULL-terminated).  @array may be NULL (widget tests): the dialog
 * then shows nothing to compare. */
OctopusAclDialog *octopus_acl_dialog_new (OctopusArray       *array,
                                          const char * const *keys);

G_END_DECLS
