/* SPDX-License-Identifier: GPL-3.0-or-later */
/* octopus-upload-owner.c — tells this installation's open multipart uploads from others'. */
#include "config.h"

#include "octopus-upload-journal.h"
#include "octopus-upload-owner.h"

#define MINUTE_US (G_GINT64_CONSTANT (60) * G_USEC_PER_SEC)
/* An unanswered CreateMultipartUpload (killed while it ran) cannot have reached the service
 * later than this after it began: every retry of every attempt included (5 tries of at most
 * 60 s each, a lane's 3 attempts). */
#define CREATE_MAX_US (20 * MINUTE_US)
/* Slack around the times compared: the Date header and Initiated are whole seconds, and a
 * clock may have been corrected since.  Without a measured clock offset, the most a signed
 * request accepts (SigV4: 15 minutes either way). */
#define SLACK_US      (30 * G_USEC_PER_SEC)
#define SKEW_MAX_US   (15 * MINUTE_US)

static gboolean
tracks (OctopusUploadJournalEntry *entry,
        const OctopusOpenUpload   *upload)
{
  OctopusUploadJournalLane *lane = octopus_upload_journal_entry_get_lane (entry, upload->service);

  return lane != NULL && lane->upload_id != NULL
         && g_strcmp0 (lane->upload_id, upload->upload_id) == 0;
}

/* Did @entry's lane begin creating an upload of this key on this service when the service
 * initiated @upload? */
static gboolean
created_then (OctopusUploadJournalEntry *entry,
              const OctopusOpenUpload   *upload)
{
  OctopusUploadJournalLane *lane = octopus_upload_journal_entry_get_lane (entry, upload->service);
  gint64 slack = upload->clock_known ? SLACK_US : SKEW_MAX_US;
  gint64 initiated, from, to;

  if (lane == NULL || lane->create_since_us <= 0
      || octopus_upload_journal_entry_is_abort (entry)
      || g_strcmp0 (lane->bucket, upload->bucket) != 0
      || g_strcmp0 (octopus_upload_journal_entry_get_key (entry), upload->key) != 0)
    return FALSE;
  /* In this computer's clock. */
  initiated = upload->initiated * G_USEC_PER_SEC - upload->clock_offset_us;
  from = lane->create_since_us - slack;
  to = (lane->create_until_us > 0 ? lane->create_until_us : lane->create_since_us + CREATE_MAX_US)
       + slack;
  return initiated >= from && initiated <= to;
}

OctopusUploadOwner
octopus_upload_owner_classify (GPtrArray               *entries,
                               const OctopusOpenUpload *upload)
{
  for (guint i = 0; i < entries->len; i++)
    if (tracks (entries->pdata[i], upload))
      return OCTOPUS_UPLOAD_OWNER_TRACKED;
  for (guint i = 0; i < entries->len; i++)
    if (created_then (entries->pdata[i], upload))
      return OCTOPUS_UPLOAD_OWNER_LEFTOVER;
  return OCTOPUS_UPLOAD_OWNER_FOREIGN;
}
