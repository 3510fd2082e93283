/* octopus-s3-xml.c — hardened libxml2 parsers for S3 replies, and request body builders.
 *
 * S3 replies come from servers we do not control, through proxies we do not control, so
 * every reply is treated as hostile: bounded in size, parsed without network access or DTD
 * loading, and rejected outright when it carries a DOCTYPE (S3 never sends one; a DOCTYPE is
 * how entity expansion and external-entity attacks start).  The parser stops at the DOCTYPE
 * itself, so a billion-laughs document costs nothing and no external file is ever opened.
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>
#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>

#include "octopus-s3-error.h"
#include "octopus-s3-xml.h"

G_DEFINE_AUTOPTR_CLEANUP_FUNC (xmlDoc, xmlFreeDoc)

#define S3_NAMESPACE "http://s3.amazonaws.com/doc/2006-03-01/"
#define XSI_NAMESPACE "http://www.w3.org/2001/XMLSchema-instance"
#define MAX_DELETE_KEYS 1000
#define MAX_PART_NUMBER 10000

/* ---------------------------------------------------------------------------------------- */
/* Reading a document                                                                       */

typedef struct {
  char    *first_error;  /* libxml2's own words for the first problem, for the GError */
  gboolean has_doctype;
} ReadState;

/* Stores instead of printing: libxml2 would otherwise write to stderr, which the UI user
 * never sees and tests treat as noise. */
static void
store_error_cb (void        *user_data,
                xmlErrorPtr  xml_error)
{
  xmlParserCtxtPtr ctxt = user_data;
  ReadState *state = ctxt != NULL ? ctxt->_private : NULL;

  if (state == NULL || state->first_error != NULL || xml_error == NULL ||
      xml_error->message == NULL)
    return;
  state->first_error = g_strchomp (g_strdup (xml_error->message));
}

static void
reject_doctype (xmlParserCtxtPtr ctxt)
{
  ReadState *state = ctxt->_private;

  state->has_doctype = TRUE;
  xmlStopParser (ctxt);
}

static void
internal_subset_cb (void          *user_data,
                    const xmlChar *name,
                    const xmlChar *external_id,
                    const xmlChar *system_id)
{
  reject_doctype (user_data);
}

static void
entity_decl_cb (void          *user_data,
                const xmlChar *name,
                int            type,
                const xmlChar *public_id,
                const xmlChar *system_id,
                xmlChar       *content)
{
  reject_doctype (user_data);
}

static void
ensure_libxml_initialized (void)
{
  static gsize initialized = 0;

  if (g_once_init_enter (&initialized))
    {
      xmlInitParser ();
      g_once_init_leave (&initialized, 1);
    }
}

/* Lower case: the client puts the service name in front ("Swift: the ListObjectsV2 reply
 * is not valid: …"), see octopus_s3_error_set_service(). */
static void
set_malformed (GError    **error,
               const char *reply,
               const char *why)
{
  g_set_error (error, OCTOPUS_S3_ERROR, OCTOPUS_S3_ERROR_MALFORMED_REPLY,
               _("the %s reply is not valid: %s"), reply, why);
}

