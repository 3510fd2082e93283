/* SPDX-License-Identifier: GPL-3.0-or-later */
/* octopus-service-loader.h — the array's members, made from the configured accounts.
 *
 * Loads the account store, fetches each account's secret from the keyring, and builds one
 * OctopusService per account (client + bucket, ACL support from the account's probe).  This
 * is the glue the CLI and the window use; engine tests build services straight from clients.
 */
#pragma once

#include <gio/gio.h>
#include "octopus-service.h"

G_BEGIN_DECLS

/* → GPtrArray of OctopusService, in account order.  An account whose secret cannot be read
 * still yields a service, marked unreachable with the reason (the others are unaffected);
 * a keyring that cannot be reached at all is an error. */
void       octopus_services_load_async  (GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data);
GPtrArray *octopus_services_load_finish (GAsyncResult        *result,
                                         GError             **error);

G_END_DECLS
