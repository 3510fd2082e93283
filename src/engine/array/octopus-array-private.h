/* SPDX-License-Identifier: GPL-3.0-or-later */
/* octopus-array-private.h — what the octopus-array-*.c files share. */
#pragma once

#include "octopus-array.h"
#include "octopus-hash-cache.h"
#include "octopus-index.h"

G_BEGIN_DECLS

/* Objects up to this size are repaired with one PutObject; larger ones in parts this big. */
#define OCTOPUS_ARRAY_PART_SIZE (8 * 1024 * 1024)

struct _OctopusArray
{
  GObject             parent_instance;

  GPtrArray          *services;       /* of OctopusService */
  OctopusObjectTable *table;
  OctopusHashCache   *cache;          /* loaded lazily from cache_path */
  char               *cache_path;
  guint               head_count;
  guint               deep_hash_count;
  OctopusIndex       *index;          /* made on first use from index_path */
  char               *index_path;     /* NULL: no index */
  gboolean            refreshed;      /* a refresh has put its listings into the table */
  gboolean            showing_last_known;
  gint64              last_known_time;
  GHashTable         *erasure_memo;   /* (service, key, ETag) → what its archive said */
  GHashTable         *erasure_probes; /* key → OctopusErasureProbe, from the last refresh */
};

/* Erasure coding (octopus-array-erasure.c): the refresh's probe phase, its result applied to
 * the table, and the last probe of a key. */
void     _octopus_array_erasure_phase_async  (OctopusArray        *self,
                                              guint                n,
                                              GPtrArray          **listings,
                                              char               **errors,
                                              gboolean             deep,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data);
gboolean _octopus_array_erasure_phase_finish (OctopusArray        *self,
                                              GAsyncResult        *result,
                                              GError             **error);
void     _octopus_array_apply_erasure        (OctopusArray        *self);
struct _OctopusErasureProbe;
struct _OctopusErasureProbe *_octopus_array_lookup_erasure (OctopusArray *self,
                                                            const char   *key);

/* Erasure-coded download (octopus-erasure-download.c) → the file's path. */
void     _octopus_array_erasure_download_async  (OctopusArray        *self,
                                                 const char          *key,
                                                 const char          *directory,
                                                 const char          *path,
                                                 GCancellable        *cancellable,
                                                 GAsyncReadyCallback  callback,
                                                 gpointer             user_data);
char    *_octopus_array_erasure_download_finish (OctopusArray        *self,
                                                 GAsyncResult        *result,
                                                 GError             **error);

/* Erasure-coded repair of one key (octopus-erasure-repair.c): results appended to @results. */
void     _octopus_array_erasure_repair_async  (OctopusArray        *self,
                                               const char          *key,
                                               GPtrArray           *results,
                                               GCancellable        *cancellable,
                                               GAsyncReadyCallback  callback,
                                               gpointer             user_data);
gboolean _octopus_array_erasure_repair_finish (OctopusArray        *self,
                                               GAsyncResult        *result,
                                               GError             **error);

/* Identity of a service for the MD5 cache: name, endpoint and bucket. */
char               *_octopus_array_service_id   (OctopusService *service);
OctopusHashCache   *_octopus_array_get_cache    (OctopusArray   *self);
/* The index, or NULL when the array keeps none. */
OctopusIndex       *_octopus_array_get_index    (OctopusArray   *self);
/* Sets (and notifies) showing-last-known and last-known-time. */
void                _octopus_array_set_last_known (OctopusArray *self,
                                                   gboolean      showing,
                                                   gint64        when);

/* octopus-array-index.c: after a refresh, every COMPLETE listing (@listings[i] non-NULL and
 * no @errors[i]) replaces that service's rows in the index; the others keep theirs.
 * @sources[i]: the OctopusMd5Source of each object of @listings[i] (or NULL).  Never fails
 * (a failed write is logged: the index is only a cache). */
void                _octopus_array_store_listings_async  (OctopusArray        *self,
                                                          guint                n,
                                                          GPtrArray          **listings,
                                                          GByteArray         **sources,
                                                          char               **errors,
                                                          char               **service_ids,
                                                          GAsyncReadyCallback  callback,
                                                          gpointer             user_data);

/* The index of the service named @name; -1 and G_IO_ERROR_INVALID_ARGUMENT when none is. */
int                 _octopus_array_service_index (OctopusArray  *self,
                                                  const char    *name,
                                                  GError       **error);

OctopusArrayResult *_octopus_array_result_new   (const char          *key,
                                                 const char          *service,
                                                 OctopusResultStatus  status,
                                                 const char          *message);
/* NOT_IMPLEMENTED / ACL_UNSUPPORTED replies: the service lacks the feature. */
gboolean            _octopus_error_is_unsupported (const GError *error);
/* Network-level failure: the service cannot be reached at all. */
gboolean            _octopus_error_is_unreachable (const GError *error);

/* Reads @in to its end, hashing (MD5) and, when @out is non-NULL, writing every byte to it.
 * → lower-case hex MD5; @bytes receives the count. */
void                _octopus_pump_async  (GInputStream        *in,
                                          GOutputStream       *out,
                                          GCancellable        *cancellable,
                                          GAsyncReadyCallback  callback,
                                          gpointer             user_data);
char               *_octopus_pump_finish (GAsyncResult        *result,
                                          gint64              *bytes,
                                          GError             **error);

G_END_DECLS
