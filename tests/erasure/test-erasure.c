/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-erasure.c — the erasure-coded archive format (issue 20): round trips at the segment
 * edges, any k of k+m archives, a flipped byte found and routed around, fewer than k refused
 * with no output, a lost archive rebuilt byte for byte, a damaged trailer refused. */
#include "config.h"

#include <string.h>
#include <glib/gstdio.h>

#include "octopus-erasure-files.h"
#include "octopus-erasure-reader.h"
#include "octopus-erasure-writer.h"

#define SEG OCTOPUS_ERASURE_SEGMENT_SIZE
#define MAXF OCTOPUS_ERASURE_MAX_FRAGMENTS

typedef struct {
  guint k;
  guint m;
  GBytes *original;
  GBytes *archives[MAXF];
} Set;

static GBytes *
make_data (gsize len, guint32 seed)
{
  guint8 *p = g_malloc (len + 1);

  for (gsize i = 0; i < len; i++)
    {
      seed = seed * 1103515245u + 12345u;
      p[i] = (guint8) (seed >> 16);
    }
  return g_bytes_new_take (p, len);
}

static void
set_clear (Set *set)
{
  g_clear_pointer (&set->original, g_bytes_unref);
  for (guint i = 0; i < MAXF; i++)
    g_clear_pointer (&set->archives[i], g_bytes_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Set, set_clear)

static void
append_fragments (OctopusErasureWriter *w, GByteArray **out)
{
  g_autoptr(GPtrArray) fragments = octopus_erasure_writer_take_fragments (w);

  for (guint i = 0; fragments != NULL && i < fragments->len; i++)
    g_byte_array_append (out[i], g_bytes_get_data (fragments->pdata[i], NULL),
                         g_bytes_get_size (fragments->pdata[i]));
}

/* Encodes @len bytes, fed in odd-sized chunks, into set->archives. */
static void
encode (Set *set, guint k, guint m, gsize len)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(OctopusErasureWriter) w = octopus_erasure_writer_new (k, m, &error);
  GByteArray *out[MAXF];
  const guint8 *data;
  gsize done = 0;

  g_assert_no_error (error);
  set->k = k;
  set->m = m;
  set->original = make_data (len, (guint32) len ^ (k << 8) ^ m);
  data = g_bytes_get_data (set->original, NULL);
  for (guint i = 0; i < k + m; i++)
    out[i] = g_byte_array_new ();
  while (done < len)
    {
      gsize consumed = 0;

      g_assert_true (octopus_erasure_writer_write (w, data + done, MIN (77777, len - done),
                                                   &consumed, &error));
      g_assert_no_error (error);
      append_fragments (w, out);
      done += consumed;
    }
  g_assert_true (octopus_erasure_writer_finish (w, &error));
  g_assert_no_error (error);
  append_fragments (w, out);
  for (guint i = 0; i < k + m; i++)
    {
      g_autoptr(GBytes) trailer = octopus_erasure_writer_dup_trailer (w, i);

      g_byte_array_append (out[i], g_bytes_get_data (trailer, NULL), g_bytes_get_size (trailer));
      set->archives[i] = g_byte_array_free_to_bytes (out[i]);
    }
}

/* Feeds archive @index its part of the current segment in 1000-byte chunks. */
static void
feed_one (OctopusErasureReader *r, GBytes *archive, guint index)
{
  const guint8 *data = g_bytes_get_data (archive, NULL);
  gsize wants;

  while ((wants = octopus_erasure_reader_wants (r, index)) > 0)
    {
      gsize pos = octopus_erasure_reader_get_offset (r)
                  + octopus_erasure_reader_get_fragment_size (r) - wants;
      gsize consumed = 0;
      g_autoptr(GError) error = NULL;

      if (!octopus_erasure_reader_feed (r, index, data + pos, MIN (wants, 1000), &consumed,
                                        &error))
        {
          g_assert_error (error, OCTOPUS_ERASURE_ERROR, OCTOPUS_ERASURE_ERROR_BAD_FRAGMENT);
          return;
        }
      g_assert_cmpuint (consumed, >, 0);
    }
}

/* Decodes (target == G_MAXUINT) or rebuilds from the archives whose bit is in @use, trailer
 * taken from the first of them; feeds archives in index order until k fragments are good. */
