/* SPDX-License-Identifier: GPL-3.0-or-later */
/* octopus-crypt-eme.h — AES-256 in EME wide-block mode, and the name codecs around it
 * (internal to the crypt core; public for its tests). */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define OCTOPUS_CRYPT_EME_MAX_SIZE 2048 /* 128 AES blocks, the most EME takes */

gboolean octopus_crypt_eme_transform (const guint8  *key,
                                      const guint8  *tweak,
                                      const guint8  *in,
                                      guint8        *out,
                                      gsize          len,
                                      gboolean       encrypt);

char    *octopus_crypt_base32_encode  (const guint8  *data,
                                       gsize          len);
guint8  *octopus_crypt_base32_decode  (const char    *text,
                                       gsize         *len);

G_END_DECLS
