/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-share.c — share links without the network: the DURATION syntax, and which copy a link
 * is signed for, from a table fed with synthetic listings.  (tests/cli/test-cli-share.sh
 * fetches real links from Swift.) */
#include "config.h"

#include <string.h>

#include "octopus-share.h"

#define MD5_A "0123456789abcdef0123456789abcdef"
#define MD5_B "fedcba9876543210fedcba9876543210"

/* ---- DURATION ----------------------------------------------------------------------------- */

static void
test_parse_duration (void)
{
  static const struct { const char *text; guint seconds; } good[] = {
    { "1s", 1 }, { "90s", 90 }, { "30m", 1800 }, { "1h", 3600 }, { "12h", 43200 },
    { "1d", 86400 }, { "7d", 604800 }, { "604800s", 604800 }, { "168h", 604800 },
    { "007h", 25200 },
  };
  static const char * const bad[] = {
    "", "h", "1", "1w", "-1h", "+1h", " 1h", "1h ", "1.5h", "1hh", "1H", "0s", "0d",
    "8d", "604801s", "169h", "99999999999999999999999d", "18446744073709551616s",
  };

  for (guint i = 0; i < G_N_ELEMENTS (good); i++)
    {
      g_autoptr(GError) error = NULL;
      guint seconds = 0;

      g_assert_true (octopus_share_parse_duration (good[i].text, &seconds, &error));
      g_assert_no_error (error);
      g_assert_cmpuint (seconds, ==, good[i].seconds);
    }
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      guint seconds = 12345;

      if (octopus_share_parse_duration (bad[i], &seconds, &error))
        g_error ("“%s” was taken as %u seconds", bad[i], seconds);
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
      g_assert_cmpuint (seconds, ==, 12345);
    }
}

/* The error says why: the limit for a long one, the syntax for a malformed one. */
static void
test_parse_duration_messages (void)
{
  g_autoptr(GError) long_error = NULL;
  g_autoptr(GError) syntax_error = NULL;
  guint seconds;

  g_assert_false (octopus_share_parse_duration ("8d", &seconds, &long_error));
  g_assert_nonnull (strstr (long_error->message, "at most 7 days"));
  g_assert_false (octopus_share_parse_duration ("1w", &seconds, &syntax_error));
  g_assert_nonnull (strstr (syntax_error->message, "not a duration"));
}

/* ---- which copy --------------------------------------------------------------------------- */

/* Three services told apart by their port; their clients are never asked to send. */
static OctopusArray *
offline_array (void)
{
  static const char * const names[] = { "alpha", "beta", "gamma" };
  g_autoptr(GPtrArray) services = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *endpoint = g_strdup_printf ("http://127.0.0.1:%u", 9001 + i);
      OctopusS3ClientOptions options = {
        .name = names[i], .endpoint = endpoint, .access_key = "AK", .secret_key = "SK",
        .region = "us-east-1", .path_style = TRUE, .allow_http = TRUE,
      };
      g_autoptr(GError) error = NULL;
      g_autoptr(OctopusS3Client) client = octopus_s3_client_new (&options, &error);

      g_assert_no_error (error);
      g_ptr_array_add (services, octopus_service_new (names[i], client, "bucket"));
    }
  return octopus_array_new (services);
}

static void
add (GPtrArray  *listing,
     const char *key,
     const char *etag)
{
  OctopusS3Object *o = g_new0 (OctopusS3Object, 1);

  o->key = g_strdup (key);
  o->size = 11;
  o->etag = g_strdup (etag);
  o->last_modified = 1700000000;
  g_ptr_array_add (listing, o);
}

/* all.txt everywhere; beta-gamma.txt not on alpha; differs.txt other bytes on gamma;
 * multipart.txt with no comparable MD5 anywhere.  With @gamma_down, gamma's listing failed. */
static void
feed (OctopusArray *array,
      gboolean      gamma_down)
{
  GPtrArray *listings[3];
  const char *errors[3] = { NULL, NULL, gamma_down ? "connection refused" : NULL };

  for (guint i = 0; i < 3; i++)
    {
      listings[i] = g_ptr_array_new_with_free_func ((GDestroyNotify) octopus_s3_object_free);
      add (listings[i], "all.txt", MD5_A);
      if (i > 0)
        add (listings[i], "beta-gamma.txt", MD5_A);
      add (listings[i], "differs.txt", i == 2 ? MD5_B : MD5_A);
      add (listings[i], "multipart.txt", MD5_A "-2");
    }
  if (gamma_down)
    g_clear_pointer (&listings[2], g_ptr_array_unref);
  octopus_object_table_update (octopus_array_get_table (array), listings, errors);
  for (guint i = 0; i < 3; i++)
    g_clear_pointer (&listings[i], g_ptr_array_unref);
}

/* Shares @key (from @service, or the default) for an hour → the URL; @used the service. */
static char *
share (OctopusArray  *array,
       const char    *key,
       const char    *service,
       char         **used,
       GError       **error)
{
  return octopus_array_share_url (array, key, service, 3600, used, error);
}

