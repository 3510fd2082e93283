/* SPDX-License-Identifier: GPL-3.0-or-later */
/* octopus-object-table.h — the array's objects: a GListModel of OctopusObject sorted by key.
 *
 * The table is fed one listing per service (what ListObjectsV2 returned, with HEAD metadata
 * where the engine fetched it) and merges them by key.  Rows keep their identity across
 * updates, so views bound to a row stay bound; rows appear and disappear through
 * items-changed.  A service that failed to list makes its column "unreachable" and never
 * removes a row: its last known copies are kept.
 */
#pragma once

#include <gio/gio.h>
#include "octopus-object.h"
#include "octopus-s3-types.h"

G_BEGIN_DECLS

#define OCTOPUS_TYPE_OBJECT_TABLE (octopus_object_table_get_type ())
G_DECLARE_FINAL_TYPE (OctopusObjectTable, octopus_object_table, OCTOPUS, OBJECT_TABLE, GObject)

OctopusObjectTable *octopus_object_table_new              (const char * const *service_names);
guint               octopus_object_table_get_n_services   (OctopusObjectTable *self);
const char         *octopus_object_table_get_service_name (OctopusObjectTable *self,
                                                           guint               index);
int                 octopus_object_table_lookup_service   (OctopusObjectTable *self,
                                                           const char         *name);
/* The row for @key, or NULL (borrowed). */
OctopusObject      *octopus_object_table_lookup           (OctopusObjectTable *self,
                                                           const char         *key);

/* Gives each row a plaintext name (octopus_object_get_display_key()): @decoder returns the
 * name for a stored key (newly allocated), or NULL when it has none.  Rows already there are
 * renamed at once; @destroy frees @data when the decoder is replaced or the table goes. */
typedef char *(*OctopusNameDecoder) (const char *key,
                                     gpointer    data);
void                octopus_object_table_set_name_decoder (OctopusObjectTable *self,
                                                           OctopusNameDecoder  decoder,
                                                           gpointer            data,
                                                           GDestroyNotify      destroy);

/* @listings: n_services entries, each a GPtrArray of OctopusS3Object, or NULL when that
 * service could not be listed (then @errors[i] says why; @errors may be NULL).  An object's
 * content MD5 is octopus_content_md5() of it. */
void                octopus_object_table_update           (OctopusObjectTable *self,
                                                           GPtrArray         **listings,
                                                           const char * const *errors);

/* Marks @key on service @index as being transferred (uploads, repair).  Creates the row if
 * the key is new, so an upload shows up at once. */
void                octopus_object_table_set_transferring (OctopusObjectTable *self,
                                                           const char         *key,
                                                           guint               index,
                                                           gboolean            transferring);

/* Forgets the copy of @key on service @index (it was deleted there); the row goes when no
 * copy and no transfer is left. */
void                octopus_object_table_forget           (OctopusObjectTable *self,
                                                           const char         *key,
                                                           guint               index);

/* Records that service @index now holds @key as written by Octopus (a repair or an upload
 * completed): its column is recomputed at once, without waiting for the next refresh.
 * @md5: content MD5 (hex) or NULL; @last_modified: Unix seconds.  Creates the row if the
 * key is new. */
void                octopus_object_table_set_copy         (OctopusObjectTable *self,
                                                           const char         *key,
                                                           guint               index,
                                                           gint64              size,
                                                           const char         *etag,
                                                           const char         *md5,
                                                           gint64              last_modified);

/* Counts of rows per overall state (for summaries): @counts has one slot per state. */
void                octopus_object_table_count_states     (OctopusObjectTable *self,
                                                           guint counts[OCTOPUS_OBJECT_N_STATES]);

/* TRUE when @etag (quotes allowed) is a plain 32-hex MD5 — not a multipart "…-N" ETag. */
gboolean            octopus_etag_is_md5                   (const char *etag);
/* The content MD5 of a listed/headed object as lower-case hex: x-amz-meta-md5chksum
 * (base64 of 16 bytes) when present and well-formed, else the ETag when it is a plain MD5,
 * else NULL. */
char               *octopus_content_md5                   (const OctopusS3Object *object);
/* hex ↔ base64 of a 16-byte MD5; NULL when the input is not one. */
char               *octopus_md5_hex_to_base64             (const char *hex);
char               *octopus_md5_base64_to_hex             (const char *base64);

G_END_DECLS
