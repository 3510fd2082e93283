/* SPDX-License-Identifier: GPL-3.0-or-later */
/* octopus-s3-xml-parse.c — the parsers for S3 replies, on the hardened reader and helpers of
 * octopus-s3-xml.c (see there for why every reply is treated as hostile).
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>
#include <libxml/tree.h>

#include "octopus-s3-error.h"
#include "octopus-s3-xml.h"
#include "octopus-s3-xml-private.h"

/* ---------------------------------------------------------------------------------------- */
/* Parsers                                                                                  */

gboolean
octopus_s3_xml_parse_error (const char *xml,
                            gsize       length,
                            char      **code,
                            char      **message,
                            char      **request_id,
                            char      **region)
{
  g_autoptr(xmlDoc) doc = NULL;
  xmlNode *root;

  if (code != NULL)
    *code = NULL;
  if (message != NULL)
    *message = NULL;
  if (request_id != NULL)
    *request_id = NULL;
  if (region != NULL)
    *region = NULL;

  doc = _octopus_s3_xml_read_reply (xml, length, "Error", NULL);
  if (doc == NULL)
    return FALSE;
  root = xmlDocGetRootElement (doc);
  if (!_octopus_s3_xml_is_element (root, "Error"))
    return FALSE;

  if (code != NULL)
    *code = _octopus_s3_xml_child_text (root, "Code");
  if (message != NULL)
    *message = _octopus_s3_xml_child_text (root, "Message");
  if (request_id != NULL)
    *request_id = _octopus_s3_xml_child_text (root, "RequestId");
  if (region != NULL)
    *region = _octopus_s3_xml_child_text (root, "Region");
  return TRUE;
}

static OctopusS3Bucket *
parse_bucket (xmlNode *node,
              GError **error)
{
  g_autoptr(OctopusS3Bucket) bucket = g_new0 (OctopusS3Bucket, 1);
  g_autofree char *created = NULL;

  bucket->name = _octopus_s3_xml_required_text (node, "Name", FALSE, "ListBuckets", error);
  if (bucket->name == NULL)
    return NULL;
  created = _octopus_s3_xml_child_text (node, "CreationDate");
  if (created != NULL &&
      !_octopus_s3_xml_parse_time (created, &bucket->creation_date, "ListBuckets", error))
    return NULL;
  return g_steal_pointer (&bucket);
}

GPtrArray *
octopus_s3_xml_parse_list_buckets (const char *xml,
                                   gsize       length,
                                   GError    **error)
{
  g_autoptr(xmlDoc) doc = NULL;
  g_autoptr(GPtrArray) buckets = NULL;
  xmlNode *root, *list;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if ((doc = _octopus_s3_xml_read_reply (xml, length, "ListBuckets", error)) == NULL ||
      (root = _octopus_s3_xml_expect_root (doc, "ListAllMyBucketsResult", "ListBuckets",
                                           error)) == NULL)
    return NULL;

  buckets = g_ptr_array_new_with_free_func ((GDestroyNotify) octopus_s3_bucket_free);
  list = _octopus_s3_xml_find_child (root, "Buckets");
  for (xmlNode *n = list != NULL ? list->children : NULL; n != NULL; n = n->next)
    {
      OctopusS3Bucket *bucket;

      if (!_octopus_s3_xml_is_element (n, "Bucket"))
        continue;
      if ((bucket = parse_bucket (n, error)) == NULL)
        return NULL;
      g_ptr_array_add (buckets, bucket);
    }
  return g_steal_pointer (&buckets);
}

