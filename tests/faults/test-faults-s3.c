/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-faults-s3.c — the S3 client against both real servers through the fault proxy.
 *
 * Each test: a fresh bucket, a sentinel object written directly (not through the proxy), a
 * proxy in front of the server and a client that talks through it; the fault; what the
 * client reports and how long it took; then, with a direct client, what is on the server.
 * The teardown checks that the sentinel is still there, byte for byte.
 */
#include <string.h>
#include <gio/gio.h>

#include "octopus-fault-proxy.h"
#include "octopus-s3-client.h"
#include "octopus-test-canned-server.h"
#include "octopus-test-util.h"

typedef struct {
  const OctopusTestServer *server;
  OctopusS3Client         *direct;
  OctopusFaultProxy       *proxy;
  char                    *bucket;
  gint64                   started;
} Fixture;

static const char sentinel_data[] = "the object that existed before the fault";

static OctopusS3Client *
proxied_client (Fixture *f, guint max_attempts, guint timeout_seconds)
{
  OctopusS3ClientOptions options = {
    .name = f->server->name,
    .endpoint = octopus_fault_proxy_get_endpoint (f->proxy),
    .region = f->server->region,
    .access_key = f->server->access_key,
    .secret_key = f->server->secret_key,
    .path_style = TRUE,
    .allow_http = TRUE,
    .max_attempts = max_attempts,
    .retry_base_ms = 10,
    .timeout_seconds = timeout_seconds,
  };
  g_autoptr(GError) error = NULL;
  OctopusS3Client *client = octopus_s3_client_new (&options, &error);

  g_assert_no_error (error);
  return client;
}

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *etag = NULL;

  f->server = octopus_test_server_lookup (data);
  if (!octopus_test_server_ready (f->server))
    return;
  f->direct = octopus_test_server_new_client (f->server);
  f->bucket = octopus_test_unique_bucket ("faults");
  octopus_test_create_bucket (f->direct, f->bucket, &error);
  g_assert_no_error (error);
  etag = octopus_test_put_string (f->direct, f->bucket, "sentinel", sentinel_data, &error);
  g_assert_no_error (error);
  f->proxy = octopus_fault_proxy_new (f->server->endpoint, &error);
  g_assert_no_error (error);
  f->started = g_get_monotonic_time ();
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;

  if (f->direct == NULL)
    return;
  octopus_fault_proxy_free (f->proxy);
  /* Whatever the fault did, what existed before is still there, intact. */
  bytes = octopus_test_get_bytes (f->direct, f->bucket, "sentinel", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes),
                   sentinel_data, strlen (sentinel_data));
  octopus_test_destroy_bucket (f->direct, f->bucket,
                               f->server->supports_multipart_listing, &error);
  g_assert_no_error (error);
  g_object_unref (f->direct);
  g_free (f->bucket);
}

static double
elapsed_s (Fixture *f)
{
  return (g_get_monotonic_time () - f->started) / (double) G_USEC_PER_SEC;
}

/* Deterministic, non-repeating content, so a shifted or spliced copy cannot match. */
static GBytes *
make_payload (gsize size)
{
  guint8 *data = g_malloc (size);
  guint32 x = 2463534242u;

  for (gsize i = 0; i < size; i++)
    {
      x ^= x << 13;
      x ^= x >> 17;
      x ^= x << 5;
      data[i] = x & 0xff;
    }
  return g_bytes_new_take (data, size);
}

static char *
put_bytes (OctopusS3Client *client, const char *bucket, const char *key, GBytes *body,
           GError **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  octopus_s3_client_put_object_async (client, bucket, key, body, NULL, NULL,
                                      octopus_test_result_cb, NULL);
  result = octopus_test_wait_result ();
  return octopus_s3_client_put_object_finish (client, result, error);
}

