/* SPDX-License-Identifier: GPL-3.0-or-later */
/* octopus-upload-journal.h — the upload queue's memory across restarts.
 *
 * One JSON file per queued file that has not settled yet, in
 * g_get_user_state_dir()/octopus/uploads/ (or a directory given by the caller): the local file
 * (path, size and mtime when it was queued), the key and, per service, what is known: the
 * bucket, whether the service holds the file ("completed") or was given up for good
 * ("gave-up"); for multipart uploads also the part size, the whole-file MD5 that went into
 * x-amz-meta-md5chksum, the upload id and the parts the service acknowledged (number, ETag,
 * local part MD5).  A service with no lane still needs the file.  Never a credential.
 *
 * Writes are batched: octopus_upload_journal_queue_save() and _queue_remove() only mark the
 * entry; at most every 100 ms the marked entries are serialized (main thread) and written by
 * a worker thread, each file replaced atomically (a SIGKILL leaves the old or the new
 * version).  So queuing 1,000 files costs one batch, not 1,000 synchronous writes; what a
 * SIGKILL can lose is the last 100 ms, which a resume relearns (ListParts) or resends.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct {
  guint  number;
  char  *etag;
  char  *md5_hex;       /* MD5 of the local bytes sent as this part */
} OctopusUploadJournalPart;

typedef struct {
  char      *bucket;
  char      *upload_id;   /* NULL until CreateMultipartUpload answered (or single PUT) */
  gboolean   completed;   /* the service holds the file */
  gboolean   gave_up;     /* failed for a reason a retry would not fix; not resumed */
  GPtrArray *parts;       /* of OctopusUploadJournalPart */
  /* When this installation created the upload (wall clock, µs): from its first
   * CreateMultipartUpload, on disk before that request goes out, to the answer (0 while
   * there is none).  An open upload of this key the service initiated meanwhile is ours,
   * although its id never reached the journal (killed before, or a retry after a lost
   * reply).  0, 0: not known (a single PUT, or a journal written by an older version). */
  gint64     create_since_us;
  gint64     create_until_us;
} OctopusUploadJournalLane;

typedef struct _OctopusUploadJournalEntry OctopusUploadJournalEntry;

OctopusUploadJournalEntry *octopus_upload_journal_entry_new   (const char *path,
                                                               const char *key,
                                                               gint64      size,
                                                               gint64      mtime_us,
                                                               guint64     part_size,
                                                               const char *md5_base64);
OctopusUploadJournalEntry *octopus_upload_journal_entry_ref   (OctopusUploadJournalEntry *entry);
void                       octopus_upload_journal_entry_unref (OctopusUploadJournalEntry *entry);

const char *octopus_upload_journal_entry_get_path      (OctopusUploadJournalEntry *entry);
const char *octopus_upload_journal_entry_get_key       (OctopusUploadJournalEntry *entry);
gint64      octopus_upload_journal_entry_get_size      (OctopusUploadJournalEntry *entry);
gint64      octopus_upload_journal_entry_get_mtime     (OctopusUploadJournalEntry *entry);
guint64     octopus_upload_journal_entry_get_part_size (OctopusUploadJournalEntry *entry);
const char *octopus_upload_journal_entry_get_md5       (OctopusUploadJournalEntry *entry);
/* What the file was when queued (or when its upload began); resets the multipart data. */
void        octopus_upload_journal_entry_set_file      (OctopusUploadJournalEntry *entry,
                                                        gint64      size,
                                                        gint64      mtime_us);
/* Multipart: the part size and whole-file MD5 (0 and NULL: single PUT, or not known yet). */
void        octopus_upload_journal_entry_set_multipart (OctopusUploadJournalEntry *entry,
                                                        guint64     part_size,
                                                        const char *md5_base64);
/* NULL when the entry knows nothing about @service_name. */
OctopusUploadJournalLane *octopus_upload_journal_entry_get_lane (OctopusUploadJournalEntry *entry,
                                                                 const char *service_name);
/* Service names with a lane, for cleanup. */
GList      *octopus_upload_journal_entry_get_services  (OctopusUploadJournalEntry *entry);

void octopus_upload_journal_entry_set_upload    (OctopusUploadJournalEntry *entry,
                                                 const char *service_name,
                                                 const char *bucket,
                                                 const char *upload_id);
/* A CreateMultipartUpload is about to be sent for @service_name in @bucket, at @since_us (wall
 * clock): the lane starts afresh (no upload id, no parts) and records when. */
void octopus_upload_journal_entry_set_creating  (OctopusUploadJournalEntry *entry,
                                                 const char *service_name,
                                                 const char *bucket,
                                                 gint64      since_us);
