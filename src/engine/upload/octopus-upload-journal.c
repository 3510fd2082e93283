/* SPDX-License-Identifier: GPL-3.0-or-later */
/* octopus-upload-journal.c — queued uploads not settled yet, persisted as JSON, written in
 * batches by a worker thread. */
#include "config.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "octopus-upload-journal.h"

struct _OctopusUploadJournalEntry
{
  gatomicrefcount  ref;
  char            *path;
  char            *key;
  gint64           size;
  gint64           mtime_us;
  guint64          part_size;
  char            *md5;
  GHashTable      *lanes;       /* service name → OctopusUploadJournalLane */
  char            *abort_service; /* an abort entry's service; NULL: a queued file */
};

static void
journal_part_free (OctopusUploadJournalPart *part)
{
  g_free (part->etag);
  g_free (part->md5_hex);
  g_free (part);
}

static void
journal_lane_free (OctopusUploadJournalLane *lane)
{
  g_free (lane->bucket);
  g_free (lane->upload_id);
  g_ptr_array_unref (lane->parts);
  g_free (lane);
}

static OctopusUploadJournalLane *
journal_lane_new (const char *bucket,
                  const char *upload_id)
{
  OctopusUploadJournalLane *lane = g_new0 (OctopusUploadJournalLane, 1);

  lane->bucket = g_strdup (bucket);
  lane->upload_id = g_strdup (upload_id);
  lane->parts = g_ptr_array_new_with_free_func ((GDestroyNotify) journal_part_free);
  return lane;
}

OctopusUploadJournalEntry *
octopus_upload_journal_entry_new (const char *path,
                                  const char *key,
                                  gint64      size,
                                  gint64      mtime_us,
                                  guint64     part_size,
                                  const char *md5_base64)
{
  OctopusUploadJournalEntry *entry = g_new0 (OctopusUploadJournalEntry, 1);

  g_atomic_ref_count_init (&entry->ref);
  entry->path = g_strdup (path);
  entry->key = g_strdup (key);
  entry->size = size;
  entry->mtime_us = mtime_us;
  entry->part_size = part_size;
  entry->md5 = g_strdup (md5_base64);
  entry->lanes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                        (GDestroyNotify) journal_lane_free);
  return entry;
}

OctopusUploadJournalEntry *
octopus_upload_journal_entry_ref (OctopusUploadJournalEntry *entry)
{
  g_atomic_ref_count_inc (&entry->ref);
  return entry;
}

void
octopus_upload_journal_entry_unref (OctopusUploadJournalEntry *entry)
{
  if (!g_atomic_ref_count_dec (&entry->ref))
    return;
  g_free (entry->path);
  g_free (entry->key);
  g_free (entry->md5);
  g_free (entry->abort_service);
  g_hash_table_unref (entry->lanes);
  g_free (entry);
}

OctopusUploadJournalEntry *
octopus_upload_journal_entry_new_abort (const char *service_name,
                                        const char *bucket,
                                        const char *key,
                                        const char *upload_id)
{
  OctopusUploadJournalEntry *entry = octopus_upload_journal_entry_new ("", key, -1, 0, 0, NULL);

  entry->abort_service = g_strdup (service_name);
  octopus_upload_journal_entry_set_upload (entry, service_name, bucket, upload_id);
  return entry;
}

gboolean octopus_upload_journal_entry_is_abort (OctopusUploadJournalEntry *e)
{ return e->abort_service != NULL; }
const char *octopus_upload_journal_entry_get_abort_service (OctopusUploadJournalEntry *e)
{ return e->abort_service; }
const char *octopus_upload_journal_entry_get_path (OctopusUploadJournalEntry *e) { return e->path; }
const char *octopus_upload_journal_entry_get_key (OctopusUploadJournalEntry *e) { return e->key; }
gint64 octopus_upload_journal_entry_get_size (OctopusUploadJournalEntry *e) { return e->size; }
gint64 octopus_upload_journal_entry_get_mtime (OctopusUploadJournalEntry *e) { return e->mtime_us; }
guint64 octopus_upload_journal_entry_get_part_size (OctopusUploadJournalEntry *e)
{ return e->part_size; }
const char *octopus_upload_journal_entry_get_md5 (OctopusUploadJournalEntry *e) { return e->md5; }

OctopusUploadJournalLane *
octopus_upload_journal_entry_get_lane (OctopusUploadJournalEntry *entry,
                                       const char                *service_name)
{
  return g_hash_table_lookup (entry->lanes, service_name);
}

