/* SPDX-License-Identifier: GPL-3.0-or-later */
/* octopus-s3-request.c — build, sign, send with retries, read a bounded reply, map errors.
 *
 * Retry policy (why each request may be sent again):
 *  - GET, HEAD, DELETE and PUT with a replayable body (GBytes, or a seekable stream rewound
 *    to its start) are idempotent in S3: the same request twice leaves the same state.
 *  - POST ?delete (DeleteObjects): deleting a key twice is still "deleted".
 *  - POST ?uploads (CreateMultipartUpload): a retry may leave one extra, empty upload behind if
 *    the first reply was lost; the engine aborts uploads it does not know (cheaper than failing).
 *  - POST ?uploadId (CompleteMultipartUpload): S3 documents it as safe to retry; a retry after
 *    a lost success answers NoSuchUpload, which the caller can check with HEAD.
 * The client marks these with OCTOPUS_S3_REQUEST_RETRY_SAFE; a streamed body that cannot be
 * rewound is never sent twice.
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "octopus-bounded-stream.h"
#include "octopus-rate-limited-stream.h"
#include "octopus-s3-client-private.h"
#include "octopus-s3-error.h"
#include "octopus-s3-request.h"
#include "octopus-s3-xml.h"
#include "octopus-sigv4.h"

#define READ_CHUNK (64 * 1024)

struct _OctopusS3Request {
  OctopusS3Client      *client;
  char                 *method;
  OctopusS3Target       target;
  char                 *query;        /* encoded, or NULL */
  char                 *url;          /* scheme_host + path [+ ? + query] */
  gboolean              has_key;      /* a bodiless 404 means NoSuchKey, not NoSuchBucket */
  GPtrArray            *headers;      /* name, value, name, value … (owned strings) */
  char                 *content_type;
  GBytes               *body_bytes;
  GInputStream         *body_stream;
  goffset               body_length;
  goffset               stream_start; /* -1: not seekable */
  OctopusS3RequestFlags flags;
  gsize                 reply_limit;
  OctopusS3ProgressFunc progress;
  gpointer              progress_data;

  /* Per send. */
  guint                 attempt;      /* 1-based number of the attempt in flight */
  SoupMessage          *msg;
  GInputStream         *reply_stream;
  GByteArray           *reply;
  gsize                 reply_max;
  goffset               sent;
  gboolean              network_fault;  /* an attempt (or a libsoup restart) was cut off */
  GSource              *wait_source;
  GSource              *cancel_source;
};

void
octopus_s3_response_free (OctopusS3Response *response)
{
  if (response == NULL)
    return;
  g_clear_pointer (&response->headers, soup_message_headers_unref);
  g_clear_pointer (&response->body, g_bytes_unref);
  g_clear_object (&response->stream);
  g_free (response);
}

OctopusS3Request *
octopus_s3_request_new (OctopusS3Client *client,
                        const char      *method,
                        const char      *bucket,
                        const char      *key,
                        const char      *query,
                        GError         **error)
{
  g_autoptr(OctopusS3Request) self = g_new0 (OctopusS3Request, 1);

  self->client = g_object_ref (client);
  self->method = g_strdup (method);
  self->headers = g_ptr_array_new_with_free_func (g_free);
  self->stream_start = -1;
  self->reply_limit = OCTOPUS_S3_XML_MAX_SIZE;
  self->has_key = key != NULL;

  if (!octopus_s3_client_locate (client, bucket, key, &self->target, error))
    return NULL;

  self->query = (query != NULL && *query != '\0') ? g_strdup (query) : NULL;
  self->url = g_strconcat (self->target.scheme_host, self->target.path,
                           self->query ? "?" : "", self->query ? self->query : "", NULL);
  return g_steal_pointer (&self);
}

void
octopus_s3_request_free (OctopusS3Request *self)
{
  if (self == NULL)
    return;
  g_assert (self->wait_source == NULL);
  g_clear_object (&self->client);
  g_free (self->method);
  octopus_s3_target_clear (&self->target);
  g_free (self->query);
  g_free (self->url);
  g_ptr_array_unref (self->headers);
  g_free (self->content_type);
  g_clear_pointer (&self->body_bytes, g_bytes_unref);
  g_clear_object (&self->body_stream);
  g_clear_object (&self->msg);
  g_clear_object (&self->reply_stream);
  g_clear_pointer (&self->reply, g_byte_array_unref);
  g_free (self);
}

