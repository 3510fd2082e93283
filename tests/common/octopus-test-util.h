/* SPDX-License-Identifier: GPL-3.0-or-later */
/* octopus-test-util.h — helpers shared by the test programs.
 *
 * Real servers come from the environment written by tests/servers/octopus-test-servers
 * (`. DIR/env`).  A test that needs them calls octopus_test_server_ready(): when the
 * variables are missing it skips the test, or fails it when OCTOPUS_TEST_REQUIRE_SERVERS=1
 * (CI), so a run without servers can never pass silently where servers were promised.
 *
 * Async operations run to completion with a hard timeout:
 *   octopus_s3_client_head_object_async (c, b, k, NULL, octopus_test_result_cb, NULL);
 *   g_autoptr(GAsyncResult) res = octopus_test_wait_result ();
 *   obj = octopus_s3_client_head_object_finish (c, res, &error);
 */
#pragma once

#include <gio/gio.h>
#include "octopus-s3-client.h"

G_BEGIN_DECLS

/* Seconds an awaited operation may take before the test fails instead of hanging. */
#define OCTOPUS_TEST_TIMEOUT_SECONDS 60

typedef struct {
  const char *name;               /* "s3rver" or "swift" */
  char       *endpoint;           /* NULL when not configured */
  char       *access_key;
  char       *secret_key;
  char       *access_key2;        /* a second, non-admin user (Swift), or NULL */
  char       *secret_key2;
  char       *region;
  gboolean    checks_signatures;  /* a wrong secret is refused */
  gboolean    supports_acl;       /* PutObjectAcl works */
  gboolean    supports_multipart_listing; /* ListMultipartUploads, ListParts, Abort */
  gboolean    supports_content_md5_check; /* a wrong Content-MD5 is refused */
  gboolean    multipart_etag_has_part_count; /* "<md5 of part md5s>-N"; s3rver gives the
                                                whole-content MD5 instead */
} OctopusTestServer;

/* Both known servers ("s3rver", "swift"), configured or not; @n_servers receives 2. */
const OctopusTestServer *octopus_test_servers_get       (guint *n_servers);
/* The server named @name, or NULL. */
const OctopusTestServer *octopus_test_server_lookup     (const char *name);
/* TRUE when every known server is configured in the environment. */
gboolean                 octopus_test_servers_available (void);
/* TRUE when @server is configured; otherwise skips the current test (returns FALSE), or
 * aborts it with g_error when OCTOPUS_TEST_REQUIRE_SERVERS=1. */
gboolean                 octopus_test_server_ready      (const OctopusTestServer *server);

/* A client for @server: allow_http, path-style, a small retry_base_ms. */
OctopusS3Client *octopus_test_server_new_client         (const OctopusTestServer *server);
/* The same with other keys (wrong secret, second user). */
OctopusS3Client *octopus_test_server_new_client_with_keys (const OctopusTestServer *server,
                                                          const char *access_key,
                                                          const char *secret_key);

/* "<prefix>-<pid>-<counter>-<random>", lower case, 3..63 characters, unique per run. */
char            *octopus_test_unique_bucket             (const char *prefix);

/* The GAsyncReadyCallback for octopus_test_wait_result() (user_data NULL) or for
 * octopus_test_wait() (user_data: a GAsyncResult ** slot, NULL beforehand). */
void             octopus_test_result_cb                 (GObject      *source,
                                                         GAsyncResult *result,
                                                         gpointer      user_data);
/* Iterates the thread-default main context until octopus_test_result_cb fired with NULL
 * user_data; returns that result (owned).  Fails the test after the timeout. */
GAsyncResult    *octopus_test_wait_result               (void);
/* The same for an explicit slot. */
GAsyncResult    *octopus_test_wait                      (GAsyncResult **slot);
/* Iterates until *@flag is TRUE, with the same hard timeout. */
void             octopus_test_wait_until                (const gboolean *flag);
/* Iterates until @done (@data) is TRUE, with the same hard timeout: for a condition that
 * changes only in callbacks on this thread's main context. */
