/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fuzz-s3-xml.c — libFuzzer target: every S3 XML reply parser on the same arbitrary bytes.
 *
 * Each parser must either return a result or fail with OCTOPUS_S3_ERROR_MALFORMED_REPLY (or
 * another OCTOPUS_S3_ERROR for an <Error> embedded in a 200) — never crash, leak, hang or
 * emit a GLib critical.  Running all of them on one input lets one seed (a list reply, an
 * error, an ACL) reach every parser's wrong-root and partial-match paths.
 */
#include <stdint.h>
#include <glib.h>

#include "fuzz-common.h"

#include "octopus-s3-error.h"
#include "octopus-s3-types.h"
#include "octopus-s3-xml.h"

int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  fuzz_init_logging ();
  return 0;
}

/* A parser failure must carry our domain and a message; anything else is a bug. */
static void
check_failure (gpointer result, GError *error)
{
  if (result != NULL)
    {
      if (error != NULL)
        g_error ("parser returned a result and set an error: %s", error->message);
      return;
    }
  if (error == NULL)
    g_error ("parser returned NULL without an error");
  if (error->domain != OCTOPUS_S3_ERROR || error->message == NULL || error->message[0] == '\0')
    g_error ("parser failed outside OCTOPUS_S3_ERROR: %s", error->message);
  g_error_free (error);
}

static void
check_list_objects (const char *xml, gsize length, gboolean url_encoded)
{
  GError *error = NULL;
  OctopusS3ListPage *page = octopus_s3_xml_parse_list_objects (xml, length, url_encoded, &error);

  if (page != NULL)
    {
      for (guint i = 0; i < page->objects->len; i++)
        {
          OctopusS3Object *object = g_ptr_array_index (page->objects, i);
          /* Keys reach the object table and file names: they must be valid UTF-8. */
          if (object->key == NULL || !g_utf8_validate (object->key, -1, NULL))
            g_error ("list objects gave a key that is not UTF-8");
        }
      if (page->is_truncated && page->next_continuation_token == NULL)
        (void) 0; /* allowed: the client stops paging */
      octopus_s3_list_page_free (page);
    }
  check_failure (page, error);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  const char *xml = (const char *) data;
  GError *error = NULL;
  gpointer result;

  {
    char *code = NULL, *message = NULL, *request_id = NULL, *region = NULL;
    if (octopus_s3_xml_parse_error (xml, size, &code, &message, &request_id, &region))
      (void) 0;
    g_free (code);
    g_free (message);
    g_free (request_id);
    g_free (region);
  }

  check_list_objects (xml, size, FALSE);
  check_list_objects (xml, size, TRUE);

  result = octopus_s3_xml_parse_list_buckets (xml, size, &error);
  if (result)
    g_ptr_array_unref (result);
  check_failure (result, error);
  error = NULL;

  result = octopus_s3_xml_parse_location (xml, size, &error);
  g_free (result);
  check_failure (result, error);
  error = NULL;

  result = octopus_s3_xml_parse_initiate_multipart (xml, size, &error);
  g_free (result);
  check_failure (result, error);
  error = NULL;

  result = octopus_s3_xml_parse_complete_multipart (xml, size, &error);
  g_free (result);
  check_failure (result, error);
  error = NULL;

  result = octopus_s3_xml_parse_copy_object (xml, size, &error);
  g_free (result);
  check_failure (result, error);
  error = NULL;

  {
    char *next_key = NULL, *next_upload = NULL;
    result = octopus_s3_xml_parse_list_uploads (xml, size, &next_key, &next_upload, &error);
    if (result)
      g_ptr_array_unref (result);
    g_free (next_key);
    g_free (next_upload);
    check_failure (result, error);
    error = NULL;
  }

  {
    guint next_part = 0;
    result = octopus_s3_xml_parse_list_parts (xml, size, &next_part, &error);
    if (result)
      g_ptr_array_unref (result);
    check_failure (result, error);
    error = NULL;
  }

  result = octopus_s3_xml_parse_acl (xml, size, &error);
  if (result)
    {
      /* A parsed ACL must be one we can send back (or refuse cleanly). */
      g_free (octopus_s3_xml_build_acl (result));
      octopus_s3_acl_free (result);
    }
  check_failure (result, error);
  error = NULL;

  result = octopus_s3_xml_parse_delete_result (xml, size, &error);
  if (result)
    g_ptr_array_unref (result);
  check_failure (result, error);

  return 0;
}
