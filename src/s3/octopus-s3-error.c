/* SPDX-License-Identifier: GPL-3.0-or-later */
/* octopus-s3-error.c — the S3 error domain: classification, messages, retryability.
 *
 * The GError code is a class the upper layers act on; the raw S3 details (code, request id,
 * service name, region, HTTP status, the server's own message) ride along as extended-error
 * private data so the UI can show them and tests can assert them.
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <gio/gio.h>
#include <string.h>

#include "octopus-s3-error.h"

typedef struct {
  char    *s3_code;
  char    *request_id;
  char    *service;
  char    *region;
  char    *server_message;
  guint    http_status;
  /* Only for errors built from a transport failure: whether another attempt can help. */
  gboolean transport_retryable;
} OctopusS3ErrorPrivate;

static void
octopus_s3_error_private_init (OctopusS3ErrorPrivate *priv)
{
  /* Zeroed by GLib already. */
}

static void
octopus_s3_error_private_copy (const OctopusS3ErrorPrivate *src,
                               OctopusS3ErrorPrivate       *dest)
{
  dest->s3_code = g_strdup (src->s3_code);
  dest->request_id = g_strdup (src->request_id);
  dest->service = g_strdup (src->service);
  dest->region = g_strdup (src->region);
  dest->server_message = g_strdup (src->server_message);
  dest->http_status = src->http_status;
  dest->transport_retryable = src->transport_retryable;
}

static void
octopus_s3_error_private_clear (OctopusS3ErrorPrivate *priv)
{
  g_clear_pointer (&priv->s3_code, g_free);
  g_clear_pointer (&priv->request_id, g_free);
  g_clear_pointer (&priv->service, g_free);
  g_clear_pointer (&priv->region, g_free);
  g_clear_pointer (&priv->server_message, g_free);
}

G_DEFINE_EXTENDED_ERROR (OctopusS3Error, octopus_s3_error)

/* ---------------------------------------------------------------------------------------- */
/* Classification                                                                           */

typedef struct {
  const char         *s3_code;
  OctopusS3ErrorCode  klass;
} CodeClass;

/* S3 codes whose meaning does not depend on the HTTP status.  Codes not listed fall back to
 * the status (see classify_status). */
static const CodeClass code_classes[] = {
  { "InvalidAccessKeyId", OCTOPUS_S3_ERROR_AUTH },
  { "SignatureDoesNotMatch", OCTOPUS_S3_ERROR_AUTH },
  { "InvalidToken", OCTOPUS_S3_ERROR_AUTH },
  { "ExpiredToken", OCTOPUS_S3_ERROR_AUTH },
  { "TokenRefreshRequired", OCTOPUS_S3_ERROR_AUTH },
  { "InvalidSecurity", OCTOPUS_S3_ERROR_AUTH },
  { "AccessDenied", OCTOPUS_S3_ERROR_ACCESS_DENIED },
  { "AllAccessDisabled", OCTOPUS_S3_ERROR_ACCESS_DENIED },
  { "AccountProblem", OCTOPUS_S3_ERROR_ACCESS_DENIED },
  { "RequestTimeTooSkewed", OCTOPUS_S3_ERROR_CLOCK_SKEW },
  { "NoSuchBucket", OCTOPUS_S3_ERROR_NO_SUCH_BUCKET },
  { "NoSuchKey", OCTOPUS_S3_ERROR_NO_SUCH_KEY },
  { "NoSuchUpload", OCTOPUS_S3_ERROR_NO_SUCH_UPLOAD },
  { "BucketAlreadyExists", OCTOPUS_S3_ERROR_BUCKET_TAKEN },
  /* Not a class of its own: CreateBucket callers treat this code as success (the bucket they
   * asked for exists and is theirs); everyone else sees an ordinary rejected request. */
  { "BucketAlreadyOwnedByYou", OCTOPUS_S3_ERROR_INVALID_REQUEST },
  { "BadDigest", OCTOPUS_S3_ERROR_BAD_DIGEST },
  { "InvalidDigest", OCTOPUS_S3_ERROR_BAD_DIGEST },
  { "XAmzContentSHA256Mismatch", OCTOPUS_S3_ERROR_BAD_DIGEST },
  { "NotImplemented", OCTOPUS_S3_ERROR_NOT_IMPLEMENTED },
  { "AccessControlListNotSupported", OCTOPUS_S3_ERROR_ACL_UNSUPPORTED },
  { "InvalidBucketAclWithObjectOwnership", OCTOPUS_S3_ERROR_ACL_UNSUPPORTED },
  { "PermanentRedirect", OCTOPUS_S3_ERROR_WRONG_REGION },
  { "TemporaryRedirect", OCTOPUS_S3_ERROR_WRONG_REGION },
  { "AuthorizationHeaderMalformed", OCTOPUS_S3_ERROR_WRONG_REGION },
  { "IllegalLocationConstraintException", OCTOPUS_S3_ERROR_WRONG_REGION },
  { "InternalError", OCTOPUS_S3_ERROR_SERVER },
  { "ServiceUnavailable", OCTOPUS_S3_ERROR_SERVER },
  { "SlowDown", OCTOPUS_S3_ERROR_SERVER },
  { "RequestTimeout", OCTOPUS_S3_ERROR_SERVER },
  { "OperationAborted", OCTOPUS_S3_ERROR_SERVER },
  { "XMinioServerNotInitialized", OCTOPUS_S3_ERROR_SERVER },
};

