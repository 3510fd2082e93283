/* SPDX-License-Identifier: GPL-3.0-or-later */
/* octopus-cli-facts.c — `octopus-cli info KEY` (every copy of one key side by side, with the
 * reason for its state) and `octopus-cli usage` (totals per service and per folder). */
#include "config.h"

#include <stdio.h>
#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>

#include "octopus-array-info.h"
#include "octopus-usage.h"
#include "octopus-cli.h"
#include "octopus-cli-crypt.h"
#include "octopus-cli-array.h"
#include "octopus-cli-facts.h"

const char octopus_cli_info_synopsis[] =
  /* Translators: translate the prose; keep the “octopus-cli …” lines as they are. */
  N_("  octopus-cli info KEY [--json]\n"
     "        Every service's copy of KEY side by side: size, MD5 and where it came from,\n"
     "        ETag, last modified, content type, storage class, metadata, version, ACL, and\n"
     "        the copy's state with its reason (\"differs: MD5 … where 2 services hold …\").");
const char octopus_cli_usage_synopsis[] =
  /* Translators: translate the prose; keep the “octopus-cli …” lines as they are. */
  N_("  octopus-cli usage [--json]\n"
     "        Per service: objects and bytes held, copies missing, differing and\n"
     "        unreachable, and objects whose only good copy is there (at risk). --json adds\n"
     "        the same totals per top-level folder.");

/* ---- shared ----------------------------------------------------------------------------- */

static void
add_string_or_null (JsonBuilder *b,
                    const char  *name,
                    const char  *value)
{
  json_builder_set_member_name (b, name);
  if (value != NULL)
    json_builder_add_string_value (b, value);
  else
    json_builder_add_null_value (b);
}

static void
add_int (JsonBuilder *b,
         const char  *name,
         gint64       value)
{
  json_builder_set_member_name (b, name);
  json_builder_add_int_value (b, value);
}

/* ISO 8601 in UTC, NULL when unknown (0). */
static char *
format_time (gint64 unix_seconds)
{
  g_autoptr(GDateTime) when = NULL;

  if (unix_seconds <= 0)
    return NULL;
  when = g_date_time_new_from_unix_utc (unix_seconds);
  return when != NULL ? g_date_time_format_iso8601 (when) : NULL;
}

/* Metadata names sorted, so that the output does not depend on hash order. */
static GList *
sorted_names (GHashTable *metadata)
{
  return g_list_sort (g_hash_table_get_keys (metadata), (GCompareFunc) g_strcmp0);
}

/* ---- info ------------------------------------------------------------------------------- */

static void
add_acl_json (JsonBuilder           *b,
              const OctopusCopyInfo *copy)
{
  g_autofree char *summary = octopus_copy_info_dup_acl_summary (copy);

  json_builder_set_member_name (b, "acl");
  json_builder_begin_object (b);
  add_string_or_null (b, "status", octopus_result_status_to_string (copy->acl_status));
  add_string_or_null (b, "canned", copy->acl_canned);
  json_builder_set_member_name (b, "grants");
  if (copy->acl_status == OCTOPUS_RESULT_OK)
    json_builder_add_int_value (b, copy->acl_n_grants);
  else
    json_builder_add_null_value (b);
  add_string_or_null (b, "summary", summary);
  json_builder_end_object (b);
}

static void
add_copy_json (JsonBuilder           *b,
               const OctopusCopyInfo *copy)
{
  g_autofree char *modified = format_time (copy->last_modified);
  g_autoptr(GList) names = sorted_names (copy->metadata);

  json_builder_set_member_name (b, copy->service);
  json_builder_begin_object (b);
  add_string_or_null (b, "state", octopus_object_state_to_string (copy->state));
  add_string_or_null (b, "reason", copy->reason);
  json_builder_set_member_name (b, "present");
  json_builder_add_boolean_value (b, copy->present);
  json_builder_set_member_name (b, "size");
  if (copy->present)
    json_builder_add_int_value (b, copy->size);
  else
    json_builder_add_null_value (b);
  add_string_or_null (b, "md5", copy->md5);
  add_string_or_null (b, "md5_source",
                      copy->present ? octopus_copy_md5_source_to_string (copy->md5_source) : NULL);
  add_string_or_null (b, "etag", copy->etag);
  add_string_or_null (b, "last_modified", modified);
  add_string_or_null (b, "content_type", copy->content_type);
  add_string_or_null (b, "storage_class", copy->storage_class);
  json_builder_set_member_name (b, "metadata");
  json_builder_begin_object (b);
  for (GList *l = names; l != NULL; l = l->next)
    add_string_or_null (b, l->data, g_hash_table_lookup (copy->metadata, l->data));
  json_builder_end_object (b);
  add_string_or_null (b, "version_id", copy->version_id);
  add_acl_json (b, copy);
  add_string_or_null (b, "error", copy->error);
  json_builder_end_object (b);
}

