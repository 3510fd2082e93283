/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-index-array.c — the array's local index against the real servers.
 *
 * Three services (s3rver, two Swift buckets), each reached through a fault proxy (one per
 * server) so that the test can hold every request until it releases them: the services'
 * endpoints, and so their identities in the index, stay the same while they are held, refusing
 * or fine.  No timing: what happens "before the services answer" happens while the proxies
 * provably hold the listings.
 *   - a second array on the same index shows the first one's state while its listings are held,
 *     says it is the last known state, and stops saying so once the refresh completed;
 *   - a service that fails to list keeps its rows in the index;
 *   - a process SIGKILLed during a refresh (this program again, as a child whose listings the
 *     proxies hold) leaves an index the next start reads as the last complete state.
 */
#include "config.h"

#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <gio/gio.h>

#include "octopus-array.h"
#include "octopus-fault-proxy.h"
#include "octopus-test-util.h"

#define N 3
static const char * const names[N] = { "s3rver", "swift-a", "swift-b" };
static const char * const servers[N] = { "s3rver", "swift", "swift" };
enum { S3RVER, SWIFT_A, SWIFT_B };

typedef struct {
  OctopusTestServices svc;
  OctopusFaultProxy  *proxy[2];      /* s3rver, swift */
  char               *tmpdir;
  char               *index;
  char               *cache;
} Fixture;

static OctopusFaultProxy *
proxy_of (Fixture *fx,
          guint    service)
{
  return fx->proxy[service == S3RVER ? 0 : 1];
}

static OctopusS3Client *
proxied_client (const char *endpoint,
                guint       service)
{
  const OctopusTestServer *server = octopus_test_server_lookup (servers[service]);
  g_autoptr(GError) error = NULL;
  OctopusS3ClientOptions options = {
    .name = names[service],
    .endpoint = endpoint,
    .region = server->region,
    .access_key = server->access_key,
    .secret_key = server->secret_key,
    .path_style = TRUE,
    .allow_http = TRUE,
    .max_attempts = 2,
    .retry_base_ms = 50,
    .timeout_seconds = 30,
  };
  OctopusS3Client *client = octopus_s3_client_new (&options, &error);

  g_assert_no_error (error);
  return client;
}

/* An array over the proxies, with the fixture's index and MD5 cache. */
static OctopusArray *
make_array (const char * const  endpoints[N],
            char * const        buckets[N],
            const char         *index,
            const char         *cache)
{
  g_autoptr(GPtrArray) services = g_ptr_array_new_with_free_func (g_object_unref);
  OctopusArray *array;

  for (guint i = 0; i < N; i++)
    {
      g_autoptr(OctopusS3Client) client = proxied_client (endpoints[i], i);
      g_ptr_array_add (services, octopus_service_new (names[i], client, buckets[i]));
    }
  array = octopus_array_new (services);
  octopus_array_set_index_path (array, index);
  octopus_array_set_cache_path (array, cache);
  return array;
}

static OctopusArray *
fixture_array (Fixture *fx)
{
  const char *endpoints[N];

  for (guint i = 0; i < N; i++)
    endpoints[i] = octopus_fault_proxy_get_endpoint (proxy_of (fx, i));
  return make_array (endpoints, fx->svc.buckets, fx->index, fx->cache);
}

static void
put (Fixture    *fx,
     guint       service,
     const char *key)
{
  g_autoptr(GBytes) body = g_bytes_new_static (key, strlen (key));
  g_autoptr(GError) error = NULL;
  g_autofree char *etag = octopus_test_put_object (fx->svc.clients[service],
                                                   fx->svc.buckets[service], key, body, NULL,
                                                   TRUE, &error);

  g_assert_no_error (error);
}

static void
fixture_setup (Fixture       *fx,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  if (!octopus_test_services_setup (&fx->svc, servers, N, "index"))
    return;
  for (guint p = 0; p < 2; p++)
    {
      const OctopusTestServer *server = octopus_test_server_lookup (p == 0 ? "s3rver" : "swift");

      fx->proxy[p] = octopus_fault_proxy_new (server->endpoint, &error);
      g_assert_no_error (error);
    }
  fx->tmpdir = g_dir_make_tmp ("octopus-index-array-XXXXXX", &error);
  g_assert_no_error (error);
  fx->index = g_build_filename (fx->tmpdir, "state", "index.sqlite", NULL);
  fx->cache = g_build_filename (fx->tmpdir, "cache.json", NULL);
  for (guint i = 0; i < N; i++)
    put (fx, i, "a.txt");
  put (fx, S3RVER, "b.txt");
  put (fx, SWIFT_A, "b.txt");
}

static void
fixture_teardown (Fixture       *fx,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  if (fx->tmpdir == NULL)
    return;
  for (guint p = 0; p < 2; p++)
    octopus_fault_proxy_free (fx->proxy[p]);
  octopus_test_services_teardown (&fx->svc, &error);
  g_assert_no_error (error);
  octopus_test_rm_rf (fx->tmpdir);
  g_free (fx->tmpdir);
  g_free (fx->index);
  g_free (fx->cache);
}

/* ---- helpers ------------------------------------------------------------------------------ */

