/* octopus-transfer-row.h — one file in the transfers panel: its key, speed and time left, one
 * progress bar per service (bound to the engine's OctopusUploadProgress), and a cancel button. */
#pragma once

#include <gtk/gtk.h>

#include "octopus-transfer.h"

G_BEGIN_DECLS

#define OCTOPUS_TYPE_TRANSFER_ROW (octopus_transfer_row_get_type ())
G_DECLARE_FINAL_TYPE (OctopusTransferRow, octopus_transfer_row, OCTOPUS, TRANSFER_ROW, GtkWidget)

GtkWidget *octopus_transfer_row_new          (void);
void       octopus_transfer_row_set_transfer (OctopusTransferRow *self,
                                              OctopusTransfer    *transfer);
/* The status text ("Queued", "2.1 MB/s · 5 seconds left", "Failed: …"). */
const char *octopus_transfer_row_get_status  (OctopusTransferRow *self);

G_END_DECLS
