/* SPDX-License-Identifier: GPL-3.0-or-later */
/* octopus-erasure-format.c — archive geometry and the fixed trailer, parsed as hostile input. */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <glib/gi18n-lib.h>

#include "octopus-erasure-format.h"

#define MAGIC          "OCTOECTR"
#define SEGMENT_MIN    4096
#define SEGMENT_MAX    (8 * 1024 * 1024)   /* bounds a hostile trailer's buffers */
/* Far beyond any file, small enough that no length computed from it overflows. */
#define LENGTH_MAX     (G_GUINT64_CONSTANT (1) << 52)

/* Byte offsets in the trailer (docs/erasure-format.md). */
enum {
  T_MAGIC = 0,
  T_VERSION = 8,
  T_SIZE = 10,
  T_BACKEND = 12,
  T_CHKSUM_TYPE = 13,
  T_K = 14,
  T_M = 15,
  T_INDEX = 16,
  T_RESERVED1 = 17,
  T_SEGMENT_SIZE = 20,
  T_ORIGINAL_LENGTH = 24,
  T_DATA_LENGTH = 32,
  T_LIBEC_VERSION = 40,
  T_RESERVED2 = 44,
  T_MD5 = 48,
  T_SHA256 = 64,
  T_ARCHIVE_MD5 = 96,
  T_CHECKSUM = T_ARCHIVE_MD5 + 16 * OCTOPUS_ERASURE_MAX_FRAGMENTS,
};
G_STATIC_ASSERT (T_CHECKSUM + 32 == OCTOPUS_ERASURE_TRAILER_SIZE);

guint64
octopus_erasure_n_segments (guint64 original_length, guint32 segment_size)
{
  g_return_val_if_fail (segment_size > 0, 0);
  return original_length / segment_size + (original_length % segment_size != 0);
}

gsize
octopus_erasure_segment_length (guint64 original_length, guint32 segment_size, guint64 segment)
{
  guint64 start = segment * segment_size;

  if (start >= original_length)
    return 0;
  return (gsize) MIN ((guint64) segment_size, original_length - start);
}

/* Every segment but the last is full, so every full one has the same fragment size. */
guint64
octopus_erasure_fragment_offset (guint k, guint32 segment_size, guint64 segment)
{
  return segment * octopus_erasure_fragment_size (k, segment_size);
}

guint64
octopus_erasure_data_length (guint k, guint64 original_length, guint32 segment_size)
{
  guint64 n = octopus_erasure_n_segments (original_length, segment_size);

  if (n == 0)
    return 0;
  return octopus_erasure_fragment_offset (k, segment_size, n - 1)
         + octopus_erasure_fragment_size (k, octopus_erasure_segment_length (original_length,
                                                                             segment_size,
                                                                             n - 1));
}

static void
put_le16 (guint8 *p, guint16 v)
{
  v = GUINT16_TO_LE (v);
  memcpy (p, &v, sizeof v);
}

static void
put_le32 (guint8 *p, guint32 v)
{
  v = GUINT32_TO_LE (v);
  memcpy (p, &v, sizeof v);
}

static void
put_le64 (guint8 *p, guint64 v)
{
  v = GUINT64_TO_LE (v);
  memcpy (p, &v, sizeof v);
}

static guint16
get_le16 (const guint8 *p)
{
  guint16 v;

  memcpy (&v, p, sizeof v);
  return GUINT16_FROM_LE (v);
}

/* Little-endian fields and zeroed reserved bytes, for the trailer here and the fragment
 * header in octopus-erasure-coder.c. */
guint32
octopus_erasure_get_le32 (const guint8 *p)
{
  guint32 v;

  memcpy (&v, p, sizeof v);
  return GUINT32_FROM_LE (v);
}

guint64
octopus_erasure_get_le64 (const guint8 *p)
{
  guint64 v;

  memcpy (&v, p, sizeof v);
  return GUINT64_FROM_LE (v);
}

gboolean
octopus_erasure_is_zero (const guint8 *p, gsize len)
{
  for (gsize i = 0; i < len; i++)
    if (p[i] != 0)
      return FALSE;
  return TRUE;
}

static void
sha256_of (const guint8 *data, gsize len, guint8 out[32])
{
  g_autoptr(GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);
  gsize out_len = 32;

  g_checksum_update (sum, data, len);
  g_checksum_get_digest (sum, out, &out_len);
}

