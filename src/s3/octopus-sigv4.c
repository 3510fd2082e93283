/* SPDX-License-Identifier: GPL-3.0-or-later */
/* octopus-sigv4.c — AWS Signature Version 4 for S3, one stage per function.
 *
 * Stages, as in aws-c-auth: canonical request → string to sign → signing key → signature →
 * Authorization header (or presigned URL).  S3 differs from the generic SigV4 rules in two
 * ways that matter here: the path is signed exactly as sent (never normalised, never encoded a
 * second time), and the payload hash is whatever the caller sends in x-amz-content-sha256.
 *
 * Nothing in this file logs: a canonical request names keys and buckets, and anything derived
 * from the secret must never reach a log.  Every buffer that holds secret-derived bytes is
 * wiped with OPENSSL_cleanse before it is released.
 */
#include "octopus-sigv4.h"

#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#define SIGV4_ALGORITHM "AWS4-HMAC-SHA256"
#define SIGV4_TERMINATOR "aws4_request"
#define SHA256_LEN 32

/* ---- hashing ---------------------------------------------------------------------------- */

static char *
hex_encode (const guint8 *bytes,
            gsize         length)
{
  static const char digits[] = "0123456789abcdef";
  char *out = g_malloc (length * 2 + 1);

  for (gsize i = 0; i < length; i++)
    {
      out[2 * i] = digits[bytes[i] >> 4];
      out[2 * i + 1] = digits[bytes[i] & 0x0f];
    }
  out[length * 2] = '\0';

  return out;
}

char *
octopus_sigv4_sha256_hex (const void *data,
                          gsize       length)
{
  guint8 digest[EVP_MAX_MD_SIZE];
  unsigned int digest_len = 0;

  g_return_val_if_fail (data != NULL || length == 0, NULL);

  /* EVP_Digest rejects a NULL buffer even for zero bytes. */
  if (!EVP_Digest (data != NULL ? data : "", length, digest, &digest_len, EVP_sha256 (), NULL))
    {
      g_critical ("OpenSSL SHA-256 failed");
      return NULL;
    }

  return hex_encode (digest, digest_len);
}

/* HMAC-SHA256 through the OpenSSL 3 EVP_MAC API.  @out may hold a secret-derived key: the
 * caller cleanses it. */
static gboolean
hmac_sha256 (const void *key,
             gsize       key_len,
             const void *data,
             gsize       data_len,
             guint8      out[SHA256_LEN])
{
  size_t out_len = 0;

  if (EVP_Q_mac (NULL, "HMAC", NULL, "SHA256", NULL, key, key_len,
                 data, data_len, out, SHA256_LEN, &out_len) == NULL
      || out_len != SHA256_LEN)
    {
      OPENSSL_cleanse (out, SHA256_LEN);
      g_critical ("OpenSSL HMAC-SHA256 failed");
      return FALSE;
    }

  return TRUE;
}

/* ---- encoding ----------------------------------------------------------------------------- */

static gboolean
is_unreserved (guchar c)
{
  return g_ascii_isalnum (c) || c == '-' || c == '.' || c == '_' || c == '~';
}

static void
append_encoded (GString      *out,
                const guint8 *bytes,
                gsize         length,
                gboolean      keep_slash)
{
  for (gsize i = 0; i < length; i++)
    {
      guchar c = bytes[i];

      if (is_unreserved (c) || (keep_slash && c == '/'))
        g_string_append_c (out, (char) c);
      else
        g_string_append_printf (out, "%%%02X", c);
    }
}

char *
octopus_sigv4_uri_encode (const char *s,
                          gboolean    keep_slash)
{
  GString *out;

  g_return_val_if_fail (s != NULL, NULL);

  out = g_string_sized_new (strlen (s) * 3 / 2 + 1);
  append_encoded (out, (const guint8 *) s, strlen (s), keep_slash);

  return g_string_free (out, FALSE);
}

