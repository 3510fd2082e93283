/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-upload.c — the upload fan-out against the real servers: one queue uploading to three
 * services (s3rver and two Swift buckets), every copy read back and compared with the source;
 * then what a user sees go wrong: a file that changes or vanishes mid-upload, a service that
 * is down, cancel; and the memory the part buffers took.  Then persistence: a queue dropped
 * mid-way (quit) and a queue with an unreachable service are resumed by a new queue on the
 * same journal. */
#include "config.h"

#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <unistd.h>
#include <glib/gstdio.h>
#include <gio/gio.h>

#include "octopus-test-util.h"
#include "octopus-upload-queue.h"
#include "octopus-upload-reader.h"
#include "octopus-upload-job.h"
#include "octopus-array.h"

#define MIB (1024 * 1024)
#define N 3
static const char * const names[N] = { "s3rver", "swift-a", "swift-b" };
static const char * const servers[N] = { "s3rver", "swift", "swift" };
enum { S3RVER, SWIFT_A, SWIFT_B };

typedef struct {
  OctopusTestServices svc;       /* clients[], buckets[] in the order of names[] */
  GPtrArray          *services;
  OctopusUploadQueue *queue;
  char               *tmpdir;
  char               *journal;
} Fixture;

/* ---- helpers ------------------------------------------------------------------------------ */

/* The copy on service @i: same bytes as the source, md5chksum metadata right. */
static void
assert_copy (Fixture    *fx,
             guint       i,
             const char *key,
             gsize       size,
             const char *md5_hex)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(OctopusS3Object) info = NULL;
  g_autoptr(GBytes) bytes = octopus_test_get_bytes (fx->svc.clients[i], fx->svc.buckets[i], key,
                                                    NULL, &error);
  g_autofree char *got = NULL;
  g_autofree char *b64 = octopus_md5_hex_to_base64 (md5_hex);

  g_assert_no_error (error);
  g_assert_cmpuint (g_bytes_get_size (bytes), ==, size);
  got = g_compute_checksum_for_bytes (G_CHECKSUM_MD5, bytes);
  g_assert_cmpstr (got, ==, md5_hex);

  info = octopus_test_head (fx->svc.clients[i], fx->svc.buckets[i], key, &error);
  g_assert_no_error (error);
  g_assert_nonnull (info->metadata);
  g_assert_cmpstr (g_hash_table_lookup (info->metadata, "md5chksum"), ==, b64);
}

static void
assert_absent (Fixture    *fx,
               guint       i,
               const char *key)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(OctopusS3Object) info = octopus_test_head (fx->svc.clients[i], fx->svc.buckets[i],
                                                       key, &error);

  g_assert_null (info);
  g_assert_error (error, OCTOPUS_S3_ERROR, OCTOPUS_S3_ERROR_NO_SUCH_KEY);
}

/* No multipart upload left open (Swift lists them; s3rver cannot). */
static void
assert_no_open_uploads (Fixture *fx)
{
  for (guint i = SWIFT_A; i <= SWIFT_B; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GAsyncResult) result = NULL;
      g_autoptr(GPtrArray) uploads = NULL;
      OctopusS3Client *client = fx->svc.clients[i];

      octopus_s3_client_list_multipart_uploads_async (client, fx->svc.buckets[i], NULL, NULL,
                                                      octopus_test_result_cb, NULL);
      result = octopus_test_wait_result ();
      uploads = octopus_s3_client_list_multipart_uploads_finish (client, result, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (uploads->len, ==, 0);
    }
}

static void
wait_settled (Fixture *fx)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  octopus_upload_queue_wait_async (fx->queue, NULL, octopus_test_result_cb, NULL);
  result = octopus_test_wait_result ();
  g_assert_true (octopus_upload_queue_wait_finish (fx->queue, result, &error));
  g_assert_no_error (error);
}

static guint
add_path (Fixture    *fx,
          const char *path,
          const char *prefix)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  guint n;

  octopus_upload_queue_add_async (fx->queue, file, prefix, NULL, octopus_test_result_cb, NULL);
  result = octopus_test_wait_result ();
  n = octopus_upload_queue_add_finish (fx->queue, result, &error);
  g_assert_no_error (error);
  return n;
}

static OctopusTransfer *
find_transfer (Fixture    *fx,
               const char *key)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (fx->queue));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(OctopusTransfer) t = g_list_model_get_item (G_LIST_MODEL (fx->queue), i);
      if (g_strcmp0 (octopus_transfer_get_key (t), key) == 0)
        return t;   /* the queue keeps it alive */
    }
  g_assert_not_reached ();
}

static OctopusUploadState
service_state (OctopusTransfer *t,
               guint            i)
{
  return octopus_upload_progress_get_state (octopus_transfer_get_progress_for (t, names[i]));
}

/* ---- fixture ------------------------------------------------------------------------------ */

static OctopusS3Client *
dead_client (void)
{
  struct sockaddr_in addr = { .sin_family = AF_INET, .sin_addr.s_addr = htonl (INADDR_LOOPBACK) };
  socklen_t len = sizeof addr;
  int fd = socket (AF_INET, SOCK_STREAM, 0);
  g_autofree char *endpoint = NULL;
  g_autoptr(GError) error = NULL;
  OctopusS3ClientOptions options = {
    .name = "dead", .access_key = "x", .secret_key = "y", .path_style = TRUE,
    .allow_http = TRUE, .max_attempts = 2, .retry_base_ms = 10, .timeout_seconds = 5,
  };
  OctopusS3Client *client;

  /* A port that was free a moment ago and has no listener: connection refused. */
  g_assert_cmpint (bind (fd, (struct sockaddr *) &addr, sizeof addr), ==, 0);
  g_assert_cmpint (getsockname (fd, (struct sockaddr *) &addr, &len), ==, 0);
  close (fd);
  endpoint = g_strdup_printf ("http://127.0.0.1:%u", ntohs (addr.sin_port));
  options.endpoint = endpoint;
  client = octopus_s3_client_new (&options, &error);
  g_assert_no_error (error);
  return client;
}

