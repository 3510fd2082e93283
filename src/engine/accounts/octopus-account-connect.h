/* SPDX-License-Identifier: GPL-3.0-or-later */
/* octopus-account-connect.h — checking an account against its service and connecting it.
 *
 * Connecting: look the secret up in the keyring (unless given), build an OctopusS3Client,
 * check the credentials (ListBuckets; a key scoped to one bucket may be refused that and
 * still be fine), HeadBucket — adopting the region the service names and trying once more
 * when the bucket lives elsewhere — create the bucket when it is missing (if asked), and probe
 * whether object ACLs work there (if asked).  The account's state, status-message, region and
 * acl-support follow along.  Every failure is a GError whose message says what is wrong in
 * the user's terms (unknown host, connection refused, TLS, wrong key id, wrong secret, clock
 * skew, bucket owned by someone else, keyring unavailable); the domain and code stay those of
 * the layer that failed (OCTOPUS_S3_ERROR, OCTOPUS_ACCOUNT_ERROR, G_IO_ERROR_CANCELLED).
 */
#pragma once

#include <gio/gio.h>

#include "octopus-account.h"
#include "octopus-account-store.h"
#include "octopus-s3-client.h"

G_BEGIN_DECLS

typedef enum {
  OCTOPUS_ACCOUNT_CONNECT_NONE          = 0,
  OCTOPUS_ACCOUNT_CONNECT_CREATE_BUCKET = 1 << 0,  /* create the bucket when it is missing */
  OCTOPUS_ACCOUNT_CONNECT_PROBE_ACL     = 1 << 1,  /* put, ACL and delete "octopus-acl-probe" */
} OctopusAccountConnectFlags;

/* The probe object's key, written and deleted again by OCTOPUS_ACCOUNT_CONNECT_PROBE_ACL. */
#define OCTOPUS_ACCOUNT_ACL_PROBE_KEY "octopus-acl-probe"

/* A client for @account with @secret; no network traffic. */
OctopusS3Client *octopus_account_create_client  (OctopusAccount             *account,
                                                 const char                 *secret,
                                                 GError                    **error);

/* @secret NULL → looked up in the keyring. */
void             octopus_account_connect_async  (OctopusAccount             *account,
                                                 const char                 *secret,
                                                 OctopusAccountConnectFlags  flags,
                                                 GCancellable               *cancellable,
                                                 GAsyncReadyCallback         callback,
                                                 gpointer                    user_data);
/* → a client ready for the account's bucket. */
OctopusS3Client *octopus_account_connect_finish (OctopusAccount             *account,
                                                 GAsyncResult               *result,
                                                 GError                    **error);
/* The same, for callers that only need to know whether the account works (the window's and
 * octopus-cli's account test): TRUE when connected; the client is let go. */
gboolean         octopus_account_connect_check_finish (OctopusAccount       *account,
                                                       GAsyncResult         *result,
                                                       GError              **error);

/* Adding a service, the same for the window and `octopus-cli account add`: the account (its
 * bucket set, see octopus_account_set_bucket_or_new()) connects with @secret (credentials
 * checked, the bucket found or created, its region adopted, ACL support probed), and only
 * when all of that worked is it stored in @store and its secret in the keyring.  On failure
 * nothing is saved: no account in the file, no keyring item. */
void             octopus_account_add_async      (OctopusAccountStore        *store,
                                                 OctopusAccount             *account,
                                                 const char                 *secret,
                                                 GCancellable               *cancellable,
                                                 GAsyncReadyCallback         callback,
                                                 gpointer                    user_data);
gboolean         octopus_account_add_finish     (OctopusAccount             *account,
                                                 GAsyncResult               *result,
                                                 GError                    **error);

/* Editing a service: @edited (a new account made from the edited settings; its name may
 * differ) takes @account's place in @store.  When the endpoint, region, path style, access key
 * or bucket changed, or a new @secret is given (NULL or empty: keep the stored one), @edited
 * first connects as an added service does (with @secret or the stored one): credentials
 * checked, the bucket found or created, its region adopted, ACL support probed.  Only when
 * that worked is the store changed (see octopus_account_store_replace_async(): the file, the
 * new secret, the secret moved on a rename).  A rename alone does not connect.  On failure
 * nothing changes: @account stays in the file and the store, its secret in the keyring. */
void             octopus_account_update_async   (OctopusAccountStore        *store,
                                                 OctopusAccount             *account,
                                                 OctopusAccount             *edited,
                                                 const char                 *secret,
                                                 GCancellable               *cancellable,
                                                 GAsyncReadyCallback         callback,
                                                 gpointer                    user_data);
gboolean         octopus_account_update_finish  (OctopusAccount             *edited,
                                                 GAsyncResult               *result,
                                                 GError                    **error);

G_END_DECLS