void
octopus_s3_request_add_header (OctopusS3Request *self,
                               const char       *name,
                               const char       *value)
{
  g_ptr_array_add (self->headers, g_ascii_strdown (name, -1));
  g_ptr_array_add (self->headers, g_strdup (value));
}

void
octopus_s3_request_set_flags (OctopusS3Request     *self,
                              OctopusS3RequestFlags flags)
{
  self->flags = flags;
}

void
octopus_s3_request_set_content_type (OctopusS3Request *self,
                                     const char       *content_type)
{
  g_free (self->content_type);
  self->content_type = g_strdup (content_type);
}

void
octopus_s3_request_set_body_bytes (OctopusS3Request *self,
                                   GBytes           *body)
{
  g_clear_pointer (&self->body_bytes, g_bytes_unref);
  self->body_bytes = g_bytes_ref (body);
  self->body_length = g_bytes_get_size (body);
}

void
octopus_s3_request_set_body_stream (OctopusS3Request *self,
                                    GInputStream     *stream,
                                    goffset           length)
{
  g_set_object (&self->body_stream, stream);
  self->body_length = length;
  self->stream_start = -1;
  if (G_IS_SEEKABLE (stream) && g_seekable_can_seek (G_SEEKABLE (stream)))
    self->stream_start = g_seekable_tell (G_SEEKABLE (stream));
}

void
octopus_s3_request_set_progress (OctopusS3Request     *self,
                                 OctopusS3ProgressFunc progress,
                                 gpointer              progress_data)
{
  self->progress = progress;
  self->progress_data = progress_data;
}

void
octopus_s3_request_set_reply_limit (OctopusS3Request *self,
                                    gsize             limit)
{
  self->reply_limit = limit;
}

static gboolean
is_signed_header (const char *name)
{
  return g_str_has_prefix (name, "x-amz-") || g_str_equal (name, "content-md5");
}

static const char *
get_header (OctopusS3Request *self,
            const char       *name)
{
  for (guint i = 0; i + 1 < self->headers->len; i += 2)
    if (g_ascii_strcasecmp (g_ptr_array_index (self->headers, i), name) == 0)
      return g_ptr_array_index (self->headers, i + 1);
  return NULL;
}

/* Object data (a stream, or a buffer sent with Content-MD5: PutObject, UploadPart) goes as
 * UNSIGNED-PAYLOAD: the signed Content-MD5 header already binds the body to the signature and
 * the server checks it, while a SHA-256 per service would hash every part once more for each
 * service of the array (the upload fan-out hashes each part once).  Small request documents
 * (XML) carry their SHA-256. */
static const char *
payload_hash (OctopusS3Request *self,
              char            **owned)
{
  if (self->body_stream != NULL
      || (self->body_bytes != NULL && get_header (self, "content-md5") != NULL))
    return OCTOPUS_SIGV4_UNSIGNED_PAYLOAD;
  if (self->body_bytes == NULL || g_bytes_get_size (self->body_bytes) == 0)
    return OCTOPUS_SIGV4_EMPTY_SHA256;
  *owned = octopus_sigv4_sha256_hex (g_bytes_get_data (self->body_bytes, NULL),
                                     g_bytes_get_size (self->body_bytes));
  return *owned;
}

/* Sets the body, the x-amz headers and the signature on a fresh message. */
static void
sign_message (OctopusS3Request *self,
              SoupMessage      *msg)
{
  SoupMessageHeaders *hdrs = soup_message_get_request_headers (msg);
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *amz_date = octopus_sigv4_format_amz_date (now);
  g_autofree char *hash_owned = NULL;
  const char *hash = payload_hash (self, &hash_owned);
  g_autoptr(GPtrArray) to_sign = g_ptr_array_new ();
  g_autofree char *authorization = NULL;
  OctopusSigV4Request sreq = { 0 };

  /* libsoup writes the same Host value; setting it keeps the signed one authoritative. */
  soup_message_headers_replace (hdrs, "Host", self->target.host_header);
  soup_message_headers_replace (hdrs, "x-amz-date", amz_date);
  soup_message_headers_replace (hdrs, "x-amz-content-sha256", hash);
  g_ptr_array_add (to_sign, (gpointer) "host");
  g_ptr_array_add (to_sign, self->target.host_header);
  g_ptr_array_add (to_sign, (gpointer) "x-amz-date");
  g_ptr_array_add (to_sign, amz_date);
  g_ptr_array_add (to_sign, (gpointer) "x-amz-content-sha256");
  g_ptr_array_add (to_sign, (gpointer) hash);

  for (guint i = 0; i + 1 < self->headers->len; i += 2)
    {
      const char *name = g_ptr_array_index (self->headers, i);
      const char *value = g_ptr_array_index (self->headers, i + 1);

      soup_message_headers_append (hdrs, name, value);
      if (is_signed_header (name))
        {
          g_ptr_array_add (to_sign, (gpointer) name);
          g_ptr_array_add (to_sign, (gpointer) value);
        }
    }
  g_ptr_array_add (to_sign, NULL);

  sreq.method = self->method;
  sreq.path = self->target.canonical_path;
  sreq.query = self->query;
  sreq.headers = (const char * const *) to_sign->pdata;
  sreq.payload_hash = hash;
  authorization = octopus_s3_client_authorize (self->client, &sreq, amz_date);
  soup_message_headers_replace (hdrs, "Authorization", authorization);
}

