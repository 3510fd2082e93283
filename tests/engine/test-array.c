/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-array.c — the array against the real servers: three services (s3rver and two Swift
 * buckets), broken behind Octopus's back with direct client calls, then refreshed, repaired,
 * deleted from, ACL'd and downloaded from. */
#include "config.h"

#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <glib/gstdio.h>
#include <gio/gio.h>

#include "octopus-test-util.h"
#include "octopus-array.h"
#include "octopus-download.h"
#include "octopus-hash-cache.h"

#define N 3
static const char * const names[N] = { "s3rver", "swift-a", "swift-b" };
static const char * const servers[N] = { "s3rver", "swift", "swift" };
enum { S3RVER, SWIFT_A, SWIFT_B };

typedef struct {
  OctopusTestServices svc;   /* clients[], buckets[] in the order of names[] */
  OctopusArray       *array;
  char               *tmpdir;
} Fixture;

static OctopusArray *
make_array (Fixture          *fx,
            OctopusS3Client *override_b)
{
  g_autoptr(GPtrArray) services = g_ptr_array_new_with_free_func (g_object_unref);
  OctopusArray *array;

  for (guint i = 0; i < N; i++)
    {
      OctopusS3Client *client = i == SWIFT_B && override_b ? override_b : fx->svc.clients[i];

      g_ptr_array_add (services, octopus_service_new (names[i], client, fx->svc.buckets[i]));
    }
  array = octopus_array_new (services);
  return array;
}

static void
fixture_setup (Fixture       *fx,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *cache = NULL;
  g_autofree char *index = NULL;

  if (!octopus_test_services_setup (&fx->svc, servers, N, "array"))
    return;

  fx->tmpdir = g_dir_make_tmp ("octopus-array-XXXXXX", &error);
  g_assert_no_error (error);
  fx->array = make_array (fx, NULL);
  cache = g_build_filename (fx->tmpdir, "cache.json", NULL);
  octopus_array_set_cache_path (fx->array, cache);
  index = g_build_filename (fx->tmpdir, "index.sqlite", NULL);
  octopus_array_set_index_path (fx->array, index);
}

static void
fixture_teardown (Fixture       *fx,
                  gconstpointer  data)
{
  octopus_test_services_teardown (&fx->svc, NULL);
  if (fx->array != NULL)
    g_assert_finalize_object (fx->array);
  if (fx->tmpdir != NULL)
    octopus_test_rm_rf (fx->tmpdir);
  g_free (fx->tmpdir);
}

/* ---- helpers ---------------------------------------------------------------------------- */

/* PutObject as Octopus does it: Content-MD5 and md5chksum metadata (or none). */
static void
put (Fixture    *fx,
     guint       service,
     const char *key,
     GBytes     *body,
     gboolean    with_md5chksum)
{
  g_autoptr(GHashTable) meta = g_hash_table_new (g_str_hash, g_str_equal);
  OctopusS3PutOptions options = { .content_type = "text/x-octopus-test", .metadata = meta };
  g_autoptr(GError) error = NULL;
  g_autofree char *etag = NULL;

  g_hash_table_insert (meta, "origin", "test");
  etag = octopus_test_put_object (fx->svc.clients[service], fx->svc.buckets[service], key, body,
                                  &options, with_md5chksum, &error);
  g_assert_no_error (error);
}

static void
put_all (Fixture    *fx,
         const char *key,
         GBytes     *body)
{
  for (guint i = 0; i < N; i++)
    put (fx, i, key, body, TRUE);
}

/* A two-part multipart upload (5 MiB + rest): ETag "<hex>-2" on Swift. */
static void
put_multipart (Fixture    *fx,
               guint       service,
               const char *key,
               GBytes     *body,
               gboolean    with_md5chksum)
{
  OctopusS3Client *c = fx->svc.clients[service];
  const char *b = fx->svc.buckets[service];
  g_autoptr(GHashTable) meta = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autofree char *b64 = octopus_test_md5_base64 (body);
  OctopusS3PutOptions options = { .metadata = meta };
  g_autoptr(GPtrArray) parts =
    g_ptr_array_new_with_free_func ((GDestroyNotify) octopus_s3_part_free);
  g_autoptr(GError) error = NULL;
  g_autofree char *upload_id = NULL;
  g_autofree char *etag = NULL;
  gsize size = g_bytes_get_size (body);
  gsize split = 5 * 1024 * 1024;

  g_assert_cmpuint (size, >, split);
  if (with_md5chksum)
    g_hash_table_insert (meta, g_strdup ("md5chksum"), g_strdup (b64));

  {
    g_autoptr(GAsyncResult) res = NULL;
    octopus_s3_client_create_multipart_async (c, b, key, &options, NULL,
                                              octopus_test_result_cb, NULL);
    res = octopus_test_wait_result ();
    upload_id = octopus_s3_client_create_multipart_finish (c, res, &error);
    g_assert_no_error (error);
  }
  for (guint part = 1; part <= 2; part++)
    {
      g_autoptr(GAsyncResult) res = NULL;
      g_autoptr(GBytes) slice = part == 1 ? g_bytes_new_from_bytes (body, 0, split)
                                          : g_bytes_new_from_bytes (body, split, size - split);
      g_autofree char *part_etag = NULL;

      octopus_s3_client_upload_part_async (c, b, key, upload_id, part, slice, NULL, NULL,
                                           octopus_test_result_cb, NULL);
      res = octopus_test_wait_result ();
      part_etag = octopus_s3_client_upload_part_finish (c, res, &error);
      g_assert_no_error (error);
      g_ptr_array_add (parts, octopus_s3_part_new (part, part_etag, -1));
    }
  {
    g_autoptr(GAsyncResult) res = NULL;
    octopus_s3_client_complete_multipart_async (c, b, key, upload_id, parts, NULL,
                                                octopus_test_result_cb, NULL);
    res = octopus_test_wait_result ();
    etag = octopus_s3_client_complete_multipart_finish (c, res, &error);
    g_assert_no_error (error);
  }
  g_assert_true (g_str_has_suffix (etag, "-2"));
}

static void
delete_direct (Fixture    *fx,
               guint       service,
               const char *key)
{
  g_autoptr(GAsyncResult) res = NULL;
  g_autoptr(GError) error = NULL;

  octopus_s3_client_delete_object_async (fx->svc.clients[service], fx->svc.buckets[service], key,
                                         NULL, octopus_test_result_cb, NULL);
  res = octopus_test_wait_result ();
  g_assert_true (octopus_s3_client_delete_object_finish (fx->svc.clients[service], res, &error));
  g_assert_no_error (error);
}

