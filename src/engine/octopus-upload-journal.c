/* octopus-upload-journal.c — multipart uploads in progress, persisted as JSON. */
#include "config.h"

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
  g_hash_table_unref (entry->lanes);
  g_free (entry);
}

const char *octopus_upload_journal_entry_get_path (OctopusUploadJournalEntry *e) { return e->path; }
const char *octopus_upload_journal_entry_get_key (OctopusUploadJournalEntry *e) { return e->key; }
gint64 octopus_upload_journal_entry_get_size (OctopusUploadJournalEntry *e) { return e->size; }
gint64 octopus_upload_journal_entry_get_mtime (OctopusUploadJournalEntry *e) { return e->mtime_us; }
guint64 octopus_upload_journal_entry_get_part_size (OctopusUploadJournalEntry *e) { return e->part_size; }
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
octopus_upload_journal_entry_set_completed (OctopusUploadJournalEntry *entry,
                                            const char                *service_name)
{
  OctopusUploadJournalLane *lane = g_hash_table_lookup (entry->lanes, service_name);

  g_return_if_fail (lane != NULL);
  lane->completed = TRUE;
  /* The parts are of no use once the object exists. */
  g_ptr_array_set_size (lane->parts, 0);
}

void
octopus_upload_journal_entry_remove_lane (OctopusUploadJournalEntry *entry,
                                          const char                *service_name)
{
  g_hash_table_remove (entry->lanes, service_name);
}

/* ---- the journal directory ---------------------------------------------------------------- */

struct _OctopusUploadJournal
{
  GObject  parent_instance;
  char    *dir;
};

G_DEFINE_FINAL_TYPE (OctopusUploadJournal, octopus_upload_journal, G_TYPE_OBJECT)

static void
octopus_upload_journal_finalize (GObject *object)
{
  OctopusUploadJournal *self = OCTOPUS_UPLOAD_JOURNAL (object);

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
  g_autofree char *id_source = g_strconcat (entry->path, "\n", entry->key, NULL);
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
  json_builder_add_int_value (b, 1);
  json_builder_set_member_name (b, "path");
  json_builder_add_string_value (b, entry->path);
  json_builder_set_member_name (b, "key");
  json_builder_add_string_value (b, entry->key);
  json_builder_set_member_name (b, "size");
  json_builder_add_int_value (b, entry->size);
  json_builder_set_member_name (b, "mtime-us");
  json_builder_add_int_value (b, entry->mtime_us);
  json_builder_set_member_name (b, "part-size");
  json_builder_add_int_value (b, (gint64) entry->part_size);
  json_builder_set_member_name (b, "md5chksum");
  json_builder_add_string_value (b, entry->md5);
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
      json_builder_set_member_name (b, "upload-id");
      json_builder_add_string_value (b, lane->upload_id);
      json_builder_set_member_name (b, "completed");
      json_builder_add_boolean_value (b, lane->completed);
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
  g_autoptr(OctopusUploadJournalEntry) entry = NULL;
  g_autoptr(GList) names = NULL;

  if (!JSON_NODE_HOLDS_OBJECT (root))
    return NULL;
  o = json_node_get_object (root);
  if (json_object_get_int_member_with_default (o, "version", 0) != 1
      || !json_object_has_member (o, "path") || !json_object_has_member (o, "key")
      || !json_object_has_member (o, "md5chksum"))
    return NULL;

  entry = octopus_upload_journal_entry_new (
    json_object_get_string_member (o, "path"),
    json_object_get_string_member (o, "key"),
    json_object_get_int_member_with_default (o, "size", -1),
    json_object_get_int_member_with_default (o, "mtime-us", 0),
    (guint64) json_object_get_int_member_with_default (o, "part-size", 0),
    json_object_get_string_member (o, "md5chksum"));
  if (entry->path == NULL || entry->key == NULL || entry->md5 == NULL || entry->part_size == 0)
    return NULL;

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

GPtrArray *
octopus_upload_journal_load (OctopusUploadJournal *self)
{
  g_autoptr(GPtrArray) entries =
    g_ptr_array_new_with_free_func ((GDestroyNotify) octopus_upload_journal_entry_unref);
  g_autoptr(GDir) dir = g_dir_open (self->dir, 0, NULL);
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
      path = g_build_filename (self->dir, name, NULL);
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

gboolean
octopus_upload_journal_save (OctopusUploadJournal      *self,
                             OctopusUploadJournalEntry *entry,
                             GError                   **error)
{
  g_autoptr(JsonNode) root = entry_to_json (entry);
  g_autofree char *data = json_to_string (root, FALSE);
  g_autofree char *filename = entry_filename (self, entry);

  if (g_mkdir_with_parents (self->dir, 0700) != 0)
    {
      int errsv = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
                   "Cannot create %s: %s", self->dir, g_strerror (errsv));
      return FALSE;
    }
  /* CONSISTENT: written to a temporary file and renamed over, so a crash never leaves a
   * half-written journal.  Not DURABLE: a journal line lost to a power cut only means the
   * resume learns that part from ListParts instead (or resends it). */
  return g_file_set_contents_full (filename, data, -1, G_FILE_SET_CONTENTS_CONSISTENT,
                                   0600, error);
}

void
octopus_upload_journal_remove (OctopusUploadJournal      *self,
                               OctopusUploadJournalEntry *entry)
{
  g_autofree char *filename = entry_filename (self, entry);

  if (g_unlink (filename) != 0 && errno != ENOENT)
    g_warning ("Cannot remove upload journal %s: %s", filename, g_strerror (errno));
}
