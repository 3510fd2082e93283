/* SPDX-License-Identifier: GPL-3.0-or-later */
/* octopus-array-settings.h — how the array stores new uploads: redundancy and encryption.
 *
 * The settings live in the group [Array] of the accounts' own file (accounts.ini), so the
 * window and octopus-cli share them:
 *
 *   [Array]
 *   redundancy=mirror | erasure
 *   erasure-k=K                          (erasure only; K ≥ 1)
 *   erasure-m=M                          (erasure only; M ≥ 1, K+M ≤ 32)
 *   encryption=off | rclone-crypt
 *   filename-encryption=standard | off   (rclone-crypt only; default standard)
 *
 * A missing file, group or key is the default (mirror, no encryption).  Saving rewrites only
 * these keys of [Array]; every other group and key of the file stays as it was, and the file is
 * replaced atomically with mode 0600, as OctopusAccountStore writes it (which in turn keeps
 * [Array]).  The encryption passphrase and the optional second passphrase (rclone's salt) are
 * never in the file: they live in the keyring only (octopus_secret_crypt_*, octopus-secret.h).
 *
 * The settings apply to new uploads: every object records its own layout and encryption on
 * the service, so changing them never makes an existing object unreadable — as long as the
 * keyring keeps the passphrase that encrypted it, which is why disabling encryption keeps it
 * and enabling it again refuses a different one unless told to replace it.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define OCTOPUS_ARRAY_SETTINGS_ERROR (octopus_array_settings_error_quark ())

typedef enum {
  OCTOPUS_ARRAY_SETTINGS_ERROR_INVALID,       /* a value out of range, or not one we know */
  OCTOPUS_ARRAY_SETTINGS_ERROR_CONFIG,        /* the file cannot be read or written */
  OCTOPUS_ARRAY_SETTINGS_ERROR_UNAVAILABLE,   /* the erasure coder cannot be loaded */
  OCTOPUS_ARRAY_SETTINGS_ERROR_PASSPHRASE,    /* empty, or not the one the keyring holds */
} OctopusArraySettingsError;

typedef enum {
  OCTOPUS_REDUNDANCY_MIRROR,    /* every service holds the whole object */
  OCTOPUS_REDUNDANCY_ERASURE,   /* each service holds one archive of a K+M code */
} OctopusRedundancy;

typedef enum {
  OCTOPUS_ENCRYPTION_OFF,
  OCTOPUS_ENCRYPTION_RCLONE_CRYPT,
} OctopusEncryption;

typedef enum {
  OCTOPUS_FILENAME_ENCRYPTION_STANDARD,   /* rclone's "standard": AES-EME, base32hex */
  OCTOPUS_FILENAME_ENCRYPTION_OFF,        /* names stay as they are */
} OctopusFilenameEncryption;

/* The most fragments (K+M) a set may have. */
#define OCTOPUS_ERASURE_MAX_SERVICES 32

/* The two passphrases, as the keyring holds them; free with octopus_array_passphrases_free(),
 * which wipes them. */
typedef struct {
  char *passphrase;
  char *salt;         /* the second passphrase, or NULL */
} OctopusArrayPassphrases;

void octopus_array_passphrases_free (OctopusArrayPassphrases *passphrases);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (OctopusArrayPassphrases, octopus_array_passphrases_free)

#define OCTOPUS_TYPE_ARRAY_SETTINGS (octopus_array_settings_get_type ())
G_DECLARE_FINAL_TYPE (OctopusArraySettings, octopus_array_settings, OCTOPUS, ARRAY_SETTINGS,
                      GObject)

GQuark        octopus_array_settings_error_quark (void);

/* The words of the file and of `--json`: "mirror"/"erasure", "off"/"rclone-crypt",
 * "standard"/"off". */
const char   *octopus_redundancy_to_string          (OctopusRedundancy         redundancy);
const char   *octopus_encryption_to_string          (OctopusEncryption         encryption);
const char   *octopus_filename_encryption_to_string (OctopusFilenameEncryption filenames);
/* FALSE with OCTOPUS_ARRAY_SETTINGS_ERROR_INVALID for a word that is not "standard"/"off". */
gboolean      octopus_filename_encryption_from_string (const char                *text,
                                                       OctopusFilenameEncryption *out,
                                                       GError                   **error);

/* Defaults for the file at @path (NULL → octopus_account_store_get_default_path()); call
 * _load() next. */
