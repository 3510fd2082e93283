/* SPDX-License-Identifier: GPL-3.0-or-later */
/* octopus-service.h — one member of the array: an S3 client, the Octopus bucket on it, and
 * what Octopus has learned about it (reachable, ACL support).
 *
 * Services are made from accounts (octopus-account-connect) or, in tests, straight from a
 * client.  The array, the upload engine and the UI all refer to services by these objects;
 * the name is unique within an array and is what the CLI and status JSON print.
 */
#pragma once

#include <gio/gio.h>
#include "octopus-s3-client.h"

G_BEGIN_DECLS

typedef enum {
  OCTOPUS_SUPPORT_UNKNOWN,
  OCTOPUS_SUPPORT_YES,
  OCTOPUS_SUPPORT_NO,
} OctopusSupport;

#define OCTOPUS_TYPE_SERVICE (octopus_service_get_type ())
G_DECLARE_FINAL_TYPE (OctopusService, octopus_service, OCTOPUS, SERVICE, GObject)

OctopusService  *octopus_service_new                (const char      *name,
                                                     OctopusS3Client *client,
                                                     const char      *bucket);
const char      *octopus_service_get_name           (OctopusService  *self);
OctopusS3Client *octopus_service_get_client         (OctopusService  *self);
const char      *octopus_service_get_bucket         (OctopusService  *self);

/* Object ACLs: probed when the account connects; OCTOPUS_SUPPORT_NO means "ACLs not supported
 * here" (R2, MinIO, buckets with object ownership enforced), never a failure. */
OctopusSupport   octopus_service_get_acl_support    (OctopusService  *self);
void             octopus_service_set_acl_support    (OctopusService  *self,
                                                     OctopusSupport   support);

/* Whether ListMultipartUploads/ListParts work here (resume and cleanup of uploads). */
OctopusSupport   octopus_service_get_multipart_listing (OctopusService *self);
void             octopus_service_set_multipart_listing (OctopusService *self,
                                                        OctopusSupport  support);

/* The last failure to reach the service (NULL while it answers).  "reachable" and
 * "last-error" are properties: the UI binds to them. */
gboolean         octopus_service_get_reachable      (OctopusService  *self);
const GError    *octopus_service_get_last_error     (OctopusService  *self);
void             octopus_service_set_last_error     (OctopusService  *self,
                                                     const GError    *error);

/* A service that cannot be used at all (its secret is not in the keyring, its settings make
 * no client): nothing is sent to it, and it stays unreachable with @reason as its last error
 * (a later set_last_error (NULL) does not clear it).  NULL while the service is usable. */
void             octopus_service_set_unusable       (OctopusService  *self,
                                                     const GError    *reason);
const GError    *octopus_service_get_unusable       (OctopusService  *self);

/* "@service_name: @message", or @message alone when it names that service already (errors
 * from src/s3 start with the service's name): a service is named once in what users read. */
char            *octopus_service_name_message       (const char      *service_name,
                                                     const char      *message);

G_END_DECLS