static OctopusS3Object *
parse_contents (xmlNode *node,
                gboolean url_encoded,
                GError **error)
{
  const char *reply = "ListObjectsV2";
  g_autoptr(OctopusS3Object) object = g_new0 (OctopusS3Object, 1);
  g_autofree char *size = NULL;
  g_autofree char *modified = NULL;
  g_autofree char *etag = NULL;

  object->size = -1;
  object->key = _octopus_s3_xml_required_text (node, "Key", url_encoded, reply, error);
  if (object->key == NULL)
    return NULL;

  size = _octopus_s3_xml_child_text (node, "Size");
  if (size != NULL && !_octopus_s3_xml_parse_size (size, &object->size, reply, error))
    return NULL;
  modified = _octopus_s3_xml_child_text (node, "LastModified");
  if (modified != NULL &&
      !_octopus_s3_xml_parse_time (modified, &object->last_modified, reply, error))
    return NULL;
  etag = _octopus_s3_xml_child_text (node, "ETag");
  object->etag = _octopus_s3_xml_clean_etag (etag);
  object->storage_class = _octopus_s3_xml_child_text (node, "StorageClass");
  return g_steal_pointer (&object);
}

static gboolean
parse_common_prefixes (xmlNode    *node,
                       gboolean    url_encoded,
                       GPtrArray  *prefixes,
                       GError    **error)
{
  /* One <Prefix> per <CommonPrefixes> on AWS; some servers put several in one. */
  for (xmlNode *n = node->children; n != NULL; n = n->next)
    {
      g_autofree char *text = NULL;

      if (!_octopus_s3_xml_is_element (n, "Prefix"))
        continue;
      text = _octopus_s3_xml_node_text (n);
      if (url_encoded)
        {
          char *decoded = _octopus_s3_xml_url_decode (text, "ListObjectsV2", error);
          if (decoded == NULL)
            return FALSE;
          g_free (text);
          text = decoded;
        }
      g_ptr_array_add (prefixes, g_steal_pointer (&text));
    }
  return TRUE;
}

OctopusS3ListPage *
octopus_s3_xml_parse_list_objects (const char *xml,
                                   gsize       length,
                                   gboolean    url_encoded,
                                   GError    **error)
{
  const char *reply = "ListObjectsV2";
  g_autoptr(xmlDoc) doc = NULL;
  g_autoptr(OctopusS3ListPage) page = NULL;
  xmlNode *root;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if ((doc = _octopus_s3_xml_read_reply (xml, length, reply, error)) == NULL ||
      (root = _octopus_s3_xml_expect_root (doc, "ListBucketResult", reply, error)) == NULL)
    return NULL;

  page = g_new0 (OctopusS3ListPage, 1);
  page->objects = g_ptr_array_new_with_free_func ((GDestroyNotify) octopus_s3_object_free);
  page->common_prefixes = g_ptr_array_new_with_free_func (g_free);

  for (xmlNode *n = root->children; n != NULL; n = n->next)
    {
      if (_octopus_s3_xml_is_element (n, "Contents"))
        {
          OctopusS3Object *object = parse_contents (n, url_encoded, error);
          if (object == NULL)
            return NULL;
          g_ptr_array_add (page->objects, object);
        }
      else if (_octopus_s3_xml_is_element (n, "CommonPrefixes"))
        {
          if (!parse_common_prefixes (n, url_encoded, page->common_prefixes, error))
            return NULL;
        }
    }

  if (!_octopus_s3_xml_optional_truncated (root, &page->is_truncated, reply, error))
    return NULL;
  if (page->is_truncated)
    {
      page->next_continuation_token = _octopus_s3_xml_child_text (root, "NextContinuationToken");
      /* Without a token the caller could only start over or stop short: both wrong. */
      if (page->next_continuation_token == NULL || *page->next_continuation_token == '\0')
        {
          _octopus_s3_xml_set_malformed (error, reply,
                                         _("the listing is truncated but has no continuation "
                                           "token"));
          return NULL;
        }
    }
  return g_steal_pointer (&page);
}

