/* SPDX-License-Identifier: GPL-3.0-or-later */
/* octopus-bounded-stream.h — a window of at most N bytes of another input stream.
 *
 * Internal to src/s3.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define OCTOPUS_TYPE_BOUNDED_STREAM (octopus_bounded_stream_get_type ())
G_DECLARE_FINAL_TYPE (OctopusBoundedStream, octopus_bounded_stream, OCTOPUS, BOUNDED_STREAM,
                      GInputStream)

/* Reads at most @length bytes of @base and never closes it. */
GInputStream *octopus_bounded_stream_new (GInputStream *base,
                                          goffset       length);

G_END_DECLS