GList *
octopus_upload_journal_entry_get_services (OctopusUploadJournalEntry *entry)
{
  return g_hash_table_get_keys (entry->lanes);
}

void
octopus_upload_journal_entry_set_upload (OctopusUploadJournalEntry *entry,
                                         const char                *service_name,
                                         const char                *bucket,
                                         const char                *upload_id)
{
  g_hash_table_replace (entry->lanes, g_strdup (service_name),
                        journal_lane_new (bucket, upload_id));
}

void
octopus_upload_journal_entry_add_part (OctopusUploadJournalEntry *entry,
                                       const char                *service_name,
                                       guint                      number,
                                       const char                *etag,
                                       const char                *md5_hex)
{
  OctopusUploadJournalLane *lane = g_hash_table_lookup (entry->lanes, service_name);
  OctopusUploadJournalPart *part;

  g_return_if_fail (lane != NULL);

  part = g_new0 (OctopusUploadJournalPart, 1);
  part->number = number;
  part->etag = g_strdup (etag);
  part->md5_hex = g_strdup (md5_hex);
  g_ptr_array_add (lane->parts, part);
}

void
octopus_upload_journal_entry_set_file (OctopusUploadJournalEntry *entry,
                                       gint64                     size,
                                       gint64                     mtime_us)
{
  entry->size = size;
  entry->mtime_us = mtime_us;
}

void
octopus_upload_journal_entry_set_multipart (OctopusUploadJournalEntry *entry,
                                            guint64                    part_size,
                                            const char                *md5_base64)
{
  entry->part_size = part_size;
  g_free (entry->md5);
  entry->md5 = g_strdup (md5_base64);
}

/* The lane for @service_name in @bucket, made afresh when missing or for another bucket. */
static OctopusUploadJournalLane *
entry_ensure_lane (OctopusUploadJournalEntry *entry,
                   const char                *service_name,
                   const char                *bucket)
{
  OctopusUploadJournalLane *lane = g_hash_table_lookup (entry->lanes, service_name);

  if (lane == NULL || g_strcmp0 (lane->bucket, bucket) != 0)
    {
      lane = journal_lane_new (bucket, NULL);
      g_hash_table_replace (entry->lanes, g_strdup (service_name), lane);
    }
  return lane;
}

void
octopus_upload_journal_entry_set_completed (OctopusUploadJournalEntry *entry,
                                            const char                *service_name,
                                            const char                *bucket)
{
  OctopusUploadJournalLane *lane = entry_ensure_lane (entry, service_name, bucket);

  lane->completed = TRUE;
  lane->gave_up = FALSE;
  /* The upload id and parts are of no use once the object exists. */
  g_clear_pointer (&lane->upload_id, g_free);
  g_ptr_array_set_size (lane->parts, 0);
}

void
octopus_upload_journal_entry_set_gave_up (OctopusUploadJournalEntry *entry,
                                          const char                *service_name,
                                          const char                *bucket)
{
  OctopusUploadJournalLane *lane = entry_ensure_lane (entry, service_name, bucket);

  lane->gave_up = TRUE;
  lane->completed = FALSE;
  g_clear_pointer (&lane->upload_id, g_free);
  g_ptr_array_set_size (lane->parts, 0);
}

gboolean
octopus_upload_journal_entry_is_settled (OctopusUploadJournalEntry *entry,
                                         const char                *service_name,
                                         const char                *bucket)
{
  OctopusUploadJournalLane *lane = g_hash_table_lookup (entry->lanes, service_name);

  return lane != NULL && g_strcmp0 (lane->bucket, bucket) == 0
         && (lane->completed || lane->gave_up);
}

void
octopus_upload_journal_entry_remove_lane (OctopusUploadJournalEntry *entry,
                                          const char                *service_name)
{
  g_hash_table_remove (entry->lanes, service_name);
}

/* ---- the journal directory ---------------------------------------------------------------- */

/* Changes are written at most this often: one batch for a folder of 1,000 files. */
#define FLUSH_DELAY_MS 100

typedef struct {
  char *filename;
  char *data;       /* NULL: remove the file */
} JournalOp;

struct _OctopusUploadJournal
{
  GObject       parent_instance;
  char         *dir;
  GMainContext *context;
  GHashTable   *dirty;      /* filename → entry ref, or NULL to remove; main thread only */
  GHashTable   *known;      /* filenames this object wrote or removed */
  GSource      *timer;
  gboolean      closed;
  GMutex        lock;       /* guards writing */
  GCond         written;
  gboolean      writing;    /* a batch is in a worker thread */
};

