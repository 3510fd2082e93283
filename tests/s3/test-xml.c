/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-xml.c — the S3 XML parsers against fixture replies, hostile documents, and the
 * request-body builders round-tripped through libxml2 and the parsers. */
#include "config.h"

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <string.h>

#include "octopus-s3-error.h"
#include "octopus-s3-xml.h"

/* ---------------------------------------------------------------------------------------- */
/* Helpers                                                                                  */

static char *
load_fixture (const char *name,
              gsize      *length)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "fixtures", "s3", name, NULL);
  g_autoptr(GError) error = NULL;
  char *contents = NULL;

  g_file_get_contents (path, &contents, length, &error);
  g_assert_no_error (error);
  return contents;
}

static void
assert_malformed (const GError *error,
                  const char   *reply_name)
{
  g_assert_error (error, OCTOPUS_S3_ERROR, OCTOPUS_S3_ERROR_MALFORMED_REPLY);
  /* The message says which reply was bad, so a user report points at the operation. */
  g_assert_nonnull (strstr (error->message, reply_name));
}

/* ---------------------------------------------------------------------------------------- */
/* Parsers on good replies                                                                  */

static void
test_list_objects (void)
{
  gsize length;
  g_autofree char *xml = load_fixture ("list-objects-v2.xml", &length);
  g_autoptr(GError) error = NULL;
  g_autoptr(OctopusS3ListPage) page = NULL;
  OctopusS3Object *object;

  page = octopus_s3_xml_parse_list_objects (xml, length, FALSE, &error);
  g_assert_no_error (error);
  g_assert_nonnull (page);
  g_assert_false (page->is_truncated);
  g_assert_null (page->next_continuation_token);
  g_assert_cmpuint (page->common_prefixes->len, ==, 0);
  g_assert_cmpuint (page->objects->len, ==, 2);

  object = g_ptr_array_index (page->objects, 0);
  g_assert_cmpstr (object->key, ==, "my-image.jpg");
  g_assert_cmpint (object->size, ==, 434234);
  g_assert_cmpstr (object->etag, ==, "fba9dede5f27731c9771645a39863328");
  g_assert_cmpint (object->last_modified, ==, 1255369830); /* 2009-10-12T17:50:30Z */
  g_assert_cmpstr (object->storage_class, ==, "STANDARD");
  g_assert_null (object->metadata);

  /* &quot;-escaped multipart ETag, timestamp without fractional seconds. */
  object = g_ptr_array_index (page->objects, 1);
  g_assert_cmpstr (object->etag, ==, "1b2cf535f27731c974343645a3985328-3");
  g_assert_cmpint (object->last_modified, ==, 1255369830);
  g_assert_cmpstr (object->storage_class, ==, "STANDARD_IA");
}

static void
test_list_objects_truncated (void)
{
  gsize length;
  g_autofree char *xml = load_fixture ("list-objects-v2-truncated.xml", &length);
  g_autoptr(GError) error = NULL;
  g_autoptr(OctopusS3ListPage) page = NULL;

  page = octopus_s3_xml_parse_list_objects (xml, length, FALSE, &error);
  g_assert_no_error (error);
  g_assert_true (page->is_truncated);
  g_assert_cmpstr (page->next_continuation_token, ==,
                   "1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=");
  g_assert_cmpuint (page->objects->len, ==, 1);
  g_assert_cmpuint (page->common_prefixes->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (page->common_prefixes, 0), ==, "photos/2006/February/");
  g_assert_cmpstr (g_ptr_array_index (page->common_prefixes, 1), ==, "photos/2006/January/");
}

static void
test_list_objects_truncated_without_token (void)
{
  const char xml[] = "<ListBucketResult><IsTruncated>true</IsTruncated></ListBucketResult>";
  g_autoptr(GError) error = NULL;
  OctopusS3ListPage *page;

  /* Accepting it would make the caller stop early and report a partial bucket as whole. */
  page = octopus_s3_xml_parse_list_objects (xml, strlen (xml), FALSE, &error);
  g_assert_null (page);
  assert_malformed (error, "ListObjectsV2");
}

