/* SPDX-License-Identifier: GPL-3.0-or-later */
/* octopus-crypt-encrypter.c — a GConverter that writes rclone crypt's object format: the
 * header (magic and nonce), then each 64 KiB of plaintext sealed with NaCl secretbox under the
 * data key, the nonce counted up (little-endian) after every chunk.  Memory stays at one chunk
 * each way whatever the file's size: wrap a file in g_converter_input_stream_new() and read
 * the ciphertext from it.  Counts the plaintext's length and SHA-256 on the way, which the
 * caller keeps to check a download (the format cannot tell a cut at a chunk boundary). */
#include "config.h"

#include <string.h>
#include <sodium.h>

#include "octopus-crypt-encrypter.h"
#include "octopus-crypt-format.h"

struct _OctopusCryptEncrypter {
  GObject parent_instance;

  OctopusCryptKeys *keys;
  gboolean fixed_nonce;
  guint8 first_nonce[OCTOPUS_CRYPT_NONCE_SIZE]; /* the header's */
  guint8 nonce[OCTOPUS_CRYPT_NONCE_SIZE];       /* the next chunk's */

  guint8 *plain;  /* the chunk being filled, OCTOPUS_CRYPT_CHUNK_DATA_SIZE */
  gsize plain_len;
  guint8 *out;    /* the header or a sealed chunk waiting to be handed out */
  gsize out_len;
  gsize out_pos;

  gboolean finished;
  guint64 plain_size;
  GChecksum *sha256;
  char *sha256_hex;
};

static void octopus_crypt_encrypter_converter_init (GConverterIface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (OctopusCryptEncrypter, octopus_crypt_encrypter, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_CONVERTER,
                                                      octopus_crypt_encrypter_converter_init))

/* Back to the start of an object: the header waits in the output buffer.  A random nonce is
 * drawn anew, so that a reset never seals different plaintext under a nonce used before. */
static void
start_object (OctopusCryptEncrypter *self)
{
  if (!self->fixed_nonce)
    randombytes_buf (self->first_nonce, sizeof self->first_nonce);
  memcpy (self->nonce, self->first_nonce, sizeof self->nonce);
  sodium_memzero (self->plain, OCTOPUS_CRYPT_CHUNK_DATA_SIZE);
  self->plain_len = 0;
  memcpy (self->out, OCTOPUS_CRYPT_MAGIC, OCTOPUS_CRYPT_MAGIC_SIZE);
  memcpy (self->out + OCTOPUS_CRYPT_MAGIC_SIZE, self->first_nonce, OCTOPUS_CRYPT_NONCE_SIZE);
  self->out_len = OCTOPUS_CRYPT_HEADER_SIZE;
  self->out_pos = 0;
  self->finished = FALSE;
  self->plain_size = 0;
  g_clear_pointer (&self->sha256, g_checksum_free);
  g_clear_pointer (&self->sha256_hex, g_free);
  self->sha256 = g_checksum_new (G_CHECKSUM_SHA256);
}

static void
seal_chunk (OctopusCryptEncrypter *self)
{
  crypto_secretbox_easy (self->out, self->plain, self->plain_len, self->nonce,
                         octopus_crypt_keys_get_data_key (self->keys));
  sodium_increment (self->nonce, sizeof self->nonce);
  self->out_len = self->plain_len + OCTOPUS_CRYPT_CHUNK_OVERHEAD;
  self->out_pos = 0;
  self->plain_len = 0;
}

static gsize
take_input (OctopusCryptEncrypter *self,
            const guint8          *in,
            gsize                  len)
{
  gsize n = MIN (len, OCTOPUS_CRYPT_CHUNK_DATA_SIZE - self->plain_len);

  memcpy (self->plain + self->plain_len, in, n);
  g_checksum_update (self->sha256, in, n);
  self->plain_len += n;
  self->plain_size += n;
  return n;
}

/* Hands out what is sealed, seals each full chunk, and the short last one at the end of the
 * input.  A flush cannot seal a short chunk in the middle (rclone reads whole chunks), so it
 * returns FLUSHED once everything sealed is out. */