char *
octopus_s3_xml_parse_location (const char *xml,
                               gsize       length,
                               GError    **error)
{
  g_autoptr(xmlDoc) doc = NULL;
  g_autofree char *region = NULL;
  xmlNode *root;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if ((doc = _octopus_s3_xml_read_reply (xml, length, "GetBucketLocation", error)) == NULL ||
      (root = _octopus_s3_xml_expect_root (doc, "LocationConstraint", "GetBucketLocation",
                                           error)) == NULL)
    return NULL;

  region = g_strstrip (_octopus_s3_xml_node_text (root));
  /* The two historical spellings: empty for us-east-1, "EU" for eu-west-1. */
  if (*region == '\0')
    return g_strdup ("us-east-1");
  if (g_str_equal (region, "EU"))
    return g_strdup ("eu-west-1");
  return g_steal_pointer (&region);
}

char *
octopus_s3_xml_parse_initiate_multipart (const char *xml,
                                         gsize       length,
                                         GError    **error)
{
  const char *reply = "CreateMultipartUpload";
  g_autoptr(xmlDoc) doc = NULL;
  g_autofree char *upload_id = NULL;
  xmlNode *root;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if ((doc = _octopus_s3_xml_read_reply (xml, length, reply, error)) == NULL ||
      (root = _octopus_s3_xml_expect_root (doc, "InitiateMultipartUploadResult", reply,
                                           error)) == NULL)
    return NULL;

  upload_id = _octopus_s3_xml_required_text (root, "UploadId", FALSE, reply, error);
  if (upload_id != NULL && *upload_id == '\0')
    {
      _octopus_s3_xml_set_malformed (error, reply, _("the upload id is empty"));
      return NULL;
    }
  return g_steal_pointer (&upload_id);
}

/* Shared by CompleteMultipartUpload and CopyObject/UploadPartCopy: an ETag result, or an
 * <Error> in a 200. */
static char *
parse_etag_result (const char  *xml,
                   gsize        length,
                   const char  *reply,
                   const char  *root_name,
                   const char  *alt_root_name,
                   GError     **error)
{
  g_autoptr(xmlDoc) doc = NULL;
  g_autofree char *etag = NULL;
  g_autofree char *clean = NULL;
  xmlNode *root;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if ((doc = _octopus_s3_xml_read_reply (xml, length, reply, error)) == NULL)
    return NULL;
  root = xmlDocGetRootElement (doc);
  if (_octopus_s3_xml_take_embedded_error (root, error))
    return NULL;
  if (alt_root_name == NULL || !_octopus_s3_xml_is_element (root, alt_root_name))
    if ((root = _octopus_s3_xml_expect_root (doc, root_name, reply, error)) == NULL)
      return NULL;

  if ((etag = _octopus_s3_xml_required_text (root, "ETag", FALSE, reply, error)) == NULL)
    return NULL;
  clean = _octopus_s3_xml_clean_etag (etag);
  if (*clean == '\0')
    {
      _octopus_s3_xml_set_malformed (error, reply, _("the ETag is empty"));
      return NULL;
    }
  return g_steal_pointer (&clean);
}

char *
octopus_s3_xml_parse_complete_multipart (const char *xml,
                                         gsize       length,
                                         GError    **error)
{
  return parse_etag_result (xml, length, "CompleteMultipartUpload",
                            "CompleteMultipartUploadResult", NULL, error);
}

char *
octopus_s3_xml_parse_copy_object (const char *xml,
                                  gsize       length,
                                  GError    **error)
{
  return parse_etag_result (xml, length, "CopyObject", "CopyObjectResult", "CopyPartResult",
                            error);
}

static OctopusS3Upload *
parse_upload (xmlNode *node,
              gboolean url_encoded,
              GError **error)
{
  const char *reply = "ListMultipartUploads";
  g_autoptr(OctopusS3Upload) upload = g_new0 (OctopusS3Upload, 1);
  g_autofree char *initiated = NULL;

  if ((upload->key = _octopus_s3_xml_required_text (node, "Key", url_encoded, reply,
                                                    error)) == NULL ||
      (upload->upload_id = _octopus_s3_xml_required_text (node, "UploadId", FALSE, reply,
                                                          error)) == NULL)
    return NULL;
  initiated = _octopus_s3_xml_child_text (node, "Initiated");
  if (initiated != NULL &&
      !_octopus_s3_xml_parse_time (initiated, &upload->initiated, reply, error))
    return NULL;
  return g_steal_pointer (&upload);
}

