/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-security.c — hostile servers and hostile keys.
 *
 * - an https endpoint whose certificate does not verify is an error naming the host, even for
 *   an account that allows plain http (there is no switch to turn verification off);
 * - an XML reply that never ends is cut off at the size bound with an error, in bounded time
 *   and bounded memory;
 * - object keys can never name a path outside the download folder.
 */
#include <string.h>
#include <sys/resource.h>
#include <glib/gstdio.h>
#include <libsoup/soup.h>

#include "octopus-download.h"
#include "octopus-s3-client.h"
#include "octopus-s3-xml.h"
#include "octopus-test-util.h"

/* ---- TLS ------------------------------------------------------------------- */

static void
count_request (SoupServer *server, SoupServerMessage *msg, const char *path, GHashTable *query,
               gpointer user_data)
{
  guint *requests = user_data;

  (*requests)++;
  soup_server_message_set_status (msg, 200, NULL);
}

/* A fresh self-signed certificate from the openssl command line tool. */
static GTlsCertificate *
self_signed_certificate (void)
{
  g_autofree char *dir = g_dir_make_tmp ("octopus-tls-XXXXXX", NULL);
  g_autofree char *key = g_build_filename (dir, "key.pem", NULL);
  g_autofree char *crt = g_build_filename (dir, "cert.pem", NULL);
  const char *argv[] = { "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                         "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1",
                         "-subj", "/CN=127.0.0.1", "-keyout", key, "-out", crt, NULL };
  g_autoptr(GError) error = NULL;
  GTlsCertificate *cert;
  int status = 0;

  g_assert_nonnull (dir);
  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL
                | G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, NULL, NULL, &status, &error);
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  cert = g_tls_certificate_new_from_files (crt, key, &error);
  g_assert_no_error (error);
  g_unlink (key);
  g_unlink (crt);
  g_rmdir (dir);
  return cert;
}

static void
test_tls_self_signed (void)
{
  g_autoptr(GTlsCertificate) cert = NULL;
  g_autoptr(SoupServer) server = NULL;
  g_autoptr(OctopusS3Client) client = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *endpoint = NULL;
  GSList *uris;
  guint requests = 0;
  gint64 started;

#ifdef __SANITIZE_ADDRESS__
  /* LeakSanitizer's tracer crashes at exit on the dlopen'ed GnuTLS GIO module's dynamic TLS
   * (GCC 12, glibc 2.36); the plain build runs this test. */
  g_test_skip ("the GnuTLS GIO module crashes LeakSanitizer's tracer");
  return;
#endif

  cert = self_signed_certificate ();
  server = soup_server_new ("tls-certificate", cert, NULL);
  soup_server_add_handler (server, NULL, count_request, &requests, NULL);
  soup_server_listen_local (server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY | SOUP_SERVER_LISTEN_HTTPS,
                            &error);
  g_assert_no_error (error);
  uris = soup_server_get_uris (server);
  endpoint = g_strdup_printf ("https://127.0.0.1:%d", g_uri_get_port (uris->data));
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);

  {
    /* allow_http says nothing about https: verification stays on. */
    OctopusS3ClientOptions options = {
      .name = "Hostile", .endpoint = endpoint, .access_key = "a", .secret_key = "b",
      .path_style = TRUE, .allow_http = TRUE, .retry_base_ms = 5, .timeout_seconds = 10,
    };
    client = octopus_s3_client_new (&options, &error);
    g_assert_no_error (error);
  }

  started = g_get_monotonic_time ();
  octopus_s3_client_head_bucket_async (client, "bucket", NULL, octopus_test_result_cb, NULL);
  result = octopus_test_wait_result ();
  g_assert_false (octopus_s3_client_head_bucket_finish (client, result, NULL, &error));
  g_assert_error (error, OCTOPUS_S3_ERROR, OCTOPUS_S3_ERROR_TLS);
  g_assert_nonnull (strstr (error->message, "127.0.0.1"));
  g_assert_nonnull (strstr (error->message, "Hostile"));
  /* Not one request got through the failed handshake, and it was not retried into a hang. */
  g_assert_cmpuint (requests, ==, 0);
  g_assert_cmpint (g_get_monotonic_time () - started, <, 5 * G_USEC_PER_SEC);
  soup_server_disconnect (server);
}

/* ---- a reply that never ends ------------------------------------------------ */

typedef struct {
  guint64 sent;
} Endless;

static const char endless_item[] =
  "<Contents><Key>aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa</Key><Size>1</Size></Contents>";

