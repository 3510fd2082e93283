/* SPDX-License-Identifier: GPL-3.0-or-later */
/* octopus-array.c — the array: services, the object table, and refresh (list + compare). */
#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>

#include "octopus-array-private.h"

/* HEADs / deep GETs in flight at once, over all services. */
#define MAX_IN_FLIGHT 8

G_DEFINE_FINAL_TYPE (OctopusArray, octopus_array, G_TYPE_OBJECT)

enum { PROP_0, PROP_SHOWING_LAST_KNOWN, PROP_LAST_KNOWN_TIME, N_PROPS };
static GParamSpec *properties[N_PROPS];

static void
octopus_array_finalize (GObject *object)
{
  OctopusArray *self = OCTOPUS_ARRAY (object);

  g_clear_pointer (&self->services, g_ptr_array_unref);
  g_clear_object (&self->table);
  g_clear_object (&self->cache);
  g_clear_pointer (&self->cache_path, g_free);
  g_clear_object (&self->index);
  g_clear_pointer (&self->index_path, g_free);
  g_clear_pointer (&self->erasure_memo, g_hash_table_unref);
  g_clear_pointer (&self->erasure_probes, g_hash_table_unref);

  G_OBJECT_CLASS (octopus_array_parent_class)->finalize (object);
}

static void
octopus_array_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  OctopusArray *self = OCTOPUS_ARRAY (object);

  switch (prop_id)
    {
    case PROP_SHOWING_LAST_KNOWN:
      g_value_set_boolean (value, self->showing_last_known);
      break;
    case PROP_LAST_KNOWN_TIME:
      g_value_set_int64 (value, self->last_known_time);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
octopus_array_class_init (OctopusArrayClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = octopus_array_finalize;
  object_class->get_property = octopus_array_get_property;

  properties[PROP_SHOWING_LAST_KNOWN] =
    g_param_spec_boolean ("showing-last-known", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_LAST_KNOWN_TIME] =
    g_param_spec_int64 ("last-known-time", NULL, NULL, 0, G_MAXINT64, 0,
                        G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
octopus_array_init (OctopusArray *self)
{
  self->cache_path = octopus_hash_cache_default_path ();
  self->index_path = octopus_index_default_path ();
}

OctopusArray *
octopus_array_new (GPtrArray *services)
{
  OctopusArray *self;
  g_autoptr(GPtrArray) names = g_ptr_array_new ();

  g_return_val_if_fail (services != NULL, NULL);

  self = g_object_new (OCTOPUS_TYPE_ARRAY, NULL);
  self->services = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < services->len; i++)
    {
      OctopusService *service = g_ptr_array_index (services, i);
      g_ptr_array_add (self->services, g_object_ref (service));
      g_ptr_array_add (names, (gpointer) octopus_service_get_name (service));
    }
  g_ptr_array_add (names, NULL);
  self->table = octopus_object_table_new ((const char * const *) names->pdata);
  return self;
}

GPtrArray *
octopus_array_get_services (OctopusArray *self)
{
  g_return_val_if_fail (OCTOPUS_IS_ARRAY (self), NULL);
  return self->services;
}

guint
octopus_array_get_n_services (OctopusArray *self)
{
  g_return_val_if_fail (OCTOPUS_IS_ARRAY (self), 0);
  return self->services->len;
}

OctopusService *
octopus_array_get_service (OctopusArray *self,
                           guint         index)
{
  g_return_val_if_fail (OCTOPUS_IS_ARRAY (self), NULL);
  g_return_val_if_fail (index < self->services->len, NULL);
  return g_ptr_array_index (self->services, index);
}

OctopusService *
octopus_array_lookup_service (OctopusArray *self,
                              const char   *name)
{
  int index;

  g_return_val_if_fail (OCTOPUS_IS_ARRAY (self), NULL);
  index = octopus_object_table_lookup_service (self->table, name);
  return index >= 0 ? g_ptr_array_index (self->services, index) : NULL;
}

int
_octopus_array_service_index (OctopusArray  *self,
                              const char    *name,
                              GError       **error)
{
  int index = octopus_object_table_lookup_service (self->table, name);

  if (index < 0)
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                 _("There is no service called “%s”"), name);
  return index;
}

OctopusObjectTable *
octopus_array_get_table (OctopusArray *self)
{
  g_return_val_if_fail (OCTOPUS_IS_ARRAY (self), NULL);
  return self->table;
}

void
octopus_array_set_cache_path (OctopusArray *self,
                              const char   *path)
{
  g_return_if_fail (OCTOPUS_IS_ARRAY (self));

  g_free (self->cache_path);
  self->cache_path = g_strdup (path);
  g_clear_object (&self->cache);
}

OctopusHashCache *
_octopus_array_get_cache (OctopusArray *self)
{
  /* Never read on this (the main) thread: a refresh loads it with
   * octopus_hash_cache_load_async() and waits for it before any lookup. */
  if (self->cache == NULL)
    self->cache = octopus_hash_cache_new_deferred (self->cache_path);
  return self->cache;
}

void
octopus_array_set_index_path (OctopusArray *self,
                              const char   *path)
{
  g_return_if_fail (OCTOPUS_IS_ARRAY (self));

  g_free (self->index_path);
  self->index_path = g_strdup (path);
  g_clear_object (&self->index);
}

OctopusIndex *
_octopus_array_get_index (OctopusArray *self)
{
  /* Opening it is the worker's job: making the object touches no file. */
  if (self->index == NULL && self->index_path != NULL)
    self->index = octopus_index_new (self->index_path);
  return self->index;
}

gboolean
octopus_array_get_showing_last_known (OctopusArray *self)
{
  g_return_val_if_fail (OCTOPUS_IS_ARRAY (self), FALSE);
  return self->showing_last_known;
}

gint64
octopus_array_get_last_known_time (OctopusArray *self)
{
  g_return_val_if_fail (OCTOPUS_IS_ARRAY (self), 0);
  return self->last_known_time;
}

void
_octopus_array_set_last_known (OctopusArray *self,
                               gboolean      showing,
                               gint64        when)
{
  when = showing ? when : 0;
  if (self->showing_last_known != showing)
    {
      self->showing_last_known = showing;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SHOWING_LAST_KNOWN]);
    }
  if (self->last_known_time != when)
    {
      self->last_known_time = when;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LAST_KNOWN_TIME]);
    }
}

