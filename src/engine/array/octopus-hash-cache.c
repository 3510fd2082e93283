/* SPDX-License-Identifier: GPL-3.0-or-later */
/* octopus-hash-cache.c — service + key + ETag/size/mtime → content MD5, persisted as JSON. */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <json-glib/json-glib.h>

#include "octopus-hash-cache.h"

typedef struct {
  char   *etag;
  gint64  size;
  gint64  last_modified;
  char   *md5;            /* NULL: known to have no comparable MD5 */
  guint8  source;         /* OctopusMd5Source: how it was learnt */
} Entry;

typedef enum {
  LOAD_DONE,              /* the file was read (or there is none) */
  LOAD_NOT_STARTED,
  LOAD_RUNNING,           /* a worker thread is reading it */
} LoadState;

struct _OctopusHashCache
{
  GObject     parent_instance;

  char       *path;
  GHashTable *entries;    /* "service_id\nkey" → Entry */
  gboolean    dirty;
  guint       generation; /* bumped by every store */
  LoadState   load_state;
  GQueue      load_waiters; /* of GTask, completed when the worker's read is merged */
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
  /* Every waiter holds a reference to self: none can be left here. */
  g_warn_if_fail (g_queue_is_empty (&self->load_waiters));

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
  g_queue_init (&self->load_waiters);
}

static char *
make_id (const char *service_id,
         const char *key)
{
  return g_strconcat (service_id, "\n", key, NULL);
}

static GHashTable *
new_entry_table (void)
{
  return g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) entry_free);
}

/* Reads and parses @path (blocking: a worker thread, or the synchronous constructor).
 * Touches nothing shared.  → a new table, empty when the file is missing or unreadable. */
static GHashTable *
parse_file (const char *path)
{
  g_autoptr(GHashTable) table = new_entry_table ();
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *text = NULL;
  gsize len = 0;
  JsonNode *root;
  JsonObject *entries;
  g_autoptr(GList) members = NULL;

  if (!g_file_get_contents (path, &text, &len, NULL) ||
      !json_parser_load_from_data (parser, text, (gssize) len, NULL))
    return g_steal_pointer (&table);
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return g_steal_pointer (&table);
  entries = json_object_get_object_member (json_node_get_object (root), "entries");
  if (entries == NULL)
    return g_steal_pointer (&table);

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
      /* Files from before "src" hold what HEADs found. */
      entry->source = json_object_get_int_member_with_default (o, "src",
                                                               OCTOPUS_MD5_SOURCE_HEAD);
      g_hash_table_replace (table, g_strdup (l->data), entry);
    }
  return g_steal_pointer (&table);
}

/* Takes the file's entries into the cache; what was stored meanwhile is newer and stays. */
static void
merge_loaded (OctopusHashCache *self,
              GHashTable       *loaded)
{
  GHashTableIter iter;
  gpointer id, entry;

  g_hash_table_iter_init (&iter, loaded);
  while (g_hash_table_iter_next (&iter, &id, &entry))
    {
      if (g_hash_table_contains (self->entries, id))
        continue;
      g_hash_table_iter_steal (&iter);
      g_hash_table_insert (self->entries, id, entry);
    }
  self->load_state = LOAD_DONE;
}

OctopusHashCache *
octopus_hash_cache_new (const char *path)
{
  OctopusHashCache *self = octopus_hash_cache_new_deferred (path);

  if (path != NULL)
    {
      g_autoptr(GHashTable) loaded = parse_file (path);
      merge_loaded (self, loaded);
    }
  return self;
}

OctopusHashCache *
octopus_hash_cache_new_deferred (const char *path)
{
  OctopusHashCache *self = g_object_new (OCTOPUS_TYPE_HASH_CACHE, NULL);

  self->path = g_strdup (path);
  self->load_state = path != NULL ? LOAD_NOT_STARTED : LOAD_DONE;
  return self;
}

gboolean
octopus_hash_cache_is_loaded (OctopusHashCache *self)
{
  g_return_val_if_fail (OCTOPUS_IS_HASH_CACHE (self), FALSE);
  return self->load_state == LOAD_DONE;
}

static void
load_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  g_task_return_pointer (task, parse_file (task_data), (GDestroyNotify) g_hash_table_unref);
}

