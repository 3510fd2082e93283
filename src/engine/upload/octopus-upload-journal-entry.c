/* SPDX-License-Identifier: GPL-3.0-or-later */
/* octopus-upload-journal-entry.c — one journal entry (a queued file, or an abort still owed)
 * and its JSON form. */
#include "config.h"

#include "octopus-upload-journal-private.h"

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
octopus_upload_journal_entry_set_creating (OctopusUploadJournalEntry *entry,
                                           const char                *service_name,
                                           const char                *bucket,
                                           gint64                     since_us)
{
  OctopusUploadJournalLane *lane = journal_lane_new (bucket, NULL);

  lane->create_since_us = since_us;
  g_hash_table_replace (entry->lanes, g_strdup (service_name), lane);
}

void
octopus_upload_journal_entry_set_created (OctopusUploadJournalEntry *entry,
                                          const char                *service_name,
                                          const char                *bucket,
                                          const char                *upload_id,
                                          gint64                     until_us)
{
  OctopusUploadJournalLane *old = g_hash_table_lookup (entry->lanes, service_name);
  gint64 since = old != NULL && g_strcmp0 (old->bucket, bucket) == 0 ? old->create_since_us : 0;
  OctopusUploadJournalLane *lane = journal_lane_new (bucket, upload_id);

  lane->create_since_us = since;
  lane->create_until_us = until_us;
  g_hash_table_replace (entry->lanes, g_strdup (service_name), lane);
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

/* ---- JSON --------------------------------------------------------------------------------- */

/* One file per (path, key): a rerun of the same upload finds and replaces it. */
char *
_octopus_upload_journal_entry_file_id (OctopusUploadJournalEntry *entry)
{
  OctopusUploadJournalLane *lane =
    entry->abort_service ? g_hash_table_lookup (entry->lanes, entry->abort_service) : NULL;
  /* An abort entry: one file per upload id (a key may have several owed). */
  g_autofree char *id_source =
    lane != NULL ? g_strconcat ("abort\n", entry->abort_service, "\n", lane->bucket, "\n",
                                lane->upload_id, "\n", entry->key, NULL)
                 : g_strconcat (entry->path, "\n", entry->key, NULL);

  return g_compute_checksum_for_string (G_CHECKSUM_SHA1, id_source, -1);
}

JsonNode *
_octopus_upload_journal_entry_to_json (OctopusUploadJournalEntry *entry)
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
      if (lane->create_since_us > 0)
        {
          json_builder_set_member_name (b, "create-since-us");
          json_builder_add_int_value (b, lane->create_since_us);
        }
      if (lane->create_until_us > 0)
        {
          json_builder_set_member_name (b, "create-until-us");
          json_builder_add_int_value (b, lane->create_until_us);
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

OctopusUploadJournalEntry *
_octopus_upload_journal_entry_from_json (JsonNode *root)
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
      lane->create_since_us = json_object_get_int_member_with_default (lo, "create-since-us", 0);
      lane->create_until_us = json_object_get_int_member_with_default (lo, "create-until-us", 0);
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