/* Percent-decodes @s[0..@length) once.  A '%' not followed by two hex digits is kept as a
 * literal byte (it is then signed as %25, which is what a server decoding the same query
 * sees).  '+' stays '+': S3 query strings follow RFC 3986, not HTML forms. */
static GByteArray *
percent_decode (const char *s,
                gsize       length)
{
  GByteArray *out = g_byte_array_sized_new (length);

  for (gsize i = 0; i < length; i++)
    {
      guint8 byte = (guint8) s[i];

      if (s[i] == '%' && i + 2 < length
          && g_ascii_isxdigit (s[i + 1]) && g_ascii_isxdigit (s[i + 2]))
        {
          byte = (guint8) (g_ascii_xdigit_value (s[i + 1]) << 4 | g_ascii_xdigit_value (s[i + 2]));
          i += 2;
        }
      g_byte_array_append (out, &byte, 1);
    }

  return out;
}

static char *
reencode (const char *s,
          gsize       length)
{
  g_autoptr(GByteArray) raw = percent_decode (s, length);
  GString *out = g_string_sized_new (raw->len + 1);

  append_encoded (out, raw->data, raw->len, FALSE);

  return g_string_free (out, FALSE);
}

/* ---- canonical query -------------------------------------------------------------------- */

typedef struct {
  char *name;   /* encoded */
  char *value;  /* encoded, "" when the parameter had none */
} QueryParam;

static void
query_param_clear (gpointer data)
{
  QueryParam *param = data;

  g_free (param->name);
  g_free (param->value);
}

static int
query_param_compare (gconstpointer a,
                     gconstpointer b)
{
  const QueryParam *pa = a;
  const QueryParam *pb = b;
  int cmp = strcmp (pa->name, pb->name);

  return cmp != 0 ? cmp : strcmp (pa->value, pb->value);
}

char *
octopus_sigv4_canonical_query (const char *query)
{
  g_autoptr(GArray) params = NULL;
  GString *out;

  if (query == NULL || *query == '\0')
    return g_strdup ("");

  params = g_array_new (FALSE, FALSE, sizeof (QueryParam));
  g_array_set_clear_func (params, query_param_clear);

  for (const char *p = query; *p != '\0';)
    {
      const char *end = strchr (p, '&');
      const char *eq;
      QueryParam param;

      if (end == NULL)
        end = p + strlen (p);

      if (end > p)   /* "a&&b" has an empty pair: it carries nothing to sign */
        {
          eq = memchr (p, '=', (gsize) (end - p));
          if (eq != NULL)
            {
              param.name = reencode (p, (gsize) (eq - p));
              param.value = reencode (eq + 1, (gsize) (end - eq - 1));
            }
          else
            {
              param.name = reencode (p, (gsize) (end - p));
              param.value = g_strdup ("");
            }
          g_array_append_val (params, param);
        }

      p = *end == '&' ? end + 1 : end;
    }

  /* Byte order of the encoded names (then values) is the order AWS specifies. */
  g_array_sort (params, query_param_compare);

  out = g_string_new (NULL);
  for (guint i = 0; i < params->len; i++)
    {
      const QueryParam *param = &g_array_index (params, QueryParam, i);

      if (i > 0)
        g_string_append_c (out, '&');
      g_string_append (out, param->name);
      g_string_append_c (out, '=');
      g_string_append (out, param->value);
    }

  return g_string_free (out, FALSE);
}

/* ---- canonical headers ------------------------------------------------------------------ */

typedef struct {
  char    *name;   /* lower-case */
  GString *value;  /* trimmed, inner whitespace collapsed, duplicates joined with ',' */
} Header;

static void
header_free (gpointer data)
{
  Header *header = data;

  g_free (header->name);
  g_string_free (header->value, TRUE);
  g_free (header);
}

static int
header_compare (gconstpointer a,
                gconstpointer b)
{
  const Header *ha = *(const Header * const *) a;
  const Header *hb = *(const Header * const *) b;

  return strcmp (ha->name, hb->name);
}

