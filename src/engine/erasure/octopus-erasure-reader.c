/* SPDX-License-Identifier: GPL-3.0-or-later */
/* octopus-erasure-reader.c — streaming decoder and rebuilder.
 *
 * Each archive is fed as the stream it is (any chunking); the reader keeps only the current
 * segment's fragment of each.  A fragment is checked the moment it is complete; a damaged one
 * drops its archive for good, and the caller attaches another archive at
 * octopus_erasure_reader_get_offset() to carry on from that segment. */
#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>

#include "octopus-erasure-reader.h"

#define NOT_ATTACHED G_MAXUINT64

typedef struct {
  guint8 *buf;
  guint64 pos;             /* the archive offset of the next byte it will be fed */
  gboolean complete;       /* this segment's fragment is here and passed its checks */
  gboolean dropped;
} Source;

struct _OctopusErasureReader
{
  OctopusErasureCoder *coder;
  OctopusErasureTrailer trailer;
  guint target;            /* G_MAXUINT when decoding */
  guint64 n_segments;
  guint64 segment;
  gsize segment_len;
  gsize fragment_size;
  guint64 offset;
  Source sources[OCTOPUS_ERASURE_MAX_FRAGMENTS];
  GChecksum *md5;
  GChecksum *sha256;
  guint32 damaged;
};

static void
set_segment (OctopusErasureReader *self, guint64 segment)
{
  const OctopusErasureTrailer *t = &self->trailer;

  self->segment = segment;
  self->segment_len = octopus_erasure_segment_length (t->original_length, t->segment_size,
                                                      segment);
  self->fragment_size = segment < self->n_segments
                        ? octopus_erasure_fragment_size (t->k, self->segment_len) : 0;
  self->offset = octopus_erasure_fragment_offset (t->k, t->segment_size, segment);
}

static OctopusErasureReader *
reader_new (const OctopusErasureTrailer *trailer, guint target, GError **error)
{
  g_autoptr(OctopusErasureCoder) coder = octopus_erasure_coder_new (trailer->k, trailer->m,
                                                                    error);
  OctopusErasureReader *self;

  if (coder == NULL)
    return NULL;
  self = g_new0 (OctopusErasureReader, 1);
  self->coder = g_steal_pointer (&coder);
  self->trailer = *trailer;
  self->target = target;
  self->n_segments = octopus_erasure_n_segments (trailer->original_length,
                                                 trailer->segment_size);
  for (guint i = 0; i < OCTOPUS_ERASURE_MAX_FRAGMENTS; i++)
    self->sources[i].pos = NOT_ATTACHED;
  self->md5 = g_checksum_new (G_CHECKSUM_MD5);
  self->sha256 = g_checksum_new (G_CHECKSUM_SHA256);
  set_segment (self, 0);
  return self;
}

/**
 * octopus_erasure_reader_new:
 * @trailer: a trailer of the set, as octopus_erasure_trailer_parse() gave it
 *
 * A decoder: octopus_erasure_reader_next() gives the original bytes segment by segment.
 */
OctopusErasureReader *
octopus_erasure_reader_new (const OctopusErasureTrailer *trailer, GError **error)
{
  return reader_new (trailer, G_MAXUINT, error);
}

/**
 * octopus_erasure_reader_new_rebuild:
 *
 * A rebuilder of archive @target: octopus_erasure_reader_next() gives its fragments, and
 * octopus_erasure_reader_finish() its trailer once its MD5 proved it byte-identical.
 */
OctopusErasureReader *
octopus_erasure_reader_new_rebuild (const OctopusErasureTrailer *trailer, guint target,
                                    GError **error)
{
  if (target >= trailer->k + trailer->m)
    {
      g_set_error (error, OCTOPUS_ERASURE_ERROR, OCTOPUS_ERASURE_ERROR_INVALID_ARGUMENT,
                   _("There is no fragment %u in erasure coding %u+%u."), target, trailer->k,
                   trailer->m);
      return NULL;
    }
  return reader_new (trailer, target, error);
}

void
octopus_erasure_reader_free (OctopusErasureReader *self)
{
  if (self == NULL)
    return;
  g_clear_object (&self->coder);
  for (guint i = 0; i < OCTOPUS_ERASURE_MAX_FRAGMENTS; i++)
    g_free (self->sources[i].buf);
  g_checksum_free (self->md5);
  g_checksum_free (self->sha256);
  g_free (self);
}