/* What octopus-service-loader.c gives an account whose settings make no client. */
static OctopusS3Client *
stand_in_client (void)
{
  g_autoptr(GError) error = NULL;
  OctopusS3ClientOptions options = {
    .name = "swift-b", .endpoint = "https://invalid.invalid", .access_key = "", .secret_key = "",
  };
  OctopusS3Client *client = octopus_s3_client_new (&options, &error);

  g_assert_no_error (error);
  return client;
}

static void
fixture_setup (Fixture       *fx,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  gboolean dead_swift_b = GPOINTER_TO_INT (data) == 1;
  gboolean unusable_swift_b = GPOINTER_TO_INT (data) == 3;

  if (!octopus_test_services_setup (&fx->svc, servers, N, "upload"))
    return;

  fx->services = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < N; i++)
    {
      g_autoptr(OctopusS3Client) dead = (i == SWIFT_B && dead_swift_b) ? dead_client () : NULL;
      g_autoptr(OctopusS3Client) stand_in =
        (i == SWIFT_B && unusable_swift_b) ? stand_in_client () : NULL;
      OctopusS3Client *client = dead ? dead : stand_in ? stand_in : fx->svc.clients[i];

      g_ptr_array_add (fx->services, octopus_service_new (names[i], client, fx->svc.buckets[i]));
    }
  if (unusable_swift_b)
    {
      g_autoptr(GError) reason = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                                                      "No secret key for swift-b in the keyring");
      octopus_service_set_unusable (fx->services->pdata[SWIFT_B], reason);
    }
  fx->tmpdir = g_dir_make_tmp ("octopus-upload-XXXXXX", &error);
  g_assert_no_error (error);
  fx->journal = g_build_filename (fx->tmpdir, "journal", NULL);
  fx->queue = octopus_upload_queue_new (fx->services, fx->journal);
  octopus_upload_reader_reset_peak ();
}

static void
fixture_teardown (Fixture       *fx,
                  gconstpointer  data)
{
  if (fx->queue == NULL)
    return;
  g_assert_false (octopus_upload_queue_get_busy (fx->queue));
  g_assert_finalize_object (fx->queue);
  /* Every part buffer was released. */
  g_assert_cmpuint (octopus_upload_reader_get_bytes_alive (), ==, 0);
  octopus_test_services_teardown (&fx->svc, NULL);
  g_ptr_array_unref (fx->services);
  octopus_test_rm_rf (fx->tmpdir);
  g_free (fx->tmpdir);
  g_free (fx->journal);
}

/* ---- tests -------------------------------------------------------------------------------- */

static void
test_big_file_and_folder (Fixture       *fx,
                          gconstpointer  data)
{
  g_autofree char *big = NULL, *big_md5 = NULL, *folder = NULL;
  char *small_md5[200] = { NULL };
  OctopusTransfer *t;
  guint finished = 0;

  if (fx->queue == NULL)
    return;

  big = g_build_filename (fx->tmpdir, "big.bin", NULL);
  big_md5 = octopus_test_write_payload_file (big, 200 * MIB, 1);
  folder = g_build_filename (fx->tmpdir, "photos", NULL);
  for (guint i = 0; i < 200; i++)
    {
      g_autofree char *dir = g_build_filename (folder, (i % 2) ? "sub/deeper" : "top", NULL);
      g_autofree char *name = g_strdup_printf ("f%03u.dat", i);
      g_autofree char *path = g_build_filename (dir, name, NULL);

      g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
      small_md5[i] = octopus_test_write_payload_file (path, 1000 + i * 97, 100 + i);
    }

  g_assert_cmpuint (add_path (fx, big, "up"), ==, 1);
  g_assert_cmpuint (add_path (fx, folder, NULL), ==, 200);
  wait_settled (fx);

  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (fx->queue)), ==, 201);
  for (guint i = 0; i < 201; i++)
    {
      g_autoptr(OctopusTransfer) tr = g_list_model_get_item (G_LIST_MODEL (fx->queue), i);
      g_assert_cmpint (octopus_transfer_get_state (tr), ==, OCTOPUS_TRANSFER_STATE_DONE);
      g_assert_cmpfloat (octopus_transfer_get_fraction (tr), ==, 1.0);
      finished++;
    }
  g_assert_cmpuint (finished, ==, 201);

  t = find_transfer (fx, "up/big.bin");
  for (guint i = 0; i < N; i++)
    {
      OctopusUploadProgress *p = octopus_transfer_get_progress_for (t, names[i]);
      g_autoptr(GError) error = NULL;
      g_autoptr(OctopusS3Object) info = NULL;

      g_assert_cmpint (octopus_upload_progress_get_bytes_done (p), ==, 200 * MIB);
      assert_copy (fx, i, "up/big.bin", 200 * MIB, big_md5);
      info = octopus_test_head (fx->svc.clients[i], fx->svc.buckets[i], "up/big.bin", &error);
      g_assert_no_error (error);
      /* 200 MiB in 8 MiB parts: a 25-part multipart upload. */
      if (i != S3RVER)
        g_assert_true (g_str_has_suffix (info->etag, "-25"));
    }

  for (guint f = 0; f < 200; f++)
    {
      g_autofree char *key = g_strdup_printf ("photos/%s/f%03u.dat",
                                              (f % 2) ? "sub/deeper" : "top", f);
      for (guint i = 0; i < N; i++)
        {
          g_autoptr(GError) error = NULL;
          g_autoptr(OctopusS3Object) info = octopus_test_head (fx->svc.clients[i],
                                                               fx->svc.buckets[i], key, &error);
          g_autofree char *b64 = octopus_md5_hex_to_base64 (small_md5[f]);

          g_assert_no_error (error);
          g_assert_cmpint (info->size, ==, 1000 + f * 97);
          /* single PUT: the ETag is the MD5 of the content */
          g_assert_cmpstr (info->etag, ==, small_md5[f]);
          g_assert_cmpstr (g_hash_table_lookup (info->metadata, "md5chksum"), ==, b64);
        }
      if (f % 50 == 0)
        for (guint i = 0; i < N; i++)
          assert_copy (fx, i, key, 1000 + f * 97, small_md5[f]);
    }

  /* Memory: never more part data alive than the budget, and far below the file size. */
  g_assert_cmpuint (octopus_upload_reader_get_peak_bytes (), >, 0);
  g_assert_cmpuint (octopus_upload_reader_get_peak_bytes (), <=,
                    octopus_upload_queue_get_memory_budget (fx->queue));
  g_assert_cmpuint (octopus_upload_reader_get_peak_bytes (), <, 200 * MIB / 2);
  assert_no_open_uploads (fx);
  for (guint i = 0; i < 200; i++)
    g_free (small_md5[i]);
}

