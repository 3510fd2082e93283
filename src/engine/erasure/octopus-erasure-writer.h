/* SPDX-License-Identifier: GPL-3.0-or-later */
/* octopus-erasure-writer.h — a file's bytes in, each segment's k+m fragments out, then the
 * k+m trailers: an upload routes fragment i to service i with one segment in memory. */

#pragma once

#include "octopus-erasure-format.h"

G_BEGIN_DECLS

typedef struct _OctopusErasureWriter OctopusErasureWriter;

OctopusErasureWriter *octopus_erasure_writer_new             (guint          k,
                                                              guint          m,
                                                              GError       **error);
void                  octopus_erasure_writer_free            (OctopusErasureWriter *self);
gboolean              octopus_erasure_writer_write           (OctopusErasureWriter *self,
                                                              const guint8  *data,
                                                              gsize          len,
                                                              gsize         *consumed,
                                                              GError       **error);
GPtrArray            *octopus_erasure_writer_take_fragments  (OctopusErasureWriter *self);
gboolean              octopus_erasure_writer_finish          (OctopusErasureWriter *self,
                                                              GError       **error);
const OctopusErasureTrailer *octopus_erasure_writer_get_trailer (OctopusErasureWriter *self);
GBytes               *octopus_erasure_writer_dup_trailer     (OctopusErasureWriter *self,
                                                              guint          index);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (OctopusErasureWriter, octopus_erasure_writer_free)

G_END_DECLS
