/* SPDX-License-Identifier: GPL-3.0-or-later */
/* octopus-sigv4.h — AWS Signature Version 4 for S3, in stages that can be tested one by one.
 *
 * S3 rules, unlike the generic AWS ones: the canonical URI is the S3 URI encoding of the
 * decoded path (encoded once, '/' kept, never normalised, never double-encoded), which is
 * the path as sent except where a client sends "." / ".." segments as %2E; the payload hash
 * is the hex SHA-256 of the body or "UNSIGNED-PAYLOAD".  Secret-derived buffers are cleansed.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define OCTOPUS_SIGV4_UNSIGNED_PAYLOAD "UNSIGNED-PAYLOAD"
#define OCTOPUS_SIGV4_EMPTY_SHA256 \
  "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

typedef struct {
  const char         *method;        /* "GET", "PUT", … */
  const char         *path;          /* canonical URI, e.g. "/bkt/a%20b", "/bkt/../x" */
  const char         *query;         /* query as sent, without '?' (any order), or NULL */
  const char * const *headers;       /* NULL-terminated name, value, name, value, …; every header
                                        to sign, "host" included; names in any case */
  const char         *payload_hash;  /* hex SHA-256 of the body, or UNSIGNED-PAYLOAD */
} OctopusSigV4Request;

/* S3 URI encoding: every byte except A-Z a-z 0-9 - . _ ~ becomes %XX (upper-case hex);
 * '/' is kept when @keep_slash is TRUE (object keys in paths), encoded otherwise. */
char *octopus_sigv4_uri_encode          (const char *s,
                                         gboolean    keep_slash);

/* Canonical query string: parameters sorted by name (then value), each name and value
 * decoded once and re-encoded by the rule above, "name=" for value-less parameters.
 * '+' is a literal plus (RFC 3986, as S3 reads it), never a space; a '%' without two hex
 * digits after it is a literal '%'.  NULL or "" gives "". */
char *octopus_sigv4_canonical_query     (const char *query);

/* The canonical request; @signed_headers receives "host;x-amz-date;…". */
char *octopus_sigv4_canonical_request   (const OctopusSigV4Request *request,
                                         char                     **signed_headers);

/* "AWS4-HMAC-SHA256\n<amz_date>\n<date>/<region>/<service>/aws4_request\n<hex sha256>" */
char *octopus_sigv4_string_to_sign     (const char *amz_date,      /* 20150830T123600Z */
                                         const char *region,
                                         const char *service,
                                         const char *canonical_request);

/* HMAC chain "AWS4"+secret → date → region → service → "aws4_request".  Only the first
 * 8 characters of @date are used, so a full amz-date works too.  The caller must
 * OPENSSL_cleanse @key_out when done with it. */
void  octopus_sigv4_signing_key         (const char *secret_key,
                                         const char *date,          /* 20150830 */
                                         const char *region,
                                         const char *service,
                                         guint8      key_out[32]);

/* Lower-case hex HMAC-SHA256 of @string_to_sign with @signing_key. */
char *octopus_sigv4_signature           (const guint8 signing_key[32],
                                         const char  *string_to_sign);

/* The whole Authorization header value (NULL only if OpenSSL fails); the signing key it
 * derives is wiped before returning:
 * "AWS4-HMAC-SHA256 Credential=AK/20150830/us-east-1/s3/aws4_request, SignedHeaders=…,
 * Signature=…" */
char *octopus_sigv4_authorization       (const OctopusSigV4Request *request,
                                         const char                *access_key,
                                         const char                *secret_key,
                                         const char                *region,
                                         const char                *service,
                                         const char                *amz_date);

/* A presigned URL (query-string auth, X-Amz-Expires seconds) for @method on @path of @host.
 * @scheme_host is "https://examplebucket.s3.amazonaws.com"; @path is encoded as above. */
char *octopus_sigv4_presign             (const char *method,
                                         const char *scheme_host,
                                         const char *host_header,  /* value of Host */
                                         const char *path,
                                         const char *access_key,
                                         const char *secret_key,
                                         const char *region,
                                         const char *amz_date,
                                         guint       expires_seconds);

/* Same, with extra parameters signed into the URL (e.g. "partNumber=1&uploadId=…" for a
 * presigned UploadPart); @query is as sent, without '?', or NULL.  The returned URL carries
 * the canonical (sorted, encoded-once) query followed by X-Amz-Signature. */
char *octopus_sigv4_presign_with_query  (const char *method,
                                         const char *scheme_host,
                                         const char *host_header,
                                         const char *path,
                                         const char *query,
                                         const char *access_key,
                                         const char *secret_key,
                                         const char *region,
                                         const char *amz_date,
                                         guint       expires_seconds);

/* "20150830T123600Z" for @time (UTC). */
char *octopus_sigv4_format_amz_date     (GDateTime *time);

/* Lower-case hex SHA-256 of @data. */
char *octopus_sigv4_sha256_hex          (const void *data,
                                         gsize       length);

G_END_DECLS