/* Trims @value and collapses every inner run of spaces or tabs to one space. */
static void
append_trimmed (GString    *out,
                const char *value)
{
  gboolean pending_space = FALSE;
  gboolean started = FALSE;

  for (const char *p = value; *p != '\0'; p++)
    {
      if (*p == ' ' || *p == '\t')
        {
          pending_space = started;
          continue;
        }
      if (pending_space)
        g_string_append_c (out, ' ');
      g_string_append_c (out, *p);
      pending_space = FALSE;
      started = TRUE;
    }
}

static GPtrArray *
collect_headers (const char * const *headers)
{
  g_autoptr(GHashTable) by_name = g_hash_table_new (g_str_hash, g_str_equal);
  GPtrArray *list = g_ptr_array_new_with_free_func (header_free);

  for (gsize i = 0; headers != NULL && headers[i] != NULL && headers[i + 1] != NULL; i += 2)
    {
      g_autofree char *name = g_strstrip (g_ascii_strdown (headers[i], -1));
      Header *header;


      header = g_hash_table_lookup (by_name, name);
      if (header == NULL)
        {
          header = g_new0 (Header, 1);
          header->name = g_steal_pointer (&name);
          header->value = g_string_new (NULL);
          g_ptr_array_add (list, header);
          g_hash_table_insert (by_name, header->name, header);
        }
      else
        {
          /* A repeated header is signed as one, values in the order they were given. */
          g_string_append_c (header->value, ',');
        }
      append_trimmed (header->value, headers[i + 1]);
    }

  g_ptr_array_sort (list, header_compare);

  return list;
}

char *
octopus_sigv4_canonical_request (const OctopusSigV4Request *request,
                                 char                     **signed_headers)
{
  g_autoptr(GPtrArray) headers = NULL;
  g_autofree char *query = NULL;
  GString *out;
  GString *names;

  g_return_val_if_fail (request != NULL, NULL);
  g_return_val_if_fail (request->method != NULL, NULL);
  g_return_val_if_fail (request->payload_hash != NULL, NULL);

  headers = collect_headers (request->headers);
  query = octopus_sigv4_canonical_query (request->query);

  out = g_string_new (request->method);
  g_string_append_c (out, '\n');
  /* S3: the path exactly as sent; an empty path is the root. */
  g_string_append (out, request->path != NULL && *request->path != '\0' ? request->path : "/");
  g_string_append_c (out, '\n');
  g_string_append (out, query);
  g_string_append_c (out, '\n');

  names = g_string_new (NULL);
  for (guint i = 0; i < headers->len; i++)
    {
      const Header *header = g_ptr_array_index (headers, i);

      g_string_append_printf (out, "%s:%s\n", header->name, header->value->str);
      if (i > 0)
        g_string_append_c (names, ';');
      g_string_append (names, header->name);
    }

  g_string_append_c (out, '\n');
  g_string_append (out, names->str);
  g_string_append_c (out, '\n');
  g_string_append (out, request->payload_hash);

  if (signed_headers != NULL)
    *signed_headers = g_string_free (names, FALSE);
  else
    g_string_free (names, TRUE);

  return g_string_free (out, FALSE);
}

/* ---- string to sign, key, signature ----------------------------------------------------- */

char *
octopus_sigv4_string_to_sign (const char *amz_date,
                              const char *region,
                              const char *service,
                              const char *canonical_request)
{
  g_autofree char *hash = NULL;

  g_return_val_if_fail (amz_date != NULL && strlen (amz_date) >= 8, NULL);
  g_return_val_if_fail (region != NULL, NULL);
  g_return_val_if_fail (service != NULL, NULL);
  g_return_val_if_fail (canonical_request != NULL, NULL);

  hash = octopus_sigv4_sha256_hex (canonical_request, strlen (canonical_request));
  if (hash == NULL)
    return NULL;

  return g_strdup_printf (SIGV4_ALGORITHM "\n%s\n%.8s/%s/%s/" SIGV4_TERMINATOR "\n%s",
                          amz_date, amz_date, region, service, hash);
}