guint
octopus_array_get_head_count (OctopusArray *self)
{
  g_return_val_if_fail (OCTOPUS_IS_ARRAY (self), 0);
  return self->head_count;
}

guint
octopus_array_get_deep_hash_count (OctopusArray *self)
{
  g_return_val_if_fail (OCTOPUS_IS_ARRAY (self), 0);
  return self->deep_hash_count;
}

void
octopus_array_set_transferring (OctopusArray *self,
                                const char   *key,
                                const char   *service,
                                gboolean      transferring)
{
  int index;

  g_return_if_fail (OCTOPUS_IS_ARRAY (self));
  index = octopus_object_table_lookup_service (self->table, service);
  g_return_if_fail (index >= 0);
  octopus_object_table_set_transferring (self->table, key, (guint) index, transferring);
}

char *
_octopus_array_service_id (OctopusService *service)
{
  OctopusS3Client *client = octopus_service_get_client (service);

  return g_strconcat (octopus_service_get_name (service), "|",
                      octopus_s3_client_get_endpoint (client), "|",
                      octopus_service_get_bucket (service), NULL);
}

/* ---- refresh ---------------------------------------------------------------------------- */

typedef struct {
  GTask           *task;          /* owned while the job runs */
  guint            service;
  guint            position;      /* of object in its listing */
  OctopusS3Object *object;        /* borrowed from the listing */
} Job;

typedef struct {
  OctopusArrayRefreshFlags flags;
  guint       n;
  GPtrArray **listings;           /* n entries; NULL where the service failed to list */
  GByteArray **sources;           /* n entries: OctopusMd5Source per listed object */
  char      **errors;             /* n entries */
  char      **service_ids;        /* n entries */
  guint       listing_pending;
  GQueue      jobs;               /* of Job, not started yet */
  guint       in_flight;
  gboolean    deep_phase_done;
  guint       saves_pending;      /* the MD5 cache and the index, written at the end */
} RefreshData;

static void
refresh_data_free (RefreshData *data)
{
  for (guint i = 0; i < data->n; i++)
    {
      g_clear_pointer (&data->listings[i], g_ptr_array_unref);
      g_clear_pointer (&data->sources[i], g_byte_array_unref);
      g_free (data->errors[i]);
      g_free (data->service_ids[i]);
    }
  g_free (data->listings);
  g_free (data->sources);
  g_free (data->errors);
  g_free (data->service_ids);
  g_queue_clear_full (&data->jobs, g_free);
  g_free (data);
}