static GBytes *
text (const char *s)
{
  return g_bytes_new (s, strlen (s));
}

static void
refresh (OctopusArray             *array,
         OctopusArrayRefreshFlags  flags)
{
  g_autoptr(GAsyncResult) res = NULL;
  g_autoptr(GError) error = NULL;

  octopus_array_refresh_async (array, flags, NULL, octopus_test_result_cb, NULL);
  res = octopus_test_wait_result ();
  g_assert_true (octopus_array_refresh_finish (array, res, &error));
  g_assert_no_error (error);
}

static GPtrArray *
repair (OctopusArray       *array,
        const char * const *keys)
{
  g_autoptr(GAsyncResult) res = NULL;
  g_autoptr(GError) error = NULL;
  GPtrArray *results;

  octopus_array_repair_async (array, keys, NULL, octopus_test_result_cb, NULL);
  res = octopus_test_wait_result ();
  results = octopus_array_repair_finish (array, res, &error);
  g_assert_no_error (error);
  return results;
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

static void
assert_row (OctopusArray       *array,
            const char         *key,
            OctopusObjectState  s0,
            OctopusObjectState  s1,
            OctopusObjectState  s2)
{
  OctopusObjectState want[N] = { s0, s1, s2 };

  for (guint i = 0; i < N; i++)
    if (state_of (array, key, i) != want[i])
      g_error ("%s on %s: %s, expected %s", key, names[i],
               octopus_object_state_to_string (state_of (array, key, i)),
               octopus_object_state_to_string (want[i]));
}

static void
assert_all_in_sync (OctopusArray *array)
{
  GListModel *model = G_LIST_MODEL (octopus_array_get_table (array));

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(OctopusObject) row = g_list_model_get_item (model, i);
      assert_row (array, octopus_object_get_key (row), OCTOPUS_OBJECT_STATE_IN_SYNC,
                  OCTOPUS_OBJECT_STATE_IN_SYNC, OCTOPUS_OBJECT_STATE_IN_SYNC);
    }
}

static OctopusArrayResult *
find_result (GPtrArray  *results,
             const char *key,
             const char *service)
{
  for (guint i = 0; i < results->len; i++)
    {
      OctopusArrayResult *r = g_ptr_array_index (results, i);
      if (g_strcmp0 (r->key, key) == 0 && g_strcmp0 (r->service, service) == 0)
        return r;
    }
  return NULL;
}

static GBytes *
get_bytes (Fixture          *fx,
           guint             service,
           const char       *key,
           OctopusS3Object **info)
{
  g_autoptr(GError) error = NULL;
  GBytes *bytes = octopus_test_get_bytes (fx->svc.clients[service], fx->svc.buckets[service], key,
                                          info, &error);
  g_assert_no_error (error);
  return bytes;
}

static OctopusS3Object *
head (Fixture    *fx,
      guint       service,
      const char *key)
{
  g_autoptr(GError) error = NULL;
  OctopusS3Object *info = octopus_test_head (fx->svc.clients[service], fx->svc.buckets[service],
                                             key, &error);

  g_assert_no_error (error);
  return info;
}

/* ---- tests ------------------------------------------------------------------------------ */

