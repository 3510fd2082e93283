/* SPDX-License-Identifier: GPL-3.0-or-later */
/* octopus-crypt-format.h — the facts of rclone crypt's object format, and its sizes. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define OCTOPUS_CRYPT_MAGIC           "RCLONE\0\0"
#define OCTOPUS_CRYPT_MAGIC_SIZE      8
#define OCTOPUS_CRYPT_NONCE_SIZE      24
#define OCTOPUS_CRYPT_HEADER_SIZE     (OCTOPUS_CRYPT_MAGIC_SIZE + OCTOPUS_CRYPT_NONCE_SIZE)
#define OCTOPUS_CRYPT_CHUNK_DATA_SIZE 65536
#define OCTOPUS_CRYPT_CHUNK_OVERHEAD  16  /* the Poly1305 tag in front of each chunk */
#define OCTOPUS_CRYPT_CHUNK_SIZE      (OCTOPUS_CRYPT_CHUNK_OVERHEAD + OCTOPUS_CRYPT_CHUNK_DATA_SIZE)
#define OCTOPUS_CRYPT_SHA256_HEX_SIZE 64

guint64  octopus_crypt_encrypted_size (guint64        plain_size);
gboolean octopus_crypt_decrypted_size (guint64        encrypted_size,
                                       guint64       *plain_size,
                                       GError       **error);
gboolean octopus_crypt_parse_header   (const guint8  *data,
                                       gsize          length,
                                       guint8        *nonce,
                                       GError       **error);

G_END_DECLS
