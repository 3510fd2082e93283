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

/* Where a request for @bucket (may be NULL: the service root) and @encoded_path_rest (the
 * already-encoded key, or NULL) goes: "http://host:port" (with the bucket in the host for
 * virtual-hosted addressing), the Host header value, and the encoded path. */
typedef struct {
  char *scheme_host;
  char *host_header;
  char *path;
} OctopusS3Target;

void         octopus_s3_target_clear                 (OctopusS3Target *target);

SoupSession *octopus_s3_client_get_session           (OctopusS3Client *self);
guint        octopus_s3_client_get_max_attempts      (OctopusS3Client *self);
guint        octopus_s3_client_get_retry_base_ms     (OctopusS3Client *self);

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

/* Checks an object key by the rules above. */
gboolean     octopus_s3_client_check_key             (const char *key,
                                                      GError    **error);

G_END_DECLS
