/* SPDX-License-Identifier: GPL-3.0-or-later */
/* octopus-test-util.c — see octopus-test-util.h. */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <glib/gstdio.h>

#include "octopus-test-util.h"

static OctopusTestServer servers[] = {
  /* s3rver neither checks signatures nor Content-MD5, answers PutObjectAcl 501 and has no
   * ListMultipartUploads/ListParts/Abort (docs/test-servers.md); its multipart ETag is the
   * MD5 of the whole content. */
  { .name = "s3rver" },
  /* Swift with s3api checks all of it. */
  { .name = "swift", .checks_signatures = TRUE, .supports_acl = TRUE,
    .supports_multipart_listing = TRUE, .supports_content_md5_check = TRUE,
    .multipart_etag_has_part_count = TRUE },
};

static char *
env_dup (const char *server,
         const char *what)
{
  g_autofree char *upper = g_ascii_strup (server, -1);
  g_autofree char *name = g_strdup_printf ("OCTOPUS_TEST_%s_%s", upper, what);
  const char *value = g_getenv (name);

  return value && *value ? g_strdup (value) : NULL;
}

static void
load_servers (void)
{
  static gsize loaded = 0;

  if (!g_once_init_enter (&loaded))
    return;
  for (guint i = 0; i < G_N_ELEMENTS (servers); i++)
    {
      OctopusTestServer *s = &servers[i];
      const char *region = g_getenv ("OCTOPUS_TEST_REGION");

      s->endpoint = env_dup (s->name, "ENDPOINT");
      s->access_key = env_dup (s->name, "ACCESS_KEY");
      s->secret_key = env_dup (s->name, "SECRET_KEY");
      s->access_key2 = env_dup (s->name, "ACCESS_KEY2");
      s->secret_key2 = env_dup (s->name, "SECRET_KEY2");
      s->region = g_strdup (region && *region ? region : "us-east-1");
      if (s->access_key == NULL || s->secret_key == NULL)
        g_clear_pointer (&s->endpoint, g_free);
    }
  g_once_init_leave (&loaded, 1);
}

const OctopusTestServer *
octopus_test_servers_get (guint *n_servers)
{
  load_servers ();
  if (n_servers != NULL)
    *n_servers = G_N_ELEMENTS (servers);
  return servers;
}

const OctopusTestServer *
octopus_test_server_lookup (const char *name)
{
  load_servers ();
  for (guint i = 0; i < G_N_ELEMENTS (servers); i++)
    if (g_strcmp0 (servers[i].name, name) == 0)
      return &servers[i];
  return NULL;
}

gboolean
octopus_test_servers_available (void)
{
  load_servers ();
  for (guint i = 0; i < G_N_ELEMENTS (servers); i++)
    if (servers[i].endpoint == NULL)
      return FALSE;
  return TRUE;
}

gboolean
octopus_test_server_ready (const OctopusTestServer *server)
{
  g_autofree char *upper = NULL;

  if (server->endpoint != NULL)
    return TRUE;
  upper = g_ascii_strup (server->name, -1);
  if (g_strcmp0 (g_getenv ("OCTOPUS_TEST_REQUIRE_SERVERS"), "1") == 0)
    g_error ("OCTOPUS_TEST_REQUIRE_SERVERS=1 but OCTOPUS_TEST_%s_ENDPOINT/_ACCESS_KEY/"
             "_SECRET_KEY are not set: start the servers with tests/servers/octopus-test-servers "
             "and source DIR/env", upper);
  g_test_skip_printf ("%s is not configured (OCTOPUS_TEST_%s_ENDPOINT unset)", server->name,
                      upper);
  return FALSE;
}

OctopusS3Client *
octopus_test_server_new_client_with_keys (const OctopusTestServer *server,
                                          const char              *access_key,
                                          const char              *secret_key)
{
  g_autoptr(GError) error = NULL;
  OctopusS3ClientOptions options = {
    .name = server->name,
    .endpoint = server->endpoint,
    .region = server->region,
    .access_key = access_key,
    .secret_key = secret_key,
    .path_style = TRUE,
    .allow_http = TRUE,
    .max_attempts = 3,
    .retry_base_ms = 20,
    .timeout_seconds = 30,
  };
  OctopusS3Client *client = octopus_s3_client_new (&options, &error);

  g_assert_no_error (error);
  g_assert_nonnull (client);
  return client;
}

OctopusS3Client *
octopus_test_server_new_client (const OctopusTestServer *server)
{
  return octopus_test_server_new_client_with_keys (server, server->access_key,
                                                   server->secret_key);
}