static void
test_break_and_repair (Fixture       *fx,
                       gconstpointer  data)
{
  g_autoptr(GBytes) a = text ("alpha contents\n");
  g_autoptr(GBytes) b = text ("bravo contents\n");
  g_autoptr(GBytes) c = text ("charlie contents\n");
  g_autoptr(GBytes) c_bad = text ("charlie CORRUPT!\n");
  g_autoptr(GBytes) mp = octopus_test_payload (5 * 1024 * 1024 + 1234, 1);
  g_autoptr(GBytes) large = octopus_test_payload (9 * 1024 * 1024 + 17, 2);
  g_autoptr(GPtrArray) results = NULL;
  g_autoptr(OctopusArray) second = NULL;
  g_autofree char *cache = NULL;
  guint heads;

  if (fx->array == NULL)
    return;

  put_all (fx, "a.txt", a);
  put_all (fx, "b.txt", b);
  put_all (fx, "c.txt", c);
  put_all (fx, "dir/mp-meta.bin", mp);
  put_all (fx, "mp-nometa.bin", mp);
  put (fx, S3RVER, "large.bin", large, TRUE);
  put (fx, SWIFT_A, "large.bin", large, TRUE);

  /* Break it behind Octopus's back. */
  delete_direct (fx, SWIFT_A, "b.txt");
  put (fx, SWIFT_B, "c.txt", c_bad, FALSE);
  put_multipart (fx, SWIFT_A, "dir/mp-meta.bin", mp, TRUE);
  put_multipart (fx, SWIFT_B, "mp-nometa.bin", mp, FALSE);

  refresh (fx->array, OCTOPUS_ARRAY_REFRESH_NONE);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (octopus_array_get_table (fx->array))),
                    ==, 6);
  assert_row (fx->array, "a.txt", OCTOPUS_OBJECT_STATE_IN_SYNC, OCTOPUS_OBJECT_STATE_IN_SYNC,
              OCTOPUS_OBJECT_STATE_IN_SYNC);
  assert_row (fx->array, "b.txt", OCTOPUS_OBJECT_STATE_IN_SYNC, OCTOPUS_OBJECT_STATE_MISSING,
              OCTOPUS_OBJECT_STATE_IN_SYNC);
  assert_row (fx->array, "c.txt", OCTOPUS_OBJECT_STATE_IN_SYNC, OCTOPUS_OBJECT_STATE_IN_SYNC,
              OCTOPUS_OBJECT_STATE_DIFFERS);
  assert_row (fx->array, "dir/mp-meta.bin", OCTOPUS_OBJECT_STATE_IN_SYNC,
              OCTOPUS_OBJECT_STATE_IN_SYNC, OCTOPUS_OBJECT_STATE_IN_SYNC);
  assert_row (fx->array, "mp-nometa.bin", OCTOPUS_OBJECT_STATE_IN_SYNC,
              OCTOPUS_OBJECT_STATE_IN_SYNC, OCTOPUS_OBJECT_STATE_UNKNOWN_HASH);
  assert_row (fx->array, "large.bin", OCTOPUS_OBJECT_STATE_IN_SYNC,
              OCTOPUS_OBJECT_STATE_IN_SYNC, OCTOPUS_OBJECT_STATE_MISSING);
  g_assert_cmpint (octopus_object_get_state (octopus_object_table_lookup (
                     octopus_array_get_table (fx->array), "c.txt")), ==,
                   OCTOPUS_OBJECT_STATE_DIFFERS);

  /* Only the two multipart copies needed a HEAD; unchanged, they need none the second time,
   * nor in a new array (a new CLI run) sharing the cache file. */
  heads = octopus_array_get_head_count (fx->array);
  g_assert_cmpuint (heads, ==, 2);
  refresh (fx->array, OCTOPUS_ARRAY_REFRESH_NONE);
  g_assert_cmpuint (octopus_array_get_head_count (fx->array), ==, heads);
  second = make_array (fx, NULL);
  cache = g_build_filename (fx->tmpdir, "cache.json", NULL);
  octopus_array_set_cache_path (second, cache);
  refresh (second, OCTOPUS_ARRAY_REFRESH_NONE);
  g_assert_cmpuint (octopus_array_get_head_count (second), ==, 0);
  assert_row (second, "mp-nometa.bin", OCTOPUS_OBJECT_STATE_IN_SYNC,
              OCTOPUS_OBJECT_STATE_IN_SYNC, OCTOPUS_OBJECT_STATE_UNKNOWN_HASH);

  /* The deep check hashes the one copy without a comparable MD5, and only that one. */
  refresh (fx->array, OCTOPUS_ARRAY_REFRESH_DEEP);
  g_assert_cmpuint (octopus_array_get_deep_hash_count (fx->array), ==, 1);
  assert_row (fx->array, "mp-nometa.bin", OCTOPUS_OBJECT_STATE_IN_SYNC,
              OCTOPUS_OBJECT_STATE_IN_SYNC, OCTOPUS_OBJECT_STATE_IN_SYNC);

  results = repair (fx->array, NULL);
  g_assert_false (octopus_array_results_have_failures (results));
  g_assert_cmpint (find_result (results, "b.txt", "swift-a")->status, ==, OCTOPUS_RESULT_OK);
  g_assert_cmpint (find_result (results, "c.txt", "swift-b")->status, ==, OCTOPUS_RESULT_OK);
  g_assert_cmpint (find_result (results, "large.bin", "swift-b")->status, ==, OCTOPUS_RESULT_OK);
  g_assert_null (find_result (results, "a.txt", "swift-a"));   /* nothing to do there */

  /* The table shows the repaired copies in sync at once, before any refresh. */
  assert_all_in_sync (fx->array);
  refresh (fx->array, OCTOPUS_ARRAY_REFRESH_NONE);
  assert_all_in_sync (fx->array);

  /* The restored copies hold the right bytes, metadata and content type. */
  {
    g_autoptr(OctopusS3Object) info = NULL;
    g_autoptr(GBytes) got = get_bytes (fx, SWIFT_B, "c.txt", &info);
    g_autofree char *b64 = octopus_test_md5_base64 (c);

    g_assert_true (g_bytes_equal (got, c));
    g_assert_cmpstr (info->content_type, ==, "text/x-octopus-test");
    g_assert_cmpstr (g_hash_table_lookup (info->metadata, "origin"), ==, "test");
    g_assert_cmpstr (g_hash_table_lookup (info->metadata, "md5chksum"), ==, b64);
  }
  {
    g_autoptr(OctopusS3Object) info = head (fx, SWIFT_B, "large.bin");
    g_autofree char *b64 = octopus_test_md5_base64 (large);
    g_autoptr(GBytes) got = get_bytes (fx, SWIFT_B, "large.bin", NULL);

    g_assert_true (g_str_has_suffix (info->etag, "-2"));   /* went multipart */
    g_assert_cmpstr (g_hash_table_lookup (info->metadata, "md5chksum"), ==, b64);
    g_assert_true (g_bytes_equal (got, large));
  }
}

/* Repair works from the table as last refreshed; a copy written on a target since then (by
 * another tool, another Octopus, an upload) is newer than the table knows and must never be
 * overwritten with the old replica. */
static void
test_repair_keeps_newer_target (Fixture       *fx,
                                gconstpointer  data)
{
  g_autoptr(GBytes) v1 = text ("version one\n");
  g_autoptr(GBytes) bad = text ("version CORRUPT\n");
  g_autoptr(GBytes) v2 = text ("version two, written after the refresh\n");
  g_autoptr(GBytes) v3 = text ("version three, also after the refresh\n");
  g_autoptr(GPtrArray) results = NULL;

  if (fx->array == NULL)
    return;

  put (fx, S3RVER, "was-missing.txt", v1, TRUE);
  put (fx, SWIFT_A, "was-missing.txt", v1, TRUE);
  put_all (fx, "was-differing.txt", v1);
  put (fx, SWIFT_B, "was-differing.txt", bad, TRUE);
  put_all (fx, "plain.txt", v1);
  delete_direct (fx, SWIFT_B, "plain.txt");

  refresh (fx->array, OCTOPUS_ARRAY_REFRESH_NONE);
  assert_row (fx->array, "was-missing.txt", OCTOPUS_OBJECT_STATE_IN_SYNC,
              OCTOPUS_OBJECT_STATE_IN_SYNC, OCTOPUS_OBJECT_STATE_MISSING);
  assert_row (fx->array, "was-differing.txt", OCTOPUS_OBJECT_STATE_IN_SYNC,
              OCTOPUS_OBJECT_STATE_IN_SYNC, OCTOPUS_OBJECT_STATE_DIFFERS);

  /* Newer copies land on the targets after the refresh. */
  put (fx, SWIFT_B, "was-missing.txt", v2, TRUE);
  put (fx, SWIFT_B, "was-differing.txt", v3, TRUE);

  results = repair (fx->array, NULL);
  g_assert_cmpint (find_result (results, "was-missing.txt", "swift-b")->status, ==,
                   OCTOPUS_RESULT_FAILED);
  g_assert_cmpint (find_result (results, "was-differing.txt", "swift-b")->status, ==,
                   OCTOPUS_RESULT_FAILED);
  /* A target still as the refresh saw it is repaired as before. */
  g_assert_cmpint (find_result (results, "plain.txt", "swift-b")->status, ==, OCTOPUS_RESULT_OK);

  {
    g_autoptr(GBytes) got2 = get_bytes (fx, SWIFT_B, "was-missing.txt", NULL);
    g_autoptr(GBytes) got3 = get_bytes (fx, SWIFT_B, "was-differing.txt", NULL);
    g_autoptr(GBytes) got1 = get_bytes (fx, SWIFT_B, "plain.txt", NULL);

    g_assert_true (g_bytes_equal (got2, v2));
    g_assert_true (g_bytes_equal (got3, v3));
    g_assert_true (g_bytes_equal (got1, v1));
  }
}

