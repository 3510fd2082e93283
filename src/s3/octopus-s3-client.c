/* SPDX-License-Identifier: GPL-3.0-or-later */
/* octopus-s3-client.c — one S3-compatible service: the session, addressing, signing, and the
 * operations of octopus-s3-client.h built on the request engine (octopus-s3-request.c).
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <openssl/crypto.h>
#include <string.h>

#include "octopus-s3-client-private.h"
#include "octopus-s3-request.h"
#include "octopus-s3-xml.h"
#include "octopus-sigv4.h"

#define DEFAULT_REGION "us-east-1"
#define MAX_KEY_BYTES 1024
#define MAX_DELETE_KEYS 1000

struct _OctopusS3Client {
  GObject      parent_instance;

  char        *name;
  char        *endpoint;
  char        *region;
  char        *access_key;
  char        *secret_key;   /* cleansed in finalize */
  gsize        secret_len;
  gboolean     path_style;
  char        *scheme;       /* "http" / "https" */
  char        *host;         /* endpoint host, brackets kept for IPv6 */
  int          port;         /* -1: the scheme's default */
  char        *base_path;    /* endpoint path without a trailing '/', usually "" */
  guint        max_attempts;
  guint        retry_base_ms;
  SoupSession *session;
  gboolean     clock_known;
  gint64       clock_offset_us;  /* server − local, from the latest Date header */
};

G_DEFINE_FINAL_TYPE (OctopusS3Client, octopus_s3_client, G_TYPE_OBJECT)

static void
octopus_s3_client_finalize (GObject *object)
{
  OctopusS3Client *self = OCTOPUS_S3_CLIENT (object);

  if (self->secret_key != NULL)
    OPENSSL_cleanse (self->secret_key, self->secret_len);
  g_clear_pointer (&self->secret_key, g_free);
  g_free (self->name);
  g_free (self->endpoint);
  g_free (self->region);
  g_free (self->access_key);
  g_free (self->scheme);
  g_free (self->host);
  g_free (self->base_path);
  g_clear_object (&self->session);

  G_OBJECT_CLASS (octopus_s3_client_parent_class)->finalize (object);
}

static void
octopus_s3_client_class_init (OctopusS3ClientClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = octopus_s3_client_finalize;
}

static void
octopus_s3_client_init (OctopusS3Client *self)
{
}

static gboolean
parse_endpoint (OctopusS3Client              *self,
                const OctopusS3ClientOptions *options,
                GError                      **error)
{
  g_autoptr(GUri) uri = NULL;
  g_autoptr(GError) local = NULL;
  const char *path;

  if (options->endpoint == NULL ||
      (uri = g_uri_parse (options->endpoint, G_URI_FLAGS_ENCODED, &local)) == NULL)
    {
      g_set_error (error, OCTOPUS_S3_ERROR, OCTOPUS_S3_ERROR_INVALID_ARGUMENT,
                   _("%s: the endpoint “%s” is not a valid URL"), self->name,
                   options->endpoint ? options->endpoint : "");
      return FALSE;
    }
  if (g_strcmp0 (g_uri_get_scheme (uri), "https") != 0 &&
      g_strcmp0 (g_uri_get_scheme (uri), "http") != 0)
    {
      g_set_error (error, OCTOPUS_S3_ERROR, OCTOPUS_S3_ERROR_INVALID_ARGUMENT,
                   _("%s: the endpoint “%s” must start with https://"), self->name,
                   options->endpoint);
      return FALSE;
    }
  if (g_str_equal (g_uri_get_scheme (uri), "http") && !options->allow_http)
    {
      g_set_error (error, OCTOPUS_S3_ERROR, OCTOPUS_S3_ERROR_INVALID_ARGUMENT,
                   _("%s: the endpoint “%s” is plain http://, which is refused unless "
                     "unencrypted connections are allowed for this account"),
                   self->name, options->endpoint);
      return FALSE;
    }
  if (g_uri_get_host (uri) == NULL || *g_uri_get_host (uri) == '\0' ||
      g_uri_get_userinfo (uri) != NULL || g_uri_get_query (uri) != NULL ||
      g_uri_get_fragment (uri) != NULL)
    {
      g_set_error (error, OCTOPUS_S3_ERROR, OCTOPUS_S3_ERROR_INVALID_ARGUMENT,
                   _("%s: the endpoint “%s” must be just scheme, host and port"),
                   self->name, options->endpoint);
      return FALSE;
    }

  self->scheme = g_strdup (g_uri_get_scheme (uri));
  self->host = strchr (g_uri_get_host (uri), ':') != NULL
                 ? g_strdup_printf ("[%s]", g_uri_get_host (uri))
                 : g_ascii_strdown (g_uri_get_host (uri), -1);
  self->port = g_uri_get_port (uri);
  if ((self->port == 443 && g_str_equal (self->scheme, "https")) ||
      (self->port == 80 && g_str_equal (self->scheme, "http")))
    self->port = -1;
  path = g_uri_get_path (uri);
  self->base_path = g_strdup (path != NULL ? path : "");
  while (g_str_has_suffix (self->base_path, "/"))
    self->base_path[strlen (self->base_path) - 1] = '\0';
  return TRUE;
}

