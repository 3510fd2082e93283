/* SPDX-License-Identifier: GPL-3.0-or-later */
/* octopus-erasure-coder.c — liberasurecode (ISA-L Cauchy backend), fragments checked on use. */
#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>
#include <liberasurecode/erasurecode.h>

#include "octopus-erasure-coder.h"
#include "octopus-erasure-format.h"

G_STATIC_ASSERT (sizeof (fragment_header_t) == OCTOPUS_ERASURE_FRAGMENT_HEADER_SIZE);
G_STATIC_ASSERT (EC_MAX_FRAGMENTS == OCTOPUS_ERASURE_MAX_FRAGMENTS);
G_STATIC_ASSERT (EC_BACKEND_ISA_L_RS_CAUCHY == OCTOPUS_ERASURE_BACKEND_ID);
G_STATIC_ASSERT (CHKSUM_CRC32 == OCTOPUS_ERASURE_CHECKSUM_TYPE);

/* Offsets in the 80-byte fragment header (docs/erasure-format.md). */
enum {
  HDR_IDX = 0,
  HDR_SIZE = 4,
  HDR_BACKEND_META_SIZE = 8,
  HDR_ORIG_SIZE = 12,
  HDR_CHKSUM_TYPE = 20,
  HDR_CHKSUM = 21,
  HDR_CHKSUM_MISMATCH = 53,
  HDR_BACKEND_ID = 54,
  HDR_BACKEND_VERSION = 55,
  HDR_META_END = 59,
  HDR_MAGIC = 59,
  HDR_LIBEC_VERSION = 63,
  HDR_META_CHKSUM = 67,
  HDR_PADDING = 71,
};

struct _OctopusErasureCoder
{
  GObject parent_instance;
  guint k;
  guint m;
  int desc;
};

G_DEFINE_TYPE (OctopusErasureCoder, octopus_erasure_coder, G_TYPE_OBJECT)
G_DEFINE_QUARK (octopus-erasure-error-quark, octopus_erasure_error)

/* liberasurecode before 1.8 keeps its descriptors in a list without locks, and every call looks
 * its descriptor up in that list: creating or destroying one while another thread encodes could
 * walk freed memory.  So create/destroy take this lock for writing, every other call for
 * reading (calls on different descriptors still run in parallel). */
static GRWLock desc_lock;

/* The CRC-32 zlib computes (reflected, polynomial 0xEDB88320), which liberasurecode 1.6 writes
 * over the header's first 59 bytes.  Bitwise: it only ever sees 59 bytes. */
static guint32
crc32_ieee (const guint8 *data, gsize len)
{
  guint32 crc = 0xffffffffu;

  for (gsize i = 0; i < len; i++)
    {
      crc ^= data[i];
      for (int bit = 0; bit < 8; bit++)
        crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1u)));
    }
  return crc ^ 0xffffffffu;
}

static void
octopus_erasure_coder_finalize (GObject *object)
{
  OctopusErasureCoder *self = OCTOPUS_ERASURE_CODER (object);

  if (self->desc > 0)
    {
      g_rw_lock_writer_lock (&desc_lock);
      liberasurecode_instance_destroy (self->desc);
      g_rw_lock_writer_unlock (&desc_lock);
    }
  G_OBJECT_CLASS (octopus_erasure_coder_parent_class)->finalize (object);
}

static void
octopus_erasure_coder_class_init (OctopusErasureCoderClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = octopus_erasure_coder_finalize;
}

static void
octopus_erasure_coder_init (OctopusErasureCoder *self)
{
}

/**
 * octopus_erasure_backend_available:
 *
 * Whether liberasurecode can load its ISA-L backend (libisal.so.2, opened with dlopen).  There
 * is deliberately no fallback: another backend's fragments are not interchangeable and decoding
 * them with the wrong one returns wrong bytes without an error.
 */
gboolean
octopus_erasure_backend_available (GError **error)
{
  int ok;

#if G_BYTE_ORDER != G_LITTLE_ENDIAN
  /* liberasurecode writes its headers in host order; the format is little-endian. */
  g_set_error_literal (error, OCTOPUS_ERASURE_ERROR,
                       OCTOPUS_ERASURE_ERROR_BACKEND_UNAVAILABLE,
                       _("Erasure coding needs a little-endian computer."));
  return FALSE;
#endif
  g_rw_lock_writer_lock (&desc_lock);
  ok = liberasurecode_backend_available (EC_BACKEND_ISA_L_RS_CAUCHY);
  g_rw_lock_writer_unlock (&desc_lock);
  if (!ok)
    {
      g_set_error_literal (error, OCTOPUS_ERASURE_ERROR,
                           OCTOPUS_ERASURE_ERROR_BACKEND_UNAVAILABLE,
                           _("Erasure coding is not available: the ISA-L library "
                             "(libisal.so.2, Debian package libisal2) could not be loaded."));
      return FALSE;
    }
  return TRUE;
}