typedef struct {
  OctopusArray *array;
  guint         seen;    /* services shown transferring while the upload ran */
} Watch;

static void
on_state (OctopusTransfer *t,
          GParamSpec      *pspec,
          Watch           *w)
{
  OctopusObject *row;

  if (octopus_transfer_get_state (t) != OCTOPUS_TRANSFER_STATE_UPLOADING)
    return;
  row = octopus_object_table_lookup (octopus_array_get_table (w->array),
                                     octopus_transfer_get_key (t));
  g_assert_nonnull (row);
  for (guint i = 0; i < N; i++)
    if (octopus_object_get_transferring (row, i))
      w->seen++;
}

static void
test_empty_file (Fixture       *fx,
                 gconstpointer  data)
{
  g_autofree char *path = NULL;
  g_autoptr(GFile) file = NULL;
  g_autoptr(OctopusArray) array = NULL;
  OctopusTransfer *t;
  Watch w = { NULL, 0 };

  if (fx->queue == NULL)
    return;
  path = g_build_filename (fx->tmpdir, "empty", NULL);
  g_assert_true (g_file_set_contents (path, "", 0, NULL));
  /* The array's table shows the key "transferring" while it uploads, and not after. */
  array = octopus_array_new (fx->services);
  w.array = array;
  octopus_upload_queue_set_array (fx->queue, array);
  file = g_file_new_for_path (path);
  octopus_upload_queue_set_max_in_flight (fx->queue, 1);
  g_assert_false (octopus_upload_queue_has_unfinished (fx->queue));
  t = octopus_upload_queue_add_file (fx->queue, file, "empty");
  g_assert_true (octopus_upload_queue_has_unfinished (fx->queue));
  g_signal_connect (t, "notify::state", G_CALLBACK (on_state), &w);
  wait_settled (fx);
  g_assert_false (octopus_upload_queue_has_unfinished (fx->queue));
  g_assert_cmpuint (w.seen, ==, N);
  for (guint i = 0; i < N; i++)
    g_assert_false (octopus_object_get_transferring (
      octopus_object_table_lookup (octopus_array_get_table (array), "empty"), i));

  g_assert_cmpint (octopus_transfer_get_state (find_transfer (fx, "empty")), ==,
                   OCTOPUS_TRANSFER_STATE_DONE);
  for (guint i = 0; i < N; i++)
    assert_copy (fx, i, "empty", 0, "d41d8cd98f00b204e9800998ecf8427e");
}

/* A file in a dropped folder whose name is not UTF-8 cannot become an S3 key: it is that
 * file's failure, listed with why (not a log line), and the folder's other files go up. */
static void
test_unnamable_file (Fixture       *fx,
                     gconstpointer  data)
{
  g_autofree char *folder = NULL, *good = NULL, *bad = NULL, *good_md5 = NULL;
  OctopusTransfer *t;

  if (fx->queue == NULL)
    return;
  folder = g_build_filename (fx->tmpdir, "dropped", NULL);
  g_assert_cmpint (g_mkdir_with_parents (folder, 0700), ==, 0);
  good = g_build_filename (folder, "good.txt", NULL);
  good_md5 = octopus_test_write_payload_file (good, 1000, 7);
  bad = g_build_filename (folder, "bad\xff.txt", NULL);
  g_assert_true (g_file_set_contents (bad, "latin-1 name", -1, NULL));

  add_path (fx, folder, NULL);
  wait_settled (fx);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (fx->queue)), ==, 2);
  t = find_transfer (fx, "dropped/bad\xef\xbf\xbd.txt");
  g_assert_cmpint (octopus_transfer_get_state (t), ==, OCTOPUS_TRANSFER_STATE_FAILED);
  g_assert_error (octopus_transfer_get_error (t), G_IO_ERROR, G_IO_ERROR_INVALID_FILENAME);
  g_assert_nonnull (strstr (octopus_transfer_get_error (t)->message, "not valid UTF-8"));
  g_assert_cmpint (octopus_transfer_get_state (find_transfer (fx, "dropped/good.txt")), ==,
                   OCTOPUS_TRANSFER_STATE_DONE);
  for (guint i = 0; i < N; i++)
    assert_copy (fx, i, "dropped/good.txt", 1000, good_md5);
}

