/* SPDX-License-Identifier: GPL-3.0-or-later */
/* octopus-s3-request.h — one S3 request: built, signed, sent, retried, its reply read.
 *
 * Internal to src/s3.  A request is created for a client, given headers and a body, then
 * sent once with octopus_s3_request_send_async(), which owns it from then on.  Each attempt
 * is signed afresh (x-amz-date from the real clock).  Retries follow the client's policy
 * (max_attempts, exponential backoff with full jitter from retry_base_ms, capped at 20 s,
 * Retry-After honoured) and happen only for failures octopus_s3_error_is_retryable() accepts
 * and only when the request is marked OCTOPUS_S3_REQUEST_RETRY_SAFE and its body can be
 * replayed.  A non-2xx reply becomes an OCTOPUS_S3_ERROR naming the service.
 */
#pragma once

#include <libsoup/soup.h>
#include "octopus-s3-client.h"

G_BEGIN_DECLS

/* Bound on an error reply body read into memory; the rest is not read. */
#define OCTOPUS_S3_ERROR_BODY_MAX (1024 * 1024)
/* Longest backoff between two attempts. */
#define OCTOPUS_S3_RETRY_CAP_MS 20000

typedef enum {
  OCTOPUS_S3_REQUEST_NONE         = 0,
  OCTOPUS_S3_REQUEST_RETRY_SAFE   = 1 << 0, /* sending it twice does no harm */
  OCTOPUS_S3_REQUEST_STREAM_REPLY = 1 << 1, /* a 2xx body is handed back unread (GetObject) */
  OCTOPUS_S3_REQUEST_ERROR_IN_200 = 1 << 2, /* a 200 reply may be an <Error> (Complete, Copy) */
} OctopusS3RequestFlags;

typedef struct _OctopusS3Request OctopusS3Request;

typedef struct {
  guint               status;
  SoupMessageHeaders *headers;  /* the reply's headers */
  GBytes             *body;     /* the reply body (bounded); NULL with STREAM_REPLY */
  GInputStream       *stream;   /* STREAM_REPLY only: the caller reads and closes it */
} OctopusS3Response;

void               octopus_s3_response_free (OctopusS3Response *response);

/* @key NULL for bucket-level requests, @bucket NULL for ListBuckets; @query is already
 * encoded ("list-type=2&prefix=a%2Fb"), without '?', or NULL. */
OctopusS3Request *octopus_s3_request_new             (OctopusS3Client *client,
                                                      const char      *method,
                                                      const char      *bucket,
                                                      const char      *key,
                                                      const char      *query,
                                                      GError         **error);
void              octopus_s3_request_free            (OctopusS3Request *request);

/* Adds a request header; x-amz-* and content-md5 headers are signed. */
void              octopus_s3_request_add_header      (OctopusS3Request *request,
                                                      const char       *name,
                                                      const char       *value);
void              octopus_s3_request_set_flags       (OctopusS3Request     *request,
                                                      OctopusS3RequestFlags flags);
void              octopus_s3_request_set_content_type (OctopusS3Request *request,
                                                       const char       *content_type);
/* An in-memory body: replayable, its SHA-256 is signed. */
void              octopus_s3_request_set_body_bytes  (OctopusS3Request *request,
                                                      GBytes           *body);
/* A streamed body of @length bytes, sent UNSIGNED-PAYLOAD (Content-MD5 guards it);
 * replayable only when @stream is seekable (it is rewound to where it was).  The caller's
 * stream is never closed by the request. */
void              octopus_s3_request_set_body_stream (OctopusS3Request *request,
                                                      GInputStream     *stream,
                                                      goffset           length);
void              octopus_s3_request_set_progress    (OctopusS3Request     *request,
                                                      OctopusS3ProgressFunc progress,
                                                      gpointer              progress_data);
/* Bound for a 2xx body read into memory; default OCTOPUS_S3_XML_MAX_SIZE. */
void              octopus_s3_request_set_reply_limit (OctopusS3Request *request,
                                                      gsize             limit);

void               octopus_s3_request_send_async  (OctopusS3Request   *request, /* owned */
                                                   GCancellable       *cancellable,
                                                   GAsyncReadyCallback callback,
                                                   gpointer            user_data);
OctopusS3Response *octopus_s3_request_send_finish (GAsyncResult *result,
                                                   GError      **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (OctopusS3Request, octopus_s3_request_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (OctopusS3Response, octopus_s3_response_free)

G_END_DECLS
