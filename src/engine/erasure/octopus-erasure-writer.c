/* SPDX-License-Identifier: GPL-3.0-or-later */
/* octopus-erasure-writer.c — streaming encoder: segments, fragments, running hashes, trailers.
 *
 * All k+m archives are produced in lockstep, so when the last segment is encoded the running
 * MD5 of every archive is known and one trailer can list them all. */
#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>
#include <liberasurecode/erasurecode.h>

#include "octopus-erasure-writer.h"

struct _OctopusErasureWriter
{
  OctopusErasureCoder *coder;
  guint k;
  guint m;
  guint8 *segment;
  gsize fill;
  GPtrArray *pending;      /* the last encoded segment's fragments, not yet taken */
  GChecksum *md5;
  GChecksum *sha256;
  GChecksum *archive_md5[OCTOPUS_ERASURE_MAX_FRAGMENTS];
  OctopusErasureTrailer trailer;
  gboolean finished;
};

/**
 * octopus_erasure_writer_new:
 *
 * Fails with %OCTOPUS_ERASURE_ERROR_BACKEND_UNAVAILABLE when ISA-L cannot be loaded.
 */
OctopusErasureWriter *
octopus_erasure_writer_new (guint k, guint m, GError **error)
{
  g_autoptr(OctopusErasureCoder) coder = octopus_erasure_coder_new (k, m, error);
  OctopusErasureWriter *self;

  if (coder == NULL)
    return NULL;
  self = g_new0 (OctopusErasureWriter, 1);
  self->coder = g_steal_pointer (&coder);
  self->k = k;
  self->m = m;
  self->segment = g_malloc (OCTOPUS_ERASURE_SEGMENT_SIZE);
  self->md5 = g_checksum_new (G_CHECKSUM_MD5);
  self->sha256 = g_checksum_new (G_CHECKSUM_SHA256);
  for (guint i = 0; i < k + m; i++)
    self->archive_md5[i] = g_checksum_new (G_CHECKSUM_MD5);
  self->trailer.k = k;
  self->trailer.m = m;
  self->trailer.segment_size = OCTOPUS_ERASURE_SEGMENT_SIZE;
  self->trailer.libec_version = liberasurecode_get_version ();
  return self;
}

void
octopus_erasure_writer_free (OctopusErasureWriter *self)
{
  if (self == NULL)
    return;
  g_clear_object (&self->coder);
  g_free (self->segment);
  g_clear_pointer (&self->pending, g_ptr_array_unref);
  g_checksum_free (self->md5);
  g_checksum_free (self->sha256);
  for (guint i = 0; i < self->k + self->m; i++)
    g_checksum_free (self->archive_md5[i]);
  g_free (self);
}

static gboolean
encode_segment (OctopusErasureWriter *self, GError **error)
{
  g_autoptr(GPtrArray) fragments = NULL;

  fragments = octopus_erasure_coder_encode (self->coder, self->segment, self->fill, error);
  if (fragments == NULL)
    return FALSE;
  for (guint i = 0; i < fragments->len; i++)
    {
      gsize len;
      const guint8 *f = g_bytes_get_data (fragments->pdata[i], &len);

      g_checksum_update (self->archive_md5[i], f, len);
      self->trailer.data_length += i == 0 ? len : 0;
    }
  self->fill = 0;
  self->pending = g_steal_pointer (&fragments);
  return TRUE;
}

/**
 * octopus_erasure_writer_write:
 * @consumed: (out): how many bytes of @data were taken
 *
 * Takes file bytes in any chunking.  Stops early (*@consumed < @len) when a segment is complete
 * and its fragments wait for octopus_erasure_writer_take_fragments(): memory stays bounded by
 * one segment and its fragments.
 */
gboolean
octopus_erasure_writer_write (OctopusErasureWriter *self, const guint8 *data, gsize len,
                              gsize *consumed, GError **error)
{
  gsize n;

  g_return_val_if_fail (self != NULL && !self->finished, FALSE);
  *consumed = 0;
  if (self->pending != NULL)
    return TRUE;
  n = MIN (len, OCTOPUS_ERASURE_SEGMENT_SIZE - self->fill);
  memcpy (self->segment + self->fill, data, n);
  self->fill += n;
  g_checksum_update (self->md5, data, n);
  g_checksum_update (self->sha256, data, n);
  self->trailer.original_length += n;
  *consumed = n;
  if (self->fill == OCTOPUS_ERASURE_SEGMENT_SIZE)
    return encode_segment (self, error);
  return TRUE;
}

/**
 * octopus_erasure_writer_take_fragments:
 *
 * Returns: (transfer full) (nullable): the k+m fragments of the segment just encoded (element
 *   i goes to the end of archive i), or %NULL when no segment is complete
 */
GPtrArray *
octopus_erasure_writer_take_fragments (OctopusErasureWriter *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return g_steal_pointer (&self->pending);
}

/**
 * octopus_erasure_writer_finish:
 *
 * Encodes the last, partial segment (take its fragments afterwards) and completes the
 * trailers.  Call it once all fragments so far were taken.  An empty file has no segment: its
 * archives are only a trailer.
 */
gboolean
octopus_erasure_writer_finish (OctopusErasureWriter *self, GError **error)
{
  gsize len = 16;

  g_return_val_if_fail (self != NULL && !self->finished && self->pending == NULL, FALSE);
  if (self->fill > 0 && !encode_segment (self, error))
    return FALSE;
  self->finished = TRUE;
  g_checksum_get_digest (self->md5, self->trailer.md5, &len);
  len = 32;
  g_checksum_get_digest (self->sha256, self->trailer.sha256, &len);
  for (guint i = 0; i < self->k + self->m; i++)
    {
      len = 16;
      g_checksum_get_digest (self->archive_md5[i], self->trailer.archive_md5[i], &len);
    }
  return TRUE;
}

/**
 * octopus_erasure_writer_get_trailer:
 *
 * Returns: after finish, what every trailer of the set says (index 0)
 */
const OctopusErasureTrailer *
octopus_erasure_writer_get_trailer (OctopusErasureWriter *self)
{
  g_return_val_if_fail (self != NULL && self->finished, NULL);
  return &self->trailer;
}

/**
 * octopus_erasure_writer_dup_trailer:
 *
 * Returns: (transfer full): after finish, the %OCTOPUS_ERASURE_TRAILER_SIZE bytes that end
 *   archive @index
 */
GBytes *
octopus_erasure_writer_dup_trailer (OctopusErasureWriter *self, guint index)
{
  OctopusErasureTrailer t;

  g_return_val_if_fail (self != NULL && self->finished && index < self->k + self->m, NULL);
  t = self->trailer;
  t.index = index;
  return octopus_erasure_trailer_to_bytes (&t);
}