static OctopusS3Object *
head (OctopusS3Client *client, const char *bucket, const char *key, GError **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  octopus_s3_client_head_object_async (client, bucket, key, NULL, octopus_test_result_cb, NULL);
  result = octopus_test_wait_result ();
  return octopus_s3_client_head_object_finish (client, result, error);
}

/* The object on the server (read directly) is exactly @expected, or absent: never a
 * different or partial copy. Returns TRUE when it is there. */
static gboolean
assert_intact_or_absent (Fixture *f, const char *key, GBytes *expected)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(OctopusS3Object) info = head (f->direct, f->bucket, key, &error);
  g_autoptr(GBytes) bytes = NULL;
  g_autofree char *want = NULL;
  g_autofree char *got = NULL;

  if (g_error_matches (error, OCTOPUS_S3_ERROR, OCTOPUS_S3_ERROR_NO_SUCH_KEY))
    return FALSE;
  g_assert_no_error (error);
  g_assert_cmpint (info->size, ==, g_bytes_get_size (expected));
  bytes = octopus_test_get_bytes (f->direct, f->bucket, key, NULL, &error);
  g_assert_no_error (error);
  want = g_compute_checksum_for_bytes (G_CHECKSUM_MD5, expected);
  got = g_compute_checksum_for_bytes (G_CHECKSUM_MD5, bytes);
  g_assert_cmpstr (got, ==, want);
  return TRUE;
}

static void
test_refused (Fixture *f, gconstpointer data)
{
  g_autoptr(OctopusS3Client) client = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(OctopusS3Object) info = NULL;

  if (f->direct == NULL)
    return;
  client = proxied_client (f, 5, 10);
  octopus_fault_proxy_set_refusing (f->proxy, TRUE);

  info = head (client, f->bucket, "sentinel", &error);
  g_assert_null (info);
  g_assert_error (error, OCTOPUS_S3_ERROR, OCTOPUS_S3_ERROR_NETWORK);
  /* The message names the service, so the user knows which one is down. */
  g_assert_nonnull (strstr (error->message, f->server->name));
  /* Refused is not worth retrying: the answer is fast. */
  g_assert_cmpfloat (elapsed_s (f), <, 3.0);
}

static void
test_storm_clears (Fixture *f, gconstpointer data)
{
  g_autoptr(OctopusS3Client) client = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = make_payload (200 * 1024);
  g_autofree char *etag = NULL;

  if (f->direct == NULL)
    return;
  client = proxied_client (f, 5, 10);
  octopus_fault_proxy_fail_next (f->proxy, 503, 3);

  etag = put_bytes (client, f->bucket, "storm", body, &error);
  g_assert_no_error (error);
  g_assert_nonnull (etag);
  g_assert_cmpuint (octopus_fault_proxy_get_injected (f->proxy), ==, 3);
  g_assert_cmpuint (octopus_fault_proxy_get_requests (f->proxy), ==, 4);
  g_assert_true (assert_intact_or_absent (f, "storm", body));
  g_assert_cmpfloat (elapsed_s (f), <, 10.0);
}

