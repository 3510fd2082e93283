/* SPDX-License-Identifier: GPL-3.0-or-later */
/* octopus-crypt-format.c — sizes and the header of an rclone crypt object: the magic
 * "RCLONE\0\0", a 24-byte nonce, then 64 KiB chunks each 16 bytes longer once sealed. */
#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>

#include "octopus-crypt-error.h"
#include "octopus-crypt-format.h"

guint64
octopus_crypt_encrypted_size (guint64 plain_size)
{
  guint64 chunks = plain_size / OCTOPUS_CRYPT_CHUNK_DATA_SIZE;
  guint64 rest = plain_size % OCTOPUS_CRYPT_CHUNK_DATA_SIZE;

  return OCTOPUS_CRYPT_HEADER_SIZE + chunks * OCTOPUS_CRYPT_CHUNK_SIZE
         + (rest > 0 ? rest + OCTOPUS_CRYPT_CHUNK_OVERHEAD : 0);
}

/* The inverse; a size no plaintext encrypts to (a last chunk of nothing but a tag, or part
 * of one) is an object cut inside a chunk. */
gboolean
octopus_crypt_decrypted_size (guint64   encrypted_size,
                              guint64  *plain_size,
                              GError  **error)
{
  guint64 body, chunks, rest;

  if (encrypted_size < OCTOPUS_CRYPT_HEADER_SIZE)
    {
      g_set_error_literal (error, OCTOPUS_CRYPT_ERROR, OCTOPUS_CRYPT_ERROR_BAD_HEADER,
                           _("The object is too short to be encrypted"));
      return FALSE;
    }
  body = encrypted_size - OCTOPUS_CRYPT_HEADER_SIZE;
  chunks = body / OCTOPUS_CRYPT_CHUNK_SIZE;
  rest = body % OCTOPUS_CRYPT_CHUNK_SIZE;
  if (rest > 0 && rest <= OCTOPUS_CRYPT_CHUNK_OVERHEAD)
    {
      g_set_error_literal (error, OCTOPUS_CRYPT_ERROR, OCTOPUS_CRYPT_ERROR_TRUNCATED,
                           _("The encrypted object ends inside a chunk"));
      return FALSE;
    }
  if (plain_size != NULL)
    *plain_size = chunks * OCTOPUS_CRYPT_CHUNK_DATA_SIZE
                  + (rest > 0 ? rest - OCTOPUS_CRYPT_CHUNK_OVERHEAD : 0);
  return TRUE;
}

/* The nonce of an object from its first 32 bytes: what cryptcheck needs to encrypt a local
 * file again the same way.  NONCE receives OCTOPUS_CRYPT_NONCE_SIZE bytes. */
gboolean
octopus_crypt_parse_header (const guint8  *data,
                            gsize          length,
                            guint8        *nonce,
                            GError       **error)
{
  if (length < OCTOPUS_CRYPT_HEADER_SIZE)
    {
      g_set_error_literal (error, OCTOPUS_CRYPT_ERROR, OCTOPUS_CRYPT_ERROR_BAD_HEADER,
                           _("The object is too short to be encrypted"));
      return FALSE;
    }
  if (memcmp (data, OCTOPUS_CRYPT_MAGIC, OCTOPUS_CRYPT_MAGIC_SIZE) != 0)
    {
      g_set_error_literal (error, OCTOPUS_CRYPT_ERROR, OCTOPUS_CRYPT_ERROR_BAD_HEADER,
                           _("The object is not encrypted (it does not begin with RCLONE)"));
      return FALSE;
    }
  if (nonce != NULL)
    memcpy (nonce, data + OCTOPUS_CRYPT_MAGIC_SIZE, OCTOPUS_CRYPT_NONCE_SIZE);
  return TRUE;
}