typedef struct {
  const char *path;
  gboolean    delete;
  gboolean    done;
} Sabotage;

/* On the first acknowledged part anywhere, change or delete the file. */
static void
on_first_ack (OctopusUploadProgress *p,
              GParamSpec            *pspec,
              Sabotage              *s)
{
  if (s->done || octopus_upload_progress_get_bytes_done (p) == 0)
    return;
  s->done = TRUE;
  if (s->delete)
    g_assert_cmpint (g_unlink (s->path), ==, 0);
  else
    {
      FILE *f = fopen (s->path, "ab");
      g_assert_nonnull (f);
      fputs ("more", f);
      fclose (f);
    }
}

static void
test_file_changes (Fixture       *fx,
                   gconstpointer  data)
{
  gboolean delete = GPOINTER_TO_INT (data) == 2;
  g_autofree char *path = NULL, *md5 = NULL;
  g_autoptr(GFile) file = NULL;
  Sabotage s = { NULL, delete, FALSE };
  OctopusTransfer *t;

  if (fx->queue == NULL)
    return;
  path = g_build_filename (fx->tmpdir, "changing.bin", NULL);
  md5 = octopus_test_write_payload_file (path, 40 * MIB, 7);
  s.path = path;
  /* One part in the window at a time: the change (at the first answer) lands while the
   * file is still being read. */
  octopus_upload_queue_set_parts_in_flight (fx->queue, 1);
  octopus_upload_queue_set_part_size (fx->queue, 5 * MIB);
  file = g_file_new_for_path (path);
  t = octopus_upload_queue_add_file (fx->queue, file, "changing.bin");
  for (guint i = 0; i < N; i++)
    g_signal_connect (octopus_transfer_get_progress_for (t, names[i]), "notify::bytes-done",
                      G_CALLBACK (on_first_ack), &s);
  wait_settled (fx);

  g_assert_true (s.done);
  g_assert_cmpint (octopus_transfer_get_state (t), ==, OCTOPUS_TRANSFER_STATE_FAILED);
  g_assert_nonnull (octopus_transfer_get_error (t));
  g_assert_nonnull (strstr (octopus_transfer_get_error (t)->message,
                            delete ? "disappeared" : "changed"));
  for (guint i = 0; i < N; i++)
    {
      g_assert_cmpint (service_state (t, i), ==, OCTOPUS_UPLOAD_STATE_FAILED);
      assert_absent (fx, i, "changing.bin");
    }
  assert_no_open_uploads (fx);
}

static void
test_dead_service (Fixture       *fx,
                   gconstpointer  data)
{
  g_autofree char *big = NULL, *big_md5 = NULL, *small = NULL, *small_md5 = NULL;

  if (fx->queue == NULL)
    return;
  big = g_build_filename (fx->tmpdir, "big", NULL);
  big_md5 = octopus_test_write_payload_file (big, 24 * MIB, 3);
  small = g_build_filename (fx->tmpdir, "small", NULL);
  small_md5 = octopus_test_write_payload_file (small, 3000, 4);
  add_path (fx, big, NULL);
  add_path (fx, small, NULL);
  wait_settled (fx);

  for (guint k = 0; k < 2; k++)
    {
      const char *key = k == 0 ? "big" : "small";
      OctopusTransfer *t = find_transfer (fx, key);
      OctopusUploadProgress *dead = octopus_transfer_get_progress_for (t, names[SWIFT_B]);

      g_assert_cmpint (octopus_transfer_get_state (t), ==, OCTOPUS_TRANSFER_STATE_PARTIAL);
      g_assert_cmpint (octopus_upload_progress_get_state (dead), ==, OCTOPUS_UPLOAD_STATE_FAILED);
      g_assert_nonnull (octopus_upload_progress_get_error (dead));
      g_assert_cmpfloat (octopus_upload_progress_get_fraction (dead), <, 1.0);
      /* What the window tells the user: the service that failed, named once, and why. */
      {
        g_autofree char *why = octopus_transfer_dup_failure (t);

        g_assert_true (g_str_has_prefix (why, "swift-b: "));
        g_assert_null (strstr (why, "swift-b: swift-b:"));
        g_assert_null (strstr (why, names[S3RVER]));
      }
      g_assert_cmpint (service_state (t, S3RVER), ==, OCTOPUS_UPLOAD_STATE_DONE);
      g_assert_cmpint (service_state (t, SWIFT_A), ==, OCTOPUS_UPLOAD_STATE_DONE);
      assert_copy (fx, S3RVER, key, k == 0 ? 24 * MIB : 3000, k == 0 ? big_md5 : small_md5);
      assert_copy (fx, SWIFT_A, key, k == 0 ? 24 * MIB : 3000, k == 0 ? big_md5 : small_md5);
    }
  /* The array learned that the service is unreachable. */
  g_assert_false (octopus_service_get_reachable (fx->services->pdata[SWIFT_B]));
}

/* swift-b cannot be used (no secret): every file is failed for it at once, with its own
 * reason (not a network error), nothing is sent to it, and the others get every file. */
