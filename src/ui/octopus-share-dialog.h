/* SPDX-License-Identifier: GPL-3.0-or-later */
/* octopus-share-dialog.h — "Copy Share Link…", shared by the window and the inspector
 * (octopus-window-share.c): how long the link works, which copy when several are in sync,
 * the warning that a link cannot be revoked; Copy puts the presigned URL on the clipboard. */
#pragma once

#include <adwaita.h>

#include "octopus-array.h"

G_BEGIN_DECLS

/* The dialog for @key, transient for @parent; the outcome (link copied, or why none can be
 * made — then no dialog opens) is a toast over @toasts. */
void octopus_share_dialog_present (GtkWindow       *parent,
                                   OctopusArray    *array,
                                   const char      *key,
                                   AdwToastOverlay *toasts);

G_END_DECLS
