/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-s3-error.c — classification, retryability, messages and extended data of the S3
 * error domain. */
#include "config.h"

#include <gio/gio.h>
#include <string.h>

#include "octopus-s3-error.h"

static const struct {
  guint              status;
  const char        *code;
  const char        *message;
  OctopusS3ErrorCode expected;
} classes[] = {
  { 403, "InvalidAccessKeyId", NULL, OCTOPUS_S3_ERROR_AUTH },
  { 403, "SignatureDoesNotMatch", NULL, OCTOPUS_S3_ERROR_AUTH },
  { 400, "ExpiredToken", NULL, OCTOPUS_S3_ERROR_AUTH },
  { 403, "AccessDenied", NULL, OCTOPUS_S3_ERROR_ACCESS_DENIED },
  { 403, "AllAccessDisabled", NULL, OCTOPUS_S3_ERROR_ACCESS_DENIED },
  { 403, NULL, NULL, OCTOPUS_S3_ERROR_ACCESS_DENIED },
  { 403, "RequestTimeTooSkewed", NULL, OCTOPUS_S3_ERROR_CLOCK_SKEW },
  { 404, "NoSuchBucket", NULL, OCTOPUS_S3_ERROR_NO_SUCH_BUCKET },
  { 404, "NoSuchKey", NULL, OCTOPUS_S3_ERROR_NO_SUCH_KEY },
  { 404, NULL, NULL, OCTOPUS_S3_ERROR_NO_SUCH_KEY },
  { 404, "", NULL, OCTOPUS_S3_ERROR_NO_SUCH_KEY },
  { 404, "NoSuchUpload", NULL, OCTOPUS_S3_ERROR_NO_SUCH_UPLOAD },
  { 409, "BucketAlreadyExists", NULL, OCTOPUS_S3_ERROR_BUCKET_TAKEN },
  { 409, "BucketAlreadyOwnedByYou", NULL, OCTOPUS_S3_ERROR_INVALID_REQUEST },
  { 400, "BadDigest", NULL, OCTOPUS_S3_ERROR_BAD_DIGEST },
  { 400, "InvalidDigest", NULL, OCTOPUS_S3_ERROR_BAD_DIGEST },
  { 400, "XAmzContentSHA256Mismatch", NULL, OCTOPUS_S3_ERROR_BAD_DIGEST },
  { 501, "NotImplemented", "A header you provided implies functionality that is not "
                           "implemented", OCTOPUS_S3_ERROR_NOT_IMPLEMENTED },
  { 501, "NotImplemented", "PutObjectAcl is not implemented", OCTOPUS_S3_ERROR_ACL_UNSUPPORTED },
  { 501, NULL, NULL, OCTOPUS_S3_ERROR_NOT_IMPLEMENTED },
  { 400, "AccessControlListNotSupported", NULL, OCTOPUS_S3_ERROR_ACL_UNSUPPORTED },
  { 301, "PermanentRedirect", NULL, OCTOPUS_S3_ERROR_WRONG_REGION },
  { 301, NULL, NULL, OCTOPUS_S3_ERROR_WRONG_REGION },
  { 400, "AuthorizationHeaderMalformed",
    "The authorization header is malformed; the region 'us-east-1' is wrong; "
    "expecting 'eu-west-1'", OCTOPUS_S3_ERROR_WRONG_REGION },
  { 400, "AuthorizationHeaderMalformed", "The authorization header is malformed; "
    "incorrect service \"iam\"", OCTOPUS_S3_ERROR_INVALID_REQUEST },
  { 500, "InternalError", NULL, OCTOPUS_S3_ERROR_SERVER },
  { 503, "SlowDown", NULL, OCTOPUS_S3_ERROR_SERVER },
  { 400, "RequestTimeout", NULL, OCTOPUS_S3_ERROR_SERVER },
  { 502, NULL, NULL, OCTOPUS_S3_ERROR_SERVER },
  { 504, "SomethingNew", NULL, OCTOPUS_S3_ERROR_SERVER },
  { 200, "InternalError", NULL, OCTOPUS_S3_ERROR_SERVER },
  { 400, "InvalidArgument", NULL, OCTOPUS_S3_ERROR_INVALID_REQUEST },
  { 400, "EntityTooSmall", NULL, OCTOPUS_S3_ERROR_INVALID_REQUEST },
  { 412, NULL, NULL, OCTOPUS_S3_ERROR_INVALID_REQUEST },
  { 200, "SomethingNew", NULL, OCTOPUS_S3_ERROR_FAILED },
  { 0, NULL, NULL, OCTOPUS_S3_ERROR_FAILED },
};