guint64
octopus_erasure_reader_get_n_segments (OctopusErasureReader *self)
{
  return self->n_segments;
}

guint64
octopus_erasure_reader_get_segment (OctopusErasureReader *self)
{
  return self->segment;
}

/**
 * octopus_erasure_reader_get_offset:
 *
 * Returns: where, in every archive, the current segment's fragment starts: an archive attached
 *   now (its first feed) must be fed from there
 */
guint64
octopus_erasure_reader_get_offset (OctopusErasureReader *self)
{
  return self->offset;
}

/* Returns: the size of every archive's fragment of the current segment */
gsize
octopus_erasure_reader_get_fragment_size (OctopusErasureReader *self)
{
  return self->fragment_size;
}

/**
 * octopus_erasure_reader_wants:
 *
 * Returns: how many more bytes of archive @index complete its fragment of the current segment
 *   (counting bytes it must skip first); 0 when it is complete, dropped or not wanted
 */
gsize
octopus_erasure_reader_wants (OctopusErasureReader *self, guint index)
{
  Source *s;

  if (index >= self->trailer.k + self->trailer.m || index == self->target
      || self->segment >= self->n_segments)
    return 0;
  s = &self->sources[index];
  if (s->dropped || s->complete)
    return 0;
  if (s->pos == NOT_ATTACHED)
    return self->fragment_size;
  return (gsize) (self->offset + self->fragment_size - s->pos);
}

static gboolean
complete_fragment (OctopusErasureReader *self, guint index, GError **error)
{
  Source *s = &self->sources[index];

  if (!octopus_erasure_coder_check_fragment (self->coder, s->buf, self->fragment_size, index,
                                             self->segment_len, error))
    {
      s->dropped = TRUE;
      self->damaged |= 1u << index;
      return FALSE;
    }
  s->complete = TRUE;
  return TRUE;
}

/**
 * octopus_erasure_reader_feed:
 * @index: the archive (fragment index) these bytes come from
 * @consumed: (out): bytes taken; never beyond the current segment's fragment
 *
 * Returns: %FALSE when the archive is not wanted or its fragment proved damaged
 *   (%OCTOPUS_ERASURE_ERROR_BAD_FRAGMENT: the archive is dropped; attach another one)
 */
gboolean
octopus_erasure_reader_feed (OctopusErasureReader *self, guint index, const guint8 *data,
                             gsize len, gsize *consumed, GError **error)
{
  Source *s;
  guint64 end;
  gsize n;

  *consumed = 0;
  if (index >= self->trailer.k + self->trailer.m || index == self->target)
    {
      g_set_error (error, OCTOPUS_ERASURE_ERROR, OCTOPUS_ERASURE_ERROR_INVALID_ARGUMENT,
                   _("There is no fragment %u in erasure coding %u+%u."), index, self->trailer.k,
                   self->trailer.m);
      return FALSE;
    }
  s = &self->sources[index];
  if (s->dropped)
    {
      g_set_error (error, OCTOPUS_ERASURE_ERROR, OCTOPUS_ERASURE_ERROR_BAD_FRAGMENT,
                   _("Archive %u was left out after a damaged fragment."), index);
      return FALSE;
    }
  if (self->segment >= self->n_segments || s->complete)
    return TRUE;
  if (s->pos == NOT_ATTACHED)
    s->pos = self->offset;
  if (s->buf == NULL)
    s->buf = g_malloc (octopus_erasure_fragment_size (self->trailer.k,
                                                      octopus_erasure_segment_length (
                                                        self->trailer.original_length,
                                                        self->trailer.segment_size, 0)));
  /* Bytes of a segment decoded without this archive's fragment are skipped. */
  n = (gsize) MIN ((guint64) len, self->offset - MIN (s->pos, self->offset));
  s->pos += n;
  *consumed = n;
  if (s->pos < self->offset)
    return TRUE;
  end = self->offset + self->fragment_size;
  n = (gsize) MIN ((guint64) (len - *consumed), end - s->pos);
  memcpy (s->buf + (s->pos - self->offset), data + *consumed, n);
  s->pos += n;
  *consumed += n;
  if (s->pos == end)
    return complete_fragment (self, index, error);
  return TRUE;
}