static gboolean
set_body (OctopusS3Request *self,
          SoupMessage      *msg,
          gboolean          rewind,
          GError          **error)
{
  g_autoptr(GInputStream) body = NULL;
  g_autoptr(GInputStream) limited = NULL;

  if (self->body_stream != NULL)
    {
      if (rewind &&
          !g_seekable_seek (G_SEEKABLE (self->body_stream), self->stream_start, G_SEEK_SET,
                            NULL, error))
        return FALSE;
      body = octopus_bounded_stream_new (self->body_stream, self->body_length);
    }
  else if (self->body_bytes != NULL)
    body = g_memory_input_stream_new_from_bytes (self->body_bytes);
  /* S3 wants Content-Length: 0 on bodiless PUT/POST (CreateBucket, CreateMultipart). */
  else if (g_str_equal (self->method, "PUT") || g_str_equal (self->method, "POST"))
    body = g_memory_input_stream_new ();
  else if (self->content_type != NULL)
    soup_message_headers_replace (soup_message_get_request_headers (msg), "Content-Type",
                                  self->content_type);
  if (body == NULL)
    return TRUE;
  /* Every body, small or streamed, draws from the one upload limit (octopus-rate-limit.h). */
  limited = octopus_rate_limited_stream_new (body, octopus_rate_limit_get_upload ());
  soup_message_set_request_body (msg, self->content_type, limited, self->body_length);
  return TRUE;
}

static void
wrote_body_data_cb (SoupMessage *msg,
                    guint        chunk_size,
                    gpointer     user_data)
{
  OctopusS3Request *self = user_data;

  self->sent += chunk_size;
  if (self->progress != NULL)
    self->progress (self->sent, self->body_length, self->progress_data);
}

/* libsoup 3.2 restarts a request by itself when a reused connection dies before the reply, and
 * the restarted message has lost its body: it would go out with Content-Length: 0 and the full
 * body's Content-MD5. Set the whole body again. Only in-memory bodies get here: a streamed
 * body always goes on a new connection (attempt_start). */
static void
restarted_cb (SoupMessage *msg,
              gpointer     user_data)
{
  OctopusS3Request *self = user_data;

  g_debug ("%s %s: libsoup restarted the request; its body is set again", self->method,
           self->url);
  g_assert (self->body_stream == NULL);
  self->network_fault = TRUE;
  self->sent = 0;
  if (self->progress != NULL && self->body_length > 0)
    self->progress (0, self->body_length, self->progress_data);
  set_body (self, msg, FALSE, NULL);
}

static void attempt_start (GTask *task);

static void
return_response (GTask *task)
{
  OctopusS3Request *self = g_task_get_task_data (task);
  OctopusS3Response *response = g_new0 (OctopusS3Response, 1);

  response->status = soup_message_get_status (self->msg);
  response->headers = soup_message_headers_ref (soup_message_get_response_headers (self->msg));
  if (self->flags & OCTOPUS_S3_REQUEST_STREAM_REPLY)
    response->stream = g_steal_pointer (&self->reply_stream);
  else if (self->reply != NULL)
    response->body = g_byte_array_free_to_bytes (g_steal_pointer (&self->reply));
  else
    response->body = g_bytes_new (NULL, 0);
  g_task_return_pointer (task, response, (GDestroyNotify) octopus_s3_response_free);
}

/* A transport failure, as the user should read it: which service, which host, what.  The
 * wrapped error keeps the retryability of @error (octopus_s3_error_new_from_transport). */