/* Back on the caller's thread: merge, then release everyone who waited for the read. */
static void
load_done_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  OctopusHashCache *self = OCTOPUS_HASH_CACHE (source);
  g_autoptr(GHashTable) loaded = g_task_propagate_pointer (G_TASK (result), NULL);
  GTask *waiter;

  /* A synchronous save may have read the file meanwhile; its merge already counts. */
  if (self->load_state == LOAD_RUNNING && loaded != NULL)
    merge_loaded (self, loaded);
  self->load_state = LOAD_DONE;
  while ((waiter = g_queue_pop_head (&self->load_waiters)) != NULL)
    {
      if (!g_task_return_error_if_cancelled (waiter))
        g_task_return_boolean (waiter, TRUE);
      g_object_unref (waiter);
    }
}

void
octopus_hash_cache_load_async (OctopusHashCache    *self,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GTask) reader = NULL;

  g_return_if_fail (OCTOPUS_IS_HASH_CACHE (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, octopus_hash_cache_load_async);
  if (self->load_state == LOAD_DONE)
    {
      g_task_return_boolean (task, TRUE);
      return;
    }
  g_queue_push_tail (&self->load_waiters, g_steal_pointer (&task));
  if (self->load_state == LOAD_RUNNING)
    return;

  /* One read for all waiters; the worker gets only the path, never the table. */
  self->load_state = LOAD_RUNNING;
  reader = g_task_new (self, NULL, load_done_cb, NULL);
  g_task_set_source_tag (reader, load_thread);
  g_task_set_task_data (reader, g_strdup (self->path), g_free);
  g_task_run_in_thread (reader, load_thread);
}

gboolean
octopus_hash_cache_load_finish (OctopusHashCache  *self,
                                GAsyncResult      *result,
                                GError           **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
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
  return octopus_hash_cache_lookup_full (self, service_id, object, md5, NULL);
}

gboolean
octopus_hash_cache_lookup_full (OctopusHashCache      *self,
                                const char            *service_id,
                                const OctopusS3Object *object,
                                char                 **md5,
                                OctopusMd5Source      *source)
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
  if (source != NULL)
    *source = entry->source;
  return TRUE;
}

void
octopus_hash_cache_store (OctopusHashCache      *self,
                          const char            *service_id,
                          const OctopusS3Object *object,
                          const char            *md5)
{
  octopus_hash_cache_store_full (self, service_id, object, md5, OCTOPUS_MD5_SOURCE_HEAD);
}

void
octopus_hash_cache_store_full (OctopusHashCache      *self,
                               const char            *service_id,
                               const OctopusS3Object *object,
                               const char            *md5,
                               OctopusMd5Source       source)
{
  Entry *entry;

  g_return_if_fail (OCTOPUS_IS_HASH_CACHE (self));

  entry = g_new0 (Entry, 1);
  entry->etag = g_strdup (object->etag ? object->etag : "");
  entry->size = object->size;
  entry->last_modified = object->last_modified;
  entry->md5 = g_strdup (md5);
  entry->source = source;
  g_hash_table_replace (self->entries, make_id (service_id, object->key), entry);
  self->dirty = TRUE;
  self->generation++;
}

guint
octopus_hash_cache_prune (OctopusHashCache *self,
                          const char       *service_id,
                          GPtrArray        *listing)
{
  g_autoptr(GHashTable) listed = g_hash_table_new (g_str_hash, g_str_equal);
  g_autofree char *prefix = NULL;
  GHashTableIter iter;
  gpointer id;
  gsize prefix_len;
  guint removed = 0;

  g_return_val_if_fail (OCTOPUS_IS_HASH_CACHE (self), 0);
  g_return_val_if_fail (service_id != NULL && listing != NULL, 0);

  /* Before the load the file's entries are not here: pruning now would miss them. */
  if (self->load_state != LOAD_DONE)
    return 0;

  for (guint i = 0; i < listing->len; i++)
    {
      OctopusS3Object *o = g_ptr_array_index (listing, i);
      g_hash_table_add (listed, o->key);
    }
  prefix = make_id (service_id, "");
  prefix_len = strlen (prefix);
  g_hash_table_iter_init (&iter, self->entries);
  while (g_hash_table_iter_next (&iter, &id, NULL))
    {
      if (strncmp (id, prefix, prefix_len) != 0 ||
          g_hash_table_contains (listed, (const char *) id + prefix_len))
        continue;
      g_hash_table_iter_remove (&iter);
      removed++;
    }
  if (removed > 0)
    {
      self->dirty = TRUE;
      self->generation++;
    }
  return removed;
}