void
octopus_sigv4_signing_key (const char *secret_key,
                           const char *date,
                           const char *region,
                           const char *service,
                           guint8      key_out[32])
{
  gsize secret_len;
  gsize k_secret_len;
  guint8 *k_secret;
  guint8 k_date[SHA256_LEN];
  guint8 k_region[SHA256_LEN];
  guint8 k_service[SHA256_LEN];
  gboolean ok;

  g_return_if_fail (key_out != NULL);
  memset (key_out, 0, SHA256_LEN);
  g_return_if_fail (secret_key != NULL);
  g_return_if_fail (date != NULL && strlen (date) >= 8);
  g_return_if_fail (region != NULL);
  g_return_if_fail (service != NULL);

  secret_len = strlen (secret_key);
  k_secret_len = 4 + secret_len;
  k_secret = g_malloc (k_secret_len);
  memcpy (k_secret, "AWS4", 4);
  memcpy (k_secret + 4, secret_key, secret_len);

  /* Only the YYYYMMDD part is in the scope, even if a full amz-date is passed. */
  ok = hmac_sha256 (k_secret, k_secret_len, date, 8, k_date)
       && hmac_sha256 (k_date, SHA256_LEN, region, strlen (region), k_region)
       && hmac_sha256 (k_region, SHA256_LEN, service, strlen (service), k_service)
       && hmac_sha256 (k_service, SHA256_LEN, SIGV4_TERMINATOR, strlen (SIGV4_TERMINATOR),
                       key_out);
  if (!ok)
    OPENSSL_cleanse (key_out, SHA256_LEN);

  OPENSSL_cleanse (k_secret, k_secret_len);
  g_free (k_secret);
  OPENSSL_cleanse (k_date, sizeof k_date);
  OPENSSL_cleanse (k_region, sizeof k_region);
  OPENSSL_cleanse (k_service, sizeof k_service);
}

char *
octopus_sigv4_signature (const guint8  signing_key[32],
                         const char   *string_to_sign)
{
  guint8 mac[SHA256_LEN];
  char *hex;

  g_return_val_if_fail (signing_key != NULL, NULL);
  g_return_val_if_fail (string_to_sign != NULL, NULL);

  if (!hmac_sha256 (signing_key, SHA256_LEN, string_to_sign, strlen (string_to_sign), mac))
    return NULL;

  hex = hex_encode (mac, SHA256_LEN);
  OPENSSL_cleanse (mac, sizeof mac);

  return hex;
}

/* Runs string-to-sign → key → signature and wipes the key.  NULL only if OpenSSL fails. */
static char *
sign_canonical_request (const char *canonical_request,
                        const char *secret_key,
                        const char *region,
                        const char *service,
                        const char *amz_date)
{
  g_autofree char *string_to_sign = NULL;
  guint8 key[SHA256_LEN];
  char *signature;

  string_to_sign = octopus_sigv4_string_to_sign (amz_date, region, service, canonical_request);
  if (string_to_sign == NULL)
    return NULL;

  octopus_sigv4_signing_key (secret_key, amz_date, region, service, key);
  signature = octopus_sigv4_signature (key, string_to_sign);
  OPENSSL_cleanse (key, sizeof key);

  return signature;
}

char *
octopus_sigv4_authorization (const OctopusSigV4Request *request,
                             const char                *access_key,
                             const char                *secret_key,
                             const char                *region,
                             const char                *service,
                             const char                *amz_date)
{
  g_autofree char *signed_headers = NULL;
  g_autofree char *canonical_request = NULL;
  g_autofree char *signature = NULL;

  g_return_val_if_fail (request != NULL, NULL);
  g_return_val_if_fail (access_key != NULL, NULL);
  g_return_val_if_fail (secret_key != NULL, NULL);
  g_return_val_if_fail (region != NULL, NULL);
  g_return_val_if_fail (service != NULL, NULL);
  g_return_val_if_fail (amz_date != NULL && strlen (amz_date) >= 8, NULL);

  canonical_request = octopus_sigv4_canonical_request (request, &signed_headers);
  if (canonical_request == NULL)
    return NULL;

  signature = sign_canonical_request (canonical_request, secret_key, region, service, amz_date);
  if (signature == NULL)
    return NULL;

  return g_strdup_printf (SIGV4_ALGORITHM " Credential=%s/%.8s/%s/%s/" SIGV4_TERMINATOR
                          ", SignedHeaders=%s, Signature=%s",
                          access_key, amz_date, region, service, signed_headers, signature);
}