G_DEFINE_FINAL_TYPE (OctopusUploadJournal, octopus_upload_journal, G_TYPE_OBJECT)

static void
journal_op_free (JournalOp *op)
{
  g_free (op->filename);
  g_free (op->data);
  g_free (op);
}

static void
entry_unref0 (gpointer entry)
{
  if (entry != NULL)
    octopus_upload_journal_entry_unref (entry);
}

static void
octopus_upload_journal_finalize (GObject *object)
{
  OctopusUploadJournal *self = OCTOPUS_UPLOAD_JOURNAL (object);

  octopus_upload_journal_flush (self);
  if (self->timer != NULL)
    {
      g_source_destroy (self->timer);
      g_source_unref (self->timer);
    }
  g_hash_table_unref (self->dirty);
  g_hash_table_unref (self->known);
  g_main_context_unref (self->context);
  g_mutex_clear (&self->lock);
  g_cond_clear (&self->written);
  g_free (self->dir);
  G_OBJECT_CLASS (octopus_upload_journal_parent_class)->finalize (object);
}

static void
octopus_upload_journal_class_init (OctopusUploadJournalClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = octopus_upload_journal_finalize;
}

static void
octopus_upload_journal_init (OctopusUploadJournal *self)
{
  self->dirty = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, entry_unref0);
  self->known = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->context = g_main_context_ref_thread_default ();
  g_mutex_init (&self->lock);
  g_cond_init (&self->written);
}

OctopusUploadJournal *
octopus_upload_journal_new (const char *dir)
{
  OctopusUploadJournal *self = g_object_new (OCTOPUS_TYPE_UPLOAD_JOURNAL, NULL);

  self->dir = dir ? g_strdup (dir)
                  : g_build_filename (g_get_user_state_dir (), "octopus", "uploads", NULL);
  return self;
}

const char *
octopus_upload_journal_get_dir (OctopusUploadJournal *self)
{
  return self->dir;
}

/* One file per (path, key): a rerun of the same upload finds and replaces it. */
static char *
entry_filename (OctopusUploadJournal      *self,
                OctopusUploadJournalEntry *entry)
{
  OctopusUploadJournalLane *lane =
    entry->abort_service ? g_hash_table_lookup (entry->lanes, entry->abort_service) : NULL;
  /* An abort entry: one file per upload id (a key may have several owed). */
  g_autofree char *id_source =
    lane != NULL ? g_strconcat ("abort\n", entry->abort_service, "\n", lane->bucket, "\n",
                                lane->upload_id, "\n", entry->key, NULL)
                 : g_strconcat (entry->path, "\n", entry->key, NULL);
  g_autofree char *id = g_compute_checksum_for_string (G_CHECKSUM_SHA1, id_source, -1);
  g_autofree char *base = g_strconcat (id, ".json", NULL);

  return g_build_filename (self->dir, base, NULL);
}
static JsonNode *
entry_to_json (OctopusUploadJournalEntry *entry)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  GHashTableIter iter;
  gpointer name, value;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "version");
  /* 3: an abort entry (older versions skip it rather than queue a file ""). */
  json_builder_add_int_value (b, entry->abort_service != NULL ? 3 : 2);
  if (entry->abort_service != NULL)
    {
      json_builder_set_member_name (b, "abort-service");
      json_builder_add_string_value (b, entry->abort_service);
    }
  json_builder_set_member_name (b, "path");
  json_builder_add_string_value (b, entry->path);
  json_builder_set_member_name (b, "key");
  json_builder_add_string_value (b, entry->key);
  json_builder_set_member_name (b, "size");
  json_builder_add_int_value (b, entry->size);
  json_builder_set_member_name (b, "mtime-us");
  json_builder_add_int_value (b, entry->mtime_us);
  if (entry->part_size > 0 && entry->md5 != NULL)
    {
      json_builder_set_member_name (b, "part-size");
      json_builder_add_int_value (b, (gint64) entry->part_size);
      json_builder_set_member_name (b, "md5chksum");
      json_builder_add_string_value (b, entry->md5);
    }
  json_builder_set_member_name (b, "services");
  json_builder_begin_object (b);
  g_hash_table_iter_init (&iter, entry->lanes);
  while (g_hash_table_iter_next (&iter, &name, &value))
    {
      OctopusUploadJournalLane *lane = value;

      json_builder_set_member_name (b, name);
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "bucket");
      json_builder_add_string_value (b, lane->bucket);
      if (lane->upload_id != NULL)
        {
          json_builder_set_member_name (b, "upload-id");
          json_builder_add_string_value (b, lane->upload_id);
        }
      json_builder_set_member_name (b, "completed");
      json_builder_add_boolean_value (b, lane->completed);
      json_builder_set_member_name (b, "gave-up");
      json_builder_add_boolean_value (b, lane->gave_up);
      json_builder_set_member_name (b, "parts");
      json_builder_begin_array (b);
      for (guint i = 0; i < lane->parts->len; i++)
        {
          OctopusUploadJournalPart *part = lane->parts->pdata[i];

          json_builder_begin_object (b);
          json_builder_set_member_name (b, "number");
          json_builder_add_int_value (b, part->number);
          json_builder_set_member_name (b, "etag");
          json_builder_add_string_value (b, part->etag);
          json_builder_set_member_name (b, "md5");
          json_builder_add_string_value (b, part->md5_hex);
          json_builder_end_object (b);
        }
      json_builder_end_array (b);
      json_builder_end_object (b);
    }
  json_builder_end_object (b);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

