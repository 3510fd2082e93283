/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-index.c — OctopusIndex: store and load, replace, a listing cut short (by not finishing
 * it, and by SIGKILL in the middle of its pages) leaves the last complete state, a damaged or
 * newer file is rebuilt.  No servers. */
#include "config.h"

#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <glib/gstdio.h>

#include "octopus-index.h"
#include "octopus-object-table.h"
#include "octopus-test-util.h"

#define MD5_A "0cc175b9c0f1b6a831c399e269772661"
#define MD5_B "92eb5ffee6ae2fec3ad71c777531578f"

typedef struct {
  char         *dir;
  char         *path;
  OctopusIndex *index;
} Fixture;

static void
fixture_setup (Fixture       *fx,
               gconstpointer  data)
{
  fx->dir = g_dir_make_tmp ("octopus-index-XXXXXX", NULL);
  g_assert_nonnull (fx->dir);
  /* A folder that does not exist yet: the index makes it. */
  fx->path = g_build_filename (fx->dir, "state", "octopus", "index.sqlite", NULL);
  fx->index = octopus_index_new (fx->path);
}

static void
fixture_teardown (Fixture       *fx,
                  gconstpointer  data)
{
  g_autofree char *cmd = NULL;

  g_assert_finalize_object (fx->index);
  cmd = g_strdup_printf ("rm -rf '%s'", fx->dir);
  g_assert_cmpint (system (cmd), ==, 0);
  g_free (fx->path);
  g_free (fx->dir);
}

/* ---- helpers ------------------------------------------------------------------------------ */

static OctopusS3Object *
object (const char *key,
        const char *etag,
        gint64      size)
{
  OctopusS3Object *o = g_new0 (OctopusS3Object, 1);

  o->key = g_strdup (key);
  o->etag = g_strdup (etag);
  o->size = size;
  o->last_modified = 1700000000 + size;
  return o;
}

static GPtrArray *
listing_of (const char * const *keys)
{
  GPtrArray *objects = g_ptr_array_new_with_free_func ((GDestroyNotify) octopus_s3_object_free);

  for (guint i = 0; keys[i] != NULL; i++)
    g_ptr_array_add (objects, object (keys[i], MD5_A, i));
  return objects;
}

/* @n objects "PREFIX-000000"… */
static GPtrArray *
numbered (const char *prefix,
          guint       n)
{
  GPtrArray *objects = g_ptr_array_new_with_free_func ((GDestroyNotify) octopus_s3_object_free);

  for (guint i = 0; i < n; i++)
    {
      g_autofree char *key = g_strdup_printf ("%s-%06u", prefix, i);
      g_ptr_array_add (objects, object (key, MD5_B, i));
    }
  return objects;
}

static void
write_done (OctopusIndex *index)
{
  g_autoptr(GAsyncResult) res = octopus_test_wait_result ();
  g_autoptr(GError) error = NULL;

  g_assert_true (octopus_index_write_finish (index, res, &error));
  g_assert_no_error (error);
}

static void
store (OctopusIndex *index,
       const char   *service_id,
       GPtrArray    *objects,
       GByteArray   *sources)
{
  octopus_index_store_async (index, service_id, objects, sources, NULL, octopus_test_result_cb,
                             NULL);
  write_done (index);
}