static void
test_classify (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (classes); i++)
    {
      g_autoptr(GError) error = NULL;

      g_test_message ("%u %s %s", classes[i].status, classes[i].code, classes[i].message);
      g_assert_cmpint (octopus_s3_error_classify_full (classes[i].status, classes[i].code,
                                                       classes[i].message),
                       ==, classes[i].expected);
      error = octopus_s3_error_new ("Svc", classes[i].status, classes[i].code,
                                    classes[i].message, NULL);
      g_assert_error (error, OCTOPUS_S3_ERROR, (int) classes[i].expected);
      g_assert_true (g_str_has_prefix (error->message, "Svc: "));
    }

  /* Without a message the code alone decides. */
  g_assert_cmpint (octopus_s3_error_classify (400, "AuthorizationHeaderMalformed"), ==,
                   OCTOPUS_S3_ERROR_WRONG_REGION);
  g_assert_cmpint (octopus_s3_error_classify (501, "NotImplemented"), ==,
                   OCTOPUS_S3_ERROR_NOT_IMPLEMENTED);
}

static void
test_messages (void)
{
  const struct {
    const char *service;
    guint       status;
    const char *code;
    const char *server_message;
    const char *expected;
  } cases[] = {
    { "Swift", 403, "SignatureDoesNotMatch", "The request signature we calculated does not "
      "match", "Swift: the secret key is wrong (SignatureDoesNotMatch, HTTP 403)" },
    { "AWS", 404, "NoSuchBucket", "The specified bucket does not exist",
      "AWS: the bucket does not exist (NoSuchBucket, HTTP 404)" },
    { "MinIO", 503, "SlowDown", "Please reduce your request rate.",
      "MinIO: the service is busy, try later (SlowDown, HTTP 503): Please reduce your "
      "request rate." },
    { "Ceph", 404, NULL, NULL, "Ceph: the object does not exist (HTTP 404)" },
    { NULL, 400, "InvalidArgument", "Invalid canned ACL",
      "S3: the server rejected the request (InvalidArgument, HTTP 400): Invalid canned ACL" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = octopus_s3_error_new (cases[i].service, cases[i].status,
                                                      cases[i].code, cases[i].server_message,
                                                      "REQ1");
      g_assert_cmpstr (error->message, ==, cases[i].expected);
    }
}

static void
test_message_names_key_id (void)
{
  g_autoptr(GError) error = octopus_s3_error_new ("Wasabi", 403, "InvalidAccessKeyId",
                                                  NULL, NULL);

  g_assert_nonnull (strstr (error->message, "Wasabi"));
  g_assert_nonnull (strstr (error->message, "key id"));
  g_assert_nonnull (strstr (error->message, "unknown"));
  g_assert_nonnull (strstr (error->message, "InvalidAccessKeyId"));
}

static void
test_message_every_class_names_service_and_code (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (classes); i++)
    {
      g_autoptr(GError) error = octopus_s3_error_new ("R2", classes[i].status, classes[i].code,
                                                      classes[i].message, NULL);
      g_assert_true (g_str_has_prefix (error->message, "R2: "));
      if (classes[i].code != NULL && *classes[i].code != '\0')
        g_assert_nonnull (strstr (error->message, classes[i].code));
      g_assert_true (g_utf8_validate (error->message, -1, NULL));
    }
}

static void
test_accessors (void)
{
  g_autoptr(GError) error = octopus_s3_error_new ("AWS", 404, "NoSuchKey", "gone",
                                                  "4442587FB7D0A2F9");
  g_autoptr(GError) copy = NULL;
  g_autoptr(GError) other = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_FAILED, "x");
  g_autoptr(GError) bad_utf8 = octopus_s3_error_new ("AWS", 400, "Bad\xff", "m\xfe", NULL);

  g_assert_cmpstr (octopus_s3_error_get_s3_code (error), ==, "NoSuchKey");
  g_assert_cmpstr (octopus_s3_error_get_request_id (error), ==, "4442587FB7D0A2F9");
  g_assert_cmpstr (octopus_s3_error_get_service (error), ==, "AWS");
  g_assert_cmpstr (octopus_s3_error_get_server_message (error), ==, "gone");
  g_assert_cmpuint (octopus_s3_error_get_http_status (error), ==, 404);
  g_assert_null (octopus_s3_error_get_region (error));

  /* Extended data survives g_error_copy (GTask copies errors). */
  copy = g_error_copy (error);
  g_assert_cmpstr (octopus_s3_error_get_s3_code (copy), ==, "NoSuchKey");
  g_assert_cmpstr (octopus_s3_error_get_request_id (copy), ==, "4442587FB7D0A2F9");
  g_assert_cmpuint (octopus_s3_error_get_http_status (copy), ==, 404);

  g_assert_null (octopus_s3_error_get_s3_code (other));
  g_assert_null (octopus_s3_error_get_service (NULL));
  g_assert_cmpuint (octopus_s3_error_get_http_status (other), ==, 0);

  /* Whatever the server sends, the UI gets valid UTF-8. */
  g_assert_true (g_utf8_validate (bad_utf8->message, -1, NULL));
  g_assert_true (g_utf8_validate (octopus_s3_error_get_s3_code (bad_utf8), -1, NULL));
}