/* The whole cache as the JSON text of the file. */
static char *
serialize (OctopusHashCache *self)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  GHashTableIter iter;
  gpointer id, value;

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
      json_builder_set_member_name (builder, "src");
      json_builder_add_int_value (builder, entry->source);
      json_builder_end_object (builder);
    }
  json_builder_end_object (builder);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  return json_generator_to_data (generator, NULL);
}

/* Creates the folder and replaces the file atomically (this fsyncs: worker thread only, or
 * the synchronous API). */
static gboolean
write_file (const char  *path,
            const char  *text,
            GError     **error)
{
  g_autofree char *dir = g_path_get_dirname (path);

  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved = errno;
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved), "Cannot create %s: %s",
                   dir, g_strerror (saved));
      return FALSE;
    }
  return g_file_set_contents_full (path, text, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0600, error);
}

gboolean
octopus_hash_cache_save (OctopusHashCache  *self,
                         GError           **error)
{
  g_autofree char *text = NULL;

  g_return_val_if_fail (OCTOPUS_IS_HASH_CACHE (self), FALSE);

  if (self->path == NULL || !self->dirty)
    return TRUE;
  /* Never overwrite the file with a cache that has not read it (synchronous API: read now). */
  if (self->load_state != LOAD_DONE)
    {
      g_autoptr(GHashTable) loaded = parse_file (self->path);
      merge_loaded (self, loaded);
    }

  text = serialize (self);
  if (!write_file (self->path, text, error))
    return FALSE;
  self->dirty = FALSE;
  return TRUE;
}

typedef struct {
  char  *path;
  char  *text;
  guint  generation;   /* self->generation when @text was taken */
} SaveData;

static void
save_data_free (SaveData *data)
{
  g_free (data->path);
  g_free (data->text);
  g_free (data);
}

static void
save_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  SaveData *data = task_data;
  GError *error = NULL;

  if (write_file (data->path, data->text, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static void
save_start (GTask *task)
{
  OctopusHashCache *self = g_task_get_source_object (task);
  SaveData *data;

  if (self->path == NULL || !self->dirty)
    {
      g_task_return_boolean (task, TRUE);
      g_object_unref (task);
      return;
    }

  /* The snapshot is taken here, on the caller's thread: the worker never sees the table. */
  data = g_new0 (SaveData, 1);
  data->path = g_strdup (self->path);
  data->text = serialize (self);
  data->generation = self->generation;
  g_task_set_task_data (task, data, (GDestroyNotify) save_data_free);
  g_task_run_in_thread (task, save_thread);
  g_object_unref (task);
}

static void
save_loaded_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  GTask *task = user_data;

  octopus_hash_cache_load_finish (OCTOPUS_HASH_CACHE (source), result, NULL);
  save_start (task);
}

void
octopus_hash_cache_save_async (OctopusHashCache    *self,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (OCTOPUS_IS_HASH_CACHE (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, octopus_hash_cache_save_async);
  /* Writing before the file was read would drop its entries: wait for the read. */
  if (self->path != NULL && self->dirty && self->load_state != LOAD_DONE)
    {
      octopus_hash_cache_load_async (self, NULL, save_loaded_cb, task);
      return;
    }
  save_start (task);
}

gboolean
octopus_hash_cache_save_finish (OctopusHashCache  *self,
                                GAsyncResult      *result,
                                GError           **error)
{
  SaveData *data;

  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  if (!g_task_propagate_boolean (G_TASK (result), error))
    return FALSE;
  /* Entries stored while the file was being written are still unsaved. */
  data = g_task_get_task_data (G_TASK (result));
  if (data != NULL && data->generation == self->generation)
    self->dirty = FALSE;
  return TRUE;
}