static OctopusUploadJournalEntry *
entry_from_json (JsonNode *root)
{
  JsonObject *o, *services;
  gint64 version;
  g_autoptr(OctopusUploadJournalEntry) entry = NULL;
  g_autoptr(GList) names = NULL;

  if (!JSON_NODE_HOLDS_OBJECT (root))
    return NULL;
  o = json_node_get_object (root);
  version = json_object_get_int_member_with_default (o, "version", 0);
  /* Version 1 journaled multipart uploads only; 2 every queued file; 3 an owed abort. */
  if ((version != 1 && version != 2 && version != 3)
      || !json_object_has_member (o, "path") || !json_object_has_member (o, "key"))
    return NULL;

  entry = octopus_upload_journal_entry_new (
    json_object_get_string_member_with_default (o, "path", NULL),
    json_object_get_string_member_with_default (o, "key", NULL),
    json_object_get_int_member_with_default (o, "size", -1),
    json_object_get_int_member_with_default (o, "mtime-us", 0),
    (guint64) json_object_get_int_member_with_default (o, "part-size", 0),
    json_object_get_string_member_with_default (o, "md5chksum", NULL));
  if (entry->path == NULL || entry->key == NULL || *entry->key == '\0')
    return NULL;
  if (version == 3)
    {
      const char *service = json_object_get_string_member_with_default (o, "abort-service", NULL);

      if (service == NULL)
        return NULL;
      entry->abort_service = g_strdup (service);
    }
  if (entry->md5 == NULL || entry->part_size == 0)
    octopus_upload_journal_entry_set_multipart (entry, 0, NULL);

  services = json_object_get_object_member (o, "services");
  if (services != NULL)
    names = json_object_get_members (services);
  for (GList *l = names; l != NULL; l = l->next)
    {
      JsonObject *lo = json_object_get_object_member (services, l->data);
      JsonArray *parts;
      OctopusUploadJournalLane *lane;

      if (lo == NULL)
        continue;
      octopus_upload_journal_entry_set_upload (
        entry, l->data,
        json_object_get_string_member_with_default (lo, "bucket", NULL),
        json_object_get_string_member_with_default (lo, "upload-id", NULL));
      lane = octopus_upload_journal_entry_get_lane (entry, l->data);
      lane->completed = json_object_get_boolean_member_with_default (lo, "completed", FALSE);
      lane->gave_up = json_object_get_boolean_member_with_default (lo, "gave-up", FALSE);
      parts = json_object_get_array_member (lo, "parts");
      for (guint i = 0; parts != NULL && i < json_array_get_length (parts); i++)
        {
          JsonObject *po = json_array_get_object_element (parts, i);

          if (po == NULL)
            continue;
          octopus_upload_journal_entry_add_part (
            entry, l->data,
            (guint) json_object_get_int_member_with_default (po, "number", 0),
            json_object_get_string_member_with_default (po, "etag", NULL),
            json_object_get_string_member_with_default (po, "md5", NULL));
        }
    }
  return g_steal_pointer (&entry);
}

