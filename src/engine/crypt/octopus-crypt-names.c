/* SPDX-License-Identifier: GPL-3.0-or-later */
/* octopus-crypt-names.c — rclone crypt's name encryption with directory names encrypted
 * too (its default).  Mode standard: each "/"-separated segment on its own, PKCS#7-padded to
 * 16 bytes, AES-256-EME under the name key and tweak, base32hex in lower case without
 * padding; an empty segment stays empty.  Mode off: ".bin" appended to the whole path. */
#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>
#include <openssl/crypto.h>

#include "octopus-crypt-eme.h"
#include "octopus-crypt-error.h"
#include "octopus-crypt-names.h"

#define BLOCK 16
#define OFF_SUFFIX ".bin"

const char *
octopus_crypt_name_mode_to_string (OctopusCryptNameMode mode)
{
  return mode == OCTOPUS_CRYPT_NAMES_OFF ? "off" : "standard";
}

gboolean
octopus_crypt_name_mode_from_string (const char           *text,
                                     OctopusCryptNameMode *mode)
{
  if (g_strcmp0 (text, "standard") == 0)
    *mode = OCTOPUS_CRYPT_NAMES_STANDARD;
  else if (g_strcmp0 (text, "off") == 0)
    *mode = OCTOPUS_CRYPT_NAMES_OFF;
  else
    return FALSE;
  return TRUE;
}

static gboolean
encrypt_segment (OctopusCryptKeys  *keys,
                 const char        *segment,
                 GString           *out,
                 GError           **error)
{
  gsize len = strlen (segment), padded = (len / BLOCK + 1) * BLOCK;
  guint8 buf[OCTOPUS_CRYPT_EME_MAX_SIZE], sealed[OCTOPUS_CRYPT_EME_MAX_SIZE];
  g_autofree char *encoded = NULL;

  if (len == 0)
    return TRUE;
  if (padded > OCTOPUS_CRYPT_EME_MAX_SIZE)
    {
      g_set_error (error, OCTOPUS_CRYPT_ERROR, OCTOPUS_CRYPT_ERROR_NAME_TOO_LONG,
                   _("A part of the name is too long to encrypt (%u bytes, at most %u)"),
                   (guint) MIN (len, G_MAXUINT), (guint) OCTOPUS_CRYPT_EME_MAX_SIZE - 1);
      return FALSE;
    }
  memcpy (buf, segment, len);
  memset (buf + len, (int) (padded - len), padded - len);
  if (!octopus_crypt_eme_transform (octopus_crypt_keys_get_name_key (keys),
                                    octopus_crypt_keys_get_name_tweak (keys),
                                    buf, sealed, padded, TRUE))
    g_error ("AES-256-ECB is not available from OpenSSL");
  OPENSSL_cleanse (buf, sizeof buf);
  encoded = octopus_crypt_base32_encode (sealed, padded);
  g_string_append (out, encoded);
  return TRUE;
}

static gboolean
bad_name (GError     **error,
          const char  *why)
{
  g_set_error (error, OCTOPUS_CRYPT_ERROR, OCTOPUS_CRYPT_ERROR_BAD_NAME,
               _("The name does not decrypt: %s"), why);
  return FALSE;
}

/* The plaintext of one segment: PKCS#7 padding whole and consistent, and nothing a key
 * cannot hold (a "/" inside a segment, a NUL, invalid UTF-8). */
static gboolean
unpad_segment (const guint8  *buf,
               gsize          len,
               GString       *out,
               GError       **error)
{
  guint pad = buf[len - 1];

  if (pad == 0 || pad > BLOCK)
    return bad_name (error, _("bad padding"));
  for (gsize i = len - pad; i < len; i++)
    if (buf[i] != pad)
      return bad_name (error, _("bad padding"));
  if (memchr (buf, '/', len - pad) != NULL || memchr (buf, '\0', len - pad) != NULL
      || !g_utf8_validate_len ((const char *) buf, len - pad, NULL))
    return bad_name (error, _("not a valid name"));
  g_string_append_len (out, (const char *) buf, (gssize) (len - pad));
  return TRUE;
}

static gboolean
decrypt_segment (OctopusCryptKeys  *keys,
                 const char        *segment,
                 GString           *out,
                 GError           **error)
{
  g_autofree guint8 *raw = NULL;
  guint8 buf[OCTOPUS_CRYPT_EME_MAX_SIZE];
  gsize len = 0;
  gboolean ok;

  if (*segment == '\0')
    return TRUE;
  raw = octopus_crypt_base32_decode (segment, &len);
  if (raw == NULL)
    return bad_name (error, _("not base32hex"));
  if (len == 0 || len % BLOCK != 0)
    return bad_name (error, _("not a multiple of 16 bytes"));
  if (len > OCTOPUS_CRYPT_EME_MAX_SIZE)
    return bad_name (error, _("too long"));
  if (!octopus_crypt_eme_transform (octopus_crypt_keys_get_name_key (keys),
                                    octopus_crypt_keys_get_name_tweak (keys),
                                    raw, buf, len, FALSE))
    g_error ("AES-256-ECB is not available from OpenSSL");
  ok = unpad_segment (buf, len, out, error);
  OPENSSL_cleanse (buf, sizeof buf);
  return ok;
}

typedef gboolean (*SegmentFunc) (OctopusCryptKeys *keys, const char *segment, GString *out,
                                 GError **error);

static char *
map_segments (OctopusCryptKeys  *keys,
              const char        *path,
              SegmentFunc        func,
              GError           **error)
{
  g_auto(GStrv) segments = g_strsplit (path, "/", -1);
  g_autoptr(GString) out = g_string_new (NULL);

  for (guint i = 0; segments[i] != NULL; i++)
    {
      if (i > 0)
        g_string_append_c (out, '/');
      if (!func (keys, segments[i], out, error))
        return NULL;
    }
  return g_string_free (g_steal_pointer (&out), FALSE);
}

/* The stored name of the object PATH ("dir/file"): the same PATH always gives the same. */
char *
octopus_crypt_encrypt_name (OctopusCryptKeys      *keys,
                            OctopusCryptNameMode   mode,
                            const char            *path,
                            GError               **error)
{
  g_return_val_if_fail (keys != NULL && path != NULL, NULL);

  if (mode == OCTOPUS_CRYPT_NAMES_OFF)
    return g_strconcat (path, OFF_SUFFIX, NULL);
  return map_segments (keys, path, encrypt_segment, error);
}

/* The plaintext path of a stored name, or an OCTOPUS_CRYPT_ERROR_BAD_NAME: an object this
 * key did not write (or not in this mode). */
char *
octopus_crypt_decrypt_name (OctopusCryptKeys      *keys,
                            OctopusCryptNameMode   mode,
                            const char            *path,
                            GError               **error)
{
  gsize len;

  g_return_val_if_fail (keys != NULL && path != NULL, NULL);

  if (mode != OCTOPUS_CRYPT_NAMES_OFF)
    return map_segments (keys, path, decrypt_segment, error);
  len = strlen (path);
  if (len <= strlen (OFF_SUFFIX) || !g_str_has_suffix (path, OFF_SUFFIX))
    {
      bad_name (error, _("it does not end in .bin"));
      return NULL;
    }
  return g_strndup (path, len - strlen (OFF_SUFFIX));
}