/* → the listings of @a and @b (NULL: only @a). */
static GPtrArray *
load (OctopusIndex *index,
      const char   *a,
      const char   *b)
{
  const char *ids[] = { a, b, NULL };
  g_autoptr(GAsyncResult) res = NULL;
  g_autoptr(GError) error = NULL;
  GPtrArray *listings;

  octopus_index_load_async (index, ids, NULL, octopus_test_result_cb, NULL);
  res = octopus_test_wait_result ();
  listings = octopus_index_load_finish (index, res, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (listings->len, ==, b != NULL ? 2 : 1);
  return listings;
}

static OctopusIndexListing *
listing_at (GPtrArray *listings,
            guint      i)
{
  return g_ptr_array_index (listings, i);
}

/* The keys of a loaded listing, joined by spaces ("" when never listed: NULL objects). */
static char *
keys_of (OctopusIndexListing *listing)
{
  GString *s = g_string_new (NULL);

  for (guint i = 0; listing->objects != NULL && i < listing->objects->len; i++)
    {
      OctopusS3Object *o = g_ptr_array_index (listing->objects, i);
      g_string_append_printf (s, "%s%s", i > 0 ? " " : "", o->key);
    }
  return g_string_free (s, FALSE);
}

static char *
load_keys (OctopusIndex *index,
           const char   *service_id)
{
  g_autoptr(GPtrArray) listings = load (index, service_id, NULL);
  return keys_of (listing_at (listings, 0));
}

/* ---- tests -------------------------------------------------------------------------------- */

/* What goes in comes out: sizes, ETags, times, MD5s with where they came from, by key. */
static void
test_store_load (Fixture       *fx,
                 gconstpointer  data)
{
  g_autoptr(GPtrArray) objects = g_ptr_array_new_with_free_func (
                                   (GDestroyNotify) octopus_s3_object_free);
  g_autoptr(GByteArray) sources = g_byte_array_new ();
  static const guint8 given[] = { OCTOPUS_MD5_SOURCE_NONE, OCTOPUS_MD5_SOURCE_HEAD,
                                  OCTOPUS_MD5_SOURCE_DEEP, OCTOPUS_MD5_SOURCE_HEAD };
  g_autoptr(GPtrArray) listings = NULL;
  OctopusIndexListing *svc;
  gint64 before = g_get_real_time () / G_USEC_PER_SEC;
  OctopusS3Object *o;

  g_ptr_array_add (objects, object ("zeta.txt", MD5_A, 1));                 /* plain ETag */
  g_ptr_array_add (objects, object ("dir/mp.bin", "abcdef-2", 20));         /* HEAD: md5chksum */
  g_ptr_array_add (objects, object ("deep.bin", "abcdef-3", 30));           /* deep check */
  g_ptr_array_add (objects, object ("nometa.bin", "abcdef-4", 40));         /* HEAD: none */
  for (guint i = 1; i <= 2; i++)
    {
      o = g_ptr_array_index (objects, i);
      o->metadata = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
      g_hash_table_insert (o->metadata, g_strdup ("md5chksum"),
                           octopus_md5_hex_to_base64 (i == 1 ? MD5_A : MD5_B));
    }
  g_byte_array_append (sources, given, sizeof given);
  store (fx->index, "svc", objects, sources);

  listings = load (fx->index, "svc", "never-listed");
  svc = listing_at (listings, 0);
  g_assert_cmpstr (svc->service_id, ==, "svc");
  g_assert_cmpint (svc->listed_at, >=, before);
  g_assert_cmpint (svc->listed_at, <=, g_get_real_time () / G_USEC_PER_SEC);
  g_assert_cmpuint (svc->objects->len, ==, 4);
  {
    g_autofree char *keys = keys_of (svc);
    g_assert_cmpstr (keys, ==, "deep.bin dir/mp.bin nometa.bin zeta.txt");
  }
  {
    /* by key: deep.bin, dir/mp.bin, nometa.bin, zeta.txt */
    static const char * const md5s[] = { MD5_B, MD5_A, NULL, MD5_A };
    static const OctopusMd5Source want[] = { OCTOPUS_MD5_SOURCE_DEEP, OCTOPUS_MD5_SOURCE_HEAD,
                                             OCTOPUS_MD5_SOURCE_HEAD, OCTOPUS_MD5_SOURCE_ETAG };
    static const gint64 sizes[] = { 30, 20, 40, 1 };

    for (guint i = 0; i < 4; i++)
      {
        g_autofree char *md5 = NULL;

        o = g_ptr_array_index (svc->objects, i);
        md5 = octopus_content_md5 (o);
        g_assert_cmpstr (md5, ==, md5s[i]);
        g_assert_cmpint (svc->sources->data[i], ==, want[i]);
        g_assert_cmpint (o->size, ==, sizes[i]);
        g_assert_cmpint (o->last_modified, ==, 1700000000 + sizes[i]);
      }
    o = g_ptr_array_index (svc->objects, 1);
    g_assert_cmpstr (o->etag, ==, "abcdef-2");
  }
  /* A service never listed completely has no state at all (not an empty one). */
  g_assert_null (listing_at (listings, 1)->objects);
  g_assert_cmpint (listing_at (listings, 1)->listed_at, ==, 0);
}

/* A new listing replaces the service's rows; other services keep theirs. */
static void
test_replace (Fixture       *fx,
              gconstpointer  data)
{
  const char *first[] = { "a", "b", NULL };
  const char *second[] = { "b", "c", NULL };
  const char *other[] = { "x", NULL };
  g_autoptr(GPtrArray) one = listing_of (first);
  g_autoptr(GPtrArray) two = listing_of (second);
  g_autoptr(GPtrArray) three = listing_of (other);
  g_autoptr(GPtrArray) empty = g_ptr_array_new ();
  g_autoptr(GPtrArray) listings = NULL;
  g_autofree char *keys_one = NULL, *keys_other = NULL, *keys_empty = NULL;

  store (fx->index, "one", one, NULL);
  store (fx->index, "other", three, NULL);
  store (fx->index, "one", two, NULL);
  listings = load (fx->index, "one", "other");
  keys_one = keys_of (listing_at (listings, 0));
  keys_other = keys_of (listing_at (listings, 1));
  g_assert_cmpstr (keys_one, ==, "b c");
  g_assert_cmpstr (keys_other, ==, "x");
  /* No source given: read off the object (a plain-MD5 ETag). */
  g_assert_cmpint (listing_at (listings, 0)->sources->data[0], ==, OCTOPUS_MD5_SOURCE_ETAG);

  /* An empty bucket is a state too: listed, nothing in it. */
  store (fx->index, "other", empty, NULL);
  g_clear_pointer (&listings, g_ptr_array_unref);
  listings = load (fx->index, "other", NULL);
  g_assert_nonnull (listing_at (listings, 0)->objects);
  keys_empty = keys_of (listing_at (listings, 0));
  g_assert_cmpstr (keys_empty, ==, "");
}

static void
begin (OctopusIndex *index,
       const char   *service_id)
{
  octopus_index_begin_listing_async (index, service_id, NULL, octopus_test_result_cb, NULL);
  write_done (index);
}

static void
add_page (OctopusIndex *index,
          const char   *service_id,
          GPtrArray    *objects)
{
  octopus_index_add_page_async (index, service_id, objects, NULL, NULL, octopus_test_result_cb,
                                NULL);
  write_done (index);
}

/* Pages stored without the commit: the last complete listing stays the state — for this
 * index, for a new one on the same file (the next start), and until a commit. */
static void
test_interrupted (Fixture       *fx,
                  gconstpointer  data)
{
  const char *first[] = { "a", "b", NULL };
  g_autoptr(GPtrArray) complete = listing_of (first);
  g_autoptr(GPtrArray) page1 = numbered ("new", 2500);
  g_autoptr(GPtrArray) page2 = numbered ("more", 10);
  g_autoptr(OctopusIndex) next = NULL;
  g_autofree char *keys = NULL, *keys_next = NULL, *keys_done = NULL;
  g_autoptr(GPtrArray) listings = NULL;
  g_autoptr(GAsyncResult) res = NULL;
  g_autoptr(GError) error = NULL;

  store (fx->index, "svc", complete, NULL);
  begin (fx->index, "svc");
  add_page (fx->index, "svc", page1);
  keys = load_keys (fx->index, "svc");
  g_assert_cmpstr (keys, ==, "a b");

  next = octopus_index_new (fx->path);
  keys_next = load_keys (next, "svc");
  g_assert_cmpstr (keys_next, ==, "a b");

  /* A new listing drops what the unfinished one staged. */
  begin (next, "svc");
  add_page (next, "svc", page2);
  octopus_index_commit_listing_async (next, "svc", NULL, octopus_test_result_cb, NULL);
  write_done (next);
  listings = load (fx->index, "svc", NULL);
  g_assert_cmpuint (listing_at (listings, 0)->objects->len, ==, 10);
  keys_done = keys_of (listing_at (listings, 0));
  g_assert_true (g_str_has_prefix (keys_done, "more-000000 more-000001"));

  /* Pages without a begun listing are refused. */
  octopus_index_add_page_async (next, "never-begun", page2, NULL, NULL, octopus_test_result_cb,
                                NULL);
  res = octopus_test_wait_result ();
  g_assert_false (octopus_index_write_finish (next, res, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_FAILED);
}

/* ---- SIGKILL: this program again, as a writer that dies in the middle of its pages ---- */

static void
killed_page_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!octopus_index_write_finish (OCTOPUS_INDEX (source), result, &error))
    g_error ("first page: %s", error->message);
  /* The second, larger page is queued behind it on the worker (calls run in order); whether
   * the worker has begun its transactions does not matter: the listing is begun, has a page
   * in the file and is never committed. */
  raise (SIGKILL);
}