static void
test_internal_error_clears (Fixture *f, gconstpointer data)
{
  g_autoptr(OctopusS3Client) client = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(OctopusS3ListPage) page = NULL;

  if (f->direct == NULL)
    return;
  client = proxied_client (f, 3, 10);
  octopus_fault_proxy_fail_next (f->proxy, 500, 2);

  octopus_s3_client_list_objects_async (client, f->bucket, NULL, NULL, 0, NULL,
                                        octopus_test_result_cb, NULL);
  result = octopus_test_wait_result ();
  page = octopus_s3_client_list_objects_finish (client, result, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (page->objects->len, ==, 1);
  g_assert_cmpuint (octopus_fault_proxy_get_injected (f->proxy), ==, 2);
}

static void
test_storm_persists (Fixture *f, gconstpointer data)
{
  g_autoptr(OctopusS3Client) client = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = make_payload (64 * 1024);
  g_autofree char *etag = NULL;

  if (f->direct == NULL)
    return;
  client = proxied_client (f, 4, 10);
  octopus_fault_proxy_fail_next (f->proxy, 503, G_MAXUINT);

  etag = put_bytes (client, f->bucket, "never", body, &error);
  g_assert_null (etag);
  g_assert_error (error, OCTOPUS_S3_ERROR, OCTOPUS_S3_ERROR_SERVER);
  g_assert_cmpstr (octopus_s3_error_get_s3_code (error), ==, "SlowDown");
  g_assert_cmpuint (octopus_s3_error_get_http_status (error), ==, 503);
  /* Bounded: exactly max_attempts tries, then the error, in bounded time. */
  g_assert_cmpuint (octopus_fault_proxy_get_requests (f->proxy), ==, 4);
  g_assert_cmpfloat (elapsed_s (f), <, 10.0);
  g_assert_false (assert_intact_or_absent (f, "never", body));
}

static void
test_reset_mid_upload (Fixture *f, gconstpointer data)
{
  g_autoptr(OctopusS3Client) client = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = make_payload (1024 * 1024);
  g_autoptr(GBytes) old_body = make_payload (1000);
  g_autofree char *etag = NULL;
  g_autofree char *old_etag = NULL;

  if (f->direct == NULL)
    return;
  /* An older version under the same key: a failed overwrite must leave it, not a mix. */
  old_etag = put_bytes (f->direct, f->bucket, "reset", old_body, &error);
  g_assert_no_error (error);
  client = proxied_client (f, 3, 10);
  octopus_fault_proxy_reset_after (f->proxy, 100 * 1024, 1);

  etag = put_bytes (client, f->bucket, "reset", body, &error);
  /* A buffer body is replayable: the client retries the reset and succeeds. */
  g_assert_no_error (error);
  g_assert_nonnull (etag);
  g_assert_cmpuint (octopus_fault_proxy_get_injected (f->proxy), ==, 1);
  g_assert_cmpuint (octopus_fault_proxy_get_requests (f->proxy), ==, 2);
  g_assert_true (assert_intact_or_absent (f, "reset", body));
}

static void
test_reset_every_attempt (Fixture *f, gconstpointer data)
{
  g_autoptr(OctopusS3Client) client = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = make_payload (512 * 1024);
  g_autoptr(GBytes) old_body = make_payload (1000);
  g_autofree char *etag = NULL;
  g_autofree char *old_etag = NULL;

  if (f->direct == NULL)
    return;
  old_etag = put_bytes (f->direct, f->bucket, "reset", old_body, &error);
  g_assert_no_error (error);
  client = proxied_client (f, 3, 10);
  octopus_fault_proxy_reset_after (f->proxy, 64 * 1024, G_MAXUINT);

  etag = put_bytes (client, f->bucket, "reset", body, &error);
  g_assert_null (etag);
  g_assert_error (error, OCTOPUS_S3_ERROR, OCTOPUS_S3_ERROR_NETWORK);
  g_assert_cmpuint (octopus_fault_proxy_get_requests (f->proxy), ==, 3);
  /* Swift never stores a cut-off body: the old version is still the object.  s3rver does
   * store the bytes it got before the reset (a server defect, seen here): the client's
   * error is then all that tells the engine this copy is bad, and it gave one above. */
  if (g_str_equal (f->server->name, "s3rver"))
    g_test_message ("s3rver stores partial PUT bodies on a reset; not checked here");
  else
    g_assert_true (assert_intact_or_absent (f, "reset", old_body));
}

static void
read_all_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  octopus_test_result_cb (source, result, user_data);
}

