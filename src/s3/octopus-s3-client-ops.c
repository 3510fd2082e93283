/* SPDX-License-Identifier: GPL-3.0-or-later */
/* octopus-s3-client-ops.c — the S3 operations of octopus-s3-client.h.
 *
 * Each operation builds an OctopusS3Request, marks whether it may be retried (see the policy
 * at the top of octopus-s3-request.c), sends it, and turns the reply into its result with a
 * small parse function.  Listings that span pages run one request per page.
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "octopus-s3-client-private.h"
#include "octopus-rate-limited-stream.h"
#include "octopus-s3-ops-private.h"
#include "octopus-s3-request.h"
#include "octopus-s3-xml.h"
#include "octopus-sigv4.h"

#define MAX_DELETE_KEYS 1000

/* ---------------------------------------------------------------------------------------- */
/* One request, one result                                                                  */

static void
op_free (Op *op)
{
  if (op->op_data_free != NULL)
    op->op_data_free (op->op_data);
  g_free (op);
}

static void
op_sent_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Op *op = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(OctopusS3Response) response = octopus_s3_request_send_finish (result, &error);
  gpointer value;

  if (response == NULL)
    {
      if (op->rescue != NULL && op->rescue (error))
        g_task_return_pointer (task, OCTOPUS_S3_OP_DONE, NULL);
      else
        g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  octopus_s3_client_note_reply (OCTOPUS_S3_CLIENT (source), response->headers);
  value = op->parse (OCTOPUS_S3_CLIENT (source), response, op->op_data, &error);
  if (value == NULL)
    {
      /* The parsers do not know which service answered. */
      octopus_s3_client_name_error (OCTOPUS_S3_CLIENT (source), error);
      g_task_return_error (task, g_steal_pointer (&error));
    }
  else
    g_task_return_pointer (task, value, op->result_free);
}

/* Sends @request (owned; NULL when building it failed with @build_error, owned too). */
void
octopus_s3_op_run (OctopusS3Client    *self,
     OctopusS3Request   *request,
     GError             *build_error,
     Op                  op,
     gpointer            source_tag,
     GCancellable       *cancellable,
     GAsyncReadyCallback callback,
     gpointer            user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, source_tag);
  g_task_set_task_data (task, g_memdup2 (&op, sizeof op), (GDestroyNotify) op_free);
  if (request == NULL)
    {
      g_task_return_error (task, build_error);
      g_object_unref (task);
      return;
    }
  octopus_s3_request_send_async (request, cancellable, op_sent_cb, task);
}