char *
octopus_test_unique_bucket (const char *prefix)
{
  static guint counter;
  g_autofree char *lower = g_ascii_strdown (prefix && *prefix ? prefix : "octopus", -1);
  char *name;

  /* Keep only what bucket names allow; cap the prefix so the name stays ≤ 63. */
  g_strcanon (lower, "abcdefghijklmnopqrstuvwxyz0123456789-", '-');
  if (strlen (lower) > 30)
    lower[30] = '\0';
  name = g_strdup_printf ("%s-%d-%u-%08x", lower, (int) getpid (), ++counter,
                          g_random_int ());
  g_assert_cmpuint (strlen (name), >=, 3);
  g_assert_cmpuint (strlen (name), <=, 63);
  return name;
}

/* ---------------------------------------------------------------------------------------- */
/* Waiting                                                                                  */

static GAsyncResult *default_slot;

void
octopus_test_result_cb (GObject      *source,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  GAsyncResult **slot = user_data ? user_data : &default_slot;

  g_assert_null (*slot);
  *slot = g_object_ref (result);
  g_main_context_wakeup (NULL);
}

static gboolean
timeout_cb (gpointer user_data)
{
  gboolean *timed_out = user_data;

  *timed_out = TRUE;
  return G_SOURCE_REMOVE;
}

/* OCTOPUS_TEST_TIMEOUT_SECONDS, times the multiplier tools/test exports for slow builds
 * (ASan+UBSan runs the same uploads several times slower). */
static guint
timeout_seconds (void)
{
  const char *multiplier = g_getenv ("OCTOPUS_TEST_TIMEOUT_MULTIPLIER");
  guint64 factor = 1;

  if (multiplier != NULL && !g_ascii_string_to_unsigned (multiplier, 10, 1, 20, &factor, NULL))
    factor = 1;
  return OCTOPUS_TEST_TIMEOUT_SECONDS * (guint) factor;
}

static void
iterate_until (gboolean (*done) (gconstpointer), gconstpointer data)
{
  gboolean timed_out = FALSE;
  guint seconds = timeout_seconds ();
  guint id = g_timeout_add_seconds (seconds, timeout_cb, &timed_out);

  while (!done (data) && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  if (timed_out)
    g_error ("an asynchronous operation did not finish within %u s", seconds);
  g_source_remove (id);
}

static gboolean
slot_filled (gconstpointer data)
{
  return *(GAsyncResult * const *) data != NULL;
}

static gboolean
flag_set (gconstpointer data)
{
  return *(const gboolean *) data;
}

GAsyncResult *
octopus_test_wait (GAsyncResult **slot)
{
  iterate_until (slot_filled, slot);
  return g_steal_pointer (slot);
}

GAsyncResult *
octopus_test_wait_result (void)
{
  return octopus_test_wait (&default_slot);
}

void
octopus_test_wait_until (const gboolean *flag)
{
  iterate_until (flag_set, flag);
}

void
octopus_test_wait_for (gboolean     (*done) (gconstpointer),
                       gconstpointer  data)
{
  iterate_until (done, data);
}

/* ---------------------------------------------------------------------------------------- */
/* Synchronous wrappers                                                                     */

gboolean
octopus_test_create_bucket (OctopusS3Client *client,
                            const char      *bucket,
                            GError         **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  octopus_s3_client_create_bucket_async (client, bucket, NULL, NULL, octopus_test_result_cb,
                                         NULL);
  result = octopus_test_wait_result ();
  return octopus_s3_client_create_bucket_finish (client, result, error);
}

static gboolean
delete_all_objects (OctopusS3Client *client,
                    const char      *bucket,
                    GError         **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GPtrArray) objects = NULL;

  octopus_s3_client_list_all_objects_async (client, bucket, NULL, NULL,
                                            octopus_test_result_cb, NULL);
  result = octopus_test_wait_result ();
  objects = octopus_s3_client_list_all_objects_finish (client, result, error);
  if (objects == NULL)
    return FALSE;
  for (guint i = 0; i < objects->len; i++)
    {
      OctopusS3Object *object = g_ptr_array_index (objects, i);
      g_autoptr(GAsyncResult) del = NULL;

      octopus_s3_client_delete_object_async (client, bucket, object->key, NULL,
                                             octopus_test_result_cb, NULL);
      del = octopus_test_wait_result ();
      if (!octopus_s3_client_delete_object_finish (client, del, error))
        return FALSE;
    }
  return TRUE;
}

