/* octopus-hash-cache.h — remembers content MD5s the engine had to ask for.
 *
 * A listing gives each object's ETag, size and last-modified time; when the ETag is not a
 * plain MD5 (multipart uploads) the content MD5 costs a HEAD (x-amz-meta-md5chksum) or even
 * a download (deep check).  The cache maps service + key + ETag + size + last-modified to
 * what was learnt, so an unchanged object is never asked twice — also across runs: the cache
 * is a small JSON file in the user cache dir.  Any change of ETag, size or time is a miss.
 */
#pragma once

#include <gio/gio.h>
#include "octopus-s3-types.h"

G_BEGIN_DECLS

#define OCTOPUS_TYPE_HASH_CACHE (octopus_hash_cache_get_type ())
G_DECLARE_FINAL_TYPE (OctopusHashCache, octopus_hash_cache, OCTOPUS, HASH_CACHE, GObject)

/* @path: the JSON file to load now and save to later; NULL → memory only.  A missing or
 * unreadable file is an empty cache (it is only a cache). */
OctopusHashCache *octopus_hash_cache_new    (const char *path);
/* g_get_user_cache_dir()/octopus/md5-cache.json */
char             *octopus_hash_cache_default_path (void);

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