static void
print_info_json (OctopusObject *row,
                 GPtrArray     *copies)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  add_string_or_null (b, "key", octopus_object_get_key (row));
  add_int (b, "size", octopus_object_get_size (row));
  add_string_or_null (b, "md5", octopus_object_get_md5 (row));
  add_string_or_null (b, "state", octopus_object_state_to_string (octopus_object_get_state (row)));
  json_builder_set_member_name (b, "services");
  json_builder_begin_object (b);
  for (guint i = 0; i < copies->len; i++)
    add_copy_json (b, g_ptr_array_index (copies, i));
  json_builder_end_object (b);
  json_builder_end_object (b);
  octopus_cli_print_json (b);
}

static void
print_fact (const char *label,
            const char *value)
{
  printf ("  %s: %s\n", label, value != NULL ? value : "-");
}

static void
print_copy_text (const OctopusCopyInfo *copy)
{
  g_autofree char *size = g_strdup_printf ("%" G_GINT64_FORMAT, copy->size);
  g_autofree char *md5 = NULL;
  g_autofree char *modified = format_time (copy->last_modified);
  g_autofree char *acl = octopus_copy_info_dup_acl_summary (copy);
  g_autoptr(GList) names = sorted_names (copy->metadata);

  printf ("%s\n", copy->service);
  print_fact (_("State"), copy->reason);
  if (copy->error != NULL)
    print_fact (_("Error"), copy->error);
  if (!copy->present)
    return;
  md5 = g_strdup_printf ("%s (%s)", copy->md5 ? copy->md5 : "-",
                         octopus_copy_md5_source_to_string (copy->md5_source));
  print_fact (_("Size"), size);
  print_fact (_("MD5"), md5);
  print_fact (_("ETag"), copy->etag);
  print_fact (_("Last modified"), modified);
  print_fact (_("Content type"), copy->content_type);
  print_fact (_("Storage class"), copy->storage_class);
  print_fact (_("Version"), copy->version_id);
  print_fact (_("ACL"), acl);
  for (GList *l = names; l != NULL; l = l->next)
    {
      g_autofree char *label = g_strdup_printf (_("Metadata %s"), (const char *) l->data);
      print_fact (label, g_hash_table_lookup (copy->metadata, l->data));
    }
}

static void
print_info_text (OctopusObject *row,
                 GPtrArray     *copies)
{
  g_autofree char *key = octopus_cli_printable_key (octopus_object_get_key (row));

  printf ("%s\t%" G_GINT64_FORMAT "\t%s\t%s\n", key, octopus_object_get_size (row),
          octopus_object_get_md5 (row) ? octopus_object_get_md5 (row) : "-",
          octopus_object_state_to_string (octopus_object_get_state (row)));
  for (guint i = 0; i < copies->len; i++)
    print_copy_text (g_ptr_array_index (copies, i));
}

int
octopus_cli_info (int    argc,
                  char **argv)
{
  gboolean json = FALSE;
  GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print one JSON document"), NULL },
    { NULL }
  };
  g_autoptr(OctopusArray) array = NULL;
  g_autoptr(GAsyncResult) res = NULL;
  g_autoptr(GPtrArray) copies = NULL;
  g_autoptr(GError) error = NULL;
  GAsyncResult *pending = NULL;
  gboolean unreachable;

  if (!octopus_cli_parse_options (&argc, &argv, "KEY", _(octopus_cli_info_synopsis), entries))
    return OCTOPUS_CLI_EXIT_USAGE;
  if (argc != 2)
    {
      octopus_cli_error (_("info takes one KEY"));
      return OCTOPUS_CLI_EXIT_USAGE;
    }

  array = octopus_cli_load_array (TRUE, OCTOPUS_ARRAY_REFRESH_NONE);
  if (array == NULL)
    return OCTOPUS_CLI_EXIT_FAILED;
  unreachable = octopus_cli_report_unreachable (array);
  octopus_cli_crypt_map_names (array, argv, 1, 2);
  octopus_array_info_async (array, argv[1], NULL, octopus_cli_async_done, &pending);
  res = octopus_cli_wait (&pending);
  copies = octopus_array_info_finish (array, res, &error);
  if (copies == NULL)
    {
      octopus_cli_error ("%s", error->message);
      return OCTOPUS_CLI_EXIT_FAILED;
    }
  if (json)
    print_info_json (octopus_object_table_lookup (octopus_array_get_table (array), argv[1]),
                     copies);
  else
    print_info_text (octopus_object_table_lookup (octopus_array_get_table (array), argv[1]),
                     copies);
  return unreachable ? OCTOPUS_CLI_EXIT_FAILED : OCTOPUS_CLI_EXIT_OK;
}

/* ---- usage ------------------------------------------------------------------------------ */

