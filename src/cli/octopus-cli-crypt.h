/* SPDX-License-Identifier: GPL-3.0-or-later */
/* octopus-cli-crypt.h — encrypted objects in the commands of octopus-cli (issue 21): plaintext
 * names in and out, stored (encrypted) keys on the services, decrypting downloads. */
#pragma once

#include "octopus-array.h"
#include "octopus-crypt.h"

G_BEGIN_DECLS

/* The keys from the keyring, once per process, when the array's encryption is rclone-crypt
 * or the keyring holds a passphrase (objects encrypted before encryption was disabled);
 * NULL otherwise.  @required: encryption is on, and failing to get the keys is an error
 * (printed); else failures just mean "no keys". */
OctopusCryptKeys    *octopus_cli_crypt_keys      (gboolean       required,
                                                  gboolean      *failed);
OctopusCryptNameMode octopus_cli_crypt_names     (void);
/* Whether new uploads are to be encrypted (the array's setting); FALSE with the message
 * printed in *@failed when the settings cannot be read. */
gboolean             octopus_cli_crypt_enabled   (gboolean      *failed);

/* The plaintext name of stored @key, or NULL when it does not decrypt (or no keys). */
char                *octopus_cli_crypt_name_of   (const char    *key);
/* Replaces argv[@from..@to) — plaintext names — by the stored keys: a name that is the key
 * of an object in the (refreshed) table stays; else its encrypted form, when there are keys. */
void                 octopus_cli_crypt_map_names (OctopusArray  *array,
                                                  char         **argv,
                                                  int            from,
                                                  int            to);
/* What to print for stored @key: its plaintext name, or @key itself. */
char                *octopus_cli_crypt_shown_name (const char   *key);
/* Whether stored @key is an rclone crypt object by its name (it decrypts). */
gboolean             octopus_cli_crypt_is_encrypted (const char *key);

/* Whether some copy of stored @key carries sealed facts: Octopus encrypted it. */
gboolean             octopus_cli_crypt_is_sealed (OctopusArray  *array,
                                                  const char    *key);
/* Downloads stored @key into @directory under @name's path, decrypting: the ciphertext is
 * fetched (MD5-verified, falling back to the next replica), decrypted streaming into a
 * temporary file, its sealed size and SHA-256 (and the object's length) are checked, and only
 * then renamed into place.  → the path, or NULL with @error naming the object. */
char                *octopus_cli_crypt_download  (OctopusArray  *array,
                                                  const char    *key,
                                                  const char    *name,
                                                  const char    *directory,
                                                  GPtrArray    **results,
                                                  GError       **error);

G_END_DECLS
