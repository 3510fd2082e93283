/* SPDX-License-Identifier: GPL-3.0-or-later */
/* octopus-upload-journal.c — queued uploads not settled yet, persisted as JSON, written in
 * batches by a worker thread. */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <time.h>
#include <glib/gstdio.h>

#include "octopus-upload-journal-private.h"

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
  /* Generations, for sync_async(): every change counts one; a batch carries all counted
   * before it was taken.  Main thread only. */
  guint64       marked;     /* changes counted so far */
  guint64       on_disk;    /* every change up to this one is written */
  GQueue        syncs;      /* Sync*, oldest first */
};

typedef struct {
  guint64  gen;
  GTask   *task;
} Sync;

typedef struct {
  GPtrArray *ops;           /* of JournalOp */
  guint64    gen;           /* every change up to this one is in ops (or written before) */
} Batch;

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

/* Changes up to @gen are on disk: answer the sync_async() callers that waited for them. */
static void
journal_written (OctopusUploadJournal *self,
                 guint64               gen)
{
  Sync *sync;

  self->on_disk = MAX (self->on_disk, gen);
  while ((sync = g_queue_peek_head (&self->syncs)) != NULL && sync->gen <= self->on_disk)
    {
      g_queue_pop_head (&self->syncs);
      g_task_return_boolean (sync->task, TRUE);
      g_object_unref (sync->task);
      g_free (sync);
    }
}

static void
octopus_upload_journal_finalize (GObject *object)
{
  OctopusUploadJournal *self = OCTOPUS_UPLOAD_JOURNAL (object);

  /* No sync is waiting: each holds a reference. */
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

static char *
entry_filename (OctopusUploadJournal      *self,
                OctopusUploadJournalEntry *entry)
{
  g_autofree char *id = _octopus_upload_journal_entry_file_id (entry);
  g_autofree char *base = g_strconcat (id, ".json", NULL);

  return g_build_filename (self->dir, base, NULL);
}

/* g_file_set_contents_full() writes NAME.json.XXXXXX and renames it over NAME.json: a process
 * killed in between leaves that temporary file behind for good.  One older than a minute is
 * such an orphan (a write takes milliseconds; another process's write in progress is young). */
static void
journal_remove_orphan (const char *dirname,
                       const char *name)
{
  g_autofree char *path = NULL;
  GStatBuf st;

  if (g_str_has_suffix (name, ".json") || strstr (name, ".json.") == NULL)
    return;
  path = g_build_filename (dirname, name, NULL);
  if (g_stat (path, &st) == 0 && st.st_mtime < time (NULL) - 60 && g_unlink (path) == 0)
    g_debug ("Removed %s, left by an interrupted journal write", path);
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

      journal_remove_orphan (dirname, name);
      if (!g_str_has_suffix (name, ".json"))
        continue;
      path = g_build_filename (dirname, name, NULL);
      parser = json_parser_new ();
      if (!json_parser_load_from_file (parser, path, &error))
        {
          g_warning ("Ignoring unreadable upload journal %s: %s", path, error->message);
          continue;
        }
      entry = _octopus_upload_journal_entry_from_json (json_parser_get_root (parser));
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
          g_autoptr(JsonNode) root = _octopus_upload_journal_entry_to_json (entry);
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
batch_free (Batch *batch)
{
  g_ptr_array_unref (batch->ops);
  g_free (batch);
}

static void
write_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  OctopusUploadJournal *self = source_object;
  Batch *batch = task_data;

  journal_write_ops (self->dir, batch->ops);
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

  journal_written (self, ((Batch *) g_task_get_task_data (G_TASK (result)))->gen);
  /* Changes made while the batch was being written go in the next one. */
  if (g_hash_table_size (self->dirty) > 0)
    journal_schedule (self);
}

static gboolean
flush_timer_cb (gpointer user_data)
{
  OctopusUploadJournal *self = user_data;
  g_autoptr(GTask) task = NULL;
  Batch *batch;
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
  batch = g_new0 (Batch, 1);
  batch->gen = self->marked;
  batch->ops = journal_take_ops (self);
  g_task_set_task_data (task, batch, (GDestroyNotify) batch_free);
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
  self->marked++;
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
  guint64 gen;

  g_return_if_fail (OCTOPUS_IS_UPLOAD_JOURNAL (self));

  /* The batch in flight first, so that ours lands after it. */
  journal_wait_idle (self);
  gen = self->marked;
  if (g_hash_table_size (self->dirty) > 0)
    {
      ops = journal_take_ops (self);
      journal_write_ops (self->dir, ops);
    }
  /* Everything counted is on disk now (a batch that was in flight included). */
  journal_written (self, gen);
}

void
octopus_upload_journal_sync_async (OctopusUploadJournal *self,
                                   GAsyncReadyCallback   callback,
                                   gpointer              user_data)
{
  g_autoptr(GTask) task = NULL;
  Sync *sync;

  g_return_if_fail (OCTOPUS_IS_UPLOAD_JOURNAL (self));

  task = g_task_new (self, NULL, callback, user_data);
  g_task_set_source_tag (task, octopus_upload_journal_sync_async);
  /* Closed: nothing more will be written, and nobody should wait for it. */
  if (self->closed || self->on_disk >= self->marked)
    {
      g_task_return_boolean (task, TRUE);
      return;
    }
  sync = g_new0 (Sync, 1);
  sync->gen = self->marked;
  sync->task = g_steal_pointer (&task);
  g_queue_push_tail (&self->syncs, sync);
}

gboolean
octopus_upload_journal_sync_finish (OctopusUploadJournal *self,
                                    GAsyncResult         *result,
                                    GError              **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
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
