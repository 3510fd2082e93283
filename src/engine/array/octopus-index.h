/* SPDX-License-Identifier: GPL-3.0-or-later */
/* octopus-index.h — the array's local index: what each service held at its last complete
 * listing, in SQLite, so the window can show the last known state before any service answers.
 *
 * Per service (its id: name|endpoint|bucket) and key: size, ETag, last-modified, the content
 * MD5 and where that MD5 came from; per service the time its last COMPLETE listing was
 * written.  A listing is written in transactions of OCTOPUS_INDEX_PAGE_ROWS rows and becomes
 * the service's state only when its last page is in (commit): a crash or a kill before that
 * leaves the previous complete listing readable.  It is a cache of what the services hold:
 * a file that cannot be read, or that a newer Octopus wrote, is rebuilt empty.
 *
 * Every SQLite call runs on the index's own worker thread, in the order the calls were made;
 * the API is asynchronous (GTask, completed on the caller's thread-default main context), so
 * the main loop never waits for the disk.
 */
#pragma once

#include <gio/gio.h>
#include "octopus-s3-types.h"

G_BEGIN_DECLS

/* Rows per transaction while a listing is written. */
#define OCTOPUS_INDEX_PAGE_ROWS 1000

/* Where a copy's content MD5 came from. */
typedef enum {
  OCTOPUS_MD5_SOURCE_NONE,      /* none known (not asked yet) */
  OCTOPUS_MD5_SOURCE_ETAG,      /* the listed ETag is a plain MD5 */
  OCTOPUS_MD5_SOURCE_METADATA,  /* md5chksum metadata the object came with */
  OCTOPUS_MD5_SOURCE_HEAD,      /* md5chksum read by a HEAD; no MD5: the HEAD found none */
  OCTOPUS_MD5_SOURCE_DEEP,      /* downloaded and hashed (deep check) */
} OctopusMd5Source;

const char *octopus_md5_source_to_string (OctopusMd5Source source);

/* One service's last complete listing, as loaded. */
typedef struct {
  char      *service_id;
  GPtrArray *objects;     /* of OctopusS3Object, by key; NULL: never completely listed.  A
                             known MD5 that is not the plain ETag is in metadata "md5chksum",
                             as octopus_content_md5() reads it. */
  GByteArray *sources;    /* one OctopusMd5Source per object (NULL with objects) */
  gint64     listed_at;   /* Unix seconds when that listing was complete; 0: never */
} OctopusIndexListing;

void octopus_index_listing_free (OctopusIndexListing *listing);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (OctopusIndexListing, octopus_index_listing_free)

#define OCTOPUS_TYPE_INDEX (octopus_index_get_type ())
G_DECLARE_FINAL_TYPE (OctopusIndex, octopus_index, OCTOPUS, INDEX, GObject)

/* g_get_user_state_dir()/octopus/index.sqlite */
char         *octopus_index_default_path (void);
/* Opens nothing now: the worker opens (creates, or rebuilds) @path on the first call. */
OctopusIndex *octopus_index_new          (const char   *path);
const char   *octopus_index_get_path     (OctopusIndex *self);

/* → GPtrArray of OctopusIndexListing, one per entry of @service_ids, in that order. */
void       octopus_index_load_async  (OctopusIndex        *self,
                                      const char * const  *service_ids,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data);
GPtrArray *octopus_index_load_finish (OctopusIndex        *self,
                                      GAsyncResult        *result,
                                      GError             **error);

/* Replaces @service_id's state with @objects (of OctopusS3Object, a COMPLETE listing):
 * begin, pages, commit in one go.  @sources: one OctopusMd5Source per object, or NULL (then
 * each is read off the object: md5chksum metadata, else a plain-MD5 ETag).  The index keeps
 * references to both until written; neither may change meanwhile.  Finish with
 * octopus_index_write_finish(). */
void     octopus_index_store_async  (OctopusIndex        *self,
                                     const char          *service_id,
                                     GPtrArray           *objects,
                                     GByteArray          *sources,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data);

/* The same in steps, for a listing written page by page as it arrives: begin (drops what an
 * unfinished earlier listing staged), pages (each in its own transactions), commit (the
 * staged rows become the service's state, stamped now).  Until the commit, loads return the
 * previous complete listing. */
void     octopus_index_begin_listing_async  (OctopusIndex        *self,
                                             const char          *service_id,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data);
void     octopus_index_add_page_async       (OctopusIndex        *self,
                                             const char          *service_id,
                                             GPtrArray           *objects,
                                             GByteArray          *sources,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data);
void     octopus_index_commit_listing_async (OctopusIndex        *self,
                                             const char          *service_id,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data);
/* For store, begin, add_page and commit. */
gboolean octopus_index_write_finish         (OctopusIndex        *self,
                                             GAsyncResult        *result,
                                             GError             **error);

G_END_DECLS
