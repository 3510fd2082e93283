/* SPDX-License-Identifier: GPL-3.0-or-later */
/* octopus-s3-xml-build.c — request body builders: CreateBucketConfiguration,
 * CompleteMultipartUpload, Delete and AccessControlPolicy documents.
 */
#include "config.h"

#include <string.h>

#include "octopus-s3-xml.h"
#include "octopus-s3-xml-private.h"

#define S3_NAMESPACE "http://s3.amazonaws.com/doc/2006-03-01/"
#define XSI_NAMESPACE "http://www.w3.org/2001/XMLSchema-instance"
#define MAX_DELETE_KEYS 1000

/* ---------------------------------------------------------------------------------------- */
/* Builders                                                                                 */

static gboolean
is_xml_char (gunichar c)
{
  return c == 0x9 || c == 0xA || c == 0xD || (c >= 0x20 && c <= 0xD7FF) ||
         (c >= 0xE000 && c <= 0xFFFD) || (c >= 0x10000 && c <= 0x10FFFF);
}

/* Appends @text escaped for element content; FALSE when XML 1.0 cannot carry it. */
static gboolean
append_escaped (GString    *out,
                const char *text)
{
  if (text == NULL || !g_utf8_validate (text, -1, NULL))
    return FALSE;

  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (!is_xml_char (c))
        return FALSE;
      switch (c)
        {
        case '&': g_string_append (out, "&amp;"); break;
        case '<': g_string_append (out, "&lt;"); break;
        case '>': g_string_append (out, "&gt;"); break;
        case '"': g_string_append (out, "&quot;"); break;
        case '\'': g_string_append (out, "&apos;"); break;
        /* A raw CR would be read back as LF (end-of-line normalisation): a different key. */
        case '\r': g_string_append (out, "&#13;"); break;
        default: g_string_append_len (out, p, g_utf8_next_char (p) - p); break;
        }
    }
  return TRUE;
}

/* <name>escaped text</name>; FALSE when @text cannot be carried. */
static gboolean
append_element (GString    *out,
                const char *name,
                const char *text)
{
  g_string_append_printf (out, "<%s>", name);
  if (!append_escaped (out, text))
    return FALSE;
  g_string_append_printf (out, "</%s>", name);
  return TRUE;
}

static char *
finish (GString  *out,
        gboolean  ok)
{
  if (!ok)
    {
      g_string_free (out, TRUE);
      return NULL;
    }
  return g_string_free (out, FALSE);
}

char *
octopus_s3_xml_build_create_bucket (const char *location_constraint)
{
  GString *out;
  gboolean ok;

  /* us-east-1 is the default and AWS rejects it spelled out: no body at all. */
  if (location_constraint == NULL || *location_constraint == '\0' ||
      g_str_equal (location_constraint, "us-east-1"))
    return NULL;

  out = g_string_new ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                      "<CreateBucketConfiguration xmlns=\"" S3_NAMESPACE "\">");
  ok = append_element (out, "LocationConstraint", location_constraint);
  g_string_append (out, "</CreateBucketConfiguration>");
  return finish (out, ok);
}

char *
octopus_s3_xml_build_complete_multipart (GPtrArray *parts)
{
  GString *out;
  guint previous = 0;

  if (parts == NULL || parts->len == 0)
    return NULL;

  out = g_string_new ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                      "<CompleteMultipartUpload xmlns=\"" S3_NAMESPACE "\">");
  for (guint i = 0; i < parts->len; i++)
    {
      const OctopusS3Part *part = g_ptr_array_index (parts, i);
      g_autofree char *quoted = NULL;

      /* S3 rejects unsorted or out-of-range lists (InvalidPartOrder); fail before sending. */
      if (part->number <= previous || part->number > MAX_PART_NUMBER || part->etag == NULL ||
          *part->etag == '\0')
        return finish (out, FALSE);
      previous = part->number;

      quoted = g_strdup_printf ("\"%s\"", part->etag);
      g_string_append_printf (out, "<Part><PartNumber>%u</PartNumber>", part->number);
      if (!append_element (out, "ETag", quoted))
        return finish (out, FALSE);
      g_string_append (out, "</Part>");
    }
  g_string_append (out, "</CompleteMultipartUpload>");
  return g_string_free (out, FALSE);
}

char *
octopus_s3_xml_build_delete (const char * const *keys,
                             gboolean            quiet)
{
  GString *out;
  guint n_keys;

  n_keys = keys != NULL ? g_strv_length ((char **) keys) : 0;
  if (n_keys == 0 || n_keys > MAX_DELETE_KEYS)
    return NULL;

  out = g_string_new ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                      "<Delete xmlns=\"" S3_NAMESPACE "\">");
  if (quiet)
    g_string_append (out, "<Quiet>true</Quiet>");
  for (guint i = 0; i < n_keys; i++)
    {
      if (*keys[i] == '\0')
        return finish (out, FALSE);
      g_string_append (out, "<Object>");
      if (!append_element (out, "Key", keys[i]))
        return finish (out, FALSE);
      g_string_append (out, "</Object>");
    }
  g_string_append (out, "</Delete>");
  return g_string_free (out, FALSE);
}

static gboolean
append_grant (GString              *out,
              const OctopusS3Grant *grant)
{
  const char *permission = octopus_s3_permission_to_string (grant->permission);
  gboolean ok;

  if (permission == NULL)
    return FALSE;

  g_string_append (out, "<Grant><Grantee xmlns:xsi=\"" XSI_NAMESPACE "\" xsi:type=\"");
  switch (grant->type)
    {
    case OCTOPUS_S3_GRANTEE_CANONICAL_USER:
      g_string_append (out, "CanonicalUser\">");
      ok = append_element (out, "ID", grant->id);
      if (ok && grant->display_name != NULL)
        ok = append_element (out, "DisplayName", grant->display_name);
      break;
    case OCTOPUS_S3_GRANTEE_GROUP:
      g_string_append (out, "Group\">");
      ok = append_element (out, "URI", grant->uri);
      break;
    case OCTOPUS_S3_GRANTEE_EMAIL:
      g_string_append (out, "AmazonCustomerByEmail\">");
      ok = append_element (out, "EmailAddress", grant->email);
      break;
    default:
      return FALSE;
    }
  if (!ok)
    return FALSE;
  g_string_append_printf (out, "</Grantee><Permission>%s</Permission></Grant>", permission);
  return TRUE;
}

char *
octopus_s3_xml_build_acl (const OctopusS3Acl *acl)
{
  GString *out;

  /* S3 requires the owner in a PutObjectAcl body. */
  if (acl == NULL || acl->owner_id == NULL)
    return NULL;

  out = g_string_new ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                      "<AccessControlPolicy xmlns=\"" S3_NAMESPACE "\"><Owner>");
  if (!append_element (out, "ID", acl->owner_id) ||
      (acl->owner_display_name != NULL &&
       !append_element (out, "DisplayName", acl->owner_display_name)))
    return finish (out, FALSE);
  g_string_append (out, "</Owner><AccessControlList>");
  for (guint i = 0; acl->grants != NULL && i < acl->grants->len; i++)
    if (!append_grant (out, g_ptr_array_index (acl->grants, i)))
      return finish (out, FALSE);
  g_string_append (out, "</AccessControlList></AccessControlPolicy>");
  return g_string_free (out, FALSE);
}