static void
test_region (void)
{
  g_autoptr(GError) from_message = octopus_s3_error_new (
    "AWS", 400, "AuthorizationHeaderMalformed",
    "The authorization header is malformed; the region 'us-east-1' is wrong; "
    "expecting 'eu-west-1'", NULL);
  g_autoptr(GError) redirect = octopus_s3_error_new ("AWS", 301, "PermanentRedirect",
                                                     NULL, NULL);

  g_assert_cmpstr (octopus_s3_error_get_region (from_message), ==, "eu-west-1");
  g_assert_nonnull (strstr (from_message->message, "eu-west-1"));

  g_assert_null (octopus_s3_error_get_region (redirect));
  g_assert_null (strstr (redirect->message, "ap-south-1"));
  octopus_s3_error_set_region (redirect, "ap-south-1");
  g_assert_cmpstr (octopus_s3_error_get_region (redirect), ==, "ap-south-1");
  g_assert_nonnull (strstr (redirect->message, "ap-south-1"));
  g_assert_nonnull (strstr (redirect->message, "PermanentRedirect"));
}

static void
test_retryable (void)
{
  const struct {
    guint       status;
    const char *code;
    gboolean    retryable;
  } s3_cases[] = {
    { 500, "InternalError", TRUE },
    { 503, "SlowDown", TRUE },
    { 400, "RequestTimeout", TRUE },
    { 502, NULL, TRUE },
    { 504, NULL, TRUE },
    { 501, "NotImplemented", FALSE },
    { 403, "SignatureDoesNotMatch", FALSE },
    { 403, "RequestTimeTooSkewed", FALSE },
    { 404, "NoSuchKey", FALSE },
    { 400, "BadDigest", FALSE },
    { 409, "BucketAlreadyExists", FALSE },
  };
  const struct {
    guint    domain;  /* index into domains[] below */
    int      code;
    gboolean retryable;
  } transport_cases[] = {
    { 0, G_IO_ERROR_CONNECTION_CLOSED, TRUE },
    { 0, G_IO_ERROR_BROKEN_PIPE, TRUE },
    { 0, G_IO_ERROR_TIMED_OUT, TRUE },
    { 0, G_IO_ERROR_PARTIAL_INPUT, TRUE },
    { 0, G_IO_ERROR_CONNECTION_REFUSED, FALSE },
    { 0, G_IO_ERROR_HOST_NOT_FOUND, FALSE },
    { 0, G_IO_ERROR_CANCELLED, FALSE },
    { 1, G_RESOLVER_ERROR_NOT_FOUND, FALSE },
    { 1, G_RESOLVER_ERROR_TEMPORARY_FAILURE, TRUE },
    { 2, G_TLS_ERROR_BAD_CERTIFICATE, FALSE },
    { 2, G_TLS_ERROR_HANDSHAKE, FALSE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (s3_cases); i++)
    {
      g_autoptr(GError) error = octopus_s3_error_new ("X", s3_cases[i].status, s3_cases[i].code,
                                                      NULL, NULL);
      g_test_message ("%u %s", s3_cases[i].status, s3_cases[i].code);
      g_assert_cmpint (octopus_s3_error_is_retryable (error), ==, s3_cases[i].retryable);
    }

  for (guint i = 0; i < G_N_ELEMENTS (transport_cases); i++)
    {
      GQuark domains[] = { G_IO_ERROR, G_RESOLVER_ERROR, G_TLS_ERROR };
      g_autoptr(GError) raw = g_error_new_literal (domains[transport_cases[i].domain],
                                                   transport_cases[i].code, "boom");
      g_autoptr(GError) wrapped = octopus_s3_error_new_from_transport ("Ceph", raw);
      int expected = transport_cases[i].domain == 2 ? OCTOPUS_S3_ERROR_TLS
                                                    : OCTOPUS_S3_ERROR_NETWORK;

      g_test_message ("domain %u code %d", transport_cases[i].domain, transport_cases[i].code);
      g_assert_cmpint (octopus_s3_error_is_retryable (raw), ==, transport_cases[i].retryable);
      g_assert_cmpint (octopus_s3_error_is_retryable (wrapped), ==,
                       transport_cases[i].retryable);
      g_assert_error (wrapped, OCTOPUS_S3_ERROR, expected);
      g_assert_true (g_str_has_prefix (wrapped->message, "Ceph: "));
      g_assert_nonnull (strstr (wrapped->message, "boom"));
    }

  g_assert_false (octopus_s3_error_is_retryable (NULL));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/s3/error/classify", test_classify);
  g_test_add_func ("/s3/error/messages", test_messages);
  g_test_add_func ("/s3/error/messages/key-id", test_message_names_key_id);
  g_test_add_func ("/s3/error/messages/every-class",
                   test_message_every_class_names_service_and_code);
  g_test_add_func ("/s3/error/accessors", test_accessors);
  g_test_add_func ("/s3/error/region", test_region);
  g_test_add_func ("/s3/error/retryable", test_retryable);

  return g_test_run ();
}