static void
endless_more (SoupServerMessage *msg, gpointer user_data)
{
  Endless *endless = user_data;
  SoupMessageBody *body = soup_server_message_get_response_body (msg);
  GString *chunk = g_string_new (NULL);

  while (chunk->len < 64 * 1024)
    g_string_append (chunk, endless_item);
  endless->sent += chunk->len;
  soup_message_body_append (body, SOUP_MEMORY_TAKE, chunk->str, chunk->len);
  g_string_free (chunk, FALSE);
  soup_server_message_unpause (msg);
}

static void
endless_handler (SoupServer *server, SoupServerMessage *msg, const char *path,
                 GHashTable *query, gpointer user_data)
{
  static const char start[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Name>b</Name>";
  SoupMessageBody *body = soup_server_message_get_response_body (msg);
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);

  soup_server_message_set_status (msg, 200, NULL);
  soup_message_headers_set_encoding (headers, SOUP_ENCODING_CHUNKED);
  soup_message_headers_set_content_type (headers, "application/xml", NULL);
  soup_message_body_append (body, SOUP_MEMORY_STATIC, start, strlen (start));
  /* Each chunk written asks for the next: the reply goes on until the client hangs up. */
  g_signal_connect (msg, "wrote-chunk", G_CALLBACK (endless_more), user_data);
}

static glong
max_rss_kib (void)
{
  struct rusage usage;

  getrusage (RUSAGE_SELF, &usage);
  return usage.ru_maxrss;
}

static void
test_endless_xml (void)
{
  g_autoptr(SoupServer) server = NULL;
  g_autoptr(OctopusS3Client) client = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(OctopusS3ListPage) page = NULL;
  g_autofree char *endpoint = NULL;
  Endless endless = { 0 };
  GSList *uris;
  gint64 started;
  glong rss_before;

  server = soup_server_new (NULL, NULL);
  soup_server_add_handler (server, NULL, endless_handler, &endless, NULL);
  soup_server_listen_local (server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error);
  g_assert_no_error (error);
  uris = soup_server_get_uris (server);
  endpoint = g_strdup_printf ("http://127.0.0.1:%d", g_uri_get_port (uris->data));
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
  {
    OctopusS3ClientOptions options = {
      .name = "Endless", .endpoint = endpoint, .access_key = "a", .secret_key = "b",
      .path_style = TRUE, .allow_http = TRUE, .max_attempts = 2, .retry_base_ms = 5,
      .timeout_seconds = 10,
    };
    client = octopus_s3_client_new (&options, &error);
    g_assert_no_error (error);
  }

  rss_before = max_rss_kib ();
  started = g_get_monotonic_time ();
  octopus_s3_client_list_objects_async (client, "b", NULL, NULL, 0, NULL,
                                        octopus_test_result_cb, NULL);
  result = octopus_test_wait_result ();
  page = octopus_s3_client_list_objects_finish (client, result, &error);
  g_assert_null (page);
  g_assert_error (error, OCTOPUS_S3_ERROR, OCTOPUS_S3_ERROR_MALFORMED_REPLY);
  g_test_message ("cut off after %" G_GUINT64_FORMAT " bytes sent: %s", endless.sent,
                  error->message);
  /* Cut at the bound, not read on: a little past 16 MiB at most went out (socket buffers). */
  g_assert_cmpuint (endless.sent, <, 2 * (guint64) OCTOPUS_S3_XML_MAX_SIZE);
  g_assert_cmpint (g_get_monotonic_time () - started, <, 20 * G_USEC_PER_SEC);
  /* Memory: the bound plus buffers, not the stream (ASan's quarantine keeps freed buffers
   * around, so it gets more room; the stream itself would grow without limit). */
  g_test_message ("peak memory grew by %ld KiB", max_rss_kib () - rss_before);
#ifdef __SANITIZE_ADDRESS__
  g_assert_cmpint (max_rss_kib () - rss_before, <, 16 * OCTOPUS_S3_XML_MAX_SIZE / 1024);
#else
  g_assert_cmpint (max_rss_kib () - rss_before, <, 4 * OCTOPUS_S3_XML_MAX_SIZE / 1024);
#endif
  soup_server_disconnect (server);
}

/* ---- keys → local paths ------------------------------------------------------ */

