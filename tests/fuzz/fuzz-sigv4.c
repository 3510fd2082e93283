/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fuzz-sigv4.c — libFuzzer target: the SigV4 canonicalizer and the S3 URI encoder.
 *
 * The input is split at NUL bytes into method, path, query, header name/value pairs; every
 * stage must cope with any bytes (not UTF-8, lone '%', huge repeats) and keep its contract:
 * uri_encode output contains only unreserved characters and %XX, canonical_query is
 * idempotent (canonicalising a canonical query changes nothing).
 */
#include <stdint.h>
#include <string.h>
#include <glib.h>

#include "fuzz-common.h"

#include "octopus-sigv4.h"

int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  fuzz_init_logging ();
  return 0;
}

static void
check_encoded (const char *encoded, gboolean keep_slash)
{
  for (const char *p = encoded; *p; p++)
    {
      if (g_ascii_isalnum (*p) || strchr ("-._~", *p) || (keep_slash && *p == '/'))
        continue;
      if (*p == '%' && g_ascii_isxdigit (p[1]) && g_ascii_isxdigit (p[2])
          && !g_ascii_islower (p[1]) && !g_ascii_islower (p[2]))
        {
          p += 2;
          continue;
        }
      g_error ("uri_encode left byte 0x%02x unencoded", (guint8) *p);
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  /* NUL-terminated copy, then fields at every NUL. */
  char *copy = g_malloc (size + 1);
  GPtrArray *fields = g_ptr_array_new ();
  char *signed_headers = NULL;

  memcpy (copy, data, size);
  copy[size] = '\0';
  for (char *p = copy; p <= copy + size; p += strlen (p) + 1)
    g_ptr_array_add (fields, p);

  for (guint i = 0; i < fields->len; i++)
    {
      const char *field = g_ptr_array_index (fields, i);
      char *a = octopus_sigv4_uri_encode (field, TRUE);
      char *b = octopus_sigv4_uri_encode (field, FALSE);
      char *q = octopus_sigv4_canonical_query (field);
      char *q2 = octopus_sigv4_canonical_query (q);

      check_encoded (a, TRUE);
      check_encoded (b, FALSE);
      if (strcmp (q, q2) != 0)
        g_error ("canonical_query is not idempotent: \"%s\" → \"%s\"", q, q2);
      g_free (a);
      g_free (b);
      g_free (q);
      g_free (q2);
    }

  {
    /* Headers: fields 3.. as name/value pairs, plus host (always signed). */
    GPtrArray *headers = g_ptr_array_new ();
    OctopusSigV4Request request = { 0 };
    char *canonical;

    g_ptr_array_add (headers, (gpointer) "host");
    g_ptr_array_add (headers, (gpointer) "127.0.0.1");
    for (guint i = 3; i + 1 < fields->len; i += 2)
      {
        g_ptr_array_add (headers, g_ptr_array_index (fields, i));
        g_ptr_array_add (headers, g_ptr_array_index (fields, i + 1));
      }
    g_ptr_array_add (headers, NULL);

    request.method = fields->len > 0 ? g_ptr_array_index (fields, 0) : "GET";
    request.path = fields->len > 1 ? g_ptr_array_index (fields, 1) : "/";
    request.query = fields->len > 2 ? g_ptr_array_index (fields, 2) : NULL;
    request.headers = (const char * const *) headers->pdata;
    request.payload_hash = OCTOPUS_SIGV4_UNSIGNED_PAYLOAD;

    canonical = octopus_sigv4_canonical_request (&request, &signed_headers);
    if (canonical != NULL)
      {
        char *sts = octopus_sigv4_string_to_sign ("20150830T123600Z", "us-east-1", "s3",
                                                  canonical);
        g_free (sts);
      }
    g_free (canonical);
    g_free (signed_headers);
    g_ptr_array_unref (headers);
  }

  g_ptr_array_unref (fields);
  g_free (copy);
  return 0;
}