/* Parses @xml into a document, or fails with MALFORMED_REPLY naming @reply. */
static xmlDoc *
read_reply (const char *xml,
            gsize       length,
            const char *reply,
            GError    **error)
{
  ReadState state = { NULL, FALSE };
  xmlParserCtxtPtr ctxt;
  xmlDoc *doc;
  gboolean well_formed;

  if (xml == NULL || length == 0)
    {
      set_malformed (error, reply, _("the reply is empty"));
      return NULL;
    }
  if (length > OCTOPUS_S3_XML_MAX_SIZE || length > G_MAXINT)
    {
      set_malformed (error, reply, _("the reply is too large"));
      return NULL;
    }

  ensure_libxml_initialized ();

  ctxt = xmlCreateMemoryParserCtxt (xml, (int) length);
  if (ctxt == NULL)
    {
      set_malformed (error, reply, _("the XML parser could not start"));
      return NULL;
    }

  /* Never XML_PARSE_NOENT, _DTDLOAD, _DTDATTR or _HUGE: no entity substitution, no external
   * subset, libxml2's default depth and text-size limits stay on. */
  xmlCtxtUseOptions (ctxt, XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
  ctxt->_private = &state;
  ctxt->sax->serror = store_error_cb;
  ctxt->sax->internalSubset = internal_subset_cb;
  ctxt->sax->externalSubset = internal_subset_cb;
  ctxt->sax->entityDecl = entity_decl_cb;

  xmlParseDocument (ctxt);

  doc = ctxt->myDoc;
  ctxt->myDoc = NULL;
  well_formed = ctxt->wellFormed;
  ctxt->_private = NULL;
  xmlFreeParserCtxt (ctxt);

  if (state.has_doctype || (doc != NULL && doc->intSubset != NULL))
    {
      set_malformed (error, reply, _("it contains a document type declaration"));
      g_clear_pointer (&doc, xmlFreeDoc);
    }
  else if (!well_formed || doc == NULL || xmlDocGetRootElement (doc) == NULL)
    {
      set_malformed (error, reply,
                     state.first_error != NULL ? state.first_error : _("it is not XML"));
      g_clear_pointer (&doc, xmlFreeDoc);
    }

  g_free (state.first_error);
  return doc;
}

/* ---------------------------------------------------------------------------------------- */
/* Walking a document                                                                       */

/* libxml2 keeps the local name in node->name and the namespace apart, so comparing names
 * ignores namespaces and prefixes, as S3-compatible servers disagree about them. */
static gboolean
is_element (xmlNode    *node,
            const char *local_name)
{
  return node != NULL && node->type == XML_ELEMENT_NODE &&
         xmlStrEqual (node->name, (const xmlChar *) local_name);
}

static xmlNode *
find_child (xmlNode    *parent,
            const char *local_name)
{
  for (xmlNode *child = parent->children; child != NULL; child = child->next)
    if (is_element (child, local_name))
      return child;
  return NULL;
}

static char *
node_text (xmlNode *node)
{
  xmlChar *content = xmlNodeGetContent (node);
  char *text = g_strdup (content != NULL ? (const char *) content : "");

  xmlFree (content);
  return text;
}

/* Text of the first child named @local_name, or NULL when there is none. */
static char *
child_text (xmlNode    *parent,
            const char *local_name)
{
  xmlNode *child = find_child (parent, local_name);

  return child != NULL ? node_text (child) : NULL;
}

static xmlNode *
expect_root (xmlDoc     *doc,
             const char *local_name,
             const char *reply,
             GError    **error)
{
  xmlNode *root = xmlDocGetRootElement (doc);

  if (!is_element (root, local_name))
    {
      g_autofree char *why = g_strdup_printf (_("expected <%s>, got <%s>"), local_name,
                                              (const char *) root->name);
      set_malformed (error, reply, why);
      return NULL;
    }
  return root;
}

/* An <Error> document as the reply to a request that succeeded at the HTTP level (S3 sends
 * those for CompleteMultipartUpload and CopyObject): sets the S3 error it describes. */
static gboolean
take_embedded_error (xmlNode *root,
                     GError **error)
{
  g_autofree char *code = NULL;
  g_autofree char *message = NULL;
  g_autofree char *request_id = NULL;

  if (!is_element (root, "Error"))
    return FALSE;

  code = child_text (root, "Code");
  message = child_text (root, "Message");
  request_id = child_text (root, "RequestId");
  g_propagate_error (error, octopus_s3_error_new (NULL, 200, code, message, request_id));
  return TRUE;
}

/* ---------------------------------------------------------------------------------------- */
/* Field conversions                                                                        */

/* ETags arrive as "\"abc\"", &quot;abc&quot; (decoded by the parser), or double-escaped as
 * the literal text &quot;abc&quot; by some gateways; all become abc. */
static char *
clean_etag (const char *raw)
{
  GString *etag;
  const char *p;

  if (raw == NULL)
    return NULL;

  etag = g_string_new (NULL);
  for (p = raw; *p != '\0';)
    {
      if (*p == '"')
        p++;
      else if (g_str_has_prefix (p, "&quot;"))
        p += strlen ("&quot;");
      else
        g_string_append_c (etag, *p++);
    }
  return g_strstrip (g_string_free (etag, FALSE));
}

static gboolean
parse_time (const char *text,
            gint64     *out,
            const char *reply,
            GError    **error)
{
  g_autoptr(GTimeZone) utc = g_time_zone_new_utc ();
  g_autoptr(GDateTime) time = NULL;

  /* GDateTime accepts both 2009-10-12T17:50:30.000Z and 2009-10-12T17:50:30Z. */
  if (text != NULL)
    time = g_date_time_new_from_iso8601 (text, utc);
  if (time == NULL)
    {
      g_autofree char *why = g_strdup_printf (_("“%s” is not a date"), text ? text : "");
      set_malformed (error, reply, why);
      return FALSE;
    }
  *out = g_date_time_to_unix (time);
  return TRUE;
}

static gboolean
parse_size (const char *text,
            gint64     *out,
            const char *reply,
            GError    **error)
{
  g_autoptr(GError) local_error = NULL;

  if (text == NULL ||
      !g_ascii_string_to_signed (text, 10, 0, G_MAXINT64, out, &local_error))
    {
      g_autofree char *why = g_strdup_printf (_("“%s” is not a size"), text ? text : "");
      set_malformed (error, reply, why);
      return FALSE;
    }
  return TRUE;
}

static gboolean
parse_part_number (const char *text,
                   guint      *out,
                   const char *reply,
                   GError    **error)
{
  guint64 number;

  if (text == NULL ||
      !g_ascii_string_to_unsigned (text, 10, 1, MAX_PART_NUMBER, &number, NULL))
    {
      g_autofree char *why = g_strdup_printf (_("“%s” is not a part number"),
                                              text ? text : "");
      set_malformed (error, reply, why);
      return FALSE;
    }
  *out = (guint) number;
  return TRUE;
}

static gboolean
parse_bool (const char *text,
            gboolean   *out,
            const char *reply,
            GError    **error)
{
  if (g_strcmp0 (text, "true") == 0)
    *out = TRUE;
  else if (g_strcmp0 (text, "false") == 0)
    *out = FALSE;
  else
    {
      g_autofree char *why = g_strdup_printf (_("“%s” is not true or false"),
                                              text ? text : "");
      set_malformed (error, reply, why);
      return FALSE;
    }
  return TRUE;
}

/* encoding-type=url: S3 encodes keys like an HTML form, space as '+', '+' as %2B. */
static char *
url_decode (const char *text,
            const char *reply,
            GError    **error)
{
  g_autofree char *plus_as_space = NULL;
  char *decoded;

  plus_as_space = g_strdup (text);
  g_strdelimit (plus_as_space, "+", ' ');
  decoded = g_uri_unescape_string (plus_as_space, NULL);
  if (decoded == NULL || !g_utf8_validate (decoded, -1, NULL))
    {
      g_autofree char *why = g_strdup_printf (_("the key “%s” is not properly encoded"), text);
      g_free (decoded);
      set_malformed (error, reply, why);
      return NULL;
    }
  return decoded;
}

/* A required element's text, decoded when @url_encoded. */
static char *
required_text (xmlNode    *parent,
               const char *local_name,
               gboolean    url_encoded,
               const char *reply,
               GError    **error)
{
  g_autofree char *text = child_text (parent, local_name);

  if (text == NULL)
    {
      g_autofree char *why = g_strdup_printf (_("<%s> is missing in <%s>"), local_name,
                                              (const char *) parent->name);
      set_malformed (error, reply, why);
      return NULL;
    }
  if (url_encoded)
    return url_decode (text, reply, error);
  return g_steal_pointer (&text);
}

static gboolean
optional_truncated (xmlNode    *root,
                    gboolean   *out,
                    const char *reply,
                    GError    **error)
{
  g_autofree char *text = child_text (root, "IsTruncated");

  *out = FALSE;
  return text == NULL || parse_bool (text, out, reply, error);
}

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

  doc = read_reply (xml, length, "Error", NULL);
  if (doc == NULL)
    return FALSE;
  root = xmlDocGetRootElement (doc);
  if (!is_element (root, "Error"))
    return FALSE;

  if (code != NULL)
    *code = child_text (root, "Code");
  if (message != NULL)
    *message = child_text (root, "Message");
  if (request_id != NULL)
    *request_id = child_text (root, "RequestId");
  if (region != NULL)
    *region = child_text (root, "Region");
  return TRUE;
}

