/* SPDX-License-Identifier: GPL-3.0-or-later */
/* octopus-erasure-format.h — the archive layout: fragments of 1 MiB segments, then a trailer.
 * docs/erasure-format.md describes it byte by byte. */

#pragma once

#include "octopus-erasure-coder.h"

G_BEGIN_DECLS

#define OCTOPUS_ERASURE_SEGMENT_SIZE   (1024 * 1024)
#define OCTOPUS_ERASURE_TRAILER_SIZE   640
#define OCTOPUS_ERASURE_FORMAT_VERSION 1

/* What a trailer says.  The trailers of one set differ only in @index (and their checksum). */
typedef struct {
  guint   k;
  guint   m;
  guint   index;              /* this archive's fragment index, 0 ≤ index < k+m */
  guint32 segment_size;
  guint64 original_length;
  guint64 data_length;        /* bytes of every archive before its trailer */
  guint32 libec_version;      /* liberasurecode that wrote the set; informative */
  guint8  md5[16];            /* of the original */
  guint8  sha256[32];         /* of the original */
  /* archive_md5[i]: MD5 of archive i's first data_length bytes, i.e. without its trailer. */
  guint8  archive_md5[OCTOPUS_ERASURE_MAX_FRAGMENTS][16];
} OctopusErasureTrailer;

guint64  octopus_erasure_n_segments          (guint64      original_length,
                                              guint32      segment_size);
gsize    octopus_erasure_segment_length      (guint64      original_length,
                                              guint32      segment_size,
                                              guint64      segment);
guint64  octopus_erasure_data_length         (guint        k,
                                              guint64      original_length,
                                              guint32      segment_size);
guint64  octopus_erasure_fragment_offset     (guint        k,
                                              guint32      segment_size,
                                              guint64      segment);

void     octopus_erasure_trailer_write       (const OctopusErasureTrailer *trailer,
                                              guint8       out[OCTOPUS_ERASURE_TRAILER_SIZE]);
GBytes  *octopus_erasure_trailer_to_bytes    (const OctopusErasureTrailer *trailer);
gboolean octopus_erasure_trailer_parse       (const guint8 *data,
                                              gsize        len,
                                              OctopusErasureTrailer *trailer,
                                              GError     **error);
gboolean octopus_erasure_trailer_same_set    (const OctopusErasureTrailer *a,
                                              const OctopusErasureTrailer *b);

char    *octopus_erasure_scheme_to_string    (guint        k,
                                              guint        m,
                                              guint        index);
gboolean octopus_erasure_scheme_parse        (const char  *scheme,
                                              guint       *k,
                                              guint       *m,
                                              guint       *index,
                                              GError     **error);

guint32  octopus_erasure_get_le32            (const guint8 *p);
guint64  octopus_erasure_get_le64            (const guint8 *p);
gboolean octopus_erasure_is_zero             (const guint8 *p,
                                              gsize         len);

G_END_DECLS
