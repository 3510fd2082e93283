/* SPDX-License-Identifier: GPL-3.0-or-later */
/* octopus-upload-aborts.h — multipart uploads the queue still has to abort.
 *
 * Internal to the upload engine.  An abort that failed because the service was down (it died
 * mid-upload) is not forgotten: its journal entry (octopus_upload_journal_entry_new_abort())
 * stays until the abort went through, and while the queue lives it is retried with backoff
 * (1 s doubling to 5 min), and at once when the service is seen reachable again.  So a
 * multipart upload is left open only while its service cannot be reached.
 */
#pragma once

#include <gio/gio.h>
#include "octopus-service.h"
#include "octopus-upload-journal.h"

G_BEGIN_DECLS

typedef struct _OctopusUploadAborts OctopusUploadAborts;

/* @changed is called (with @user_data) whenever the number of pending aborts changes. */
OctopusUploadAborts *octopus_upload_aborts_new         (OctopusUploadJournal *journal,
                                                        GCallback             changed,
                                                        gpointer              user_data);
/* Stops retrying; what is still owed stays in the journal for the next start. */
void                 octopus_upload_aborts_free        (OctopusUploadAborts  *self);
/* Owes the abort of @entry (an abort entry, journaled already) on @service.  @now: try at
 * once (a resumed entry), else after the first backoff (it just failed). */
void                 octopus_upload_aborts_add         (OctopusUploadAborts       *self,
                                                        OctopusService            *service,
                                                        OctopusUploadJournalEntry *entry,
                                                        gboolean                   now);
guint                octopus_upload_aborts_get_pending (OctopusUploadAborts  *self);

G_END_DECLS