static void
test_delete (Fixture       *fx,
             gconstpointer  data)
{
  g_autoptr(GBytes) body = text ("to be deleted\n");
  const char *doomed[] = { "one.txt", "sub/two.txt", NULL };
  g_autoptr(GAsyncResult) res = NULL;
  g_autoptr(GPtrArray) results = NULL;
  g_autoptr(GError) error = NULL;

  if (fx->array == NULL)
    return;

  put_all (fx, "one.txt", body);
  put_all (fx, "sub/two.txt", body);
  put_all (fx, "keep.txt", body);
  delete_direct (fx, SWIFT_B, "one.txt");   /* already gone on one service: still fine */
  refresh (fx->array, OCTOPUS_ARRAY_REFRESH_NONE);

  octopus_array_delete_async (fx->array, doomed, NULL, octopus_test_result_cb, NULL);
  res = octopus_test_wait_result ();
  results = octopus_array_delete_finish (fx->array, res, &error);
  g_assert_no_error (error);
  g_assert_false (octopus_array_results_have_failures (results));
  g_assert_cmpuint (results->len, ==, 2 * N);

  /* Gone from the table at once, and from every service for real. */
  g_assert_null (octopus_object_table_lookup (octopus_array_get_table (fx->array), "one.txt"));
  refresh (fx->array, OCTOPUS_ARRAY_REFRESH_NONE);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (octopus_array_get_table (fx->array))),
                    ==, 1);
  assert_row (fx->array, "keep.txt", OCTOPUS_OBJECT_STATE_IN_SYNC, OCTOPUS_OBJECT_STATE_IN_SYNC,
              OCTOPUS_OBJECT_STATE_IN_SYNC);
}

/* One copy at a time (the inspector's actions): a repair, a download and a delete that name
 * a service touch that copy and no other. */