/* It answered with @upload_id at @until_us; the lane keeps the time it began. */
void octopus_upload_journal_entry_set_created   (OctopusUploadJournalEntry *entry,
                                                 const char *service_name,
                                                 const char *bucket,
                                                 const char *upload_id,
                                                 gint64      until_us);
void octopus_upload_journal_entry_add_part      (OctopusUploadJournalEntry *entry,
                                                 const char *service_name,
                                                 guint       number,
                                                 const char *etag,
                                                 const char *md5_hex);
/* The service holds the file (creates the lane when there is none). */
void octopus_upload_journal_entry_set_completed (OctopusUploadJournalEntry *entry,
                                                 const char *service_name,
                                                 const char *bucket);
/* The service failed for good (access denied, no such bucket, …): do not resume it. */
void octopus_upload_journal_entry_set_gave_up   (OctopusUploadJournalEntry *entry,
                                                 const char *service_name,
                                                 const char *bucket);
/* Is the service settled for this file (holds it, or was given up) in @bucket? */
gboolean octopus_upload_journal_entry_is_settled (OctopusUploadJournalEntry *entry,
                                                  const char *service_name,
                                                  const char *bucket);
void octopus_upload_journal_entry_remove_lane   (OctopusUploadJournalEntry *entry,
                                                 const char *service_name);

/* An abort still owed: @service_name could not be reached to abort @upload_id of @key in
 * @bucket.  Kept in the journal (its own file) until the abort went through, so a service
 * that died mid-upload is cleaned up once it is back, in this run or the next.  Its one
 * lane (@service_name) holds the bucket and upload id; its path is "". */
OctopusUploadJournalEntry *octopus_upload_journal_entry_new_abort (const char *service_name,
                                                                   const char *bucket,
                                                                   const char *key,
                                                                   const char *upload_id);
gboolean    octopus_upload_journal_entry_is_abort      (OctopusUploadJournalEntry *entry);
/* The service of an abort entry. */
const char *octopus_upload_journal_entry_get_abort_service (OctopusUploadJournalEntry *entry);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (OctopusUploadJournalEntry, octopus_upload_journal_entry_unref)

#define OCTOPUS_TYPE_UPLOAD_JOURNAL (octopus_upload_journal_get_type ())
G_DECLARE_FINAL_TYPE (OctopusUploadJournal, octopus_upload_journal, OCTOPUS, UPLOAD_JOURNAL,
                      GObject)

/* @dir NULL → g_get_user_state_dir()/octopus/uploads. */
OctopusUploadJournal *octopus_upload_journal_new    (const char *dir);
const char           *octopus_upload_journal_get_dir (OctopusUploadJournal *self);
/* Every readable entry (unreadable files are skipped with a warning). → GPtrArray of entries */
GPtrArray            *octopus_upload_journal_load   (OctopusUploadJournal *self);
/* The same, read in a worker thread; entries this journal object wrote or removed itself
 * are left out (they belong to transfers of this run). */
void                  octopus_upload_journal_load_async  (OctopusUploadJournal *self,
                                                          GCancellable         *cancellable,
                                                          GAsyncReadyCallback   callback,
                                                          gpointer              user_data);
GPtrArray            *octopus_upload_journal_load_finish (OctopusUploadJournal *self,
                                                          GAsyncResult         *result,
                                                          GError              **error);
/* Synchronous: writes now (after any batch in flight). */
gboolean              octopus_upload_journal_save   (OctopusUploadJournal *self,
                                                     OctopusUploadJournalEntry *entry,
                                                     GError              **error);
void                  octopus_upload_journal_remove (OctopusUploadJournal *self,
                                                     OctopusUploadJournalEntry *entry);
/* Batched (see above): the entry's state as it is when the batch is written. */
void                  octopus_upload_journal_queue_save   (OctopusUploadJournal *self,
                                                           OctopusUploadJournalEntry *entry);
void                  octopus_upload_journal_queue_remove (OctopusUploadJournal *self,
                                                           OctopusUploadJournalEntry *entry);
/* Completes once every change queued before the call is on disk (at once when none is
 * pending, or the journal was closed).  A write that failed was warned about and counts as
 * done: the journal helps a resume, it never stops an upload. */
void                  octopus_upload_journal_sync_async  (OctopusUploadJournal *self,
                                                          GAsyncReadyCallback   callback,
                                                          gpointer              user_data);
gboolean              octopus_upload_journal_sync_finish (OctopusUploadJournal *self,
                                                          GAsyncResult         *result,
                                                          GError              **error);
/* Writes every queued change now, waiting for a batch in flight. */
void                  octopus_upload_journal_flush  (OctopusUploadJournal *self);
/* Flushes, then ignores every later change: the owner quit, and stragglers (uploads being
 * stopped) must not rewrite what the next start resumes from. */
void                  octopus_upload_journal_close  (OctopusUploadJournal *self);

G_END_DECLS
