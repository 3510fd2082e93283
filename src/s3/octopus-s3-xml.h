/* SPDX-License-Identifier: GPL-3.0-or-later */
/* octopus-s3-xml.h — parsers for S3 XML replies and builders for S3 XML request bodies.
 *
 * Every parser takes the raw reply bytes and is hardened: libxml2 with no entity expansion
 * (XML_PARSE_NOENT off), no DTD loading, no network (XML_PARSE_NONET), a size bound
 * (OCTOPUS_S3_XML_MAX_SIZE), and depth/count limits; a reply that is malformed, truncated,
 * hostile (billion laughs, external entities) or of the wrong root element gives
 * OCTOPUS_S3_ERROR_MALFORMED_REPLY with a message that says which reply was bad.
 * Element names are matched without their namespace.
 */
#pragma once

#include <glib.h>
#include "octopus-s3-types.h"

G_BEGIN_DECLS

#define OCTOPUS_S3_XML_MAX_SIZE (16 * 1024 * 1024)

/* <Error><Code/><Message/><RequestId/><Region/></Error>; returns FALSE (no error set) when the
 * body is not an S3 error document.  Out strings may be NULL when absent. */
gboolean octopus_s3_xml_parse_error                 (const char *xml, gsize length,
                                                     char **code, char **message,
                                                     char **request_id, char **region);

/* ListBucketsResult → GPtrArray of OctopusS3Bucket. */
GPtrArray *octopus_s3_xml_parse_list_buckets        (const char *xml, gsize length, GError **error);

/* ListBucketResult (v2); @url_encoded: the request used encoding-type=url, so Key, Prefix
 * and CommonPrefixes are percent-decoded (a key that does not decode is an error). */
OctopusS3ListPage *octopus_s3_xml_parse_list_objects (const char *xml, gsize length,
                                                      gboolean url_encoded, GError **error);

/* LocationConstraint → region; an empty element means "us-east-1", legacy "EU" means
 * "eu-west-1". */
char *octopus_s3_xml_parse_location                 (const char *xml, gsize length, GError **error);

/* InitiateMultipartUploadResult → UploadId. */
char *octopus_s3_xml_parse_initiate_multipart       (const char *xml, gsize length, GError **error);

/* CompleteMultipartUploadResult → ETag (quotes stripped).  A 200 reply whose body is an
 * <Error> document sets the matching OCTOPUS_S3_ERROR (S3 does that for Complete and Copy),
 * with http status 200 and service "S3": call octopus_s3_error_set_service() to name it. */
char *octopus_s3_xml_parse_complete_multipart       (const char *xml, gsize length, GError **error);

/* CopyObjectResult (or CopyPartResult, for UploadPartCopy) → ETag (quotes stripped);
 * <Error> in a 200 handled as above. */
char *octopus_s3_xml_parse_copy_object              (const char *xml, gsize length, GError **error);

/* ListMultipartUploadsResult → GPtrArray of OctopusS3Upload; truncation through the out
 * markers (NULL when not truncated).  Keys are url-decoded when the reply's <EncodingType>
 * says "url". */
GPtrArray *octopus_s3_xml_parse_list_uploads        (const char *xml, gsize length,
                                                     char **next_key_marker,
                                                     char **next_upload_id_marker,
                                                     GError **error);

/* ListPartsResult → GPtrArray of OctopusS3Part; @next_part_marker 0 when not truncated. */
GPtrArray *octopus_s3_xml_parse_list_parts          (const char *xml, gsize length,
                                                     guint *next_part_marker, GError **error);

/* AccessControlPolicy → OctopusS3Acl.  Any other root is MALFORMED_REPLY, and so is a
 * grant whose grantee is missing, of an unknown type or without its identifier; a <Grant>
 * without a valid <Permission> (absent, empty or not one of the five) grants nothing and
 * is skipped, so a policy read and written back holds only the grants understood here. */
OctopusS3Acl *octopus_s3_xml_parse_acl              (const char *xml, gsize length, GError **error);

/* DeleteResult → GPtrArray of OctopusS3DeleteError (empty when every key was deleted).
 * A bare <Error> reply sets the matching OCTOPUS_S3_ERROR, as for Complete above. */
GPtrArray *octopus_s3_xml_parse_delete_result       (const char *xml, gsize length, GError **error);

/* Request bodies (UTF-8; &, <, >, ", ' escaped, CR as &#13; so it survives the server's
 * end-of-line normalisation).  Every builder returns NULL for input that cannot or must not
 * be sent: text that is not UTF-8 or holds characters XML 1.0 cannot carry (control
 * characters other than tab, LF, CR), and the cases listed per builder. */
/* NULL, "" or "us-east-1" → NULL: send no body (AWS rejects us-east-1 spelled out). */
char *octopus_s3_xml_build_create_bucket            (const char *location_constraint);
/* Of OctopusS3Part; NULL when empty, not strictly ascending, outside 1..10000 or an ETag is
 * missing.  ETags are sent quoted. */
char *octopus_s3_xml_build_complete_multipart       (GPtrArray *parts);
/* NULL when there are no keys, more than 1000 (the S3 limit per request) or an empty key. */
char *octopus_s3_xml_build_delete                   (const char * const *keys, gboolean quiet);
/* NULL without owner_id, or when a grantee lacks its id / uri / email. */
char *octopus_s3_xml_build_acl                      (const OctopusS3Acl *acl);

G_END_DECLS