/* `test-index --kill-writer PATH`: begins a listing of "svc", writes one page, queues a page of
 * 50,000 rows and is SIGKILLed once the first page is in: never reaches the commit. */
static int
kill_writer (const char *path)
{
  g_autoptr(OctopusIndex) index = octopus_index_new (path);
  g_autoptr(GPtrArray) page1 = numbered ("killed", 1000);
  g_autoptr(GPtrArray) page2 = numbered ("killed-more", 50000);
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);

  octopus_index_begin_listing_async (index, "svc", NULL, NULL, NULL);
  octopus_index_add_page_async (index, "svc", page1, NULL, NULL, killed_page_cb, NULL);
  octopus_index_add_page_async (index, "svc", page2, NULL, NULL, NULL, NULL);
  g_main_loop_run (loop);
  return 1;   /* not reached */
}

/* Rows whose key is LIKE @pattern, whatever their generation (read straight from the file). */
static int
count_rows (const char *path,
            const char *pattern)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  int n = -1;

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT count(*) FROM objects WHERE key LIKE ?", -1,
                                       &stmt, NULL), ==, SQLITE_OK);
  sqlite3_bind_text (stmt, 1, pattern, -1, SQLITE_STATIC);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    n = sqlite3_column_int (stmt, 0);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return n;
}

