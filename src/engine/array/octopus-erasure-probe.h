/* SPDX-License-Identifier: GPL-3.0-or-later */
/* octopus-erasure-probe.h — what each service holds of one erasure-coded key (issue 20):
 * its archive's trailer (a ranged GET of the last 640 bytes; the reply's headers carry
 * x-amz-meta-octopus-ec), checked against the set most archives agree on, and with @deep the
 * MD5 of the archive's data against the trailer's record for its index. */
#pragma once

#include <gio/gio.h>

#include "octopus-erasure-format.h"
#include "octopus-object.h"
#include "octopus-s3-types.h"

G_BEGIN_DECLS

typedef struct _OctopusErasureProbe {
  guint              n;          /* services */
  gboolean           erasure;    /* some copy says x-amz-meta-octopus-ec */
  OctopusErasureTrailer reference; /* the set most archives agree on (valid when n_good > 0) */
  OctopusObjectState *states;    /* per service: IN_SYNC (good), DAMAGED, MISSING, UNREACHABLE */
  guint             *index;      /* per service: its archive's index (for the good ones) */
  char             **errors;     /* per service: why it is unreachable or damaged, or NULL */
  guint              n_good;
} OctopusErasureProbe;

void octopus_erasure_probe_free (OctopusErasureProbe *probe);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (OctopusErasureProbe, octopus_erasure_probe_free)

/* @listed: NULL (each service is HEADed first), or n entries from a listing (NULL: not
 *   listed there); @reachable: NULL or n entries (FALSE: the service could not be listed).
 * @memo: NULL, or a table this function fills (see octopus_erasure_probe_memo_new) so that
 *   the same (service, key, ETag) is not read twice. */
void                 _octopus_erasure_probe_async  (GPtrArray        *services,
                                                    const char       *key,
                                                    OctopusS3Object **listed,
                                                    const gboolean   *reachable,
                                                    gboolean          deep,
                                                    GHashTable       *memo,
                                                    GCancellable     *cancellable,
                                                    GAsyncReadyCallback callback,
                                                    gpointer          user_data);
OctopusErasureProbe *_octopus_erasure_probe_finish (GAsyncResult     *result,
                                                    GError          **error);
GHashTable          *octopus_erasure_probe_memo_new (void);

G_END_DECLS
