/* SPDX-License-Identifier: GPL-3.0-or-later */
/* octopus-s3-client-private.h — what the request engine needs from the client object.
 *
 * Internal to src/s3: the session, the retry policy, the address of a bucket/key, and a
 * signer that keeps the secret key inside octopus-s3-client.c.
 */
#pragma once

#include <libsoup/soup.h>
#include "octopus-s3-client.h"
#include "octopus-sigv4.h"

G_BEGIN_DECLS

/* Where a request for @bucket (may be NULL: the service root) and @key (or NULL) goes:
 * "http://host:port" (with the bucket in the host for virtual-hosted addressing), the Host
 * header value, the encoded path as sent, and the canonical URI that is signed.
 *
 * The two paths differ only in path segments that are exactly "." or "..": S3 keys may
 * contain them ("../x", "a/./b"), but every URL layer (GUri, libsoup, proxies) would remove
 * them as dot segments, so on the wire their dots go out as %2E.  The signature covers the
 * canonical URI, which by the SigV4 rules is the S3 URI encoding of the decoded path, where
 * '.' is unreserved: "/bkt/../x" (AWS's documented rule; Swift's s3api computes the same,
 * checked: it refuses "%2E%2E" in the signed path). */
typedef struct {
  char *scheme_host;
  char *host_header;
  char *path;            /* as sent: "/bkt/%2E%2E/x" */
  char *canonical_path;  /* as signed: "/bkt/../x" */
} OctopusS3Target;

void         octopus_s3_target_clear                 (OctopusS3Target *target);

SoupSession *octopus_s3_client_get_session           (OctopusS3Client *self);
guint        octopus_s3_client_get_max_attempts      (OctopusS3Client *self);
guint        octopus_s3_client_get_retry_base_ms     (OctopusS3Client *self);
/* A successful reply with @headers arrived just now: its Date header tells the service's
 * clock (octopus_s3_client_get_clock_offset()). */
void         octopus_s3_client_note_reply            (OctopusS3Client    *self,
                                                      SoupMessageHeaders *headers);

/* Fills @target; an invalid bucket or key (empty, > 1024 bytes, not UTF-8) is
 * OCTOPUS_S3_ERROR_INVALID_ARGUMENT. */
gboolean     octopus_s3_client_locate                (OctopusS3Client *self,
                                                      const char      *bucket,
                                                      const char      *key,
                                                      OctopusS3Target *target,
                                                      GError         **error);

/* The Authorization header for @request signed now (@amz_date) with the client's keys. */
char        *octopus_s3_client_authorize             (OctopusS3Client           *self,
                                                      const OctopusSigV4Request *request,
                                                      const char                *amz_date);

/* Names this client's service in @error (NULL or any domain: no-op outside
 * OCTOPUS_S3_ERROR); for errors the parsers made without a service, e.g. MALFORMED_REPLY. */
void         octopus_s3_client_name_error            (OctopusS3Client *self,
                                                      GError          *error);

/* Checks an object key by the rules above. */
gboolean     octopus_s3_client_check_key             (const char *key,
                                                      GError    **error);

G_END_DECLS
