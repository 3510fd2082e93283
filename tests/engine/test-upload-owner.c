/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-upload-owner.c — which open multipart uploads the resume sweep may abort (only this
 * installation's, see octopus-upload-owner.h), and the journal that tells: the times a lane
 * began and finished creating its upload survive a restart, and are on disk before the
 * request that creates the upload goes out.  No server. */
#include "config.h"

#include <glib/gstdio.h>

#include "octopus-test-util.h"
#include "octopus-upload-journal.h"
#include "octopus-upload-owner.h"

#define S ((gint64) G_USEC_PER_SEC)
#define MIN_US (60 * S)
/* Fixed times (µs since 1970): nothing here depends on the clock. */
#define T_BIG   (G_GINT64_CONSTANT (1714557600) * S)   /* a.bin: created in 2 s */
#define T_KILL  (T_BIG + 3600 * S)                       /* k.bin: killed while creating */

static GPtrArray *
journal_entries (void)
{
  GPtrArray *entries =
    g_ptr_array_new_with_free_func ((GDestroyNotify) octopus_upload_journal_entry_unref);
  OctopusUploadJournalEntry *big = octopus_upload_journal_entry_new ("/a.bin", "a.bin", 9, 1, 0,
                                                                     NULL);
  OctopusUploadJournalEntry *killed = octopus_upload_journal_entry_new ("/k.bin", "k.bin", 9, 1,
                                                                        0, NULL);

  octopus_upload_journal_entry_set_creating (big, "swift", "bkt", T_BIG);
  octopus_upload_journal_entry_set_created (big, "swift", "bkt", "ID-A", T_BIG + 2 * S);
  octopus_upload_journal_entry_set_creating (killed, "swift", "bkt", T_KILL);
  g_ptr_array_add (entries, big);
  g_ptr_array_add (entries, killed);
  g_ptr_array_add (entries, octopus_upload_journal_entry_new_abort ("swift", "bkt", "x.bin",
                                                                    "ID-OWED"));
  return entries;
}

/* @initiated_us: when the service says it initiated the upload, in its own clock. */
static OctopusUploadOwner
owner (GPtrArray  *entries,
       const char *service,
       const char *bucket,
       const char *key,
       const char *upload_id,
       gint64      initiated_us,
       gboolean    clock_known,
       gint64      offset_us)
{
  OctopusOpenUpload upload = {
    .service = service, .bucket = bucket, .key = key, .upload_id = upload_id,
    .initiated = initiated_us / S, .clock_known = clock_known, .clock_offset_us = offset_us,
  };

  return octopus_upload_owner_classify (entries, &upload);
}

#define MINE(key, id, at)  owner (entries, "swift", "bkt", key, id, at, TRUE, 0)

static void
test_classify (void)
{
  g_autoptr(GPtrArray) entries = journal_entries ();

  /* Ids in the journal: resumed, or their aborts retried. */
  g_assert_cmpint (MINE ("a.bin", "ID-A", T_BIG + S), ==, OCTOPUS_UPLOAD_OWNER_TRACKED);
  g_assert_cmpint (MINE ("x.bin", "ID-OWED", T_BIG), ==, OCTOPUS_UPLOAD_OWNER_TRACKED);
  /* A second upload of a.bin initiated while this installation was creating its own (a
   * retry after a lost reply): ours.  One initiated ten minutes later: someone else's. */
  g_assert_cmpint (MINE ("a.bin", "ID-DUP", T_BIG + S), ==, OCTOPUS_UPLOAD_OWNER_LEFTOVER);
  g_assert_cmpint (MINE ("a.bin", "ID-B", T_BIG + 10 * MIN_US), ==,
                   OCTOPUS_UPLOAD_OWNER_FOREIGN);
  g_assert_cmpint (MINE ("a.bin", "ID-B", T_BIG - 5 * MIN_US), ==,
                   OCTOPUS_UPLOAD_OWNER_FOREIGN);
  /* Killed while creating k.bin: its upload is ours though no id was journaled; one the
   * service initiated before, or long after, is not. */
  g_assert_cmpint (MINE ("k.bin", "ID-K", T_KILL + 3 * S), ==, OCTOPUS_UPLOAD_OWNER_LEFTOVER);
  g_assert_cmpint (MINE ("k.bin", "ID-K", T_KILL - 2 * MIN_US), ==, OCTOPUS_UPLOAD_OWNER_FOREIGN);
  g_assert_cmpint (MINE ("k.bin", "ID-K", T_KILL + 30 * MIN_US), ==,
                   OCTOPUS_UPLOAD_OWNER_FOREIGN);
  /* No journal lane for that key, service or bucket: another computer's or program's. */
  g_assert_cmpint (MINE ("other.bin", "ID-O", T_KILL + 3 * S), ==, OCTOPUS_UPLOAD_OWNER_FOREIGN);
  g_assert_cmpint (owner (entries, "swift-2", "bkt", "k.bin", "ID-K", T_KILL + 3 * S, TRUE, 0),
                   ==, OCTOPUS_UPLOAD_OWNER_FOREIGN);
  g_assert_cmpint (owner (entries, "swift", "other", "k.bin", "ID-K", T_KILL + 3 * S, TRUE, 0),
                   ==, OCTOPUS_UPLOAD_OWNER_FOREIGN);
}

/* The service's clock is an hour ahead: measured, the times still match; not measured, an
 * hour is more than any signed request allows, so it cannot be ours. */
static void
test_classify_clock (void)
{
  g_autoptr(GPtrArray) entries = journal_entries ();
  gint64 hour = 3600 * S;

  g_assert_cmpint (owner (entries, "swift", "bkt", "k.bin", "ID-K", T_KILL + 3 * S + hour, TRUE,
                          hour), ==, OCTOPUS_UPLOAD_OWNER_LEFTOVER);
  g_assert_cmpint (owner (entries, "swift", "bkt", "a.bin", "ID-DUP", T_BIG + S + hour, TRUE,
                          hour), ==, OCTOPUS_UPLOAD_OWNER_LEFTOVER);
  g_assert_cmpint (owner (entries, "swift", "bkt", "k.bin", "ID-K", T_KILL + 3 * S + hour, FALSE,
                          0), ==, OCTOPUS_UPLOAD_OWNER_FOREIGN);
  /* Unmeasured, within the 15 minutes SigV4 allows: given the benefit of the doubt. */
  g_assert_cmpint (owner (entries, "swift", "bkt", "k.bin", "ID-K", T_KILL - 10 * MIN_US, FALSE,
                          0), ==, OCTOPUS_UPLOAD_OWNER_LEFTOVER);
}

static OctopusUploadJournalLane *
loaded_lane (const char *dir,
             const char *key)
{
  g_autoptr(OctopusUploadJournal) journal = octopus_upload_journal_new (dir);
  g_autoptr(GPtrArray) entries = octopus_upload_journal_load (journal);

  for (guint i = 0; i < entries->len; i++)
    if (g_strcmp0 (octopus_upload_journal_entry_get_key (entries->pdata[i]), key) == 0)
      {
        OctopusUploadJournalLane *lane =
          octopus_upload_journal_entry_get_lane (entries->pdata[i], "swift");
        OctopusUploadJournalLane *copy = g_new0 (OctopusUploadJournalLane, 1);

        g_assert_nonnull (lane);
        *copy = *lane;
        copy->bucket = g_strdup (lane->bucket);
        copy->upload_id = g_strdup (lane->upload_id);
        copy->parts = NULL;
        return copy;
      }
  return NULL;
}

static void
lane_free (OctopusUploadJournalLane *lane)
{
  g_free (lane->bucket);
  g_free (lane->upload_id);
  g_free (lane);
}

/* The batch is written within 100 ms; sync_async() answers only once it is on disk (read
 * back by another journal object, as the next start would).  The times survive. */
static void
test_journal_sync (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *tmp = g_dir_make_tmp ("octopus-owner-XXXXXX", &error);
  g_autofree char *dir = g_build_filename (tmp, "uploads", NULL);
  g_autoptr(OctopusUploadJournal) journal = octopus_upload_journal_new (dir);
  g_autoptr(OctopusUploadJournalEntry) entry =
    octopus_upload_journal_entry_new ("/k.bin", "k.bin", 9, 1, 0, NULL);
  g_autoptr(GAsyncResult) result = NULL;
  OctopusUploadJournalLane *lane;

  g_assert_no_error (error);
  octopus_upload_journal_entry_set_creating (entry, "swift", "bkt", T_KILL);
  octopus_upload_journal_queue_save (journal, entry);
  g_assert_null (loaded_lane (dir, "k.bin"));   /* batched: not written yet */
  octopus_upload_journal_sync_async (journal, octopus_test_result_cb, NULL);
  result = octopus_test_wait_result ();
  g_assert_true (octopus_upload_journal_sync_finish (journal, result, &error));
  g_assert_no_error (error);
  lane = loaded_lane (dir, "k.bin");
  g_assert_nonnull (lane);
  g_assert_cmpint (lane->create_since_us, ==, T_KILL);
  g_assert_cmpint (lane->create_until_us, ==, 0);
  g_assert_null (lane->upload_id);
  lane_free (lane);

  /* The answer: the id and its time join the time it began. */
  octopus_upload_journal_entry_set_created (entry, "swift", "bkt", "ID-K", T_KILL + 2 * S);
  octopus_upload_journal_save (journal, entry, &error);
  g_assert_no_error (error);
  lane = loaded_lane (dir, "k.bin");
  g_assert_cmpint (lane->create_since_us, ==, T_KILL);
  g_assert_cmpint (lane->create_until_us, ==, T_KILL + 2 * S);
  g_assert_cmpstr (lane->upload_id, ==, "ID-K");
  lane_free (lane);

  /* Nothing pending: answered at once. */
  g_clear_object (&result);
  octopus_upload_journal_sync_async (journal, octopus_test_result_cb, NULL);
  result = octopus_test_wait_result ();
  g_assert_true (octopus_upload_journal_sync_finish (journal, result, NULL));
  g_clear_object (&result);
  g_clear_object (&journal);
  octopus_test_rm_rf (tmp);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/upload-owner/classify", test_classify);
  g_test_add_func ("/upload-owner/classify-clock", test_classify_clock);
  g_test_add_func ("/upload-owner/journal-sync", test_journal_sync);
  return g_test_run ();
}
