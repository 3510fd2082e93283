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

/* LocationConstraint → region; an empty element means "us-east-1". */
char *octopus_s3_xml_parse_location                 (const char *xml, gsize length, GError **error);

/* InitiateMultipartUploadResult → UploadId. */
char *octopus_s3_xml_parse_initiate_multipart       (const char *xml, gsize length, GError **error);

/* CompleteMultipartUploadResult → ETag (quotes stripped).  A 200 reply whose body is an
 * <Error> document sets the matching OCTOPUS_S3_ERROR (S3 does that for Complete and Copy). */
char *octopus_s3_xml_parse_complete_multipart       (const char *xml, gsize length, GError **error);

/* CopyObjectResult → ETag (quotes stripped); <Error> in a 200 handled as above. */
char *octopus_s3_xml_parse_copy_object              (const char *xml, gsize length, GError **error);

/* ListMultipartUploadsResult → GPtrArray of OctopusS3Upload; truncation through the out
 * markers (NULL when not truncated). */
GPtrArray *octopus_s3_xml_parse_list_uploads        (const char *xml, gsize length,
                                                     char **next_key_marker,
                                                     char **next_upload_id_marker,
                                                     GError **error);

/* ListPartsResult → GPtrArray of OctopusS3Part; @next_part_marker 0 when not truncated. */
GPtrArray *octopus_s3_xml_parse_list_parts          (const char *xml, gsize length,
                                                     guint *next_part_marker, GError **error);

/* AccessControlPolicy → OctopusS3Acl. */
OctopusS3Acl *octopus_s3_xml_parse_acl              (const char *xml, gsize length, GError **error);

/* DeleteResult → GPtrArray of OctopusS3DeleteError (empty when every key was deleted). */
GPtrArray *octopus_s3_xml_parse_delete_result       (const char *xml, gsize length, GError **error);

/* Request bodies (UTF-8, escaped properly). */
char *octopus_s3_xml_build_create_bucket            (const char *location_constraint); /* NULL → NULL */
char *octopus_s3_xml_build_complete_multipart       (GPtrArray *parts);  /* of OctopusS3Part, sorted */
char *octopus_s3_xml_build_delete                   (const char * const *keys, gboolean quiet);
char *octopus_s3_xml_build_acl                      (const OctopusS3Acl *acl);

G_END_DECLS
