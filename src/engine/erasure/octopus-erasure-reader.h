/* SPDX-License-Identifier: GPL-3.0-or-later */
/* octopus-erasure-reader.h — k or more archives in, segment by segment: the original bytes
 * (decode) or one lost archive rebuilt byte for byte (rebuild). */

#pragma once

#include "octopus-erasure-format.h"

G_BEGIN_DECLS

typedef struct _OctopusErasureReader OctopusErasureReader;

OctopusErasureReader *octopus_erasure_reader_new            (const OctopusErasureTrailer *trailer,
                                                             GError      **error);
OctopusErasureReader *octopus_erasure_reader_new_rebuild    (const OctopusErasureTrailer *trailer,
                                                             guint         target,
                                                             GError      **error);
void                  octopus_erasure_reader_free           (OctopusErasureReader *self);

guint64               octopus_erasure_reader_get_n_segments (OctopusErasureReader *self);
guint64               octopus_erasure_reader_get_segment    (OctopusErasureReader *self);
guint64               octopus_erasure_reader_get_offset     (OctopusErasureReader *self);
gsize                 octopus_erasure_reader_get_fragment_size (OctopusErasureReader *self);
gsize                 octopus_erasure_reader_wants          (OctopusErasureReader *self,
                                                             guint         index);
gboolean              octopus_erasure_reader_feed           (OctopusErasureReader *self,
                                                             guint         index,
                                                             const guint8 *data,
                                                             gsize         len,
                                                             gsize        *consumed,
                                                             GError      **error);
guint                 octopus_erasure_reader_n_ready        (OctopusErasureReader *self);
GBytes               *octopus_erasure_reader_next           (OctopusErasureReader *self,
                                                             GError      **error);
gboolean              octopus_erasure_reader_finish         (OctopusErasureReader *self,
                                                             GBytes      **trailer,
                                                             GError      **error);
guint32               octopus_erasure_reader_get_damaged    (OctopusErasureReader *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (OctopusErasureReader, octopus_erasure_reader_free)

G_END_DECLS
