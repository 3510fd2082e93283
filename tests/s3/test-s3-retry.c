/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-s3-retry.c — the client's retries, reply bounds and request lines, against an
 * in-process SoupServer on 127.0.0.1 that serves canned replies in order (the last one
 * repeats) and records every request it sees (tests/common/octopus-test-canned-server.h),
 * and against a bare listener where the request line must be seen as it was sent.
 */
#include "config.h"

#include <libsoup/soup.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <string.h>

#include "octopus-s3-client.h"
#include "octopus-s3-xml.h"
#include "octopus-sigv4.h"
#include "octopus-test-canned-server.h"
#include "octopus-test-util.h"

#define BUCKETS_XML \
  "<?xml version=\"1.0\" encoding=\"UTF-8\"?>" \
  "<ListAllMyBucketsResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">" \
  "<Owner><ID>o</ID><DisplayName>o</DisplayName></Owner><Buckets>" \
  "<Bucket><Name>one</Name><CreationDate>2024-01-02T03:04:05.000Z</CreationDate></Bucket>" \
  "</Buckets></ListAllMyBucketsResult>"

#define ERROR_XML(code) \
  "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>" code "</Code>" \
  "<Message>canned " code "</Message><RequestId>req-1</RequestId></Error>"

typedef OctopusTestReply Reply;

/* A client on a canned server. */
typedef struct {
  OctopusTestCannedServer *server;
  OctopusS3Client         *client;
} Fake;

static void
fake_setup (Fake        *fake,
            const Reply *replies,
            guint        n_replies)
{
  g_autoptr(GError) error = NULL;
  OctopusS3ClientOptions options = {
    .name = "Fake S3", .access_key = "AKIDEXAMPLE", .secret_key = "secret-never-logged",
    .path_style = TRUE, .allow_http = TRUE, .max_attempts = 3, .retry_base_ms = 2,
  };

  fake->server = octopus_test_canned_server_new (replies, n_replies);
  options.endpoint = fake->server->endpoint;
  fake->client = octopus_s3_client_new (&options, &error);
  g_assert_no_error (error);
}

static void
fake_teardown (Fake *fake)
{
  g_assert_finalize_object (fake->client);
  octopus_test_canned_server_free (fake->server);
}

static GPtrArray *
list_buckets (Fake *fake, GCancellable *cancellable, GError **error)
{
  g_autoptr(GAsyncResult) res = NULL;

  octopus_s3_client_list_buckets_async (fake->client, cancellable, octopus_test_result_cb, NULL);
  res = octopus_test_wait_result ();
  return octopus_s3_client_list_buckets_finish (fake->client, res, error);
}

/* ---------------------------------------------------------------------------------------- */

static void
test_slowdown_then_success (void)
{
  static const Reply replies[] = {
    { 503, ERROR_XML ("SlowDown") },
    { 503, ERROR_XML ("SlowDown") },
    { 200, BUCKETS_XML },
  };
  Fake fake;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) buckets = NULL;

  fake_setup (&fake, replies, G_N_ELEMENTS (replies));
  buckets = list_buckets (&fake, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (buckets->len, ==, 1);
  g_assert_cmpstr (((OctopusS3Bucket *) buckets->pdata[0])->name, ==, "one");
  g_assert_cmpuint (fake.server->requests, ==, 3);
  fake_teardown (&fake);
}

static void
test_permanent_500 (void)
{
  static const Reply replies[] = { { 500, ERROR_XML ("InternalError") } };
  Fake fake;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) buckets = NULL;

  fake_setup (&fake, replies, G_N_ELEMENTS (replies));
  buckets = list_buckets (&fake, NULL, &error);
  g_assert_null (buckets);
  g_assert_error (error, OCTOPUS_S3_ERROR, OCTOPUS_S3_ERROR_SERVER);
  g_assert_cmpstr (octopus_s3_error_get_s3_code (error), ==, "InternalError");
  g_assert_cmpstr (octopus_s3_error_get_service (error), ==, "Fake S3");
  g_assert_cmpuint (fake.server->requests, ==, 3); /* max_attempts */
  fake_teardown (&fake);
}

static void
test_403_not_retried (void)
{
  static const Reply replies[] = { { 403, ERROR_XML ("AccessDenied") }, { 200, BUCKETS_XML } };
  Fake fake;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) buckets = NULL;

  fake_setup (&fake, replies, G_N_ELEMENTS (replies));
  buckets = list_buckets (&fake, NULL, &error);
  g_assert_null (buckets);
  g_assert_error (error, OCTOPUS_S3_ERROR, OCTOPUS_S3_ERROR_ACCESS_DENIED);
  g_assert_nonnull (strstr (error->message, "Fake S3"));
  g_assert_null (strstr (error->message, "secret-never-logged"));
  g_assert_cmpuint (fake.server->requests, ==, 1);
  fake_teardown (&fake);
}

static void
test_reply_too_large (void)
{
  gsize size = OCTOPUS_S3_XML_MAX_SIZE + 4096;
  g_autofree char *huge = g_malloc (size + 1);
  Reply replies[] = { { 200, NULL, 0 } };
  Fake fake;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) buckets = NULL;

  /* A well-formed start that never ends within the bound. */
  memset (huge, ' ', size);
  memcpy (huge, "<ListAllMyBucketsResult>", 24);
  huge[size] = '\0';
  replies[0].body = huge;
  replies[0].body_len = size;

  fake_setup (&fake, replies, G_N_ELEMENTS (replies));
  buckets = list_buckets (&fake, NULL, &error);
  g_assert_null (buckets);
  g_assert_error (error, OCTOPUS_S3_ERROR, OCTOPUS_S3_ERROR_MALFORMED_REPLY);
  g_assert_cmpuint (fake.server->requests, ==, 1);
  fake_teardown (&fake);
}