void
octopus_erasure_trailer_write (const OctopusErasureTrailer *t,
                               guint8 out[OCTOPUS_ERASURE_TRAILER_SIZE])
{
  memset (out, 0, OCTOPUS_ERASURE_TRAILER_SIZE);
  memcpy (out + T_MAGIC, MAGIC, 8);
  put_le16 (out + T_VERSION, OCTOPUS_ERASURE_FORMAT_VERSION);
  put_le16 (out + T_SIZE, OCTOPUS_ERASURE_TRAILER_SIZE);
  out[T_BACKEND] = OCTOPUS_ERASURE_BACKEND_ID;
  out[T_CHKSUM_TYPE] = OCTOPUS_ERASURE_CHECKSUM_TYPE;
  out[T_K] = (guint8) t->k;
  out[T_M] = (guint8) t->m;
  out[T_INDEX] = (guint8) t->index;
  put_le32 (out + T_SEGMENT_SIZE, t->segment_size);
  put_le64 (out + T_ORIGINAL_LENGTH, t->original_length);
  put_le64 (out + T_DATA_LENGTH, t->data_length);
  put_le32 (out + T_LIBEC_VERSION, t->libec_version);
  memcpy (out + T_MD5, t->md5, 16);
  memcpy (out + T_SHA256, t->sha256, 32);
  for (guint i = 0; i < t->k + t->m && i < OCTOPUS_ERASURE_MAX_FRAGMENTS; i++)
    memcpy (out + T_ARCHIVE_MD5 + 16 * i, t->archive_md5[i], 16);
  sha256_of (out, T_CHECKSUM, out + T_CHECKSUM);
}

GBytes *
octopus_erasure_trailer_to_bytes (const OctopusErasureTrailer *trailer)
{
  guint8 *out = g_malloc (OCTOPUS_ERASURE_TRAILER_SIZE);

  octopus_erasure_trailer_write (trailer, out);
  return g_bytes_new_take (out, OCTOPUS_ERASURE_TRAILER_SIZE);
}

static gboolean
bad_trailer (GError **error, const char *what)
{
  g_set_error (error, OCTOPUS_ERASURE_ERROR, OCTOPUS_ERASURE_ERROR_BAD_TRAILER,
               _("This is not an intact Octopus erasure-coded archive (its trailer: %s)."),
               what);
  return FALSE;
}

static gboolean
check_scheme (const guint8 *p, GError **error)
{
  guint k = p[T_K], m = p[T_M];

  if (get_le16 (p + T_VERSION) != OCTOPUS_ERASURE_FORMAT_VERSION)
    return bad_trailer (error, _("unknown format version"));
  if (get_le16 (p + T_SIZE) != OCTOPUS_ERASURE_TRAILER_SIZE)
    return bad_trailer (error, _("wrong size"));
  if (p[T_BACKEND] != OCTOPUS_ERASURE_BACKEND_ID
      || p[T_CHKSUM_TYPE] != OCTOPUS_ERASURE_CHECKSUM_TYPE)
    return bad_trailer (error, _("unknown erasure code"));
  if (k < 1 || m < 1 || k + m > OCTOPUS_ERASURE_MAX_FRAGMENTS || p[T_INDEX] >= k + m)
    return bad_trailer (error, _("impossible k, m or index"));
  if (!octopus_erasure_is_zero (p + T_RESERVED1, 3)
      || !octopus_erasure_is_zero (p + T_RESERVED2, 4)
      || !octopus_erasure_is_zero (p + T_ARCHIVE_MD5 + 16 * (k + m),
                                   16 * (OCTOPUS_ERASURE_MAX_FRAGMENTS - k - m)))
    return bad_trailer (error, _("reserved bytes set"));
  return TRUE;
}

static gboolean
check_lengths (const OctopusErasureTrailer *t, GError **error)
{
  if (t->segment_size < SEGMENT_MIN || t->segment_size > SEGMENT_MAX)
    return bad_trailer (error, _("impossible segment size"));
  if (t->original_length > LENGTH_MAX
      || t->data_length != octopus_erasure_data_length (t->k, t->original_length,
                                                        t->segment_size))
    return bad_trailer (error, _("impossible length"));
  return TRUE;
}

/**
 * octopus_erasure_trailer_parse:
 * @data: an archive's last bytes (at least the trailer; only the last
 *   %OCTOPUS_ERASURE_TRAILER_SIZE are read), e.g. the body of a `Range: bytes=-640` GET
 *
 * Parses and checks a trailer from an untrusted source.
 */