OctopusErasureCoder *
octopus_erasure_coder_new (guint k, guint m, GError **error)
{
  g_autoptr(OctopusErasureCoder) self = NULL;
  struct ec_args args = { 0 };

  if (k < 1 || m < 1 || k + m > OCTOPUS_ERASURE_MAX_FRAGMENTS)
    {
      g_set_error (error, OCTOPUS_ERASURE_ERROR, OCTOPUS_ERASURE_ERROR_INVALID_ARGUMENT,
                   _("Erasure coding %u+%u is not possible: k and m must be at least 1 and "
                     "k+m at most %d."), k, m, OCTOPUS_ERASURE_MAX_FRAGMENTS);
      return NULL;
    }
  if (!octopus_erasure_backend_available (error))
    return NULL;

  self = g_object_new (OCTOPUS_TYPE_ERASURE_CODER, NULL);
  self->k = k;
  self->m = m;
  args.k = (int) k;
  args.m = (int) m;
  args.hd = (int) m;
  args.ct = CHKSUM_CRC32;
  g_rw_lock_writer_lock (&desc_lock);
  self->desc = liberasurecode_instance_create (EC_BACKEND_ISA_L_RS_CAUCHY, &args);
  g_rw_lock_writer_unlock (&desc_lock);
  if (self->desc <= 0)
    {
      g_set_error (error, OCTOPUS_ERASURE_ERROR, OCTOPUS_ERASURE_ERROR_FAILED,
                   _("The erasure coder failed (liberasurecode error %d)."), -self->desc);
      self->desc = 0;
      return NULL;
    }
  return g_steal_pointer (&self);
}

guint
octopus_erasure_coder_get_k (OctopusErasureCoder *self)
{
  g_return_val_if_fail (OCTOPUS_IS_ERASURE_CODER (self), 0);
  return self->k;
}

guint
octopus_erasure_coder_get_m (OctopusErasureCoder *self)
{
  g_return_val_if_fail (OCTOPUS_IS_ERASURE_CODER (self), 0);
  return self->m;
}

/**
 * octopus_erasure_fragment_payload_size:
 *
 * The bytes after the header of each fragment of a segment of @segment_len bytes: ISA-L works
 * on 8-bit words, so liberasurecode pads the segment to a multiple of k and cuts it in k.
 */
gsize
octopus_erasure_fragment_payload_size (guint k, gsize segment_len)
{
  g_return_val_if_fail (k > 0, 0);
  return segment_len / k + (segment_len % k != 0);
}

gsize
octopus_erasure_fragment_size (guint k, gsize segment_len)
{
  return OCTOPUS_ERASURE_FRAGMENT_HEADER_SIZE + octopus_erasure_fragment_payload_size (k,
                                                                                     segment_len);
}

static gboolean
bad_fragment (GError **error, guint index, const char *what)
{
  g_set_error (error, OCTOPUS_ERASURE_ERROR, OCTOPUS_ERASURE_ERROR_BAD_FRAGMENT,
               _("Fragment %u is damaged (%s)."), index, what);
  return FALSE;
}

/* Everything liberasurecode does not check (or checks only after trusting the header's size
 * field): the exact length, the index, every field against the segment it must belong to, the
 * unused checksum words and the padding, and the metadata CRC as 1.6 writes it. */
static gboolean
check_header (OctopusErasureCoder *self, const guint8 *f, gsize len, guint index, gsize seg_len,
              GError **error)
{
  gsize payload = octopus_erasure_fragment_payload_size (self->k, seg_len);

  if (len != OCTOPUS_ERASURE_FRAGMENT_HEADER_SIZE + payload)
    return bad_fragment (error, index, _("wrong length"));
  if (octopus_erasure_get_le32 (f + HDR_MAGIC) != LIBERASURECODE_FRAG_HEADER_MAGIC)
    return bad_fragment (error, index, _("no magic number"));
  if (octopus_erasure_get_le32 (f + HDR_META_CHKSUM) != crc32_ieee (f, HDR_META_END))
    return bad_fragment (error, index, _("header checksum mismatch"));
  if (octopus_erasure_get_le32 (f + HDR_IDX) != index
      || octopus_erasure_get_le32 (f + HDR_SIZE) != payload
      || octopus_erasure_get_le32 (f + HDR_BACKEND_META_SIZE) != 0
      || octopus_erasure_get_le64 (f + HDR_ORIG_SIZE) != seg_len)
    return bad_fragment (error, index, _("wrong header fields"));
  if (f[HDR_CHKSUM_TYPE] != CHKSUM_CRC32 || f[HDR_BACKEND_ID] != EC_BACKEND_ISA_L_RS_CAUCHY
      || f[HDR_CHKSUM_MISMATCH] != 0 || !octopus_erasure_is_zero (f + HDR_CHKSUM + 4, 28))
    return bad_fragment (error, index, _("wrong backend or checksum type"));
  if (octopus_erasure_get_le32 (f + HDR_LIBEC_VERSION) == 0
      || octopus_erasure_get_le32 (f + HDR_LIBEC_VERSION) > LIBERASURECODE_VERSION)
    return bad_fragment (error, index, _("unknown library version"));
  if (!octopus_erasure_is_zero (f + HDR_PADDING,
                                OCTOPUS_ERASURE_FRAGMENT_HEADER_SIZE - HDR_PADDING))
    return bad_fragment (error, index, _("padding not zero"));
  return TRUE;
}