static void
refresh (OctopusArray *array)
{
  g_autoptr(GAsyncResult) res = NULL;
  g_autoptr(GError) error = NULL;

  octopus_array_refresh_async (array, OCTOPUS_ARRAY_REFRESH_NONE, NULL, octopus_test_result_cb,
                               NULL);
  res = octopus_test_wait_result ();
  g_assert_true (octopus_array_refresh_finish (array, res, &error));
  g_assert_no_error (error);
}

static gboolean
load_index (OctopusArray *array)
{
  g_autoptr(GAsyncResult) res = NULL;
  g_autoptr(GError) error = NULL;
  gboolean shown;

  octopus_array_load_index_async (array, NULL, octopus_test_result_cb, NULL);
  res = octopus_test_wait_result ();
  shown = octopus_array_load_index_finish (array, res, &error);
  g_assert_no_error (error);
  return shown;
}

static OctopusObjectState
state_of (OctopusArray *array,
          const char   *key,
          guint         service)
{
  OctopusObject *row = octopus_object_table_lookup (octopus_array_get_table (array), key);

  g_assert_nonnull (row);
  return octopus_object_get_service_state (row, service);
}

static guint
n_rows (OctopusArray *array)
{
  return g_list_model_get_n_items (G_LIST_MODEL (octopus_array_get_table (array)));
}

/* Both proxies hold every request from now on. */
static void
hold (Fixture *fx)
{
  for (guint p = 0; p < 2; p++)
    octopus_fault_proxy_set_holding (fx->proxy[p], TRUE);
}

static void
release (Fixture *fx)
{
  for (guint p = 0; p < 2; p++)
    {
      octopus_fault_proxy_set_holding (fx->proxy[p], FALSE);
      octopus_fault_proxy_release (fx->proxy[p]);
    }
}

static guint
n_held (const Fixture *fx)
{
  return octopus_fault_proxy_get_n_held (fx->proxy[0]) +
         octopus_fault_proxy_get_n_held (fx->proxy[1]);
}

static gboolean
all_listings_held (gconstpointer data)
{
  return n_held (data) >= N;
}

/* Until the proxies hold one listing per service (they run on this thread's main context). */
static void
wait_listings_held (Fixture *fx)
{
  octopus_test_wait_for (all_listings_held, fx);
  g_assert_cmpuint (n_held (fx), ==, N);
}

/* a.txt everywhere, b.txt missing on swift-b: what the first refresh saw. */
static void
assert_first_state (OctopusArray *array)
{
  g_assert_cmpuint (n_rows (array), ==, 2);
  for (guint i = 0; i < N; i++)
    g_assert_cmpint (state_of (array, "a.txt", i), ==, OCTOPUS_OBJECT_STATE_IN_SYNC);
  g_assert_cmpint (state_of (array, "b.txt", S3RVER), ==, OCTOPUS_OBJECT_STATE_IN_SYNC);
  g_assert_cmpint (state_of (array, "b.txt", SWIFT_B), ==, OCTOPUS_OBJECT_STATE_MISSING);
}

/* ---- tests -------------------------------------------------------------------------------- */

static void
test_last_known_before_refresh (Fixture       *fx,
                                gconstpointer  data)
{
  g_autoptr(OctopusArray) first = NULL;
  g_autoptr(OctopusArray) second = NULL;
  GAsyncResult *loaded = NULL, *refreshed = NULL;
  g_autoptr(GAsyncResult) load_res = NULL;
  g_autoptr(GAsyncResult) refresh_res = NULL;
  g_autoptr(GError) error = NULL;
  gint64 before = g_get_real_time () / G_USEC_PER_SEC;

  if (fx->tmpdir == NULL)
    return;
  first = fixture_array (fx);
  refresh (first);
  assert_first_state (first);
  g_assert_false (octopus_array_get_showing_last_known (first));

  /* The proxies hold every listing until the index answered: the refresh cannot complete. */
  second = fixture_array (fx);
  hold (fx);
  octopus_array_load_index_async (second, NULL, octopus_test_result_cb, &loaded);
  octopus_array_refresh_async (second, OCTOPUS_ARRAY_REFRESH_NONE, NULL, octopus_test_result_cb,
                               &refreshed);
  load_res = octopus_test_wait (&loaded);
  wait_listings_held (fx);
  g_assert_null (refreshed);
  g_assert_true (octopus_array_load_index_finish (second, load_res, &error));
  g_assert_no_error (error);
  assert_first_state (second);
  g_assert_true (octopus_array_get_showing_last_known (second));
  g_assert_cmpint (octopus_array_get_last_known_time (second), >=, before);
  g_assert_cmpuint (n_held (fx), ==, N);

  release (fx);
  refresh_res = octopus_test_wait (&refreshed);
  g_assert_true (octopus_array_refresh_finish (second, refresh_res, &error));
  g_assert_false (octopus_array_get_showing_last_known (second));
  g_assert_cmpint (octopus_array_get_last_known_time (second), ==, 0);
  assert_first_state (second);
}