static OctopusS3ErrorCode
classify_status (guint http_status)
{
  switch (http_status)
    {
    case 301:
    case 307:
      return OCTOPUS_S3_ERROR_WRONG_REGION;
    case 401:
      return OCTOPUS_S3_ERROR_AUTH;
    case 403:
      return OCTOPUS_S3_ERROR_ACCESS_DENIED;
    case 404:
      /* HEAD replies carry no body: a bare 404 is a missing object. */
      return OCTOPUS_S3_ERROR_NO_SUCH_KEY;
    case 501:
      return OCTOPUS_S3_ERROR_NOT_IMPLEMENTED;
    default:
      break;
    }

  if (http_status >= 500 && http_status < 600)
    return OCTOPUS_S3_ERROR_SERVER;
  if (http_status >= 400 && http_status < 500)
    return OCTOPUS_S3_ERROR_INVALID_REQUEST;
  return OCTOPUS_S3_ERROR_FAILED;
}

OctopusS3ErrorCode
octopus_s3_error_classify (guint       http_status,
                           const char *s3_code)
{
  return octopus_s3_error_classify_full (http_status, s3_code, NULL);
}

static gboolean
message_mentions (const char *message,
                  const char *word)
{
  g_autofree char *folded = NULL;

  if (message == NULL)
    return FALSE;
  folded = g_ascii_strdown (message, -1);
  return strstr (folded, word) != NULL;
}

OctopusS3ErrorCode
octopus_s3_error_classify_full (guint       http_status,
                                const char *s3_code,
                                const char *message)
{
  if (s3_code != NULL && *s3_code != '\0')
    {
      for (guint i = 0; i < G_N_ELEMENTS (code_classes); i++)
        {
          OctopusS3ErrorCode klass;

          if (strcmp (s3_code, code_classes[i].s3_code) != 0)
            continue;
          klass = code_classes[i].klass;

          /* Services without ACLs (MinIO, R2, Swift) answer NotImplemented; the message is
           * what tells "no ACLs here" apart from other missing features. */
          if (klass == OCTOPUS_S3_ERROR_NOT_IMPLEMENTED && message_mentions (message, "acl"))
            return OCTOPUS_S3_ERROR_ACL_UNSUPPORTED;

          /* AuthorizationHeaderMalformed means "wrong region" when the server names one;
           * otherwise our Authorization header is broken, which no region change fixes. */
          if (strcmp (s3_code, "AuthorizationHeaderMalformed") == 0 && message != NULL &&
              !message_mentions (message, "region"))
            return OCTOPUS_S3_ERROR_INVALID_REQUEST;

          return klass;
        }
    }

  return classify_status (http_status);
}

/* The region the server expects, from "… the region 'us-east-1' is wrong; expecting
 * 'eu-west-1'", or NULL. */
static char *
region_from_message (const char *message)
{
  const char *start, *end;

  if (message == NULL || (start = strstr (message, "expecting '")) == NULL)
    return NULL;
  start += strlen ("expecting '");
  end = strchr (start, '\'');
  if (end == NULL || end == start)
    return NULL;
  return g_strndup (start, end - start);
}

