/* SPDX-License-Identifier: GPL-3.0-or-later */
/* octopus-acl-dialog.h — "Permissions…": every service's ACL for one object, side by side,
 * disagreement marked; a canned ACL or an explicit grant applied to all services that support
 * ACLs ("ACLs not supported here" for the others). */
#pragma once

#include <adwaita.h>

#include "octopus-array.h"

G_BEGIN_DECLS

#define OCTOPUS_TYPE_ACL_DIALOG (octopus_acl_dialog_get_type ())
G_DECLARE_FINAL_TYPE (OctopusAclDialog, octopus_acl_dialog, OCTOPUS, ACL_DIALOG, AdwWindow)

/* @array may be NULL (widget tests): the dialog then shows nothing to compare. */
OctopusAclDialog *octopus_acl_dialog_new (OctopusArray *array,
                                          const char   *key);

G_END_DECLS