gboolean
octopus_erasure_trailer_parse (const guint8 *data, gsize len, OctopusErasureTrailer *trailer,
                               GError **error)
{
  const guint8 *p;
  guint8 sum[32];
  OctopusErasureTrailer t = { 0 };

  if (data == NULL || len < OCTOPUS_ERASURE_TRAILER_SIZE)
    return bad_trailer (error, _("too short"));
  p = data + len - OCTOPUS_ERASURE_TRAILER_SIZE;
  if (memcmp (p + T_MAGIC, MAGIC, 8) != 0)
    return bad_trailer (error, _("no magic number"));
  sha256_of (p, T_CHECKSUM, sum);
  if (memcmp (sum, p + T_CHECKSUM, 32) != 0)
    return bad_trailer (error, _("checksum mismatch"));
  if (!check_scheme (p, error))
    return FALSE;
  t.k = p[T_K];
  t.m = p[T_M];
  t.index = p[T_INDEX];
  t.segment_size = octopus_erasure_get_le32 (p + T_SEGMENT_SIZE);
  t.original_length = octopus_erasure_get_le64 (p + T_ORIGINAL_LENGTH);
  t.data_length = octopus_erasure_get_le64 (p + T_DATA_LENGTH);
  t.libec_version = octopus_erasure_get_le32 (p + T_LIBEC_VERSION);
  if (!check_lengths (&t, error))
    return FALSE;
  memcpy (t.md5, p + T_MD5, 16);
  memcpy (t.sha256, p + T_SHA256, 32);
  for (guint i = 0; i < t.k + t.m; i++)
    memcpy (t.archive_md5[i], p + T_ARCHIVE_MD5 + 16 * i, 16);
  *trailer = t;
  return TRUE;
}

/* Whether two trailers describe the same set (they may differ only in the index).  Field by
 * field: the struct has padding. */
gboolean
octopus_erasure_trailer_same_set (const OctopusErasureTrailer *a, const OctopusErasureTrailer *b)
{
  return a->k == b->k && a->m == b->m && a->segment_size == b->segment_size
         && a->original_length == b->original_length && a->data_length == b->data_length
         && a->libec_version == b->libec_version && memcmp (a->md5, b->md5, 16) == 0
         && memcmp (a->sha256, b->sha256, 32) == 0
         && memcmp (a->archive_md5, b->archive_md5, sizeof a->archive_md5) == 0;
}

/**
 * octopus_erasure_scheme_to_string:
 *
 * Returns: (transfer full): the value of an archive's `x-amz-meta-octopus-ec` header, e.g.
 *   "v1 isa_l_rs_cauchy k=2 m=1 index=0": known before the upload starts (the trailer is not),
 *   so a HEAD or a listing with metadata tells an archive from a mirrored copy
 */
char *
octopus_erasure_scheme_to_string (guint k, guint m, guint index)
{
  return g_strdup_printf ("v%d isa_l_rs_cauchy k=%u m=%u index=%u",
                          OCTOPUS_ERASURE_FORMAT_VERSION, k, m, index);
}

/**
 * octopus_erasure_scheme_parse:
 *
 * Parses what octopus_erasure_scheme_to_string() wrote, strictly (it comes from a service).
 */
gboolean
octopus_erasure_scheme_parse (const char *scheme, guint *k, guint *m, guint *index,
                              GError **error)
{
  g_autofree char *again = NULL;
  guint kk = 0, mm = 0, ii = 0;
  int end = -1;

  if (scheme != NULL
      && sscanf (scheme, "v1 isa_l_rs_cauchy k=%2u m=%2u index=%2u%n", &kk, &mm, &ii, &end) == 3
      && end >= 0 && scheme[end] == '\0' && kk >= 1 && mm >= 1 && kk <= 32 && mm <= 32
      && kk + mm <= OCTOPUS_ERASURE_MAX_FRAGMENTS && ii < kk + mm
      && g_str_equal (scheme, (again = octopus_erasure_scheme_to_string (kk, mm, ii))))
    {
      *k = kk;
      *m = mm;
      *index = ii;
      return TRUE;
    }
  g_set_error (error, OCTOPUS_ERASURE_ERROR, OCTOPUS_ERASURE_ERROR_BAD_TRAILER,
               _("Unknown erasure-coding scheme “%s”."), scheme ? scheme : "");
  return FALSE;
}