/* ---------------------------------------------------------------------------------------- */
/* Messages                                                                                 */

/* What the failure means to the user, without the technical suffix. */
static char *
explain (OctopusS3ErrorCode     klass,
         const OctopusS3ErrorPrivate *priv)
{
  const char *service = priv->service;
  const char *code = priv->s3_code != NULL ? priv->s3_code : "";

  switch (klass)
    {
    case OCTOPUS_S3_ERROR_AUTH:
      if (g_str_equal (code, "InvalidAccessKeyId"))
        return g_strdup_printf (_("%s: the access key id is unknown to this service"), service);
      if (g_str_equal (code, "SignatureDoesNotMatch"))
        return g_strdup_printf (_("%s: the secret key is wrong"), service);
      return g_strdup_printf (_("%s: the credentials were refused"), service);
    case OCTOPUS_S3_ERROR_ACCESS_DENIED:
      return g_strdup_printf (_("%s: access denied: the key is valid but may not do this"),
                              service);
    case OCTOPUS_S3_ERROR_CLOCK_SKEW:
      return g_strdup_printf (_("%s: this computer’s clock is too far from the server’s; "
                                "check the date and time"), service);
    case OCTOPUS_S3_ERROR_NO_SUCH_BUCKET:
      return g_strdup_printf (_("%s: the bucket does not exist"), service);
    case OCTOPUS_S3_ERROR_NO_SUCH_KEY:
      return g_strdup_printf (_("%s: the object does not exist"), service);
    case OCTOPUS_S3_ERROR_NO_SUCH_UPLOAD:
      return g_strdup_printf (_("%s: the multipart upload no longer exists "
                                "(it was completed or aborted)"), service);
    case OCTOPUS_S3_ERROR_BUCKET_TAKEN:
      return g_strdup_printf (_("%s: the bucket name is taken by another account; "
                                "choose another name"), service);
    case OCTOPUS_S3_ERROR_BAD_DIGEST:
      return g_strdup_printf (_("%s: the data arrived damaged (checksum mismatch)"), service);
    case OCTOPUS_S3_ERROR_NOT_IMPLEMENTED:
      return g_strdup_printf (_("%s: the service does not support this operation"), service);
    case OCTOPUS_S3_ERROR_ACL_UNSUPPORTED:
      return g_strdup_printf (_("%s: ACLs are not supported here"), service);
    case OCTOPUS_S3_ERROR_WRONG_REGION:
      if (priv->region != NULL)
        return g_strdup_printf (_("%s: the bucket is in region “%s”; "
                                  "change the account’s region"), service, priv->region);
      return g_strdup_printf (_("%s: the bucket is in another region; "
                                "check the account’s region and endpoint"), service);
    case OCTOPUS_S3_ERROR_SERVER:
      if (g_str_equal (code, "SlowDown") || priv->http_status == 503)
        return g_strdup_printf (_("%s: the service is busy, try later"), service);
      if (g_str_equal (code, "RequestTimeout"))
        return g_strdup_printf (_("%s: the connection was too slow and the server gave up"),
                                service);
      return g_strdup_printf (_("%s: the server failed, try later"), service);
    case OCTOPUS_S3_ERROR_INVALID_REQUEST:
      if (g_str_equal (code, "BucketAlreadyOwnedByYou"))
        return g_strdup_printf (_("%s: you already own this bucket"), service);
      return g_strdup_printf (_("%s: the server rejected the request"), service);
    case OCTOPUS_S3_ERROR_FAILED:
    case OCTOPUS_S3_ERROR_NETWORK:
    case OCTOPUS_S3_ERROR_TLS:
    case OCTOPUS_S3_ERROR_MALFORMED_REPLY:
    case OCTOPUS_S3_ERROR_INVALID_ARGUMENT:
    case OCTOPUS_S3_ERROR_CANCELLED:
    default:
      return g_strdup_printf (_("%s: the request failed"), service);
    }
}

