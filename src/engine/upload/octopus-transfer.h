/* SPDX-License-Identifier: GPL-3.0-or-later */
/* octopus-transfer.h — one file's upload to every service of the array.
 *
 * Made by OctopusUploadQueue.  The GUI binds a row to "key", "state", "fraction" and to the
 * per-service OctopusUploadProgress objects in octopus_transfer_get_services(); "finished"
 * is emitted once, when every service has either a complete copy or has been given up.
 */
#pragma once

#include <gio/gio.h>
#include "octopus-upload-progress.h"

G_BEGIN_DECLS

typedef enum {
  OCTOPUS_TRANSFER_STATE_QUEUED,
  OCTOPUS_TRANSFER_STATE_PREPARING,  /* opening and hashing the file */
  OCTOPUS_TRANSFER_STATE_UPLOADING,
  OCTOPUS_TRANSFER_STATE_DONE,       /* every service holds the file */
  OCTOPUS_TRANSFER_STATE_PARTIAL,    /* some services hold it, the others failed */
  OCTOPUS_TRANSFER_STATE_FAILED,     /* no service holds it (or the file changed) */
  OCTOPUS_TRANSFER_STATE_CANCELLED,
} OctopusTransferState;

/* How many states there are: the size of an array indexed by OctopusTransferState. */
#define OCTOPUS_TRANSFER_N_STATES (OCTOPUS_TRANSFER_STATE_CANCELLED + 1)

#define OCTOPUS_TYPE_TRANSFER_STATE (octopus_transfer_state_get_type ())
GType octopus_transfer_state_get_type (void);

#define OCTOPUS_TYPE_TRANSFER (octopus_transfer_get_type ())
G_DECLARE_FINAL_TYPE (OctopusTransfer, octopus_transfer, OCTOPUS, TRANSFER, GObject)

GFile                *octopus_transfer_get_file          (OctopusTransfer *self);
const char           *octopus_transfer_get_key           (OctopusTransfer *self);
/* What to show for the file: the plaintext name of an encrypted upload (whose key is the
 * encrypted one), else the key. */
const char           *octopus_transfer_get_display_name  (OctopusTransfer *self);
/* -1 until opened */
goffset               octopus_transfer_get_size          (OctopusTransfer *self);
OctopusTransferState  octopus_transfer_get_state         (OctopusTransfer *self);
gboolean              octopus_transfer_is_finished       (OctopusTransfer *self);
/* Acknowledged bytes over (size × services): the overall bar. */
double                octopus_transfer_get_fraction      (OctopusTransfer *self);
/* The file-level failure (changed while read, unreadable, cancelled), or NULL. */
const GError         *octopus_transfer_get_error         (OctopusTransfer *self);
/* Something the user should know about a file that did not fail, or NULL: e.g. it changed
 * between the run that queued it and the one that resumed it, so its current content was
 * uploaded (property "notice"). */
const char           *octopus_transfer_get_notice        (OctopusTransfer *self);
/* Why the file is not on every service, in words: the file-level error, or each service
 * that did not get it with its reason ("px: cannot reach …; s3: access denied"), each
 * service named once.  NULL when every service holds it. */
char                 *octopus_transfer_dup_failure       (OctopusTransfer *self);
/* GListModel of OctopusUploadProgress, one per service, in array order. */
GListModel           *octopus_transfer_get_services      (OctopusTransfer *self);
OctopusUploadProgress *octopus_transfer_get_progress_for (OctopusTransfer *self,
                                                          const char      *service_name);
/* Cancels this file on every service; unfinished multipart uploads are aborted. */
void                  octopus_transfer_cancel            (OctopusTransfer *self);

G_END_DECLS