/* Puts a learnt content MD5 where octopus_content_md5() finds it: as md5chksum metadata. */
static void
apply_md5 (OctopusS3Object *object,
           const char      *md5_hex)
{
  char *base64 = octopus_md5_hex_to_base64 (md5_hex);

  if (base64 == NULL)
    return;
  if (object->metadata == NULL)
    object->metadata = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_hash_table_replace (object->metadata, g_strdup ("md5chksum"), base64);
}

/* What a HEAD, a deep check or the cache taught about a listed copy, kept for the index. */
static void
learn_md5 (RefreshData      *data,
           guint             service,
           guint             position,
           const char       *md5_hex,
           OctopusMd5Source  source)
{
  apply_md5 (g_ptr_array_index (data->listings[service], position), md5_hex);
  data->sources[service]->data[position] = source;
}

static void pump_jobs (GTask *task);

static void
save_done (GTask *task)
{
  RefreshData *data = g_task_get_task_data (task);

  if (--data->saves_pending == 0)
    g_task_return_boolean (task, TRUE);
  g_object_unref (task);
}

static void
cache_saved_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!octopus_hash_cache_save_finish (OCTOPUS_HASH_CACHE (source), result, &error))
    g_warning ("Could not save the MD5 cache: %s", error->message);
  save_done (user_data);
}

static void
index_stored_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  save_done (user_data);
}

/* Forgets the MD5s of deleted keys — only when every service listed everything: a service
 * that could not be listed (unreachable, unusable, cut short) says nothing about its keys. */
static void
prune_cache (OctopusArray *self,
             RefreshData  *data)
{
  OctopusHashCache *cache = _octopus_array_get_cache (self);

  for (guint i = 0; i < data->n; i++)
    if (data->listings[i] == NULL || data->errors[i] != NULL)
      return;
  for (guint i = 0; i < data->n; i++)
    octopus_hash_cache_prune (cache, data->service_ids[i], data->listings[i]);
}

static void
finish_refresh (GTask *task)
{
  OctopusArray *self = g_task_get_source_object (task);
  RefreshData *data = g_task_get_task_data (task);

  if (g_task_return_error_if_cancelled (task))
    return;

  /* Without services there is no column to update (and no listing array to pass). */
  if (data->n > 0)
    octopus_object_table_update (self->table, data->listings,
                                 (const char * const *) data->errors);
  _octopus_array_apply_erasure (self);
  /* The table shows listings now, not the index's last known state (a late index load
   * must not put the older state back). */
  self->refreshed = TRUE;
  _octopus_array_set_last_known (self, FALSE, 0);
  prune_cache (self, data);
  /* Both written off the main thread: the window must not stall on the disk. */
  data->saves_pending = 2;
  octopus_hash_cache_save_async (_octopus_array_get_cache (self), NULL, cache_saved_cb,
                                 g_object_ref (task));
  _octopus_array_store_listings_async (self, data->n, data->listings, data->sources,
                                       data->errors, data->service_ids, index_stored_cb,
                                       g_object_ref (task));
}

static void
job_finish (Job *job)
{
  GTask *task = job->task;
  RefreshData *data = g_task_get_task_data (task);

  data->in_flight--;
  g_free (job);
  pump_jobs (task);
  g_object_unref (task);
}

static void
head_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  Job *job = user_data;
  OctopusArray *self = g_task_get_source_object (job->task);
  RefreshData *data = g_task_get_task_data (job->task);
  g_autoptr(OctopusS3Object) info = NULL;
  g_autoptr(GError) error = NULL;

  info = octopus_s3_client_head_object_finish (OCTOPUS_S3_CLIENT (source), result, &error);
  /* Only a HEAD of the very copy that was listed may be cached under its ETag. */
  if (info != NULL && g_strcmp0 (info->etag, job->object->etag) == 0)
    {
      const char *chk = info->metadata ? g_hash_table_lookup (info->metadata, "md5chksum") : NULL;
      g_autofree char *md5 = octopus_md5_base64_to_hex (chk);

      octopus_hash_cache_store_full (_octopus_array_get_cache (self),
                                     data->service_ids[job->service], job->object, md5,
                                     OCTOPUS_MD5_SOURCE_HEAD);
      learn_md5 (data, job->service, job->position, md5, OCTOPUS_MD5_SOURCE_HEAD);
    }
  else if (error != NULL)
    g_debug ("HEAD %s: %s", job->object->key, error->message);
  job_finish (job);
}

