/* SPDX-License-Identifier: GPL-3.0-or-later */
/* octopus-crypt-facts.c — what a download checks an object against, since rclone's format
 * cannot show a cut at a chunk boundary: the plaintext's size and SHA-256, kept in the
 * object's metadata so that the provider learns neither.  Sealed as one NaCl secretbox with a
 * random nonce, under a key of its own derived from the data key (keyed BLAKE2b, so nothing
 * sealed here can pass for a chunk of an object), and base64 for an HTTP header:
 *   base64 (nonce[24] ‖ secretbox (version 1 ‖ size, 8 bytes big-endian ‖ SHA-256[32])). */
#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>
#include <sodium.h>

#include "octopus-crypt-error.h"
#include "octopus-crypt-facts.h"

#define FACTS_VERSION 1
#define PLAIN_SIZE (1 + 8 + 32)
#define SEALED_SIZE (crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + PLAIN_SIZE)

static const char facts_context[] = "octopus-facts-v1";

static void
facts_key (OctopusCryptKeys *keys,
           guint8           *key)
{
  crypto_generichash (key, crypto_secretbox_KEYBYTES,
                      (const guint8 *) facts_context, strlen (facts_context),
                      octopus_crypt_keys_get_data_key (keys), OCTOPUS_CRYPT_DATA_KEY_SIZE);
}

/* PLAIN_SIZE and SHA256 (64 hex digits) as a header value; NULL when SHA256 is not one. */
char *
octopus_crypt_seal_facts (OctopusCryptKeys *keys,
                          guint64           plain_size,
                          const char       *sha256)
{
  guint8 plain[PLAIN_SIZE], sealed[SEALED_SIZE], key[crypto_secretbox_KEYBYTES];
  size_t digest_len = 0;

  g_return_val_if_fail (keys != NULL && sha256 != NULL, NULL);

  plain[0] = FACTS_VERSION;
  for (int i = 0; i < 8; i++)
    plain[1 + i] = (guint8) (plain_size >> (56 - 8 * i));
  if (strlen (sha256) != 64
      || sodium_hex2bin (plain + 9, 32, sha256, 64, NULL, &digest_len, NULL) != 0
      || digest_len != 32)
    return NULL;
  randombytes_buf (sealed, crypto_secretbox_NONCEBYTES);
  facts_key (keys, key);
  crypto_secretbox_easy (sealed + crypto_secretbox_NONCEBYTES, plain, sizeof plain, sealed,
                         key);
  sodium_memzero (key, sizeof key);
  return g_base64_encode (sealed, sizeof sealed);
}

static gboolean
bad_facts (GError **error)
{
  g_set_error_literal (error, OCTOPUS_CRYPT_ERROR, OCTOPUS_CRYPT_ERROR_BAD_FACTS,
                       _("The encrypted size and checksum of the object do not open: wrong "
                         "passphrase, or the metadata is damaged"));
  return FALSE;
}

/* The other way: PLAIN_SIZE, and SHA256 in lower-case hex (free it). */
gboolean
octopus_crypt_open_facts (OctopusCryptKeys  *keys,
                          const char        *sealed,
                          guint64           *plain_size,
                          char             **sha256,
                          GError           **error)
{
  g_autofree guint8 *raw = NULL;
  guint8 plain[PLAIN_SIZE], key[crypto_secretbox_KEYBYTES];
  char hex[65];
  gsize len = 0;
  int opened;

  g_return_val_if_fail (keys != NULL && sealed != NULL, FALSE);

  raw = g_base64_decode (sealed, &len);
  if (len != SEALED_SIZE)
    return bad_facts (error);
  facts_key (keys, key);
  opened = crypto_secretbox_open_easy (plain, raw + crypto_secretbox_NONCEBYTES,
                                       len - crypto_secretbox_NONCEBYTES, raw, key);
  sodium_memzero (key, sizeof key);
  if (opened != 0 || plain[0] != FACTS_VERSION)
    return bad_facts (error);
  if (plain_size != NULL)
    {
      *plain_size = 0;
      for (int i = 0; i < 8; i++)
        *plain_size = (*plain_size << 8) | plain[1 + i];
    }
  if (sha256 != NULL)
    *sha256 = g_strdup (sodium_bin2hex (hex, sizeof hex, plain + 9, 32));
  return TRUE;
}