static void
test_malformed_list (void)
{
  static const Reply replies[] = {
    { 200, "<?xml version=\"1.0\"?><ListBucketResult><Contents><Key>a</Key><Size>x" },
  };
  Fake fake;
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) res = NULL;
  g_autoptr(OctopusS3ListPage) page = NULL;

  fake_setup (&fake, replies, G_N_ELEMENTS (replies));
  octopus_s3_client_list_objects_async (fake.client, "bkt", NULL, NULL, 0, NULL,
                                        octopus_test_result_cb, NULL);
  res = octopus_test_wait_result ();
  page = octopus_s3_client_list_objects_finish (fake.client, res, &error);
  g_assert_null (page);
  g_assert_error (error, OCTOPUS_S3_ERROR, OCTOPUS_S3_ERROR_MALFORMED_REPLY);
  /* Named like every other error, so the user knows which service sent it. */
  g_assert_true (g_str_has_prefix (error->message, "Fake S3: "));
  g_assert_nonnull (strstr (error->message, "ListObjectsV2"));
  g_assert_cmpstr (octopus_s3_error_get_service (error), ==, "Fake S3");
  g_assert_cmpuint (fake.server->requests, ==, 1);
  g_clear_object (&res);
  fake_teardown (&fake);
}

/* The paged listings parse their replies themselves: named there too. */
static void
test_malformed_list_parts (void)
{
  static const Reply replies[] = {
    { 200, "<?xml version=\"1.0\"?><ListPartsResult><Part><PartNumber>x" },
  };
  Fake fake;
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) res = NULL;
  g_autoptr(GPtrArray) parts = NULL;

  fake_setup (&fake, replies, G_N_ELEMENTS (replies));
  octopus_s3_client_list_parts_async (fake.client, "bkt", "big", "upload-1", NULL,
                                      octopus_test_result_cb, NULL);
  res = octopus_test_wait_result ();
  parts = octopus_s3_client_list_parts_finish (fake.client, res, &error);
  g_assert_null (parts);
  g_assert_error (error, OCTOPUS_S3_ERROR, OCTOPUS_S3_ERROR_MALFORMED_REPLY);
  g_assert_true (g_str_has_prefix (error->message, "Fake S3: "));
  g_assert_cmpstr (octopus_s3_error_get_service (error), ==, "Fake S3");
  g_clear_object (&res);
  fake_teardown (&fake);
}

/* An error that already names the service is not named twice. */
static void
test_missing_etag_named_once (void)
{
  static const Reply replies[] = { { 200, "" } };
  Fake fake;
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) res = NULL;
  g_autoptr(GBytes) body = g_bytes_new_static ("x", 1);
  g_autofree char *etag = NULL;

  fake_setup (&fake, replies, G_N_ELEMENTS (replies));
  octopus_s3_client_put_object_async (fake.client, "bkt", "k", body, NULL, NULL,
                                      octopus_test_result_cb, NULL);
  res = octopus_test_wait_result ();
  etag = octopus_s3_client_put_object_finish (fake.client, res, &error);
  g_assert_null (etag);
  g_assert_error (error, OCTOPUS_S3_ERROR, OCTOPUS_S3_ERROR_MALFORMED_REPLY);
  g_assert_true (g_str_has_prefix (error->message, "Fake S3: "));
  g_assert_false (g_str_has_prefix (error->message, "Fake S3: Fake S3"));
  g_assert_cmpstr (octopus_s3_error_get_service (error), ==, "Fake S3");
  g_clear_object (&res);
  fake_teardown (&fake);
}

static char *
complete (Fake *fake, GError **error)
{
  g_autoptr(GPtrArray) parts =
    g_ptr_array_new_with_free_func ((GDestroyNotify) octopus_s3_part_free);
  g_autoptr(GAsyncResult) res = NULL;

  g_ptr_array_add (parts, octopus_s3_part_new (1, "0123456789abcdef0123456789abcdef", -1));
  octopus_s3_client_complete_multipart_async (fake->client, "bkt", "big", "upload-1", parts,
                                              NULL, octopus_test_result_cb, NULL);
  res = octopus_test_wait_result ();
  return octopus_s3_client_complete_multipart_finish (fake->client, res, error);
}

static void
test_error_in_200_complete (void)
{
  static const Reply replies[] = { { 200, ERROR_XML ("NoSuchUpload") } };
  Fake fake;
  g_autoptr(GError) error = NULL;
  g_autofree char *etag = NULL;

  fake_setup (&fake, replies, G_N_ELEMENTS (replies));
  etag = complete (&fake, &error);
  g_assert_null (etag);
  g_assert_error (error, OCTOPUS_S3_ERROR, OCTOPUS_S3_ERROR_NO_SUCH_UPLOAD);
  g_assert_cmpuint (fake.server->requests, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (fake.server->paths, 0), ==, "/bkt/big?uploadId=upload-1");
  fake_teardown (&fake);
}

static void
test_internal_error_in_200_retried (void)
{
  static const Reply replies[] = {
    { 200, ERROR_XML ("InternalError") },
    { 200, "<?xml version=\"1.0\"?><CompleteMultipartUploadResult><Bucket>bkt</Bucket>"
           "<Key>big</Key><ETag>\"3858f62230ac3c915f300c664312c11f-1\"</ETag>"
           "</CompleteMultipartUploadResult>" },
  };
  Fake fake;
  g_autoptr(GError) error = NULL;
  g_autofree char *etag = NULL;

  fake_setup (&fake, replies, G_N_ELEMENTS (replies));
  etag = complete (&fake, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (etag, ==, "3858f62230ac3c915f300c664312c11f-1");
  g_assert_cmpuint (fake.server->requests, ==, 2);
  fake_teardown (&fake);
}

static void
test_cancel_during_backoff (void)
{
  static const Reply replies[] = { { 503, ERROR_XML ("SlowDown") } };
  Fake fake;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) buckets = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  OctopusS3ClientOptions options = {
    .name = "Slow", .access_key = "a", .secret_key = "b", .path_style = TRUE,
    .allow_http = TRUE, .max_attempts = 5, .retry_base_ms = 20000,
  };
  gint64 start;

  fake_setup (&fake, replies, G_N_ELEMENTS (replies));
  /* A long backoff (at least half of 20 s) that the cancellation must cut short. */
  g_clear_object (&fake.client);
  options.endpoint = fake.server->endpoint;
  fake.client = octopus_s3_client_new (&options, &error);
  g_assert_no_error (error);
  fake.server->cancel_on_first = cancellable;

  start = g_get_monotonic_time ();
  buckets = list_buckets (&fake, cancellable, &error);
  g_assert_null (buckets);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 2 * G_USEC_PER_SEC);
  g_assert_cmpuint (fake.server->requests, ==, 1);
  fake_teardown (&fake);
}