static void
deep_pump_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  Job *job = user_data;
  OctopusArray *self = g_task_get_source_object (job->task);
  RefreshData *data = g_task_get_task_data (job->task);
  g_autoptr(GError) error = NULL;
  g_autofree char *md5 = NULL;
  gint64 bytes = 0;

  md5 = _octopus_pump_finish (result, &bytes, &error);
  if (md5 != NULL && bytes == job->object->size)
    {
      octopus_hash_cache_store_full (_octopus_array_get_cache (self),
                                     data->service_ids[job->service], job->object, md5,
                                     OCTOPUS_MD5_SOURCE_DEEP);
      learn_md5 (data, job->service, job->position, md5, OCTOPUS_MD5_SOURCE_DEEP);
    }
  else if (error != NULL)
    g_debug ("Deep check of %s: %s", job->object->key, error->message);
  job_finish (job);
}

static void
deep_get_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  Job *job = user_data;
  g_autoptr(GInputStream) stream = NULL;
  g_autoptr(GError) error = NULL;

  stream = octopus_s3_client_get_object_finish (OCTOPUS_S3_CLIENT (source), result, NULL, &error);
  if (stream == NULL)
    {
      g_debug ("Deep check of %s: %s", job->object->key, error->message);
      job_finish (job);
      return;
    }
  _octopus_pump_async (stream, NULL, g_task_get_cancellable (job->task), deep_pump_cb, job);
}

static void
start_job (GTask *task,
           Job   *job,
           gboolean deep)
{
  OctopusArray *self = g_task_get_source_object (task);
  OctopusService *service = g_ptr_array_index (self->services, job->service);
  OctopusS3Client *client = octopus_service_get_client (service);
  RefreshData *data = g_task_get_task_data (task);

  data->in_flight++;
  job->task = g_object_ref (task);
  if (deep)
    {
      self->deep_hash_count++;
      octopus_s3_client_get_object_async (client, octopus_service_get_bucket (service),
                                          job->object->key, -1, -1,
                                          g_task_get_cancellable (task), deep_get_cb, job);
    }
  else
    {
      self->head_count++;
      octopus_s3_client_head_object_async (client, octopus_service_get_bucket (service),
                                           job->object->key, g_task_get_cancellable (task),
                                           head_cb, job);
    }
}

static void
queue_job (RefreshData     *data,
           guint            service,
           guint            position)
{
  Job *job = g_new0 (Job, 1);

  job->service = service;
  job->position = position;
  job->object = g_ptr_array_index (data->listings[service], position);
  g_queue_push_tail (&data->jobs, job);
}

/* Deep check: every listed copy still without a comparable MD5 is downloaded and hashed. */
static void
queue_deep_jobs (GTask *task)
{
  RefreshData *data = g_task_get_task_data (task);

  data->deep_phase_done = TRUE;
  for (guint i = 0; i < data->n; i++)
    for (guint j = 0; data->listings[i] != NULL && j < data->listings[i]->len; j++)
      {
        OctopusS3Object *o = g_ptr_array_index (data->listings[i], j);
        g_autofree char *md5 = octopus_content_md5 (o);

        if (md5 == NULL)
          queue_job (data, i, j);
      }
}

static void
erasure_done_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;

  finish_refresh (task);
}

static void
pump_jobs (GTask *task)
{
  RefreshData *data = g_task_get_task_data (task);
  gboolean deep = data->deep_phase_done;

  if (g_cancellable_is_cancelled (g_task_get_cancellable (task)))
    g_queue_clear_full (&data->jobs, g_free);

  while (data->in_flight < MAX_IN_FLIGHT && !g_queue_is_empty (&data->jobs))
    start_job (task, g_queue_pop_head (&data->jobs), deep);

  if (data->in_flight > 0 || !g_queue_is_empty (&data->jobs))
    return;

  if (!data->deep_phase_done && (data->flags & OCTOPUS_ARRAY_REFRESH_DEEP) &&
      !g_cancellable_is_cancelled (g_task_get_cancellable (task)))
    {
      queue_deep_jobs (task);
      if (!g_queue_is_empty (&data->jobs))
        {
          pump_jobs (task);
          return;
        }
    }
  data->deep_phase_done = TRUE;
  _octopus_array_erasure_phase_async (g_task_get_source_object (task), data->n, data->listings,
                                      data->errors, data->flags & OCTOPUS_ARRAY_REFRESH_DEEP,
                                      g_task_get_cancellable (task), erasure_done_cb,
                                      g_object_ref (task));
}

/* After listing: an ETag that is not a plain MD5 needs the md5chksum metadata — from the
 * cache when this very copy was asked before, else by HEAD. */
