/* SPDX-License-Identifier: GPL-3.0-or-later */
/* octopus-hash-cache.h — remembers content MD5s the engine had to ask for.
 *
 * A listing gives each object's ETag, size and last-modified time; when the ETag is not a
 * plain MD5 (multipart uploads) the content MD5 costs a HEAD (x-amz-meta-md5chksum) or even
 * a download (deep check).  The cache maps service + key + ETag + size + last-modified to
 * what was learnt, so an unchanged object is never asked twice — also across runs: the cache
 * is a small JSON file in the user cache dir.  Any change of ETag, size or time is a miss.
 * Entries of keys a service no longer lists are pruned (octopus_hash_cache_prune), so the
 * file does not grow with every object ever seen.
 */
#pragma once

#include <gio/gio.h>
#include "octopus-index.h"
#include "octopus-s3-types.h"

G_BEGIN_DECLS

#define OCTOPUS_TYPE_HASH_CACHE (octopus_hash_cache_get_type ())
G_DECLARE_FINAL_TYPE (OctopusHashCache, octopus_hash_cache, OCTOPUS, HASH_CACHE, GObject)

/* @path: the JSON file to load now and save to later; NULL → memory only.  A missing or
 * unreadable file is an empty cache (it is only a cache). */
OctopusHashCache *octopus_hash_cache_new    (const char *path);
/* g_get_user_cache_dir()/octopus/md5-cache.json */
char             *octopus_hash_cache_default_path (void);
/* Like octopus_hash_cache_new() but reads nothing now: the file is read, in a worker thread,
 * by octopus_hash_cache_load_async().  Until it is loaded lookups miss and prune does
 * nothing; entries stored meanwhile win over the file's.  A save first waits for the load
 * (so the file's entries are never lost). */
OctopusHashCache *octopus_hash_cache_new_deferred (const char *path);
/* Reads the file in a worker thread (once; later calls wait for the same read, or complete
 * at once when it is done).  Never fails: an unreadable file is an empty cache. */
void              octopus_hash_cache_load_async  (OctopusHashCache     *self,
                                                  GCancellable         *cancellable,
                                                  GAsyncReadyCallback   callback,
                                                  gpointer              user_data);
gboolean          octopus_hash_cache_load_finish (OctopusHashCache     *self,
                                                  GAsyncResult         *result,
                                                  GError              **error);
gboolean          octopus_hash_cache_is_loaded   (OctopusHashCache     *self);

/* TRUE when @object (as listed) is known on @service_id; *@md5 receives the hex content MD5
 * learnt for it, or NULL when it is known to have none (HEAD without md5chksum). */
gboolean          octopus_hash_cache_lookup (OctopusHashCache      *self,
                                             const char            *service_id,
                                             const OctopusS3Object *object,
                                             char                 **md5);
void              octopus_hash_cache_store  (OctopusHashCache      *self,
                                             const char            *service_id,
                                             const OctopusS3Object *object,
                                             const char            *md5);
/* The same, saying how the MD5 was learnt (plain lookup/store: OCTOPUS_MD5_SOURCE_HEAD). */
gboolean          octopus_hash_cache_lookup_full (OctopusHashCache      *self,
                                                  const char            *service_id,
                                                  const OctopusS3Object *object,
                                                  char                 **md5,
                                                  OctopusMd5Source      *source);
void              octopus_hash_cache_store_full  (OctopusHashCache      *self,
                                                  const char            *service_id,
                                                  const OctopusS3Object *object,
                                                  const char            *md5,
                                                  OctopusMd5Source       source);
/* Forgets what was learnt on @service_id for every key not in @listing (of OctopusS3Object).
 * Call it only with a COMPLETE listing of that service: a partial one would forget objects
 * that still exist.  No-op before the file is loaded.  → the number of entries removed. */
guint             octopus_hash_cache_prune  (OctopusHashCache      *self,
                                             const char            *service_id,
                                             GPtrArray             *listing);
/* Writes the file atomically (no-op without a path or without changes). */
gboolean          octopus_hash_cache_save   (OctopusHashCache      *self,
                                             GError               **error);
/* The same without blocking the caller: the cache is serialised now, the file written (and
 * fsynced) in a worker thread.  Entries stored meanwhile stay unsaved for the next save. */
void              octopus_hash_cache_save_async  (OctopusHashCache     *self,
                                                  GCancellable         *cancellable,
                                                  GAsyncReadyCallback   callback,
                                                  gpointer              user_data);
gboolean          octopus_hash_cache_save_finish (OctopusHashCache     *self,
                                                  GAsyncResult         *result,
                                                  GError              **error);

G_END_DECLS