static void
test_head_404_no_body (void)
{
  static const Reply replies[] = { { 404, NULL } };
  Fake fake;
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) res = NULL;
  g_autoptr(OctopusS3Object) head = NULL;
  char *region = NULL;

  fake_setup (&fake, replies, G_N_ELEMENTS (replies));
  octopus_s3_client_head_object_async (fake.client, "bkt", "k", NULL, octopus_test_result_cb,
                                       NULL);
  res = octopus_test_wait_result ();
  head = octopus_s3_client_head_object_finish (fake.client, res, &error);
  g_assert_null (head);
  g_assert_error (error, OCTOPUS_S3_ERROR, OCTOPUS_S3_ERROR_NO_SUCH_KEY);
  g_clear_error (&error);
  g_clear_object (&res);

  octopus_s3_client_head_bucket_async (fake.client, "bkt", NULL, octopus_test_result_cb, NULL);
  res = octopus_test_wait_result ();
  g_assert_false (octopus_s3_client_head_bucket_finish (fake.client, res, &region, &error));
  g_assert_error (error, OCTOPUS_S3_ERROR, OCTOPUS_S3_ERROR_NO_SUCH_BUCKET);
  g_assert_null (region);
  g_assert_cmpuint (fake.server->requests, ==, 2);
  g_clear_object (&res);
  fake_teardown (&fake);
}

static void
test_redirect_wrong_region (void)
{
  static const Reply replies[] = {
    { 301, NULL, 0, "x-amz-bucket-region", "eu-west-3" },
  };
  Fake fake;
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) res = NULL;

  fake_setup (&fake, replies, G_N_ELEMENTS (replies));
  octopus_s3_client_head_bucket_async (fake.client, "bkt", NULL, octopus_test_result_cb, NULL);
  res = octopus_test_wait_result ();
  g_assert_false (octopus_s3_client_head_bucket_finish (fake.client, res, NULL, &error));
  g_assert_error (error, OCTOPUS_S3_ERROR, OCTOPUS_S3_ERROR_WRONG_REGION);
  g_assert_cmpstr (octopus_s3_error_get_region (error), ==, "eu-west-3");
  g_assert_cmpuint (fake.server->requests, ==, 1);
  g_clear_object (&res);
  fake_teardown (&fake);
}

static const char *
signed_headers (SoupMessageHeaders *headers)
{
  const char *auth = soup_message_headers_get_one (headers, "Authorization");

  g_assert_nonnull (auth);
  g_assert_true (g_str_has_prefix (auth, "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/"));
  g_assert_nonnull (strstr (auth, "SignedHeaders="));
  return strstr (auth, "SignedHeaders=") + strlen ("SignedHeaders=");
}

static char *
raw_header (const char *head, const char *name)
{
  g_auto(GStrv) lines = g_strsplit (head, "\r\n", -1);
  gsize n = strlen (name);

  for (guint i = 1; lines[i]; i++)
    if (g_ascii_strncasecmp (lines[i], name, n) == 0 && lines[i][n] == ':')
      return g_strstrip (g_strdup (lines[i] + n + 1));
  return NULL;
}

/* A bare HTTP listener that keeps the request head exactly as it arrived: SoupServer hands
 * handlers a decoded path, which could not tell one encoding from two.
 *
 * It accepts with blocking calls in a thread of its own that never touches a main context,
 * and raw_server_stop() joins that thread before the test returns.  (It was a
 * GThreadedSocketService with max-threads 1: that stops accepting while its one job runs
 * and restarts from the worker thread when the job ends.  GLib 2.74's
 * g_socket_listener_accept_socket_async() attaches the new accept sources to the main
 * context before it sets their task data, so when the client's next connection was already
 * waiting, the main loop in octopus_test_wait() could dispatch accept_ready() in between
 * and crash on the NULL task data: the SIGSEGV in /s3/retry/dot-segment-keys.) */
typedef struct {
  GSocket      *socket;
  GCancellable *cancellable;
  GThread      *thread;
  char         *endpoint;
  GMutex        lock;
  char         *head;       /* the last request head, under @lock */
} RawServer;

static void
raw_serve (RawServer *raw,
           GSocket   *peer)
{
  static const char reply[] = "HTTP/1.1 200 OK\r\nETag: \"5d41402abc4b2a76b9719d911017c592\"\r\n"
                              "Content-Length: 0\r\n"
                              "Connection: close\r\n\r\n";
  g_autoptr(GSocketConnection) connection = g_socket_connection_factory_create_connection (peer);
  GInputStream *in = g_io_stream_get_input_stream (G_IO_STREAM (connection));
  GOutputStream *out = g_io_stream_get_output_stream (G_IO_STREAM (connection));
  GString *head = g_string_new (NULL);
  g_autofree char *length = NULL;
  guint64 body_length = 0;
  char c;

  while (!g_str_has_suffix (head->str, "\r\n\r\n") &&
         g_input_stream_read (in, &c, 1, raw->cancellable, NULL) == 1)
    g_string_append_c (head, c);
  /* The body follows the head. */
  length = raw_header (head->str, "Content-Length");
  if (length != NULL)
    g_ascii_string_to_unsigned (length, 10, 0, G_MAXUINT32, &body_length, NULL);
  for (guint64 i = 0;
       i < body_length && g_input_stream_read (in, &c, 1, raw->cancellable, NULL) == 1; i++)
    ;
  g_mutex_lock (&raw->lock);
  g_free (raw->head);
  raw->head = g_string_free (head, FALSE);
  g_mutex_unlock (&raw->lock);
  g_output_stream_write_all (out, reply, strlen (reply), NULL, raw->cancellable, NULL);
  g_io_stream_close (G_IO_STREAM (connection), NULL, NULL);
}