static void
test_truncated_get (Fixture *f, gconstpointer data)
{
  g_autoptr(OctopusS3Client) client = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = make_payload (256 * 1024);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GAsyncResult) read_result = NULL;
  g_autoptr(GInputStream) stream = NULL;
  g_autoptr(OctopusS3Object) info = NULL;
  g_autofree guint8 *buffer = g_malloc (512 * 1024);
  g_autofree char *etag = NULL;
  gsize n_read = 0;
  gboolean ok;

  if (f->direct == NULL)
    return;
  etag = put_bytes (f->direct, f->bucket, "big", body, &error);
  g_assert_no_error (error);
  client = proxied_client (f, 3, 10);
  octopus_fault_proxy_truncate_next (f->proxy, 10000, 1);

  octopus_s3_client_get_object_async (client, f->bucket, "big", -1, -1, NULL,
                                      octopus_test_result_cb, NULL);
  result = octopus_test_wait_result ();
  stream = octopus_s3_client_get_object_finish (client, result, &info, &error);
  g_assert_no_error (error);
  /* The headers are the server's: the full size is announced. */
  g_assert_cmpint (info->size, ==, g_bytes_get_size (body));

  g_input_stream_read_all_async (stream, buffer, 512 * 1024, G_PRIORITY_DEFAULT, NULL,
                                 read_all_cb, NULL);
  read_result = octopus_test_wait_result ();
  ok = g_input_stream_read_all_finish (stream, read_result, &n_read, &error);
  /* The short read never passes for the whole object: the stream fails (libsoup checks
   * Content-Length), and in any case fewer bytes than announced arrived. */
  g_assert_false (ok);
  g_assert_nonnull (error);
  g_assert_cmpuint (n_read, <, info->size);
  g_assert_cmpuint (octopus_fault_proxy_get_injected (f->proxy), ==, 1);
}

static void
test_malformed_list (Fixture *f, gconstpointer data)
{
  g_autoptr(OctopusS3Client) client = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(OctopusS3ListPage) page = NULL;

  if (f->direct == NULL)
    return;
  client = proxied_client (f, 3, 10);
  octopus_fault_proxy_garbage_next (f->proxy, 1);

  octopus_s3_client_list_objects_async (client, f->bucket, NULL, NULL, 0, NULL,
                                        octopus_test_result_cb, NULL);
  result = octopus_test_wait_result ();
  page = octopus_s3_client_list_objects_finish (client, result, &error);
  g_assert_null (page);
  g_assert_error (error, OCTOPUS_S3_ERROR, OCTOPUS_S3_ERROR_MALFORMED_REPLY);
  g_test_message ("malformed reply: %s", error->message);
}

static void
test_delayed_reply_timeout (Fixture *f, gconstpointer data)
{
  g_autoptr(OctopusS3Client) client = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(OctopusS3Object) info = NULL;

  if (f->direct == NULL)
    return;
  client = proxied_client (f, 2, 1);
  octopus_fault_proxy_set_delay (f->proxy, 4000);

  info = head (client, f->bucket, "sentinel", &error);
  g_assert_null (info);
  g_assert_error (error, OCTOPUS_S3_ERROR, OCTOPUS_S3_ERROR_NETWORK);
  /* Two attempts of a one-second timeout, not the four-second delay twice. */
  g_assert_cmpfloat (elapsed_s (f), <, 4.0);
  g_assert_cmpuint (octopus_fault_proxy_get_requests (f->proxy), ==, 2);
}

/* The body's MD5 as Content-MD5 (base64) and as the hex an ETag must equal. */
static void
payload_md5 (GBytes *body, char **base64, char **hex)
{
  g_autoptr(GChecksum) md5 = g_checksum_new (G_CHECKSUM_MD5);
  guint8 digest[16];
  gsize len = sizeof digest;

  g_checksum_update (md5, g_bytes_get_data (body, NULL), g_bytes_get_size (body));
  g_checksum_get_digest (md5, digest, &len);
  *base64 = g_base64_encode (digest, len);
  *hex = g_strdup (g_checksum_get_string (md5));
}

/* libsoup restarts a request by itself when the kept-alive connection it reused dies before
 * the reply, and the restarted message had lost its body (s3rver stored 0 bytes and answered
 * the MD5 of nothing; Swift got Content-Length: 0 and answered BadDigest).  One attempt only:
 * the restart itself must send the whole body again. */
