/* SPDX-License-Identifier: GPL-3.0-or-later */
/* octopus-s3-client.h — one S3-compatible service, spoken to asynchronously over libsoup3.
 *
 * Every operation is a GTask-based _async/_finish pair with a GCancellable.  Requests are
 * signed with SigV4; replies that are S3 errors become OCTOPUS_S3_ERROR errors naming the
 * service; idempotent requests (and every request whose body can be replayed) are retried with
 * exponential backoff and jitter on retryable failures (octopus_s3_error_is_retryable).
 * The client never logs a secret and keeps the secret key in memory only as long as it lives.
 */
#pragma once

#include <gio/gio.h>
#include "octopus-s3-types.h"
#include "octopus-s3-error.h"

G_BEGIN_DECLS

#define OCTOPUS_TYPE_S3_CLIENT (octopus_s3_client_get_type ())
G_DECLARE_FINAL_TYPE (OctopusS3Client, octopus_s3_client, OCTOPUS, S3_CLIENT, GObject)

typedef struct {
  const char *name;            /* service name used in error messages, e.g. "Swift (local)" */
  const char *endpoint;        /* "https://s3.eu-west-1.amazonaws.com", "http://127.0.0.1:9000" */
  const char *region;          /* NULL → "us-east-1" */
  const char *access_key;
  const char *secret_key;      /* copied; cleansed when the client is finalized */
  gboolean    path_style;      /* TRUE: http://host/bucket/key; FALSE: http://bucket.host/key */
  gboolean    allow_http;      /* plain http:// endpoints are refused unless TRUE */
  guint       max_connections; /* per host; 0 → 8 */
  guint       max_attempts;    /* for retryable failures; 0 → 5 */
  guint       retry_base_ms;   /* first backoff delay; 0 → 200 ms (tests use small values) */
  guint       timeout_seconds; /* socket I/O timeout; 0 → 60 */
} OctopusS3ClientOptions;

/* Reports bytes of a request body written so far (from libsoup's wrote-body-data), and the
 * total.  Called on the thread-default main context of the caller. */
typedef void (*OctopusS3ProgressFunc) (goffset  bytes_sent,
                                       goffset  total,
                                       gpointer user_data);

/* Optional settings for PutObject / CreateMultipartUpload / CopyObject. */
typedef struct {
  const char *content_type;    /* NULL → application/octet-stream */
  GHashTable *metadata;        /* user metadata name → value, sent as x-amz-meta-<name> */
  const char *canned_acl;      /* NULL → no x-amz-acl header at all */
  const char *content_md5;     /* base64 MD5 of the body, sent as Content-MD5
                                  (PutObject, UploadPart) */
  OctopusS3ProgressFunc progress;
  gpointer    progress_data;
} OctopusS3PutOptions;

OctopusS3Client *octopus_s3_client_new          (const OctopusS3ClientOptions *options,
                                                 GError                      **error);
const char      *octopus_s3_client_get_name     (OctopusS3Client *self);
const char      *octopus_s3_client_get_endpoint (OctopusS3Client *self);
const char      *octopus_s3_client_get_region   (OctopusS3Client *self);
/* Use @region from now on (after discovery from x-amz-bucket-region or a redirect). */
void             octopus_s3_client_set_region   (OctopusS3Client *self,
                                                 const char      *region);

/* How far the service's clock is ahead of this computer's (µs, negative: behind), from the
 * Date header of its latest successful reply (whole seconds: ±1 s).  FALSE before a reply
 * carried one. */
gboolean         octopus_s3_client_get_clock_offset (OctopusS3Client *self,
                                                     gint64          *offset_us);

/* The URL a request for @bucket/@key goes to (key encoded; for display and tests). */
char            *octopus_s3_client_build_url    (OctopusS3Client *self,
                                                 const char      *bucket,
                                                 const char      *key);
/* A presigned GET URL valid for @expires_seconds. */
char            *octopus_s3_client_presign_get  (OctopusS3Client *self,
                                                 const char      *bucket,
                                                 const char      *key,
                                                 guint            expires_seconds);

/* ListBuckets → GPtrArray of OctopusS3Bucket */
void       octopus_s3_client_list_buckets_async  (OctopusS3Client *self, GCancellable *cancellable,
                                                  GAsyncReadyCallback callback, gpointer user_data);
GPtrArray *octopus_s3_client_list_buckets_finish (OctopusS3Client *self, GAsyncResult *result,
                                                  GError **error);

/* HeadBucket → TRUE; @region receives x-amz-bucket-region when the server sent one. */
void     octopus_s3_client_head_bucket_async  (OctopusS3Client *self, const char *bucket,
                                               GCancellable *cancellable,
                                               GAsyncReadyCallback callback, gpointer user_data);
gboolean octopus_s3_client_head_bucket_finish (OctopusS3Client *self, GAsyncResult *result,
                                               char **region, GError **error);

/* GetBucketLocation → region ("us-east-1" for the empty constraint). */
void  octopus_s3_client_get_bucket_location_async  (OctopusS3Client *self, const char *bucket,
                                                    GCancellable *cancellable,
                                                    GAsyncReadyCallback callback,
                                                    gpointer user_data);