static gpointer
raw_server_thread (gpointer user_data)
{
  RawServer *raw = user_data;

  for (;;)
    {
      g_autoptr(GSocket) peer = g_socket_accept (raw->socket, raw->cancellable, NULL);

      if (peer == NULL)
        return NULL; /* raw_server_stop() */
      g_socket_set_timeout (peer, OCTOPUS_TEST_TIMEOUT_SECONDS);
      raw_serve (raw, peer);
    }
}

static RawServer *
raw_server_start (void)
{
  RawServer *raw = g_new0 (RawServer, 1);
  g_autoptr(GError) error = NULL;
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any_port = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;

  g_mutex_init (&raw->lock);
  raw->cancellable = g_cancellable_new ();
  raw->socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                              G_SOCKET_PROTOCOL_TCP, &error);
  g_assert_no_error (error);
  g_socket_bind (raw->socket, any_port, TRUE, &error);
  g_assert_no_error (error);
  g_socket_listen (raw->socket, &error);
  g_assert_no_error (error);
  bound = g_socket_get_local_address (raw->socket, &error);
  g_assert_no_error (error);
  raw->endpoint = g_strdup_printf ("http://127.0.0.1:%u",
                                   g_inet_socket_address_get_port (
                                     G_INET_SOCKET_ADDRESS (bound)));
  raw->thread = g_thread_new ("raw-server", raw_server_thread, raw);
  return raw;
}

/* The last request head received (owned). */
static char *
raw_server_dup_head (RawServer *raw)
{
  char *head;

  g_mutex_lock (&raw->lock);
  head = g_strdup (raw->head);
  g_mutex_unlock (&raw->lock);
  g_assert_nonnull (head);
  return head;
}

static void
raw_server_stop (RawServer *raw)
{
  g_cancellable_cancel (raw->cancellable);
  g_thread_join (raw->thread);
  g_socket_close (raw->socket, NULL);
  g_object_unref (raw->socket);
  g_object_unref (raw->cancellable);
  g_mutex_clear (&raw->lock);
  g_free (raw->head);
  g_free (raw->endpoint);
  g_free (raw);
}

/* @data: NULL for a plain buffer (its SHA-256 is signed), or the Content-MD5 to send with it
 * (object data: the signed Content-MD5 binds the body, the payload goes UNSIGNED-PAYLOAD so
 * an upload to N services does not hash each part N more times). */
static void
test_request_line_and_signed_headers (gconstpointer data)
{
  const char *content_md5 = data;
  OctopusS3PutOptions put_options = { .content_md5 = content_md5 };
  RawServer *raw = raw_server_start ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) res = NULL;
  g_autoptr(GBytes) body = g_bytes_new_static ("hello", 5);
  g_autoptr(OctopusS3Client) client = NULL;
  g_autofree char *etag = NULL;
  g_autofree char *sha = octopus_sigv4_sha256_hex ("hello", 5);
  g_autofree char *head = NULL;
  g_autofree char *auth = NULL, *content_sha = NULL, *ua = NULL, *accept = NULL;
  const char *signed_list;
  OctopusS3ClientOptions options = {
    .name = "Raw", .access_key = "AKIDEXAMPLE", .secret_key = "s", .path_style = TRUE,
    .allow_http = TRUE, .max_attempts = 1,
  };

  options.endpoint = raw->endpoint;
  client = octopus_s3_client_new (&options, &error);
  g_assert_no_error (error);

  octopus_s3_client_put_object_async (client, "bkt", "a b+c~ü%.txt", body, &put_options, NULL,
                                      octopus_test_result_cb, NULL);
  res = octopus_test_wait_result ();
  etag = octopus_s3_client_put_object_finish (client, res, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (etag, ==, "5d41402abc4b2a76b9719d911017c592");

  head = raw_server_dup_head (raw);
  /* Encoded once: a double encoding would show %2520, a missing one a raw space. */
  g_assert_true (g_str_has_prefix (head, "PUT /bkt/a%20b%2Bc~%C3%BC%25.txt HTTP/1.1\r\n"));
  auth = raw_header (head, "Authorization");
  content_sha = raw_header (head, "x-amz-content-sha256");
  ua = raw_header (head, "User-Agent");
  accept = raw_header (head, "Accept-Encoding");

  g_assert_nonnull (auth);
  g_assert_true (g_str_has_prefix (auth, "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/"));
  signed_list = strstr (auth, "SignedHeaders=");
  g_assert_nonnull (signed_list);
  if (content_md5 == NULL)
    {
      g_assert_true (g_str_has_prefix (signed_list,
                                       "SignedHeaders=host;x-amz-content-sha256;x-amz-date,"));
      g_assert_cmpstr (content_sha, ==, sha);
    }
  else
    {
      g_assert_true (g_str_has_prefix (signed_list,
                                       "SignedHeaders=content-md5;host;x-amz-content-sha256;"
                                       "x-amz-date,"));
      g_assert_cmpstr (content_sha, ==, OCTOPUS_SIGV4_UNSIGNED_PAYLOAD);
    }
  g_assert_null (accept);
  g_assert_cmpstr (ua, ==, "Octopus/" PACKAGE_VERSION);

  g_clear_object (&res);
  g_assert_finalize_object (g_steal_pointer (&client));
  raw_server_stop (raw);
}

/* The Authorization the client should have sent for the captured @head, signed over
 * @canonical_path: recomputed from the header values that arrived. */