static void
test_copy_operations (Fixture       *fx,
                      gconstpointer  data)
{
  g_autoptr(GBytes) good = text ("the good bytes\n");
  g_autoptr(GBytes) bad = text ("the evil bytes\n");   /* same length */
  const char *key = "copy-ops.txt";
  g_autoptr(GAsyncResult) res = NULL;
  g_autoptr(GPtrArray) results = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) got = NULL;
  g_autoptr(OctopusS3Object) info = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  g_autofree char *contents = NULL;

  if (fx->array == NULL)
    return;

  put_all (fx, key, good);
  put (fx, S3RVER, key, bad, TRUE);    /* the newest, but one against two */
  refresh (fx->array, OCTOPUS_ARRAY_REFRESH_NONE);
  assert_row (fx->array, key, OCTOPUS_OBJECT_STATE_DIFFERS, OCTOPUS_OBJECT_STATE_IN_SYNC,
              OCTOPUS_OBJECT_STATE_IN_SYNC);

  /* This copy's own bytes: the differing one can be looked at. */
  dir = g_build_filename (fx->tmpdir, "copy", NULL);
  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  octopus_array_download_copy_async (fx->array, key, "s3rver", dir, NULL,
                                     octopus_test_result_cb, NULL);
  res = octopus_test_wait_result ();
  path = octopus_array_download_finish (fx->array, res, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, "the evil bytes\n");
  g_clear_object (&res);

  /* A name no service has is refused before anything is sent. */
  octopus_array_repair_copy_async (fx->array, key, "nowhere", NULL, octopus_test_result_cb,
                                   NULL);
  res = octopus_test_wait_result ();
  g_assert_null (octopus_array_repair_finish (fx->array, res, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_clear_object (&res);

  /* Break swift-b too, behind the table's back; repairing s3rver's copy leaves swift-b alone.
   * (Not refreshed: with swift-b gone, one good copy against one newer bad one is a tie that
   * the newest wins; the source is the first copy in sync, swift-a.) */
  delete_direct (fx, SWIFT_B, key);
  octopus_array_repair_copy_async (fx->array, key, "s3rver", NULL, octopus_test_result_cb, NULL);
  res = octopus_test_wait_result ();
  results = octopus_array_repair_finish (fx->array, res, &error);
  g_assert_no_error (error);
  g_assert_false (octopus_array_results_have_failures (results));
  g_assert_nonnull (find_result (results, key, "s3rver"));
  g_assert_null (find_result (results, key, "swift-b"));
  got = get_bytes (fx, S3RVER, key, NULL);
  g_assert_true (g_bytes_equal (got, good));
  g_assert_null (octopus_test_head (fx->svc.clients[SWIFT_B], fx->svc.buckets[SWIFT_B], key,
                                    &error));
  g_assert_error (error, OCTOPUS_S3_ERROR, OCTOPUS_S3_ERROR_NO_SUCH_KEY);
  g_clear_error (&error);
  g_clear_object (&res);
  g_clear_pointer (&results, g_ptr_array_unref);

  /* Deleting swift-a's copy sends nothing to the others. */
  octopus_array_delete_copy_async (fx->array, key, "swift-a", NULL, octopus_test_result_cb,
                                   NULL);
  res = octopus_test_wait_result ();
  results = octopus_array_delete_finish (fx->array, res, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (results->len, ==, 1);
  g_assert_cmpint (find_result (results, key, "swift-a")->status, ==, OCTOPUS_RESULT_OK);
  g_assert_null (octopus_test_head (fx->svc.clients[SWIFT_A], fx->svc.buckets[SWIFT_A], key,
                                    &error));
  g_assert_error (error, OCTOPUS_S3_ERROR, OCTOPUS_S3_ERROR_NO_SUCH_KEY);
  g_clear_error (&error);
  info = head (fx, S3RVER, key);
  g_assert_cmpint (info->size, ==, (gint64) g_bytes_get_size (good));
}

static void
test_acl (Fixture       *fx,
          gconstpointer  data)
{
  g_autoptr(GBytes) body = text ("public file\n");
  g_autoptr(GPtrArray) results = NULL;
  g_autoptr(GPtrArray) acls = NULL;
  g_autoptr(GError) error = NULL;

  if (fx->array == NULL)
    return;

  put_all (fx, "public.txt", body);
  {
    g_autoptr(GAsyncResult) res = NULL;
    octopus_array_set_acl_async (fx->array, "public.txt", "public-read", NULL, NULL,
                                 octopus_test_result_cb, NULL);
    res = octopus_test_wait_result ();
    results = octopus_array_set_acl_finish (fx->array, res, &error);
    g_assert_no_error (error);
  }
  g_assert_cmpint (find_result (results, "public.txt", "swift-a")->status, ==, OCTOPUS_RESULT_OK);
  g_assert_cmpint (find_result (results, "public.txt", "swift-b")->status, ==, OCTOPUS_RESULT_OK);
  /* s3rver answers 501: "not supported here", not a failure. */
  g_assert_cmpint (find_result (results, "public.txt", "s3rver")->status, ==,
                   OCTOPUS_RESULT_UNSUPPORTED);
  g_assert_false (octopus_array_results_have_failures (results));
  g_assert_cmpint (octopus_service_get_acl_support (octopus_array_get_service (fx->array, S3RVER)),
                   ==, OCTOPUS_SUPPORT_NO);

  {
    g_autoptr(GAsyncResult) res = NULL;
    octopus_array_get_acl_async (fx->array, "public.txt", NULL, octopus_test_result_cb, NULL);
    res = octopus_test_wait_result ();
    acls = octopus_array_get_acl_finish (fx->array, res, &error);
    g_assert_no_error (error);
  }
  g_assert_cmpuint (acls->len, ==, N);
  g_assert_cmpint (((OctopusArrayAcl *) acls->pdata[S3RVER])->status, ==,
                   OCTOPUS_RESULT_UNSUPPORTED);

  /* Cancelled: one "cancelled" error for the call, not a failure per service. */
  {
    g_autoptr(GCancellable) cancellable = g_cancellable_new ();
    g_autoptr(GAsyncResult) res = NULL;
    g_autoptr(GAsyncResult) res2 = NULL;
    g_autoptr(GError) cancelled = NULL;
    g_autoptr(GError) cancelled2 = NULL;
    g_autoptr(GPtrArray) none = NULL;
    g_autoptr(GPtrArray) none2 = NULL;

    g_cancellable_cancel (cancellable);
    octopus_array_get_acl_async (fx->array, "public.txt", cancellable,
                                 octopus_test_result_cb, NULL);
    res = octopus_test_wait_result ();
    none = octopus_array_get_acl_finish (fx->array, res, &cancelled);
    g_assert_error (cancelled, G_IO_ERROR, G_IO_ERROR_CANCELLED);
    g_assert_null (none);
    octopus_array_set_acl_async (fx->array, "public.txt", "private", NULL, cancellable,
                                 octopus_test_result_cb, NULL);
    res2 = octopus_test_wait_result ();
    none2 = octopus_array_set_acl_finish (fx->array, res2, &cancelled2);
    g_assert_error (cancelled2, G_IO_ERROR, G_IO_ERROR_CANCELLED);
    g_assert_null (none2);
  }
  for (guint i = SWIFT_A; i <= SWIFT_B; i++)
    {
      OctopusArrayAcl *entry = acls->pdata[i];
      gboolean all_users_read = FALSE;

      g_assert_cmpint (entry->status, ==, OCTOPUS_RESULT_OK);
      for (guint j = 0; j < entry->acl->grants->len; j++)
        {
          OctopusS3Grant *g = entry->acl->grants->pdata[j];
          if (g_strcmp0 (g->uri, OCTOPUS_S3_GROUP_ALL_USERS) == 0 &&
              g->permission == OCTOPUS_S3_PERMISSION_READ)
            all_users_read = TRUE;
        }
      g_assert_true (all_users_read);
      g_assert_cmpstr (octopus_acl_to_canned (entry->acl), ==, "public-read");
    }
  g_assert_true (octopus_array_acls_agree (acls));
}

static GPtrArray *
change_acl (OctopusArray           *array,
            const char             *key,
            const OctopusAclChange *change)
{
  g_autoptr(GAsyncResult) res = NULL;
  g_autoptr(GError) error = NULL;
  GPtrArray *results;

  octopus_array_change_acl_async (array, key, change, NULL, octopus_test_result_cb, NULL);
  res = octopus_test_wait_result ();
  results = octopus_array_change_acl_finish (array, res, &error);
  g_assert_no_error (error);
  return results;
}

static GPtrArray *
get_acls (OctopusArray *array,
          const char   *key)
{
  g_autoptr(GAsyncResult) res = NULL;
  g_autoptr(GError) error = NULL;
  GPtrArray *acls;

  octopus_array_get_acl_async (array, key, NULL, octopus_test_result_cb, NULL);
  res = octopus_test_wait_result ();
  acls = octopus_array_get_acl_finish (array, res, &error);
  g_assert_no_error (error);
  return acls;
}

/* A grant and a revoke: each service's policy is built from its own ACL (its owner kept). */
static void
test_acl_change (Fixture       *fx,
                 gconstpointer  data)
{
  g_autoptr(GBytes) body = text ("shared file\n");
  g_autoptr(OctopusGrantee) everyone = octopus_grantee_parse ("everyone", NULL);
  g_autoptr(OctopusAclChange) grant = NULL;
  g_autoptr(OctopusAclChange) revoke = NULL;
  g_autoptr(GPtrArray) results = NULL;
  g_autoptr(GPtrArray) acls = NULL;

  if (fx->array == NULL)
    return;

  put_all (fx, "shared.txt", body);
  grant = octopus_acl_change_new_grant (everyone, OCTOPUS_PERMISSION_READ);
  results = change_acl (fx->array, "shared.txt", grant);
  g_assert_cmpint (find_result (results, "shared.txt", "swift-a")->status, ==, OCTOPUS_RESULT_OK);
  g_assert_cmpint (find_result (results, "shared.txt", "swift-b")->status, ==, OCTOPUS_RESULT_OK);
  g_assert_cmpint (find_result (results, "shared.txt", "s3rver")->status, ==,
                   OCTOPUS_RESULT_UNSUPPORTED);
  g_assert_false (octopus_array_results_have_failures (results));

  acls = get_acls (fx->array, "shared.txt");
  for (guint i = SWIFT_A; i <= SWIFT_B; i++)
    {
      OctopusArrayAcl *entry = acls->pdata[i];
      g_autoptr(GPtrArray) grants = NULL;
      gboolean owner_full = FALSE;

      g_assert_cmpint (entry->status, ==, OCTOPUS_RESULT_OK);
      g_assert_cmpstr (octopus_acl_to_canned (entry->acl), ==, "public-read");
      grants = octopus_acl_policy_grants (entry->acl);
      for (guint j = 0; j < grants->len; j++)
        {
          const OctopusAclGrant *g = grants->pdata[j];
          if (g->grantee.kind == OCTOPUS_GRANTEE_OWNER &&
              g->permission == OCTOPUS_PERMISSION_FULL_CONTROL)
            owner_full = TRUE;
        }
      g_assert_true (owner_full);
    }
  g_assert_true (octopus_array_acls_agree (acls));
  g_clear_pointer (&results, g_ptr_array_unref);
  g_clear_pointer (&acls, g_ptr_array_unref);

  revoke = octopus_acl_change_new_revoke (everyone);
  results = change_acl (fx->array, "shared.txt", revoke);
  g_assert_false (octopus_array_results_have_failures (results));
  acls = get_acls (fx->array, "shared.txt");
  for (guint i = SWIFT_A; i <= SWIFT_B; i++)
    g_assert_cmpstr (octopus_acl_to_canned (((OctopusArrayAcl *) acls->pdata[i])->acl), ==,
                     "private");
}

/* Repair gives a new copy the source's explicit grants under the target's own owner; a
 * target without ACLs (s3rver, not yet known to have none) is repaired all the same. */
static void
test_repair_copies_grants (Fixture       *fx,
                           gconstpointer  data)
{
  g_autoptr(GBytes) body = text ("granted file\n");
  g_autoptr(OctopusGrantee) friend = octopus_grantee_parse ("id:test:tester3", NULL);
  g_autoptr(OctopusAclChange) grant = NULL;
  g_autoptr(OctopusArray) fresh = NULL;
  g_autoptr(GPtrArray) results = NULL;
  g_autoptr(GPtrArray) acls = NULL;
  g_autoptr(GPtrArray) grants = NULL;
  g_autofree char *cache = NULL;
  gboolean friend_reads = FALSE, owner_full = FALSE;

  if (fx->array == NULL)
    return;

  put_all (fx, "granted.txt", body);
  grant = octopus_acl_change_new_grant (friend, OCTOPUS_PERMISSION_READ);
  results = change_acl (fx->array, "granted.txt", grant);
  g_assert_false (octopus_array_results_have_failures (results));
  g_clear_pointer (&results, g_ptr_array_unref);
  delete_direct (fx, S3RVER, "granted.txt");
  delete_direct (fx, SWIFT_B, "granted.txt");

  /* A new array (a new CLI run): nothing is known about any service's ACL support. */
  fresh = make_array (fx, NULL);
  cache = g_build_filename (fx->tmpdir, "cache.json", NULL);
  octopus_array_set_cache_path (fresh, cache);
  refresh (fresh, OCTOPUS_ARRAY_REFRESH_NONE);
  assert_row (fresh, "granted.txt", OCTOPUS_OBJECT_STATE_MISSING, OCTOPUS_OBJECT_STATE_IN_SYNC,
              OCTOPUS_OBJECT_STATE_MISSING);
  results = repair (fresh, NULL);
  g_assert_false (octopus_array_results_have_failures (results));
  g_assert_cmpint (find_result (results, "granted.txt", "swift-b")->status, ==,
                   OCTOPUS_RESULT_OK);
  g_assert_cmpint (find_result (results, "granted.txt", "s3rver")->status, ==,
                   OCTOPUS_RESULT_OK);

  acls = get_acls (fresh, "granted.txt");
  g_assert_cmpint (((OctopusArrayAcl *) acls->pdata[SWIFT_B])->status, ==, OCTOPUS_RESULT_OK);
  grants = octopus_acl_policy_grants (((OctopusArrayAcl *) acls->pdata[SWIFT_B])->acl);
  for (guint j = 0; j < grants->len; j++)
    {
      const OctopusAclGrant *g = grants->pdata[j];

      friend_reads |= g->grantee.kind == OCTOPUS_GRANTEE_USER_ID &&
                      g_strcmp0 (g->grantee.value, "test:tester3") == 0 &&
                      g->permission == OCTOPUS_PERMISSION_READ;
      owner_full |= g->grantee.kind == OCTOPUS_GRANTEE_OWNER &&
                    g->permission == OCTOPUS_PERMISSION_FULL_CONTROL;
    }
  g_assert_true (friend_reads);
  g_assert_true (owner_full);
  g_assert_true (octopus_array_acls_agree (acls));
  /* s3rver was asked too (its ACL read answers, its write does not): learnt, not a failure. */
  g_assert_cmpint (octopus_service_get_acl_support (octopus_array_get_service (fresh, S3RVER)),
                   ==, OCTOPUS_SUPPORT_NO);
}

#define ESCAPE_KEY "..\\..\\escape.txt"

static char *
download (OctopusArray *array,
          const char   *key,
          const char   *dir,
          GPtrArray   **results,
          GError      **error)
{
  g_autoptr(GAsyncResult) res = NULL;

  octopus_array_download_async (array, key, dir, NULL, octopus_test_result_cb, NULL);
  res = octopus_test_wait_result ();
  return octopus_array_download_finish (array, res, results, error);
}

static void
test_download (Fixture       *fx,
               gconstpointer  data)
{
  g_autoptr(GBytes) good = text ("the real contents\n");
  g_autoptr(GBytes) bad = text ("the fake contents\n");   /* same length */
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) results = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *escaped = NULL;
  g_autoptr(GDir) listing = NULL;
  const char *name;

  if (fx->array == NULL)
    return;

  dir = g_build_filename (fx->tmpdir, "inner", "target", NULL);
  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  put_all (fx, "docs/file.txt", good);
  /* A literal "../../escape.txt" cannot be stored through the S3 layer yet (the URL's dot
   * segments are normalized away before the request is sent, see the report); the same
   * climb spelled with backslashes reaches the server verbatim.  Both map to DIR/escape.txt
   * (test_local_paths). */
  put_all (fx, ESCAPE_KEY, good);
  refresh (fx->array, OCTOPUS_ARRAY_REFRESH_NONE);

  /* The preferred replica is corrupted after the refresh: the download notices the MD5,
   * falls back to the next one, and the file is right. */
  put (fx, S3RVER, "docs/file.txt", bad, FALSE);
  path = download (fx->array, "docs/file.txt", dir, &results, &error);
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, "the real contents\n");
  g_assert_cmpint (find_result (results, "docs/file.txt", "s3rver")->status, ==,
                   OCTOPUS_RESULT_FAILED);
  g_assert_cmpint (find_result (results, "docs/file.txt", "swift-a")->status, ==,
                   OCTOPUS_RESULT_OK);

  /* No temporary file is left behind next to it. */
  g_clear_pointer (&listing, g_dir_close);
  {
    g_autofree char *docs = g_build_filename (dir, "docs", NULL);
    listing = g_dir_open (docs, 0, NULL);
    while ((name = g_dir_read_name (listing)) != NULL)
      g_assert_cmpstr (name, ==, "file.txt");
  }

  /* "..\\..\\escape.txt" lands inside the folder, never two levels up. */
  g_clear_pointer (&path, g_free);
  g_clear_pointer (&results, g_ptr_array_unref);
  path = download (fx->array, ESCAPE_KEY, dir, &results, &error);
  g_assert_no_error (error);
  escaped = g_build_filename (fx->tmpdir, "escape.txt", NULL);
  g_assert_false (g_file_test (escaped, G_FILE_TEST_EXISTS));
  g_free (escaped);
  escaped = g_build_filename (dir, "escape.txt", NULL);
  g_assert_cmpstr (path, ==, escaped);
  g_assert_true (g_file_test (escaped, G_FILE_TEST_IS_REGULAR));

  /* When every replica is bad, nothing is written at all. */
  put (fx, SWIFT_A, "docs/file.txt", bad, FALSE);
  put (fx, SWIFT_B, "docs/file.txt", bad, FALSE);
  g_assert_cmpint (g_unlink (path), ==, 0);
  g_clear_pointer (&path, g_free);
  {
    g_autofree char *target = g_build_filename (dir, "docs", "file.txt", NULL);
    g_assert_cmpint (g_unlink (target), ==, 0);
    path = download (fx->array, "docs/file.txt", dir, NULL, &error);
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_FAILED);
    g_assert_null (path);
    g_assert_false (g_file_test (target, G_FILE_TEST_EXISTS));
  }
}

