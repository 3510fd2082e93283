/* SPDX-License-Identifier: GPL-3.0-or-later */
/* octopus-crypt-decrypter.c — a GConverter that reads rclone crypt's object format: checks
 * the magic, takes the nonce, opens each chunk of 64 KiB + 16 with NaCl secretbox and fails
 * on the first one that does not authenticate, naming where it starts.
 *
 * The format has no end marker: an object cut exactly at a chunk boundary decrypts cleanly to
 * a shorter file.  So the caller gives the plaintext length and SHA-256 it stored at upload
 * (octopus_crypt_decrypter_set_expected); they are checked at the end of the input, before the
 * last chunk's plaintext is handed out.  Earlier chunks are already out by then: write to a
 * temporary file and keep it only when the stream closed without an error. */
#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>
#include <sodium.h>

#include "octopus-crypt-decrypter.h"
#include "octopus-crypt-error.h"
#include "octopus-crypt-format.h"

struct _OctopusCryptDecrypter {
  GObject parent_instance;

  OctopusCryptKeys *keys;
  guint8 header[OCTOPUS_CRYPT_HEADER_SIZE];
  gsize header_len;
  guint8 nonce[OCTOPUS_CRYPT_NONCE_SIZE]; /* the next chunk's */

  guint8 *chunk;  /* the sealed chunk being filled, OCTOPUS_CRYPT_CHUNK_SIZE */
  gsize chunk_len;
  guint8 *plain;  /* the opened chunk waiting to be handed out */
  gsize plain_len;
  gsize plain_pos;

  guint64 chunk_offset; /* where the chunk being filled starts in the object */
  guint64 plain_size;
  GChecksum *sha256;
  char *sha256_hex;
  gboolean ended;   /* the end checks ran and passed */
  GError *failure;  /* once failed, always failed */

  gint64 expected_size; /* -1: not known */
  char *expected_sha256;
};

static void octopus_crypt_decrypter_converter_init (GConverterIface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (OctopusCryptDecrypter, octopus_crypt_decrypter, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_CONVERTER,
                                                      octopus_crypt_decrypter_converter_init))

/* FALSE when the header, once whole, is not rclone's. */
static gboolean
take_header (OctopusCryptDecrypter  *self,
             const guint8           *in,
             gsize                   len,
             gsize                  *nread,
             GError                **error)
{
  gsize n = MIN (len, OCTOPUS_CRYPT_HEADER_SIZE - self->header_len);

  memcpy (self->header + self->header_len, in, n);
  self->header_len += n;
  *nread += n;
  if (self->header_len < OCTOPUS_CRYPT_HEADER_SIZE)
    return TRUE;
  if (!octopus_crypt_parse_header (self->header, self->header_len, self->nonce, error))
    return FALSE;
  self->chunk_offset = OCTOPUS_CRYPT_HEADER_SIZE;
  return TRUE;
}

static gsize
take_chunk (OctopusCryptDecrypter *self,
            const guint8          *in,
            gsize                  len)
{
  gsize n = MIN (len, OCTOPUS_CRYPT_CHUNK_SIZE - self->chunk_len);

  memcpy (self->chunk + self->chunk_len, in, n);
  self->chunk_len += n;
  return n;
}

/* A short last chunk that does not open is, when the caller knows how long the object
 * should be, a cut rather than a wrong key. */
static gboolean
object_is_short (OctopusCryptDecrypter *self)
{
  guint64 have = self->chunk_offset + self->chunk_len;

  return self->expected_size >= 0
         && have < octopus_crypt_encrypted_size ((guint64) self->expected_size);
}

static gboolean
open_chunk (OctopusCryptDecrypter  *self,
            GError                **error)
{
  gboolean last = self->chunk_len < OCTOPUS_CRYPT_CHUNK_SIZE;
  gsize len = self->chunk_len - OCTOPUS_CRYPT_CHUNK_OVERHEAD;

  g_autofree char *offset = g_strdup_printf ("%" G_GUINT64_FORMAT, self->chunk_offset);

  /* The numbers go in as strings: a format macro would cut the msgid for xgettext. */
  if (self->chunk_len <= OCTOPUS_CRYPT_CHUNK_OVERHEAD || (last && object_is_short (self)))
    {
      g_set_error (error, OCTOPUS_CRYPT_ERROR, OCTOPUS_CRYPT_ERROR_TRUNCATED,
                   _("The encrypted object is truncated: it ends inside the chunk at byte %s"),
                   offset);
      return FALSE;
    }
  if (crypto_secretbox_open_easy (self->plain, self->chunk, self->chunk_len, self->nonce,
                                  octopus_crypt_keys_get_data_key (self->keys)) != 0)
    {
      g_set_error (error, OCTOPUS_CRYPT_ERROR, OCTOPUS_CRYPT_ERROR_AUTHENTICATION,
                   _("The chunk at byte %s of the encrypted object does not authenticate: "
                     "wrong passphrase, or the data is damaged"), offset);
      return FALSE;
    }
  sodium_increment (self->nonce, sizeof self->nonce);
  g_checksum_update (self->sha256, self->plain, len);
  self->plain_size += len;
  self->plain_len = len;
  self->plain_pos = 0;
  self->chunk_offset += self->chunk_len;
  self->chunk_len = 0;
  return TRUE;
}