char *octopus_s3_client_get_bucket_location_finish (OctopusS3Client *self, GAsyncResult *result,
                                                    GError **error);

/* CreateBucket; @location_constraint NULL for us-east-1.  BucketAlreadyOwnedByYou is success. */
void     octopus_s3_client_create_bucket_async  (OctopusS3Client *self, const char *bucket,
                                                 const char *location_constraint,
                                                 GCancellable *cancellable,
                                                 GAsyncReadyCallback callback, gpointer user_data);
gboolean octopus_s3_client_create_bucket_finish (OctopusS3Client *self, GAsyncResult *result,
                                                 GError **error);

/* DeleteBucket (tests and cleanup). */
void     octopus_s3_client_delete_bucket_async  (OctopusS3Client *self, const char *bucket,
                                                 GCancellable *cancellable,
                                                 GAsyncReadyCallback callback, gpointer user_data);
gboolean octopus_s3_client_delete_bucket_finish (OctopusS3Client *self, GAsyncResult *result,
                                                 GError **error);

/* One page of ListObjectsV2 (encoding-type=url; keys come back decoded).
 * @continuation_token NULL for the first page; @max_keys 0 → server default (1000). */
void               octopus_s3_client_list_objects_async  (OctopusS3Client *self, const char *bucket,
                                                          const char *prefix,
                                                          const char *continuation_token,
                                                          guint max_keys,
                                                          GCancellable *cancellable,
                                                          GAsyncReadyCallback callback,
                                                          gpointer user_data);
OctopusS3ListPage *octopus_s3_client_list_objects_finish (OctopusS3Client *self,
                                                          GAsyncResult *result,
                                                          GError **error);

/* Every page of ListObjectsV2 → GPtrArray of OctopusS3Object. */
void       octopus_s3_client_list_all_objects_async  (OctopusS3Client *self, const char *bucket,
                                                      const char *prefix,
                                                      GCancellable *cancellable,
                                                      GAsyncReadyCallback callback,
                                                      gpointer user_data);
GPtrArray *octopus_s3_client_list_all_objects_finish (OctopusS3Client *self, GAsyncResult *result,
                                                      GError **error);

/* HeadObject → OctopusS3Object with size, etag, last_modified, content_type and metadata.
 * A missing key is OCTOPUS_S3_ERROR_NO_SUCH_KEY. */
void             octopus_s3_client_head_object_async  (OctopusS3Client *self, const char *bucket,
                                                       const char *key,
                                                       GCancellable *cancellable,
                                                       GAsyncReadyCallback callback,
                                                       gpointer user_data);
OctopusS3Object *octopus_s3_client_head_object_finish (OctopusS3Client *self, GAsyncResult *result,
                                                       GError **error);

/* PutObject from a buffer (replayable, so retried) → ETag (quotes stripped). */
void  octopus_s3_client_put_object_async  (OctopusS3Client *self, const char *bucket,
                                           const char *key, GBytes *body,
                                           const OctopusS3PutOptions *options,
                                           GCancellable *cancellable,
                                           GAsyncReadyCallback callback, gpointer user_data);
char *octopus_s3_client_put_object_finish (OctopusS3Client *self, GAsyncResult *result,
                                           GError **error);

/* PutObject from a stream of known @length → ETag.  Retried only when @body is a seekable
 * stream that can be rewound to where it started. */
void  octopus_s3_client_put_object_stream_async  (OctopusS3Client *self, const char *bucket,
                                                  const char *key, GInputStream *body,
                                                  goffset length,
                                                  const OctopusS3PutOptions *options,
                                                  GCancellable *cancellable,
                                                  GAsyncReadyCallback callback,
                                                  gpointer user_data);
char *octopus_s3_client_put_object_stream_finish (OctopusS3Client *self, GAsyncResult *result,
                                                  GError **error);

/* GetObject as a stream.  @range_start/@range_end inclusive byte range, or -1/-1 for the
 * whole object.  @info receives the object's headers (size = Content-Length of the reply).
 * The caller reads and closes the stream; a short read is the caller's to detect against
 * info->size. */
void          octopus_s3_client_get_object_async  (OctopusS3Client *self, const char *bucket,
                                                   const char *key, gint64 range_start,
                                                   gint64 range_end,
                                                   GCancellable *cancellable,
                                                   GAsyncReadyCallback callback,
                                                   gpointer user_data);
GInputStream *octopus_s3_client_get_object_finish (OctopusS3Client *self, GAsyncResult *result,
                                                   OctopusS3Object **info, GError **error);

/* DeleteObject (a missing key is success, as in S3). */
void     octopus_s3_client_delete_object_async  (OctopusS3Client *self, const char *bucket,
                                                 const char *key,
                                                 GCancellable *cancellable,
                                                 GAsyncReadyCallback callback, gpointer user_data);
gboolean octopus_s3_client_delete_object_finish (OctopusS3Client *self, GAsyncResult *result,
                                                 GError **error);

