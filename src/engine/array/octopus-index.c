/* SPDX-License-Identifier: GPL-3.0-or-later */
/* octopus-index.c — the array's local index: the API, and the worker thread that runs every
 * SQLite call (octopus-index-db.c) in the order the calls were made. */
#include "config.h"

#include "octopus-index-private.h"

typedef enum { OP_LOAD, OP_STORE, OP_BEGIN, OP_PAGE, OP_COMMIT } OpKind;

typedef struct {
  OpKind      kind;
  char       *service_id;
  char      **service_ids;  /* OP_LOAD */
  GPtrArray  *objects;      /* OP_STORE, OP_PAGE */
  GByteArray *sources;
  GError     *error;        /* the outcome, set by the worker */
  GPtrArray  *listings;     /* OP_LOAD's outcome */
} Op;

/* The worker thread's own state: nobody else touches it. */
typedef struct {
  char        *path;
  GAsyncQueue *queue;
  sqlite3     *db;
} Worker;

struct _OctopusIndex
{
  GObject      parent_instance;

  char        *path;
  GAsyncQueue *queue;       /* of GTask (Op as task data), then the stop marker */
  GThread     *thread;      /* started by the first call */
};

G_DEFINE_FINAL_TYPE (OctopusIndex, octopus_index, G_TYPE_OBJECT)

static int stop_marker;

static void
op_free (Op *op)
{
  g_free (op->service_id);
  g_strfreev (op->service_ids);
  g_clear_pointer (&op->objects, g_ptr_array_unref);
  g_clear_pointer (&op->sources, g_byte_array_unref);
  g_clear_error (&op->error);
  g_clear_pointer (&op->listings, g_ptr_array_unref);
  g_free (op);
}

void
octopus_index_listing_free (OctopusIndexListing *listing)
{
  if (listing == NULL)
    return;
  g_free (listing->service_id);
  g_clear_pointer (&listing->objects, g_ptr_array_unref);
  g_clear_pointer (&listing->sources, g_byte_array_unref);
  g_free (listing);
}

const char *
octopus_md5_source_to_string (OctopusMd5Source source)
{
  switch (source)
    {
    case OCTOPUS_MD5_SOURCE_NONE: return "none";
    case OCTOPUS_MD5_SOURCE_ETAG: return "etag";
    case OCTOPUS_MD5_SOURCE_METADATA: return "metadata";
    case OCTOPUS_MD5_SOURCE_HEAD: return "head";
    case OCTOPUS_MD5_SOURCE_DEEP: return "deep";
    default: return "unknown";
    }
}

/* ---- the worker thread ------------------------------------------------------------------- */

static void
run_op (Worker *w,
        Op     *op)
{
  GError **error = &op->error;
  gboolean ok;

  if (w->db == NULL)
    w->db = _octopus_index_db_open (w->path, error);
  ok = w->db != NULL;
  if (ok && op->kind == OP_LOAD)
    ok = (op->listings = _octopus_index_db_load (w->db, op->service_ids, error)) != NULL;
  if (ok && (op->kind == OP_BEGIN || op->kind == OP_STORE))
    ok = _octopus_index_db_begin (w->db, op->service_id, error);
  if (ok && (op->kind == OP_PAGE || op->kind == OP_STORE))
    ok = _octopus_index_db_add_page (w->db, op->service_id, op->objects, op->sources, error);
  if (ok && (op->kind == OP_COMMIT || op->kind == OP_STORE))
    ok = _octopus_index_db_commit (w->db, op->service_id, error);
}

/* On the task's own main context: hands the worker's outcome to the caller. */
static gboolean
complete_cb (gpointer data)
{
  GTask *task = data;
  Op *op = g_task_get_task_data (task);

  if (op->error != NULL)
    g_task_return_error (task, g_steal_pointer (&op->error));
  else if (op->kind == OP_LOAD)
    g_task_return_pointer (task, g_steal_pointer (&op->listings),
                           (GDestroyNotify) g_ptr_array_unref);
  else
    g_task_return_boolean (task, TRUE);
  return G_SOURCE_REMOVE;
}

/* Runs the queued operations in order until the stop marker.  Each task, with the worker's
 * reference, goes back to its main context to complete: the worker never holds the last
 * reference to a task (nor so to the index), and an operation's callback sees the index
 * with no reference left on this thread. */
static gpointer
worker_main (gpointer data)
{
  Worker *w = data;
  gpointer item;

  while ((item = g_async_queue_pop (w->queue)) != &stop_marker)
    {
      run_op (w, g_task_get_task_data (item));
      g_main_context_invoke_full (g_task_get_context (item), G_PRIORITY_DEFAULT, complete_cb,
                                  item, g_object_unref);
    }
  g_clear_pointer (&w->db, sqlite3_close);
  g_async_queue_unref (w->queue);
  g_free (w->path);
  g_free (w);
  return NULL;
}