static GError *
transport_error (OctopusS3Request *self,
                 const GError     *error)
{
  const char *name = octopus_s3_client_get_name (self->client);
  const char *host = self->target.host_header;
  GError *wrapped;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return g_error_copy (error);

  wrapped = octopus_s3_error_new_from_transport (name, error);
  g_free (wrapped->message);
  if (wrapped->code == OCTOPUS_S3_ERROR_TLS)
    wrapped->message =
      g_strdup_printf (_("%s: the TLS certificate of %s could not be verified: %s"),
                       name, host, error->message);
  else if (error->domain == G_RESOLVER_ERROR ||
           g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED) ||
           g_error_matches (error, G_IO_ERROR, G_IO_ERROR_HOST_UNREACHABLE) ||
           g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NETWORK_UNREACHABLE) ||
           g_error_matches (error, G_IO_ERROR, G_IO_ERROR_HOST_NOT_FOUND))
    wrapped->message = g_strdup_printf (_("%s: cannot connect to %s: %s"), name, host,
                                        error->message);
  else
    wrapped->message = g_strdup_printf (_("%s: network error talking to %s: %s"), name, host,
                                        error->message);
  return wrapped;
}

/* Retry-After in seconds (S3 sends none, proxies in front of it may); 0 when absent. */
static guint
retry_after_ms (OctopusS3Request *self)
{
  const char *value;
  guint64 seconds = 0;

  if (self->msg == NULL)
    return 0;
  value = soup_message_headers_get_one (soup_message_get_response_headers (self->msg),
                                        "Retry-After");
  if (value == NULL || !g_ascii_string_to_unsigned (value, 10, 0, 3600, &seconds, NULL))
    return 0;
  return (guint) MIN (seconds * 1000, OCTOPUS_S3_RETRY_CAP_MS);
}

/* Full jitter (AWS): a random delay below base·2^(n-1), capped.  A floor of half the base
 * keeps a retry from ever following its failure immediately. */
static guint
backoff_ms (OctopusS3Request *self)
{
  guint base = octopus_s3_client_get_retry_base_ms (self->client);
  guint64 ceiling = (guint64) base << MIN (self->attempt - 1, 20u);
  guint delay;

  ceiling = MIN (ceiling, (guint64) OCTOPUS_S3_RETRY_CAP_MS);
  delay = (guint) g_random_int_range (0, (gint32) ceiling + 1);
  delay = MAX (delay, base / 2);
  return MAX (delay, retry_after_ms (self));
}

static void
clear_wait (OctopusS3Request *self)
{
  if (self->wait_source != NULL)
    {
      g_source_destroy (self->wait_source);
      g_clear_pointer (&self->wait_source, g_source_unref);
    }
  if (self->cancel_source != NULL)
    {
      g_source_destroy (self->cancel_source);
      g_clear_pointer (&self->cancel_source, g_source_unref);
    }
}

static gboolean
wait_done_cb (gpointer user_data)
{
  GTask *task = user_data;

  clear_wait (g_task_get_task_data (task));
  attempt_start (task);
  return G_SOURCE_REMOVE;
}

static gboolean
wait_cancelled_cb (GCancellable *cancellable,
                   gpointer      user_data)
{
  GTask *task = user_data;

  clear_wait (g_task_get_task_data (task));
  g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                           _("Operation was cancelled"));
  g_object_unref (task);
  return G_SOURCE_REMOVE;
}

static gboolean
replayable (OctopusS3Request *self)
{
  if (!(self->flags & OCTOPUS_S3_REQUEST_RETRY_SAFE))
    return FALSE;
  return self->body_stream == NULL || self->stream_start >= 0;
}

/* Either waits and tries again, or hands @error (owned) to the caller.  @raw decides
 * retryability when @error has been rewritten for display (transport errors). */
