/* SPDX-License-Identifier: GPL-3.0-or-later */
/* octopus-share.h — share links: a presigned GET URL for one copy of a key that is in sync.
 *
 * A link is signed with the service's own keys and checked by that service alone, so it is
 * only handed out for a copy that matched the reference at the array's last refresh: a link
 * to a missing or differing copy would share the wrong bytes, or nothing.  A link cannot be
 * revoked: it works until it expires, or until the object is deleted or overwritten.
 * Signing sends nothing over the network, so these calls are synchronous.
 */
#pragma once

#include "octopus-array.h"

G_BEGIN_DECLS

/* SigV4's limit for X-Amz-Expires: seven days. */
#define OCTOPUS_SHARE_MAX_SECONDS (7 * 24 * 60 * 60)

/* "90s", "30m", "1h", "12h", "1d", "7d": a whole number and one unit (s, m, h, d) → seconds.
 * Anything else, or a duration outside 1 s … 7 days, is a G_IO_ERROR_INVALID_ARGUMENT that
 * says why. */
gboolean  octopus_share_parse_duration (const char  *text,
                                        guint       *seconds,
                                        GError     **error);

/* The names of the services whose copy of @key was in sync at the last refresh, in service
 * order (an empty vector when none is). */
char    **octopus_array_share_services (OctopusArray *self,
                                        const char   *key);

/* A presigned GET URL for @key, valid for @expires_seconds (1 … OCTOPUS_SHARE_MAX_SECONDS),
 * from the copy on @service_name, or on the first service whose copy is in sync when
 * @service_name is NULL.  @service_used (nullable) receives the service's name.
 * Errors: G_IO_ERROR_INVALID_ARGUMENT (the expiry is out of range; no service has that
 * name), G_IO_ERROR_NOT_FOUND (no service holds @key; no copy, or not that service's, is in
 * sync), G_IO_ERROR_FAILED (the URL could not be signed). */
char     *octopus_array_share_url      (OctopusArray  *self,
                                        const char    *key,
                                        const char    *service_name,
                                        guint          expires_seconds,
                                        char         **service_used,
                                        GError       **error);

G_END_DECLS