static void
push (OctopusIndex *self,
      GTask        *task,
      Op           *op)
{
  g_task_set_task_data (task, op, (GDestroyNotify) op_free);
  if (self->thread == NULL)
    {
      Worker *w = g_new0 (Worker, 1);

      w->path = g_strdup (self->path);
      w->queue = g_async_queue_ref (self->queue);
      self->thread = g_thread_new ("octopus-index", worker_main, w);
    }
  g_async_queue_push (self->queue, g_object_ref (task));
}

/* ---- GObject ------------------------------------------------------------------------------ */

static void
octopus_index_finalize (GObject *object)
{
  OctopusIndex *self = OCTOPUS_INDEX (object);

  /* Every queued task holds a reference: nothing is queued now.  The worker closes the
   * database itself and is joined, so the file is closed when the index is gone. */
  if (self->thread != NULL)
    {
      g_async_queue_push (self->queue, &stop_marker);
      g_thread_join (self->thread);
    }
  g_async_queue_unref (self->queue);
  g_free (self->path);

  G_OBJECT_CLASS (octopus_index_parent_class)->finalize (object);
}

static void
octopus_index_class_init (OctopusIndexClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = octopus_index_finalize;
}

static void
octopus_index_init (OctopusIndex *self)
{
  self->queue = g_async_queue_new ();
}

/* ---- public ------------------------------------------------------------------------------- */

char *
octopus_index_default_path (void)
{
  return g_build_filename (g_get_user_state_dir (), "octopus", "index.sqlite", NULL);
}

OctopusIndex *
octopus_index_new (const char *path)
{
  OctopusIndex *self;

  g_return_val_if_fail (path != NULL, NULL);
  self = g_object_new (OCTOPUS_TYPE_INDEX, NULL);
  self->path = g_strdup (path);
  return self;
}

const char *
octopus_index_get_path (OctopusIndex *self)
{
  g_return_val_if_fail (OCTOPUS_IS_INDEX (self), NULL);
  return self->path;
}

static Op *
op_new (OpKind      kind,
        const char *service_id,
        GPtrArray  *objects,
        GByteArray *sources)
{
  Op *op = g_new0 (Op, 1);

  op->kind = kind;
  op->service_id = g_strdup (service_id);
  op->objects = objects != NULL ? g_ptr_array_ref (objects) : NULL;
  op->sources = sources != NULL ? g_byte_array_ref (sources) : NULL;
  return op;
}

static void
start (OctopusIndex        *self,
       Op                  *op,
       gpointer             source_tag,
       GCancellable        *cancellable,
       GAsyncReadyCallback  callback,
       gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, source_tag);
  push (self, task, op);
}

void
octopus_index_load_async (OctopusIndex        *self,
                          const char * const  *service_ids,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  Op *op;

  g_return_if_fail (OCTOPUS_IS_INDEX (self));
  g_return_if_fail (service_ids != NULL);

  op = op_new (OP_LOAD, NULL, NULL, NULL);
  op->service_ids = g_strdupv ((char **) service_ids);
  start (self, op, octopus_index_load_async, cancellable, callback, user_data);
}

GPtrArray *
octopus_index_load_finish (OctopusIndex  *self,
                           GAsyncResult  *result,
                           GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

void
octopus_index_store_async (OctopusIndex        *self,
                           const char          *service_id,
                           GPtrArray           *objects,
                           GByteArray          *sources,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_return_if_fail (OCTOPUS_IS_INDEX (self));
  g_return_if_fail (service_id != NULL && objects != NULL);
  start (self, op_new (OP_STORE, service_id, objects, sources), octopus_index_store_async,
         cancellable, callback, user_data);
}

void
octopus_index_begin_listing_async (OctopusIndex        *self,
                                   const char          *service_id,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  g_return_if_fail (OCTOPUS_IS_INDEX (self));
  g_return_if_fail (service_id != NULL);
  start (self, op_new (OP_BEGIN, service_id, NULL, NULL), octopus_index_begin_listing_async,
         cancellable, callback, user_data);
}

void
octopus_index_add_page_async (OctopusIndex        *self,
                              const char          *service_id,
                              GPtrArray           *objects,
                              GByteArray          *sources,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_return_if_fail (OCTOPUS_IS_INDEX (self));
  g_return_if_fail (service_id != NULL && objects != NULL);
  start (self, op_new (OP_PAGE, service_id, objects, sources), octopus_index_add_page_async,
         cancellable, callback, user_data);
}

void
octopus_index_commit_listing_async (OctopusIndex        *self,
                                    const char          *service_id,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  g_return_if_fail (OCTOPUS_IS_INDEX (self));
  g_return_if_fail (service_id != NULL);
  start (self, op_new (OP_COMMIT, service_id, NULL, NULL), octopus_index_commit_listing_async,
         cancellable, callback, user_data);
}

gboolean
octopus_index_write_finish (OctopusIndex  *self,
                            GAsyncResult  *result,
                            GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}
