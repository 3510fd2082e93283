/* octopus-test-util.c — see octopus-test-util.h. */
#include "config.h"

#include <string.h>
#include <unistd.h>

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