static GBytes *
run (Set *set, guint32 use, guint target, guint32 *damaged, GError **error)
{
  OctopusErasureTrailer t;
  g_autoptr(OctopusErasureReader) r = NULL;
  g_autoptr(GByteArray) out = g_byte_array_new ();
  g_autoptr(GBytes) trailer = NULL;
  guint first = (guint) g_bit_nth_lsf (use, -1);
  gsize len;
  const guint8 *a = g_bytes_get_data (set->archives[first], &len);

  if (!octopus_erasure_trailer_parse (a, len, &t, error))
    return NULL;
  r = target == G_MAXUINT ? octopus_erasure_reader_new (&t, error)
                          : octopus_erasure_reader_new_rebuild (&t, target, error);
  g_assert_nonnull (r);
  while (octopus_erasure_reader_get_segment (r) < octopus_erasure_reader_get_n_segments (r))
    {
      g_autoptr(GBytes) bytes = NULL;

      for (guint i = 0; i < set->k + set->m && octopus_erasure_reader_n_ready (r) < set->k; i++)
        if (use & (1u << i))
          feed_one (r, set->archives[i], i);
      bytes = octopus_erasure_reader_next (r, error);
      if (bytes == NULL)
        return NULL;
      g_byte_array_append (out, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
    }
  if (!octopus_erasure_reader_finish (r, &trailer, error))
    return NULL;
  if (trailer != NULL)
    g_byte_array_append (out, g_bytes_get_data (trailer, NULL), g_bytes_get_size (trailer));
  if (damaged != NULL)
    *damaged = octopus_erasure_reader_get_damaged (r);
  return g_byte_array_free_to_bytes (g_steal_pointer (&out));
}

static void
assert_decodes (Set *set, guint32 use)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) out = run (set, use, G_MAXUINT, NULL, &error);

  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (out, set->original));
}

static void
test_backend (void)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (octopus_erasure_backend_available (&error));
  g_assert_no_error (error);
}

static void
test_bad_scheme (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(OctopusErasureCoder) c = octopus_erasure_coder_new (30, 3, &error);

  g_assert_null (c);
  g_assert_error (error, OCTOPUS_ERASURE_ERROR, OCTOPUS_ERASURE_ERROR_INVALID_ARGUMENT);
}

/* Every size at a segment edge, both schemes, every subset of exactly k archives. */
static void
test_round_trip (void)
{
  const gsize sizes[] = { 0, 1, SEG - 1, SEG, SEG + 1, 3 * SEG + SEG / 2 };
  const guint schemes[][2] = { { 2, 1 }, { 3, 2 } };

  for (guint s = 0; s < G_N_ELEMENTS (schemes); s++)
    for (guint z = 0; z < G_N_ELEMENTS (sizes); z++)
      {
        g_auto(Set) set = { 0 };
        guint n;

        encode (&set, schemes[s][0], schemes[s][1], sizes[z]);
        n = set.k + set.m;
        for (guint i = 0; i < n; i++)
          g_assert_cmpuint (g_bytes_get_size (set.archives[i]), ==,
                            octopus_erasure_data_length (set.k, sizes[z], SEG)
                            + OCTOPUS_ERASURE_TRAILER_SIZE);
        for (guint32 use = 1; use < (1u << n); use++)
          if ((guint) __builtin_popcount (use) == set.k)
            assert_decodes (&set, use);
      }
}

static GBytes *
flip (GBytes *archive, gsize at)
{
  gsize len;
  guint8 *p = g_bytes_unref_to_data (g_bytes_ref (archive), &len);

  g_assert_cmpuint (at, <, len);
  p[at] ^= 0x01;
  return g_bytes_new_take (p, len);
}

/* A flipped byte anywhere in a fragment (payload, header field, padding) is found; the
 * archive is dropped from that segment on and a spare archive carries the decode. */
static void
test_flipped_byte (void)
{
  const gsize frag = octopus_erasure_fragment_size (3, SEG);
  const gsize where[] = { 2 * frag + 80 + 12345, 2 * frag + 4, 2 * frag + 75, 0 };

  for (guint w = 0; w < G_N_ELEMENTS (where); w++)
    {
      g_auto(Set) set = { 0 };
      g_autoptr(GError) error = NULL;
      g_autoptr(GBytes) out = NULL;
      guint32 damaged = 0;
      GBytes *bad;

      encode (&set, 3, 2, 3 * SEG + SEG / 2);
      bad = flip (set.archives[1], where[w]);
      g_bytes_unref (set.archives[1]);
      set.archives[1] = bad;
      out = run (&set, 0x1f, G_MAXUINT, &damaged, &error);
      g_assert_no_error (error);
      g_assert_true (g_bytes_equal (out, set.original));
      g_assert_cmphex (damaged, ==, 1u << 1);
    }
}

