/* test-hash-cache.c — the MD5 cache survives a restart, and saving it does not block the
 * caller (the file is written in a worker thread, from a snapshot). */
#include "config.h"

#include <glib/gstdio.h>

#include "octopus-hash-cache.h"

#define MD5_A "0123456789abcdef0123456789abcdef"
#define MD5_B "fedcba9876543210fedcba9876543210"

static OctopusS3Object *
make (const char *key,
      const char *etag)
{
  OctopusS3Object *o = g_new0 (OctopusS3Object, 1);

  o->key = g_strdup (key);
  o->etag = g_strdup (etag);
  o->size = 42;
  o->last_modified = 1700000000;
  return o;
}

static void
saved_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  GAsyncResult **slot = user_data;
  *slot = g_object_ref (result);
}

static gboolean
save_and_wait (OctopusHashCache *cache)
{
  GAsyncResult *result = NULL;
  g_autoptr(GError) error = NULL;
  gboolean ok;

  octopus_hash_cache_save_async (cache, NULL, saved_cb, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  ok = octopus_hash_cache_save_finish (cache, result, &error);
  g_assert_no_error (error);
  g_object_unref (result);
  return ok;
}

static void
assert_cached (const char *path,
               const char *key,
               const char *expected_md5)
{
  g_autoptr(OctopusHashCache) cache = octopus_hash_cache_new (path);
  g_autoptr(OctopusS3Object) o = make (key, "\"x-2\"");
  g_autofree char *md5 = NULL;

  g_assert_true (octopus_hash_cache_lookup (cache, "svc", o, &md5));
  g_assert_cmpstr (md5, ==, expected_md5);
}

static void
test_save_async_round_trip (void)
{
  g_autofree char *dir = g_dir_make_tmp ("octopus-hash-cache-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "sub", "md5-cache.json", NULL);
  g_autoptr(OctopusHashCache) cache = octopus_hash_cache_new (path);
  g_autoptr(OctopusS3Object) a = make ("a", "\"x-2\"");

  octopus_hash_cache_store (cache, "svc", a, MD5_A);
  g_assert_true (save_and_wait (cache));
  g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));
  assert_cached (path, "a", MD5_A);

  g_unlink (path);
  g_autofree char *sub = g_path_get_dirname (path);
  g_rmdir (sub);
  g_rmdir (dir);
}

/* An entry learnt while the file is being written must reach the file at the next save. */
static void
test_store_during_save (void)
{
  g_autofree char *dir = g_dir_make_tmp ("octopus-hash-cache-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "md5-cache.json", NULL);
  g_autoptr(OctopusHashCache) cache = octopus_hash_cache_new (path);
  g_autoptr(OctopusS3Object) a = make ("a", "\"x-2\"");
  g_autoptr(OctopusS3Object) b = make ("b", "\"x-2\"");
  g_autoptr(GError) error = NULL;
  GAsyncResult *result = NULL;

  octopus_hash_cache_store (cache, "svc", a, MD5_A);
  octopus_hash_cache_save_async (cache, NULL, saved_cb, &result);
  octopus_hash_cache_store (cache, "svc", b, MD5_B);   /* after the snapshot */
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (octopus_hash_cache_save_finish (cache, result, &error));
  g_assert_no_error (error);
  g_clear_object (&result);

  g_assert_true (save_and_wait (cache));
  assert_cached (path, "a", MD5_A);
  assert_cached (path, "b", MD5_B);

  g_unlink (path);
  g_rmdir (dir);
}

static void
test_memory_only (void)
{
  g_autoptr(OctopusHashCache) cache = octopus_hash_cache_new (NULL);
  g_autoptr(OctopusS3Object) a = make ("a", "\"x-2\"");

  octopus_hash_cache_store (cache, "svc", a, MD5_A);
  g_assert_true (save_and_wait (cache));
  g_assert_finalize_object (g_steal_pointer (&cache));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/hash-cache/save-async-round-trip", test_save_async_round_trip);
  g_test_add_func ("/hash-cache/store-during-save", test_store_during_save);
  g_test_add_func ("/hash-cache/memory-only", test_memory_only);
  return g_test_run ();
}