/* The server's own words add nothing where our explanation already says it all. */
static gboolean
server_message_helps (OctopusS3ErrorCode klass)
{
  switch (klass)
    {
    case OCTOPUS_S3_ERROR_AUTH:
    case OCTOPUS_S3_ERROR_CLOCK_SKEW:
    case OCTOPUS_S3_ERROR_NO_SUCH_BUCKET:
    case OCTOPUS_S3_ERROR_NO_SUCH_KEY:
    case OCTOPUS_S3_ERROR_NO_SUCH_UPLOAD:
    case OCTOPUS_S3_ERROR_BUCKET_TAKEN:
      return FALSE;
    default:
      return TRUE;
    }
}

static char *
build_message (OctopusS3ErrorCode           klass,
               const OctopusS3ErrorPrivate *priv)
{
  g_autofree char *explanation = explain (klass, priv);
  g_autofree char *detail = NULL;

  if (priv->s3_code != NULL && priv->http_status != 0)
    detail = g_strdup_printf (_("%s (%s, HTTP %u)"), explanation, priv->s3_code,
                              priv->http_status);
  else if (priv->s3_code != NULL)
    detail = g_strdup_printf (_("%s (%s)"), explanation, priv->s3_code);
  else if (priv->http_status != 0)
    detail = g_strdup_printf (_("%s (HTTP %u)"), explanation, priv->http_status);
  else
    detail = g_steal_pointer (&explanation);

  if (priv->server_message != NULL && *priv->server_message != '\0' &&
      server_message_helps (klass))
    return g_strdup_printf (_("%s: %s"), detail, priv->server_message);

  return g_steal_pointer (&detail);
}

/* Server text goes into a UI label: valid UTF-8, no empty strings. */
static char *
dup_clean (const char *s)
{
  if (s == NULL || *s == '\0')
    return NULL;
  return g_utf8_make_valid (s, -1);
}

GError *
octopus_s3_error_new (const char *service,
                      guint       http_status,
                      const char *s3_code,
                      const char *message,
                      const char *request_id)
{
  g_autofree char *code = dup_clean (s3_code);
  g_autofree char *server_message = dup_clean (message);
  OctopusS3ErrorCode klass = octopus_s3_error_classify_full (http_status, code, server_message);
  OctopusS3ErrorPrivate *priv;
  GError *error;

  /* The message is rebuilt below once the private data is in place. */
  error = g_error_new_literal (OCTOPUS_S3_ERROR, klass, "");
  priv = octopus_s3_error_get_private (error);
  priv->service = g_strdup (service != NULL && *service != '\0' ? service : "S3");
  priv->http_status = http_status;
  priv->s3_code = g_steal_pointer (&code);
  priv->server_message = g_steal_pointer (&server_message);
  priv->request_id = dup_clean (request_id);
  if (klass == OCTOPUS_S3_ERROR_WRONG_REGION)
    priv->region = region_from_message (priv->server_message);

  g_free (error->message);
  error->message = build_message (klass, priv);
  return error;
}

/* ---------------------------------------------------------------------------------------- */
/* Transport failures                                                                       */

static gboolean
transport_is_retryable (const GError *error)
{
  if (error->domain == G_IO_ERROR)
    {
      switch (error->code)
        {
        case G_IO_ERROR_CONNECTION_CLOSED: /* == G_IO_ERROR_BROKEN_PIPE; ECONNRESET too */
        case G_IO_ERROR_TIMED_OUT:
        case G_IO_ERROR_PARTIAL_INPUT:
          return TRUE;
        default:
          return FALSE; /* refused, unreachable, cancelled, … */
        }
    }
  if (error->domain == G_RESOLVER_ERROR)
    return error->code == G_RESOLVER_ERROR_TEMPORARY_FAILURE;
  /* TLS: a certificate that does not verify now will not verify in a second. */
  return FALSE;
}

GError *
octopus_s3_error_new_from_transport (const char   *service,
                                     const GError *transport)
{
  OctopusS3ErrorPrivate *priv;
  GError *error;
  gboolean tls;

  g_return_val_if_fail (transport != NULL, NULL);

  tls = transport->domain == G_TLS_ERROR;
  if (service == NULL || *service == '\0')
    service = "S3";

  if (tls)
    error = g_error_new (OCTOPUS_S3_ERROR, OCTOPUS_S3_ERROR_TLS,
                         _("%s: the secure connection failed: %s"), service, transport->message);
  else
    error = g_error_new (OCTOPUS_S3_ERROR, OCTOPUS_S3_ERROR_NETWORK,
                         _("%s: cannot reach the service: %s"), service, transport->message);

  priv = octopus_s3_error_get_private (error);
  priv->service = g_strdup (service);
  priv->transport_retryable = transport_is_retryable (transport);
  return error;
}