static void
fail_or_retry (GTask        *task,
               GError       *error,
               const GError *raw)
{
  OctopusS3Request *self = g_task_get_task_data (task);
  GCancellable *cancellable = g_task_get_cancellable (task);
  guint delay;

  if (!octopus_s3_error_is_retryable (raw ? raw : error) || !replayable (self) ||
      self->attempt >= octopus_s3_client_get_max_attempts (self->client) ||
      g_cancellable_is_cancelled (cancellable))
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }

  delay = backoff_ms (self);
  g_debug ("%s %s: attempt %u failed (%s), retrying in %u ms", self->method, self->url,
           self->attempt, error->message, delay);
  g_error_free (error);

  self->wait_source = g_timeout_source_new (delay);
  g_source_set_callback (self->wait_source, wait_done_cb, task, NULL);
  g_source_attach (self->wait_source, g_task_get_context (task));
  if (cancellable != NULL)
    {
      self->cancel_source = g_cancellable_source_new (cancellable);
      g_source_set_callback (self->cancel_source, G_SOURCE_FUNC (wait_cancelled_cb), task, NULL);
      g_source_attach (self->cancel_source, g_task_get_context (task));
    }
}

static GError *
reply_error (OctopusS3Request *self,
             guint             status)
{
  SoupMessageHeaders *hdrs = soup_message_get_response_headers (self->msg);
  const char *data = self->reply ? (const char *) self->reply->data : NULL;
  gsize len = self->reply ? self->reply->len : 0;
  g_autofree char *code = NULL, *message = NULL, *request_id = NULL, *region = NULL;
  const char *bucket_region = soup_message_headers_get_one (hdrs, "x-amz-bucket-region");
  GError *error;

  if (len == 0 || !octopus_s3_xml_parse_error (data, len, &code, &message, &request_id, &region))
    {
      /* HEAD replies have no body: name the likely cause from the status alone. */
      if (status == SOUP_STATUS_NOT_FOUND)
        code = g_strdup (self->has_key ? "NoSuchKey" : "NoSuchBucket");
      else if (status == SOUP_STATUS_MOVED_PERMANENTLY)
        code = g_strdup ("PermanentRedirect");
    }
  if (request_id == NULL)
    request_id = g_strdup (soup_message_headers_get_one (hdrs, "x-amz-request-id"));

  error = octopus_s3_error_new (octopus_s3_client_get_name (self->client), status, code,
                                message, request_id);
  if (region == NULL && bucket_region != NULL)
    region = g_strdup (bucket_region);
  if (status == SOUP_STATUS_MOVED_PERMANENTLY || status == SOUP_STATUS_TEMPORARY_REDIRECT ||
      g_strcmp0 (code, "PermanentRedirect") == 0)
    error->code = OCTOPUS_S3_ERROR_WRONG_REGION;
  if (region != NULL)
    octopus_s3_error_set_region (error, region);
  return error;
}

/* A NETWORK error, retryable as a connection reset is, with @message as the user reads it.
 * @raw receives the transport error that decides retryability. */
static GError *
cut_off_error (OctopusS3Request *self,
               GError          **raw,
               const char       *message)
{
  GError *error;

  *raw = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED, message);
  error = octopus_s3_error_new_from_transport (octopus_s3_client_get_name (self->client), *raw);
  g_free (error->message);
  error->message = g_strdup (message);
  return error;
}

/* Objects the service encrypts with its own keys (SSE-KMS, SSE-C) get an ETag that is not
 * the MD5 of their content; SSE-S3 (AES256) and unencrypted objects get the MD5. */
static gboolean
etag_is_content_md5 (SoupMessageHeaders *reply)
{
  const char *sse = soup_message_headers_get_one (reply, "x-amz-server-side-encryption");

  if (soup_message_headers_get_one (reply, "x-amz-server-side-encryption-customer-algorithm"))
    return FALSE;
  return sse == NULL || g_ascii_strcasecmp (sse, "AES256") == 0;
}

/* Object data (PutObject, UploadPart) sent with Content-MD5: the ETag of what the service
 * stored must be that MD5.  Anything else means the service holds other bytes than were
 * sent (a body cut off on the way and stored anyway, as s3rver does): that attempt failed,
 * and is retried like a reset connection.  NULL when the copy is the one sent. */
