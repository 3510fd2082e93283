/* SPDX-License-Identifier: GPL-3.0-or-later */
/* octopus-erasure-fetch.h — k good archives of one key streamed from their services into an
 * OctopusErasureReader, segment by segment, and its output written to a local stream: the
 * original (download) or one archive rebuilt (repair), issue 20. */
#pragma once

#include <gio/gio.h>

#include "octopus-erasure-probe.h"
#include "octopus-erasure-reader.h"

G_BEGIN_DECLS

/* @probe and @reader are borrowed and must live until the callback.  A fragment that fails its
 * check (or a read that breaks off) drops that archive, and the next good one is attached from
 * the reader's offset on.  On success the reader has been finished (the result checked against
 * the trailer) and, when rebuilding, the rebuilt trailer written after the fragments.  The
 * caller closes @out. */
void     _octopus_erasure_fetch_async  (GPtrArray            *services,
                                        const char           *key,
                                        OctopusErasureProbe  *probe,
                                        OctopusErasureReader *reader,
                                        guint                 target,
                                        GOutputStream        *out,
                                        GCancellable         *cancellable,
                                        GAsyncReadyCallback   callback,
                                        gpointer              user_data);
gboolean _octopus_erasure_fetch_finish (GAsyncResult         *result,
                                        GError              **error);

G_END_DECLS