static void
test_restart_on_kept_alive_connection (Fixture *f, gconstpointer data)
{
  g_autoptr(OctopusS3Client) client = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) warm = make_payload (1000);
  g_autoptr(GBytes) body = make_payload (1024 * 1024);
  g_autoptr(GAsyncResult) result = NULL;
  g_autofree char *warm_etag = NULL, *etag = NULL, *md5_b64 = NULL, *md5_hex = NULL;
  OctopusS3PutOptions options = { 0 };

  if (f->direct == NULL)
    return;
  client = proxied_client (f, 1, 10);
  /* The first connection dies 300 KiB in: in the middle of the second PUT, not the first. */
  octopus_fault_proxy_reset_connections_after (f->proxy, 300 * 1024, 1);
  warm_etag = put_bytes (client, f->bucket, "warm", warm, &error);
  g_assert_no_error (error);

  payload_md5 (body, &md5_b64, &md5_hex);
  options.content_md5 = md5_b64;
  octopus_s3_client_put_object_async (client, f->bucket, "restarted", body, &options, NULL,
                                      octopus_test_result_cb, NULL);
  result = octopus_test_wait_result ();
  etag = octopus_s3_client_put_object_finish (client, result, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (octopus_fault_proxy_get_injected (f->proxy), ==, 1);
  g_assert_cmpstr (etag, ==, md5_hex);
  g_assert_true (assert_intact_or_absent (f, "restarted", body));
}

