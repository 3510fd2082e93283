/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-hash-cache.c — the MD5 cache survives a restart, neither loading nor saving it blocks
 * the caller (the file is read and written in worker threads), and deleted keys are pruned. */
#include "config.h"

#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
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

static void
done_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  GAsyncResult **slot = user_data;
  *slot = g_object_ref (result);
}

static void
load_and_wait (OctopusHashCache *cache)
{
  g_autoptr(GError) error = NULL;
  GAsyncResult *result = NULL;

  octopus_hash_cache_load_async (cache, NULL, done_cb, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (octopus_hash_cache_load_finish (cache, result, &error));
  g_assert_no_error (error);
  g_object_unref (result);
}

static gboolean
has (OctopusHashCache *cache,
     const char       *service,
     const char       *key)
{
  g_autoptr(OctopusS3Object) o = make (key, "\"x-2\"");
  g_autofree char *md5 = NULL;

  return octopus_hash_cache_lookup (cache, service, o, &md5);
}

/* The file is read in a worker: here it is a FIFO whose writer is this (the calling)
 * thread, opened only after load_async() returned.  A load on the calling thread would
 * block forever on the FIFO (the alarm then fails the test). */
static void
test_load_in_worker (void)
{
  g_autofree char *dir = g_dir_make_tmp ("octopus-hash-cache-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "md5-cache.json", NULL);
  g_autoptr(OctopusHashCache) cache = octopus_hash_cache_new_deferred (path);
  const char *json = "{\"version\":1,\"entries\":{\"svc\\na\":{\"etag\":\"\\\"x-2\\\"\","
                     "\"size\":42,\"mtime\":1700000000,\"md5\":\"" MD5_A "\"}}}";
  g_autoptr(GError) error = NULL;
  GAsyncResult *result = NULL;
  g_autofree char *md5 = NULL;
  g_autoptr(OctopusS3Object) a = make ("a", "\"x-2\"");
  int fd;

  g_assert_cmpint (mkfifo (path, 0600), ==, 0);
  alarm (60);
  octopus_hash_cache_load_async (cache, NULL, done_cb, &result);
  g_assert_false (octopus_hash_cache_is_loaded (cache));
  g_assert_false (has (cache, "svc", "a"));       /* not read yet: a miss, not a wait */

  fd = open (path, O_WRONLY);                     /* blocks until the worker opens it */
  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (write (fd, json, strlen (json)), ==, (gssize) strlen (json));
  close (fd);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  alarm (0);
  g_assert_true (octopus_hash_cache_load_finish (cache, result, &error));
  g_assert_no_error (error);
  g_clear_object (&result);

  g_assert_true (octopus_hash_cache_is_loaded (cache));
  g_assert_true (octopus_hash_cache_lookup (cache, "svc", a, &md5));
  g_assert_cmpstr (md5, ==, MD5_A);

  g_unlink (path);
  g_rmdir (dir);
}

/* What is learnt before the file is read is newer than the file; and a save requested
 * before the read waits for it instead of overwriting the file's other entries. */
static void
test_store_before_load (void)
{
  g_autofree char *dir = g_dir_make_tmp ("octopus-hash-cache-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "md5-cache.json", NULL);
  g_autoptr(OctopusHashCache) first = octopus_hash_cache_new (path);
  g_autoptr(OctopusHashCache) second = NULL;
  g_autoptr(OctopusS3Object) a = make ("a", "\"x-2\"");
  g_autoptr(OctopusS3Object) b = make ("b", "\"x-2\"");

  octopus_hash_cache_store (first, "svc", a, MD5_A);
  octopus_hash_cache_store (first, "svc", b, MD5_A);
  g_assert_true (save_and_wait (first));

  second = octopus_hash_cache_new_deferred (path);
  octopus_hash_cache_store (second, "svc", b, MD5_B);
  g_assert_true (save_and_wait (second));         /* never loaded explicitly */
  assert_cached (path, "a", MD5_A);
  assert_cached (path, "b", MD5_B);

  g_unlink (path);
  g_rmdir (dir);
}

/* Keys a service no longer lists are forgotten on that service only, also in the file. */
static void
test_prune (void)
{
  g_autofree char *dir = g_dir_make_tmp ("octopus-hash-cache-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "md5-cache.json", NULL);
  g_autoptr(OctopusHashCache) cache = octopus_hash_cache_new (path);
  g_autoptr(OctopusHashCache) deferred = NULL;
  g_autoptr(OctopusHashCache) reread = NULL;
  g_autoptr(GPtrArray) listing = g_ptr_array_new_with_free_func (
    (GDestroyNotify) octopus_s3_object_free);
  const char *entries[][2] = { { "svc", "kept" }, { "svc", "gone" },
                               { "svc-b", "gone" }, { "svc-b", "svc-b-only" } };

  for (guint i = 0; i < G_N_ELEMENTS (entries); i++)
    {
      g_autoptr(OctopusS3Object) o = make (entries[i][1], "\"x-2\"");
      octopus_hash_cache_store (cache, entries[i][0], o, MD5_A);
    }
  g_assert_true (save_and_wait (cache));
  g_ptr_array_add (listing, make ("kept", "\"x-2\""));

  /* Not loaded yet: nothing to prune, nothing forgotten. */
  deferred = octopus_hash_cache_new_deferred (path);
  g_assert_cmpuint (octopus_hash_cache_prune (deferred, "svc", listing), ==, 0);
  load_and_wait (deferred);
  g_assert_true (has (deferred, "svc", "gone"));

  g_assert_cmpuint (octopus_hash_cache_prune (deferred, "svc", listing), ==, 1);
  g_assert_true (has (deferred, "svc", "kept"));
  g_assert_false (has (deferred, "svc", "gone"));
  g_assert_true (has (deferred, "svc-b", "gone"));   /* other services untouched */
  g_assert_true (has (deferred, "svc-b", "svc-b-only"));
  g_assert_true (save_and_wait (deferred));

  reread = octopus_hash_cache_new (path);
  g_assert_false (has (reread, "svc", "gone"));
  g_assert_true (has (reread, "svc", "kept"));
  g_assert_true (has (reread, "svc-b", "gone"));

  g_unlink (path);
  g_rmdir (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/hash-cache/load-in-worker", test_load_in_worker);
  g_test_add_func ("/hash-cache/store-before-load", test_store_before_load);
  g_test_add_func ("/hash-cache/prune", test_prune);
  g_test_add_func ("/hash-cache/save-async-round-trip", test_save_async_round_trip);
  g_test_add_func ("/hash-cache/store-during-save", test_store_during_save);
  g_test_add_func ("/hash-cache/memory-only", test_memory_only);
  return g_test_run ();
}
