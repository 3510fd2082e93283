/* octopus-transfer-private.h — what the upload queue and job change on a transfer. */
#pragma once

#include "octopus-transfer.h"
#include "octopus-upload-journal.h"

G_BEGIN_DECLS

OctopusTransfer *_octopus_transfer_new            (GFile                *file,
                                                   const char           *key,
                                                   GPtrArray            *services);
GCancellable    *_octopus_transfer_get_cancellable (OctopusTransfer     *self);
void             _octopus_transfer_set_size       (OctopusTransfer      *self,
                                                   goffset               size);
void             _octopus_transfer_set_state      (OctopusTransfer      *self,
                                                   OctopusTransferState  state,
                                                   const GError         *error);
/* Recomputes "fraction" after a progress object changed. */
void             _octopus_transfer_progress_changed (OctopusTransfer    *self);
void             _octopus_transfer_emit_finished  (OctopusTransfer      *self);
/* The journal entry this transfer resumes from (NULL for a fresh upload). */
OctopusUploadJournalEntry *_octopus_transfer_get_resume (OctopusTransfer *self);
void             _octopus_transfer_set_resume     (OctopusTransfer      *self,
                                                   OctopusUploadJournalEntry *entry);

G_END_DECLS