/* The same for a part of a multipart upload. */
static void
test_restart_part_on_kept_alive_connection (Fixture *f, gconstpointer data)
{
  g_autoptr(OctopusS3Client) client = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = make_payload (1024 * 1024);
  g_autoptr(GBytes) warm = make_payload (1000);
  g_autoptr(GPtrArray) parts =
    g_ptr_array_new_with_free_func ((GDestroyNotify) octopus_s3_part_free);
  g_autoptr(GAsyncResult) created = NULL, sent = NULL, completed = NULL;
  g_autofree char *upload_id = NULL, *etag = NULL, *final = NULL;
  g_autofree char *md5_b64 = NULL, *md5_hex = NULL;
  OctopusS3PutOptions options = { 0 };

  if (f->direct == NULL)
    return;
  client = proxied_client (f, 1, 10);
  octopus_fault_proxy_reset_connections_after (f->proxy, 300 * 1024, 1);
  /* CreateMultipartUpload (a POST) goes on a connection of its own; the warm-up PUT makes
   * a kept-alive connection for the part to reuse. */
  g_free (put_bytes (client, f->bucket, "warm", warm, &error));
  g_assert_no_error (error);
  octopus_s3_client_create_multipart_async (client, f->bucket, "part", NULL, NULL,
                                            octopus_test_result_cb, NULL);
  created = octopus_test_wait_result ();
  upload_id = octopus_s3_client_create_multipart_finish (client, created, &error);
  g_assert_no_error (error);

  payload_md5 (body, &md5_b64, &md5_hex);
  options.content_md5 = md5_b64;
  octopus_s3_client_upload_part_async (client, f->bucket, "part", upload_id, 1, body, &options,
                                       NULL, octopus_test_result_cb, NULL);
  sent = octopus_test_wait_result ();
  etag = octopus_s3_client_upload_part_finish (client, sent, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (octopus_fault_proxy_get_injected (f->proxy), ==, 1);
  g_assert_cmpstr (etag, ==, md5_hex);

  g_ptr_array_add (parts, octopus_s3_part_new (1, etag, g_bytes_get_size (body)));
  octopus_s3_client_complete_multipart_async (client, f->bucket, "part", upload_id, parts, NULL,
                                              octopus_test_result_cb, NULL);
  completed = octopus_test_wait_result ();
  final = octopus_s3_client_complete_multipart_finish (client, completed, &error);
  g_assert_no_error (error);
  g_assert_true (assert_intact_or_absent (f, "part", body));
}

/* A BadDigest right after the same request's connection was cut describes the cut, not the
 * data: a network fault (retryable; the engine keeps the file journaled), never a final
 * "the data arrived damaged".  A canned server behind the proxy answers BadDigest to whatever
 * reaches it; the proxy resets the first attempt 100 KiB into its body. */
static void
test_bad_digest_after_reset (void)
{
  static const OctopusTestReply replies[] = {
    { 400, "<?xml version=\"1.0\"?><Error><Code>BadDigest</Code>"
           "<Message>The Content-MD5 you specified did not match what we received.</Message>"
           "</Error>" },
  };
  g_autoptr(OctopusTestCannedServer) server = octopus_test_canned_server_new (replies, 1);
  g_autoptr(GError) error = NULL;
  g_autoptr(OctopusFaultProxy) proxy = octopus_fault_proxy_new (server->endpoint, &error);
  g_autoptr(GBytes) body = make_payload (1024 * 1024);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(OctopusS3Client) client = NULL;
  g_autofree char *etag = NULL, *md5_b64 = NULL, *md5_hex = NULL;
  OctopusS3PutOptions put = { 0 };
  OctopusS3ClientOptions options = {
    .name = "canned", .endpoint = octopus_fault_proxy_get_endpoint (proxy),
    .access_key = "AKIDEXAMPLE", .secret_key = "s", .path_style = TRUE, .allow_http = TRUE,
    .max_attempts = 2, .retry_base_ms = 2,
  };

  g_assert_no_error (error);
  client = octopus_s3_client_new (&options, &error);
  g_assert_no_error (error);
  octopus_fault_proxy_reset_after (proxy, 100 * 1024, 1);
  payload_md5 (body, &md5_b64, &md5_hex);
  put.content_md5 = md5_b64;
  octopus_s3_client_put_object_async (client, "bkt", "k", body, &put, NULL,
                                      octopus_test_result_cb, NULL);
  result = octopus_test_wait_result ();
  etag = octopus_s3_client_put_object_finish (client, result, &error);
  g_assert_null (etag);
  g_assert_cmpuint (octopus_fault_proxy_get_injected (proxy), ==, 1);
  g_assert_cmpuint (server->requests, ==, 1);
  g_assert_error (error, OCTOPUS_S3_ERROR, OCTOPUS_S3_ERROR_NETWORK);
  g_assert_true (octopus_s3_error_is_retryable (error));
  g_clear_object (&client);
  octopus_fault_proxy_free (g_steal_pointer (&proxy));
}

int
main (int argc, char **argv)
{
  static const char *servers[] = { "s3rver", "swift" };

  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/faults/s3/bad-digest-after-reset", test_bad_digest_after_reset);
  for (guint i = 0; i < G_N_ELEMENTS (servers); i++)
    {
#define ADD(name, func)                                                             \
      do {                                                                         \
        g_autofree char *path = g_strdup_printf ("/faults/s3/%s/" name, servers[i]); \
        g_test_add (path, Fixture, servers[i], fixture_set_up, func, fixture_tear_down); \
      } while (0)
      ADD ("refused", test_refused);
      ADD ("slowdown-storm-clears", test_storm_clears);
      ADD ("internal-error-clears", test_internal_error_clears);
      ADD ("slowdown-storm-persists", test_storm_persists);
      ADD ("reset-mid-upload", test_reset_mid_upload);
      ADD ("reset-every-attempt", test_reset_every_attempt);
      ADD ("truncated-get", test_truncated_get);
      ADD ("malformed-list", test_malformed_list);
      ADD ("delayed-reply-timeout", test_delayed_reply_timeout);
      ADD ("restart-on-kept-alive-connection", test_restart_on_kept_alive_connection);
      ADD ("restart-part-on-kept-alive-connection", test_restart_part_on_kept_alive_connection);
#undef ADD
    }
  return g_test_run ();
}