static void
assert_inside (const char *dir, const char *key)
{
  g_autofree char *path = octopus_download_local_path (dir, key);
  g_autofree char *canonical = g_canonicalize_filename (path, "/");
  g_autofree char *prefix = g_strconcat (dir, "/", NULL);
  g_autofree char *relative = octopus_download_relative_path (key);
  g_auto(GStrv) parts = g_strsplit (relative, "/", -1);

  /* The path as written and the path the kernel would resolve (no symlinks yet) agree and
   * are strictly inside the folder. */
  g_assert_cmpstr (canonical, ==, path);
  g_assert_true (g_str_has_prefix (canonical, prefix));
  g_assert_true (g_utf8_validate (relative, -1, NULL));
  for (guint i = 0; parts[i] != NULL; i++)
    {
      g_assert_cmpstr (parts[i], !=, "");
      g_assert_cmpstr (parts[i], !=, ".");
      g_assert_cmpstr (parts[i], !=, "..");
      g_assert_cmpuint (strlen (parts[i]), <=, 255);
      for (const char *p = parts[i]; *p; p++)
        g_assert_true ((guchar) *p >= 0x20 && *p != 0x7f && *p != '\\');
    }
}

static void
test_hostile_keys (void)
{
  static const char *keys[] = {
    "../../escape.txt", "..", ".", "/", "", "/etc/passwd", "a/../../b", "a/./b//c",
    "..\\..\\windows.ini", "\\\\server\\share", "a\x01" "b\x1f" "c\x7f", "tab\there",
    "new\nline", "\xff\xfe not utf-8 \xc3", "....//....//x", "%2e%2e/%2e%2e/x",
    "~/.ssh/authorized_keys", "a/b/../../../c",
  };
  g_autofree char *dir = g_dir_make_tmp ("octopus-download-XXXXXX", NULL);
  g_autofree char *overlong = g_strnfill (4000, 'x');
  g_autofree char *overlong_utf8 = NULL;
  g_autofree char *deep = NULL;
  GString *s = g_string_new (NULL);

  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    assert_inside (dir, keys[i]);
  assert_inside (dir, overlong);
  for (guint i = 0; i < 200; i++)
    g_string_append (s, "ü");
  overlong_utf8 = g_string_free (s, FALSE);
  assert_inside (dir, overlong_utf8);
  deep = g_strjoinv ("/", (char *[]) { "..", "..", "..", "..", "..", "..", "..", "x", NULL });
  assert_inside (dir, deep);

  /* A NUL byte ends the key in C: what follows can never become part of the path. */
  {
    const char with_nul[] = "safe\0/../../etc/passwd";
    g_autofree char *path = octopus_download_local_path (dir, with_nul);
    g_autofree char *expected = g_build_filename (dir, "safe", NULL);
    g_assert_cmpstr (path, ==, expected);
  }

  /* Random bytes: whatever a server sends stays inside. */
  for (guint n = 0; n < 2000; n++)
    {
      guint len = g_test_rand_int_range (1, 40);
      g_autofree char *key = g_malloc (len + 1);

      for (guint i = 0; i < len; i++)
        {
          static const char alphabet[] = "./\\.a\x01\xff\xc3";
          key[i] = g_test_rand_bit () ? alphabet[g_test_rand_int_range (0, sizeof alphabet - 1)]
                                      : (char) g_test_rand_int_range (1, 256);
        }
      key[len] = '\0';
      assert_inside (dir, key);
    }
  g_rmdir (dir);
}

static void
test_symlink_in_the_way (void)
{
  g_autofree char *dir = g_dir_make_tmp ("octopus-download-XXXXXX", NULL);
  g_autofree char *outside = g_dir_make_tmp ("octopus-outside-XXXXXX", NULL);
  g_autofree char *link = g_build_filename (dir, "link", NULL);
  g_autofree char *path = NULL;
  g_autofree char *escaped = g_build_filename (outside, "sub", NULL);
  g_autoptr(GError) error = NULL;

  /* A symlink planted in the download folder must not be a way out. */
  g_assert_cmpint (symlink (outside, link), ==, 0);
  path = octopus_download_local_path (dir, "link/sub/file.txt");
  g_assert_false (octopus_download_make_parents (dir, path, &error));
  g_assert_nonnull (error);
  g_assert_false (g_file_test (escaped, G_FILE_TEST_EXISTS));
  g_unlink (link);
  g_rmdir (outside);
  g_rmdir (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/security/tls/self-signed-refused", test_tls_self_signed);
  g_test_add_func ("/security/xml/endless-reply-cut-off", test_endless_xml);
  g_test_add_func ("/security/download/hostile-keys-stay-inside", test_hostile_keys);
  g_test_add_func ("/security/download/symlink-not-followed", test_symlink_in_the_way);
  return g_test_run ();
}
