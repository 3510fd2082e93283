/* SPDX-License-Identifier: GPL-3.0-or-later */
/* octopus-crypt-error.h — the errors of the encryption core. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define OCTOPUS_CRYPT_ERROR (octopus_crypt_error_quark ())

typedef enum {
  OCTOPUS_CRYPT_ERROR_PASSPHRASE,      /* empty passphrase, or the key derivation failed */
  OCTOPUS_CRYPT_ERROR_BAD_HEADER,      /* not an rclone crypt object (magic, too short) */
  OCTOPUS_CRYPT_ERROR_AUTHENTICATION,  /* a chunk did not authenticate: wrong key or damaged */
  OCTOPUS_CRYPT_ERROR_TRUNCATED,       /* the object ends inside a chunk or before its size */
  OCTOPUS_CRYPT_ERROR_SIZE_MISMATCH,   /* plaintext length differs from the expected one */
  OCTOPUS_CRYPT_ERROR_HASH_MISMATCH,   /* plaintext SHA-256 differs from the expected one */
  OCTOPUS_CRYPT_ERROR_BAD_NAME,        /* an encrypted name that does not decrypt */
  OCTOPUS_CRYPT_ERROR_NAME_TOO_LONG,   /* a name segment too long for EME (over 2047 bytes) */
  OCTOPUS_CRYPT_ERROR_BAD_FACTS,       /* sealed size and SHA-256 that do not open */
} OctopusCryptError;

GQuark octopus_crypt_error_quark (void);

G_END_DECLS