GPtrArray *
octopus_s3_xml_parse_list_uploads (const char *xml,
                                   gsize       length,
                                   char      **next_key_marker,
                                   char      **next_upload_id_marker,
                                   GError    **error)
{
  const char *reply = "ListMultipartUploads";
  g_autoptr(xmlDoc) doc = NULL;
  g_autoptr(GPtrArray) uploads = NULL;
  g_autofree char *encoding = NULL;
  g_autofree char *key_marker = NULL;
  g_autofree char *upload_id_marker = NULL;
  gboolean url_encoded, truncated;
  xmlNode *root;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (next_key_marker != NULL)
    *next_key_marker = NULL;
  if (next_upload_id_marker != NULL)
    *next_upload_id_marker = NULL;

  if ((doc = _octopus_s3_xml_read_reply (xml, length, reply, error)) == NULL ||
      (root = _octopus_s3_xml_expect_root (doc, "ListMultipartUploadsResult", reply,
                                           error)) == NULL)
    return NULL;

  /* This reply says itself whether keys are encoded. */
  encoding = _octopus_s3_xml_child_text (root, "EncodingType");
  url_encoded = g_strcmp0 (encoding, "url") == 0;

  uploads = g_ptr_array_new_with_free_func ((GDestroyNotify) octopus_s3_upload_free);
  for (xmlNode *n = root->children; n != NULL; n = n->next)
    {
      OctopusS3Upload *upload;

      if (!_octopus_s3_xml_is_element (n, "Upload"))
        continue;
      if ((upload = parse_upload (n, url_encoded, error)) == NULL)
        return NULL;
      g_ptr_array_add (uploads, upload);
    }

  if (!_octopus_s3_xml_optional_truncated (root, &truncated, reply, error))
    return NULL;
  if (truncated)
    {
      if ((key_marker = _octopus_s3_xml_required_text (root, "NextKeyMarker", url_encoded,
                                                       reply, error)) == NULL ||
          (upload_id_marker = _octopus_s3_xml_required_text (root, "NextUploadIdMarker", FALSE,
                                                             reply, error)) == NULL)
        return NULL;
      if (next_key_marker != NULL)
        *next_key_marker = g_steal_pointer (&key_marker);
      if (next_upload_id_marker != NULL)
        *next_upload_id_marker = g_steal_pointer (&upload_id_marker);
    }
  return g_steal_pointer (&uploads);
}

static OctopusS3Part *
parse_part (xmlNode *node,
            GError **error)
{
  const char *reply = "ListParts";
  g_autoptr(OctopusS3Part) part = octopus_s3_part_new (0, NULL, -1);
  g_autofree char *number = _octopus_s3_xml_child_text (node, "PartNumber");
  g_autofree char *etag = _octopus_s3_xml_child_text (node, "ETag");
  g_autofree char *size = _octopus_s3_xml_child_text (node, "Size");

  if (!_octopus_s3_xml_parse_part_number (number, &part->number, reply, error))
    return NULL;
  if (size != NULL && !_octopus_s3_xml_parse_size (size, &part->size, reply, error))
    return NULL;
  part->etag = _octopus_s3_xml_clean_etag (etag);
  if (part->etag == NULL || *part->etag == '\0')
    {
      _octopus_s3_xml_set_malformed (error, reply, _("a part has no ETag"));
      return NULL;
    }
  return g_steal_pointer (&part);
}