static GPtrArray *
journal_read_dir (const char *dirname)
{
  g_autoptr(GPtrArray) entries =
    g_ptr_array_new_with_free_func ((GDestroyNotify) octopus_upload_journal_entry_unref);
  g_autoptr(GDir) dir = g_dir_open (dirname, 0, NULL);
  const char *name;

  if (dir == NULL)
    return g_steal_pointer (&entries);   /* nothing was ever journaled */

  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = NULL;
      g_autoptr(JsonParser) parser = NULL;
      g_autoptr(GError) error = NULL;
      OctopusUploadJournalEntry *entry;

      if (!g_str_has_suffix (name, ".json"))
        continue;
      path = g_build_filename (dirname, name, NULL);
      parser = json_parser_new ();
      if (!json_parser_load_from_file (parser, path, &error))
        {
          g_warning ("Ignoring unreadable upload journal %s: %s", path, error->message);
          continue;
        }
      entry = entry_from_json (json_parser_get_root (parser));
      if (entry == NULL)
        {
          g_warning ("Ignoring malformed upload journal %s", path);
          continue;
        }
      g_ptr_array_add (entries, entry);
    }
  return g_steal_pointer (&entries);
}

GPtrArray *
octopus_upload_journal_load (OctopusUploadJournal *self)
{
  octopus_upload_journal_flush (self);
  return journal_read_dir (self->dir);
}

static void
load_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  g_task_return_pointer (task, journal_read_dir (task_data), (GDestroyNotify) g_ptr_array_unref);
}

void
octopus_upload_journal_load_async (OctopusUploadJournal *self,
                                   GCancellable         *cancellable,
                                   GAsyncReadyCallback   callback,
                                   gpointer              user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, octopus_upload_journal_load_async);
  g_task_set_task_data (task, g_strdup (self->dir), g_free);
  g_task_run_in_thread (task, load_thread);
}

GPtrArray *
octopus_upload_journal_load_finish (OctopusUploadJournal *self,
                                    GAsyncResult         *result,
                                    GError              **error)
{
  GPtrArray *entries;

  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  entries = g_task_propagate_pointer (G_TASK (result), error);
  for (guint i = entries ? entries->len : 0; i > 0; i--)
    {
      g_autofree char *filename = entry_filename (self, entries->pdata[i - 1]);

      if (g_hash_table_contains (self->known, filename))
        g_ptr_array_remove_index (entries, i - 1);
    }
  return entries;
}

/* ---- writing ------------------------------------------------------------------------------ */

/* Runs in a worker thread, or in the caller's for a synchronous flush. */
static void
journal_write_ops (const char *dir,
                   GPtrArray  *ops)
{
  gboolean dir_made = FALSE;

  for (guint i = 0; i < ops->len; i++)
    {
      JournalOp *op = ops->pdata[i];
      g_autoptr(GError) error = NULL;

      if (op->data == NULL)
        {
          if (g_unlink (op->filename) != 0 && errno != ENOENT)
            g_warning ("Cannot remove upload journal %s: %s", op->filename, g_strerror (errno));
          continue;
        }
      if (!dir_made && g_mkdir_with_parents (dir, 0700) != 0)
        {
          g_warning ("Cannot create %s: %s", dir, g_strerror (errno));
          return;
        }
      dir_made = TRUE;
      /* CONSISTENT: written to a temporary file and renamed over, so a crash never leaves a
       * half-written journal.  Not DURABLE: a journal line lost to a power cut only means the
       * resume learns that part from ListParts instead (or resends it).  Losing the journal
       * costs a resume, never correctness: warn and carry on. */
      if (!g_file_set_contents_full (op->filename, op->data, -1, G_FILE_SET_CONTENTS_CONSISTENT,
                                     0600, &error))
        g_warning ("Cannot save the upload journal: %s", error->message);
    }
}

/* Serializes the dirty entries as they are now (main thread: entries change only there). */
static GPtrArray *
journal_take_ops (OctopusUploadJournal *self)
{
  GPtrArray *ops = g_ptr_array_new_with_free_func ((GDestroyNotify) journal_op_free);
  GHashTableIter iter;
  gpointer filename, entry;

  g_hash_table_iter_init (&iter, self->dirty);
  while (g_hash_table_iter_next (&iter, &filename, &entry))
    {
      JournalOp *op = g_new0 (JournalOp, 1);

      op->filename = g_strdup (filename);
      if (entry != NULL)
        {
          g_autoptr(JsonNode) root = entry_to_json (entry);
          op->data = json_to_string (root, FALSE);
        }
      g_ptr_array_add (ops, op);
    }
  g_hash_table_remove_all (self->dirty);
  return ops;
}

static void
journal_wait_idle (OctopusUploadJournal *self)
{
  g_mutex_lock (&self->lock);
  while (self->writing)
    g_cond_wait (&self->written, &self->lock);
  g_mutex_unlock (&self->lock);
}