static void
add_counts_json (JsonBuilder              *b,
                 const OctopusUsageCounts *c)
{
  add_int (b, "objects", (gint64) c->objects);
  add_int (b, "bytes", (gint64) c->bytes);
  add_int (b, "missing", (gint64) c->missing);
  add_int (b, "differing", (gint64) c->differing);
  add_int (b, "unreachable", (gint64) c->unreachable);
  add_int (b, "at_risk", (gint64) c->at_risk);
}

/* The group's services as an object keyed by service name. */
static void
add_group_services_json (JsonBuilder             *b,
                         const OctopusUsage      *usage,
                         const OctopusUsageGroup *group)
{
  json_builder_set_member_name (b, "services");
  json_builder_begin_object (b);
  for (guint i = 0; i < usage->n_services; i++)
    {
      json_builder_set_member_name (b, usage->service_names[i]);
      json_builder_begin_object (b);
      add_counts_json (b, &group->services[i]);
      json_builder_end_object (b);
    }
  json_builder_end_object (b);
}

static void
print_usage_json (OctopusArray       *array,
                  const OctopusUsage *usage)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  add_int (b, "objects", (gint64) usage->total->keys);
  add_int (b, "at_risk", (gint64) usage->total->at_risk);
  add_group_services_json (b, usage, usage->total);
  json_builder_set_member_name (b, "reachable");
  json_builder_begin_object (b);
  for (guint i = 0; i < usage->n_services; i++)
    {
      json_builder_set_member_name (b, usage->service_names[i]);
      json_builder_add_boolean_value (b, octopus_service_get_reachable (
                                           octopus_array_get_service (array, i)));
    }
  json_builder_end_object (b);
  json_builder_set_member_name (b, "folders");
  json_builder_begin_array (b);
  for (guint f = 0; f < usage->folders->len; f++)
    {
      const OctopusUsageGroup *group = g_ptr_array_index (usage->folders, f);

      json_builder_begin_object (b);
      add_string_or_null (b, "folder", group->folder);
      add_int (b, "objects", (gint64) group->keys);
      add_int (b, "at_risk", (gint64) group->at_risk);
      add_group_services_json (b, usage, group);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
  octopus_cli_print_json (b);
}

static void
print_usage_text (const OctopusUsage *usage)
{
  g_autofree char *keys = NULL;
  g_autofree char *at_risk = NULL;

  printf ("%s\t%s\t%s\t%s\t%s\t%s\t%s\n", _("SERVICE"), _("OBJECTS"), _("BYTES"), _("MISSING"),
          _("DIFFERING"), _("UNREACHABLE"), _("AT RISK"));
  for (guint i = 0; i < usage->n_services; i++)
    {
      const OctopusUsageCounts *c = &usage->total->services[i];

      printf ("%s\t%" G_GUINT64_FORMAT "\t%" G_GUINT64_FORMAT "\t%" G_GUINT64_FORMAT
              "\t%" G_GUINT64_FORMAT "\t%" G_GUINT64_FORMAT "\t%" G_GUINT64_FORMAT "\n",
              usage->service_names[i], c->objects, c->bytes, c->missing, c->differing,
              c->unreachable, c->at_risk);
    }
  /* The counts as strings: a format macro inside a msgid would not reach the catalogue. */
  keys = g_strdup_printf ("%" G_GUINT64_FORMAT, usage->total->keys);
  at_risk = g_strdup_printf ("%" G_GUINT64_FORMAT, usage->total->at_risk);
  printf (g_dngettext (GETTEXT_PACKAGE, "%s object; %s with one good copy only\n",
                       "%s objects; %s with one good copy only\n",
                       (gulong) MIN (usage->total->keys, G_MAXULONG)),
          keys, at_risk);
}

int
octopus_cli_usage (int    argc,
                   char **argv)
{
  gboolean json = FALSE;
  GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print one JSON document"), NULL },
    { NULL }
  };
  g_autoptr(OctopusArray) array = NULL;
  g_autoptr(OctopusUsage) usage = NULL;
  gboolean unreachable;

  if (!octopus_cli_parse_options (&argc, &argv, "", _(octopus_cli_usage_synopsis), entries))
    return OCTOPUS_CLI_EXIT_USAGE;
  if (argc > 1)
    {
      octopus_cli_error (_("usage takes no arguments"));
      return OCTOPUS_CLI_EXIT_USAGE;
    }

  array = octopus_cli_load_array (TRUE, OCTOPUS_ARRAY_REFRESH_NONE);
  if (array == NULL)
    return OCTOPUS_CLI_EXIT_FAILED;
  unreachable = octopus_cli_report_unreachable (array);
  usage = octopus_usage_compute (octopus_array_get_table (array));
  if (json)
    print_usage_json (array, usage);
  else
    print_usage_text (usage);
  return unreachable ? OCTOPUS_CLI_EXIT_FAILED : OCTOPUS_CLI_EXIT_OK;
}