/* Returns: how many good fragments of the current segment are complete */
guint
octopus_erasure_reader_n_ready (OctopusErasureReader *self)
{
  guint n = 0;

  for (guint i = 0; i < self->trailer.k + self->trailer.m; i++)
    n += self->sources[i].complete;
  return n;
}

/**
 * octopus_erasure_reader_next:
 *
 * Decodes the current segment (or rebuilds the target's fragment of it) from the good
 * fragments fed so far, then moves to the next segment.
 *
 * Returns: (transfer full): the segment's original bytes, or the target's fragment; %NULL with
 *   %OCTOPUS_ERASURE_ERROR_NOT_ENOUGH while fewer than k good fragments are there
 */
GBytes *
octopus_erasure_reader_next (OctopusErasureReader *self, GError **error)
{
  guint8 *slots[OCTOPUS_ERASURE_MAX_FRAGMENTS] = { NULL };
  g_autoptr(GBytes) out = NULL;
  guint32 bad = 0;

  g_return_val_if_fail (self->segment < self->n_segments, NULL);
  for (guint i = 0; i < self->trailer.k + self->trailer.m; i++)
    slots[i] = self->sources[i].complete ? self->sources[i].buf : NULL;
  if (self->target == G_MAXUINT)
    out = octopus_erasure_coder_decode (self->coder, slots, self->segment_len, &bad, error);
  else
    out = octopus_erasure_coder_reconstruct (self->coder, slots, self->segment_len,
                                             self->target, &bad, error);
  self->damaged |= bad;
  if (out == NULL)
    return NULL;
  g_checksum_update (self->md5, g_bytes_get_data (out, NULL), g_bytes_get_size (out));
  if (self->target == G_MAXUINT)
    g_checksum_update (self->sha256, g_bytes_get_data (out, NULL), g_bytes_get_size (out));
  for (guint i = 0; i < OCTOPUS_ERASURE_MAX_FRAGMENTS; i++)
    self->sources[i].complete = FALSE;
  set_segment (self, self->segment + 1);
  return g_steal_pointer (&out);
}

static gboolean
digest_matches (GChecksum *sum, const guint8 *want, gsize len)
{
  guint8 got[32];
  gsize got_len = sizeof got;

  g_checksum_get_digest (sum, got, &got_len);
  return got_len == len && memcmp (got, want, len) == 0;
}

/**
 * octopus_erasure_reader_finish:
 * @trailer: (out) (optional): when rebuilding, the rebuilt archive's trailer
 *
 * After the last segment: checks the whole result against the trailer (decode: the original's
 * MD5 and SHA-256; rebuild: the archive's MD5).  Only then may the result be used.
 */
gboolean
octopus_erasure_reader_finish (OctopusErasureReader *self, GBytes **trailer, GError **error)
{
  OctopusErasureTrailer t = self->trailer;

  if (self->segment < self->n_segments)
    {
      g_set_error_literal (error, OCTOPUS_ERASURE_ERROR, OCTOPUS_ERASURE_ERROR_NOT_ENOUGH,
                           _("The archives ended before their last segment."));
      return FALSE;
    }
  if (self->target == G_MAXUINT)
    {
      if (!digest_matches (self->md5, t.md5, 16) || !digest_matches (self->sha256, t.sha256, 32))
        {
          g_set_error_literal (error, OCTOPUS_ERASURE_ERROR, OCTOPUS_ERASURE_ERROR_MISMATCH,
                               _("The decoded data does not match the checksums recorded "
                                 "with it."));
          return FALSE;
        }
      return TRUE;
    }
  if (!digest_matches (self->md5, t.archive_md5[self->target], 16))
    {
      g_set_error_literal (error, OCTOPUS_ERASURE_ERROR, OCTOPUS_ERASURE_ERROR_MISMATCH,
                           _("The rebuilt archive does not match the checksum recorded for it."));
      return FALSE;
    }
  t.index = self->target;
  if (trailer != NULL)
    *trailer = octopus_erasure_trailer_to_bytes (&t);
  return TRUE;
}

/* Returns: a bit for every archive in which a damaged fragment was found */
guint32
octopus_erasure_reader_get_damaged (OctopusErasureReader *self)
{
  return self->damaged;
}