static void
test_unusable_service (Fixture       *fx,
                       gconstpointer  data)
{
  g_autofree char *big = NULL, *big_md5 = NULL, *small = NULL, *small_md5 = NULL;

  if (fx->queue == NULL)
    return;
  octopus_upload_queue_set_part_size (fx->queue, 5 * MIB);
  octopus_upload_queue_set_multipart_threshold (fx->queue, 6 * MIB);
  big = g_build_filename (fx->tmpdir, "big", NULL);
  big_md5 = octopus_test_write_payload_file (big, 11 * MIB, 5);
  small = g_build_filename (fx->tmpdir, "small", NULL);
  small_md5 = octopus_test_write_payload_file (small, 3000, 6);
  add_path (fx, big, NULL);
  add_path (fx, small, NULL);
  wait_settled (fx);

  for (guint k = 0; k < 2; k++)
    {
      const char *key = k == 0 ? "big" : "small";
      OctopusTransfer *t = find_transfer (fx, key);
      OctopusUploadProgress *p = octopus_transfer_get_progress_for (t, names[SWIFT_B]);

      g_assert_cmpint (octopus_transfer_get_state (t), ==, OCTOPUS_TRANSFER_STATE_PARTIAL);
      g_assert_cmpint (octopus_upload_progress_get_state (p), ==, OCTOPUS_UPLOAD_STATE_FAILED);
      g_assert_error (octopus_upload_progress_get_error (p), G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
      g_assert_cmpstr (octopus_upload_progress_get_error (p)->message, ==,
                       "No secret key for swift-b in the keyring");
      {
        g_autofree char *why = octopus_transfer_dup_failure (t);

        g_assert_cmpstr (why, ==, "swift-b: No secret key for swift-b in the keyring");
      }
      g_assert_cmpint (service_state (t, S3RVER), ==, OCTOPUS_UPLOAD_STATE_DONE);
      g_assert_cmpint (service_state (t, SWIFT_A), ==, OCTOPUS_UPLOAD_STATE_DONE);
      assert_copy (fx, S3RVER, key, k == 0 ? 11 * MIB : 3000, k == 0 ? big_md5 : small_md5);
      assert_copy (fx, SWIFT_A, key, k == 0 ? 11 * MIB : 3000, k == 0 ? big_md5 : small_md5);
    }
  g_assert_cmpint (octopus_upload_queue_get_bytes_sent (fx->queue, names[SWIFT_B]), ==, 0);
  /* Still unusable for the same reason, not turned into a network error. */
  g_assert_error (octopus_service_get_last_error (fx->services->pdata[SWIFT_B]),
                  G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
}

static void
on_first_ack_cancel (OctopusUploadProgress *p,
                     GParamSpec            *pspec,
                     OctopusUploadQueue    *queue)
{
  if (octopus_upload_progress_get_bytes_done (p) > 0)
    octopus_upload_queue_cancel_all (queue);
}

static void
test_cancel (Fixture       *fx,
             gconstpointer  data)
{
  g_autofree char *path = NULL, *md5 = NULL, *other = NULL;
  g_autoptr(GFile) file = NULL, other_file = NULL;
  OctopusTransfer *t, *queued;

  if (fx->queue == NULL)
    return;
  path = g_build_filename (fx->tmpdir, "cancel.bin", NULL);
  md5 = octopus_test_write_payload_file (path, 48 * MIB, 9);
  other = g_build_filename (fx->tmpdir, "later.bin", NULL);
  g_free (octopus_test_write_payload_file (other, 1000, 10));
  file = g_file_new_for_path (path);
  other_file = g_file_new_for_path (other);
  octopus_upload_queue_set_max_in_flight (fx->queue, 1);
  octopus_upload_queue_set_parts_in_flight (fx->queue, 2);
  t = octopus_upload_queue_add_file (fx->queue, file, "cancel.bin");
  queued = octopus_upload_queue_add_file (fx->queue, other_file, "later.bin");
  g_assert_cmpint (octopus_transfer_get_state (queued), ==, OCTOPUS_TRANSFER_STATE_QUEUED);
  /* At the first part any service acknowledged: services move at their own pace, so a fast
   * one could otherwise hold the whole file before a slower one's first answer. */
  for (guint i = 0; i < N; i++)
    g_signal_connect (octopus_transfer_get_progress_for (t, names[i]), "notify::bytes-done",
                      G_CALLBACK (on_first_ack_cancel), fx->queue);
  wait_settled (fx);

  g_assert_cmpint (octopus_transfer_get_state (t), ==, OCTOPUS_TRANSFER_STATE_CANCELLED);
  g_assert_cmpint (octopus_transfer_get_state (queued), ==, OCTOPUS_TRANSFER_STATE_CANCELLED);
  for (guint i = 0; i < N; i++)
    {
      g_assert_cmpint (service_state (t, i), ==, OCTOPUS_UPLOAD_STATE_CANCELLED);
      assert_absent (fx, i, "cancel.bin");
      assert_absent (fx, i, "later.bin");
    }
  assert_no_open_uploads (fx);
}

/* ---- persistence across restarts ---------------------------------------------------------- */

#define N_SMALL 6

typedef struct {
  char *path;
  char *key;
  char *md5;
  gsize size;
} Source;

static void
source_clear (Source *src)
{
  g_free (src->path);
  g_free (src->key);
  g_free (src->md5);
}

static void
make_source (Fixture    *fx,
             Source     *src,
             const char *key,
             gsize       size,
             guint32     seed)
{
  src->key = g_strdup (key);
  src->path = g_build_filename (fx->tmpdir, key, NULL);
  src->size = size;
  src->md5 = octopus_test_write_payload_file (src->path, size, seed);
}

/* Journal files on disk (the queue that wrote them must be gone, so they are flushed). */
static guint
journal_files (Fixture *fx)
{
  g_autoptr(GDir) dir = g_dir_open (fx->journal, 0, NULL);
  guint n = 0;
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    if (g_str_has_suffix (name, ".json"))
      n++;
  return n;
}

/* Quit: drop the queue.  It must really go away (no job keeps it), and its uploads must stop;
 * returns when every transfer it made is gone too (their jobs have wound down). */
static void
drop_queue (Fixture *fx)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (fx->queue));
  g_autofree gpointer *alive = g_new0 (gpointer, n);
  gboolean any = TRUE;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(OctopusTransfer) t = g_list_model_get_item (G_LIST_MODEL (fx->queue), i);
      g_set_weak_pointer (&alive[i], t);
    }
  g_assert_finalize_object (g_steal_pointer (&fx->queue));
  while (any)
    {
      any = FALSE;
      for (guint i = 0; i < n; i++)
        any = any || alive[i] != NULL;
      if (any)
        g_main_context_iteration (NULL, TRUE);
    }
}