static void
test_share_services (void)
{
  g_autoptr(OctopusArray) array = offline_array ();
  g_auto(GStrv) all = NULL, two = NULL, one_differs = NULL, none = NULL, unknown = NULL;

  feed (array, FALSE);
  all = octopus_array_share_services (array, "all.txt");
  two = octopus_array_share_services (array, "beta-gamma.txt");
  one_differs = octopus_array_share_services (array, "differs.txt");
  none = octopus_array_share_services (array, "multipart.txt");
  unknown = octopus_array_share_services (array, "nope.txt");
  g_assert_cmpstrv (all, ((const char *[]) { "alpha", "beta", "gamma", NULL }));
  g_assert_cmpstrv (two, ((const char *[]) { "beta", "gamma", NULL }));
  g_assert_cmpstrv (one_differs, ((const char *[]) { "alpha", "beta", NULL }));
  g_assert_cmpstrv (none, ((const char *[]) { NULL }));
  g_assert_cmpstrv (unknown, ((const char *[]) { NULL }));
}

/* The first copy in sync by default, the named one when it is in sync; the URL is that
 * service's, for the bucket and key, with the expiry asked for. */
static void
test_share_chooses_in_sync_copy (void)
{
  g_autoptr(OctopusArray) array = offline_array ();
  g_autoptr(GError) error = NULL;
  g_autofree char *url1 = NULL, *url2 = NULL, *url3 = NULL;
  g_autofree char *used1 = NULL, *used2 = NULL, *used3 = NULL;

  feed (array, FALSE);
  url1 = share (array, "all.txt", NULL, &used1, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (used1, ==, "alpha");
  g_assert_true (g_str_has_prefix (url1, "http://127.0.0.1:9001/bucket/all.txt?"));
  g_assert_nonnull (strstr (url1, "X-Amz-Expires=3600&"));
  g_assert_nonnull (strstr (url1, "&X-Amz-Signature="));

  url2 = share (array, "beta-gamma.txt", NULL, &used2, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (used2, ==, "beta");
  g_assert_true (g_str_has_prefix (url2, "http://127.0.0.1:9002/bucket/beta-gamma.txt?"));

  url3 = share (array, "all.txt", "gamma", &used3, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (used3, ==, "gamma");
  g_assert_true (g_str_has_prefix (url3, "http://127.0.0.1:9003/bucket/all.txt?"));
}

/* Asserts that sharing @key from @service fails with @code and a message holding @words. */
static void
assert_refused (OctopusArray *array,
                const char   *key,
                const char   *service,
                guint         seconds,
                int           code,
                const char   *words)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *used = NULL;
  g_autofree char *url = octopus_array_share_url (array, key, service, seconds, &used, &error);

  g_assert_null (url);
  g_assert_null (used);
  g_assert_error (error, G_IO_ERROR, code);
  if (strstr (error->message, words) == NULL)
    g_error ("“%s” does not say “%s”", error->message, words);
}

static void
test_share_refusals (void)
{
  g_autoptr(OctopusArray) array = offline_array ();

  feed (array, FALSE);
  assert_refused (array, "nope.txt", NULL, 3600, G_IO_ERROR_NOT_FOUND, "No service holds");
  assert_refused (array, "beta-gamma.txt", "alpha", 3600, G_IO_ERROR_NOT_FOUND,
                  "alpha: the copy of beta-gamma.txt is missing");
  assert_refused (array, "differs.txt", "gamma", 3600, G_IO_ERROR_NOT_FOUND,
                  "gamma: the copy of differs.txt is differs");
  assert_refused (array, "multipart.txt", NULL, 3600, G_IO_ERROR_NOT_FOUND,
                  "No copy of multipart.txt is in sync");
  assert_refused (array, "all.txt", "delta", 3600, G_IO_ERROR_INVALID_ARGUMENT,
                  "no service called “delta”");
  assert_refused (array, "all.txt", NULL, 0, G_IO_ERROR_INVALID_ARGUMENT, "7 days");
  assert_refused (array, "all.txt", NULL, OCTOPUS_SHARE_MAX_SECONDS + 1,
                  G_IO_ERROR_INVALID_ARGUMENT, "7 days");
}

/* Seven days is allowed, and is what the URL says. */
static void
test_share_longest (void)
{
  g_autoptr(OctopusArray) array = offline_array ();
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;

  feed (array, FALSE);
  url = octopus_array_share_url (array, "all.txt", NULL, OCTOPUS_SHARE_MAX_SECONDS, NULL,
                                 &error);
  g_assert_no_error (error);
  g_assert_nonnull (strstr (url, "X-Amz-Expires=604800&"));
}

/* A service that could not be listed is not in sync: its last known copy is not shared. */
static void
test_share_unreachable (void)
{
  g_autoptr(OctopusArray) array = offline_array ();
  g_auto(GStrv) names = NULL;

  feed (array, FALSE);
  feed (array, TRUE);
  names = octopus_array_share_services (array, "all.txt");
  g_assert_cmpstrv (names, ((const char *[]) { "alpha", "beta", NULL }));
  assert_refused (array, "all.txt", "gamma", 3600, G_IO_ERROR_NOT_FOUND,
                  "gamma: the copy of all.txt is unreachable");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/share/parse-duration", test_parse_duration);
  g_test_add_func ("/share/parse-duration-messages", test_parse_duration_messages);
  g_test_add_func ("/share/services", test_share_services);
  g_test_add_func ("/share/chooses-in-sync-copy", test_share_chooses_in_sync_copy);
  g_test_add_func ("/share/refusals", test_share_refusals);
  g_test_add_func ("/share/longest", test_share_longest);
  g_test_add_func ("/share/unreachable", test_share_unreachable);
  return g_test_run ();
}