static void
test_not_enough (void)
{
  g_auto(Set) set = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) out = NULL;
  GBytes *bad;

  encode (&set, 3, 2, 2 * SEG + 5);
  out = run (&set, 0x3, G_MAXUINT, NULL, &error);
  g_assert_null (out);
  g_assert_error (error, OCTOPUS_ERASURE_ERROR, OCTOPUS_ERASURE_ERROR_NOT_ENOUGH);
  g_clear_error (&error);

  /* Three archives, one with a damaged fragment: two good ones are not enough. */
  bad = flip (set.archives[0], 200);
  g_bytes_unref (set.archives[0]);
  set.archives[0] = bad;
  out = run (&set, 0x7, G_MAXUINT, NULL, &error);
  g_assert_null (out);
  g_assert_error (error, OCTOPUS_ERASURE_ERROR, OCTOPUS_ERASURE_ERROR_NOT_ENOUGH);
}

static void
test_rebuild (void)
{
  g_auto(Set) set = { 0 };

  encode (&set, 3, 2, 3 * SEG + SEG / 2);
  for (guint target = 0; target < 5; target++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GBytes) out = run (&set, 0x1f & ~(1u << target), target, NULL, &error);

      g_assert_no_error (error);
      g_assert_true (g_bytes_equal (out, set.archives[target]));
    }
}

static void
test_trailer_damaged (void)
{
  g_auto(Set) set = { 0 };
  g_autoptr(GError) error = NULL;
  OctopusErasureTrailer t;
  gsize len;
  const guint8 *a;
  g_autoptr(GBytes) bad = NULL;

  encode (&set, 2, 1, SEG + 1);
  len = g_bytes_get_size (set.archives[0]);
  for (gsize at = len - OCTOPUS_ERASURE_TRAILER_SIZE; at < len; at += 37)
    {
      g_clear_pointer (&bad, g_bytes_unref);
      bad = flip (set.archives[0], at);
      a = g_bytes_get_data (bad, NULL);
      g_assert_false (octopus_erasure_trailer_parse (a, len, &t, &error));
      g_assert_error (error, OCTOPUS_ERASURE_ERROR, OCTOPUS_ERASURE_ERROR_BAD_TRAILER);
      g_assert_nonnull (strstr (error->message, "trailer"));
      g_clear_error (&error);
    }
  a = g_bytes_get_data (set.archives[0], NULL);
  g_assert_false (octopus_erasure_trailer_parse (a + len - 100, 100, &t, &error));
  g_assert_error (error, OCTOPUS_ERASURE_ERROR, OCTOPUS_ERASURE_ERROR_BAD_TRAILER);
  g_clear_error (&error);
  g_assert_true (octopus_erasure_trailer_parse (a, len, &t, &error));
  g_assert_cmpuint (t.k, ==, 2);
  g_assert_cmpuint (t.m, ==, 1);
  g_assert_cmpuint (t.index, ==, 0);
  g_assert_cmpuint (t.original_length, ==, SEG + 1);
}

/* Coders made and dropped in several threads while others encode and decode: liberasurecode
 * 1.6 keeps its descriptors in a list without a lock, so the coder must provide one. */
static gpointer
churn_thread (gpointer data)
{
  g_autoptr(GBytes) segment = make_data (100000, GPOINTER_TO_UINT (data));

  for (guint round = 0; round < 30; round++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(OctopusErasureCoder) c = octopus_erasure_coder_new (2 + round % 3, 1 + round % 2,
                                                                    &error);
      g_autoptr(GPtrArray) fragments = NULL;
      guint8 *slots[MAXF] = { NULL };
      g_autoptr(GBytes) back = NULL;

      g_assert_no_error (error);
      fragments = octopus_erasure_coder_encode (c, g_bytes_get_data (segment, NULL),
                                                g_bytes_get_size (segment), &error);
      g_assert_no_error (error);
      /* The first data fragment lost: the parity takes its place. */
      for (guint i = 1; i < fragments->len; i++)
        slots[i] = g_bytes_unref_to_data (g_bytes_ref (fragments->pdata[i]), &(gsize) { 0 });
      back = octopus_erasure_coder_decode (c, slots, g_bytes_get_size (segment), NULL, &error);
      g_assert_no_error (error);
      g_assert_true (g_bytes_equal (back, segment));
      for (guint i = 0; i < MAXF; i++)
        g_free (slots[i]);
    }
  return NULL;
}

static void
test_threads (void)
{
  GThread *threads[4];

  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    threads[i] = g_thread_new ("churn", churn_thread, GUINT_TO_POINTER (i + 1));
  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    g_thread_join (threads[i]);
}

