/* SPDX-License-Identifier: GPL-3.0-or-later */
/* octopus-s3-types.h — plain data returned by S3 operations and XML parsers.
 *
 * Boxed-free plain structs with a _free function and autoptr support; arrays are GPtrArray
 * with the element free function set, so g_autoptr(GPtrArray) releases everything.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* One object as listed (ListObjectsV2 <Contents>) or headed (HeadObject/GetObject). */
typedef struct {
  char       *key;            /* decoded UTF-8 key (url-decoded when encoding-type=url) */
  gint64      size;           /* bytes; -1 when unknown */
  char       *etag;           /* with the quotes stripped */
  gint64      last_modified;  /* Unix seconds UTC; 0 when unknown */
  char       *storage_class;  /* may be NULL */
  char       *content_type;   /* HEAD/GET only; may be NULL */
  GHashTable *metadata;       /* HEAD/GET only: x-amz-meta-* names (lower case, without the
                                 prefix) → values; NULL when not known */
  char       *version_id;     /* HEAD/GET only: x-amz-version-id; NULL without versioning */
} OctopusS3Object;

void             octopus_s3_object_free (OctopusS3Object *object);
OctopusS3Object *octopus_s3_object_copy (const OctopusS3Object *object);

/* One page of ListObjectsV2. */
typedef struct {
  GPtrArray *objects;                 /* of OctopusS3Object */
  GPtrArray *common_prefixes;         /* of char * */
  gboolean   is_truncated;
  char      *next_continuation_token; /* NULL when not truncated */
} OctopusS3ListPage;

void octopus_s3_list_page_free (OctopusS3ListPage *page);

/* ListBuckets entry. */
typedef struct {
  char   *name;
  gint64  creation_date;              /* Unix seconds */
} OctopusS3Bucket;

void octopus_s3_bucket_free (OctopusS3Bucket *bucket);

/* ListMultipartUploads entry. */
typedef struct {
  char   *key;
  char   *upload_id;
  gint64  initiated;                  /* Unix seconds */
} OctopusS3Upload;

void octopus_s3_upload_free (OctopusS3Upload *upload);

/* A part, as listed by ListParts or as sent to CompleteMultipartUpload. */
typedef struct {
  guint   number;                     /* 1..10000 */
  char   *etag;                       /* quotes stripped */
  gint64  size;                       /* -1 when unknown (CompleteMultipartUpload input) */
} OctopusS3Part;

OctopusS3Part *octopus_s3_part_new  (guint number, const char *etag, gint64 size);
void           octopus_s3_part_free (OctopusS3Part *part);

/* One grant of an access control policy. */
typedef enum {
  OCTOPUS_S3_GRANTEE_CANONICAL_USER,  /* id (+ display_name) */
  OCTOPUS_S3_GRANTEE_GROUP,           /* uri: AllUsers, AuthenticatedUsers, LogDelivery */
  OCTOPUS_S3_GRANTEE_EMAIL,           /* email */
} OctopusS3GranteeType;

typedef enum {
  OCTOPUS_S3_PERMISSION_READ,
  OCTOPUS_S3_PERMISSION_WRITE,
  OCTOPUS_S3_PERMISSION_READ_ACP,
  OCTOPUS_S3_PERMISSION_WRITE_ACP,
  OCTOPUS_S3_PERMISSION_FULL_CONTROL,
} OctopusS3Permission;

#define OCTOPUS_S3_GROUP_ALL_USERS "http://acs.amazonaws.com/groups/global/AllUsers"
#define OCTOPUS_S3_GROUP_AUTHENTICATED_USERS \
  "http://acs.amazonaws.com/groups/global/AuthenticatedUsers"

typedef struct {
  OctopusS3GranteeType type;
  char                *id;            /* canonical user id, or NULL */
  char                *display_name;  /* or NULL */
  char                *uri;           /* group URI, or NULL */
  char                *email;         /* or NULL */
  OctopusS3Permission  permission;
} OctopusS3Grant;

void octopus_s3_grant_free (OctopusS3Grant *grant);

typedef struct {
  char      *owner_id;
  char      *owner_display_name;
  GPtrArray *grants;                  /* of OctopusS3Grant */
} OctopusS3Acl;

OctopusS3Acl *octopus_s3_acl_new  (void);
void          octopus_s3_acl_free (OctopusS3Acl *acl);

const char  *octopus_s3_permission_to_string   (OctopusS3Permission permission);
gboolean     octopus_s3_permission_from_string (const char *s, OctopusS3Permission *out);

/* Canned ACLs the user can choose; NULL-terminated list of their header values. */
extern const char * const octopus_s3_canned_acls[];
gboolean     octopus_s3_canned_acl_is_valid    (const char *canned);

/* One failed key of DeleteObjects. */
typedef struct {
  char *key;
  char *code;
  char *message;
} OctopusS3DeleteError;

void octopus_s3_delete_error_free (OctopusS3DeleteError *error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (OctopusS3Object, octopus_s3_object_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (OctopusS3ListPage, octopus_s3_list_page_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (OctopusS3Bucket, octopus_s3_bucket_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (OctopusS3Upload, octopus_s3_upload_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (OctopusS3Part, octopus_s3_part_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (OctopusS3Grant, octopus_s3_grant_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (OctopusS3Acl, octopus_s3_acl_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (OctopusS3DeleteError, octopus_s3_delete_error_free)

G_END_DECLS
