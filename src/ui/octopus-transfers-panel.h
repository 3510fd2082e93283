/* SPDX-License-Identifier: GPL-3.0-or-later */
/* octopus-transfers-panel.h — the files being uploaded (one OctopusTransferRow each) with a
 * "Cancel All" button; hidden while the queue is empty. */
#pragma once

#include <gtk/gtk.h>

#include "octopus-upload-queue.h"

G_BEGIN_DECLS

#define OCTOPUS_TYPE_TRANSFERS_PANEL (octopus_transfers_panel_get_type ())
G_DECLARE_FINAL_TYPE (OctopusTransfersPanel, octopus_transfers_panel, OCTOPUS, TRANSFERS_PANEL,
                      GtkWidget)

GtkWidget          *octopus_transfers_panel_new       (void);
OctopusUploadQueue *octopus_transfers_panel_get_queue (OctopusTransfersPanel *self);
void                octopus_transfers_panel_set_queue (OctopusTransfersPanel *self,
                                                       OctopusUploadQueue    *queue);

G_END_DECLS
