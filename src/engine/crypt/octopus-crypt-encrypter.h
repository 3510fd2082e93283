/* SPDX-License-Identifier: GPL-3.0-or-later */
/* octopus-crypt-encrypter.h — plaintext in, an rclone crypt object out (a GConverter). */
#pragma once

#include <gio/gio.h>

#include "octopus-crypt-keys.h"

G_BEGIN_DECLS

#define OCTOPUS_TYPE_CRYPT_ENCRYPTER (octopus_crypt_encrypter_get_type ())
G_DECLARE_FINAL_TYPE (OctopusCryptEncrypter, octopus_crypt_encrypter,
                      OCTOPUS, CRYPT_ENCRYPTER, GObject)

OctopusCryptEncrypter *octopus_crypt_encrypter_new            (OctopusCryptKeys      *keys);
OctopusCryptEncrypter *octopus_crypt_encrypter_new_with_nonce (OctopusCryptKeys      *keys,
                                                               const guint8          *nonce);
const guint8          *octopus_crypt_encrypter_get_nonce      (OctopusCryptEncrypter *self);
guint64                octopus_crypt_encrypter_get_plain_size (OctopusCryptEncrypter *self);
const char            *octopus_crypt_encrypter_get_sha256     (OctopusCryptEncrypter *self);

G_END_DECLS
