/* SPDX-License-Identifier: GPL-3.0-or-later */
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
/* The status text ("Queued", "2.1 MB/s · 5 seconds left", "Done on 2 of 3 · …",
 * "Failed: …"). */
const char *octopus_transfer_row_get_status  (OctopusTransferRow *self);
/* Service @index's own status beside its bar ("1.2 MB/s · 5 seconds left", "Done",
 * "Failed"), or NULL. */
const char *octopus_transfer_row_get_service_status (OctopusTransferRow *self,
                                                     guint               index);

/* Speed over a sliding window: acknowledged bytes at monotonic times (µs); the rate is the
 * bytes gained over the last OCTOPUS_RATE_WINDOW_US, so a stall shows at once instead of being
 * averaged away since the start.  Plain functions with explicit times, so tests need no clock. */
#define OCTOPUS_RATE_WINDOW_US (5 * G_USEC_PER_SEC)
typedef struct _OctopusRateWindow OctopusRateWindow;
OctopusRateWindow *octopus_rate_window_new      (void);
void               octopus_rate_window_free     (OctopusRateWindow *window);
void               octopus_rate_window_add      (OctopusRateWindow *window,
                                                 gint64             now_us,
                                                 goffset            bytes_done);
/* Bytes per second, or -1 while the window spans less than half a second. */
gint64             octopus_rate_window_get_rate (OctopusRateWindow *window,
                                                 gint64             now_us);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (OctopusRateWindow, octopus_rate_window_free)

/* "2.1 MB/s · 5 seconds left" (minutes and hours when long); "Uploading…" for rate < 0;
 * "Stalled" for rate 0. */
char      *octopus_format_transfer_rate (gint64  rate,
                                         goffset remaining);

G_END_DECLS