static OctopusS3Bucket *
parse_bucket (xmlNode *node,
              GError **error)
{
  g_autoptr(OctopusS3Bucket) bucket = g_new0 (OctopusS3Bucket, 1);
  g_autofree char *created = NULL;

  bucket->name = required_text (node, "Name", FALSE, "ListBuckets", error);
  if (bucket->name == NULL)
    return NULL;
  created = child_text (node, "CreationDate");
  if (created != NULL &&
      !parse_time (created, &bucket->creation_date, "ListBuckets", error))
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

  if ((doc = read_reply (xml, length, "ListBuckets", error)) == NULL ||
      (root = expect_root (doc, "ListAllMyBucketsResult", "ListBuckets", error)) == NULL)
    return NULL;

  buckets = g_ptr_array_new_with_free_func ((GDestroyNotify) octopus_s3_bucket_free);
  list = find_child (root, "Buckets");
  for (xmlNode *n = list != NULL ? list->children : NULL; n != NULL; n = n->next)
    {
      OctopusS3Bucket *bucket;

      if (!is_element (n, "Bucket"))
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
  object->key = required_text (node, "Key", url_encoded, reply, error);
  if (object->key == NULL)
    return NULL;

  size = child_text (node, "Size");
  if (size != NULL && !parse_size (size, &object->size, reply, error))
    return NULL;
  modified = child_text (node, "LastModified");
  if (modified != NULL && !parse_time (modified, &object->last_modified, reply, error))
    return NULL;
  etag = child_text (node, "ETag");
  object->etag = clean_etag (etag);
  object->storage_class = child_text (node, "StorageClass");
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

      if (!is_element (n, "Prefix"))
        continue;
      text = node_text (n);
      if (url_encoded)
        {
          char *decoded = url_decode (text, "ListObjectsV2", error);
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

  if ((doc = read_reply (xml, length, reply, error)) == NULL ||
      (root = expect_root (doc, "ListBucketResult", reply, error)) == NULL)
    return NULL;

  page = g_new0 (OctopusS3ListPage, 1);
  page->objects = g_ptr_array_new_with_free_func ((GDestroyNotify) octopus_s3_object_free);
  page->common_prefixes = g_ptr_array_new_with_free_func (g_free);

  for (xmlNode *n = root->children; n != NULL; n = n->next)
    {
      if (is_element (n, "Contents"))
        {
          OctopusS3Object *object = parse_contents (n, url_encoded, error);
          if (object == NULL)
            return NULL;
          g_ptr_array_add (page->objects, object);
        }
      else if (is_element (n, "CommonPrefixes"))
        {
          if (!parse_common_prefixes (n, url_encoded, page->common_prefixes, error))
            return NULL;
        }
    }

  if (!optional_truncated (root, &page->is_truncated, reply, error))
    return NULL;
  if (page->is_truncated)
    {
      page->next_continuation_token = child_text (root, "NextContinuationToken");
      /* Without a token the caller could only start over or stop short: both wrong. */
      if (page->next_continuation_token == NULL || *page->next_continuation_token == '\0')
        {
          set_malformed (error, reply, _("the listing is truncated but has no continuation "
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

  if ((doc = read_reply (xml, length, "GetBucketLocation", error)) == NULL ||
      (root = expect_root (doc, "LocationConstraint", "GetBucketLocation", error)) == NULL)
    return NULL;

  region = g_strstrip (node_text (root));
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

  if ((doc = read_reply (xml, length, reply, error)) == NULL ||
      (root = expect_root (doc, "InitiateMultipartUploadResult", reply, error)) == NULL)
    return NULL;

  upload_id = required_text (root, "UploadId", FALSE, reply, error);
  if (upload_id != NULL && *upload_id == '\0')
    {
      set_malformed (error, reply, _("the upload id is empty"));
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

  if ((doc = read_reply (xml, length, reply, error)) == NULL)
    return NULL;
  root = xmlDocGetRootElement (doc);
  if (take_embedded_error (root, error))
    return NULL;
  if (alt_root_name == NULL || !is_element (root, alt_root_name))
    if ((root = expect_root (doc, root_name, reply, error)) == NULL)
      return NULL;

  if ((etag = required_text (root, "ETag", FALSE, reply, error)) == NULL)
    return NULL;
  clean = clean_etag (etag);
  if (*clean == '\0')
    {
      set_malformed (error, reply, _("the ETag is empty"));
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

  if ((upload->key = required_text (node, "Key", url_encoded, reply, error)) == NULL ||
      (upload->upload_id = required_text (node, "UploadId", FALSE, reply, error)) == NULL)
    return NULL;
  initiated = child_text (node, "Initiated");
  if (initiated != NULL && !parse_time (initiated, &upload->initiated, reply, error))
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

  if ((doc = read_reply (xml, length, reply, error)) == NULL ||
      (root = expect_root (doc, "ListMultipartUploadsResult", reply, error)) == NULL)
    return NULL;

  /* This reply says itself whether keys are encoded. */
  encoding = child_text (root, "EncodingType");
  url_encoded = g_strcmp0 (encoding, "url") == 0;

  uploads = g_ptr_array_new_with_free_func ((GDestroyNotify) octopus_s3_upload_free);
  for (xmlNode *n = root->children; n != NULL; n = n->next)
    {
      OctopusS3Upload *upload;

      if (!is_element (n, "Upload"))
        continue;
      if ((upload = parse_upload (n, url_encoded, error)) == NULL)
        return NULL;
      g_ptr_array_add (uploads, upload);
    }

  if (!optional_truncated (root, &truncated, reply, error))
    return NULL;
  if (truncated)
    {
      if ((key_marker = required_text (root, "NextKeyMarker", url_encoded, reply, error)) ==
            NULL ||
          (upload_id_marker = required_text (root, "NextUploadIdMarker", FALSE, reply,
                                             error)) == NULL)
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
  g_autofree char *number = child_text (node, "PartNumber");
  g_autofree char *etag = child_text (node, "ETag");
  g_autofree char *size = child_text (node, "Size");

  if (!parse_part_number (number, &part->number, reply, error))
    return NULL;
  if (size != NULL && !parse_size (size, &part->size, reply, error))
    return NULL;
  part->etag = clean_etag (etag);
  if (part->etag == NULL || *part->etag == '\0')
    {
      set_malformed (error, reply, _("a part has no ETag"));
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

  if ((doc = read_reply (xml, length, reply, error)) == NULL ||
      (root = expect_root (doc, "ListPartsResult", reply, error)) == NULL)
    return NULL;

  parts = g_ptr_array_new_with_free_func ((GDestroyNotify) octopus_s3_part_free);
  for (xmlNode *n = root->children; n != NULL; n = n->next)
    {
      OctopusS3Part *part;

      if (!is_element (n, "Part"))
        continue;
      if ((part = parse_part (n, error)) == NULL)
        return NULL;
      g_ptr_array_add (parts, part);
    }

  if (!optional_truncated (root, &truncated, reply, error))
    return NULL;
  if (truncated)
    {
      g_autofree char *marker = child_text (root, "NextPartNumberMarker");
      guint number;

      if (!parse_part_number (marker, &number, reply, error))
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
  if (find_child (grantee, "URI") != NULL)
    *out = OCTOPUS_S3_GRANTEE_GROUP;
  else if (find_child (grantee, "EmailAddress") != NULL)
    *out = OCTOPUS_S3_GRANTEE_EMAIL;
  else if (find_child (grantee, "ID") != NULL)
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
  g_autofree char *permission = child_text (node, "Permission");
  xmlNode *grantee = find_child (node, "Grantee");

  if (!octopus_s3_permission_from_string (permission, &grant->permission))
    {
      g_debug ("GetObjectAcl: grant skipped, “%s” is not a permission",
               permission ? permission : "(none)");
      return NULL;
    }
  if (grantee == NULL || !grantee_type_from_node (grantee, &grant->type))
    {
      set_malformed (error, reply, _("a grant has no grantee of a known type"));
      return NULL;
    }

  grant->id = child_text (grantee, "ID");
  grant->display_name = child_text (grantee, "DisplayName");
  grant->uri = child_text (grantee, "URI");
  grant->email = child_text (grantee, "EmailAddress");

  if ((grant->type == OCTOPUS_S3_GRANTEE_CANONICAL_USER && grant->id == NULL) ||
      (grant->type == OCTOPUS_S3_GRANTEE_GROUP && grant->uri == NULL) ||
      (grant->type == OCTOPUS_S3_GRANTEE_EMAIL && grant->email == NULL))
    {
      set_malformed (error, reply, _("a grantee lacks its identifier"));
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

  if ((doc = read_reply (xml, length, reply, error)) == NULL ||
      (root = expect_root (doc, "AccessControlPolicy", reply, error)) == NULL)
    return NULL;

  acl = octopus_s3_acl_new ();
  if ((owner = find_child (root, "Owner")) != NULL)
    {
      acl->owner_id = child_text (owner, "ID");
      acl->owner_display_name = child_text (owner, "DisplayName");
    }

  list = find_child (root, "AccessControlList");
  for (xmlNode *n = list != NULL ? list->children : NULL; n != NULL; n = n->next)
    {
      OctopusS3Grant *grant;
      GError *local_error = NULL;

      if (!is_element (n, "Grant"))
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

  if ((doc = read_reply (xml, length, reply, error)) == NULL)
    return NULL;
  /* A whole-request failure (e.g. AccessDenied on the bucket) can come as a bare <Error>. */
  if (take_embedded_error (xmlDocGetRootElement (doc), error))
    return NULL;
  if ((root = expect_root (doc, "DeleteResult", reply, error)) == NULL)
    return NULL;

  failures = g_ptr_array_new_with_free_func ((GDestroyNotify) octopus_s3_delete_error_free);
  for (xmlNode *n = root->children; n != NULL; n = n->next)
    {
      g_autoptr(OctopusS3DeleteError) failure = NULL;

      if (!is_element (n, "Error"))
        continue;
      failure = g_new0 (OctopusS3DeleteError, 1);
      if ((failure->key = required_text (n, "Key", FALSE, reply, error)) == NULL)
        return NULL;
      failure->code = child_text (n, "Code");
      failure->message = child_text (n, "Message");
      g_ptr_array_add (failures, g_steal_pointer (&failure));
    }
  return g_steal_pointer (&failures);
}

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