static char *
expected_authorization (const char *head,
                        const char *method,
                        const char *canonical_path,
                        const char *secret)
{
  g_autofree char *auth = raw_header (head, "Authorization");
  g_autofree char *amz_date = raw_header (head, "x-amz-date");
  g_autofree char *payload = raw_header (head, "x-amz-content-sha256");
  g_autoptr(GPtrArray) headers = g_ptr_array_new_with_free_func (g_free);
  g_auto(GStrv) names = NULL;
  const char *list;
  OctopusSigV4Request sreq = { 0 };

  g_assert_nonnull (auth);
  list = strstr (auth, "SignedHeaders=");
  g_assert_nonnull (list);
  list += strlen ("SignedHeaders=");
  {
    g_autofree char *names_str = g_strndup (list, strcspn (list, ","));
    names = g_strsplit (names_str, ";", -1);
  }
  for (guint i = 0; names[i] != NULL; i++)
    {
      g_ptr_array_add (headers, g_strdup (names[i]));
      g_ptr_array_add (headers, raw_header (head, names[i]));
    }
  g_ptr_array_add (headers, NULL);

  sreq.method = method;
  sreq.path = canonical_path;
  sreq.headers = (const char * const *) headers->pdata;
  sreq.payload_hash = payload;
  return octopus_sigv4_authorization (&sreq, "AKIDEXAMPLE", secret, "us-east-1", "s3",
                                      amz_date);
}

/* Keys whose segments are "." or "..": GUri and libsoup would remove them as dot segments
 * (a PUT of "../../escape.txt" became a request on the bucket).  On the wire their dots
 * are %2E; the signature covers the decoded path re-encoded by the S3 rule, where '.' is
 * unreserved, as AWS documents it and Swift checks it.  A bare listener, because
 * SoupServer itself removes dot segments (and decodes %2E) before a handler sees the path. */
static void
test_dot_segment_keys (void)
{
  static const struct { const char *key, *line, *canonical; } cases[] = {
    { "../../escape.txt", "PUT /bkt/%2E%2E/%2E%2E/escape.txt HTTP/1.1\r\n",
      "/bkt/../../escape.txt" },
    { "a/./b", "PUT /bkt/a/%2E/b HTTP/1.1\r\n", "/bkt/a/./b" },
    { "a/../b", "PUT /bkt/a/%2E%2E/b HTTP/1.1\r\n", "/bkt/a/../b" },
    { "./x", "PUT /bkt/%2E/x HTTP/1.1\r\n", "/bkt/./x" },
    { "..", "PUT /bkt/%2E%2E HTTP/1.1\r\n", "/bkt/.." },
    { ".", "PUT /bkt/%2E HTTP/1.1\r\n", "/bkt/." },
    /* Only whole "." / ".." segments: dots inside a name are left alone. */
    { "..a/b../.../.x", "PUT /bkt/..a/b../.../.x HTTP/1.1\r\n", "/bkt/..a/b../.../.x" },
  };
  RawServer *raw = raw_server_start ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = g_bytes_new_static ("hello", 5);
  g_autoptr(OctopusS3Client) client = NULL;
  g_autofree char *presigned = NULL;
  const char *endpoint = raw->endpoint;
  OctopusS3ClientOptions options = {
    .name = "Raw", .access_key = "AKIDEXAMPLE", .secret_key = "s", .path_style = TRUE,
    .allow_http = TRUE, .max_attempts = 1,
  };

  options.endpoint = raw->endpoint;
  client = octopus_s3_client_new (&options, &error);
  g_assert_no_error (error);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GAsyncResult) res = NULL;
      g_autofree char *etag = NULL;
      g_autofree char *head = NULL;
      g_autofree char *sent_auth = NULL;
      g_autofree char *want_auth = NULL;

      octopus_s3_client_put_object_async (client, "bkt", cases[i].key, body, NULL, NULL,
                                          octopus_test_result_cb, NULL);
      res = octopus_test_wait_result ();
      etag = octopus_s3_client_put_object_finish (client, res, &error);
      g_assert_no_error (error);

      head = raw_server_dup_head (raw);
      if (!g_str_has_prefix (head, cases[i].line))
        g_error ("key “%s” sent as %.*s", cases[i].key, (int) strcspn (head, "\r"), head);
      sent_auth = raw_header (head, "Authorization");
      want_auth = expected_authorization (head, "PUT", cases[i].canonical, "s");
      g_assert_cmpstr (sent_auth, ==, want_auth);
    }

  /* A presigned URL carries the wire form too (a browser would drop a literal "..").  */
  presigned = octopus_s3_client_presign_get (client, "bkt", "../x", 60);
  g_assert_nonnull (presigned);
  g_assert_true (g_str_has_prefix (presigned, endpoint));
  g_assert_true (g_str_has_prefix (presigned + strlen (endpoint), "/bkt/%2E%2E/x?"));
  g_assert_nonnull (strstr (presigned, "X-Amz-Signature="));
  {
    g_autofree char *url = octopus_s3_client_build_url (client, "bkt", "a/../b");
    g_autofree char *want = g_strconcat (endpoint, "/bkt/a/%2E%2E/b", NULL);
    g_assert_cmpstr (url, ==, want);
  }

  g_assert_finalize_object (g_steal_pointer (&client));
  raw_server_stop (raw);
}

static void
test_delete_objects_md5 (void)
{
  static const Reply replies[] = {
    { 200, "<?xml version=\"1.0\"?><DeleteResult><Deleted><Key>a</Key></Deleted>"
           "<Error><Key>b c</Key><Code>AccessDenied</Code><Message>no</Message></Error>"
           "</DeleteResult>" },
  };
  const char *keys[] = { "a", "b c", NULL };
  Fake fake;
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) res = NULL;
  g_autoptr(GPtrArray) failed = NULL;
  g_autoptr(GChecksum) md5 = g_checksum_new (G_CHECKSUM_MD5);
  GBytes *sent;
  guint8 digest[16];
  gsize len = sizeof digest;
  g_autofree char *expected_md5 = NULL;

  fake_setup (&fake, replies, G_N_ELEMENTS (replies));
  octopus_s3_client_delete_objects_async (fake.client, "bkt", keys, NULL,
                                          octopus_test_result_cb, NULL);
  res = octopus_test_wait_result ();
  failed = octopus_s3_client_delete_objects_finish (fake.client, res, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (failed->len, ==, 1);
  g_assert_cmpstr (((OctopusS3DeleteError *) failed->pdata[0])->key, ==, "b c");

  g_assert_cmpstr (g_ptr_array_index (fake.server->paths, 0), ==, "/bkt?delete");
  sent = g_ptr_array_index (fake.server->bodies, 0);
  g_assert_nonnull (g_strstr_len (g_bytes_get_data (sent, NULL), g_bytes_get_size (sent),
                                  "<Quiet>true</Quiet>"));
  g_checksum_update (md5, g_bytes_get_data (sent, NULL), g_bytes_get_size (sent));
  g_checksum_get_digest (md5, digest, &len);
  expected_md5 = g_base64_encode (digest, len);
  g_assert_cmpstr (soup_message_headers_get_one (fake.server->last_headers, "Content-MD5"), ==,
                   expected_md5);
  g_assert_nonnull (strstr (signed_headers (fake.server->last_headers), "content-md5"));
  g_clear_object (&res);
  fake_teardown (&fake);
}