/* The next start: a new queue on the same journal resumes; → the number resumed. */
static guint
next_start (Fixture *fx)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  guint n;

  fx->queue = octopus_upload_queue_new (fx->services, fx->journal);
  /* The settings of the run that queued the files (both persistence tests use these). */
  octopus_upload_queue_set_part_size (fx->queue, 5 * MIB);
  octopus_upload_queue_set_multipart_threshold (fx->queue, 6 * MIB);
  octopus_upload_queue_resume_async (fx->queue, NULL, octopus_test_result_cb, NULL);
  result = octopus_test_wait_result ();
  n = octopus_upload_queue_resume_finish (fx->queue, result, &error);
  g_assert_no_error (error);
  return n;
}

/* Settles, drops the queue (so the journal is flushed), checks the journal is empty, and
 * leaves an idle queue for the teardown. */
static void
assert_journal_empty_after (Fixture *fx)
{
  wait_settled (fx);
  g_assert_finalize_object (g_steal_pointer (&fx->queue));
  g_assert_cmpuint (journal_files (fx), ==, 0);
  fx->queue = octopus_upload_queue_new (fx->services, fx->journal);
}

static void
on_big_ack (OctopusUploadProgress *p,
            GParamSpec            *pspec,
            gboolean              *quit)
{
  if (octopus_upload_progress_get_bytes_done (p) > 0)
    *quit = TRUE;
}

static void
assert_resumed_failed_gone (OctopusTransfer *t)
{
  g_assert_cmpint (octopus_transfer_get_state (t), ==, OCTOPUS_TRANSFER_STATE_FAILED);
  g_assert_nonnull (octopus_transfer_get_error (t));
  g_assert_nonnull (strstr (octopus_transfer_get_error (t)->message,
                            "removed after it was queued"));
}

/* One file at a time; quit while the multipart file is half-way, with two small files done
 * and the rest never started.  Meanwhile one queued file is deleted and one is edited.  The
 * next start finishes the queue: everything on every service, nothing sent twice that a
 * service already held. */
