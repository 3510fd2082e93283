/* SPDX-License-Identifier: GPL-3.0-or-later */
/* octopus-account.h — one account on one S3-compatible service.
 *
 * Holds the non-secret settings (persisted by OctopusAccountStore) and the runtime state of
 * the last connection.  The secret access key is never a property: it lives only in the
 * Secret Service (octopus-secret.h).
 */
#pragma once

#include <glib-object.h>

#include "octopus-provider.h"

G_BEGIN_DECLS

#define OCTOPUS_ACCOUNT_ERROR (octopus_account_error_quark ())

typedef enum {
  OCTOPUS_ACCOUNT_ERROR_INVALID_NAME,
  OCTOPUS_ACCOUNT_ERROR_DUPLICATE_NAME,
  OCTOPUS_ACCOUNT_ERROR_INVALID_PROVIDER,
  OCTOPUS_ACCOUNT_ERROR_INVALID_ENDPOINT,
  OCTOPUS_ACCOUNT_ERROR_INSECURE_ENDPOINT,   /* http:// without allow-http */
  OCTOPUS_ACCOUNT_ERROR_INVALID_REGION,
  OCTOPUS_ACCOUNT_ERROR_INVALID_BUCKET,
  OCTOPUS_ACCOUNT_ERROR_INVALID_ACCESS_KEY,
  OCTOPUS_ACCOUNT_ERROR_NOT_FOUND,            /* no account of that name */
  OCTOPUS_ACCOUNT_ERROR_CONFIG,               /* reading or writing accounts.ini failed */
  OCTOPUS_ACCOUNT_ERROR_KEYRING_UNAVAILABLE,  /* no bus, no Secret Service, no default keyring */
  OCTOPUS_ACCOUNT_ERROR_KEYRING_LOCKED,       /* the keyring is locked and was not unlocked */
  OCTOPUS_ACCOUNT_ERROR_SECRET_MISSING,       /* the keyring has no secret for the account */
} OctopusAccountError;

typedef enum {
  OCTOPUS_ACCOUNT_STATE_UNKNOWN,     /* not connected yet */
  OCTOPUS_ACCOUNT_STATE_CONNECTING,
  OCTOPUS_ACCOUNT_STATE_CONNECTED,
  OCTOPUS_ACCOUNT_STATE_FAILED,      /* see the status-message property */
} OctopusAccountState;

#define OCTOPUS_TYPE_ACCOUNT_STATE (octopus_account_state_get_type ())
#define OCTOPUS_TYPE_ACL_SUPPORT   (octopus_acl_support_get_type ())
GType octopus_account_state_get_type (void);
GType octopus_acl_support_get_type   (void);

#define OCTOPUS_TYPE_ACCOUNT (octopus_account_get_type ())
G_DECLARE_FINAL_TYPE (OctopusAccount, octopus_account, OCTOPUS, ACCOUNT, GObject)

GQuark          octopus_account_error_quark     (void);

/* A new account with the preset's defaults for region and path-style (@provider_id NULL →
 * guessed from @endpoint).  Nothing is validated here: see octopus_account_validate(). */
OctopusAccount *octopus_account_new             (const char *name,
                                                 const char *provider_id,
                                                 const char *endpoint);

const char     *octopus_account_get_name        (OctopusAccount *self);
const char     *octopus_account_get_provider_id (OctopusAccount *self);
/* The preset; the "custom" preset for an unknown id. */
const OctopusProvider *octopus_account_get_provider (OctopusAccount *self);
const char     *octopus_account_get_endpoint    (OctopusAccount *self);
const char     *octopus_account_get_region      (OctopusAccount *self);
void            octopus_account_set_region      (OctopusAccount *self, const char *region);
const char     *octopus_account_get_bucket      (OctopusAccount *self);
void            octopus_account_set_bucket      (OctopusAccount *self, const char *bucket);
/* @bucket, or when it is NULL or empty a new name (octopus_account_generate_bucket_name()):
 * what the window and the CLI do with the bucket a user gives, or leaves out, when adding. */
void            octopus_account_set_bucket_or_new (OctopusAccount *self, const char *bucket);
gboolean        octopus_account_get_path_style  (OctopusAccount *self);
void            octopus_account_set_path_style  (OctopusAccount *self, gboolean path_style);
gboolean        octopus_account_get_allow_http  (OctopusAccount *self);
void            octopus_account_set_allow_http  (OctopusAccount *self, gboolean allow_http);
const char     *octopus_account_get_access_key  (OctopusAccount *self);
void            octopus_account_set_access_key  (OctopusAccount *self, const char *access_key);

/* Runtime state, not persisted. */
OctopusAccountState octopus_account_get_state   (OctopusAccount *self);
const char     *octopus_account_get_status_message (OctopusAccount *self);
void            octopus_account_set_state       (OctopusAccount      *self,
                                                 OctopusAccountState  state,
                                                 const char          *status_message);
OctopusAclSupport octopus_account_get_acl_support (OctopusAccount *self);
void            octopus_account_set_acl_support (OctopusAccount *self, OctopusAclSupport support);

/* Checks every field on its own (name, provider, endpoint URL and scheme, region, bucket,
 * access key).  Uniqueness of the name is the store's check. */
gboolean        octopus_account_validate        (OctopusAccount *self,
                                                 GError        **error);

/* Field checks, usable by dialogs before an account exists. */
gboolean        octopus_account_check_name      (const char *name, GError **error);
gboolean        octopus_account_check_endpoint  (const char *endpoint, gboolean allow_http,
                                                 GError **error);
gboolean        octopus_account_check_bucket    (const char *bucket, GError **error);

/* "octopus-" followed by 16 random lowercase hex digits: valid in S3's global bucket
 * namespace and reveals nothing about the user. */
char           *octopus_account_generate_bucket_name (void);

G_END_DECLS