/* DeleteObjects (POST ?delete, Content-MD5, ≤ 1000 keys) → GPtrArray of OctopusS3DeleteError
 * for the keys that failed (empty when all were deleted). */
void       octopus_s3_client_delete_objects_async  (OctopusS3Client *self, const char *bucket,
                                                    const char * const *keys,
                                                    GCancellable *cancellable,
                                                    GAsyncReadyCallback callback,
                                                    gpointer user_data);
GPtrArray *octopus_s3_client_delete_objects_finish (OctopusS3Client *self, GAsyncResult *result,
                                                    GError **error);

/* CopyObject within the service; @metadata non-NULL → REPLACE directive with it. → ETag */
void  octopus_s3_client_copy_object_async  (OctopusS3Client *self, const char *src_bucket,
                                            const char *src_key, const char *bucket,
                                            const char *key,
                                            const OctopusS3PutOptions *options,
                                            GCancellable *cancellable,
                                            GAsyncReadyCallback callback, gpointer user_data);
char *octopus_s3_client_copy_object_finish (OctopusS3Client *self, GAsyncResult *result,
                                            GError **error);

/* Multipart upload. */
void  octopus_s3_client_create_multipart_async  (OctopusS3Client *self, const char *bucket,
                                                 const char *key,
                                                 const OctopusS3PutOptions *options,
                                                 GCancellable *cancellable,
                                                 GAsyncReadyCallback callback, gpointer user_data);
char *octopus_s3_client_create_multipart_finish (OctopusS3Client *self, GAsyncResult *result,
                                                 GError **error);   /* → upload id */

void  octopus_s3_client_upload_part_async  (OctopusS3Client *self, const char *bucket,
                                            const char *key, const char *upload_id,
                                            guint part_number, GBytes *body,
                                            /* content_md5, progress */
                                            const OctopusS3PutOptions *options,
                                            GCancellable *cancellable,
                                            GAsyncReadyCallback callback, gpointer user_data);
char *octopus_s3_client_upload_part_finish (OctopusS3Client *self, GAsyncResult *result,
                                            GError **error);        /* → part ETag */

/* @parts: GPtrArray of OctopusS3Part (number + etag), in order. → ETag ("…-N") */
void  octopus_s3_client_complete_multipart_async  (OctopusS3Client *self, const char *bucket,
                                                   const char *key, const char *upload_id,
                                                   GPtrArray *parts,
                                                   GCancellable *cancellable,
                                                   GAsyncReadyCallback callback,
                                                   gpointer user_data);
char *octopus_s3_client_complete_multipart_finish (OctopusS3Client *self, GAsyncResult *result,
                                                   GError **error);

void     octopus_s3_client_abort_multipart_async  (OctopusS3Client *self, const char *bucket,
                                                   const char *key, const char *upload_id,
                                                   GCancellable *cancellable,
                                                   GAsyncReadyCallback callback,
                                                   gpointer user_data);
gboolean octopus_s3_client_abort_multipart_finish (OctopusS3Client *self, GAsyncResult *result,
                                                   GError **error);

/* ListMultipartUploads (all pages) → GPtrArray of OctopusS3Upload. */
void       octopus_s3_client_list_multipart_uploads_async  (OctopusS3Client *self,
                                                            const char *bucket,
                                                            const char *prefix,
                                                            GCancellable *cancellable,
                                                            GAsyncReadyCallback callback,
                                                            gpointer user_data);
GPtrArray *octopus_s3_client_list_multipart_uploads_finish (OctopusS3Client *self,
                                                            GAsyncResult *result,
                                                            GError **error);

/* ListParts (all pages) → GPtrArray of OctopusS3Part. */
void       octopus_s3_client_list_parts_async  (OctopusS3Client *self, const char *bucket,
                                                const char *key, const char *upload_id,
                                                GCancellable *cancellable,
                                                GAsyncReadyCallback callback, gpointer user_data);
GPtrArray *octopus_s3_client_list_parts_finish (OctopusS3Client *self, GAsyncResult *result,
                                                GError **error);

/* GetObjectAcl → OctopusS3Acl. */
void          octopus_s3_client_get_object_acl_async  (OctopusS3Client *self, const char *bucket,
                                                       const char *key,
                                                       GCancellable *cancellable,
                                                       GAsyncReadyCallback callback,
                                                       gpointer user_data);
OctopusS3Acl *octopus_s3_client_get_object_acl_finish (OctopusS3Client *self, GAsyncResult *result,
                                                       GError **error);

/* PutObjectAcl with either a canned ACL (x-amz-acl) or an AccessControlPolicy body. */
void     octopus_s3_client_put_object_acl_async  (OctopusS3Client *self, const char *bucket,
                                                  const char *key, const char *canned_acl,
                                                  const OctopusS3Acl *acl,
                                                  GCancellable *cancellable,
                                                  GAsyncReadyCallback callback,
                                                  gpointer user_data);
gboolean octopus_s3_client_put_object_acl_finish (OctopusS3Client *self, GAsyncResult *result,
                                                  GError **error);

G_END_DECLS