/* The whole input is in and every chunk opened: was it whole? */
static gboolean
check_end (OctopusCryptDecrypter  *self,
           GError                **error)
{
  if (self->header_len < OCTOPUS_CRYPT_HEADER_SIZE)
    {
      g_set_error_literal (error, OCTOPUS_CRYPT_ERROR, OCTOPUS_CRYPT_ERROR_BAD_HEADER,
                           _("The object is too short to be encrypted"));
      return FALSE;
    }
  self->sha256_hex = g_strdup (g_checksum_get_string (self->sha256));
  if (!octopus_crypt_decrypter_check (self, self->expected_size, self->expected_sha256, error))
    return FALSE;
  self->ended = TRUE;
  return TRUE;
}

/* One step of the loop in decrypter_convert; FALSE when it can do nothing more now. */
static gboolean
step (OctopusCryptDecrypter  *self,
      const guint8           *in,
      gsize                   in_left,
      guint8                 *out,
      gsize                   out_left,
      gboolean                at_end,
      gsize                  *nread,
      gsize                  *nwritten,
      GError                **error)
{
  if (at_end && in_left == 0 && self->chunk_len == 0 && !self->ended)
    return check_end (self, error);
  if (self->plain_pos < self->plain_len)
    {
      gsize n = MIN (self->plain_len - self->plain_pos, out_left);

      memcpy (out, self->plain + self->plain_pos, n);
      self->plain_pos += n;
      *nwritten += n;
      return n > 0;
    }
  if (self->header_len < OCTOPUS_CRYPT_HEADER_SIZE)
    {
      if (in_left == 0)
        return FALSE;
      return take_header (self, in, in_left, nread, error);
    }
  if (self->chunk_len == OCTOPUS_CRYPT_CHUNK_SIZE || (at_end && in_left == 0 && self->chunk_len))
    return open_chunk (self, error);
  if (in_left == 0)
    return FALSE;
  *nread += take_chunk (self, in, in_left);
  return TRUE;
}

static GConverterResult
decrypter_convert (GConverter      *converter,
                   const void      *inbuf,
                   gsize            inbuf_size,
                   void            *outbuf,
                   gsize            outbuf_size,
                   GConverterFlags  flags,
                   gsize           *bytes_read,
                   gsize           *bytes_written,
                   GError         **error)
{
  OctopusCryptDecrypter *self = OCTOPUS_CRYPT_DECRYPTER (converter);
  gboolean at_end = (flags & G_CONVERTER_INPUT_AT_END) != 0;
  gsize nread = 0, nwritten = 0;
  GError *local_error = NULL;

  if (self->failure != NULL)
    {
      g_propagate_error (error, g_error_copy (self->failure));
      return G_CONVERTER_ERROR;
    }
  while (step (self, (const guint8 *) inbuf + nread, inbuf_size - nread,
               (guint8 *) outbuf + nwritten, outbuf_size - nwritten, at_end,
               &nread, &nwritten, &local_error))
    ;
  if (local_error != NULL)
    {
      self->failure = g_error_copy (local_error);
      g_propagate_error (error, local_error);
      return G_CONVERTER_ERROR;
    }
  *bytes_read = nread;
  *bytes_written = nwritten;

  if (self->plain_pos < self->plain_len && nwritten == 0)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE, "no room for output");
      return G_CONVERTER_ERROR;
    }
  if (self->ended && self->plain_pos == self->plain_len)
    return G_CONVERTER_FINISHED;
  if (nread > 0 || nwritten > 0)
    return G_CONVERTER_CONVERTED;
  if (flags & G_CONVERTER_FLUSH)
    return G_CONVERTER_FLUSHED;
  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_PARTIAL_INPUT, "need more input");
  return G_CONVERTER_ERROR;
}

static void
decrypter_reset (GConverter *converter)
{
  OctopusCryptDecrypter *self = OCTOPUS_CRYPT_DECRYPTER (converter);

  self->header_len = 0;
  self->chunk_len = 0;
  sodium_memzero (self->plain, OCTOPUS_CRYPT_CHUNK_DATA_SIZE);
  self->plain_len = self->plain_pos = 0;
  self->chunk_offset = 0;
  self->plain_size = 0;
  g_checksum_reset (self->sha256);
  g_clear_pointer (&self->sha256_hex, g_free);
  self->ended = FALSE;
  g_clear_error (&self->failure);
}

static void
octopus_crypt_decrypter_converter_init (GConverterIface *iface)
{
  iface->convert = decrypter_convert;
  iface->reset = decrypter_reset;
}