static void
test_resume_after_quit (Fixture       *fx,
                        gconstpointer  data)
{
  Source small[N_SMALL] = { { 0 } }, big = { 0 };
  g_autofree char *edited_md5 = NULL, *edited = NULL;
  gboolean quit = FALSE;
  guint resumed;
  OctopusTransfer *t;
  FILE *f;

  if (fx->queue == NULL)
    return;
  for (guint i = 0; i < N_SMALL; i++)
    {
      g_autofree char *key = g_strdup_printf ("s%u.dat", i);
      make_source (fx, &small[i], key, 2000 + i * 333, 40 + i);
    }
  make_source (fx, &big, "big.bin", 12 * MIB, 50);

  octopus_upload_queue_set_max_in_flight (fx->queue, 1);
  octopus_upload_queue_set_part_size (fx->queue, 5 * MIB);
  octopus_upload_queue_set_parts_in_flight (fx->queue, 1);
  octopus_upload_queue_set_multipart_threshold (fx->queue, 6 * MIB);
  for (guint i = 0; i < N_SMALL; i++)
    {
      g_autoptr(GFile) file = g_file_new_for_path (small[i].path);

      if (i == 2)
        {
          g_autoptr(GFile) big_file = g_file_new_for_path (big.path);
          t = octopus_upload_queue_add_file (fx->queue, big_file, big.key);
          g_signal_connect (octopus_transfer_get_progress_for (t, names[SWIFT_A]),
                            "notify::bytes-done", G_CALLBACK (on_big_ack), &quit);
        }
      octopus_upload_queue_add_file (fx->queue, file, small[i].key);
    }
  octopus_test_wait_until (&quit);
  g_assert_cmpint (octopus_transfer_get_state (find_transfer (fx, "s0.dat")), ==,
                   OCTOPUS_TRANSFER_STATE_DONE);
  g_assert_cmpint (octopus_transfer_get_state (find_transfer (fx, "s1.dat")), ==,
                   OCTOPUS_TRANSFER_STATE_DONE);
  g_assert_cmpint (octopus_transfer_get_state (find_transfer (fx, "s3.dat")), ==,
                   OCTOPUS_TRANSFER_STATE_QUEUED);
  drop_queue (fx);
  /* Quit aborted nothing and forgot nothing: the big file and four never started. */
  g_assert_cmpuint (journal_files (fx), ==, N_SMALL - 2 + 1);

  /* While Octopus is not running, the user deletes one queued file and edits another. */
  g_assert_cmpint (g_unlink (small[3].path), ==, 0);
  f = fopen (small[4].path, "ab");
  g_assert_nonnull (f);
  fputs ("edited later", f);
  fclose (f);
  g_assert_true (g_file_get_contents (small[4].path, &edited, &small[4].size, NULL));
  edited_md5 = g_compute_checksum_for_data (G_CHECKSUM_MD5, (guchar *) edited, small[4].size);

  resumed = next_start (fx);
  g_assert_cmpuint (resumed, ==, N_SMALL - 2 + 1);
  wait_settled (fx);
  /* Only what was unfinished came back. */
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (fx->queue)), ==, resumed);

  assert_resumed_failed_gone (find_transfer (fx, "s3.dat"));
  t = find_transfer (fx, "s4.dat");
  g_assert_cmpint (octopus_transfer_get_state (t), ==, OCTOPUS_TRANSFER_STATE_DONE);
  g_assert_nonnull (octopus_transfer_get_notice (t));
  g_assert_nonnull (strstr (octopus_transfer_get_notice (t), "changed since it was queued"));
  t = find_transfer (fx, "big.bin");
  g_assert_cmpint (octopus_transfer_get_state (t), ==, OCTOPUS_TRANSFER_STATE_DONE);
  g_assert_null (octopus_transfer_get_notice (t));
  /* Swift lists the parts it holds: the part acknowledged before the quit is not sent again. */
  g_assert_cmpint (octopus_upload_progress_get_bytes_sent (
                     octopus_transfer_get_progress_for (t, names[SWIFT_A])),
                   <=, 12 * MIB - 5 * MIB);
  for (guint i = 0; i < N; i++)
    {
      assert_copy (fx, i, big.key, big.size, big.md5);
      for (guint k = 0; k < N_SMALL; k++)
        if (k == 3)
          assert_absent (fx, i, small[k].key);
        else
          assert_copy (fx, i, small[k].key, small[k].size, k == 4 ? edited_md5 : small[k].md5);
    }
  assert_no_open_uploads (fx);
  assert_journal_empty_after (fx);

  for (guint i = 0; i < N_SMALL; i++)
    source_clear (&small[i]);
  source_clear (&big);
}

/* swift-b is down: the files end partial and stay journaled for it.  The next start (swift-b
 * back) sends them to swift-b only; a file deleted meanwhile is reported failed. */
static void
test_resume_unreachable (Fixture       *fx,
                         gconstpointer  data)
{
  Source src[N_SMALL + 1] = { { 0 } };
  g_autoptr(GPtrArray) services = NULL;

  if (fx->queue == NULL)
    return;
  for (guint i = 0; i < N_SMALL; i++)
    {
      g_autofree char *key = g_strdup_printf ("u%u.dat", i);
      make_source (fx, &src[i], key, 1500 + i * 777, 60 + i);
    }
  make_source (fx, &src[N_SMALL], "u-big.bin", 11 * MIB, 70);
  octopus_upload_queue_set_part_size (fx->queue, 5 * MIB);
  octopus_upload_queue_set_multipart_threshold (fx->queue, 6 * MIB);
  for (guint i = 0; i <= N_SMALL; i++)
    {
      g_autoptr(GFile) file = g_file_new_for_path (src[i].path);
      octopus_upload_queue_add_file (fx->queue, file, src[i].key);
    }
  wait_settled (fx);
  for (guint i = 0; i <= N_SMALL; i++)
    {
      OctopusTransfer *t = find_transfer (fx, src[i].key);

      g_assert_cmpint (octopus_transfer_get_state (t), ==, OCTOPUS_TRANSFER_STATE_PARTIAL);
      g_assert_cmpint (service_state (t, SWIFT_B), ==, OCTOPUS_UPLOAD_STATE_FAILED);
    }
  drop_queue (fx);
  g_assert_cmpuint (journal_files (fx), ==, N_SMALL + 1);
  g_assert_cmpint (g_unlink (src[1].path), ==, 0);

  /* The next start: swift-b reachable again (same name, same bucket). */
  services = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < N; i++)
    g_ptr_array_add (services,
                     octopus_service_new (names[i], fx->svc.clients[i], fx->svc.buckets[i]));
  g_ptr_array_unref (fx->services);
  fx->services = g_steal_pointer (&services);

  g_assert_cmpuint (next_start (fx), ==, N_SMALL + 1);
  wait_settled (fx);
  assert_resumed_failed_gone (find_transfer (fx, src[1].key));
  for (guint i = 0; i <= N_SMALL; i++)
    {
      if (i == 1)
        continue;
      g_assert_cmpint (octopus_transfer_get_state (find_transfer (fx, src[i].key)), ==,
                       OCTOPUS_TRANSFER_STATE_DONE);
      for (guint s = 0; s < N; s++)
        assert_copy (fx, s, src[i].key, src[i].size, src[i].md5);
    }
  /* Cheap: the services that had the files were sent nothing. */
  g_assert_cmpint (octopus_upload_queue_get_bytes_sent (fx->queue, names[S3RVER]), ==, 0);
  g_assert_cmpint (octopus_upload_queue_get_bytes_sent (fx->queue, names[SWIFT_A]), ==, 0);
  g_assert_cmpint (octopus_upload_queue_get_bytes_sent (fx->queue, names[SWIFT_B]), >=, 11 * MIB);
  assert_absent (fx, SWIFT_B, src[1].key);
  assert_no_open_uploads (fx);
  assert_journal_empty_after (fx);

  for (guint i = 0; i <= N_SMALL; i++)
    source_clear (&src[i]);
}