static gboolean
abort_all_uploads (OctopusS3Client *client,
                   const char      *bucket,
                   GError         **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GPtrArray) uploads = NULL;

  octopus_s3_client_list_multipart_uploads_async (client, bucket, NULL, NULL,
                                                  octopus_test_result_cb, NULL);
  result = octopus_test_wait_result ();
  uploads = octopus_s3_client_list_multipart_uploads_finish (client, result, error);
  if (uploads == NULL)
    return FALSE;
  for (guint i = 0; i < uploads->len; i++)
    {
      OctopusS3Upload *upload = g_ptr_array_index (uploads, i);
      g_autoptr(GAsyncResult) abort = NULL;

      octopus_s3_client_abort_multipart_async (client, bucket, upload->key, upload->upload_id,
                                               NULL, octopus_test_result_cb, NULL);
      abort = octopus_test_wait_result ();
      if (!octopus_s3_client_abort_multipart_finish (client, abort, error))
        return FALSE;
    }
  return TRUE;
}

gboolean
octopus_test_destroy_bucket (OctopusS3Client *client,
                             const char      *bucket,
                             gboolean         abort_uploads,
                             GError         **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  if (abort_uploads && !abort_all_uploads (client, bucket, error))
    return FALSE;
  if (!delete_all_objects (client, bucket, error))
    return FALSE;
  octopus_s3_client_delete_bucket_async (client, bucket, NULL, octopus_test_result_cb, NULL);
  result = octopus_test_wait_result ();
  return octopus_s3_client_delete_bucket_finish (client, result, error);
}

char *
octopus_test_put_string (OctopusS3Client *client,
                         const char      *bucket,
                         const char      *key,
                         const char      *data,
                         GError         **error)
{
  g_autoptr(GBytes) body = g_bytes_new (data, strlen (data));
  g_autoptr(GAsyncResult) result = NULL;

  octopus_s3_client_put_object_async (client, bucket, key, body, NULL, NULL,
                                      octopus_test_result_cb, NULL);
  result = octopus_test_wait_result ();
  return octopus_s3_client_put_object_finish (client, result, error);
}

static void
read_all_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  octopus_test_result_cb (source, result, user_data);
}

GBytes *
octopus_test_get_bytes (OctopusS3Client  *client,
                        const char       *bucket,
                        const char       *key,
                        OctopusS3Object **info,
                        GError          **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GInputStream) stream = NULL;
  g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable ();

  octopus_s3_client_get_object_async (client, bucket, key, -1, -1, NULL,
                                      octopus_test_result_cb, NULL);
  result = octopus_test_wait_result ();
  stream = octopus_s3_client_get_object_finish (client, result, info, error);
  if (stream == NULL)
    return NULL;
  g_clear_object (&result);
  g_output_stream_splice_async (out, stream,
                                G_OUTPUT_STREAM_SPLICE_CLOSE_SOURCE |
                                G_OUTPUT_STREAM_SPLICE_CLOSE_TARGET,
                                G_PRIORITY_DEFAULT, NULL, read_all_cb, NULL);
  result = octopus_test_wait_result ();
  if (g_output_stream_splice_finish (out, result, error) < 0)
    return NULL;
  return g_memory_output_stream_steal_as_bytes (G_MEMORY_OUTPUT_STREAM (out));
}

OctopusS3Object *
octopus_test_head (OctopusS3Client *client,
                   const char      *bucket,
                   const char      *key,
                   GError         **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  octopus_s3_client_head_object_async (client, bucket, key, NULL, octopus_test_result_cb, NULL);
  result = octopus_test_wait_result ();
  return octopus_s3_client_head_object_finish (client, result, error);
}

char *
octopus_test_put_object (OctopusS3Client           *client,
                         const char                *bucket,
                         const char                *key,
                         GBytes                    *body,
                         const OctopusS3PutOptions *options,
                         gboolean                   md5chksum,
                         GError                   **error)
{
  g_autoptr(GHashTable) meta = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autofree char *b64 = octopus_test_md5_base64 (body);
  OctopusS3PutOptions put_options = { 0 };
  g_autoptr(GAsyncResult) result = NULL;

  if (options != NULL)
    put_options = *options;
  if (put_options.metadata != NULL)
    {
      GHashTableIter iter;
      gpointer name, value;

      g_hash_table_iter_init (&iter, put_options.metadata);
      while (g_hash_table_iter_next (&iter, &name, &value))
        g_hash_table_insert (meta, g_strdup (name), g_strdup (value));
    }
  if (md5chksum)
    g_hash_table_insert (meta, g_strdup ("md5chksum"), g_strdup (b64));
  put_options.metadata = meta;
  put_options.content_md5 = b64;
  octopus_s3_client_put_object_async (client, bucket, key, body, &put_options, NULL,
                                      octopus_test_result_cb, NULL);
  result = octopus_test_wait_result ();
  return octopus_s3_client_put_object_finish (client, result, error);
}