gpointer
octopus_s3_op_finish (OctopusS3Client *self,
                GAsyncResult    *result,
                gpointer         source_tag,
                GError         **error)
{
  g_return_val_if_fail (OCTOPUS_IS_S3_CLIENT (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == source_tag, NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

gpointer
octopus_s3_op_parse_done (OctopusS3Client *self, OctopusS3Response *r, gpointer data,
                          GError **error)
{
  return OCTOPUS_S3_OP_DONE;
}

const char *
octopus_s3_op_body (OctopusS3Response *r, gsize *len)
{
  return g_bytes_get_data (r->body, len);
}

char *
octopus_s3_op_strip_quotes (const char *etag)
{
  gsize len;

  if (etag == NULL)
    return NULL;
  len = strlen (etag);
  if (len >= 2 && etag[0] == '"' && etag[len - 1] == '"')
    return g_strndup (etag + 1, len - 2);
  return g_strdup (etag);
}

static gpointer
parse_etag_header (OctopusS3Client *self, OctopusS3Response *r, gpointer data, GError **error)
{
  const char *etag = soup_message_headers_get_one (r->headers, "ETag");

  if (etag == NULL)
    {
      g_set_error (error, OCTOPUS_S3_ERROR, OCTOPUS_S3_ERROR_MALFORMED_REPLY,
                   _("%s: the upload was answered without an ETag"),
                   octopus_s3_client_get_name (self));
      return NULL;
    }
  return octopus_s3_op_strip_quotes (etag);
}

/* Appends name[=value] with the value encoded by the S3 rule. */
void
octopus_s3_op_query_add (GString    *query,
           const char *name,
           const char *value)
{
  if (query->len > 0)
    g_string_append_c (query, '&');
  g_string_append (query, name);
  if (value != NULL)
    {
      g_autofree char *enc = octopus_sigv4_uri_encode (value, FALSE);
      g_string_append_c (query, '=');
      g_string_append (query, enc);
    }
}

void
octopus_s3_op_add_put_headers (OctopusS3Request          *request,
                               const OctopusS3PutOptions *options,
                               gboolean                   with_md5)
{
  GHashTableIter iter;
  gpointer name, value;

  octopus_s3_request_set_content_type (request, options && options->content_type
                                                  ? options->content_type
                                                  : "application/octet-stream");
  if (options == NULL)
    return;
  if (options->metadata != NULL)
    {
      g_hash_table_iter_init (&iter, options->metadata);
      while (g_hash_table_iter_next (&iter, &name, &value))
        {
          g_autofree char *header = g_strconcat ("x-amz-meta-", (const char *) name, NULL);
          octopus_s3_request_add_header (request, header, value);
        }
    }
  if (options->canned_acl != NULL)
    octopus_s3_request_add_header (request, "x-amz-acl", options->canned_acl);
  if (with_md5 && options->content_md5 != NULL)
    octopus_s3_request_add_header (request, "Content-MD5", options->content_md5);
  if (options->progress != NULL)
    octopus_s3_request_set_progress (request, options->progress, options->progress_data);
}

/* ---------------------------------------------------------------------------------------- */
/* Buckets                                                                                  */

static gpointer
parse_list_buckets (OctopusS3Client *self, OctopusS3Response *r, gpointer data, GError **error)
{
  gsize len;
  const char *xml = octopus_s3_op_body (r, &len);
  return octopus_s3_xml_parse_list_buckets (xml, len, error);
}

void
octopus_s3_client_list_buckets_async (OctopusS3Client    *self,
                                      GCancellable       *cancellable,
                                      GAsyncReadyCallback callback,
                                      gpointer            user_data)
{
  GError *error = NULL;
  OctopusS3Request *request = octopus_s3_request_new (self, "GET", NULL, NULL, NULL, &error);

  if (request)
    octopus_s3_request_set_flags (request, OCTOPUS_S3_REQUEST_RETRY_SAFE);
  octopus_s3_op_run (self, request, error,
       (Op) { parse_list_buckets, NULL, (GDestroyNotify) g_ptr_array_unref },
       octopus_s3_client_list_buckets_async, cancellable, callback, user_data);
}

GPtrArray *
octopus_s3_client_list_buckets_finish (OctopusS3Client *self,
                                       GAsyncResult    *result,
                                       GError         **error)
{
  return octopus_s3_op_finish (self, result, octopus_s3_client_list_buckets_async, error);
}

static gpointer
parse_head_bucket (OctopusS3Client *self, OctopusS3Response *r, gpointer data, GError **error)
{
  const char *region = soup_message_headers_get_one (r->headers, "x-amz-bucket-region");
  return g_strdup (region ? region : "");
}

void
octopus_s3_client_head_bucket_async (OctopusS3Client    *self,
                                     const char         *bucket,
                                     GCancellable       *cancellable,
                                     GAsyncReadyCallback callback,
                                     gpointer            user_data)
{
  GError *error = NULL;
  OctopusS3Request *request = octopus_s3_request_new (self, "HEAD", bucket, NULL, NULL, &error);

  if (request)
    octopus_s3_request_set_flags (request, OCTOPUS_S3_REQUEST_RETRY_SAFE);
  octopus_s3_op_run (self, request, error, (Op) { parse_head_bucket, NULL, g_free },
       octopus_s3_client_head_bucket_async, cancellable, callback, user_data);
}

gboolean
octopus_s3_client_head_bucket_finish (OctopusS3Client *self,
                                      GAsyncResult    *result,
                                      char           **region,
                                      GError         **error)
{
  g_autofree char *value = octopus_s3_op_finish (self, result, octopus_s3_client_head_bucket_async,
                                           error);

  if (value == NULL)
    return FALSE;
  if (region != NULL)
    *region = *value ? g_steal_pointer (&value) : NULL;
  return TRUE;
}

static gpointer
parse_location (OctopusS3Client *self, OctopusS3Response *r, gpointer data, GError **error)
{
  gsize len;
  const char *xml = octopus_s3_op_body (r, &len);
  return octopus_s3_xml_parse_location (xml, len, error);
}

void
octopus_s3_client_get_bucket_location_async (OctopusS3Client    *self,
                                             const char         *bucket,
                                             GCancellable       *cancellable,
                                             GAsyncReadyCallback callback,
                                             gpointer            user_data)
{
  GError *error = NULL;
  OctopusS3Request *request = octopus_s3_request_new (self, "GET", bucket, NULL, "location",
                                                      &error);

  if (request)
    octopus_s3_request_set_flags (request, OCTOPUS_S3_REQUEST_RETRY_SAFE);
  octopus_s3_op_run (self, request, error, (Op) { parse_location, NULL, g_free },
       octopus_s3_client_get_bucket_location_async, cancellable, callback, user_data);
}

char *
octopus_s3_client_get_bucket_location_finish (OctopusS3Client *self,
                                              GAsyncResult    *result,
                                              GError         **error)
{
  return octopus_s3_op_finish (self, result, octopus_s3_client_get_bucket_location_async, error);
}

static gboolean
rescue_already_owned (const GError *error)
{
  return g_strcmp0 (octopus_s3_error_get_s3_code (error), "BucketAlreadyOwnedByYou") == 0;
}

void
octopus_s3_client_create_bucket_async (OctopusS3Client    *self,
                                       const char         *bucket,
                                       const char         *location_constraint,
                                       GCancellable       *cancellable,
                                       GAsyncReadyCallback callback,
                                       gpointer            user_data)
{
  GError *error = NULL;
  OctopusS3Request *request = octopus_s3_request_new (self, "PUT", bucket, NULL, NULL, &error);

  if (request)
    {
      g_autofree char *xml = NULL;

      if (location_constraint != NULL && g_strcmp0 (location_constraint, "us-east-1") != 0)
        xml = octopus_s3_xml_build_create_bucket (location_constraint);
      if (xml != NULL)
        {
          gsize len = strlen (xml);
          g_autoptr(GBytes) body = g_bytes_new_take (g_steal_pointer (&xml), len);
          octopus_s3_request_set_body_bytes (request, body);
          octopus_s3_request_set_content_type (request, "application/xml");
        }
      /* A retry after a lost success answers BucketAlreadyOwnedByYou: rescued below. */
      octopus_s3_request_set_flags (request, OCTOPUS_S3_REQUEST_RETRY_SAFE);
    }
  octopus_s3_op_run (self, request, error,
       (Op) { octopus_s3_op_parse_done, rescue_already_owned, NULL },
       octopus_s3_client_create_bucket_async, cancellable, callback, user_data);
}

gboolean
octopus_s3_client_create_bucket_finish (OctopusS3Client *self,
                                        GAsyncResult    *result,
                                        GError         **error)
{
  return octopus_s3_op_finish (self, result, octopus_s3_client_create_bucket_async, error) != NULL;
}

void
octopus_s3_client_delete_bucket_async (OctopusS3Client    *self,
                                       const char         *bucket,
                                       GCancellable       *cancellable,
                                       GAsyncReadyCallback callback,
                                       gpointer            user_data)
{
  GError *error = NULL;
  OctopusS3Request *request = octopus_s3_request_new (self, "DELETE", bucket, NULL, NULL, &error);

  if (request)
    octopus_s3_request_set_flags (request, OCTOPUS_S3_REQUEST_RETRY_SAFE);
  octopus_s3_op_run (self, request, error, (Op) { octopus_s3_op_parse_done, NULL, NULL },
       octopus_s3_client_delete_bucket_async, cancellable, callback, user_data);
}

gboolean
octopus_s3_client_delete_bucket_finish (OctopusS3Client *self,
                                        GAsyncResult    *result,
                                        GError         **error)
{
  return octopus_s3_op_finish (self, result, octopus_s3_client_delete_bucket_async, error) != NULL;
}

/* ---------------------------------------------------------------------------------------- */
/* Objects                                                                                  */

static OctopusS3Object *
object_from_headers (const char         *key,
                     SoupMessageHeaders *headers)
{
  OctopusS3Object *object = g_new0 (OctopusS3Object, 1);
  SoupMessageHeadersIter iter;
  const char *name, *value;

  object->key = g_strdup (key);
  object->size = soup_message_headers_get_content_length (headers);
  if (soup_message_headers_get_encoding (headers) != SOUP_ENCODING_CONTENT_LENGTH)
    object->size = -1;
  object->etag = octopus_s3_op_strip_quotes (soup_message_headers_get_one (headers, "ETag"));
  object->content_type = g_strdup (soup_message_headers_get_one (headers, "Content-Type"));
  object->storage_class = g_strdup (soup_message_headers_get_one (headers,
                                                                  "x-amz-storage-class"));
  object->version_id = g_strdup (soup_message_headers_get_one (headers, "x-amz-version-id"));
  value = soup_message_headers_get_one (headers, "Last-Modified");
  if (value != NULL)
    {
      g_autoptr(GDateTime) when = soup_date_time_new_from_http_string (value);
      if (when != NULL)
        object->last_modified = g_date_time_to_unix (when);
    }

  object->metadata = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  soup_message_headers_iter_init (&iter, headers);
  while (soup_message_headers_iter_next (&iter, &name, &value))
    if (g_ascii_strncasecmp (name, "x-amz-meta-", 11) == 0 && name[11] != '\0')
      g_hash_table_replace (object->metadata, g_ascii_strdown (name + 11, -1), g_strdup (value));
  return object;
}

static gpointer
parse_head_object (OctopusS3Client *self, OctopusS3Response *r, gpointer key, GError **error)
{
  return object_from_headers (key, r->headers);
}

void
octopus_s3_client_head_object_async (OctopusS3Client    *self,
                                     const char         *bucket,
                                     const char         *key,
                                     GCancellable       *cancellable,
                                     GAsyncReadyCallback callback,
                                     gpointer            user_data)
{
  GError *error = NULL;
  OctopusS3Request *request = octopus_s3_request_new (self, "HEAD", bucket, key, NULL, &error);

  if (request)
    octopus_s3_request_set_flags (request, OCTOPUS_S3_REQUEST_RETRY_SAFE);
  octopus_s3_op_run (self, request, error,
       (Op) { parse_head_object, NULL, (GDestroyNotify) octopus_s3_object_free,
              g_strdup (key), g_free },
       octopus_s3_client_head_object_async, cancellable, callback, user_data);
}

OctopusS3Object *
octopus_s3_client_head_object_finish (OctopusS3Client *self,
                                      GAsyncResult    *result,
                                      GError         **error)
{
  return octopus_s3_op_finish (self, result, octopus_s3_client_head_object_async, error);
}

void
octopus_s3_client_put_object_async (OctopusS3Client           *self,
                                    const char                *bucket,
                                    const char                *key,
                                    GBytes                    *body,
                                    const OctopusS3PutOptions *options,
                                    GCancellable              *cancellable,
                                    GAsyncReadyCallback        callback,
                                    gpointer                   user_data)
{
  GError *error = NULL;
  OctopusS3Request *request = octopus_s3_request_new (self, "PUT", bucket, key, NULL, &error);

  g_return_if_fail (body != NULL);
  if (request)
    {
      octopus_s3_op_add_put_headers (request, options, TRUE);
      octopus_s3_request_set_body_bytes (request, body);
      octopus_s3_request_set_flags (request, OCTOPUS_S3_REQUEST_RETRY_SAFE);
    }
  octopus_s3_op_run (self, request, error, (Op) { parse_etag_header, NULL, g_free },
       octopus_s3_client_put_object_async, cancellable, callback, user_data);
}

char *
octopus_s3_client_put_object_finish (OctopusS3Client *self,
                                     GAsyncResult    *result,
                                     GError         **error)
{
  return octopus_s3_op_finish (self, result, octopus_s3_client_put_object_async, error);
}

void
octopus_s3_client_put_object_stream_async (OctopusS3Client           *self,
                                           const char                *bucket,
                                           const char                *key,
                                           GInputStream              *body,
                                           goffset                    length,
                                           const OctopusS3PutOptions *options,
                                           GCancellable              *cancellable,
                                           GAsyncReadyCallback        callback,
                                           gpointer                   user_data)
{
  GError *error = NULL;
  OctopusS3Request *request = octopus_s3_request_new (self, "PUT", bucket, key, NULL, &error);

  g_return_if_fail (G_IS_INPUT_STREAM (body));
  g_return_if_fail (length >= 0);
  if (request)
    {
      octopus_s3_op_add_put_headers (request, options, TRUE);
      octopus_s3_request_set_body_stream (request, body, length);
      /* The request engine retries only when the stream can be rewound. */
      octopus_s3_request_set_flags (request, OCTOPUS_S3_REQUEST_RETRY_SAFE);
    }
  octopus_s3_op_run (self, request, error, (Op) { parse_etag_header, NULL, g_free },
       octopus_s3_client_put_object_stream_async, cancellable, callback, user_data);
}

char *
octopus_s3_client_put_object_stream_finish (OctopusS3Client *self,
                                            GAsyncResult    *result,
                                            GError         **error)
{
  return octopus_s3_op_finish (self, result, octopus_s3_client_put_object_stream_async, error);
}

typedef struct {
  GInputStream    *stream;
  OctopusS3Object *info;
} GetResult;

static void
get_result_free (GetResult *get)
{
  g_clear_object (&get->stream);
  g_clear_pointer (&get->info, octopus_s3_object_free);
  g_free (get);
}

static gpointer
parse_get_object (OctopusS3Client *self, OctopusS3Response *r, gpointer key, GError **error)
{
  GetResult *get = g_new0 (GetResult, 1);

  /* Every GET body (download, repair, deep check) draws from the one download limit. */
  get->stream = octopus_rate_limited_stream_new (r->stream, octopus_rate_limit_get_download ());
  get->info = object_from_headers (key, r->headers);
  return get;
}

void
octopus_s3_client_get_object_async (OctopusS3Client    *self,
                                    const char         *bucket,
                                    const char         *key,
                                    gint64              range_start,
                                    gint64              range_end,
                                    GCancellable       *cancellable,
                                    GAsyncReadyCallback callback,
                                    gpointer            user_data)
{
  GError *error = NULL;
  OctopusS3Request *request = octopus_s3_request_new (self, "GET", bucket, key, NULL, &error);

  if (request)
    {
      if (range_start >= 0)
        {
          g_autofree char *range = range_end >= range_start
            ? g_strdup_printf ("bytes=%" G_GINT64_FORMAT "-%" G_GINT64_FORMAT, range_start,
                               range_end)
            : g_strdup_printf ("bytes=%" G_GINT64_FORMAT "-", range_start);
          octopus_s3_request_add_header (request, "Range", range);
        }
      octopus_s3_request_set_flags (request, OCTOPUS_S3_REQUEST_RETRY_SAFE |
                                             OCTOPUS_S3_REQUEST_STREAM_REPLY);
    }
  octopus_s3_op_run (self, request, error,
       (Op) { parse_get_object, NULL, (GDestroyNotify) get_result_free, g_strdup (key), g_free },
       octopus_s3_client_get_object_async, cancellable, callback, user_data);
}

GInputStream *
octopus_s3_client_get_object_finish (OctopusS3Client  *self,
                                     GAsyncResult     *result,
                                     OctopusS3Object **info,
                                     GError          **error)
{
  GetResult *get = octopus_s3_op_finish (self, result, octopus_s3_client_get_object_async, error);
  GInputStream *stream;

  if (get == NULL)
    return NULL;
  stream = g_steal_pointer (&get->stream);
  if (info != NULL)
    *info = g_steal_pointer (&get->info);
  get_result_free (get);
  return stream;
}

static gboolean
rescue_no_such_key (const GError *error)
{
  return g_error_matches (error, OCTOPUS_S3_ERROR, OCTOPUS_S3_ERROR_NO_SUCH_KEY);
}

void
octopus_s3_client_delete_object_async (OctopusS3Client    *self,
                                       const char         *bucket,
                                       const char         *key,
                                       GCancellable       *cancellable,
                                       GAsyncReadyCallback callback,
                                       gpointer            user_data)
{
  GError *error = NULL;
  OctopusS3Request *request = octopus_s3_request_new (self, "DELETE", bucket, key, NULL, &error);

  if (request)
    octopus_s3_request_set_flags (request, OCTOPUS_S3_REQUEST_RETRY_SAFE);
  octopus_s3_op_run (self, request, error,
       (Op) { octopus_s3_op_parse_done, rescue_no_such_key, NULL },
       octopus_s3_client_delete_object_async, cancellable, callback, user_data);
}

gboolean
octopus_s3_client_delete_object_finish (OctopusS3Client *self,
                                        GAsyncResult    *result,
                                        GError         **error)
{
  return octopus_s3_op_finish (self, result, octopus_s3_client_delete_object_async, error) != NULL;
}

static gpointer
parse_delete_result (OctopusS3Client *self, OctopusS3Response *r, gpointer data, GError **error)
{
  gsize len;
  const char *xml = octopus_s3_op_body (r, &len);
  return octopus_s3_xml_parse_delete_result (xml, len, error);
}

static char *
base64_md5 (const char *data,
            gsize       len)
{
  g_autoptr(GChecksum) md5 = g_checksum_new (G_CHECKSUM_MD5);
  guint8 digest[16];
  gsize digest_len = sizeof digest;

  g_checksum_update (md5, (const guchar *) data, len);
  g_checksum_get_digest (md5, digest, &digest_len);
  return g_base64_encode (digest, digest_len);
}

static OctopusS3Request *
delete_objects_request (OctopusS3Client    *self,
                        const char         *bucket,
                        const char * const *keys,
                        GError            **error)
{
  guint n = keys ? g_strv_length ((char **) keys) : 0;
  OctopusS3Request *request;
  g_autofree char *xml = NULL;
  g_autofree char *md5 = NULL;
  g_autoptr(GBytes) body = NULL;

  if (n == 0 || n > MAX_DELETE_KEYS)
    {
      g_set_error (error, OCTOPUS_S3_ERROR, OCTOPUS_S3_ERROR_INVALID_ARGUMENT,
                   _("%s: a batch delete takes 1 to %d keys, not %u"),
                   octopus_s3_client_get_name (self), MAX_DELETE_KEYS, n);
      return NULL;
    }
  for (guint i = 0; i < n; i++)
    if (!octopus_s3_client_check_key (keys[i], error))
      return NULL;

  request = octopus_s3_request_new (self, "POST", bucket, NULL, "delete", error);
  if (request == NULL)
    return NULL;
  xml = octopus_s3_xml_build_delete (keys, TRUE);
  md5 = base64_md5 (xml, strlen (xml));
  body = g_bytes_new (xml, strlen (xml));
  octopus_s3_request_set_body_bytes (request, body);
  octopus_s3_request_set_content_type (request, "application/xml");
  /* S3 refuses DeleteObjects without Content-MD5. */
  octopus_s3_request_add_header (request, "Content-MD5", md5);
  /* Deleting the same keys twice leaves them deleted: safe to repeat. */
  octopus_s3_request_set_flags (request, OCTOPUS_S3_REQUEST_RETRY_SAFE);
  return request;
}

void
octopus_s3_client_delete_objects_async (OctopusS3Client    *self,
                                        const char         *bucket,
                                        const char * const *keys,
                                        GCancellable       *cancellable,
                                        GAsyncReadyCallback callback,
                                        gpointer            user_data)
{
  GError *error = NULL;
  OctopusS3Request *request = delete_objects_request (self, bucket, keys, &error);

  octopus_s3_op_run (self, request, error,
       (Op) { parse_delete_result, NULL, (GDestroyNotify) g_ptr_array_unref },
       octopus_s3_client_delete_objects_async, cancellable, callback, user_data);
}

GPtrArray *
octopus_s3_client_delete_objects_finish (OctopusS3Client *self,
                                         GAsyncResult    *result,
                                         GError         **error)
{
  return octopus_s3_op_finish (self, result, octopus_s3_client_delete_objects_async, error);
}

static gpointer
parse_copy (OctopusS3Client *self, OctopusS3Response *r, gpointer data, GError **error)
{
  gsize len;
  const char *xml = octopus_s3_op_body (r, &len);
  return octopus_s3_xml_parse_copy_object (xml, len, error);
}

void
octopus_s3_client_copy_object_async (OctopusS3Client           *self,
                                     const char                *src_bucket,
                                     const char                *src_key,
                                     const char                *bucket,
                                     const char                *key,
                                     const OctopusS3PutOptions *options,
                                     GCancellable              *cancellable,
                                     GAsyncReadyCallback        callback,
                                     gpointer                   user_data)
{
  GError *error = NULL;
  OctopusS3Request *request = NULL;

  if (octopus_s3_client_check_key (src_key, &error))
    request = octopus_s3_request_new (self, "PUT", bucket, key, NULL, &error);
  if (request)
    {
      g_autofree char *enc_bucket = octopus_sigv4_uri_encode (src_bucket, FALSE);
      g_autofree char *enc_key = octopus_sigv4_uri_encode (src_key, TRUE);
      g_autofree char *source = g_strconcat ("/", enc_bucket, "/", enc_key, NULL);

      octopus_s3_request_add_header (request, "x-amz-copy-source", source);
      if (options != NULL && options->metadata != NULL)
        {
          octopus_s3_request_add_header (request, "x-amz-metadata-directive", "REPLACE");
          octopus_s3_op_add_put_headers (request, options, FALSE);
        }
      else if (options != NULL && options->canned_acl != NULL)
        octopus_s3_request_add_header (request, "x-amz-acl", options->canned_acl);
      octopus_s3_request_set_flags (request, OCTOPUS_S3_REQUEST_RETRY_SAFE |
                                             OCTOPUS_S3_REQUEST_ERROR_IN_200);
    }
  octopus_s3_op_run (self, request, error, (Op) { parse_copy, NULL, g_free },
       octopus_s3_client_copy_object_async, cancellable, callback, user_data);
}

char *
octopus_s3_client_copy_object_finish (OctopusS3Client *self,
                                      GAsyncResult    *result,
                                      GError         **error)
{
  return octopus_s3_op_finish (self, result, octopus_s3_client_copy_object_async, error);
}

/* The multipart, listing and ACL operations are in octopus-s3-client-multipart.c. */
