/* octopus-hash-cache.c — service + key + ETag/size/mtime → content MD5, persisted as JSON. */
#include "config.h"

#include <json-glib/json-glib.h>

#include "octopus-hash-cache.h"

typedef struct {
  char   *etag;
  gint64  size;
  gint64  last_modified;
  char   *md5;            /* NULL: known to have no comparable MD5 */
} Entry;

struct _OctopusHashCache
{
  GObject     parent_instance;

  char       *path;
  GHashTable *entries;    /* "service_id\nkey" → Entry */
  gboolean    dirty;
};

G_DEFINE_FINAL_TYPE (OctopusHashCache, octopus_hash_cache, G_TYPE_OBJECT)

static void
entry_free (Entry *entry)
{
  g_free (entry->etag);
  g_free (entry->md5);
  g_free (entry);
}

static void
octopus_hash_cache_finalize (GObject *object)
{
  OctopusHashCache *self = OCTOPUS_HASH_CACHE (object);

  g_clear_pointer (&self->entries, g_hash_table_unref);
  g_clear_pointer (&self->path, g_free);

  G_OBJECT_CLASS (octopus_hash_cache_parent_class)->finalize (object);
}

static void
octopus_hash_cache_class_init (OctopusHashCacheClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = octopus_hash_cache_finalize;
}

static void
octopus_hash_cache_init (OctopusHashCache *self)
{
  self->entries = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                         (GDestroyNotify) entry_free);
}

static char *
make_id (const char *service_id,
         const char *key)
{
  return g_strconcat (service_id, "\n", key, NULL);
}

static void
load (OctopusHashCache *self)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonNode *root;
  JsonObject *entries;
  g_autoptr(GList) members = NULL;

  if (!json_parser_load_from_file (parser, self->path, NULL))
    return;
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return;
  entries = json_object_get_object_member (json_node_get_object (root), "entries");
  if (entries == NULL)
    return;

  members = json_object_get_members (entries);
  for (GList *l = members; l != NULL; l = l->next)
    {
      JsonNode *node = json_object_get_member (entries, l->data);
      JsonObject *o;
      Entry *entry;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        continue;
      o = json_node_get_object (node);
      entry = g_new0 (Entry, 1);
      entry->etag = g_strdup (json_object_get_string_member_with_default (o, "etag", ""));
      entry->size = json_object_get_int_member_with_default (o, "size", -1);
      entry->last_modified = json_object_get_int_member_with_default (o, "mtime", 0);
      entry->md5 = g_strdup (json_object_get_string_member_with_default (o, "md5", NULL));
      g_hash_table_replace (self->entries, g_strdup (l->data), entry);
    }
}

OctopusHashCache *
octopus_hash_cache_new (const char *path)
{
  OctopusHashCache *self = g_object_new (OCTOPUS_TYPE_HASH_CACHE, NULL);

  self->path = g_strdup (path);
  if (path != NULL)
    load (self);
  return self;
}

char *
octopus_hash_cache_default_path (void)
{
  return g_build_filename (g_get_user_cache_dir (), "octopus", "md5-cache.json", NULL);
}

gboolean
octopus_hash_cache_lookup (OctopusHashCache      *self,
                           const char            *service_id,
                           const OctopusS3Object *object,
                           char                 **md5)
{
  g_autofree char *id = NULL;
  Entry *entry;

  g_return_val_if_fail (OCTOPUS_IS_HASH_CACHE (self), FALSE);
  g_return_val_if_fail (md5 != NULL, FALSE);

  *md5 = NULL;
  id = make_id (service_id, object->key);
  entry = g_hash_table_lookup (self->entries, id);
  if (entry == NULL || g_strcmp0 (entry->etag, object->etag ? object->etag : "") != 0 ||
      entry->size != object->size || entry->last_modified != object->last_modified)
    return FALSE;
  *md5 = g_strdup (entry->md5);
  return TRUE;
}

void
octopus_hash_cache_store (OctopusHashCache      *self,
                          const char            *service_id,
                          const OctopusS3Object *object,
                          const char            *md5)
{
  Entry *entry;

  g_return_if_fail (OCTOPUS_IS_HASH_CACHE (self));

  entry = g_new0 (Entry, 1);
  entry->etag = g_strdup (object->etag ? object->etag : "");
  entry->size = object->size;
  entry->last_modified = object->last_modified;
  entry->md5 = g_strdup (md5);
  g_hash_table_replace (self->entries, make_id (service_id, object->key), entry);
  self->dirty = TRUE;
}

gboolean
octopus_hash_cache_save (OctopusHashCache  *self,
                         GError           **error)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *text = NULL;
  GHashTableIter iter;
  gpointer id, value;

  g_return_val_if_fail (OCTOPUS_IS_HASH_CACHE (self), FALSE);

  if (self->path == NULL || !self->dirty)
    return TRUE;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "version");
  json_builder_add_int_value (builder, 1);
  json_builder_set_member_name (builder, "entries");
  json_builder_begin_object (builder);
  g_hash_table_iter_init (&iter, self->entries);
  while (g_hash_table_iter_next (&iter, &id, &value))
    {
      Entry *entry = value;

      json_builder_set_member_name (builder, id);
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "etag");
      json_builder_add_string_value (builder, entry->etag);
      json_builder_set_member_name (builder, "size");
      json_builder_add_int_value (builder, entry->size);
      json_builder_set_member_name (builder, "mtime");
      json_builder_add_int_value (builder, entry->last_modified);
      if (entry->md5 != NULL)
        {
          json_builder_set_member_name (builder, "md5");
          json_builder_add_string_value (builder, entry->md5);
        }
      json_builder_end_object (builder);
    }
  json_builder_end_object (builder);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  text = json_generator_to_data (generator, NULL);

  dir = g_path_get_dirname (self->path);
  if (g_mkdir_with_parents (dir, 0700) != 0 ||
      !g_file_set_contents_full (self->path, text, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0600, error))
    {
      if (error != NULL && *error == NULL)
        g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_FAILED, "Cannot create %s", dir);
      return FALSE;
    }
  self->dirty = FALSE;
  return TRUE;
}