/* ---------------------------------------------------------------------------------------- */
/* Several services                                                                         */

gboolean
octopus_test_services_setup (OctopusTestServices *services,
                             const char * const  *server_names,
                             guint                n,
                             const char          *bucket_prefix)
{
  memset (services, 0, sizeof *services);
  g_assert_cmpuint (n, <=, OCTOPUS_TEST_MAX_SERVICES);
  for (guint i = 0; i < n; i++)
    {
      const OctopusTestServer *server = octopus_test_server_lookup (server_names[i]);

      g_assert_nonnull (server);
      if (!octopus_test_server_ready (server))
        return FALSE;
    }
  services->n = n;
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GError) error = NULL;

      services->servers[i] = octopus_test_server_lookup (server_names[i]);
      for (guint j = 0; j < i && services->clients[i] == NULL; j++)
        if (services->servers[j] == services->servers[i])
          services->clients[i] = g_object_ref (services->clients[j]);
      if (services->clients[i] == NULL)
        services->clients[i] = octopus_test_server_new_client (services->servers[i]);
      services->buckets[i] = octopus_test_unique_bucket (bucket_prefix);
      g_assert_true (octopus_test_create_bucket (services->clients[i], services->buckets[i],
                                                 &error));
      g_assert_no_error (error);
    }
  return TRUE;
}

gboolean
octopus_test_services_teardown (OctopusTestServices *services,
                                GError             **error)
{
  g_autoptr(GError) first = NULL;

  for (guint i = 0; i < services->n; i++)
    {
      g_autoptr(GError) local = NULL;

      if (!octopus_test_destroy_bucket (services->clients[i], services->buckets[i],
                                        services->servers[i]->supports_multipart_listing,
                                        &local) && first == NULL)
        first = g_steal_pointer (&local);
      g_free (services->buckets[i]);
      g_clear_object (&services->clients[i]);
    }
  memset (services, 0, sizeof *services);
  if (first != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&first));
      return FALSE;
    }
  return TRUE;
}

/* ---------------------------------------------------------------------------------------- */
/* Test data                                                                                */

static void
xorshift_fill (guint64 *state,
               guint64 *words,
               gsize    n_words)
{
  guint64 x = *state;

  for (gsize i = 0; i < n_words; i++)
    {
      x ^= x << 13;
      x ^= x >> 7;
      x ^= x << 17;
      words[i] = x;
    }
  *state = x;
}

static guint64
xorshift_seed (guint32 seed)
{
  return 88172645463325252ull ^ (seed * 0x9E3779B97F4A7C15ull);
}

GBytes *
octopus_test_payload (gsize   size,
                      guint32 seed)
{
  guint64 *words = g_new (guint64, size / 8 + 1);
  guint64 state = xorshift_seed (seed);

  /* Eight bytes at a time: 24 MiB stays cheap under the sanitizers. */
  xorshift_fill (&state, words, size / 8 + 1);
  return g_bytes_new_take (words, size);
}

char *
octopus_test_write_payload_file (const char *path,
                                 gsize       size,
                                 guint32     seed)
{
  const gsize block_size = 1024 * 1024;
  g_autoptr(GChecksum) md5 = g_checksum_new (G_CHECKSUM_MD5);
  g_autofree guint64 *block = g_new (guint64, block_size / 8);
  guint64 state = xorshift_seed (seed);
  FILE *f = fopen (path, "wb");

  g_assert_nonnull (f);
  for (gsize done = 0; done < size; done += block_size)
    {
      gsize n = MIN (block_size, size - done);

      xorshift_fill (&state, block, block_size / 8);
      g_assert_cmpuint (fwrite (block, 1, n, f), ==, n);
      g_checksum_update (md5, (const guint8 *) block, n);
    }
  g_assert_cmpint (fclose (f), ==, 0);
  return g_strdup (g_checksum_get_string (md5));
}

char *
octopus_test_md5_hex (GBytes *bytes)
{
  return g_compute_checksum_for_bytes (G_CHECKSUM_MD5, bytes);
}

char *
octopus_test_md5_base64 (GBytes *bytes)
{
  g_autoptr(GChecksum) md5 = g_checksum_new (G_CHECKSUM_MD5);
  guint8 digest[16];
  gsize len = sizeof digest;

  g_checksum_update (md5, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  g_checksum_get_digest (md5, digest, &len);
  return g_base64_encode (digest, len);
}

void
octopus_test_rm_rf (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        octopus_test_rm_rf (child);
      else
        g_unlink (child);
    }
  g_rmdir (path);
}
