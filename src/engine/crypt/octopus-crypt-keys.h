/* SPDX-License-Identifier: GPL-3.0-or-later */
/* octopus-crypt-keys.h — the keys of an rclone crypt remote, derived from its passphrases. */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define OCTOPUS_CRYPT_DATA_KEY_SIZE   32
#define OCTOPUS_CRYPT_NAME_KEY_SIZE   32
#define OCTOPUS_CRYPT_NAME_TWEAK_SIZE 16
/* data key ‖ name key ‖ name tweak, as scrypt hands them out */
#define OCTOPUS_CRYPT_KEY_MATERIAL_SIZE 80

#define OCTOPUS_TYPE_CRYPT_KEYS (octopus_crypt_keys_get_type ())

/* Immutable and refcounted; the 80 bytes live in sodium_malloc'd memory (guard pages,
 * read-only once set, never swapped out where the system allows) and are wiped when the
 * last reference goes. */
typedef struct _OctopusCryptKeys OctopusCryptKeys;

GType             octopus_crypt_keys_get_type        (void) G_GNUC_CONST;

OctopusCryptKeys *octopus_crypt_keys_derive          (const char           *passphrase,
                                                      const char           *salt,
                                                      GError              **error);
void              octopus_crypt_keys_derive_async    (const char           *passphrase,
                                                      const char           *salt,
                                                      GCancellable         *cancellable,
                                                      GAsyncReadyCallback   callback,
                                                      gpointer              user_data);
OctopusCryptKeys *octopus_crypt_keys_derive_finish   (GAsyncResult         *result,
                                                      GError              **error);
OctopusCryptKeys *octopus_crypt_keys_new_from_material (const guint8       *material,
                                                        gsize               length,
                                                        GError            **error);

OctopusCryptKeys *octopus_crypt_keys_ref             (OctopusCryptKeys     *keys);
void              octopus_crypt_keys_unref           (OctopusCryptKeys     *keys);

const guint8     *octopus_crypt_keys_get_data_key    (OctopusCryptKeys     *keys);
const guint8     *octopus_crypt_keys_get_name_key    (OctopusCryptKeys     *keys);
const guint8     *octopus_crypt_keys_get_name_tweak  (OctopusCryptKeys     *keys);

void              octopus_crypt_init                 (void);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (OctopusCryptKeys, octopus_crypt_keys_unref)

G_END_DECLS