static GError *
check_stored_etag (OctopusS3Request *self,
                   GError          **raw)
{
  SoupMessageHeaders *reply = soup_message_get_response_headers (self->msg);
  const char *md5_base64 = get_header (self, "content-md5");
  const char *etag = soup_message_headers_get_one (reply, "ETag");
  g_autofree guchar *md5 = NULL;
  g_autofree char *md5_hex = NULL;
  g_autofree char *stored = NULL;
  g_autofree char *message = NULL;
  gsize md5_len = 0;

  if (!g_str_equal (self->method, "PUT") || md5_base64 == NULL ||
      get_header (self, "x-amz-copy-source") != NULL || etag == NULL ||
      !etag_is_content_md5 (reply))
    return NULL;
  md5 = g_base64_decode (md5_base64, &md5_len);
  if (md5_len != 16)
    return NULL;
  md5_hex = g_malloc (33);
  for (guint i = 0; i < 16; i++)
    g_snprintf (md5_hex + 2 * i, 3, "%02x", md5[i]);
  stored = g_strdup (etag);
  g_strstrip (g_strdelimit (stored, "\"", ' '));
  if (g_ascii_strcasecmp (stored, md5_hex) == 0)
    return NULL;

  message = g_strdup_printf (_("%s: the service stored other bytes than were sent "
                               "(its ETag %s, the data's MD5 %s)"),
                             octopus_s3_client_get_name (self->client), stored, md5_hex);
  return cut_off_error (self, raw, message);
}

static void
reply_complete (GTask *task)
{
  OctopusS3Request *self = g_task_get_task_data (task);
  guint status = soup_message_get_status (self->msg);
  g_autofree char *code = NULL, *message = NULL, *request_id = NULL;
  g_autoptr(GError) raw = NULL;
  GError *error;

  g_clear_object (&self->reply_stream);
  if (!SOUP_STATUS_IS_SUCCESSFUL (status))
    {
      error = reply_error (self, status);
      /* A BadDigest right after this request's connection was cut describes the cut, not
       * the data: a network fault, retried and never taken as final. */
      if (self->network_fault &&
          g_error_matches (error, OCTOPUS_S3_ERROR, OCTOPUS_S3_ERROR_BAD_DIGEST))
        {
          g_autofree char *cut = g_strdup_printf (
            _("%s: the connection was cut while sending, and the service then refused what "
              "arrived as damaged (BadDigest)"), octopus_s3_client_get_name (self->client));
          g_error_free (error);
          error = cut_off_error (self, &raw, cut);
        }
      fail_or_retry (task, error, raw);
      return;
    }
  if ((error = check_stored_etag (self, &raw)) != NULL)
    {
      fail_or_retry (task, error, raw);
      return;
    }
  /* Complete and Copy may answer 200 and then report failure in the body. */
  if ((self->flags & OCTOPUS_S3_REQUEST_ERROR_IN_200) && self->reply != NULL &&
      octopus_s3_xml_parse_error ((const char *) self->reply->data, self->reply->len,
                                  &code, &message, &request_id, NULL))
    {
      fail_or_retry (task, octopus_s3_error_new (octopus_s3_client_get_name (self->client),
                                                 status, code, message, request_id), NULL);
      return;
    }
  return_response (task);
  g_object_unref (task);
}

static void
read_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  GTask *task = user_data;
  OctopusS3Request *self = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) chunk = g_input_stream_read_bytes_finish (G_INPUT_STREAM (source), result,
                                                              &error);
  gboolean ok = SOUP_STATUS_IS_SUCCESSFUL (soup_message_get_status (self->msg));

  if (chunk == NULL)
    {
      GError *shown = transport_error (self, error);
      self->network_fault = TRUE;
      fail_or_retry (task, shown, error);
      return;
    }
  if (g_bytes_get_size (chunk) == 0)
    {
      reply_complete (task);
      return;
    }
  if (self->reply->len + g_bytes_get_size (chunk) > self->reply_max)
    {
      if (ok)
        {
          /* An endless or huge reply is cut off here, not buffered. */
          g_task_return_new_error (task, OCTOPUS_S3_ERROR, OCTOPUS_S3_ERROR_MALFORMED_REPLY,
                                   _("%s: the reply to %s %s is larger than %zu bytes"),
                                   octopus_s3_client_get_name (self->client), self->method,
                                   self->target.path, self->reply_max);
          g_object_unref (task);
          return;
        }
      /* An error body this large is not an S3 <Error>: report the status alone. */
      g_clear_pointer (&self->reply, g_byte_array_unref);
      self->reply = g_byte_array_new ();
      reply_complete (task);
      return;
    }
  g_byte_array_append (self->reply, g_bytes_get_data (chunk, NULL), g_bytes_get_size (chunk));
  g_input_stream_read_bytes_async (self->reply_stream, READ_CHUNK, G_PRIORITY_DEFAULT,
                                   g_task_get_cancellable (task), read_cb, task);
}