void             octopus_test_wait_for                  (gboolean     (*done) (gconstpointer),
                                                         gconstpointer  data);

/* Synchronous wrappers used by many tests (each waits with the hard timeout). */
gboolean         octopus_test_create_bucket             (OctopusS3Client *client,
                                                         const char      *bucket,
                                                         GError         **error);
/* Deletes every object (and, where listed, unfinished upload) and then the bucket. */
gboolean         octopus_test_destroy_bucket            (OctopusS3Client *client,
                                                         const char      *bucket,
                                                         gboolean         abort_uploads,
                                                         GError         **error);
char            *octopus_test_put_string                (OctopusS3Client *client,
                                                         const char      *bucket,
                                                         const char      *key,
                                                         const char      *data,
                                                         GError         **error);
/* Reads the whole object into memory. */
GBytes          *octopus_test_get_bytes                 (OctopusS3Client  *client,
                                                         const char       *bucket,
                                                         const char       *key,
                                                         OctopusS3Object **info,
                                                         GError          **error);

/* A HEAD that waits; the object's info, or NULL and @error. */
OctopusS3Object *octopus_test_head                      (OctopusS3Client *client,
                                                         const char      *bucket,
                                                         const char      *key,
                                                         GError         **error);
/* PutObject as Octopus does it: Content-MD5 and, when @md5chksum, the md5chksum metadata
 * (both the base64 MD5 of @body), on top of @options (content type, other metadata; may
 * be NULL).  Returns the ETag. */
char            *octopus_test_put_object                (OctopusS3Client           *client,
                                                         const char                *bucket,
                                                         const char                *key,
                                                         GBytes                    *body,
                                                         const OctopusS3PutOptions *options,
                                                         gboolean                   md5chksum,
                                                         GError                   **error);

/* Several services on the real servers, one fresh bucket each ("s3rver" and two Swift
 * buckets, in the order a test wants).  Services on the same server share one client. */
#define OCTOPUS_TEST_MAX_SERVICES 4

typedef struct {
  guint                    n;
  const OctopusTestServer *servers[OCTOPUS_TEST_MAX_SERVICES];
  OctopusS3Client         *clients[OCTOPUS_TEST_MAX_SERVICES];
  char                    *buckets[OCTOPUS_TEST_MAX_SERVICES];
} OctopusTestServices;

/* Fills @services (zeroed first) with a client and a new bucket "<@bucket_prefix>-…" on each
 * of the @n servers named in @server_names ("s3rver" or "swift"; a name may repeat).  FALSE,
 * and @services left empty, when a server is not configured: the test is skipped (or fails
 * under OCTOPUS_TEST_REQUIRE_SERVERS=1), see octopus_test_server_ready(). */
gboolean         octopus_test_services_setup            (OctopusTestServices *services,
                                                         const char * const  *server_names,
                                                         guint                n,
                                                         const char          *bucket_prefix);
/* Empties and deletes every bucket (aborting unfinished multipart uploads where the server
 * can list them) and drops the clients; @services is empty afterwards.  FALSE with the first
 * error, though everything is still freed.  Does nothing on an empty @services. */
gboolean         octopus_test_services_teardown         (OctopusTestServices *services,
                                                         GError             **error);

/* Test data.  Deterministic bytes that differ everywhere (a shifted or spliced copy cannot
 * match, nothing compresses): xorshift64 seeded by @seed. */
GBytes          *octopus_test_payload                   (gsize       size,
                                                         guint32     seed);
/* Writes octopus_test_payload (@size, @seed) to @path, 1 MiB at a time (a file may be larger
 * than what a test wants in memory); returns its MD5 (hex). */
char            *octopus_test_write_payload_file        (const char *path,
                                                         gsize       size,
                                                         guint32     seed);
/* The MD5 of @bytes, in hex / in base64 (as Content-MD5 and md5chksum carry it). */
char            *octopus_test_md5_hex                   (GBytes     *bytes);
char            *octopus_test_md5_base64                (GBytes     *bytes);

/* Removes @path and, without following symlinks, everything under it. */
void             octopus_test_rm_rf                     (const char *path);

G_END_DECLS
