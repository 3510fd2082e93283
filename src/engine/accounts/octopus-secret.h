/* SPDX-License-Identifier: GPL-3.0-or-later */
/* octopus-secret.h — the secret access key of each account, in the Secret Service.
 *
 * One item per account in the default collection, schema
 * "io.github.octopus_rais.Octopus.Account" with the attribute "account" = account name,
 * labelled "Octopus: <name>".  The array's encryption passphrase and its optional second
 * passphrase (rclone's salt) are two more items of the same schema, with the attribute
 * "array-crypt" = "passphrase" or "salt" instead of "account" (octopus_secret_crypt_*),
 * labelled "Octopus: array encryption passphrase" / "… salt passphrase".  Every failure of the
 * keyring itself comes back as an OCTOPUS_ACCOUNT_ERROR (KEYRING_UNAVAILABLE, KEYRING_LOCKED,
 * SECRET_MISSING) whose message says what is wrong; cancellation stays G_IO_ERROR_CANCELLED.
 *
 * Secrets returned here are plain g_malloc'd strings: release them with octopus_secret_free(),
 * which wipes them first.
 */
#pragma once

#include <gio/gio.h>
#include <libsecret/secret.h>

G_BEGIN_DECLS

#define OCTOPUS_SECRET_SCHEMA_NAME "io.github.octopus_rais.Octopus.Account"

const SecretSchema *octopus_secret_get_schema   (void);

/* Wipes and frees @secret (NULL is fine). */
void      octopus_secret_free          (char *secret);

/* Checks that a Secret Service answers on the session bus and has a default keyring.  A
 * locked keyring is an error only when !@may_prompt (no display to ask the user on). */
void      octopus_secret_check_async   (gboolean             may_prompt,
                                        GCancellable        *cancellable,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data);
gboolean  octopus_secret_check_finish  (GAsyncResult        *result,
                                        GError             **error);

/* Stores (or replaces) the secret of @account_name. */
void      octopus_secret_store_async   (const char          *account_name,
                                        const char          *secret,
                                        GCancellable        *cancellable,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data);
gboolean  octopus_secret_store_finish  (GAsyncResult        *result,
                                        GError             **error);

/* → the secret; OCTOPUS_ACCOUNT_ERROR_SECRET_MISSING when there is none. */
void      octopus_secret_lookup_async  (const char          *account_name,
                                        GCancellable        *cancellable,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data);
char     *octopus_secret_lookup_finish (GAsyncResult        *result,
                                        GError             **error);

/* Removes the secret of @account_name; success also when there was none. */
void      octopus_secret_clear_async   (const char          *account_name,
                                        GCancellable        *cancellable,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data);
gboolean  octopus_secret_clear_finish  (GAsyncResult        *result,
                                        GError             **error);

/* The array's encryption passphrases (octopus-array-settings.h says when they are used). */
typedef enum {
  OCTOPUS_CRYPT_SECRET_PASSPHRASE,
  OCTOPUS_CRYPT_SECRET_SALT,         /* rclone's "password2"; optional */
} OctopusCryptSecret;

void      octopus_secret_crypt_store_async   (OctopusCryptSecret   which,
                                              const char          *secret,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data);
gboolean  octopus_secret_crypt_store_finish  (GAsyncResult        *result,
                                              GError             **error);
/* → the secret (octopus_secret_free()); OCTOPUS_ACCOUNT_ERROR_SECRET_MISSING when none. */
void      octopus_secret_crypt_lookup_async  (OctopusCryptSecret   which,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data);
char     *octopus_secret_crypt_lookup_finish (GAsyncResult        *result,
                                              GError             **error);
/* Success also when there was none. */
void      octopus_secret_crypt_clear_async   (OctopusCryptSecret   which,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data);
gboolean  octopus_secret_crypt_clear_finish  (GAsyncResult        *result,
                                              GError             **error);
/* Whether the item is there, without unlocking the keyring or reading the secret. */
void      octopus_secret_crypt_exists_async  (OctopusCryptSecret   which,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data);
gboolean  octopus_secret_crypt_exists_finish (GAsyncResult        *result,
                                              gboolean            *exists,
                                              GError             **error);

/* Drops libsecret's shared connection to the Secret Service (a command-line program calls it
 * before it exits). */
void      octopus_secret_disconnect    (void);

/* Turns a libsecret/D-Bus error into the OCTOPUS_ACCOUNT_ERROR described above (in place). */
void      octopus_secret_translate_error (GError          **error,
                                          GCancellable     *cancellable);

G_END_DECLS