static void
octopus_crypt_decrypter_finalize (GObject *object)
{
  OctopusCryptDecrypter *self = OCTOPUS_CRYPT_DECRYPTER (object);

  sodium_memzero (self->plain, OCTOPUS_CRYPT_CHUNK_DATA_SIZE);
  g_free (self->plain);
  g_free (self->chunk);
  g_checksum_free (self->sha256);
  g_free (self->sha256_hex);
  g_free (self->expected_sha256);
  g_clear_error (&self->failure);
  g_clear_pointer (&self->keys, octopus_crypt_keys_unref);
  G_OBJECT_CLASS (octopus_crypt_decrypter_parent_class)->finalize (object);
}

static void
octopus_crypt_decrypter_class_init (OctopusCryptDecrypterClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = octopus_crypt_decrypter_finalize;
}

static void
octopus_crypt_decrypter_init (OctopusCryptDecrypter *self)
{
  self->chunk = g_malloc (OCTOPUS_CRYPT_CHUNK_SIZE);
  self->plain = g_malloc (OCTOPUS_CRYPT_CHUNK_DATA_SIZE);
  self->sha256 = g_checksum_new (G_CHECKSUM_SHA256);
  self->expected_size = -1;
}

OctopusCryptDecrypter *
octopus_crypt_decrypter_new (OctopusCryptKeys *keys)
{
  OctopusCryptDecrypter *self;

  g_return_val_if_fail (keys != NULL, NULL);
  octopus_crypt_init ();
  self = g_object_new (OCTOPUS_TYPE_CRYPT_DECRYPTER, NULL);
  self->keys = octopus_crypt_keys_ref (keys);
  return self;
}

/* What the plaintext must be, checked at the end of the input: PLAIN_SIZE (-1: unknown) and
 * SHA256 in hex (NULL: unknown).  A known size also tells a cut inside the last chunk from a
 * wrong key. */
void
octopus_crypt_decrypter_set_expected (OctopusCryptDecrypter *self,
                                      gint64                 plain_size,
                                      const char            *sha256)
{
  g_return_if_fail (OCTOPUS_IS_CRYPT_DECRYPTER (self));
  self->expected_size = plain_size < 0 ? -1 : plain_size;
  g_free (self->expected_sha256);
  self->expected_sha256 = sha256 != NULL ? g_ascii_strdown (sha256, -1) : NULL;
}

/* The object's nonce, or NULL before its header was read. */
const guint8 *
octopus_crypt_decrypter_get_nonce (OctopusCryptDecrypter *self)
{
  g_return_val_if_fail (OCTOPUS_IS_CRYPT_DECRYPTER (self), NULL);
  return self->chunk_offset > 0 ? self->header + OCTOPUS_CRYPT_MAGIC_SIZE : NULL;
}

guint64
octopus_crypt_decrypter_get_plain_size (OctopusCryptDecrypter *self)
{
  g_return_val_if_fail (OCTOPUS_IS_CRYPT_DECRYPTER (self), 0);
  return self->plain_size;
}

/* The plaintext's SHA-256 in lower-case hex, or NULL until the whole input was read. */
const char *
octopus_crypt_decrypter_get_sha256 (OctopusCryptDecrypter *self)
{
  g_return_val_if_fail (OCTOPUS_IS_CRYPT_DECRYPTER (self), NULL);
  return self->sha256_hex;
}

/* After the stream ended: is the plaintext PLAIN_SIZE bytes (-1: any) with SHA256 (NULL:
 * any)?  For a caller that learns what to expect only after decrypting. */
gboolean
octopus_crypt_decrypter_check (OctopusCryptDecrypter  *self,
                               gint64                  plain_size,
                               const char             *sha256,
                               GError                **error)
{
  g_return_val_if_fail (OCTOPUS_IS_CRYPT_DECRYPTER (self), FALSE);

  if (self->sha256_hex == NULL)
    {
      g_set_error_literal (error, OCTOPUS_CRYPT_ERROR, OCTOPUS_CRYPT_ERROR_TRUNCATED,
                           _("The encrypted object was not read to its end"));
      return FALSE;
    }
  if (plain_size >= 0 && self->plain_size != (guint64) plain_size)
    {
      g_autofree char *have = g_strdup_printf ("%" G_GUINT64_FORMAT, self->plain_size);
      g_autofree char *want = g_strdup_printf ("%" G_GINT64_FORMAT, plain_size);

      if (self->plain_size < (guint64) plain_size)
        g_set_error (error, OCTOPUS_CRYPT_ERROR, OCTOPUS_CRYPT_ERROR_TRUNCATED,
                     _("The encrypted object is truncated: it holds %s of %s bytes"),
                     have, want);
      else
        g_set_error (error, OCTOPUS_CRYPT_ERROR, OCTOPUS_CRYPT_ERROR_SIZE_MISMATCH,
                     _("The encrypted object holds %s bytes, not %s"), have, want);
      return FALSE;
    }
  if (sha256 != NULL && g_ascii_strcasecmp (sha256, self->sha256_hex) != 0)
    {
      g_set_error_literal (error, OCTOPUS_CRYPT_ERROR, OCTOPUS_CRYPT_ERROR_HASH_MISMATCH,
                           _("The decrypted content does not match its SHA-256"));
      return FALSE;
    }
  return TRUE;
}