static void
test_too_many_delete_keys (void)
{
  static const Reply replies[] = { { 200, "" } };
  g_autoptr(GPtrArray) keys = g_ptr_array_new_with_free_func (g_free);
  Fake fake;
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) res = NULL;
  g_autoptr(GPtrArray) failed = NULL;

  for (guint i = 0; i < 1001; i++)
    g_ptr_array_add (keys, g_strdup_printf ("k%u", i));
  g_ptr_array_add (keys, NULL);
  fake_setup (&fake, replies, G_N_ELEMENTS (replies));
  octopus_s3_client_delete_objects_async (fake.client, "bkt", (const char * const *) keys->pdata,
                                          NULL, octopus_test_result_cb, NULL);
  res = octopus_test_wait_result ();
  failed = octopus_s3_client_delete_objects_finish (fake.client, res, &error);
  g_assert_null (failed);
  g_assert_error (error, OCTOPUS_S3_ERROR, OCTOPUS_S3_ERROR_INVALID_ARGUMENT);
  g_assert_cmpuint (fake.server->requests, ==, 0);
  g_clear_object (&res);
  fake_teardown (&fake);
}

static char *
put_stream (Fake *fake, GInputStream *in, goffset length, GError **error)
{
  g_autoptr(GAsyncResult) res = NULL;

  octopus_s3_client_put_object_stream_async (fake->client, "bkt", "s", in, length, NULL, NULL,
                                             octopus_test_result_cb, NULL);
  res = octopus_test_wait_result ();
  return octopus_s3_client_put_object_stream_finish (fake->client, res, error);
}

static void
test_stream_replayed_when_seekable (void)
{
  static const Reply replies[] = {
    { 503, ERROR_XML ("SlowDown") },
    { 200, "", 0, "ETag", "\"e\"" },
  };
  Fake fake;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) data = g_bytes_new_static ("0123456789stream body", 21);
  g_autoptr(GInputStream) in = g_memory_input_stream_new_from_bytes (data);
  g_autofree char *etag = NULL;

  fake_setup (&fake, replies, G_N_ELEMENTS (replies));
  /* The body starts where the stream is now, not at 0. */
  g_assert_true (g_seekable_seek (G_SEEKABLE (in), 10, G_SEEK_SET, NULL, NULL));
  etag = put_stream (&fake, in, 11, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (etag, ==, "e");
  g_assert_cmpuint (fake.server->requests, ==, 2);
  for (guint i = 0; i < 2; i++)
    {
      GBytes *sent = g_ptr_array_index (fake.server->bodies, i);
      g_assert_cmpmem (g_bytes_get_data (sent, NULL), g_bytes_get_size (sent), "stream body",
                       11);
    }
  g_assert_cmpstr (soup_message_headers_get_one (fake.server->last_headers,
                                                 "x-amz-content-sha256"), ==,
                   OCTOPUS_SIGV4_UNSIGNED_PAYLOAD);
  fake_teardown (&fake);
}

static void
test_stream_sends_only_length (void)
{
  static const Reply replies[] = { { 200, "", 0, "ETag", "\"e\"" } };
  Fake fake;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) data = g_bytes_new_static ("part-one|part-two", 17);
  g_autoptr(GInputStream) in = g_memory_input_stream_new_from_bytes (data);
  g_autofree char *etag = NULL;
  GBytes *sent;
  char rest[16];
  gsize n = 0;

  fake_setup (&fake, replies, G_N_ELEMENTS (replies));
  etag = put_stream (&fake, in, 8, &error);
  g_assert_no_error (error);
  sent = g_ptr_array_index (fake.server->bodies, 0);
  g_assert_cmpmem (g_bytes_get_data (sent, NULL), g_bytes_get_size (sent), "part-one", 8);
  /* The caller's stream is open and positioned right after what was sent. */
  g_assert_false (g_input_stream_is_closed (in));
  g_input_stream_read_all (in, rest, sizeof rest, &n, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (rest, n, "|part-two", 9);
  fake_teardown (&fake);
}

static void
test_stream_not_replayed_when_unseekable (void)
{
  static const Reply replies[] = {
    { 503, ERROR_XML ("SlowDown") },
    { 200, "", 0, "ETag", "\"e\"" },
  };
  Fake fake;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) data = g_bytes_new_static ("ascii body", 10);
  g_autoptr(GInputStream) base = g_memory_input_stream_new_from_bytes (data);
  g_autoptr(GCharsetConverter) conv = g_charset_converter_new ("UTF-8", "UTF-8", NULL);
  g_autoptr(GInputStream) in = g_converter_input_stream_new (base, G_CONVERTER (conv));
  g_autofree char *etag = NULL;

  fake_setup (&fake, replies, G_N_ELEMENTS (replies));
  g_assert_false (G_IS_SEEKABLE (in) && g_seekable_can_seek (G_SEEKABLE (in)));
  etag = put_stream (&fake, in, 10, &error);
  g_assert_null (etag);
  g_assert_error (error, OCTOPUS_S3_ERROR, OCTOPUS_S3_ERROR_SERVER);
  g_assert_cmpuint (fake.server->requests, ==, 1);
  fake_teardown (&fake);
}