static void
test_list_objects_url_encoded (void)
{
  gsize length;
  g_autofree char *xml = load_fixture ("list-objects-v2-url.xml", &length);
  g_autoptr(GError) error = NULL;
  g_autoptr(OctopusS3ListPage) page = NULL;
  OctopusS3Object *object;

  page = octopus_s3_xml_parse_list_objects (xml, length, TRUE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (page->objects->len, ==, 2);

  /* '+' is a space, %2B a plus, %25 a percent, UTF-8 bytes recombine. */
  object = g_ptr_array_index (page->objects, 0);
  g_assert_cmpstr (object->key, ==, "dir/a b+c~ü%.txt");
  g_assert_cmpint (object->size, ==, 0);
  g_assert_cmpint (object->last_modified, ==, 1709251199);

  /* A newline in a key: why encoding-type=url exists at all. */
  object = g_ptr_array_index (page->objects, 1);
  g_assert_cmpstr (object->key, ==, "dir/line\nbreak&<angle>");
  g_assert_null (object->storage_class);

  g_assert_cmpuint (page->common_prefixes->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (page->common_prefixes, 0), ==, "dir/sub dir/");
}

static void
test_list_objects_url_not_requested (void)
{
  gsize length;
  g_autofree char *xml = load_fixture ("list-objects-v2-url.xml", &length);
  g_autoptr(GError) error = NULL;
  g_autoptr(OctopusS3ListPage) page = NULL;

  /* Without encoding-type=url the key is taken literally. */
  page = octopus_s3_xml_parse_list_objects (xml, length, FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (((OctopusS3Object *) g_ptr_array_index (page->objects, 0))->key, ==,
                   "dir/a+b%2Bc~%C3%BC%25.txt");
}

static void
test_list_objects_bad_fields (void)
{
  const char *names[] = { "list-objects-v2-bad-escape.xml", "list-objects-v2-bad-size.xml" };
  const char bad_utf8[] =
    "<ListBucketResult><Contents><Key>%FF%FE.txt</Key></Contents></ListBucketResult>";
  const char nul[] =
    "<ListBucketResult><Contents><Key>a%00b</Key></Contents></ListBucketResult>";
  const char bad_date[] =
    "<ListBucketResult><Contents><Key>a</Key><LastModified>yesterday</LastModified>"
    "</Contents></ListBucketResult>";
  const char bad_bool[] = "<ListBucketResult><IsTruncated>maybe</IsTruncated>"
                          "</ListBucketResult>";
  const char no_key[] = "<ListBucketResult><Contents><Size>1</Size></Contents>"
                        "</ListBucketResult>";
  const char *inline_docs[] = { bad_utf8, nul, bad_date, bad_bool, no_key };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      gsize length;
      g_autofree char *xml = load_fixture (names[i], &length);
      g_autoptr(GError) error = NULL;

      g_test_message ("%s", names[i]);
      g_assert_null (octopus_s3_xml_parse_list_objects (xml, length, TRUE, &error));
      assert_malformed (error, "ListObjectsV2");
    }
  for (guint i = 0; i < G_N_ELEMENTS (inline_docs); i++)
    {
      g_autoptr(GError) error = NULL;

      g_test_message ("%s", inline_docs[i]);
      g_assert_null (octopus_s3_xml_parse_list_objects (inline_docs[i],
                                                        strlen (inline_docs[i]), TRUE,
                                                        &error));
      assert_malformed (error, "ListObjectsV2");
    }
}

static void
test_list_buckets (void)
{
  gsize length;
  g_autofree char *xml = load_fixture ("list-buckets.xml", &length);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) buckets = NULL;
  OctopusS3Bucket *bucket;

  buckets = octopus_s3_xml_parse_list_buckets (xml, length, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (buckets->len, ==, 2);
  bucket = g_ptr_array_index (buckets, 0);
  g_assert_cmpstr (bucket->name, ==, "quotes");
  g_assert_cmpint (bucket->creation_date, ==, 1138985109); /* 2006-02-03T16:45:09Z */
  bucket = g_ptr_array_index (buckets, 1);
  g_assert_cmpstr (bucket->name, ==, "samples");
  g_assert_cmpint (bucket->creation_date, ==, 1138984918);
}

static void
test_location (void)
{
  gsize length;
  g_autofree char *xml = load_fixture ("location.xml", &length);
  g_autofree char *empty_xml = NULL;
  g_autofree char *region = NULL;
  g_autofree char *default_region = NULL;
  g_autofree char *eu = NULL;
  g_autoptr(GError) error = NULL;
  const char legacy[] = "<LocationConstraint>EU</LocationConstraint>";

  region = octopus_s3_xml_parse_location (xml, length, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (region, ==, "eu-central-1");

  empty_xml = load_fixture ("location-empty.xml", &length);
  default_region = octopus_s3_xml_parse_location (empty_xml, length, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (default_region, ==, "us-east-1");

  eu = octopus_s3_xml_parse_location (legacy, strlen (legacy), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (eu, ==, "eu-west-1");
}

static void
test_initiate_multipart (void)
{
  gsize length;
  g_autofree char *xml = load_fixture ("initiate-multipart.xml", &length);
  g_autofree char *prefixed = NULL;
  g_autofree char *upload_id = NULL;
  g_autofree char *prefixed_id = NULL;
  g_autoptr(GError) error = NULL;

  upload_id = octopus_s3_xml_parse_initiate_multipart (xml, length, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (upload_id, ==, "VXBsb2FkIElEIGZvciA2aWWpbmcncyBteS1tb3ZpZS5tMnRzIHVwbG9hZA");

  /* Namespace prefixes do not matter, only local names. */
  prefixed = load_fixture ("prefixed-namespace.xml", &length);
  prefixed_id = octopus_s3_xml_parse_initiate_multipart (prefixed, length, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (prefixed_id, ==, "prefixed-upload-id");
}

static void
test_complete_multipart (void)
{
  gsize length;
  g_autofree char *xml = load_fixture ("complete-multipart.xml", &length);
  g_autofree char *etag = NULL;
  g_autoptr(GError) error = NULL;

  etag = octopus_s3_xml_parse_complete_multipart (xml, length, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (etag, ==, "3858f62230ac3c915f300c664312c11f-9");
}

static void
test_complete_multipart_error_in_200 (void)
{
  gsize length;
  g_autofree char *xml = load_fixture ("complete-multipart-error.xml", &length);
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) copy_error = NULL;

  /* S3 answers 200 and then an <Error>: the upload did NOT complete. */
  g_assert_null (octopus_s3_xml_parse_complete_multipart (xml, length, &error));
  g_assert_error (error, OCTOPUS_S3_ERROR, OCTOPUS_S3_ERROR_SERVER);
  g_assert_cmpstr (octopus_s3_error_get_s3_code (error), ==, "InternalError");
  g_assert_cmpstr (octopus_s3_error_get_request_id (error), ==,
                   "656c76696e6727732072657175657374");
  g_assert_true (octopus_s3_error_is_retryable (error));
  g_assert_true (g_str_has_prefix (error->message, "S3: "));
  octopus_s3_error_set_service (error, "Ceph");
  g_assert_true (g_str_has_prefix (error->message, "Ceph: "));
  g_assert_nonnull (strstr (error->message, "InternalError"));

  g_assert_null (octopus_s3_xml_parse_copy_object (xml, length, &copy_error));
  g_assert_error (copy_error, OCTOPUS_S3_ERROR, OCTOPUS_S3_ERROR_SERVER);
}

static void
test_copy_object (void)
{
  gsize length;
  g_autofree char *xml = load_fixture ("copy-object.xml", &length);
  g_autofree char *etag = NULL;
  g_autofree char *part_etag = NULL;
  g_autoptr(GError) error = NULL;
  const char part[] = "<CopyPartResult><ETag>&quot;abc&quot;</ETag></CopyPartResult>";

  etag = octopus_s3_xml_parse_copy_object (xml, length, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (etag, ==, "9b2cf535f27731c974343645a3985328");

  part_etag = octopus_s3_xml_parse_copy_object (part, strlen (part), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (part_etag, ==, "abc");
}

static void
test_list_uploads (void)
{
  gsize length;
  g_autofree char *xml = load_fixture ("list-uploads.xml", &length);
  g_autofree char *key_marker = NULL;
  g_autofree char *id_marker = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) uploads = NULL;
  OctopusS3Upload *upload;

  uploads = octopus_s3_xml_parse_list_uploads (xml, length, &key_marker, &id_marker, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (uploads->len, ==, 2);
  upload = g_ptr_array_index (uploads, 0);
  g_assert_cmpstr (upload->key, ==, "my-divisor");
  g_assert_cmpstr (upload->upload_id, ==, "XMgbGlrZSBlbHZpbmcncyBub3QgaGF2aW5nIG11Y2ggbHVjaw");
  g_assert_cmpint (upload->initiated, ==, 1289422113); /* 2010-11-10T20:48:33Z */
  upload = g_ptr_array_index (uploads, 1);
  g_assert_cmpstr (upload->key, ==, "my-movie.m2ts");
  g_assert_cmpint (upload->initiated, ==, 1289422113);

  g_assert_cmpstr (key_marker, ==, "my-movie.m2ts");
  g_assert_cmpstr (id_marker, ==, "YW55IGlkZWEgd2h5IGVsdmluZydzIHVwbG9hZCBmYWlsZWQ");
}

static void
test_list_uploads_not_truncated (void)
{
  const char xml[] = "<ListMultipartUploadsResult><EncodingType>url</EncodingType>"
                     "<IsTruncated>false</IsTruncated><NextKeyMarker>x</NextKeyMarker>"
                     "<Upload><Key>a+%C3%A9</Key><UploadId>u1</UploadId></Upload>"
                     "</ListMultipartUploadsResult>";
  char *key_marker = (char *) "garbage", *id_marker = (char *) "garbage";
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) uploads = NULL;

  uploads = octopus_s3_xml_parse_list_uploads (xml, strlen (xml), &key_marker, &id_marker,
                                               &error);
  g_assert_no_error (error);
  g_assert_null (key_marker);
  g_assert_null (id_marker);
  g_assert_cmpuint (uploads->len, ==, 1);
  /* The reply says EncodingType url, so the key is decoded. */
  g_assert_cmpstr (((OctopusS3Upload *) g_ptr_array_index (uploads, 0))->key, ==, "a é");
}

static void
test_list_parts (void)
{
  gsize length;
  g_autofree char *xml = load_fixture ("list-parts.xml", &length);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) parts = NULL;
  guint next = 0;
  OctopusS3Part *part;

  parts = octopus_s3_xml_parse_list_parts (xml, length, &next, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (parts->len, ==, 2);
  g_assert_cmpuint (next, ==, 3);
  part = g_ptr_array_index (parts, 0);
  g_assert_cmpuint (part->number, ==, 2);
  g_assert_cmpstr (part->etag, ==, "7778aef83f66abc1fa1e8477f296d394");
  g_assert_cmpint (part->size, ==, 10485760);
  part = g_ptr_array_index (parts, 1);
  g_assert_cmpuint (part->number, ==, 3);
}

static void
test_list_parts_bad_numbers (void)
{
  const char *docs[] = {
    "<ListPartsResult><Part><PartNumber>0</PartNumber><ETag>a</ETag></Part></ListPartsResult>",
    "<ListPartsResult><Part><PartNumber>10001</PartNumber><ETag>a</ETag></Part>"
    "</ListPartsResult>",
    "<ListPartsResult><Part><PartNumber>-1</PartNumber><ETag>a</ETag></Part></ListPartsResult>",
    "<ListPartsResult><Part><PartNumber> 2</PartNumber><ETag>a</ETag></Part></ListPartsResult>",
    "<ListPartsResult><Part><PartNumber>2</PartNumber></Part></ListPartsResult>",
    "<ListPartsResult><IsTruncated>true</IsTruncated></ListPartsResult>",
  };

  for (guint i = 0; i < G_N_ELEMENTS (docs); i++)
    {
      g_autoptr(GError) error = NULL;
      guint next = 99;

      g_test_message ("%s", docs[i]);
      g_assert_null (octopus_s3_xml_parse_list_parts (docs[i], strlen (docs[i]), &next,
                                                      &error));
      assert_malformed (error, "ListParts");
    }
}

static void
test_acl (void)
{
  gsize length;
  g_autofree char *xml = load_fixture ("acl.xml", &length);
  g_autoptr(GError) error = NULL;
  g_autoptr(OctopusS3Acl) acl = NULL;
  OctopusS3Grant *grant;

  acl = octopus_s3_xml_parse_acl (xml, length, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (acl->owner_id, ==,
                   "75aa57f09aa0c8caeab4f8c24e99d10f8e7faeebf76c078efc7c6caea54ba06a");
  g_assert_cmpstr (acl->owner_display_name, ==, "mtd@amazon.com");
  g_assert_cmpuint (acl->grants->len, ==, 2);

  grant = g_ptr_array_index (acl->grants, 0);
  g_assert_cmpint (grant->type, ==, OCTOPUS_S3_GRANTEE_CANONICAL_USER);
  g_assert_cmpstr (grant->id, ==, acl->owner_id);
  g_assert_cmpstr (grant->display_name, ==, "mtd@amazon.com");
  g_assert_cmpint (grant->permission, ==, OCTOPUS_S3_PERMISSION_FULL_CONTROL);

  grant = g_ptr_array_index (acl->grants, 1);
  g_assert_cmpint (grant->type, ==, OCTOPUS_S3_GRANTEE_GROUP);
  g_assert_cmpstr (grant->uri, ==, OCTOPUS_S3_GROUP_ALL_USERS);
  g_assert_null (grant->id);
  g_assert_cmpint (grant->permission, ==, OCTOPUS_S3_PERMISSION_READ);
}

/* A grant without a valid permission grants nothing: it is skipped, the others are kept. */
static void
test_acl_bad_permission (void)
{
  const char xml[] =
    "<AccessControlPolicy><AccessControlList>"
    "<Grant><Grantee><ID>x</ID></Grantee><Permission>EVERYTHING</Permission></Grant>"
    "<Grant><Grantee><ID>y</ID></Grantee></Grant>"
    "<Grant><Grantee><ID>z</ID></Grantee><Permission></Permission></Grant>"
    "<Grant><Grantee><ID>w</ID></Grantee><Permission>WRITE_ACP</Permission></Grant>"
    "</AccessControlList></AccessControlPolicy>";
  g_autoptr(GError) error = NULL;
  g_autoptr(OctopusS3Acl) acl = NULL;
  OctopusS3Grant *grant;

  acl = octopus_s3_xml_parse_acl (xml, strlen (xml), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (acl->grants->len, ==, 1);
  grant = g_ptr_array_index (acl->grants, 0);
  g_assert_cmpstr (grant->id, ==, "w");
  g_assert_cmpint (grant->permission, ==, OCTOPUS_S3_PERMISSION_WRITE_ACP);
}

/* s3rver 3.7's fixed GetObjectAcl reply, as captured from it: its <Permission> sits in
 * the <AccessControlList>, beside the <Grant>.  The policy reads, with its owner and no
 * grant, instead of failing as a malformed reply. */
static void
test_acl_s3rver (void)
{
  gsize length;
  g_autofree char *xml = load_fixture ("acl-s3rver.xml", &length);
  g_autoptr(GError) error = NULL;
  g_autoptr(OctopusS3Acl) acl = NULL;

  acl = octopus_s3_xml_parse_acl (xml, length, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (acl->owner_id, ==, "123456789000");
  g_assert_cmpstr (acl->owner_display_name, ==, "S3rver");
  g_assert_cmpuint (acl->grants->len, ==, 0);
}

/* What stays an error: a document that is not a policy, and a grant that gives a right
 * to no one we can name. */
static void
test_acl_still_malformed (void)
{
  const char *docs[] = {
    "<ListBucketResult><Name>b</Name></ListBucketResult>",
    "<Error><Code>AccessDenied</Code></Error>",
    "<AccessControlPolicy><AccessControlList><Grant><Permission>READ</Permission></Grant>"
    "</AccessControlList></AccessControlPolicy>",
    "<AccessControlPolicy><AccessControlList><Grant><Grantee><DisplayName>n</DisplayName>"
    "</Grantee><Permission>READ</Permission></Grant></AccessControlList></AccessControlPolicy>",
    "<AccessControlPolicy><AccessControlList",
  };

  for (guint i = 0; i < G_N_ELEMENTS (docs); i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_null (octopus_s3_xml_parse_acl (docs[i], strlen (docs[i]), &error));
      assert_malformed (error, "GetObjectAcl");
    }
}

static void
test_delete_result (void)
{
  gsize length;
  g_autofree char *xml = load_fixture ("delete-result.xml", &length);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) failures = NULL;
  OctopusS3DeleteError *failure;
  const char all_ok[] = "<DeleteResult><Deleted><Key>a</Key></Deleted></DeleteResult>";

  failures = octopus_s3_xml_parse_delete_result (xml, length, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (failures->len, ==, 1);
  failure = g_ptr_array_index (failures, 0);
  g_assert_cmpstr (failure->key, ==, "sample2.txt");
  g_assert_cmpstr (failure->code, ==, "AccessDenied");
  g_assert_cmpstr (failure->message, ==, "Access Denied");

  g_clear_pointer (&failures, g_ptr_array_unref);
  failures = octopus_s3_xml_parse_delete_result (all_ok, strlen (all_ok), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (failures->len, ==, 0);
}

static void
test_parse_error (void)
{
  gsize length;
  g_autofree char *xml = load_fixture ("error-no-such-key.xml", &length);
  g_autofree char *region_xml = NULL;
  g_autofree char *list_xml = NULL;
  g_autofree char *code = NULL, *message = NULL, *request_id = NULL, *region = NULL;
  char *untouched = (char *) "garbage";

  g_assert_true (octopus_s3_xml_parse_error (xml, length, &code, &message, &request_id,
                                             &region));
  g_assert_cmpstr (code, ==, "NoSuchKey");
  g_assert_cmpstr (message, ==, "The resource you requested does not exist");
  g_assert_cmpstr (request_id, ==, "4442587FB7D0A2F9");
  g_assert_null (region);
  g_clear_pointer (&code, g_free);

  region_xml = load_fixture ("error-region.xml", &length);
  g_assert_true (octopus_s3_xml_parse_error (region_xml, length, &code, NULL, NULL, &region));
  g_assert_cmpstr (code, ==, "AuthorizationHeaderMalformed");
  g_assert_cmpstr (region, ==, "eu-west-1");

  /* Not an error document: FALSE, outputs cleared. */
  list_xml = load_fixture ("list-objects-v2.xml", &length);
  g_assert_false (octopus_s3_xml_parse_error (list_xml, length, &untouched, NULL, NULL, NULL));
  g_assert_null (untouched);
  g_assert_false (octopus_s3_xml_parse_error ("", 0, NULL, NULL, NULL, NULL));
  g_assert_false (octopus_s3_xml_parse_error ("<Error", 6, NULL, NULL, NULL, NULL));
}

/* ---------------------------------------------------------------------------------------- */
/* Hostile and broken replies, against every parser                                         */

/* Every parser as "bytes in, pointer or NULL out"; a non-NULL result fails the test, so it is
 * not worth freeing with the right function. */
typedef gpointer (*ParseFunc) (const char *xml, gsize length, GError **error);

#define DEFINE_PARSE(name, call)                                              \
  static gpointer name (const char *xml, gsize length, GError **error)        \
  {                                                                           \
    return call;                                                              \
  }

DEFINE_PARSE (parse_buckets, octopus_s3_xml_parse_list_buckets (xml, length, error))
DEFINE_PARSE (parse_objects, octopus_s3_xml_parse_list_objects (xml, length, TRUE, error))
DEFINE_PARSE (parse_location, octopus_s3_xml_parse_location (xml, length, error))
DEFINE_PARSE (parse_initiate, octopus_s3_xml_parse_initiate_multipart (xml, length, error))
DEFINE_PARSE (parse_complete, octopus_s3_xml_parse_complete_multipart (xml, length, error))
DEFINE_PARSE (parse_copy, octopus_s3_xml_parse_copy_object (xml, length, error))
DEFINE_PARSE (parse_uploads, octopus_s3_xml_parse_list_uploads (xml, length, NULL, NULL, error))
DEFINE_PARSE (parse_parts, octopus_s3_xml_parse_list_parts (xml, length, NULL, error))
DEFINE_PARSE (parse_acl, octopus_s3_xml_parse_acl (xml, length, error))
DEFINE_PARSE (parse_delete, octopus_s3_xml_parse_delete_result (xml, length, error))

static const struct {
  ParseFunc   parse;
  const char *reply_name;
} parsers[] = {
  { parse_buckets, "ListBuckets" },
  { parse_objects, "ListObjectsV2" },
  { parse_location, "GetBucketLocation" },
  { parse_initiate, "CreateMultipartUpload" },
  { parse_complete, "CompleteMultipartUpload" },
  { parse_copy, "CopyObject" },
  { parse_uploads, "ListMultipartUploads" },
  { parse_parts, "ListParts" },
  { parse_acl, "GetObjectAcl" },
  { parse_delete, "DeleteObjects" },
};

static void
assert_every_parser_rejects (const char *xml,
                             gsize       length)
{
  for (guint i = 0; i < G_N_ELEMENTS (parsers); i++)
    {
      g_autoptr(GError) error = NULL;
      gint64 start = g_get_monotonic_time ();

      g_test_message ("parser %s", parsers[i].reply_name);
      g_assert_null (parsers[i].parse (xml, length, &error));
      assert_malformed (error, parsers[i].reply_name);
      g_test_message ("%s", error->message);
      /* Nothing of /etc/passwd may surface in what the UI would show. */
      g_assert_null (strstr (error->message, "root:"));
      /* Fast means "stopped at the DOCTYPE": expanding would take minutes and gigabytes. */
      g_assert_cmpint (g_get_monotonic_time () - start, <, 2 * G_USEC_PER_SEC);
    }
  g_assert_false (octopus_s3_xml_parse_error (xml, length, NULL, NULL, NULL, NULL));
}

static void
test_hostile (gconstpointer data)
{
  const char *name = data;
  gsize length;
  g_autofree char *xml = load_fixture (name, &length);

  assert_every_parser_rejects (xml, length);
}

static void
test_wrong_root (void)
{
  gsize length;
  g_autofree char *xml = load_fixture ("wrong-root.xml", &length);
  g_autofree char *list = load_fixture ("list-objects-v2.xml", &length);
  g_autoptr(GError) error = NULL;
  gsize wrong_length = strlen (xml);

  assert_every_parser_rejects (xml, wrong_length);

  /* A perfectly good reply of another operation is still the wrong reply. */
  g_assert_null (octopus_s3_xml_parse_list_buckets (list, length, &error));
  assert_malformed (error, "ListBuckets");
  g_assert_nonnull (strstr (error->message, "ListAllMyBucketsResult"));
}

static void
test_oversize (void)
{
  gsize length = OCTOPUS_S3_XML_MAX_SIZE + 1;
  g_autofree char *xml = g_malloc (length);
  const char head[] = "<ListBucketResult>";
  g_autoptr(GError) error = NULL;
  OctopusS3ListPage *page;

  memset (xml, ' ', length);
  memcpy (xml, head, strlen (head));
  page = octopus_s3_xml_parse_list_objects (xml, length, FALSE, &error);
  g_assert_null (page);
  assert_malformed (error, "ListObjectsV2");
  g_assert_nonnull (strstr (error->message, "too large"));
}

static void
test_too_deep (void)
{
  GString *xml = g_string_new ("<ListBucketResult>");
  g_autoptr(GError) error = NULL;

  /* Deep nesting is how a small reply exhausts a recursive walker's stack. */
  for (guint i = 0; i < 5000; i++)
    g_string_append (xml, "<a>");
  for (guint i = 0; i < 5000; i++)
    g_string_append (xml, "</a>");
  g_string_append (xml, "</ListBucketResult>");
  g_assert_null (octopus_s3_xml_parse_list_objects (xml->str, xml->len, FALSE, &error));
  assert_malformed (error, "ListObjectsV2");
  g_string_free (xml, TRUE);
}

static void
test_no_stderr_noise (void)
{
  if (g_test_subprocess ())
    {
      gsize length;
      g_autofree char *xml = load_fixture ("malformed.xml", &length);
      g_autoptr(GError) error = NULL;

      g_assert_null (octopus_s3_xml_parse_list_objects (xml, length, FALSE, &error));
      return;
    }

  /* libxml2 prints parse errors to stderr unless told otherwise. */
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stderr ("");
}

/* ---------------------------------------------------------------------------------------- */
/* Builders                                                                                 */

/* Texts of every element named @name in @xml, via libxml2 itself (not our parser). */
static GPtrArray *
collect_texts (const char *xml,
               const char *name)
{
  GPtrArray *texts = g_ptr_array_new_with_free_func (g_free);
  xmlDoc *doc = xmlReadMemory (xml, strlen (xml), NULL, NULL, XML_PARSE_NONET);
  GPtrArray *stack = g_ptr_array_new ();

  g_assert_nonnull (doc);
  g_ptr_array_add (stack, xmlDocGetRootElement (doc));
  while (stack->len > 0)
    {
      xmlNode *node = g_ptr_array_steal_index (stack, stack->len - 1);

      if (node->type != XML_ELEMENT_NODE)
        continue;
      if (xmlStrEqual (node->name, (const xmlChar *) name))
        {
          xmlChar *content = xmlNodeGetContent (node);
          g_ptr_array_insert (texts, 0, g_strdup ((const char *) content));
          xmlFree (content);
        }
      for (xmlNode *child = node->children; child != NULL; child = child->next)
        g_ptr_array_add (stack, child);
    }
  g_ptr_array_unref (stack);
  xmlFreeDoc (doc);
  return texts;
}

static const char * const odd_keys[] = {
  "a b+c~ü%.txt",
  "x&y<z>\"q\"'s'.dat",
  "tab\there\nnewline\rcr",
  "😀/emoji",
  NULL,
};

static void
test_build_delete (void)
{
  g_autofree char *body = octopus_s3_xml_build_delete (odd_keys, TRUE);
  g_autoptr(GPtrArray) keys = NULL;
  g_autoptr(GPtrArray) quiet = NULL;
  g_autofree char *loud = octopus_s3_xml_build_delete (odd_keys, FALSE);

  g_assert_nonnull (body);
  keys = collect_texts (body, "Key");
  g_assert_cmpuint (keys->len, ==, g_strv_length ((char **) odd_keys));
  for (guint i = 0; odd_keys[i] != NULL; i++)
    g_assert_cmpstr (g_ptr_array_index (keys, i), ==, odd_keys[i]);
  quiet = collect_texts (body, "Quiet");
  g_assert_cmpuint (quiet->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (quiet, 0), ==, "true");
  g_assert_null (strstr (loud, "Quiet"));
}

static void
test_build_rejects_bad_keys (void)
{
  const char *control[] = { "ok", "bell\x07", NULL };
  const char *invalid_utf8[] = { "\xff\xfe", NULL };
  const char *empty_key[] = { "", NULL };
  const char *none[] = { NULL };
  g_autoptr(GPtrArray) many = g_ptr_array_new_with_free_func (g_free);

  g_assert_null (octopus_s3_xml_build_delete (control, FALSE));
  g_assert_null (octopus_s3_xml_build_delete (invalid_utf8, FALSE));
  g_assert_null (octopus_s3_xml_build_delete (empty_key, FALSE));
  g_assert_null (octopus_s3_xml_build_delete (none, FALSE));
  g_assert_null (octopus_s3_xml_build_delete (NULL, FALSE));

  /* DeleteObjects takes at most 1000 keys. */
  for (guint i = 0; i < 1001; i++)
    g_ptr_array_add (many, g_strdup_printf ("k%u", i));
  g_ptr_array_add (many, NULL);
  g_assert_null (octopus_s3_xml_build_delete ((const char * const *) many->pdata, FALSE));

  g_assert_null (octopus_s3_xml_build_create_bucket ("eu\x01"));
}

static void
test_build_create_bucket (void)
{
  g_autofree char *body = octopus_s3_xml_build_create_bucket ("eu-west-3");
  g_autoptr(GPtrArray) texts = NULL;

  g_assert_null (octopus_s3_xml_build_create_bucket (NULL));
  g_assert_null (octopus_s3_xml_build_create_bucket (""));
  g_assert_null (octopus_s3_xml_build_create_bucket ("us-east-1"));
  texts = collect_texts (body, "LocationConstraint");
  g_assert_cmpuint (texts->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (texts, 0), ==, "eu-west-3");
  g_assert_nonnull (strstr (body, "<CreateBucketConfiguration xmlns=\"http://s3.amazonaws.com/"
                                  "doc/2006-03-01/\">"));
}

static void
test_build_complete_multipart (void)
{
  g_autoptr(GPtrArray) parts = g_ptr_array_new_with_free_func ((GDestroyNotify)
                                                               octopus_s3_part_free);
  g_autoptr(GPtrArray) numbers = NULL;
  g_autoptr(GPtrArray) etags = NULL;
  g_autofree char *body = NULL;

  g_ptr_array_add (parts, octopus_s3_part_new (1, "a54357aff0632cce46d942af68356b38", -1));
  g_ptr_array_add (parts, octopus_s3_part_new (2, "0c78aef83f66abc1fa1e8477f296d394", -1));
  g_ptr_array_add (parts, octopus_s3_part_new (3, "acbd18db4cc2f85cedef654fccc4a4d8", -1));
  body = octopus_s3_xml_build_complete_multipart (parts);
  g_assert_nonnull (body);

  numbers = collect_texts (body, "PartNumber");
  etags = collect_texts (body, "ETag");
  g_assert_cmpuint (numbers->len, ==, 3);
  g_assert_cmpstr (g_ptr_array_index (numbers, 0), ==, "1");
  g_assert_cmpstr (g_ptr_array_index (numbers, 2), ==, "3");
  g_assert_cmpstr (g_ptr_array_index (etags, 1), ==, "\"0c78aef83f66abc1fa1e8477f296d394\"");

  /* Out of order, duplicates, 0 and empty lists never reach the server. */
  g_ptr_array_add (parts, octopus_s3_part_new (3, "dup", -1));
  g_assert_null (octopus_s3_xml_build_complete_multipart (parts));
  g_ptr_array_set_size (parts, 0);
  g_assert_null (octopus_s3_xml_build_complete_multipart (parts));
  g_ptr_array_add (parts, octopus_s3_part_new (0, "zero", -1));
  g_assert_null (octopus_s3_xml_build_complete_multipart (parts));
  g_assert_null (octopus_s3_xml_build_complete_multipart (NULL));
}

static void
test_build_acl_round_trip (void)
{
  g_autoptr(OctopusS3Acl) acl = octopus_s3_acl_new ();
  g_autoptr(OctopusS3Acl) parsed = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *body = NULL;
  OctopusS3Grant *grant;

  acl->owner_id = g_strdup ("owner-id");
  acl->owner_display_name = g_strdup ("Jürgen & <Co>");

  grant = g_new0 (OctopusS3Grant, 1);
  grant->type = OCTOPUS_S3_GRANTEE_CANONICAL_USER;
  grant->id = g_strdup ("owner-id");
  grant->permission = OCTOPUS_S3_PERMISSION_FULL_CONTROL;
  g_ptr_array_add (acl->grants, grant);

  grant = g_new0 (OctopusS3Grant, 1);
  grant->type = OCTOPUS_S3_GRANTEE_GROUP;
  grant->uri = g_strdup (OCTOPUS_S3_GROUP_AUTHENTICATED_USERS);
  grant->permission = OCTOPUS_S3_PERMISSION_READ_ACP;
  g_ptr_array_add (acl->grants, grant);

  grant = g_new0 (OctopusS3Grant, 1);
  grant->type = OCTOPUS_S3_GRANTEE_EMAIL;
  grant->email = g_strdup ("a'b@example.com");
  grant->permission = OCTOPUS_S3_PERMISSION_WRITE_ACP;
  g_ptr_array_add (acl->grants, grant);

  body = octopus_s3_xml_build_acl (acl);
  g_assert_nonnull (body);
  parsed = octopus_s3_xml_parse_acl (body, strlen (body), &error);
  g_assert_no_error (error);

  g_assert_cmpstr (parsed->owner_id, ==, "owner-id");
  g_assert_cmpstr (parsed->owner_display_name, ==, "Jürgen & <Co>");
  g_assert_cmpuint (parsed->grants->len, ==, 3);
  for (guint i = 0; i < 3; i++)
    {
      OctopusS3Grant *a = g_ptr_array_index (acl->grants, i);
      OctopusS3Grant *b = g_ptr_array_index (parsed->grants, i);

      g_assert_cmpint (a->type, ==, b->type);
      g_assert_cmpint (a->permission, ==, b->permission);
      g_assert_cmpstr (a->id, ==, b->id);
      g_assert_cmpstr (a->uri, ==, b->uri);
      g_assert_cmpstr (a->email, ==, b->email);
    }

  /* An owner is required; a grantee without its identifier cannot be sent. */
  g_clear_pointer (&acl->owner_id, g_free);
  g_assert_null (octopus_s3_xml_build_acl (acl));
  acl->owner_id = g_strdup ("owner-id");
  g_clear_pointer (&((OctopusS3Grant *) g_ptr_array_index (acl->grants, 1))->uri, g_free);
  g_assert_null (octopus_s3_xml_build_acl (acl));
}

/* ---------------------------------------------------------------------------------------- */
/* Types                                                                                    */

static void
test_types (void)
{
  g_autoptr(OctopusS3Object) object = g_new0 (OctopusS3Object, 1);
  g_autoptr(OctopusS3Object) copy = NULL;
  OctopusS3Permission permission;

  object->key = g_strdup ("k");
  object->etag = g_strdup ("e");
  object->size = 42;
  object->metadata = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_hash_table_insert (object->metadata, g_strdup ("md5chksum"), g_strdup ("abc=="));
  copy = octopus_s3_object_copy (object);
  g_clear_pointer (&object->metadata, g_hash_table_unref);
  g_assert_cmpstr (copy->key, ==, "k");
  g_assert_cmpint (copy->size, ==, 42);
  g_assert_cmpstr (g_hash_table_lookup (copy->metadata, "md5chksum"), ==, "abc==");

  for (int p = OCTOPUS_S3_PERMISSION_READ; p <= OCTOPUS_S3_PERMISSION_FULL_CONTROL; p++)
    {
      g_assert_true (octopus_s3_permission_from_string (octopus_s3_permission_to_string (p),
                                                        &permission));
      g_assert_cmpint (permission, ==, p);
    }
  g_assert_cmpstr (octopus_s3_permission_to_string (OCTOPUS_S3_PERMISSION_READ_ACP), ==,
                   "READ_ACP");
  g_assert_false (octopus_s3_permission_from_string ("read", &permission));
  g_assert_false (octopus_s3_permission_from_string (NULL, &permission));

  g_assert_cmpuint (g_strv_length ((char **) octopus_s3_canned_acls), ==, 7);
  g_assert_true (octopus_s3_canned_acl_is_valid ("public-read"));
  g_assert_true (octopus_s3_canned_acl_is_valid ("bucket-owner-full-control"));
  g_assert_false (octopus_s3_canned_acl_is_valid ("public"));
  g_assert_false (octopus_s3_canned_acl_is_valid (NULL));
}

int
main (int   argc,
      char *argv[])
{
  const char *hostile[] = {
    "malformed.xml", "truncated.xml", "empty.xml", "billion-laughs.xml",
    "external-entity.xml", "external-dtd.xml",
  };

  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/s3/xml/list-objects", test_list_objects);
  g_test_add_func ("/s3/xml/list-objects/truncated", test_list_objects_truncated);
  g_test_add_func ("/s3/xml/list-objects/truncated-without-token",
                   test_list_objects_truncated_without_token);
  g_test_add_func ("/s3/xml/list-objects/url-encoded", test_list_objects_url_encoded);
  g_test_add_func ("/s3/xml/list-objects/url-not-requested",
                   test_list_objects_url_not_requested);
  g_test_add_func ("/s3/xml/list-objects/bad-fields", test_list_objects_bad_fields);
  g_test_add_func ("/s3/xml/list-buckets", test_list_buckets);
  g_test_add_func ("/s3/xml/location", test_location);
  g_test_add_func ("/s3/xml/initiate-multipart", test_initiate_multipart);
  g_test_add_func ("/s3/xml/complete-multipart", test_complete_multipart);
  g_test_add_func ("/s3/xml/complete-multipart/error-in-200",
                   test_complete_multipart_error_in_200);
  g_test_add_func ("/s3/xml/copy-object", test_copy_object);
  g_test_add_func ("/s3/xml/list-uploads", test_list_uploads);
  g_test_add_func ("/s3/xml/list-uploads/not-truncated", test_list_uploads_not_truncated);
  g_test_add_func ("/s3/xml/list-parts", test_list_parts);
  g_test_add_func ("/s3/xml/list-parts/bad-numbers", test_list_parts_bad_numbers);
  g_test_add_func ("/s3/xml/acl", test_acl);
  g_test_add_func ("/s3/xml/acl/bad-permission", test_acl_bad_permission);
  g_test_add_func ("/s3/xml/acl/s3rver", test_acl_s3rver);
  g_test_add_func ("/s3/xml/acl/still-malformed", test_acl_still_malformed);
  g_test_add_func ("/s3/xml/delete-result", test_delete_result);
  g_test_add_func ("/s3/xml/error", test_parse_error);
  for (guint i = 0; i < G_N_ELEMENTS (hostile); i++)
    {
      g_autofree char *path = g_strdup_printf ("/s3/xml/hostile/%s", hostile[i]);
      g_test_add_data_func (path, hostile[i], test_hostile);
    }
  g_test_add_func ("/s3/xml/hostile/wrong-root", test_wrong_root);
  g_test_add_func ("/s3/xml/hostile/oversize", test_oversize);
  g_test_add_func ("/s3/xml/hostile/too-deep", test_too_deep);
  g_test_add_func ("/s3/xml/hostile/no-stderr-noise", test_no_stderr_noise);
  g_test_add_func ("/s3/xml/build/delete", test_build_delete);
  g_test_add_func ("/s3/xml/build/rejects-bad-keys", test_build_rejects_bad_keys);
  g_test_add_func ("/s3/xml/build/create-bucket", test_build_create_bucket);
  g_test_add_func ("/s3/xml/build/complete-multipart", test_build_complete_multipart);
  g_test_add_func ("/s3/xml/build/acl-round-trip", test_build_acl_round_trip);
  g_test_add_func ("/s3/types", test_types);

  return g_test_run ();
}