OctopusArraySettings *octopus_array_settings_new      (const char           *path);
const char   *octopus_array_settings_get_path         (OctopusArraySettings *self);
/* Reads [Array]; a missing file or group is the defaults.  A value that cannot be read is an
 * error naming the key and the file, and leaves the defaults: whoever uploads must not go on
 * (it would upload unencrypted what the user asked to encrypt). */
gboolean      octopus_array_settings_load             (OctopusArraySettings *self,
                                                       GError              **error);
/* Writes the settings into [Array], keeping everything else of the file. */
gboolean      octopus_array_settings_save             (OctopusArraySettings *self,
                                                       GError              **error);

OctopusRedundancy octopus_array_settings_get_redundancy (OctopusArraySettings *self);
guint         octopus_array_settings_get_k            (OctopusArraySettings *self); /* 0: mirror */
guint         octopus_array_settings_get_m            (OctopusArraySettings *self); /* 0: mirror */
OctopusEncryption octopus_array_settings_get_encryption (OctopusArraySettings *self);
OctopusFilenameEncryption octopus_array_settings_get_filename_encryption
                                                      (OctopusArraySettings *self);

/* Whether K data + M parity fragments fit @n_services: K ≥ 1, M ≥ 1, K+M == @n_services,
 * K+M ≤ OCTOPUS_ERASURE_MAX_SERVICES; FALSE with a clear INVALID error otherwise. */
gboolean      octopus_array_settings_validate_erasure (guint                 k,
                                                       guint                 m,
                                                       guint                 n_services,
                                                       GError              **error);
/* Whether the erasure coder can be used on this machine (ERROR_UNAVAILABLE when not). */
gboolean      octopus_array_settings_erasure_available (GError             **error);
/* Whether the settings fit @n_services now (the services may have changed since erasure was
 * chosen); FALSE with a clear INVALID error when they do not. */
gboolean      octopus_array_settings_check_services   (OctopusArraySettings *self,
                                                       guint                 n_services,
                                                       GError              **error);

/* Setters of the object only: _save() writes them. */
void          octopus_array_settings_set_mirror       (OctopusArraySettings *self);
/* Validates (above) and checks that the coder is available; nothing changes on failure. */
gboolean      octopus_array_settings_set_erasure      (OctopusArraySettings *self,
                                                       guint                 k,
                                                       guint                 m,
                                                       guint                 n_services,
                                                       GError              **error);

/* Stores @passphrase (not empty) and @salt (NULL or empty: none; a stored one is cleared) in
 * the keyring, then writes encryption=rclone-crypt with @filenames to the file.  When the
 * keyring already holds passphrases and they are not these, it refuses (ERROR_PASSPHRASE):
 * objects encrypted with them would become unreadable, unless @replace says the user knows. */
void          octopus_array_settings_enable_encryption_async
                                                      (OctopusArraySettings     *self,
                                                       const char               *passphrase,
                                                       const char               *salt,
                                                       OctopusFilenameEncryption filenames,
                                                       gboolean                  replace,
                                                       GCancellable             *cancellable,
                                                       GAsyncReadyCallback       callback,
                                                       gpointer                  user_data);
gboolean      octopus_array_settings_enable_encryption_finish
                                                      (OctopusArraySettings *self,
                                                       GAsyncResult         *result,
                                                       GError              **error);
/* encryption=off for new uploads; the passphrases stay in the keyring (existing encrypted
 * objects need them). */
gboolean      octopus_array_settings_disable_encryption (OctopusArraySettings *self,
                                                         GError              **error);

/* Whether the keyring holds the passphrase and the second one, without reading them. */
void          octopus_array_settings_query_keyring_async  (OctopusArraySettings *self,
                                                           GCancellable         *cancellable,
                                                           GAsyncReadyCallback   callback,
                                                           gpointer              user_data);
gboolean      octopus_array_settings_query_keyring_finish (OctopusArraySettings *self,
                                                           GAsyncResult         *result,
                                                           gboolean             *has_passphrase,
                                                           gboolean             *has_salt,
                                                           GError              **error);

/* The passphrases from the keyring (to encrypt, or to show once); SECRET_MISSING
 * (OCTOPUS_ACCOUNT_ERROR) when there is no passphrase. */
void          octopus_array_settings_lookup_passphrases_async
                                                      (OctopusArraySettings *self,
                                                       GCancellable         *cancellable,
                                                       GAsyncReadyCallback   callback,
                                                       gpointer              user_data);
OctopusArrayPassphrases *octopus_array_settings_lookup_passphrases_finish
                                                      (OctopusArraySettings *self,
                                                       GAsyncResult         *result,
                                                       GError              **error);

G_END_DECLS
