/* SPDX-License-Identifier: GPL-3.0-or-later */
/* octopus-upload-owner.h — whose is an open multipart upload?  Internal to the upload engine.
 *
 * Several computers (a laptop and a desktop with the same accounts) and other programs may
 * upload to the same bucket at the same time.  At start, the resume sweep lists the multipart
 * uploads open in each service's bucket and aborts only those this installation started and
 * no longer needs; it knows them from its own journal:
 *  - an upload id in a queued file's lane is resumed (ListParts), one in an abort entry is
 *    aborted by the owed-abort retries: both are "tracked";
 *  - an upload whose id never reached the journal (killed between CreateMultipartUpload and
 *    the journal write; or a retry after a lost reply made two) is recognized by its key and
 *    the time the service initiated it: the lane of that key journaled, on disk before the
 *    request went out, when this installation began creating it and when the answer came.
 *    Such a "leftover" is aborted;
 *  - anything else is someone else's ("foreign"): left alone, and counted for the user.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  OCTOPUS_UPLOAD_OWNER_TRACKED,
  OCTOPUS_UPLOAD_OWNER_LEFTOVER,
  OCTOPUS_UPLOAD_OWNER_FOREIGN,
} OctopusUploadOwner;

typedef struct {
  const char *service;      /* the service's name in the journal */
  const char *bucket;
  const char *key;
  const char *upload_id;
  gint64      initiated;    /* Unix seconds, the service's clock; 0: not shown */
  gboolean    clock_known;  /* clock_offset_us is measured (else ±15 min are allowed) */
  gint64      clock_offset_us;  /* service clock − this computer's */
} OctopusOpenUpload;

/* @entries: what this installation's journal holds (OctopusUploadJournalEntry, queued files
 * and abort entries). */
OctopusUploadOwner octopus_upload_owner_classify (GPtrArray               *entries,
                                                  const OctopusOpenUpload *upload);

G_END_DECLS
