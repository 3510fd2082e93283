/* SPDX-License-Identifier: GPL-3.0-or-later */
/* octopus-s3-error.h — the S3 error domain: every failure of src/s3 is one of these.
 *
 * The code is a class of failure the upper layers act on (retry, ask for a new key, mark
 * the service unreachable, …).  The raw S3 error code, the HTTP status, the request id and
 * the service name travel with the GError as extended-error private data, so the UI can
 * show them and tests can assert them.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define OCTOPUS_S3_ERROR (octopus_s3_error_quark ())

typedef enum {
  OCTOPUS_S3_ERROR_FAILED,            /* anything not classified below */
  OCTOPUS_S3_ERROR_NETWORK,           /* unknown host, connection refused or reset, timeout */
  OCTOPUS_S3_ERROR_TLS,               /* the server certificate did not verify */
  OCTOPUS_S3_ERROR_AUTH,              /* SignatureDoesNotMatch, InvalidAccessKeyId */
  OCTOPUS_S3_ERROR_ACCESS_DENIED,     /* AccessDenied, AllAccessDisabled, other 403 */
  OCTOPUS_S3_ERROR_CLOCK_SKEW,        /* RequestTimeTooSkewed */
  OCTOPUS_S3_ERROR_NO_SUCH_BUCKET,    /* NoSuchBucket */
  OCTOPUS_S3_ERROR_NO_SUCH_KEY,       /* NoSuchKey, or a 404 with no body (HEAD) */
  OCTOPUS_S3_ERROR_NO_SUCH_UPLOAD,    /* NoSuchUpload */
  OCTOPUS_S3_ERROR_BUCKET_TAKEN,      /* BucketAlreadyExists: owned by someone else */
  OCTOPUS_S3_ERROR_BAD_DIGEST,        /* BadDigest, InvalidDigest, XAmzContentSHA256Mismatch */
  OCTOPUS_S3_ERROR_NOT_IMPLEMENTED,   /* 501, NotImplemented: the service lacks the feature */
  OCTOPUS_S3_ERROR_ACL_UNSUPPORTED,   /* AccessControlListNotSupported and friends */
  OCTOPUS_S3_ERROR_WRONG_REGION,      /* PermanentRedirect, AuthorizationHeaderMalformed region */
  OCTOPUS_S3_ERROR_SERVER,            /* 5xx, SlowDown, InternalError (after retries) */
  OCTOPUS_S3_ERROR_INVALID_REQUEST,   /* any other 4xx the server gave */
  OCTOPUS_S3_ERROR_MALFORMED_REPLY,   /* a reply we cannot parse, or one over the size bound */
  OCTOPUS_S3_ERROR_INVALID_ARGUMENT,  /* the caller's input: bad key, bad endpoint URL, … */
  OCTOPUS_S3_ERROR_CANCELLED,         /* unused: cancellation stays G_IO_ERROR_CANCELLED */
} OctopusS3ErrorCode;

GQuark      octopus_s3_error_quark            (void);

/* New error for an S3 error reply. @s3_code and @message come from the <Error> body and may
 * be NULL; @service names the service for the message ("Swift: Access denied …"). */
GError     *octopus_s3_error_new              (const char *service,
                                               guint       http_status,
                                               const char *s3_code,
                                               const char *message,
                                               const char *request_id);

/* Maps an S3 error code and HTTP status to the class above.  The code wins over the status;
 * an unknown or absent code falls back to the status (301/307 → WRONG_REGION, 403 →
 * ACCESS_DENIED, 404 → NO_SUCH_KEY, 501 → NOT_IMPLEMENTED, 5xx → SERVER, 4xx →
 * INVALID_REQUEST, anything else → FAILED).
 * BucketAlreadyOwnedByYou maps to INVALID_REQUEST: it has no class of its own because
 * CreateBucket callers must treat it as success (check octopus_s3_error_get_s3_code()). */
OctopusS3ErrorCode octopus_s3_error_classify  (guint       http_status,
                                               const char *s3_code);

/* Same, refined by the server's message: NotImplemented naming ACLs → ACL_UNSUPPORTED;
 * AuthorizationHeaderMalformed that does not mention a region → INVALID_REQUEST.
 * octopus_s3_error_new() classifies with this. */
OctopusS3ErrorCode octopus_s3_error_classify_full (guint       http_status,
                                                   const char *s3_code,
                                                   const char *message);

/* Wraps a transport failure (G_IO_ERROR, G_RESOLVER_ERROR, G_TLS_ERROR, …) as NETWORK or
 * TLS with a message naming @service; octopus_s3_error_is_retryable() on the result answers
 * as it would for @transport. Keep G_IO_ERROR_CANCELLED unwrapped. */
GError     *octopus_s3_error_new_from_transport (const char   *service,
                                                 const GError *transport);

/* Accessors for the extended data; NULL / 0 when the error is not an S3 reply error. */
const char *octopus_s3_error_get_s3_code      (const GError *error);
const char *octopus_s3_error_get_request_id   (const GError *error);
const char *octopus_s3_error_get_service      (const GError *error);
const char *octopus_s3_error_get_region       (const GError *error); /* from a redirect */
const char *octopus_s3_error_get_server_message (const GError *error); /* <Message> */
guint       octopus_s3_error_get_http_status  (const GError *error);
void        octopus_s3_error_set_region       (GError      *error,
                                               const char  *region);
/* Names the service in an error built without one: a reply error's message is rebuilt (the
 * XML parsers report an <Error> inside a 200 reply as service "S3"); an OCTOPUS_S3_ERROR made
 * with g_set_error() (e.g. MALFORMED_REPLY from a parser) gets "@service: " in front of its
 * message, unless it starts so already, and reports @service from
 * octopus_s3_error_get_service().  No-op for transport errors, which name their service. */
void        octopus_s3_error_set_service      (GError      *error,
                                               const char  *service);

/* TRUE for failures worth another attempt: the SERVER class (500/502/503/504, SlowDown,
 * RequestTimeout, InternalError, ServiceUnavailable, OperationAborted) and network
 * resets/timeouts (G_IO_ERROR_CONNECTION_CLOSED == _BROKEN_PIPE, _TIMED_OUT, _PARTIAL_INPUT,
 * G_RESOLVER_ERROR_TEMPORARY_FAILURE), whether raw or wrapped by
 * octopus_s3_error_new_from_transport().  NOT retryable: connection refused, unknown host,
 * unreachable network, TLS failures, cancellation, CLOCK_SKEW (the same clock fails again;
 * the caller must correct its time offset first) and every other class. */
gboolean    octopus_s3_error_is_retryable     (const GError *error);

G_END_DECLS