static void
test_retry_after (void)
{
  static const Reply replies[] = {
    { 503, ERROR_XML ("SlowDown"), 0, "Retry-After", "1" },
    { 200, BUCKETS_XML },
  };
  Fake fake;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) buckets = NULL;
  gint64 start = g_get_monotonic_time ();

  fake_setup (&fake, replies, G_N_ELEMENTS (replies));
  buckets = list_buckets (&fake, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (fake.server->requests, ==, 2);
  /* retry_base_ms is 2 ms: only Retry-After explains a wait of a second. */
  g_assert_cmpint (g_get_monotonic_time () - start, >=, 900 * 1000);
  fake_teardown (&fake);
}

/* The service's clock, from its replies' Date header: here one that is far behind ours (the
 * engine compares the times a listing of multipart uploads shows with its own). */
static void
test_clock_offset (void)
{
  static const Reply replies[] = {
    { 200, BUCKETS_XML, 0, "Date", "Mon, 01 Jan 2024 00:00:00 GMT" },
  };
  Fake fake;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) buckets = NULL;
  gint64 offset = 1, expected;

  fake_setup (&fake, replies, G_N_ELEMENTS (replies));
  g_assert_false (octopus_s3_client_get_clock_offset (fake.client, &offset));
  g_assert_cmpint (offset, ==, 0);
  buckets = list_buckets (&fake, NULL, &error);
  g_assert_no_error (error);
  expected = G_GINT64_CONSTANT (1704067200) * G_USEC_PER_SEC - g_get_real_time ();
  g_assert_true (octopus_s3_client_get_clock_offset (fake.client, &offset));
  g_assert_cmpint (ABS (offset - expected), <=, 2 * G_USEC_PER_SEC);
  fake_teardown (&fake);
}

/* A self-signed certificate for 127.0.0.1, made now, that no trust store knows. */
static GTlsCertificate *
self_signed_certificate (void)
{
  EVP_PKEY *key = EVP_EC_gen ("P-256");
  X509 *x509 = X509_new ();
  X509_NAME *name;
  BIO *bio = BIO_new (BIO_s_mem ());
  char *pem;
  long len;
  g_autoptr(GError) error = NULL;
  GTlsCertificate *cert;

  g_assert_nonnull (key);
  X509_set_version (x509, 2);
  ASN1_INTEGER_set (X509_get_serialNumber (x509), 1);
  X509_gmtime_adj (X509_getm_notBefore (x509), 0);
  X509_gmtime_adj (X509_getm_notAfter (x509), 3600);
  X509_set_pubkey (x509, key);
  name = X509_get_subject_name (x509);
  X509_NAME_add_entry_by_txt (name, "CN", MBSTRING_ASC, (const guchar *) "127.0.0.1", -1, -1, 0);
  X509_set_issuer_name (x509, name);
  g_assert_cmpint (X509_sign (x509, key, EVP_sha256 ()), >, 0);
  PEM_write_bio_X509 (bio, x509);
  PEM_write_bio_PrivateKey (bio, key, NULL, NULL, 0, NULL, NULL);
  len = BIO_get_mem_data (bio, &pem);
  cert = g_tls_certificate_new_from_pem (pem, len, &error);
  g_assert_no_error (error);
  BIO_free (bio);
  X509_free (x509);
  EVP_PKEY_free (key);
  return cert;
}

static void
count_request (SoupServer        *server,
               SoupServerMessage *msg,
               const char        *path,
               GHashTable        *query,
               gpointer           user_data)
{
  (*(guint *) user_data)++;
  soup_server_message_set_status (msg, 200, NULL);
}

static void
test_tls_untrusted (void)
{
  g_autoptr(GTlsCertificate) cert = self_signed_certificate ();
  g_autoptr(SoupServer) server = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(OctopusS3Client) client = NULL;
  g_autoptr(GAsyncResult) res = NULL;
  g_autoptr(GPtrArray) buckets = NULL;
  g_autofree char *endpoint = NULL;
  GSList *uris;
  guint requests = 0;
  OctopusS3ClientOptions options = { .name = "Secure", .access_key = "a", .secret_key = "b",
                                     .path_style = TRUE, .retry_base_ms = 2 };

#ifdef __SANITIZE_ADDRESS__
  /* LeakSanitizer (GCC 12, glibc 2.36) crashes in its own tracer at exit while scanning the
   * dynamic TLS of the dlopen'ed GnuTLS GIO module this test loads; the plain build runs it. */
  g_test_skip ("the GnuTLS GIO module crashes LeakSanitizer's tracer");
  return;
#endif

  server = soup_server_new ("tls-certificate", cert, NULL);
  soup_server_add_handler (server, NULL, count_request, &requests, NULL);
  soup_server_listen_local (server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY | SOUP_SERVER_LISTEN_HTTPS,
                            &error);
  g_assert_no_error (error);
  uris = soup_server_get_uris (server);
  endpoint = g_strdup_printf ("https://127.0.0.1:%d", g_uri_get_port (uris->data));
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);

  options.endpoint = endpoint;
  client = octopus_s3_client_new (&options, &error);
  g_assert_no_error (error);
  octopus_s3_client_list_buckets_async (client, NULL, octopus_test_result_cb, NULL);
  res = octopus_test_wait_result ();
  buckets = octopus_s3_client_list_buckets_finish (client, res, &error);
  g_assert_null (buckets);
  g_assert_error (error, OCTOPUS_S3_ERROR, OCTOPUS_S3_ERROR_TLS);
  g_assert_nonnull (strstr (error->message, "Secure"));
  g_assert_nonnull (strstr (error->message, "127.0.0.1"));
  /* Nothing was sent over the untrusted connection. */
  g_assert_cmpuint (requests, ==, 0);
  g_clear_object (&res);
  soup_server_disconnect (server);
}

/* PUT "hello" with its Content-MD5 (base64 of 5d41402abc4b2a76b9719d911017c592). */
static char *
put_hello (Fake *fake, GError **error)
{
  g_autoptr(GAsyncResult) res = NULL;
  g_autoptr(GBytes) body = g_bytes_new_static ("hello", 5);
  OctopusS3PutOptions options = { .content_md5 = "XUFAKrxLKna5cZ2REBfFkg==" };

  octopus_s3_client_put_object_async (fake->client, "bkt", "k", body, &options, NULL,
                                      octopus_test_result_cb, NULL);
  res = octopus_test_wait_result ();
  return octopus_s3_client_put_object_finish (fake->client, res, error);
}