/* ---------------------------------------------------------------------------------------- */
/* Accessors                                                                                */

static OctopusS3ErrorPrivate *
get_private_checked (const GError *error)
{
  if (error == NULL || error->domain != OCTOPUS_S3_ERROR)
    return NULL;
  return octopus_s3_error_get_private (error);
}

const char *
octopus_s3_error_get_s3_code (const GError *error)
{
  OctopusS3ErrorPrivate *priv = get_private_checked (error);
  return priv != NULL ? priv->s3_code : NULL;
}

const char *
octopus_s3_error_get_request_id (const GError *error)
{
  OctopusS3ErrorPrivate *priv = get_private_checked (error);
  return priv != NULL ? priv->request_id : NULL;
}

const char *
octopus_s3_error_get_service (const GError *error)
{
  OctopusS3ErrorPrivate *priv = get_private_checked (error);
  return priv != NULL ? priv->service : NULL;
}

const char *
octopus_s3_error_get_region (const GError *error)
{
  OctopusS3ErrorPrivate *priv = get_private_checked (error);
  return priv != NULL ? priv->region : NULL;
}

const char *
octopus_s3_error_get_server_message (const GError *error)
{
  OctopusS3ErrorPrivate *priv = get_private_checked (error);
  return priv != NULL ? priv->server_message : NULL;
}

guint
octopus_s3_error_get_http_status (const GError *error)
{
  OctopusS3ErrorPrivate *priv = get_private_checked (error);
  return priv != NULL ? priv->http_status : 0;
}

void
octopus_s3_error_set_region (GError     *error,
                             const char *region)
{
  OctopusS3ErrorPrivate *priv = get_private_checked (error);

  g_return_if_fail (priv != NULL);

  g_free (priv->region);
  priv->region = dup_clean (region);

  /* The wrong-region message names the region, so it must follow. */
  if (error->code == OCTOPUS_S3_ERROR_WRONG_REGION && priv->service != NULL)
    {
      g_free (error->message);
      error->message = build_message (error->code, priv);
    }
}

void
octopus_s3_error_set_service (GError     *error,
                              const char *service)
{
  OctopusS3ErrorPrivate *priv = get_private_checked (error);

  g_return_if_fail (priv != NULL);
  g_return_if_fail (service != NULL && *service != '\0');

  /* Reply errors have a message built from the private data: rebuild it. */
  if (priv->s3_code != NULL || priv->http_status != 0)
    {
      g_free (priv->service);
      priv->service = g_strdup (service);
      g_free (error->message);
      error->message = build_message (error->code, priv);
      return;
    }

  /* A wrapped transport error already names its service in the message it was made with. */
  if (priv->service != NULL)
    return;

  /* An error made with g_set_error() (a malformed reply found by a parser, a missing
   * header): name the service in front, as every other error does, unless the message
   * already starts with it. */
  priv->service = g_strdup (service);
  if (!(g_str_has_prefix (error->message, service) &&
        g_str_has_prefix (error->message + strlen (service), ": ")))
    {
      char *named = g_strdup_printf (_("%s: %s"), service, error->message);

      g_free (error->message);
      error->message = named;
    }
}

gboolean
octopus_s3_error_is_retryable (const GError *error)
{
  OctopusS3ErrorPrivate *priv;

  if (error == NULL)
    return FALSE;

  if (error->domain != OCTOPUS_S3_ERROR)
    return transport_is_retryable (error);

  priv = octopus_s3_error_get_private (error);
  switch (error->code)
    {
    case OCTOPUS_S3_ERROR_NETWORK:
    case OCTOPUS_S3_ERROR_TLS:
      return priv->transport_retryable;
    case OCTOPUS_S3_ERROR_SERVER:
      /* Every SERVER code and status (SlowDown, InternalError, RequestTimeout, 500/502/503/
       * 504, …) is transient by nature; 501 is NOT_IMPLEMENTED and never gets here. */
      return TRUE;
    default:
      return FALSE;
    }
}
