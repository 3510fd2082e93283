/* SPDX-License-Identifier: GPL-3.0-or-later */
/* octopus-array.h — the Redundant Array of Independent Services.
 *
 * Holds the services (OctopusService, in order) and the object table the GUI shows, and runs
 * the operations that apply to every service at once: refresh (list everything, compare),
 * repair, delete, ACLs and verified download.  Every operation is asynchronous (GTask) and
 * runs on the caller's thread-default main context.  Operations that touch several services
 * report per key and service (OctopusArrayResult): one service failing never stops the
 * others.
 */
#pragma once

#include <gio/gio.h>
#include "octopus-acl.h"
#include "octopus-service.h"
#include "octopus-object-table.h"

G_BEGIN_DECLS

typedef enum {
  OCTOPUS_ARRAY_REFRESH_NONE = 0,
  OCTOPUS_ARRAY_REFRESH_DEEP = 1 << 0,  /* download and hash copies with no comparable MD5 */
} OctopusArrayRefreshFlags;

typedef enum {
  OCTOPUS_RESULT_OK,           /* done on that service */
  OCTOPUS_RESULT_FAILED,       /* the service answered with an error; see message */
  OCTOPUS_RESULT_UNREACHABLE,  /* not attempted: the service cannot be reached */
  OCTOPUS_RESULT_UNSUPPORTED,  /* the service does not support it ("ACLs not supported here") */
  OCTOPUS_RESULT_NOTE,         /* information, not a failure (e.g. a tie was broken) */
} OctopusResultStatus;

/* One line of an operation's report. */
typedef struct {
  char                *key;      /* may be NULL for service-wide results */
  char                *service;  /* service name; NULL for key-wide notes */
  OctopusResultStatus  status;
  char                *message;  /* human-readable, translated; may be NULL for OK */
} OctopusArrayResult;

void octopus_array_result_free (OctopusArrayResult *result);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (OctopusArrayResult, octopus_array_result_free)
const char *octopus_result_status_to_string (OctopusResultStatus status);
/* TRUE when some result is FAILED or UNREACHABLE (the CLI's exit status 1). */
gboolean octopus_array_results_have_failures (GPtrArray *results);

/* One service's ACL for a key (octopus_array_get_acl). */
typedef struct {
  char                *service;
  OctopusResultStatus  status;   /* OK (acl set), UNSUPPORTED, FAILED, UNREACHABLE */
  OctopusAclPolicy    *acl;      /* as read from that service */
  char                *message;
} OctopusArrayAcl;

void octopus_array_acl_free (OctopusArrayAcl *acl);
/* TRUE when every service that returned an ACL grants the same (octopus_acl_policies_agree). */
gboolean octopus_array_acls_agree (GPtrArray *acls);

#define OCTOPUS_TYPE_ARRAY (octopus_array_get_type ())
G_DECLARE_FINAL_TYPE (OctopusArray, octopus_array, OCTOPUS, ARRAY, GObject)

/* @services: GPtrArray of OctopusService (names unique); the array keeps references. */
OctopusArray       *octopus_array_new            (GPtrArray    *services);
GPtrArray          *octopus_array_get_services   (OctopusArray *self);
guint               octopus_array_get_n_services (OctopusArray *self);
OctopusService     *octopus_array_get_service    (OctopusArray *self,
                                                  guint         index);
OctopusService     *octopus_array_lookup_service (OctopusArray *self,
                                                  const char   *name);
/* The table (a GListModel of OctopusObject); the same object for the array's lifetime. */
OctopusObjectTable *octopus_array_get_table      (OctopusArray *self);

/* Where the MD5 cache is kept; the default is octopus_hash_cache_default_path().  NULL →
 * memory only. */
void                octopus_array_set_cache_path (OctopusArray *self,
                                                  const char   *path);
/* Where the local index is kept; the default is octopus_index_default_path().  NULL → none
 * (nothing is loaded or written). */
void                octopus_array_set_index_path (OctopusArray *self,
                                                  const char   *path);

/* Reads the index in its worker thread and, unless a refresh has already filled the table,
 * fills it with the last complete listing of each service (a service never listed completely
 * shows as not reachable, "Not listed yet"): the last known state, shown at once, until the
 * next refresh replaces it.  → TRUE when it was shown (FALSE: nothing known, a refresh came
 * first, no index, or the index could not be read — the refresh will tell). */
void                octopus_array_load_index_async  (OctopusArray        *self,
                                                     GCancellable        *cancellable,
                                                     GAsyncReadyCallback  callback,
                                                     gpointer             user_data);
gboolean            octopus_array_load_index_finish (OctopusArray        *self,
                                                     GAsyncResult        *result,
                                                     GError             **error);
/* TRUE while the table shows the index's last known state (property "showing-last-known"),
 * until a refresh completes. */
gboolean            octopus_array_get_showing_last_known (OctopusArray *self);
/* When that state was listed: the oldest of the services' last complete listings, Unix
 * seconds (property "last-known-time"); 0 when not showing it. */
gint64              octopus_array_get_last_known_time    (OctopusArray *self);

/* Requests made to learn hashes, since the array was made (tests and diagnostics). */
guint               octopus_array_get_head_count     (OctopusArray *self);
guint               octopus_array_get_deep_hash_count (OctopusArray *self);

/* For the upload engine: show @key on @service as transferring (or not any more). */
void                octopus_array_set_transferring (OctopusArray *self,
                                                    const char   *key,
                                                    const char   *service,
                                                    gboolean      transferring);

/* Lists every service concurrently and updates the table.  Succeeds even when some services
 * are unreachable (their "reachable" property says so); fails only on cancellation.  Every
 * complete listing is written to the index (in its worker) before it completes. */
