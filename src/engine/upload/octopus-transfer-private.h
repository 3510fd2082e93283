/* SPDX-License-Identifier: GPL-3.0-or-later */
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
/* The journal entry of this file (NULL when it is not journaled); @resumed: it was read
 * from the journal of an earlier run. */
OctopusUploadJournalEntry *_octopus_transfer_get_journal (OctopusTransfer *self);
gboolean         _octopus_transfer_get_resumed    (OctopusTransfer      *self);
void             _octopus_transfer_set_journal    (OctopusTransfer      *self,
                                                   OctopusUploadJournalEntry *entry,
                                                   gboolean              resumed);
void             _octopus_transfer_set_notice     (OctopusTransfer      *self,
                                                   const char           *notice);
/* The queue goes away (the application quits): stop without aborting anything and without
 * touching the journal, so that the next start resumes this file. */
void             _octopus_transfer_suspend        (OctopusTransfer      *self);
gboolean         _octopus_transfer_is_suspended   (OctopusTransfer      *self);
/* Encrypted uploads (octopus-upload-queue-crypt.c): the plaintext name shown for the stored
 * key, the spool file that replaces the plaintext file, and the extra user metadata (the
 * sealed facts) that the job sends with the object. */
void             _octopus_transfer_set_display_name (OctopusTransfer    *self,
                                                     const char         *name);
void             _octopus_transfer_set_file       (OctopusTransfer      *self,
                                                   GFile                *file,
                                                   gboolean              spooled);
gboolean         _octopus_transfer_get_spooled    (OctopusTransfer      *self);
void             _octopus_transfer_set_metadata   (OctopusTransfer      *self,
                                                   const char           *name,
                                                   const char           *value);
/* A new table (name → value, owned strings) of the extra metadata; empty when none. */
GHashTable      *_octopus_transfer_dup_metadata   (OctopusTransfer      *self);

G_END_DECLS
