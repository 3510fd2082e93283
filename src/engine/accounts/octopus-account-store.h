/* SPDX-License-Identifier: GPL-3.0-or-later */
/* octopus-account-store.h — every account of the user, as a GListModel of OctopusAccount.
 *
 * Non-secret fields live in $XDG_CONFIG_HOME/octopus/accounts.ini (one group
 * "Account NAME" per account, written atomically with mode 0600); the secret access key only
 * in the Secret Service (octopus-secret.h).  Adding stores the secret first and the config
 * second, and takes the secret back out if the config cannot be written, so a failed add
 * leaves nothing behind.
 */
#pragma once

#include <gio/gio.h>

#include "octopus-account.h"

G_BEGIN_DECLS

#define OCTOPUS_TYPE_ACCOUNT_STORE (octopus_account_store_get_type ())
G_DECLARE_FINAL_TYPE (OctopusAccountStore, octopus_account_store, OCTOPUS, ACCOUNT_STORE, GObject)

/* g_get_user_config_dir()/octopus/accounts.ini */
char                *octopus_account_store_get_default_path (void);

/* An empty store for the file at @path (NULL → the default path); call _load() next. */
OctopusAccountStore *octopus_account_store_new       (const char          *path);
const char          *octopus_account_store_get_path  (OctopusAccountStore *self);

/* Replaces the accounts by those in the file; a missing file is an empty store. */
gboolean             octopus_account_store_load      (OctopusAccountStore *self,
                                                      GError             **error);
/* Why the last load failed (the file cannot be read), or, after a load that succeeded, the
 * account entries that could not be read and were left out; NULL when all was read.  The
 * window shows it: a broken file must not look like "no accounts". */
const GError        *octopus_account_store_get_load_error (OctopusAccountStore *self);
/* Writes the accounts as they are now (e.g. after a region was discovered). */
gboolean             octopus_account_store_save      (OctopusAccountStore *self,
                                                      GError             **error);

/* The account named @name (not a new reference), or NULL. */
OctopusAccount      *octopus_account_store_lookup    (OctopusAccountStore *self,
                                                      const char          *name);

/* octopus_account_validate() plus: the name is not taken yet. */
gboolean             octopus_account_store_check_new (OctopusAccountStore *self,
                                                      OctopusAccount      *account,
                                                      GError             **error);

/* Validates @account (giving it a generated bucket name when it has none), stores @secret in
 * the keyring, then writes the config, then appends @account to the model.  On failure
 * nothing is written (the secret is cleared again). */
void                 octopus_account_store_add_async    (OctopusAccountStore *self,
                                                         OctopusAccount      *account,
                                                         const char          *secret,
                                                         GCancellable        *cancellable,
                                                         GAsyncReadyCallback  callback,
                                                         gpointer             user_data);
gboolean             octopus_account_store_add_finish   (OctopusAccountStore *self,
                                                         GAsyncResult        *result,
                                                         GError             **error);

/* Puts @edited in the place of @account (an account of the store; @edited may have another
 * name): validates @edited, writes the config, then the keyring: @secret (NULL or empty: keep
 * the stored one) becomes @edited's secret, and on a rename the secret moves to the new name
 * (the old item is cleared).  Nothing connects here (see octopus_account_update_async()).
 * On failure nothing changes: the config is written back as it was, the old secret stays,
 * and @account stays in the model; on success the model says items-changed at its place. */
void                 octopus_account_store_replace_async  (OctopusAccountStore *self,
                                                           OctopusAccount      *account,
                                                           OctopusAccount      *edited,
                                                           const char          *secret,
                                                           GCancellable        *cancellable,
                                                           GAsyncReadyCallback  callback,
                                                           gpointer             user_data);
gboolean             octopus_account_store_replace_finish (OctopusAccountStore *self,
                                                           GAsyncResult        *result,
                                                           GError             **error);

/* Clears the keyring item of @name, then rewrites the config without it. */
void                 octopus_account_store_remove_async  (OctopusAccountStore *self,
                                                          const char          *name,
                                                          GCancellable        *cancellable,
                                                          GAsyncReadyCallback  callback,
                                                          gpointer             user_data);
gboolean             octopus_account_store_remove_finish (OctopusAccountStore *self,
                                                          GAsyncResult        *result,
                                                          GError             **error);

G_END_DECLS