GPtrArray *
octopus_s3_xml_parse_list_parts (const char *xml,
                                 gsize       length,
                                 guint      *next_part_marker,
                                 GError    **error)
{
  const char *reply = "ListParts";
  g_autoptr(xmlDoc) doc = NULL;
  g_autoptr(GPtrArray) parts = NULL;
  gboolean truncated;
  xmlNode *root;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (next_part_marker != NULL)
    *next_part_marker = 0;

  if ((doc = _octopus_s3_xml_read_reply (xml, length, reply, error)) == NULL ||
      (root = _octopus_s3_xml_expect_root (doc, "ListPartsResult", reply, error)) == NULL)
    return NULL;

  parts = g_ptr_array_new_with_free_func ((GDestroyNotify) octopus_s3_part_free);
  for (xmlNode *n = root->children; n != NULL; n = n->next)
    {
      OctopusS3Part *part;

      if (!_octopus_s3_xml_is_element (n, "Part"))
        continue;
      if ((part = parse_part (n, error)) == NULL)
        return NULL;
      g_ptr_array_add (parts, part);
    }

  if (!_octopus_s3_xml_optional_truncated (root, &truncated, reply, error))
    return NULL;
  if (truncated)
    {
      g_autofree char *marker = _octopus_s3_xml_child_text (root, "NextPartNumberMarker");
      guint number;

      if (!_octopus_s3_xml_parse_part_number (marker, &number, reply, error))
        return NULL;
      if (next_part_marker != NULL)
        *next_part_marker = number;
    }
  return g_steal_pointer (&parts);
}

static gboolean
grantee_type_from_node (xmlNode              *grantee,
                        OctopusS3GranteeType *out)
{
  /* xsi:type is namespaced; xmlGetProp matches the local name whatever the prefix. */
  xmlChar *type = xmlGetProp (grantee, (const xmlChar *) "type");
  gboolean found = TRUE;

  if (type != NULL)
    {
      if (xmlStrEqual (type, (const xmlChar *) "CanonicalUser"))
        *out = OCTOPUS_S3_GRANTEE_CANONICAL_USER;
      else if (xmlStrEqual (type, (const xmlChar *) "Group"))
        *out = OCTOPUS_S3_GRANTEE_GROUP;
      else if (xmlStrEqual (type, (const xmlChar *) "AmazonCustomerByEmail"))
        *out = OCTOPUS_S3_GRANTEE_EMAIL;
      else
        found = FALSE;
      xmlFree (type);
      return found;
    }

  /* Some servers leave the type out; the child elements tell. */
  if (_octopus_s3_xml_find_child (grantee, "URI") != NULL)
    *out = OCTOPUS_S3_GRANTEE_GROUP;
  else if (_octopus_s3_xml_find_child (grantee, "EmailAddress") != NULL)
    *out = OCTOPUS_S3_GRANTEE_EMAIL;
  else if (_octopus_s3_xml_find_child (grantee, "ID") != NULL)
    *out = OCTOPUS_S3_GRANTEE_CANONICAL_USER;
  else
    found = FALSE;
  return found;
}

/* One <Grant>.  Returns NULL with @error set when the grant is broken, and NULL with
 * @error unset when it is to be skipped: a grant without a valid <Permission> gives no one
 * any right, so leaving it out loses nothing a user could act on.  s3rver's fixed policy
 * is such a case: its <Permission> sits beside the <Grant>, not inside it. */
static OctopusS3Grant *
parse_grant (xmlNode *node,
             GError **error)
{
  const char *reply = "GetObjectAcl";
  g_autoptr(OctopusS3Grant) grant = g_new0 (OctopusS3Grant, 1);
  g_autofree char *permission = _octopus_s3_xml_child_text (node, "Permission");
  xmlNode *grantee = _octopus_s3_xml_find_child (node, "Grantee");

  if (!octopus_s3_permission_from_string (permission, &grant->permission))
    {
      g_debug ("GetObjectAcl: grant skipped, “%s” is not a permission",
               permission ? permission : "(none)");
      return NULL;
    }
  if (grantee == NULL || !grantee_type_from_node (grantee, &grant->type))
    {
      _octopus_s3_xml_set_malformed (error, reply, _("a grant has no grantee of a known type"));
      return NULL;
    }

  grant->id = _octopus_s3_xml_child_text (grantee, "ID");
  grant->display_name = _octopus_s3_xml_child_text (grantee, "DisplayName");
  grant->uri = _octopus_s3_xml_child_text (grantee, "URI");
  grant->email = _octopus_s3_xml_child_text (grantee, "EmailAddress");

  if ((grant->type == OCTOPUS_S3_GRANTEE_CANONICAL_USER && grant->id == NULL) ||
      (grant->type == OCTOPUS_S3_GRANTEE_GROUP && grant->uri == NULL) ||
      (grant->type == OCTOPUS_S3_GRANTEE_EMAIL && grant->email == NULL))
    {
      _octopus_s3_xml_set_malformed (error, reply, _("a grantee lacks its identifier"));
      return NULL;
    }
  return g_steal_pointer (&grant);
}

