/* octopus-upload-journal.h — the upload queue's memory across restarts.
 *
 * One JSON file per multipart upload in progress, in g_get_user_state_dir()/octopus/uploads/
 * (or a directory given by the caller): the local file (path, size, mtime), the key, the part
 * size, the whole-file MD5 that went into x-amz-meta-md5chksum, and per service the bucket,
 * the upload id and the parts the service acknowledged (number, ETag, local part MD5).  Never
 * a credential.  Files are replaced atomically, so a SIGKILL leaves either the old or the new
 * version.
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
  char      *upload_id;   /* NULL until CreateMultipartUpload answered */
  gboolean   completed;
  GPtrArray *parts;       /* of OctopusUploadJournalPart */
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
/* NULL when the entry knows nothing about @service_name. */
OctopusUploadJournalLane *octopus_upload_journal_entry_get_lane (OctopusUploadJournalEntry *entry,
                                                                 const char *service_name);
/* Service names with a lane, for cleanup. */
GList      *octopus_upload_journal_entry_get_services  (OctopusUploadJournalEntry *entry);

void octopus_upload_journal_entry_set_upload    (OctopusUploadJournalEntry *entry,
                                                 const char *service_name,
                                                 const char *bucket,
                                                 const char *upload_id);
void octopus_upload_journal_entry_add_part      (OctopusUploadJournalEntry *entry,
                                                 const char *service_name,
                                                 guint       number,
                                                 const char *etag,
                                                 const char *md5_hex);
void octopus_upload_journal_entry_set_completed (OctopusUploadJournalEntry *entry,
                                                 const char *service_name);
void octopus_upload_journal_entry_remove_lane   (OctopusUploadJournalEntry *entry,
                                                 const char *service_name);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (OctopusUploadJournalEntry, octopus_upload_journal_entry_unref)

#define OCTOPUS_TYPE_UPLOAD_JOURNAL (octopus_upload_journal_get_type ())
G_DECLARE_FINAL_TYPE (OctopusUploadJournal, octopus_upload_journal, OCTOPUS, UPLOAD_JOURNAL, GObject)

/* @dir NULL → g_get_user_state_dir()/octopus/uploads. */
OctopusUploadJournal *octopus_upload_journal_new    (const char *dir);
const char           *octopus_upload_journal_get_dir (OctopusUploadJournal *self);
/* Every readable entry (unreadable files are skipped with a warning). → GPtrArray of entries */
GPtrArray            *octopus_upload_journal_load   (OctopusUploadJournal *self);
gboolean              octopus_upload_journal_save   (OctopusUploadJournal *self,
                                                     OctopusUploadJournalEntry *entry,
                                                     GError              **error);
void                  octopus_upload_journal_remove (OctopusUploadJournal *self,
                                                     OctopusUploadJournalEntry *entry);

G_END_DECLS