/* A PUT whose ETag is not the MD5 that was sent: the service holds other bytes (s3rver stored
 * a cut-off body and answered the MD5 of nothing).  Never a success; retried like a reset. */
static void
test_wrong_etag_not_uploaded (void)
{
  static const Reply replies[] = {
    { 200, "", 0, "ETag", "\"d41d8cd98f00b204e9800998ecf8427e\"" },
  };
  Fake fake;
  g_autoptr(GError) error = NULL;
  g_autofree char *etag = NULL;

  fake_setup (&fake, replies, G_N_ELEMENTS (replies));
  etag = put_hello (&fake, &error);
  g_assert_null (etag);
  g_assert_error (error, OCTOPUS_S3_ERROR, OCTOPUS_S3_ERROR_NETWORK);
  g_assert_true (octopus_s3_error_is_retryable (error));
  g_assert_nonnull (strstr (error->message, "5d41402abc4b2a76b9719d911017c592"));
  g_assert_cmpuint (fake.server->requests, ==, 3); /* retried like a reset, max_attempts */
  fake_teardown (&fake);
}

/* The same for a part: a wrong ETag once, then the right one. */
static void
test_wrong_part_etag_retried (void)
{
  static const Reply replies[] = {
    { 200, "", 0, "ETag", "\"d41d8cd98f00b204e9800998ecf8427e\"" },
    { 200, "", 0, "ETag", "\"5d41402abc4b2a76b9719d911017c592\"" },
  };
  Fake fake;
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) res = NULL;
  g_autoptr(GBytes) body = g_bytes_new_static ("hello", 5);
  g_autofree char *etag = NULL;
  OctopusS3PutOptions options = { .content_md5 = "XUFAKrxLKna5cZ2REBfFkg==" };

  fake_setup (&fake, replies, G_N_ELEMENTS (replies));
  octopus_s3_client_upload_part_async (fake.client, "bkt", "k", "upload-1", 1, body, &options,
                                       NULL, octopus_test_result_cb, NULL);
  res = octopus_test_wait_result ();
  etag = octopus_s3_client_upload_part_finish (fake.client, res, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (etag, ==, "5d41402abc4b2a76b9719d911017c592");
  g_assert_cmpuint (fake.server->requests, ==, 2);
  g_clear_object (&res);
  fake_teardown (&fake);
}

/* An object the service encrypts with its own keys has an ETag that is not its MD5: not
 * compared (the reply says so with x-amz-server-side-encryption: aws:kms). */
static void
test_sse_kms_etag_not_compared (void)
{
  static const Reply replies[] = {
    { 200, "", 0, "ETag", "\"0f343b0931126a20f133d67c2b018a3b\"",
      "x-amz-server-side-encryption", "aws:kms" },
  };
  Fake fake;
  g_autoptr(GError) error = NULL;
  g_autofree char *etag = NULL;

  fake_setup (&fake, replies, G_N_ELEMENTS (replies));
  etag = put_hello (&fake, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (etag, ==, "0f343b0931126a20f133d67c2b018a3b");
  g_assert_cmpuint (fake.server->requests, ==, 1);
  fake_teardown (&fake);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/s3/retry/slowdown-then-success", test_slowdown_then_success);
  g_test_add_func ("/s3/retry/clock-offset", test_clock_offset);
  g_test_add_func ("/s3/retry/wrong-etag-not-uploaded", test_wrong_etag_not_uploaded);
  g_test_add_func ("/s3/retry/wrong-part-etag-retried", test_wrong_part_etag_retried);
  g_test_add_func ("/s3/retry/sse-kms-etag-not-compared", test_sse_kms_etag_not_compared);
  g_test_add_func ("/s3/retry/permanent-500", test_permanent_500);
  g_test_add_func ("/s3/retry/403-not-retried", test_403_not_retried);
  g_test_add_func ("/s3/retry/reply-too-large", test_reply_too_large);
  g_test_add_func ("/s3/retry/malformed-list", test_malformed_list);
  g_test_add_func ("/s3/retry/malformed-list-parts", test_malformed_list_parts);
  g_test_add_func ("/s3/retry/missing-etag-named-once", test_missing_etag_named_once);
  g_test_add_func ("/s3/retry/error-in-200-complete", test_error_in_200_complete);
  g_test_add_func ("/s3/retry/internal-error-in-200-retried", test_internal_error_in_200_retried);
  g_test_add_func ("/s3/retry/cancel-during-backoff", test_cancel_during_backoff);
  g_test_add_func ("/s3/retry/head-404-no-body", test_head_404_no_body);
  g_test_add_func ("/s3/retry/redirect-wrong-region", test_redirect_wrong_region);
  g_test_add_data_func ("/s3/retry/request-line-and-signed-headers", NULL,
                        test_request_line_and_signed_headers);
  g_test_add_data_func ("/s3/retry/object-data-unsigned-payload", "XUFAKrxLKna5cZ2REBfFkg==",
                        test_request_line_and_signed_headers);
  g_test_add_func ("/s3/retry/dot-segment-keys", test_dot_segment_keys);
  g_test_add_func ("/s3/retry/delete-objects-md5", test_delete_objects_md5);
  g_test_add_func ("/s3/retry/too-many-delete-keys", test_too_many_delete_keys);
  g_test_add_func ("/s3/retry/stream-replayed-when-seekable", test_stream_replayed_when_seekable);
  g_test_add_func ("/s3/retry/stream-sends-only-length", test_stream_sends_only_length);
  g_test_add_func ("/s3/retry/stream-not-replayed-when-unseekable",
                   test_stream_not_replayed_when_unseekable);

  g_test_add_func ("/s3/retry/retry-after", test_retry_after);
  g_test_add_func ("/s3/retry/tls-untrusted", test_tls_untrusted);

  return g_test_run ();
}