static SoupSession *
new_session (const OctopusS3ClientOptions *options)
{
  guint per_host = options->max_connections ? options->max_connections : 8;
  guint timeout = options->timeout_seconds ? options->timeout_seconds : 60;
  SoupSession *session;

  session = soup_session_new_with_options ("max-conns-per-host", (int) per_host,
                                           "max-conns", (int) MAX (per_host * 2, 10u),
                                           "timeout", timeout,
                                           "idle-timeout", timeout,
                                           "user-agent", "Octopus/" PACKAGE_VERSION,
                                           NULL);
  /* S3 wants the raw bytes: a gzip-encoded object must not come back decompressed (its
   * size and MD5 would no longer match), and Accept-Encoding must not be sent. */
  soup_session_remove_feature_by_type (session, SOUP_TYPE_CONTENT_DECODER);
  return session;
}

OctopusS3Client *
octopus_s3_client_new (const OctopusS3ClientOptions *options,
                       GError                      **error)
{
  g_autoptr(OctopusS3Client) self = NULL;

  g_return_val_if_fail (options != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  self = g_object_new (OCTOPUS_TYPE_S3_CLIENT, NULL);
  self->name = g_strdup (options->name && *options->name ? options->name
                         : options->endpoint ? options->endpoint : "S3");
  if (!parse_endpoint (self, options, error))
    return NULL;
  if (options->access_key == NULL || options->secret_key == NULL)
    {
      g_set_error (error, OCTOPUS_S3_ERROR, OCTOPUS_S3_ERROR_INVALID_ARGUMENT,
                   _("%s: an access key and a secret key are required"), self->name);
      return NULL;
    }

  self->endpoint = g_strdup (options->endpoint);
  self->region = g_strdup (options->region && *options->region ? options->region
                                                               : DEFAULT_REGION);
  self->access_key = g_strdup (options->access_key);
  self->secret_len = strlen (options->secret_key);
  self->secret_key = g_strndup (options->secret_key, self->secret_len);
  self->path_style = options->path_style;
  self->max_attempts = options->max_attempts ? options->max_attempts : 5;
  self->retry_base_ms = options->retry_base_ms ? options->retry_base_ms : 200;
  self->session = new_session (options);
  return g_steal_pointer (&self);
}

const char *
octopus_s3_client_get_name (OctopusS3Client *self)
{
  g_return_val_if_fail (OCTOPUS_IS_S3_CLIENT (self), NULL);
  return self->name;
}

const char *
octopus_s3_client_get_endpoint (OctopusS3Client *self)
{
  g_return_val_if_fail (OCTOPUS_IS_S3_CLIENT (self), NULL);
  return self->endpoint;
}

const char *
octopus_s3_client_get_region (OctopusS3Client *self)
{
  g_return_val_if_fail (OCTOPUS_IS_S3_CLIENT (self), NULL);
  return self->region;
}

void
octopus_s3_client_set_region (OctopusS3Client *self,
                              const char      *region)
{
  g_return_if_fail (OCTOPUS_IS_S3_CLIENT (self));
  g_free (self->region);
  self->region = g_strdup (region && *region ? region : DEFAULT_REGION);
}

/* ---------------------------------------------------------------------------------------- */
/* Internal API (octopus-s3-client-private.h)                                               */

void
octopus_s3_target_clear (OctopusS3Target *target)
{
  g_clear_pointer (&target->scheme_host, g_free);
  g_clear_pointer (&target->host_header, g_free);
  g_clear_pointer (&target->path, g_free);
  g_clear_pointer (&target->canonical_path, g_free);
}

SoupSession *
octopus_s3_client_get_session (OctopusS3Client *self)
{
  return self->session;
}

guint
octopus_s3_client_get_max_attempts (OctopusS3Client *self)
{
  return self->max_attempts;
}

guint
octopus_s3_client_get_retry_base_ms (OctopusS3Client *self)
{
  return self->retry_base_ms;
}

void
octopus_s3_client_note_reply (OctopusS3Client    *self,
                              SoupMessageHeaders *headers)
{
  const char *date = headers ? soup_message_headers_get_one (headers, "Date") : NULL;
  g_autoptr(GDateTime) when = date ? soup_date_time_new_from_http_string (date) : NULL;

  if (when == NULL)
    return;
  self->clock_offset_us = g_date_time_to_unix (when) * G_USEC_PER_SEC - g_get_real_time ();
  self->clock_known = TRUE;
}

gboolean
octopus_s3_client_get_clock_offset (OctopusS3Client *self,
                                    gint64          *offset_us)
{
  g_return_val_if_fail (OCTOPUS_IS_S3_CLIENT (self), FALSE);
  if (offset_us != NULL)
    *offset_us = self->clock_known ? self->clock_offset_us : 0;
  return self->clock_known;
}

void
octopus_s3_client_name_error (OctopusS3Client *self,
                              GError          *error)
{
  if (error != NULL && error->domain == OCTOPUS_S3_ERROR)
    octopus_s3_error_set_service (error, self->name);
}

gboolean
octopus_s3_client_check_key (const char *key,
                             GError    **error)
{
  if (key == NULL || *key == '\0')
    {
      g_set_error_literal (error, OCTOPUS_S3_ERROR, OCTOPUS_S3_ERROR_INVALID_ARGUMENT,
                           _("An object key cannot be empty"));
      return FALSE;
    }
  if (strlen (key) > MAX_KEY_BYTES)
    {
      g_set_error (error, OCTOPUS_S3_ERROR, OCTOPUS_S3_ERROR_INVALID_ARGUMENT,
                   _("An object key cannot be longer than %d bytes"), MAX_KEY_BYTES);
      return FALSE;
    }
  if (!g_utf8_validate (key, -1, NULL))
    {
      g_set_error_literal (error, OCTOPUS_S3_ERROR, OCTOPUS_S3_ERROR_INVALID_ARGUMENT,
                           _("An object key must be valid UTF-8"));
      return FALSE;
    }
  return TRUE;
}

static gboolean
check_bucket (OctopusS3Client *self,
              const char      *bucket,
              GError         **error)
{
  /* Only what would break the URL is refused here; the service judges the rest. */
  if (bucket == NULL || *bucket == '\0' || strlen (bucket) > 255 || strchr (bucket, '/') ||
      !g_utf8_validate (bucket, -1, NULL) ||
      (!self->path_style && strpbrk (bucket, " %?#@:[]") != NULL))
    {
      g_set_error (error, OCTOPUS_S3_ERROR, OCTOPUS_S3_ERROR_INVALID_ARGUMENT,
                   _("%s: “%s” is not a valid bucket name"), self->name,
                   bucket ? bucket : "");
      return FALSE;
    }
  return TRUE;
}

/* The wire form of an encoded path: each segment that is exactly "." or ".." has its dots
 * sent as %2E, so that no URL layer removes it as a dot segment (RFC 3986, 5.2.4).  A
 * server decodes %2E back to '.', so the key it sees is unchanged. */
static char *
protect_dot_segments (const char *path)
{
  g_auto(GStrv) segments = g_strsplit (path, "/", -1);

  for (guint i = 0; segments[i] != NULL; i++)
    if (g_str_equal (segments[i], ".") || g_str_equal (segments[i], ".."))
      {
        g_autofree char *dots = segments[i];
        segments[i] = g_str_equal (dots, ".") ? g_strdup ("%2E") : g_strdup ("%2E%2E");
      }
  return g_strjoinv ("/", segments);
}

gboolean
octopus_s3_client_locate (OctopusS3Client *self,
                          const char      *bucket,
                          const char      *key,
                          OctopusS3Target *target,
                          GError         **error)
{
  g_autofree char *host = NULL;
  g_autofree char *enc_bucket = NULL;
  g_autofree char *enc_key = NULL;

  g_assert (bucket != NULL || key == NULL);
  if (bucket != NULL && !check_bucket (self, bucket, error))
    return FALSE;
  if (key != NULL && !octopus_s3_client_check_key (key, error))
    return FALSE;

  /* Encoded once, by the S3 rule: the canonical URI.  It is also what is sent, except
   * for dot segments (see OctopusS3Target). */
  if (key != NULL)
    enc_key = octopus_sigv4_uri_encode (key, TRUE);

  if (bucket != NULL && !self->path_style)
    host = g_strconcat (bucket, ".", self->host, NULL);
  else
    host = g_strdup (self->host);

  target->host_header = self->port > 0 ? g_strdup_printf ("%s:%d", host, self->port)
                                       : g_strdup (host);
  target->scheme_host = g_strdup_printf ("%s://%s", self->scheme, target->host_header);

  if (bucket == NULL)
    target->canonical_path = g_strconcat (self->base_path, "/", NULL);
  else if (self->path_style)
    {
      enc_bucket = octopus_sigv4_uri_encode (bucket, FALSE);
      target->canonical_path = g_strconcat (self->base_path, "/", enc_bucket,
                                            enc_key ? "/" : "", enc_key ? enc_key : "", NULL);
    }
  else
    target->canonical_path = g_strconcat (self->base_path, "/", enc_key ? enc_key : "", NULL);
  target->path = protect_dot_segments (target->canonical_path);
  return TRUE;
}

char *
octopus_s3_client_authorize (OctopusS3Client           *self,
                             const OctopusSigV4Request *request,
                             const char                *amz_date)
{
  return octopus_sigv4_authorization (request, self->access_key, self->secret_key,
                                      self->region, "s3", amz_date);
}

/* ---------------------------------------------------------------------------------------- */
/* URLs                                                                                     */

char *
octopus_s3_client_build_url (OctopusS3Client *self,
                             const char      *bucket,
                             const char      *key)
{
  OctopusS3Target target = { 0 };
  char *url;

  g_return_val_if_fail (OCTOPUS_IS_S3_CLIENT (self), NULL);
  if (!octopus_s3_client_locate (self, bucket, key, &target, NULL))
    return NULL;
  url = g_strconcat (target.scheme_host, target.path, NULL);
  octopus_s3_target_clear (&target);
  return url;
}

char *
octopus_s3_client_presign_get (OctopusS3Client *self,
                               const char      *bucket,
                               const char      *key,
                               guint            expires_seconds)
{
  OctopusS3Target target = { 0 };
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *amz_date = octopus_sigv4_format_amz_date (now);
  char *url;

  g_return_val_if_fail (OCTOPUS_IS_S3_CLIENT (self), NULL);
  if (!octopus_s3_client_locate (self, bucket, key, &target, NULL))
    return NULL;
  url = octopus_sigv4_presign ("GET", target.scheme_host, target.host_header,
                               target.canonical_path, self->access_key, self->secret_key,
                               self->region, amz_date, expires_seconds);
  if (url != NULL && !g_str_equal (target.path, target.canonical_path))
    {
      /* Signed over the canonical URI; the URL itself carries the wire form. */
      const char *query = url + strlen (target.scheme_host) + strlen (target.canonical_path);
      char *wire_url;

      g_assert (*query == '?');
      wire_url = g_strconcat (target.scheme_host, target.path, query, NULL);
      g_free (url);
      url = wire_url;
    }
  octopus_s3_target_clear (&target);
  return url;
}

/* The operations live in octopus-s3-client-ops.c. */