static GConverterResult
encrypter_convert (GConverter      *converter,
                   const void      *inbuf,
                   gsize            inbuf_size,
                   void            *outbuf,
                   gsize            outbuf_size,
                   GConverterFlags  flags,
                   gsize           *bytes_read,
                   gsize           *bytes_written,
                   GError         **error)
{
  OctopusCryptEncrypter *self = OCTOPUS_CRYPT_ENCRYPTER (converter);
  gboolean at_end = (flags & G_CONVERTER_INPUT_AT_END) != 0;
  gsize nread = 0, nwritten = 0;

  for (;;)
    {
      if (self->out_pos < self->out_len)
        {
          gsize n = MIN (self->out_len - self->out_pos, outbuf_size - nwritten);

          if (n == 0)
            break;
          memcpy ((guint8 *) outbuf + nwritten, self->out + self->out_pos, n);
          self->out_pos += n;
          nwritten += n;
        }
      else if (self->plain_len == OCTOPUS_CRYPT_CHUNK_DATA_SIZE)
        seal_chunk (self);
      else if (nread < inbuf_size)
        nread += take_input (self, (const guint8 *) inbuf + nread, inbuf_size - nread);
      else if (at_end && self->plain_len > 0)
        seal_chunk (self);
      else
        break;
    }
  *bytes_read = nread;
  *bytes_written = nwritten;

  if (self->out_pos < self->out_len || nread < inbuf_size)
    {
      if (nread > 0 || nwritten > 0)
        return G_CONVERTER_CONVERTED;
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE, "no room for output");
      return G_CONVERTER_ERROR;
    }
  if (at_end)
    {
      if (!self->finished)
        self->sha256_hex = g_strdup (g_checksum_get_string (self->sha256));
      self->finished = TRUE;
      return G_CONVERTER_FINISHED;
    }
  if (flags & G_CONVERTER_FLUSH)
    return G_CONVERTER_FLUSHED;
  if (nread > 0 || nwritten > 0)
    return G_CONVERTER_CONVERTED;
  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_PARTIAL_INPUT, "need more input");
  return G_CONVERTER_ERROR;
}

static void
encrypter_reset (GConverter *converter)
{
  start_object (OCTOPUS_CRYPT_ENCRYPTER (converter));
}

static void
octopus_crypt_encrypter_converter_init (GConverterIface *iface)
{
  iface->convert = encrypter_convert;
  iface->reset = encrypter_reset;
}

static void
octopus_crypt_encrypter_finalize (GObject *object)
{
  OctopusCryptEncrypter *self = OCTOPUS_CRYPT_ENCRYPTER (object);

  sodium_memzero (self->plain, OCTOPUS_CRYPT_CHUNK_DATA_SIZE);
  g_free (self->plain);
  g_free (self->out);
  g_clear_pointer (&self->sha256, g_checksum_free);
  g_free (self->sha256_hex);
  g_clear_pointer (&self->keys, octopus_crypt_keys_unref);
  G_OBJECT_CLASS (octopus_crypt_encrypter_parent_class)->finalize (object);
}

static void
octopus_crypt_encrypter_class_init (OctopusCryptEncrypterClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = octopus_crypt_encrypter_finalize;
}

static void
octopus_crypt_encrypter_init (OctopusCryptEncrypter *self)
{
  self->plain = g_malloc (OCTOPUS_CRYPT_CHUNK_DATA_SIZE);
  self->out = g_malloc (OCTOPUS_CRYPT_CHUNK_SIZE);
}

static OctopusCryptEncrypter *
encrypter_new (OctopusCryptKeys *keys,
               const guint8     *nonce)
{
  OctopusCryptEncrypter *self = g_object_new (OCTOPUS_TYPE_CRYPT_ENCRYPTER, NULL);

  octopus_crypt_init ();
  self->keys = octopus_crypt_keys_ref (keys);
  self->fixed_nonce = nonce != NULL;
  if (nonce != NULL)
    memcpy (self->first_nonce, nonce, OCTOPUS_CRYPT_NONCE_SIZE);
  start_object (self);
  return self;
}

/* A new object with a random nonce: what an upload uses. */
OctopusCryptEncrypter *
octopus_crypt_encrypter_new (OctopusCryptKeys *keys)
{
  g_return_val_if_fail (keys != NULL, NULL);
  return encrypter_new (keys, NULL);
}

/* The object again with a nonce it already has (read with octopus_crypt_parse_header):
 * the same plaintext gives the same bytes, so their MD5 can be compared with a stored copy's
 * without downloading it, as `rclone cryptcheck` does.  Never for new content: one nonce,
 * one plaintext.  NONCE is OCTOPUS_CRYPT_NONCE_SIZE bytes. */
OctopusCryptEncrypter *
octopus_crypt_encrypter_new_with_nonce (OctopusCryptKeys *keys,
                                        const guint8     *nonce)
{
  g_return_val_if_fail (keys != NULL, NULL);
  g_return_val_if_fail (nonce != NULL, NULL);
  return encrypter_new (keys, nonce);
}

const guint8 *
octopus_crypt_encrypter_get_nonce (OctopusCryptEncrypter *self)
{
  g_return_val_if_fail (OCTOPUS_IS_CRYPT_ENCRYPTER (self), NULL);
  return self->first_nonce;
}

/* The plaintext bytes taken so far; the whole length once the converter finished. */
guint64
octopus_crypt_encrypter_get_plain_size (OctopusCryptEncrypter *self)
{
  g_return_val_if_fail (OCTOPUS_IS_CRYPT_ENCRYPTER (self), 0);
  return self->plain_size;
}

/* The plaintext's SHA-256 in lower-case hex, or NULL until the converter finished. */
const char *
octopus_crypt_encrypter_get_sha256 (OctopusCryptEncrypter *self)
{
  g_return_val_if_fail (OCTOPUS_IS_CRYPT_ENCRYPTER (self), NULL);
  return self->sha256_hex;
}