/* ---- presigned URLs ---------------------------------------------------------------------- */

char *
octopus_sigv4_presign_with_query (const char *method,
                                  const char *scheme_host,
                                  const char *host_header,
                                  const char *path,
                                  const char *query,
                                  const char *access_key,
                                  const char *secret_key,
                                  const char *region,
                                  const char *amz_date,
                                  guint       expires_seconds)
{
  g_autofree char *credential = NULL;
  g_autofree char *auth_query = NULL;
  g_autofree char *canonical_query = NULL;
  g_autofree char *canonical_request = NULL;
  g_autofree char *signature = NULL;
  const char *headers[] = { "host", host_header, NULL };
  OctopusSigV4Request request = { 0 };

  g_return_val_if_fail (method != NULL, NULL);
  g_return_val_if_fail (scheme_host != NULL, NULL);
  g_return_val_if_fail (host_header != NULL, NULL);
  g_return_val_if_fail (access_key != NULL, NULL);
  g_return_val_if_fail (secret_key != NULL, NULL);
  g_return_val_if_fail (region != NULL, NULL);
  g_return_val_if_fail (amz_date != NULL && strlen (amz_date) >= 8, NULL);

  {
    g_autofree char *scope = g_strdup_printf ("%s/%.8s/%s/s3/" SIGV4_TERMINATOR,
                                              access_key, amz_date, region);
    credential = octopus_sigv4_uri_encode (scope, FALSE);
  }

  auth_query = g_strdup_printf ("%s%sX-Amz-Algorithm=" SIGV4_ALGORITHM
                                "&X-Amz-Credential=%s&X-Amz-Date=%s"
                                "&X-Amz-Expires=%u&X-Amz-SignedHeaders=host",
                                query != NULL ? query : "",
                                query != NULL && *query != '\0' ? "&" : "",
                                credential, amz_date, expires_seconds);
  canonical_query = octopus_sigv4_canonical_query (auth_query);

  request.method = method;
  request.path = path;
  request.query = canonical_query;
  request.headers = headers;
  request.payload_hash = OCTOPUS_SIGV4_UNSIGNED_PAYLOAD;

  canonical_request = octopus_sigv4_canonical_request (&request, NULL);
  signature = sign_canonical_request (canonical_request, secret_key, region, "s3", amz_date);
  if (signature == NULL)
    return NULL;

  /* The canonical query is already correctly encoded and sorted: send it as is. */
  return g_strdup_printf ("%s%s?%s&X-Amz-Signature=%s", scheme_host,
                          path != NULL && *path != '\0' ? path : "/",
                          canonical_query, signature);
}

char *
octopus_sigv4_presign (const char *method,
                       const char *scheme_host,
                       const char *host_header,
                       const char *path,
                       const char *access_key,
                       const char *secret_key,
                       const char *region,
                       const char *amz_date,
                       guint       expires_seconds)
{
  return octopus_sigv4_presign_with_query (method, scheme_host, host_header, path, NULL,
                                           access_key, secret_key, region, amz_date,
                                           expires_seconds);
}

/* ---- dates ------------------------------------------------------------------------------- */

char *
octopus_sigv4_format_amz_date (GDateTime *time)
{
  g_autoptr(GDateTime) utc = NULL;

  g_return_val_if_fail (time != NULL, NULL);

  utc = g_date_time_to_utc (time);
  return g_date_time_format (utc, "%Y%m%dT%H%M%SZ");
}