static void
write_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  OctopusUploadJournal *self = source_object;

  journal_write_ops (self->dir, task_data);
  g_mutex_lock (&self->lock);
  self->writing = FALSE;
  g_cond_broadcast (&self->written);
  g_mutex_unlock (&self->lock);
  g_task_return_boolean (task, TRUE);
}

static void journal_schedule (OctopusUploadJournal *self);

static void
batch_written_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  OctopusUploadJournal *self = OCTOPUS_UPLOAD_JOURNAL (source);

  /* Changes made while the batch was being written go in the next one. */
  if (g_hash_table_size (self->dirty) > 0)
    journal_schedule (self);
}

static gboolean
flush_timer_cb (gpointer user_data)
{
  OctopusUploadJournal *self = user_data;
  g_autoptr(GTask) task = NULL;
  gboolean busy;

  g_clear_pointer (&self->timer, g_source_unref);
  g_mutex_lock (&self->lock);
  busy = self->writing;
  self->writing = !busy;
  g_mutex_unlock (&self->lock);
  if (busy)
    return G_SOURCE_REMOVE;   /* batch_written_cb schedules the next batch */

  task = g_task_new (self, NULL, batch_written_cb, NULL);
  g_task_set_source_tag (task, flush_timer_cb);
  g_task_set_task_data (task, journal_take_ops (self), (GDestroyNotify) g_ptr_array_unref);
  g_task_run_in_thread (task, write_thread);
  return G_SOURCE_REMOVE;
}

static void
journal_schedule (OctopusUploadJournal *self)
{
  if (self->timer != NULL)
    return;
  /* Not restarted by later changes: a change waits FLUSH_DELAY_MS at most. */
  self->timer = g_timeout_source_new (FLUSH_DELAY_MS);
  g_source_set_callback (self->timer, flush_timer_cb, self, NULL);
  g_source_set_static_name (self->timer, "octopus-upload-journal");
  g_source_attach (self->timer, self->context);
}

static void
journal_mark (OctopusUploadJournal      *self,
              OctopusUploadJournalEntry *entry,
              gboolean                   keep)
{
  char *filename;

  if (self->closed)
    return;
  filename = entry_filename (self, entry);
  g_hash_table_add (self->known, g_strdup (filename));
  g_hash_table_replace (self->dirty, filename,
                        keep ? octopus_upload_journal_entry_ref (entry) : NULL);
  journal_schedule (self);
}

void
octopus_upload_journal_queue_save (OctopusUploadJournal      *self,
                                   OctopusUploadJournalEntry *entry)
{
  g_return_if_fail (OCTOPUS_IS_UPLOAD_JOURNAL (self));
  journal_mark (self, entry, TRUE);
}

void
octopus_upload_journal_queue_remove (OctopusUploadJournal      *self,
                                     OctopusUploadJournalEntry *entry)
{
  g_return_if_fail (OCTOPUS_IS_UPLOAD_JOURNAL (self));
  journal_mark (self, entry, FALSE);
}

void
octopus_upload_journal_flush (OctopusUploadJournal *self)
{
  g_autoptr(GPtrArray) ops = NULL;

  g_return_if_fail (OCTOPUS_IS_UPLOAD_JOURNAL (self));

  /* The batch in flight first, so that ours lands after it. */
  journal_wait_idle (self);
  if (g_hash_table_size (self->dirty) == 0)
    return;
  ops = journal_take_ops (self);
  journal_write_ops (self->dir, ops);
}

void
octopus_upload_journal_close (OctopusUploadJournal *self)
{
  g_return_if_fail (OCTOPUS_IS_UPLOAD_JOURNAL (self));

  octopus_upload_journal_flush (self);
  self->closed = TRUE;
}

gboolean
octopus_upload_journal_save (OctopusUploadJournal      *self,
                             OctopusUploadJournalEntry *entry,
                             GError                   **error)
{
  g_return_val_if_fail (OCTOPUS_IS_UPLOAD_JOURNAL (self), FALSE);

  if (self->closed)
    return TRUE;
  journal_mark (self, entry, TRUE);
  octopus_upload_journal_flush (self);
  return TRUE;
}

void
octopus_upload_journal_remove (OctopusUploadJournal      *self,
                               OctopusUploadJournalEntry *entry)
{
  g_return_if_fail (OCTOPUS_IS_UPLOAD_JOURNAL (self));

  journal_mark (self, entry, FALSE);
  octopus_upload_journal_flush (self);
}