static void
test_failed_service_keeps_rows (Fixture       *fx,
                                gconstpointer  data)
{
  g_autoptr(OctopusArray) array = NULL;
  g_autoptr(OctopusArray) next = NULL;

  if (fx->tmpdir == NULL)
    return;
  array = fixture_array (fx);
  refresh (array);

  /* c.txt appears everywhere while Swift cannot be reached: only s3rver's rows change. */
  for (guint i = 0; i < N; i++)
    put (fx, i, "c.txt");
  octopus_fault_proxy_set_refusing (fx->proxy[1], TRUE);
  refresh (array);
  g_assert_false (octopus_service_get_reachable (octopus_array_get_service (array, SWIFT_A)));

  next = fixture_array (fx);
  g_assert_true (load_index (next));
  g_assert_cmpuint (n_rows (next), ==, 3);
  /* Swift's last complete listing is the first one: a.txt and b.txt, no c.txt. */
  g_assert_cmpint (state_of (next, "a.txt", SWIFT_A), ==, OCTOPUS_OBJECT_STATE_IN_SYNC);
  g_assert_cmpint (state_of (next, "b.txt", SWIFT_A), ==, OCTOPUS_OBJECT_STATE_IN_SYNC);
  g_assert_cmpint (state_of (next, "c.txt", S3RVER), !=, OCTOPUS_OBJECT_STATE_MISSING);
  g_assert_cmpint (state_of (next, "c.txt", SWIFT_A), ==, OCTOPUS_OBJECT_STATE_MISSING);
  g_assert_cmpint (state_of (next, "c.txt", SWIFT_B), ==, OCTOPUS_OBJECT_STATE_MISSING);
}

/* `test-index-array --refresh-child INDEX CACHE EP_S3 EP_SWIFT BUCKET BUCKET BUCKET`: refreshes
 * an array over those endpoints and waits forever (the parent kills it). */
static int
refresh_child (char **argv)
{
  const char *endpoints[N] = { argv[4], argv[5], argv[5] };
  char *buckets[N] = { argv[6], argv[7], argv[8] };
  g_autoptr(OctopusArray) array = make_array (endpoints, buckets, argv[2], argv[3]);
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);

  octopus_array_refresh_async (array, OCTOPUS_ARRAY_REFRESH_NONE, NULL, NULL, NULL);
  g_main_loop_run (loop);
  return 1;
}

static void
test_sigkill_during_refresh (Fixture       *fx,
                             gconstpointer  data)
{
  g_autoptr(OctopusArray) array = NULL;
  g_autoptr(OctopusArray) next = NULL;
  g_autoptr(OctopusArray) after = NULL;
  g_autofree char *self_exe = g_file_read_link ("/proc/self/exe", NULL);
  g_autoptr(GError) error = NULL;
  GPid pid = 0;
  int status = 0;

  if (fx->tmpdir == NULL)
    return;
  array = fixture_array (fx);
  refresh (array);
  for (guint i = 0; i < N; i++)
    put (fx, i, "c.txt");

  /* The child's three listings reach the proxies, which hold them: it is mid-refresh. */
  hold (fx);
  {
    const char *argv[] = { self_exe, "--refresh-child", fx->index, fx->cache,
                           octopus_fault_proxy_get_endpoint (fx->proxy[0]),
                           octopus_fault_proxy_get_endpoint (fx->proxy[1]),
                           fx->svc.buckets[0], fx->svc.buckets[1], fx->svc.buckets[2], NULL };

    g_assert_true (g_spawn_async (NULL, (char **) argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD, NULL,
                                  NULL, &pid, &error));
    g_assert_no_error (error);
  }
  wait_listings_held (fx);
  g_assert_cmpint (kill (pid, SIGKILL), ==, 0);
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  g_assert_true (WIFSIGNALED (status));
  g_spawn_close_pid (pid);

  /* The next start: the last complete state (no c.txt), then a normal refresh.  The dead
   * child's listings go on to the servers; their replies find no one. */
  release (fx);
  next = fixture_array (fx);
  g_assert_true (load_index (next));
  assert_first_state (next);
  g_assert_null (octopus_object_table_lookup (octopus_array_get_table (next), "c.txt"));
  refresh (next);
  g_assert_cmpuint (n_rows (next), ==, 3);
  after = fixture_array (fx);
  g_assert_true (load_index (after));
  g_assert_cmpuint (n_rows (after), ==, 3);
  for (guint i = 0; i < N; i++)
    g_assert_cmpint (state_of (after, "c.txt", i), ==, OCTOPUS_OBJECT_STATE_IN_SYNC);
}

int
main (int   argc,
      char *argv[])
{
  if (argc == 9 && g_str_equal (argv[1], "--refresh-child"))
    return refresh_child (argv);

  g_test_init (&argc, &argv, NULL);
#define ADD(path, fn) g_test_add (path, Fixture, NULL, fixture_setup, fn, fixture_teardown)
  ADD ("/index-array/last-known-before-refresh", test_last_known_before_refresh);
  ADD ("/index-array/failed-service-keeps-rows", test_failed_service_keeps_rows);
  ADD ("/index-array/sigkill-during-refresh", test_sigkill_during_refresh);
  return g_test_run ();
}
