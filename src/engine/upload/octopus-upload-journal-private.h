/* SPDX-License-Identifier: GPL-3.0-or-later */
/* octopus-upload-journal-private.h — what the journal's two files share: an entry's JSON form
 * and the name of its file.  Internal to the upload engine. */
#pragma once

#include <json-glib/json-glib.h>

#include "octopus-upload-journal.h"

G_BEGIN_DECLS

/* The stem of @entry's file name: a hash of what identifies it (path and key; an abort
 * entry's service, bucket, upload id and key). */
char     *_octopus_upload_journal_entry_file_id (OctopusUploadJournalEntry *entry);
JsonNode *_octopus_upload_journal_entry_to_json (OctopusUploadJournalEntry *entry);
/* NULL when @root is not an entry this version understands. */
OctopusUploadJournalEntry *_octopus_upload_journal_entry_from_json (JsonNode *root);

G_END_DECLS