static void
test_local_paths (void)
{
  struct { const char *key; const char *want; } cases[] = {
    { "../../escape.txt", "escape.txt" },
    { "/etc/passwd", "etc/passwd" },
    { "a/./b/../c", "a/b/c" },
    { "..\\..\\win.txt", "win.txt" },
    { "ctl\001\nname", "ctl__name" },
    { "..", "_" },
    { "", "_" },
    { "plain name+ü.txt", "plain name+ü.txt" },
  };
  g_autofree char *long_key = g_strnfill (400, 'x');
  g_autofree char *long_path = octopus_download_relative_path (long_key);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *got = octopus_download_relative_path (cases[i].key);
      g_assert_cmpstr (got, ==, cases[i].want);
    }
  g_assert_cmpuint (strlen (long_path), ==, 255);
}

static void
test_symlink_in_the_way (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("octopus-link-XXXXXX", &error);
  g_autofree char *link = g_build_filename (dir, "sub", NULL);
  g_autofree char *path = octopus_download_local_path (dir, "sub/file.txt");

  g_assert_no_error (error);
  g_assert_cmpint (symlink ("/tmp", link), ==, 0);
  g_assert_false (octopus_download_make_parents (dir, path, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_DIRECTORY);
  g_unlink (link);
  g_rmdir (dir);
}

static guint16
closed_port (void)
{
  g_autoptr(GSocketListener) listener = g_socket_listener_new ();
  g_autoptr(GError) error = NULL;
  guint16 port = g_socket_listener_add_any_inet_port (listener, NULL, &error);

  g_assert_no_error (error);
  g_socket_listener_close (listener);
  return port;
}

/* A client for swift-b whose endpoint is a closed port. */
static OctopusS3Client *
dead_client (void)
{
  g_autofree char *endpoint = g_strdup_printf ("http://127.0.0.1:%u", closed_port ());
  OctopusS3ClientOptions options = { 0 };
  g_autoptr(GError) error = NULL;
  OctopusS3Client *dead;

  options.name = "swift-b";
  options.endpoint = endpoint;
  options.access_key = "test:tester";
  options.secret_key = "testing";
  options.path_style = TRUE;
  options.allow_http = TRUE;
  options.max_attempts = 1;
  dead = octopus_s3_client_new (&options, &error);
  g_assert_no_error (error);
  return dead;
}

static void
test_unreachable (Fixture       *fx,
                  gconstpointer  data)
{
  g_autoptr(GBytes) body = text ("survives\n");
  g_autoptr(OctopusS3Client) dead = NULL;
  g_autoptr(OctopusArray) broken = NULL;
  g_autoptr(GPtrArray) results = NULL;
  g_autoptr(OctopusS3Object) before = NULL;
  g_autoptr(OctopusS3Object) after = NULL;
  const char *keys[] = { "ok.txt", "miss.txt", "only-b.txt" };

  if (fx->array == NULL)
    return;

  put_all (fx, "ok.txt", body);
  put_all (fx, "miss.txt", body);
  put (fx, SWIFT_B, "only-b.txt", body, TRUE);
  delete_direct (fx, SWIFT_A, "miss.txt");
  refresh (fx->array, OCTOPUS_ARRAY_REFRESH_NONE);

  /* The same array with swift-b's endpoint down. */
  dead = dead_client ();
  broken = make_array (fx, dead);
  octopus_array_set_cache_path (broken, NULL);
  refresh (broken, OCTOPUS_ARRAY_REFRESH_NONE);

  g_assert_false (octopus_service_get_reachable (octopus_array_get_service (broken, SWIFT_B)));
  g_assert_true (octopus_service_get_reachable (octopus_array_get_service (broken, S3RVER)));
  /* only-b.txt exists only on the dead service: this refresh cannot know it.  Every key it
   * did list keeps the other columns' states exactly; swift-b is unreachable, never missing. */
  for (guint k = 0; k < 2; k++)
    {
      for (guint i = S3RVER; i <= SWIFT_A; i++)
        g_assert_cmpint (state_of (broken, keys[k], i), ==, state_of (fx->array, keys[k], i));
      g_assert_cmpint (state_of (broken, keys[k], SWIFT_B), ==, OCTOPUS_OBJECT_STATE_UNREACHABLE);
    }

  /* Repair restores what it can, reports swift-b, and leaves the good copies alone. */
  before = head (fx, S3RVER, "miss.txt");
  results = repair (broken, NULL);
  g_assert_true (octopus_array_results_have_failures (results));
  g_assert_nonnull (find_result (results, NULL, "swift-b"));
  g_assert_cmpint (find_result (results, NULL, "swift-b")->status, ==, OCTOPUS_RESULT_UNREACHABLE);
  g_assert_cmpint (find_result (results, "miss.txt", "swift-a")->status, ==, OCTOPUS_RESULT_OK);
  g_assert_null (find_result (results, "miss.txt", "s3rver"));
  after = head (fx, S3RVER, "miss.txt");
  g_assert_cmpstr (before->etag, ==, after->etag);
  g_assert_cmpint (before->last_modified, ==, after->last_modified);

  /* Once swift-b is back, the real array sees everything restored but only-b.txt. */
  refresh (fx->array, OCTOPUS_ARRAY_REFRESH_NONE);
  assert_row (fx->array, "miss.txt", OCTOPUS_OBJECT_STATE_IN_SYNC, OCTOPUS_OBJECT_STATE_IN_SYNC,
              OCTOPUS_OBJECT_STATE_IN_SYNC);
  assert_row (fx->array, "only-b.txt", OCTOPUS_OBJECT_STATE_MISSING,
              OCTOPUS_OBJECT_STATE_MISSING, OCTOPUS_OBJECT_STATE_IN_SYNC);
}

static char *
service_id (Fixture *fx,
            guint    i)
{
  return g_strconcat (names[i], "|", octopus_s3_client_get_endpoint (fx->svc.clients[i]), "|",
                      fx->svc.buckets[i], NULL);
}

/* True when the cache file at @path remembers @key on every service. */
static gboolean
cached_everywhere (Fixture    *fx,
                   const char *path,
                   const char *key)
{
  g_autoptr(OctopusHashCache) cache = octopus_hash_cache_new (path);
  g_autoptr(OctopusS3Object) o = g_new0 (OctopusS3Object, 1);

  o->key = g_strdup (key);
  o->etag = g_strdup ("\"feed-2\"");
  o->size = 7;
  for (guint i = 0; i < N; i++)
    {
      g_autofree char *id = service_id (fx, i);
      g_autofree char *md5 = NULL;

      if (!octopus_hash_cache_lookup (cache, id, o, &md5))
        return FALSE;
    }
  return TRUE;
}

/* The MD5 cache forgets deleted keys after a refresh that listed every service completely —
 * and never after one where a service was unreachable (its keys may well still exist). */
static void
test_cache_prune (Fixture       *fx,
                  gconstpointer  data)
{
  g_autoptr(GBytes) body = text ("kept\n");
  g_autoptr(OctopusS3Client) dead = NULL;
  g_autoptr(OctopusArray) broken = NULL;
  g_autofree char *path = NULL;
  g_autoptr(GError) error = NULL;

  if (fx->array == NULL)
    return;

  put_all (fx, "kept.txt", body);
  path = g_build_filename (fx->tmpdir, "cache.json", NULL);
  {
    g_autoptr(OctopusHashCache) seed = octopus_hash_cache_new (path);
    const char *keys[] = { "kept.txt", "gone.txt" };

    for (guint i = 0; i < N; i++)
      for (guint k = 0; k < G_N_ELEMENTS (keys); k++)
        {
          g_autofree char *id = service_id (fx, i);
          g_autoptr(OctopusS3Object) o = g_new0 (OctopusS3Object, 1);

          o->key = g_strdup (keys[k]);
          o->etag = g_strdup ("\"feed-2\"");
          o->size = 7;
          octopus_hash_cache_store (seed, id, o, "0123456789abcdef0123456789abcdef");
        }
    g_assert_true (octopus_hash_cache_save (seed, &error));
    g_assert_no_error (error);
  }
  g_assert_true (cached_everywhere (fx, path, "gone.txt"));

  dead = dead_client ();
  broken = make_array (fx, dead);
  octopus_array_set_cache_path (broken, path);
  refresh (broken, OCTOPUS_ARRAY_REFRESH_NONE);
  g_assert_false (octopus_service_get_reachable (octopus_array_get_service (broken, SWIFT_B)));
  g_assert_true (cached_everywhere (fx, path, "gone.txt"));

  refresh (fx->array, OCTOPUS_ARRAY_REFRESH_NONE);
  for (guint i = 0; i < N; i++)
    g_assert_true (octopus_service_get_reachable (octopus_array_get_service (fx->array, i)));
  {
    g_autoptr(OctopusHashCache) after = octopus_hash_cache_new (path);
    g_autoptr(OctopusS3Object) gone = g_new0 (OctopusS3Object, 1);

    gone->key = g_strdup ("gone.txt");
    gone->etag = g_strdup ("\"feed-2\"");
    gone->size = 7;
    for (guint i = 0; i < N; i++)
      {
        g_autofree char *id = service_id (fx, i);
        g_autofree char *md5 = NULL;
        g_assert_false (octopus_hash_cache_lookup (after, id, gone, &md5));
      }
  }
  g_assert_true (cached_everywhere (fx, path, "kept.txt"));
}

/* A refresh reads the cache file in a worker thread: here the file is a FIFO this (the main)
 * thread writes only after refresh_async() returned.  Reading it on the main thread would
 * block forever (the alarm then fails the test).  No services: no servers needed. */
static void
test_cache_load_in_worker (void)
{
  g_autoptr(GPtrArray) none = g_ptr_array_new ();
  g_autoptr(OctopusArray) array = octopus_array_new (none);
  g_autofree char *dir = g_dir_make_tmp ("octopus-array-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "cache.json", NULL);
  g_autoptr(GAsyncResult) res = NULL;
  g_autoptr(GError) error = NULL;
  const char *json = "{\"version\":1,\"entries\":{}}";
  int fd;

  g_assert_cmpint (mkfifo (path, 0600), ==, 0);
  octopus_array_set_cache_path (array, path);
  alarm (60);
  octopus_array_refresh_async (array, OCTOPUS_ARRAY_REFRESH_NONE, NULL, octopus_test_result_cb,
                               NULL);
  fd = open (path, O_WRONLY);          /* blocks until the worker opens the FIFO */
  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (write (fd, json, strlen (json)), ==, (gssize) strlen (json));
  close (fd);
  res = octopus_test_wait_result ();
  alarm (0);
  g_assert_true (octopus_array_refresh_finish (array, res, &error));
  g_assert_no_error (error);

  g_unlink (path);
  g_rmdir (dir);
}

int
main (int   argc,
      char *argv[])
{
  /* No G_TEST_OPTION_ISOLATE_DIRS: GIO's proxy resolver needs the system's schemas.  Every
   * array here is given its cache path, so nothing lands in the user's cache dir. */
  g_test_init (&argc, &argv, NULL);

#define ADD(path, fn) g_test_add (path, Fixture, NULL, fixture_setup, fn, fixture_teardown)
  ADD ("/array/break-and-repair", test_break_and_repair);
  ADD ("/array/repair-keeps-newer-target", test_repair_keeps_newer_target);
  ADD ("/array/delete", test_delete);
  ADD ("/array/copy-operations", test_copy_operations);
  ADD ("/array/acl", test_acl);
  ADD ("/array/acl-change", test_acl_change);
  ADD ("/array/repair-copies-grants", test_repair_copies_grants);
  ADD ("/array/download", test_download);
  ADD ("/array/unreachable", test_unreachable);
  ADD ("/array/cache-prune", test_cache_prune);
#undef ADD
  g_test_add_func ("/array/cache-load-in-worker", test_cache_load_in_worker);
  g_test_add_func ("/array/local-paths", test_local_paths);
  g_test_add_func ("/array/symlink-in-the-way", test_symlink_in_the_way);

  return g_test_run ();
}