OctopusS3Acl *
octopus_s3_xml_parse_acl (const char *xml,
                          gsize       length,
                          GError    **error)
{
  const char *reply = "GetObjectAcl";
  g_autoptr(xmlDoc) doc = NULL;
  g_autoptr(OctopusS3Acl) acl = NULL;
  xmlNode *root, *owner, *list;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if ((doc = _octopus_s3_xml_read_reply (xml, length, reply, error)) == NULL ||
      (root = _octopus_s3_xml_expect_root (doc, "AccessControlPolicy", reply, error)) == NULL)
    return NULL;

  acl = octopus_s3_acl_new ();
  if ((owner = _octopus_s3_xml_find_child (root, "Owner")) != NULL)
    {
      acl->owner_id = _octopus_s3_xml_child_text (owner, "ID");
      acl->owner_display_name = _octopus_s3_xml_child_text (owner, "DisplayName");
    }

  list = _octopus_s3_xml_find_child (root, "AccessControlList");
  for (xmlNode *n = list != NULL ? list->children : NULL; n != NULL; n = n->next)
    {
      OctopusS3Grant *grant;
      GError *local_error = NULL;

      if (!_octopus_s3_xml_is_element (n, "Grant"))
        continue;
      if ((grant = parse_grant (n, &local_error)) != NULL)
        g_ptr_array_add (acl->grants, grant);
      else if (local_error != NULL)
        {
          g_propagate_error (error, local_error);
          return NULL;
        }
    }
  return g_steal_pointer (&acl);
}

GPtrArray *
octopus_s3_xml_parse_delete_result (const char *xml,
                                    gsize       length,
                                    GError    **error)
{
  const char *reply = "DeleteObjects";
  g_autoptr(xmlDoc) doc = NULL;
  g_autoptr(GPtrArray) failures = NULL;
  xmlNode *root;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if ((doc = _octopus_s3_xml_read_reply (xml, length, reply, error)) == NULL)
    return NULL;
  /* A whole-request failure (e.g. AccessDenied on the bucket) can come as a bare <Error>. */
  if (_octopus_s3_xml_take_embedded_error (xmlDocGetRootElement (doc), error))
    return NULL;
  if ((root = _octopus_s3_xml_expect_root (doc, "DeleteResult", reply, error)) == NULL)
    return NULL;

  failures = g_ptr_array_new_with_free_func ((GDestroyNotify) octopus_s3_delete_error_free);
  for (xmlNode *n = root->children; n != NULL; n = n->next)
    {
      g_autoptr(OctopusS3DeleteError) failure = NULL;

      if (!_octopus_s3_xml_is_element (n, "Error"))
        continue;
      failure = g_new0 (OctopusS3DeleteError, 1);
      if ((failure->key = _octopus_s3_xml_required_text (n, "Key", FALSE, reply, error)) == NULL)
        return NULL;
      failure->code = _octopus_s3_xml_child_text (n, "Code");
      failure->message = _octopus_s3_xml_child_text (n, "Message");
      g_ptr_array_add (failures, g_steal_pointer (&failure));
    }
  return g_steal_pointer (&failures);
}