static void
test_part_size (void)
{
  /* ≥ 5 MiB, the configured size, and never more than 10,000 parts. */
  g_assert_cmpuint (octopus_upload_part_size_for (100 * MIB, 1 * MIB), ==, 5 * MIB);
  g_assert_cmpuint (octopus_upload_part_size_for (100 * MIB, 8 * MIB), ==, 8 * MIB);
  g_assert_cmpuint (octopus_upload_part_size_for ((goffset) 200 * 1024 * MIB, 8 * MIB), ==,
                    21 * MIB);
  g_assert_cmpuint ((goffset) 200 * 1024 * MIB
                    / octopus_upload_part_size_for ((goffset) 200 * 1024 * MIB, 8 * MIB),
                    <=, 10000);
}

/* ---- files in flight ---------------------------------------------------------------------- */

typedef struct {
  guint large_active;      /* large files preparing or uploading now */
  guint max_large_active;
  guint max_active;
  guint active;
} InFlight;

static gboolean
is_active (OctopusTransferState state)
{
  return state == OCTOPUS_TRANSFER_STATE_PREPARING || state == OCTOPUS_TRANSFER_STATE_UPLOADING;
}

static void
in_flight_state_cb (OctopusTransfer *t,
                    GParamSpec      *pspec,
                    InFlight        *f)
{
  gboolean was = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (t), "active"));
  gboolean now = is_active (octopus_transfer_get_state (t));
  gboolean large = octopus_transfer_get_size (t) > MIB;

  if (was == now)
    return;
  g_object_set_data (G_OBJECT (t), "active", GINT_TO_POINTER (now));
  f->active += now ? 1 : -1;
  if (large)
    f->large_active += now ? 1 : -1;
  f->max_active = MAX (f->max_active, f->active);
  f->max_large_active = MAX (f->max_large_active, f->large_active);
}

static void
in_flight_items_cb (GListModel *queue,
                    guint       position,
                    guint       removed,
                    guint       added,
                    InFlight   *f)
{
  for (guint i = position; i < position + added; i++)
    {
      g_autoptr(OctopusTransfer) t = g_list_model_get_item (queue, i);
      g_signal_connect (t, "notify::state", G_CALLBACK (in_flight_state_cb), f);
    }
}

/* Eight files in flight: the small files go eight at a time, but never more than two large
 * files at once (each holds parts_in_flight parts), and every copy is right. */
static void
test_large_files_wait (Fixture       *fx,
                       gconstpointer  data)
{
  g_autofree char *folder = NULL;
  char *md5[12] = { NULL };
  InFlight f = { 0 };

  if (fx->queue == NULL)
    return;
  folder = g_build_filename (fx->tmpdir, "mixed", NULL);
  g_assert_cmpint (g_mkdir (folder, 0700), ==, 0);
  for (guint i = 0; i < G_N_ELEMENTS (md5); i++)
    {
      /* Names sort the four large files first: they reach the head of the queue first. */
      g_autofree char *name = g_strdup_printf (i < 4 ? "a-large-%u.bin" : "b-small-%u.bin", i);
      g_autofree char *path = g_build_filename (folder, name, NULL);

      md5[i] = octopus_test_write_payload_file (path, i < 4 ? 3 * MIB : 2000 + i, 300 + i);
    }
  octopus_upload_queue_set_max_in_flight (fx->queue, 8);
  g_signal_connect (fx->queue, "items-changed", G_CALLBACK (in_flight_items_cb), &f);
  g_assert_cmpuint (add_path (fx, folder, NULL), ==, G_N_ELEMENTS (md5));
  wait_settled (fx);
  g_signal_handlers_disconnect_by_data (fx->queue, &f);

  g_assert_cmpuint (f.max_large_active, ==, 2);
  g_assert_cmpuint (f.max_active, >, 2);
  for (guint i = 0; i < G_N_ELEMENTS (md5); i++)
    {
      g_autofree char *key = g_strdup_printf (i < 4 ? "mixed/a-large-%u.bin"
                                                    : "mixed/b-small-%u.bin", i);

      for (guint s = 0; s < N; s++)
        assert_copy (fx, s, key, i < 4 ? 3 * MIB : 2000 + i, md5[i]);
      g_free (md5[i]);
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/upload/part-size", test_part_size);
#define ADD(path, fn, data) \
  g_test_add ("/upload/" path, Fixture, GINT_TO_POINTER (data), fixture_setup, fn, fixture_teardown)
  ADD ("big-file-and-folder", test_big_file_and_folder, 0);
  ADD ("empty-file", test_empty_file, 0);
  ADD ("unnamable-file", test_unnamable_file, 0);
  ADD ("file-changes", test_file_changes, 0);
  ADD ("file-disappears", test_file_changes, 2);
  ADD ("dead-service", test_dead_service, 1);
  ADD ("unusable-service", test_unusable_service, 3);
  ADD ("cancel", test_cancel, 0);
  ADD ("resume-after-quit", test_resume_after_quit, 0);
  ADD ("resume-unreachable", test_resume_unreachable, 1);
  ADD ("large-files-wait", test_large_files_wait, 0);
#undef ADD
  return g_test_run ();
}
