/* SPDX-License-Identifier: GPL-3.0-or-later */
/* octopus-rate-limited-stream.h — reads another stream no faster than an OctopusRateLimit.
 *
 * Internal to src/s3.
 */
#pragma once

#include "octopus-rate-limit.h"

G_BEGIN_DECLS

#define OCTOPUS_TYPE_RATE_LIMITED_STREAM (octopus_rate_limited_stream_get_type ())
G_DECLARE_FINAL_TYPE (OctopusRateLimitedStream, octopus_rate_limited_stream, OCTOPUS,
                      RATE_LIMITED_STREAM, GInputStream)

/* Closing the new stream closes @base. */
GInputStream *octopus_rate_limited_stream_new (GInputStream     *base,
                                               OctopusRateLimit *limit);

G_END_DECLS