/**
 * octopus_erasure_coder_check_fragment:
 * @fragment: one fragment as stored (header and payload)
 * @index: the fragment index it must carry
 * @segment_len: the length of the segment it must belong to
 *
 * Checks a fragment from an untrusted source: its header strictly (see check_header), then
 * liberasurecode's is_invalid_fragment (the CRC-32 of the payload, the backend's version).
 * liberasurecode_decode alone would happily decode a damaged fragment into wrong bytes.
 */
gboolean
octopus_erasure_coder_check_fragment (OctopusErasureCoder *self, const guint8 *fragment,
                                      gsize fragment_len, guint index, gsize segment_len,
                                      GError **error)
{
  int invalid;

  g_return_val_if_fail (OCTOPUS_IS_ERASURE_CODER (self), FALSE);
  if (index >= self->k + self->m || segment_len == 0 || segment_len > G_MAXINT)
    return bad_fragment (error, index, _("impossible index or segment length"));
  if (!check_header (self, fragment, fragment_len, index, segment_len, error))
    return FALSE;
  /* is_invalid_fragment only reads, though its prototype is not const. */
  g_rw_lock_reader_lock (&desc_lock);
  invalid = is_invalid_fragment (self->desc, (char *) fragment);
  g_rw_lock_reader_unlock (&desc_lock);
  if (invalid)
    return bad_fragment (error, index, _("payload checksum mismatch"));
  return TRUE;
}

/**
 * octopus_erasure_coder_encode:
 *
 * Returns: (transfer full): k+m #GBytes, element i being fragment i (80-byte header + payload)
 */
GPtrArray *
octopus_erasure_coder_encode (OctopusErasureCoder *self, const guint8 *segment, gsize segment_len,
                              GError **error)
{
  g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  char **data = NULL, **parity = NULL;
  uint64_t frag_len = 0;
  int rc;

  g_return_val_if_fail (OCTOPUS_IS_ERASURE_CODER (self), NULL);
  if (segment_len == 0 || segment_len > G_MAXINT)
    {
      g_set_error_literal (error, OCTOPUS_ERASURE_ERROR, OCTOPUS_ERASURE_ERROR_INVALID_ARGUMENT,
                           _("An empty or oversized segment cannot be encoded."));
      return NULL;
    }
  g_rw_lock_reader_lock (&desc_lock);
  rc = liberasurecode_encode (self->desc, (const char *) segment, segment_len, &data, &parity,
                              &frag_len);
  if (rc == 0)
    {
      for (guint i = 0; i < self->k + self->m; i++)
        {
          const char *f = i < self->k ? data[i] : parity[i - self->k];
          g_ptr_array_add (out, g_bytes_new (f, frag_len));
        }
      liberasurecode_encode_cleanup (self->desc, data, parity);
    }
  g_rw_lock_reader_unlock (&desc_lock);
  if (rc != 0)
    {
      g_set_error (error, OCTOPUS_ERASURE_ERROR, OCTOPUS_ERASURE_ERROR_FAILED,
                   _("The erasure coder failed (liberasurecode error %d)."), -rc);
      return NULL;
    }
  /* What we write must pass what we will demand when reading: this catches a different CRC
   * variant (LIBERASURECODE_WRITE_LEGACY_CRC) or a library whose layout drifted.  The header
   * only: the payload CRC was just computed by the same library, and costs a pass. */
  for (guint i = 0; i < out->len; i++)
    {
      gsize len;
      const guint8 *f = g_bytes_get_data (out->pdata[i], &len);

      if (!check_header (self, f, len, i, segment_len, error))
        return NULL;
    }
  return g_steal_pointer (&out);
}

/* Checks every fragment present in @fragments (k+m slots, NULL = missing), sets a bit in
 * @bad_mask for each damaged one, and puts the first k good ones (data first: the systematic
 * fast path) into @chosen.  Index @skip is never chosen. */