static void
send_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  GTask *task = user_data;
  OctopusS3Request *self = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  guint status;

  self->reply_stream = soup_session_send_finish (SOUP_SESSION (source), result, &error);
  if (self->reply_stream == NULL)
    {
      GError *shown = transport_error (self, error);
      self->network_fault = TRUE;
      fail_or_retry (task, shown, error);
      return;
    }

  status = soup_message_get_status (self->msg);
  g_debug ("%s %s → %u", self->method, self->url, status);
  if (SOUP_STATUS_IS_SUCCESSFUL (status) && (self->flags & OCTOPUS_S3_REQUEST_STREAM_REPLY))
    {
      return_response (task);
      g_object_unref (task);
      return;
    }

  self->reply_max = SOUP_STATUS_IS_SUCCESSFUL (status) ? self->reply_limit
                                                       : OCTOPUS_S3_ERROR_BODY_MAX;
  g_clear_pointer (&self->reply, g_byte_array_unref);
  self->reply = g_byte_array_new ();
  g_input_stream_read_bytes_async (self->reply_stream, READ_CHUNK, G_PRIORITY_DEFAULT,
                                   g_task_get_cancellable (task), read_cb, task);
}

/* The GUri for the request, its path exactly as built.  Only the scheme and authority are
 * parsed: g_uri_parse() would also normalise the path, even with the ENCODED flags (it
 * decodes %2E, an unreserved character, then removes the dot segments), which would send
 * "/bkt/%2E%2E/x" as "/x".  g_uri_build() takes the path verbatim, and libsoup sends it so. */
static GUri *
build_uri (OctopusS3Request *self,
           GError          **error)
{
  g_autoptr(GUri) base = g_uri_parse (self->target.scheme_host, G_URI_FLAGS_ENCODED, error);

  if (base == NULL)
    return NULL;
  return g_uri_build (G_URI_FLAGS_ENCODED, g_uri_get_scheme (base), NULL,
                      g_uri_get_host (base), g_uri_get_port (base), self->target.path,
                      self->query, NULL);
}

static void
attempt_start (GTask *task)
{
  OctopusS3Request *self = g_task_get_task_data (task);
  g_autoptr(GUri) uri = NULL;
  g_autoptr(GError) error = NULL;

  self->attempt++;
  self->sent = 0;
  g_clear_object (&self->msg);
  g_clear_object (&self->reply_stream);

  uri = build_uri (self, &error);
  if (uri == NULL)
    {
      g_task_return_new_error (task, OCTOPUS_S3_ERROR, OCTOPUS_S3_ERROR_INVALID_ARGUMENT,
                               _("%s: invalid URL %s: %s"),
                               octopus_s3_client_get_name (self->client), self->url,
                               error->message);
      g_object_unref (task);
      return;
    }

  self->msg = soup_message_new_from_uri (self->method, uri);
  /* A 301 from S3 means "wrong region": report it, never follow it. */
  soup_message_add_flags (self->msg, SOUP_MESSAGE_NO_REDIRECT);
  if (!set_body (self, self->msg, self->attempt > 1, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      g_object_unref (task);
      return;
    }
  /* A fresh connection is never restarted by libsoup (see restarted_cb). */
  if (self->body_stream != NULL)
    soup_message_add_flags (self->msg, SOUP_MESSAGE_NEW_CONNECTION);
  sign_message (self, self->msg);
  g_signal_connect (self->msg, "wrote-body-data", G_CALLBACK (wrote_body_data_cb), self);
  g_signal_connect (self->msg, "restarted", G_CALLBACK (restarted_cb), self);

  g_debug ("%s %s (attempt %u)", self->method, self->url, self->attempt);
  soup_session_send_async (octopus_s3_client_get_session (self->client), self->msg,
                           G_PRIORITY_DEFAULT, g_task_get_cancellable (task), send_cb, task);
}

void
octopus_s3_request_send_async (OctopusS3Request   *request,
                               GCancellable       *cancellable,
                               GAsyncReadyCallback callback,
                               gpointer            user_data)
{
  GTask *task = g_task_new (request->client, cancellable, callback, user_data);

  g_task_set_source_tag (task, octopus_s3_request_send_async);
  g_task_set_task_data (task, request, (GDestroyNotify) octopus_s3_request_free);
  /* The task holds itself until it returns; every path ends in one g_object_unref. */
  attempt_start (task);
}

OctopusS3Response *
octopus_s3_request_send_finish (GAsyncResult *result,
                                GError      **error)
{
  g_return_val_if_fail (G_IS_TASK (result), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