static void
test_sigkill (Fixture       *fx,
              gconstpointer  data)
{
  const char *first[] = { "a", "b", "c", NULL };
  g_autoptr(GPtrArray) complete = listing_of (first);
  g_autoptr(GError) error = NULL;
  g_autoptr(OctopusIndex) next = NULL;
  g_autofree char *self_exe = g_file_read_link ("/proc/self/exe", NULL);
  const char *argv[] = { self_exe, "--kill-writer", fx->path, NULL };
  g_autofree char *keys = NULL, *keys_after = NULL;
  g_autoptr(GPtrArray) fresh = numbered ("fresh", 3);
  int status = 0;

  store (fx->index, "svc", complete, NULL);
  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, NULL,
                               NULL, &status, &error));
  g_assert_no_error (error);
  g_assert_true (WIFSIGNALED (status));
  g_assert_cmpint (WTERMSIG (status), ==, SIGKILL);
  /* It died with its first page in the file: in the middle of the listing. */
  g_assert_cmpint (count_rows (fx->path, "killed-%"), >=, 1000);

  /* The next start reads the last complete state, then a normal listing replaces it. */
  next = octopus_index_new (fx->path);
  keys = load_keys (next, "svc");
  g_assert_cmpstr (keys, ==, "a b c");
  store (next, "svc", fresh, NULL);
  keys_after = load_keys (next, "svc");
  g_assert_cmpstr (keys_after, ==, "fresh-000000 fresh-000001 fresh-000002");
}

/* ---- files that are not an index of this version ---- */

static void
rebuilt (Fixture *fx)
{
  const char *first[] = { "a", NULL };
  g_autoptr(GPtrArray) complete = listing_of (first);
  g_autoptr(OctopusIndex) index = octopus_index_new (fx->path);
  g_autofree char *before = NULL, *after = NULL;

  g_test_expect_message ("octopus-engine", G_LOG_LEVEL_WARNING,
                         "The index * is not one this Octopus can read*rebuilt*");
  before = load_keys (index, "svc");
  g_test_assert_expected_messages ();
  g_assert_cmpstr (before, ==, "");
  store (index, "svc", complete, NULL);
  after = load_keys (index, "svc");
  g_assert_cmpstr (after, ==, "a");
}

static void
test_corrupt (Fixture       *fx,
              gconstpointer  data)
{
  g_autofree char *dir = g_path_get_dirname (fx->path);
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) junk = g_string_new (NULL);

  /* Not a database at all: pages of text where SQLite wants its header. */
  for (guint i = 0; i < 2000; i++)
    g_string_append (junk, "this is not an index ");
  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_assert_true (g_file_set_contents (fx->path, junk->str, junk->len, &error));
  rebuilt (fx);
}

static void
test_future_version (Fixture       *fx,
                     gconstpointer  data)
{
  const char *first[] = { "z", NULL };
  g_autoptr(GPtrArray) complete = listing_of (first);
  sqlite3 *db = NULL;

  store (fx->index, "svc", complete, NULL);
  g_assert_cmpint (sqlite3_open (fx->path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "UPDATE schema_version SET version = 99", NULL, NULL, NULL),
                   ==, SQLITE_OK);
  sqlite3_close (db);
  rebuilt (fx);
}

static void
test_default_path (void)
{
  g_autofree char *path = octopus_index_default_path ();
  g_autofree char *want = g_build_filename (g_get_user_state_dir (), "octopus", "index.sqlite",
                                            NULL);

  g_assert_cmpstr (path, ==, want);
}

int
main (int   argc,
      char *argv[])
{
  if (argc == 3 && g_str_equal (argv[1], "--kill-writer"))
    return kill_writer (argv[2]);

  g_test_init (&argc, &argv, NULL);
#define ADD(path, fn) g_test_add (path, Fixture, NULL, fixture_setup, fn, fixture_teardown)
  ADD ("/index/store-load", test_store_load);
  ADD ("/index/replace", test_replace);
  ADD ("/index/interrupted", test_interrupted);
  ADD ("/index/sigkill", test_sigkill);
  ADD ("/index/corrupt", test_corrupt);
  ADD ("/index/future-version", test_future_version);
  g_test_add_func ("/index/default-path", test_default_path);
  return g_test_run ();
}
