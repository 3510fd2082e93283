/* SPDX-License-Identifier: GPL-3.0-or-later */
/* octopus-array-info.h — the facts of one key on every service, side by side.
 *
 * What `octopus-cli info` prints and the window's inspector shows: a fresh HEAD and the ACL
 * of each copy, with the copy's state from the object table (as last refreshed) and the
 * reason for that state in words.  One service failing never hides the others.
 */
#pragma once

#include "octopus-array.h"
#include "octopus-index.h"

G_BEGIN_DECLS

/* Where a copy's MD5 came from, as the CLI's JSON names it (the index's OctopusMd5Source):
 * "unknown", "md5chksum" (metadata or HEAD), "etag", "deep-check". */
const char *octopus_copy_md5_source_to_string (OctopusMd5Source source);

/* One service's copy of the key. */
typedef struct {
  char               *service;
  OctopusObjectState  state;          /* from the table */
  char               *reason;         /* the state in words, translated */
  gboolean            present;        /* the HEAD found the copy */
  gint64              size;           /* -1 when not present */
  char               *md5;            /* hex, or NULL */
  OctopusMd5Source        md5_source;
  char               *etag;
  gint64              last_modified;  /* Unix seconds; 0 when unknown */
  char               *content_type;
  char               *storage_class;  /* "STANDARD" when the service names none */
  GHashTable         *metadata;       /* user metadata (x-amz-meta-*), never NULL */
  char               *version_id;     /* NULL where the bucket keeps no versions */
  OctopusResultStatus acl_status;     /* OK, UNSUPPORTED, FAILED or UNREACHABLE */
  char               *acl_canned;     /* the canned ACL the grants amount to, or NULL */
  guint               acl_n_grants;
  char               *error;          /* why the HEAD or the ACL failed, or NULL */
} OctopusCopyInfo;

void  octopus_copy_info_free             (OctopusCopyInfo *info);
/* "private", "3 grants", "not supported", "unknown" (translated): the ACL in a few words. */
char *octopus_copy_info_dup_acl_summary  (const OctopusCopyInfo *info);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (OctopusCopyInfo, octopus_copy_info_free)

/* The reason for column @index of @row in words: "missing", "differs: MD5 … where 2 services
 * hold …", "unreachable: connection refused".  @fallback_error: what to say for an
 * unreachable column when the table knows no reason (may be NULL). */
char *octopus_object_dup_state_reason (OctopusObject *row,
                                       guint          index,
                                       const char    *fallback_error);

/* HEADs @key and reads its ACL on every service, after a refresh → GPtrArray of
 * OctopusCopyInfo in service order.  Fails with G_IO_ERROR_NOT_FOUND when the table holds no
 * such key. */
void       octopus_array_info_async  (OctopusArray        *self,
                                      const char          *key,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data);
GPtrArray *octopus_array_info_finish (OctopusArray        *self,
                                      GAsyncResult        *result,
                                      GError             **error);

G_END_DECLS
