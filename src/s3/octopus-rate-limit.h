/* SPDX-License-Identifier: GPL-3.0-or-later */
/* octopus-rate-limit.h — a token bucket shared by every transfer in one direction.
 *
 * Every request body (octopus-s3-request.c) and every GET body (octopus_s3_client_get_object)
 * is read through an OctopusRateLimitedStream that asks the process-wide bucket of its
 * direction for bytes before it reads them, so one limit covers all transfers together.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define OCTOPUS_TYPE_RATE_LIMIT (octopus_rate_limit_get_type ())
G_DECLARE_FINAL_TYPE (OctopusRateLimit, octopus_rate_limit, OCTOPUS, RATE_LIMIT, GObject)

/* Microseconds on a monotonic clock; g_get_monotonic_time unless a test injects another. */
typedef gint64 (*OctopusRateLimitClock) (gpointer data);

/* @rate in bytes per second, 0 = unlimited. */
OctopusRateLimit *octopus_rate_limit_new       (guint64               rate);
void              octopus_rate_limit_set_clock (OctopusRateLimit     *self,
                                                OctopusRateLimitClock clock,
                                                gpointer              clock_data);
guint64           octopus_rate_limit_get_rate  (OctopusRateLimit     *self);
/* Takes effect at once, for transfers that are running too. */
void              octopus_rate_limit_set_rate  (OctopusRateLimit     *self,
                                                guint64               rate);

/* Grants up to @wanted bytes now (the whole of @wanted when unlimited) and returns how many;
 * returns 0 when the bucket is empty and sets @wait_us to the time until it is not. */
gsize             octopus_rate_limit_take      (OctopusRateLimit     *self,
                                                gsize                 wanted,
                                                gint64               *wait_us);
/* Returns bytes granted but not used (a short read), so they are not lost to the rate. */
void              octopus_rate_limit_give_back (OctopusRateLimit     *self,
                                                gsize                 unused);

/* The process-wide buckets (borrowed; they live as long as the process). */
OctopusRateLimit *octopus_rate_limit_get_upload   (void);
OctopusRateLimit *octopus_rate_limit_get_download (void);

/* Parses a rate as rclone does: "5M" = 5 MiB/s, "500K", "1G", plain bytes per second,
 * "0" or "off" = unlimited. */
gboolean          octopus_rate_parse           (const char           *text,
                                                guint64              *rate,
                                                GError              **error);

G_END_DECLS
