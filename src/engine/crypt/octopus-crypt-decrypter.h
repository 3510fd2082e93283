/* SPDX-License-Identifier: GPL-3.0-or-later */
/* octopus-crypt-decrypter.h — an rclone crypt object in, plaintext out (a GConverter). */
#pragma once

#include <gio/gio.h>

#include "octopus-crypt-keys.h"

G_BEGIN_DECLS

#define OCTOPUS_TYPE_CRYPT_DECRYPTER (octopus_crypt_decrypter_get_type ())
G_DECLARE_FINAL_TYPE (OctopusCryptDecrypter, octopus_crypt_decrypter,
                      OCTOPUS, CRYPT_DECRYPTER, GObject)

OctopusCryptDecrypter *octopus_crypt_decrypter_new            (OctopusCryptKeys      *keys);
void                   octopus_crypt_decrypter_set_expected   (OctopusCryptDecrypter *self,
                                                               gint64                 plain_size,
                                                               const char            *sha256);
const guint8          *octopus_crypt_decrypter_get_nonce      (OctopusCryptDecrypter *self);
guint64                octopus_crypt_decrypter_get_plain_size (OctopusCryptDecrypter *self);
const char            *octopus_crypt_decrypter_get_sha256     (OctopusCryptDecrypter *self);
gboolean               octopus_crypt_decrypter_check          (OctopusCryptDecrypter *self,
                                                               gint64                 plain_size,
                                                               const char            *sha256,
                                                               GError               **error);

G_END_DECLS