static void
test_scheme (void)
{
  const char *bad[] = {
    "",
    "v1 isa_l_rs_cauchy k=2 m=1 index=3",
    "v2 isa_l_rs_cauchy k=2 m=1 index=0",
    "v1 isa_l_rs_vand k=2 m=1 index=0",
    "v1 isa_l_rs_cauchy k=2 m=1 index=0 ",
    "v1 isa_l_rs_cauchy k=02 m=1 index=0",
    "v1 isa_l_rs_cauchy k=30 m=3 index=0",
    "v1 isa_l_rs_cauchy k=+2 m=1 index=0",
    "v1 isa_l_rs_cauchy k=-1 m=2 index=0",
    "v1 isa_l_rs_cauchy k=0 m=1 index=0",
  };
  g_autofree char *s = octopus_erasure_scheme_to_string (3, 2, 4);
  guint k = 0, m = 0, index = 0;

  g_assert_cmpstr (s, ==, "v1 isa_l_rs_cauchy k=3 m=2 index=4");
  g_assert_true (octopus_erasure_scheme_parse (s, &k, &m, &index, NULL));
  g_assert_cmpuint (k, ==, 3);
  g_assert_cmpuint (m, ==, 2);
  g_assert_cmpuint (index, ==, 4);
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_false (octopus_erasure_scheme_parse (bad[i], &k, &m, &index, &error));
      g_assert_error (error, OCTOPUS_ERASURE_ERROR, OCTOPUS_ERASURE_ERROR_BAD_TRAILER);
    }
}

/* ---- the whole-file operations -------------------------------------------------------------- */

static char *
write_temp (const char *dir, const char *name, GBytes *bytes)
{
  char *path = g_build_filename (dir, name, NULL);
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), &error);
  g_assert_no_error (error);
  return path;
}

static GBytes *
read_file (const char *path)
{
  char *data = NULL;
  gsize len = 0;
  g_autoptr(GError) error = NULL;

  g_file_get_contents (path, &data, &len, &error);
  g_assert_no_error (error);
  return g_bytes_new_take (data, len);
}

static void
test_files (void)
{
  g_autofree char *dir = g_dir_make_tmp ("octopus-erasure-XXXXXX", NULL);
  g_autoptr(GBytes) original = make_data (2 * SEG + 3, 7);
  g_autofree char *src = write_temp (dir, "original", original);
  g_autofree char *out = g_build_filename (dir, "out", NULL);
  g_autofree char *rebuilt = g_build_filename (dir, "rebuilt", NULL);
  g_autoptr(GStrvBuilder) b = g_strv_builder_new ();
  g_auto(GStrv) paths = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) got = NULL, lost = NULL, again = NULL;
  guint32 damaged = 0;

  for (guint i = 0; i < 3; i++)
    {
      g_autofree char *path = g_strdup_printf ("%s/archive.%u", dir, i);

      g_strv_builder_add (b, path);
    }
  paths = g_strv_builder_end (b);
  g_assert_true (octopus_erasure_encode_file (src, 2, 1, (const char *const *) paths, NULL,
                                              &error));
  g_assert_no_error (error);

  /* Archive 0 lost: decode from 1 and 2, rebuild 0 byte for byte. */
  lost = read_file (paths[0]);
  g_assert_true (octopus_erasure_decode_archives ((const char *const *) paths + 1, out, &damaged,
                                                  NULL, &error));
  g_assert_no_error (error);
  got = read_file (out);
  g_assert_true (g_bytes_equal (got, original));
  g_assert_cmphex (damaged, ==, 0);
  g_assert_true (octopus_erasure_rebuild_archive ((const char *const *) paths + 1, 0, rebuilt,
                                                  NULL, &error));
  g_assert_no_error (error);
  again = read_file (rebuilt);
  g_assert_true (g_bytes_equal (again, lost));

  /* Only one archive: a clear error and no output file. */
  g_unlink (out);
  g_assert_false (octopus_erasure_decode_archives ((const char *const *) paths + 2, out, NULL,
                                                   NULL, &error));
  g_assert_error (error, OCTOPUS_ERASURE_ERROR, OCTOPUS_ERASURE_ERROR_NOT_ENOUGH);
  g_assert_false (g_file_test (out, G_FILE_TEST_EXISTS));

  for (guint i = 0; paths[i] != NULL; i++)
    g_unlink (paths[i]);
  g_unlink (src);
  g_unlink (rebuilt);
  g_rmdir (dir);
}


int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/erasure/backend", test_backend);
  g_test_add_func ("/erasure/bad-scheme", test_bad_scheme);
  g_test_add_func ("/erasure/round-trip", test_round_trip);
  g_test_add_func ("/erasure/flipped-byte", test_flipped_byte);
  g_test_add_func ("/erasure/not-enough", test_not_enough);
  g_test_add_func ("/erasure/rebuild", test_rebuild);
  g_test_add_func ("/erasure/trailer-damaged", test_trailer_damaged);
  g_test_add_func ("/erasure/scheme", test_scheme);
  g_test_add_func ("/erasure/threads", test_threads);
  g_test_add_func ("/erasure/files", test_files);
  return g_test_run ();
}