static void
queue_head_jobs (GTask *task)
{
  OctopusArray *self = g_task_get_source_object (task);
  RefreshData *data = g_task_get_task_data (task);
  OctopusHashCache *cache = _octopus_array_get_cache (self);

  for (guint i = 0; i < data->n; i++)
    for (guint j = 0; data->listings[i] != NULL && j < data->listings[i]->len; j++)
      {
        OctopusS3Object *o = g_ptr_array_index (data->listings[i], j);
        g_autofree char *md5 = NULL;
        OctopusMd5Source source = OCTOPUS_MD5_SOURCE_HEAD;

        if (octopus_etag_is_md5 (o->etag))
          continue;
        if (octopus_hash_cache_lookup_full (cache, data->service_ids[i], o, &md5, &source))
          learn_md5 (data, i, j, md5, source);
        else
          queue_job (data, i, j);
      }
}

typedef struct {
  GTask *task;
  guint  service;
} ListCall;

/* Called once per listing and once for the cache load: the lookups need both. */
static void
listings_done (GTask *task)
{
  RefreshData *data = g_task_get_task_data (task);

  if (--data->listing_pending > 0)
    return;
  queue_head_jobs (task);
  pump_jobs (task);
}

static void
list_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  ListCall *call = user_data;
  g_autoptr(GTask) task = call->task;
  OctopusArray *self = g_task_get_source_object (task);
  RefreshData *data = g_task_get_task_data (task);
  OctopusService *service = g_ptr_array_index (self->services, call->service);
  g_autoptr(GError) error = NULL;
  GPtrArray *listing;

  listing = octopus_s3_client_list_all_objects_finish (OCTOPUS_S3_CLIENT (source), result, &error);
  if (listing != NULL)
    {
      data->listings[call->service] = listing;
      /* Zeroed: OCTOPUS_MD5_SOURCE_NONE until something is learnt (the index then reads a
       * plain-MD5 ETag off the object). */
      data->sources[call->service] = g_byte_array_sized_new (listing->len);
      g_byte_array_set_size (data->sources[call->service], listing->len);
      if (listing->len > 0)
        memset (data->sources[call->service]->data, 0, listing->len);
      octopus_service_set_last_error (service, NULL);
    }
  else if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      data->errors[call->service] = g_strdup (error->message);
      octopus_service_set_last_error (service, error);
    }
  g_free (call);
  listings_done (task);
}

static void
cache_loaded_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;

  /* It never fails (an unreadable file is an empty cache); cancelled → the listings tell. */
  octopus_hash_cache_load_finish (OCTOPUS_HASH_CACHE (source), result, NULL);
  listings_done (task);
}

void
octopus_array_refresh_async (OctopusArray             *self,
                             OctopusArrayRefreshFlags  flags,
                             GCancellable             *cancellable,
                             GAsyncReadyCallback       callback,
                             gpointer                  user_data)
{
  g_autoptr(GTask) task = NULL;
  RefreshData *data;

  g_return_if_fail (OCTOPUS_IS_ARRAY (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, octopus_array_refresh_async);

  data = g_new0 (RefreshData, 1);
  data->flags = flags;
  data->n = self->services->len;
  data->listings = g_new0 (GPtrArray *, data->n);
  data->sources = g_new0 (GByteArray *, data->n);
  data->errors = g_new0 (char *, data->n);
  data->service_ids = g_new0 (char *, data->n);
  g_queue_init (&data->jobs);
  g_task_set_task_data (task, data, (GDestroyNotify) refresh_data_free);

  /* One hold until every listing is started, one for the cache: its file is read in a
   * worker thread while the services list. */
  data->listing_pending = 2;
  octopus_hash_cache_load_async (_octopus_array_get_cache (self), NULL, cache_loaded_cb,
                                 g_object_ref (task));
  for (guint i = 0; i < data->n; i++)
    {
      OctopusService *service = g_ptr_array_index (self->services, i);
      const GError *unusable = octopus_service_get_unusable (service);
      ListCall *call;

      data->service_ids[i] = _octopus_array_service_id (service);
      if (unusable != NULL)
        {
          data->errors[i] = g_strdup (unusable->message);
          continue;
        }
      call = g_new0 (ListCall, 1);
      data->listing_pending++;
      call->task = g_object_ref (task);
      call->service = i;
      octopus_s3_client_list_all_objects_async (octopus_service_get_client (service),
                                                octopus_service_get_bucket (service), NULL,
                                                cancellable, list_cb, call);
    }
  listings_done (task);
}

gboolean
octopus_array_refresh_finish (OctopusArray  *self,
                              GAsyncResult  *result,
                              GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}
