/* SPDX-License-Identifier: GPL-3.0-or-later */
/* octopus-crypt-eme.c — EME ("ECB-Mix-ECB", Halevi and Rogaway 2003), the wide-block mode
 * rclone encrypts names with (via Go's rfjakob/eme), over OpenSSL's AES-256-ECB: the same name
 * always encrypts the same, and names that start alike share no prefix.  And base32hex,
 * lower case, without padding: rclone's encoding of the result. */
#include "config.h"

#include <string.h>
#include <openssl/evp.h>
#include <openssl/crypto.h>

#include "octopus-crypt-eme.h"

#define BLOCK 16

/* Doubling in GF(2^128) as EME defines it: the bytes little-endian, reduced by x^7+x^2+x+1. */
static void
mult_by_two (guint8 *block)
{
  guint8 carry = block[BLOCK - 1] >> 7;

  for (int i = BLOCK - 1; i > 0; i--)
    block[i] = (guint8) ((block[i] << 1) | (block[i - 1] >> 7));
  block[0] = (guint8) ((block[0] << 1) ^ (carry ? 0x87 : 0));
}

static void
xor_block (guint8       *out,
           const guint8 *a,
           const guint8 *b)
{
  for (int i = 0; i < BLOCK; i++)
    out[i] = a[i] ^ b[i];
}

static gboolean
aes_block (EVP_CIPHER_CTX *ctx,
           guint8         *out,
           const guint8   *in)
{
  int outl = 0;

  return EVP_CipherUpdate (ctx, out, &outl, in, BLOCK) == 1 && outl == BLOCK;
}

static EVP_CIPHER_CTX *
aes_new (const guint8 *key,
         gboolean      encrypt)
{
  EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new ();

  if (ctx == NULL)
    return NULL;
  if (EVP_CipherInit_ex (ctx, EVP_aes_256_ecb (), NULL, key, NULL, encrypt ? 1 : 0) != 1
      || EVP_CIPHER_CTX_set_padding (ctx, 0) != 1)
    {
      EVP_CIPHER_CTX_free (ctx);
      return NULL;
    }
  return ctx;
}

/* The three passes of EME over M blocks; L holds 2^j·L for j = 1..M, CTX runs in the
 * direction asked. */
static gboolean
eme_passes (EVP_CIPHER_CTX *ctx,
            guint8          (*l)[BLOCK],
            const guint8   *tweak,
            const guint8   *in,
            guint8         *c,
            gsize           m)
{
  guint8 mp[BLOCK], mc[BLOCK], mm[BLOCK], sum[BLOCK];
  gboolean ok = TRUE;

  for (gsize j = 0; j < m; j++)
    {
      xor_block (c + j * BLOCK, in + j * BLOCK, l[j]);
      ok = ok && aes_block (ctx, c + j * BLOCK, c + j * BLOCK);
    }
  xor_block (mp, c, tweak);
  for (gsize j = 1; j < m; j++)
    xor_block (mp, mp, c + j * BLOCK);
  ok = ok && aes_block (ctx, mc, mp);
  xor_block (mm, mp, mc);
  xor_block (sum, mc, tweak);
  for (gsize j = 1; j < m; j++)
    {
      mult_by_two (mm);
      xor_block (c + j * BLOCK, c + j * BLOCK, mm);
      xor_block (sum, sum, c + j * BLOCK);
    }
  memcpy (c, sum, BLOCK);
  for (gsize j = 0; j < m; j++)
    {
      ok = ok && aes_block (ctx, c + j * BLOCK, c + j * BLOCK);
      xor_block (c + j * BLOCK, c + j * BLOCK, l[j]);
    }
  OPENSSL_cleanse (mp, sizeof mp);
  OPENSSL_cleanse (mc, sizeof mc);
  OPENSSL_cleanse (mm, sizeof mm);
  OPENSSL_cleanse (sum, sizeof sum);
  return ok;
}

/* LEN bytes (a multiple of 16, at most 2048) from IN to OUT under the 32-byte KEY and the
 * 16-byte TWEAK.  L = 2·AES(K, 0) comes from the encrypting direction both ways. */
gboolean
octopus_crypt_eme_transform (const guint8 *key,
                             const guint8 *tweak,
                             const guint8 *in,
                             guint8       *out,
                             gsize         len,
                             gboolean      encrypt)
{
  static const guint8 zero[BLOCK] = { 0 };
  guint8 l[OCTOPUS_CRYPT_EME_MAX_SIZE / BLOCK][BLOCK];
  gsize m = len / BLOCK;
  EVP_CIPHER_CTX *enc = NULL, *ctx = NULL;
  gboolean ok;

  if (len == 0 || len % BLOCK != 0 || len > OCTOPUS_CRYPT_EME_MAX_SIZE)
    return FALSE;
  enc = aes_new (key, TRUE);
  ctx = encrypt ? enc : aes_new (key, FALSE);
  ok = enc != NULL && ctx != NULL && aes_block (enc, l[0], zero);
  for (gsize j = 0; ok && j < m; j++)
    {
      if (j > 0)
        memcpy (l[j], l[j - 1], BLOCK);
      mult_by_two (l[j]);
    }
  ok = ok && eme_passes (ctx, l, tweak, in, out, m);
  OPENSSL_cleanse (l, sizeof l);
  if (ctx != enc)
    EVP_CIPHER_CTX_free (ctx);
  EVP_CIPHER_CTX_free (enc);
  return ok;
}

static const char base32hex[] = "0123456789abcdefghijklmnopqrstuv";

char *
octopus_crypt_base32_encode (const guint8 *data,
                             gsize         len)
{
  GString *out = g_string_sized_new ((len * 8 + 4) / 5 + 1);
  guint32 buffer = 0;
  int bits = 0;

  for (gsize i = 0; i < len; i++)
    {
      buffer = (buffer << 8) | data[i];
      bits += 8;
      while (bits >= 5)
        {
          bits -= 5;
          g_string_append_c (out, base32hex[(buffer >> bits) & 31]);
        }
    }
  if (bits > 0)
    g_string_append_c (out, base32hex[(buffer << (5 - bits)) & 31]);
  return g_string_free (out, FALSE);
}

static int
base32_value (char c)
{
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'v')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'V')
    return c - 'A' + 10;
  return -1;
}

/* Strict: only base32hex digits (either case, as rclone takes them), no padding, a length
 * an encoder can produce, and zero bits in the unused tail.  NULL when any of that fails. */
guint8 *
octopus_crypt_base32_decode (const char *text,
                             gsize      *len)
{
  gsize n = strlen (text), rem = n % 8;
  g_autofree guint8 *out = g_malloc (n * 5 / 8 + 1);
  guint32 buffer = 0;
  int bits = 0;
  gsize o = 0;

  if (rem == 1 || rem == 3 || rem == 6)
    return NULL;
  for (gsize i = 0; i < n; i++)
    {
      int v = base32_value (text[i]);

      if (v < 0)
        return NULL;
      buffer = (buffer << 5) | (guint32) v;
      bits += 5;
      if (bits >= 8)
        {
          bits -= 8;
          out[o++] = (guint8) (buffer >> bits);
        }
    }
  if (bits > 0 && (buffer & ((1u << bits) - 1)) != 0)
    return NULL;
  *len = o;
  return g_steal_pointer (&out);
}
