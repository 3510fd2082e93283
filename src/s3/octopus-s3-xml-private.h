/* SPDX-License-Identifier: GPL-3.0-or-later */
/* octopus-s3-xml-private.h — the hardened reader and the document walking and field
 * conversion helpers shared by octopus-s3-xml.c and the parsers in octopus-s3-xml-parse.c.
 * Internal to src/s3.
 */
#pragma once

#include <glib.h>
#include <libxml/tree.h>

#include "octopus-s3-xml.h"

G_BEGIN_DECLS

G_DEFINE_AUTOPTR_CLEANUP_FUNC (xmlDoc, xmlFreeDoc)

#define MAX_PART_NUMBER 10000

void      _octopus_s3_xml_set_malformed       (GError    **error,
                                               const char *reply,
                                               const char *why);
xmlDoc   *_octopus_s3_xml_read_reply          (const char *xml,
                                               gsize       length,
                                               const char *reply,
                                               GError    **error);

gboolean  _octopus_s3_xml_is_element          (xmlNode    *node,
                                               const char *local_name);
xmlNode  *_octopus_s3_xml_find_child          (xmlNode    *parent,
                                               const char *local_name);
char     *_octopus_s3_xml_node_text           (xmlNode *node);
char     *_octopus_s3_xml_child_text          (xmlNode    *parent,
                                               const char *local_name);
xmlNode  *_octopus_s3_xml_expect_root         (xmlDoc     *doc,
                                               const char *local_name,
                                               const char *reply,
                                               GError    **error);
gboolean  _octopus_s3_xml_take_embedded_error (xmlNode *root,
                                               GError **error);

char     *_octopus_s3_xml_clean_etag          (const char *raw);
gboolean  _octopus_s3_xml_parse_time          (const char *text,
                                               gint64     *out,
                                               const char *reply,
                                               GError    **error);
gboolean  _octopus_s3_xml_parse_size          (const char *text,
                                               gint64     *out,
                                               const char *reply,
                                               GError    **error);
gboolean  _octopus_s3_xml_parse_part_number   (const char *text,
                                               guint      *out,
                                               const char *reply,
                                               GError    **error);
char     *_octopus_s3_xml_url_decode          (const char *text,
                                               const char *reply,
                                               GError    **error);
char     *_octopus_s3_xml_required_text       (xmlNode    *parent,
                                               const char *local_name,
                                               gboolean    url_encoded,
                                               const char *reply,
                                               GError    **error);
gboolean  _octopus_s3_xml_optional_truncated  (xmlNode    *root,
                                               gboolean   *out,
                                               const char *reply,
                                               GError    **error);

G_END_DECLS