static gboolean
choose_fragments (OctopusErasureCoder *self, guint8 **fragments, gsize segment_len, guint skip,
                  char **chosen, guint32 *bad_mask, GError **error)
{
  gsize frag_len = octopus_erasure_fragment_size (self->k, segment_len);
  guint n = 0;

  for (guint i = 0; i < self->k + self->m; i++)
    {
      g_autoptr(GError) local = NULL;

      if (fragments[i] == NULL || i == skip)
        continue;
      if (!octopus_erasure_coder_check_fragment (self, fragments[i], frag_len, i, segment_len,
                                                 &local))
        {
          g_debug ("erasure: leaving out %s", local->message);
          if (bad_mask != NULL)
            *bad_mask |= 1u << i;
          continue;
        }
      if (n < self->k)
        chosen[n++] = (char *) fragments[i];
    }
  if (n < self->k)
    {
      g_set_error (error, OCTOPUS_ERASURE_ERROR, OCTOPUS_ERASURE_ERROR_NOT_ENOUGH,
                   _("Only %u of the %u good fragments needed are available."), n, self->k);
      return FALSE;
    }
  return TRUE;
}

/**
 * octopus_erasure_coder_decode:
 * @fragments: k+m slots, slot i fragment i or %NULL; each exactly
 *   octopus_erasure_fragment_size (k, @segment_len) bytes.  liberasurecode may use them as
 *   scratch space.
 * @bad_mask: (out) (optional): bits set for fragments that failed their checks (left out)
 *
 * Returns: (transfer full): the segment's @segment_len bytes
 */
GBytes *
octopus_erasure_coder_decode (OctopusErasureCoder *self, guint8 **fragments, gsize segment_len,
                              guint32 *bad_mask, GError **error)
{
  char *chosen[OCTOPUS_ERASURE_MAX_FRAGMENTS] = { NULL };
  char *out = NULL;
  uint64_t out_len = 0;
  GBytes *result = NULL;
  int rc;

  g_return_val_if_fail (OCTOPUS_IS_ERASURE_CODER (self), NULL);
  if (!choose_fragments (self, fragments, segment_len, G_MAXUINT, chosen, bad_mask, error))
    return NULL;
  g_rw_lock_reader_lock (&desc_lock);
  rc = liberasurecode_decode (self->desc, chosen, (int) self->k,
                              octopus_erasure_fragment_size (self->k, segment_len), 1,
                              &out, &out_len);
  if (rc == 0 && out_len == segment_len)
    result = g_bytes_new (out, out_len);
  if (rc == 0)
    liberasurecode_decode_cleanup (self->desc, out);
  g_rw_lock_reader_unlock (&desc_lock);
  if (result == NULL)
    g_set_error (error, OCTOPUS_ERASURE_ERROR, OCTOPUS_ERASURE_ERROR_FAILED,
                 _("The erasure coder failed (liberasurecode error %d)."), rc ? -rc : 0);
  return result;
}

/**
 * octopus_erasure_coder_reconstruct:
 * @fragments: as for octopus_erasure_coder_decode(); slot @target is ignored
 * @target: the index of the fragment to rebuild
 *
 * Returns: (transfer full): fragment @target, byte for byte as the encoder wrote it
 */
GBytes *
octopus_erasure_coder_reconstruct (OctopusErasureCoder *self, guint8 **fragments,
                                   gsize segment_len, guint target, guint32 *bad_mask,
                                   GError **error)
{
  char *chosen[OCTOPUS_ERASURE_MAX_FRAGMENTS] = { NULL };
  gsize frag_len;
  g_autofree guint8 *out = NULL;
  int rc;

  g_return_val_if_fail (OCTOPUS_IS_ERASURE_CODER (self), NULL);
  if (target >= self->k + self->m)
    {
      g_set_error (error, OCTOPUS_ERASURE_ERROR, OCTOPUS_ERASURE_ERROR_INVALID_ARGUMENT,
                   _("There is no fragment %u in erasure coding %u+%u."), target, self->k,
                   self->m);
      return NULL;
    }
  if (!choose_fragments (self, fragments, segment_len, target, chosen, bad_mask, error))
    return NULL;
  frag_len = octopus_erasure_fragment_size (self->k, segment_len);
  out = g_malloc0 (frag_len);
  g_rw_lock_reader_lock (&desc_lock);
  rc = liberasurecode_reconstruct_fragment (self->desc, chosen, (int) self->k, frag_len,
                                            (int) target, (char *) out);
  g_rw_lock_reader_unlock (&desc_lock);
  if (rc != 0)
    {
      g_set_error (error, OCTOPUS_ERASURE_ERROR, OCTOPUS_ERASURE_ERROR_FAILED,
                   _("The erasure coder failed (liberasurecode error %d)."), -rc);
      return NULL;
    }
  if (!octopus_erasure_coder_check_fragment (self, out, frag_len, target, segment_len, error))
    return NULL;
  return g_bytes_new_take (g_steal_pointer (&out), frag_len);
}
