/* SPDX-License-Identifier: GPL-3.0-or-later */
/* octopus-acl.h — ACL policy, owned by the engine.
 *
 * The window and octopus-cli speak of grantees, permissions and canned ACLs in these terms
 * only; the S3 types (OctopusS3Acl) stay below, behind OctopusAclPolicy.  Each service has
 * its own owner (canonical ids differ per service), so a change the user asks for is turned
 * into one policy per service, built from that service's own ACL: its owner and the owner's
 * FULL_CONTROL are always kept.
 */
#pragma once

#include <gio/gio.h>

#include "octopus-s3-types.h"

G_BEGIN_DECLS

/* One service's access control policy as read from it (or to be written to it). */
typedef OctopusS3Acl OctopusAclPolicy;

void octopus_acl_policy_free (OctopusAclPolicy *policy);

typedef enum {
  OCTOPUS_GRANTEE_EVERYONE,       /* AllUsers */
  OCTOPUS_GRANTEE_AUTHENTICATED,  /* AuthenticatedUsers */
  OCTOPUS_GRANTEE_OWNER,          /* the service's owner of the object */
  OCTOPUS_GRANTEE_USER_ID,        /* a canonical user id */
  OCTOPUS_GRANTEE_EMAIL,          /* an e-mail address */
  OCTOPUS_GRANTEE_OTHER,          /* another group (e.g. LogDelivery); value is its URI */
} OctopusGranteeKind;

typedef enum {
  OCTOPUS_PERMISSION_READ,
  OCTOPUS_PERMISSION_WRITE,
  OCTOPUS_PERMISSION_READ_ACP,
  OCTOPUS_PERMISSION_WRITE_ACP,
  OCTOPUS_PERMISSION_FULL_CONTROL,
} OctopusPermission;

#define OCTOPUS_PERMISSION_LAST OCTOPUS_PERMISSION_FULL_CONTROL

/* Who a grant is for. */
typedef struct {
  OctopusGranteeKind  kind;
  char               *value;         /* USER_ID: the id; EMAIL: the address; OTHER: the URI */
  char               *display_name;  /* as the service named it, or NULL */
} OctopusGrantee;

void            octopus_grantee_free        (OctopusGrantee  *grantee);
OctopusGrantee *octopus_grantee_copy        (const OctopusGrantee *grantee);
/* `everyone`, `authenticated`, `id:ID`, `email:ADDR` → a grantee; anything else is a
 * G_IO_ERROR_INVALID_ARGUMENT. */
OctopusGrantee *octopus_grantee_parse       (const char      *word,
                                             GError         **error);
/* The reverse of octopus_grantee_parse (`owner` for the owner, the URI for OTHER). */
char           *octopus_grantee_to_word     (const OctopusGrantee *grantee);
/* "Everyone", "Authenticated users", "Owner", the display name or id, the address (translated). */
char           *octopus_grantee_dup_label   (const OctopusGrantee *grantee);
gboolean        octopus_grantee_equal       (const OctopusGrantee *a,
                                             const OctopusGrantee *b);

/* "READ", "WRITE", "READ_ACP", "WRITE_ACP", "FULL_CONTROL". */
const char     *octopus_permission_to_string   (OctopusPermission  permission);
gboolean        octopus_permission_from_string (const char        *s,
                                                OctopusPermission *out);
/* "Read", "Write", "Read permissions", "Change permissions", "Full control" (translated). */
const char     *octopus_permission_get_label   (OctopusPermission  permission);

/* One grant of a policy, in the engine's terms. */
typedef struct {
  OctopusGrantee    grantee;
  OctopusPermission permission;
} OctopusAclGrant;

void       octopus_acl_grant_free     (OctopusAclGrant        *grant);
/* @policy's grants, in its order → GPtrArray of OctopusAclGrant. */
GPtrArray *octopus_acl_policy_grants  (const OctopusAclPolicy *policy);

/* The canned ACLs a user may choose (the others only make sense for log delivery and
 * buckets): private, public-read, public-read-write, authenticated-read. */
typedef struct {
  const char *name;    /* the x-amz-acl value */
  const char *label;   /* untranslated; show with _() */
} OctopusCannedAcl;

/* → the list, @n_out entries. */
const OctopusCannedAcl *octopus_acl_canned_list     (guint      *n_out);
gboolean                octopus_acl_canned_is_valid (const char *canned);
/* "public-read" etc. when @policy is exactly what that canned ACL gives, else NULL. */
const char             *octopus_acl_to_canned       (const OctopusAclPolicy *policy);
/* TRUE when the policies grant the same (owners compared as "the owner", since each service
 * has its own canonical ids).  NULL entries (services that could not be read) are skipped. */
gboolean                octopus_acl_policies_agree  (const OctopusAclPolicy * const *policies,
                                                     guint                          n_policies);

/* A change the user asks for, the same for every service. */
typedef enum {
  OCTOPUS_ACL_CHANGE_CANNED,   /* canned */
  OCTOPUS_ACL_CHANGE_GRANT,    /* grantee, permission */
  OCTOPUS_ACL_CHANGE_REVOKE,   /* grantee: every grant to it */
} OctopusAclChangeKind;

typedef struct {
  OctopusAclChangeKind  kind;
  char                 *canned;
  OctopusGrantee       *grantee;
  OctopusPermission     permission;
} OctopusAclChange;

OctopusAclChange *octopus_acl_change_new_canned (const char           *canned);
OctopusAclChange *octopus_acl_change_new_grant  (const OctopusGrantee *grantee,
                                                 OctopusPermission     permission);
OctopusAclChange *octopus_acl_change_new_revoke (const OctopusGrantee *grantee);
OctopusAclChange *octopus_acl_change_copy       (const OctopusAclChange *change);
void              octopus_acl_change_free       (OctopusAclChange     *change);

/* The policy one service should get for @change, from @current as read from that service:
 * that service's owner is kept, and so is the owner's FULL_CONTROL (the owner cannot be
 * revoked).  A canned change gives exactly that canned ACL's grants.  Fails
 * (G_IO_ERROR_INVALID_ARGUMENT) for an unknown canned ACL or a policy without an owner. */
OctopusAclPolicy *octopus_acl_policy_apply (const OctopusAclPolicy *current,
                                            const OctopusAclChange *change,
                                            GError                **error);

/* The policy a new copy of an object (written by repair) should get so that it grants what
 * the copy it was made from grants.  @source is the ACL of that copy, @target_current the new
 * copy's ACL as read from its own service: the result has the target's owner, every grant of
 * the source's owner given to the target's owner instead (its FULL_CONTROL becomes the target
 * owner's), and the source's other grants as they are; the owner keeps FULL_CONTROL.  What the
 * target granted before is not kept.  Fails (G_IO_ERROR_INVALID_ARGUMENT) when either policy
 * has no owner. */
OctopusAclPolicy *octopus_acl_policy_transfer (const OctopusAclPolicy *source,
                                               const OctopusAclPolicy *target_current,
                                               GError                **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (OctopusAclPolicy, octopus_acl_policy_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (OctopusGrantee, octopus_grantee_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (OctopusAclGrant, octopus_acl_grant_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (OctopusAclChange, octopus_acl_change_free)

G_END_DECLS