void      octopus_array_refresh_async  (OctopusArray             *self,
                                        OctopusArrayRefreshFlags  flags,
                                        GCancellable             *cancellable,
                                        GAsyncReadyCallback       callback,
                                        gpointer                  user_data);
gboolean  octopus_array_refresh_finish (OctopusArray             *self,
                                        GAsyncResult             *result,
                                        GError                  **error);

/* Copies a good replica to the services where @keys (NULL → every key) are missing or
 * differ.  Uses the table as last refreshed.  Never deletes.  → GPtrArray of
 * OctopusArrayResult. */
void       octopus_array_repair_async  (OctopusArray        *self,
                                        const char * const  *keys,
                                        GCancellable        *cancellable,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data);
GPtrArray *octopus_array_repair_finish (OctopusArray        *self,
                                        GAsyncResult        *result,
                                        GError             **error);
/* The same for one copy: writes only to @service_name, and only where that copy of @key is
 * missing or differs (the inspector's "Repair This Copy"); no other service is written to.
 * G_IO_ERROR_INVALID_ARGUMENT when no service has that name.  Finish with
 * octopus_array_repair_finish(). */
void       octopus_array_repair_copy_async (OctopusArray        *self,
                                            const char          *key,
                                            const char          *service_name,
                                            GCancellable        *cancellable,
                                            GAsyncReadyCallback  callback,
                                            gpointer             user_data);

/* Deletes @keys on every service (DeleteObjects in batches of ≤ 1000, DeleteObject where
 * DeleteObjects is not implemented).  → GPtrArray of OctopusArrayResult. */
void       octopus_array_delete_async  (OctopusArray        *self,
                                        const char * const  *keys,
                                        GCancellable        *cancellable,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data);
GPtrArray *octopus_array_delete_finish (OctopusArray        *self,
                                        GAsyncResult        *result,
                                        GError             **error);
/* Deletes only the copy of @key on @service_name; nothing is sent to any other service.
 * G_IO_ERROR_INVALID_ARGUMENT when no service has that name.  Finish with
 * octopus_array_delete_finish(). */
void       octopus_array_delete_copy_async (OctopusArray        *self,
                                            const char          *key,
                                            const char          *service_name,
                                            GCancellable        *cancellable,
                                            GAsyncReadyCallback  callback,
                                            gpointer             user_data);

/* Every service's ACL for @key → GPtrArray of OctopusArrayAcl, in service order. */
void       octopus_array_get_acl_async  (OctopusArray        *self,
                                         const char          *key,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data);
GPtrArray *octopus_array_get_acl_finish (OctopusArray        *self,
                                         GAsyncResult        *result,
                                         GError             **error);

/* Sets a canned ACL (@canned) or the same explicit policy (@acl) for @key on every service
 * that supports ACLs.  → GPtrArray of OctopusArrayResult (UNSUPPORTED where ACLs are not). */
void       octopus_array_set_acl_async  (OctopusArray           *self,
                                         const char             *key,
                                         const char             *canned,
                                         const OctopusAclPolicy *acl,
                                         GCancellable           *cancellable,
                                         GAsyncReadyCallback     callback,
                                         gpointer                user_data);
GPtrArray *octopus_array_set_acl_finish (OctopusArray        *self,
                                         GAsyncResult        *result,
                                         GError             **error);

/* Applies @change to @key on every service that supports ACLs: a canned ACL is set as such;
 * a grant or revoke reads each service's ACL and writes back the policy built from it
 * (octopus_acl_policy_apply: that service's owner is kept).  → GPtrArray of
 * OctopusArrayResult (UNSUPPORTED where ACLs are not). */
void       octopus_array_change_acl_async  (OctopusArray           *self,
                                            const char             *key,
                                            const OctopusAclChange *change,
                                            GCancellable           *cancellable,
                                            GAsyncReadyCallback     callback,
                                            gpointer                user_data);
GPtrArray *octopus_array_change_acl_finish (OctopusArray           *self,
                                            GAsyncResult           *result,
                                            GError                **error);
/* The same for several changes, applied in order to each service's ACL with one read and
 * one write per service: a revoke and a grant to the same grantee replace its permission
 * without a moment in which it has none.  @changes: GPtrArray of OctopusAclChange, not
 * empty (one canned change alone is set as such). */
void       octopus_array_change_acl_list_async  (OctopusArray        *self,
                                                 const char          *key,
                                                 GPtrArray           *changes,
                                                 GCancellable        *cancellable,
                                                 GAsyncReadyCallback  callback,
                                                 gpointer             user_data);
GPtrArray *octopus_array_change_acl_list_finish (OctopusArray        *self,
                                                 GAsyncResult        *result,
                                                 GError             **error);

/* Downloads @key into @directory (see octopus_download_local_path), verified against the
 * reference MD5, trying the next replica on error or mismatch.  → the file's path.
 * @results (nullable) receives what each replica tried did. */
void       octopus_array_download_async  (OctopusArray        *self,
                                          const char          *key,
                                          const char          *directory,
                                          GCancellable        *cancellable,
                                          GAsyncReadyCallback  callback,
                                          gpointer             user_data);
/* Downloads the copy of @key on @service_name alone (no fallback), verified against that
 * copy's own MD5 and size as last refreshed (so a differing copy can be fetched to look at).
 * G_IO_ERROR_INVALID_ARGUMENT when no service has that name.  Finish with
 * octopus_array_download_finish(). */
void       octopus_array_download_copy_async (OctopusArray        *self,
                                              const char          *key,
                                              const char          *service_name,
                                              const char          *directory,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data);
char      *octopus_array_download_finish (OctopusArray        *self,
                                          GAsyncResult        *result,
                                          GPtrArray          **results,
                                          GError             **error);

G_END_DECLS
