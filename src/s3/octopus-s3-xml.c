/* SPDX-License-Identifier: GPL-3.0-or-later */
/* octopus-s3-xml.c — the hardened libxml2 reader for S3 replies, and the helpers the parsers
 * (octopus-s3-xml-parse.c) share; the request body builders are in octopus-s3-xml-build.c.
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
#include "octopus-s3-xml-private.h"

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
void
_octopus_s3_xml_set_malformed (GError    **error,
                               const char *reply,
                               const char *why)
{
  g_set_error (error, OCTOPUS_S3_ERROR, OCTOPUS_S3_ERROR_MALFORMED_REPLY,
               _("the %s reply is not valid: %s"), reply, why);
}

/* Parses @xml into a document, or fails with MALFORMED_REPLY naming @reply. */
xmlDoc *
_octopus_s3_xml_read_reply (const char *xml,
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
      _octopus_s3_xml_set_malformed (error, reply, _("the reply is empty"));
      return NULL;
    }
  if (length > OCTOPUS_S3_XML_MAX_SIZE || length > G_MAXINT)
    {
      _octopus_s3_xml_set_malformed (error, reply, _("the reply is too large"));
      return NULL;
    }

  ensure_libxml_initialized ();

  ctxt = xmlCreateMemoryParserCtxt (xml, (int) length);
  if (ctxt == NULL)
    {
      _octopus_s3_xml_set_malformed (error, reply, _("the XML parser could not start"));
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
      _octopus_s3_xml_set_malformed (error, reply, _("it contains a document type declaration"));
      g_clear_pointer (&doc, xmlFreeDoc);
    }
  else if (!well_formed || doc == NULL || xmlDocGetRootElement (doc) == NULL)
    {
      _octopus_s3_xml_set_malformed (error, reply,
                                     state.first_error != NULL ? state.first_error
                                                               : _("it is not XML"));
      g_clear_pointer (&doc, xmlFreeDoc);
    }

  g_free (state.first_error);
  return doc;
}

/* ---------------------------------------------------------------------------------------- */
/* Walking a document                                                                       */

/* libxml2 keeps the local name in node->name and the namespace apart, so comparing names
 * ignores namespaces and prefixes, as S3-compatible servers disagree about them. */
gboolean
_octopus_s3_xml_is_element (xmlNode    *node,
                            const char *local_name)
{
  return node != NULL && node->type == XML_ELEMENT_NODE &&
         xmlStrEqual (node->name, (const xmlChar *) local_name);
}

xmlNode *
_octopus_s3_xml_find_child (xmlNode    *parent,
                            const char *local_name)
{
  for (xmlNode *child = parent->children; child != NULL; child = child->next)
    if (_octopus_s3_xml_is_element (child, local_name))
      return child;
  return NULL;
}

char *
_octopus_s3_xml_node_text (xmlNode *node)
{
  xmlChar *content = xmlNodeGetContent (node);
  char *text = g_strdup (content != NULL ? (const char *) content : "");

  xmlFree (content);
  return text;
}

/* Text of the first child named @local_name, or NULL when there is none. */
char *
_octopus_s3_xml_child_text (xmlNode    *parent,
                            const char *local_name)
{
  xmlNode *child = _octopus_s3_xml_find_child (parent, local_name);

  return child != NULL ? _octopus_s3_xml_node_text (child) : NULL;
}

xmlNode *
_octopus_s3_xml_expect_root (xmlDoc     *doc,
                             const char *local_name,
                             const char *reply,
                             GError    **error)
{
  xmlNode *root = xmlDocGetRootElement (doc);

  if (!_octopus_s3_xml_is_element (root, local_name))
    {
      g_autofree char *why = g_strdup_printf (_("expected <%s>, got <%s>"), local_name,
                                              (const char *) root->name);
      _octopus_s3_xml_set_malformed (error, reply, why);
      return NULL;
    }
  return root;
}

/* An <Error> document as the reply to a request that succeeded at the HTTP level (S3 sends
 * those for CompleteMultipartUpload and CopyObject): sets the S3 error it describes. */
gboolean
_octopus_s3_xml_take_embedded_error (xmlNode *root,
                                     GError **error)
{
  g_autofree char *code = NULL;
  g_autofree char *message = NULL;
  g_autofree char *request_id = NULL;

  if (!_octopus_s3_xml_is_element (root, "Error"))
    return FALSE;

  code = _octopus_s3_xml_child_text (root, "Code");
  message = _octopus_s3_xml_child_text (root, "Message");
  request_id = _octopus_s3_xml_child_text (root, "RequestId");
  g_propagate_error (error, octopus_s3_error_new (NULL, 200, code, message, request_id));
  return TRUE;
}

/* ---------------------------------------------------------------------------------------- */
/* Field conversions                                                                        */

/* ETags arrive as "\"abc\"", &quot;abc&quot; (decoded by the parser), or double-escaped as
 * the literal text &quot;abc&quot; by some gateways; all become abc. */
char *
_octopus_s3_xml_clean_etag (const char *raw)
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

gboolean
_octopus_s3_xml_parse_time (const char *text,
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
      _octopus_s3_xml_set_malformed (error, reply, why);
      return FALSE;
    }
  *out = g_date_time_to_unix (time);
  return TRUE;
}

gboolean
_octopus_s3_xml_parse_size (const char *text,
                            gint64     *out,
                            const char *reply,
                            GError    **error)
{
  g_autoptr(GError) local_error = NULL;

  if (text == NULL ||
      !g_ascii_string_to_signed (text, 10, 0, G_MAXINT64, out, &local_error))
    {
      g_autofree char *why = g_strdup_printf (_("“%s” is not a size"), text ? text : "");
      _octopus_s3_xml_set_malformed (error, reply, why);
      return FALSE;
    }
  return TRUE;
}

gboolean
_octopus_s3_xml_parse_part_number (const char *text,
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
      _octopus_s3_xml_set_malformed (error, reply, why);
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
      _octopus_s3_xml_set_malformed (error, reply, why);
      return FALSE;
    }
  return TRUE;
}

/* encoding-type=url: S3 encodes keys like an HTML form, space as '+', '+' as %2B. */
char *
_octopus_s3_xml_url_decode (const char *text,
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
      _octopus_s3_xml_set_malformed (error, reply, why);
      return NULL;
    }
  return decoded;
}

/* A required element's text, decoded when @url_encoded. */
char *
_octopus_s3_xml_required_text (xmlNode    *parent,
                               const char *local_name,
                               gboolean    url_encoded,
                               const char *reply,
                               GError    **error)
{
  g_autofree char *text = _octopus_s3_xml_child_text (parent, local_name);

  if (text == NULL)
    {
      g_autofree char *why = g_strdup_printf (_("<%s> is missing in <%s>"), local_name,
                                              (const char *) parent->name);
      _octopus_s3_xml_set_malformed (error, reply, why);
      return NULL;
    }
  if (url_encoded)
    return _octopus_s3_xml_url_decode (text, reply, error);
  return g_steal_pointer (&text);
}

gboolean
_octopus_s3_xml_optional_truncated (xmlNode    *root,
                                    gboolean   *out,
                                    const char *reply,
                                    GError    **error)
{
  g_autofree char *text = _octopus_s3_xml_child_text (root, "IsTruncated");

  *out = FALSE;
  return text == NULL || parse_bool (text, out, reply, error);
}
