/* SPDX-License-Identifier: GPL-3.0-or-later */
/* octopus-cli-acl.c — `octopus-cli acl get|set|grant|revoke`: each service's ACL of a key, and
 * changes made on every service that supports ACLs (each keeps its own owner). */
#include "config.h"

#include <stdio.h>
#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>

#include "octopus-array.h"
#include "octopus-cli.h"
#include "octopus-cli-array.h"
#include "octopus-cli-crypt.h"

const char octopus_cli_acl_synopsis[] =
  /* Translators: translate the prose; keep the “octopus-cli …” lines as they are. */
  N_("  octopus-cli acl get KEY [--json] | acl set KEY CANNED\n"
     "        Show each service's ACL for KEY and whether they agree, or set a canned ACL\n"
     "        (private, public-read, public-read-write, authenticated-read) everywhere ACLs\n"
     "        are supported.\n"
     "  octopus-cli acl grant KEY... GRANTEE PERMISSION | acl revoke KEY... GRANTEE\n"
     "        Add a grant to, or remove every grant of GRANTEE from, each service's ACL,\n"
     "        which keeps its own owner. GRANTEE: everyone, authenticated, id:ID or\n"
     "        email:ADDRESS; PERMISSION: READ, WRITE, READ_ACP, WRITE_ACP, FULL_CONTROL.");

/* As `acl get` has always printed it: AllUsers, AuthenticatedUsers, owner, the id, … */
static const char *
grantee_of (const OctopusAclGrant *g)
{
  switch (g->grantee.kind)
    {
    case OCTOPUS_GRANTEE_EVERYONE: return "AllUsers";
    case OCTOPUS_GRANTEE_AUTHENTICATED: return "AuthenticatedUsers";
    case OCTOPUS_GRANTEE_OWNER: return "owner";
    case OCTOPUS_GRANTEE_USER_ID:
    case OCTOPUS_GRANTEE_EMAIL:
    case OCTOPUS_GRANTEE_OTHER:
    default: return g->grantee.value;
    }
}

static void
print_acls_json (const char *key,
                 GPtrArray  *acls)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "key");
  json_builder_add_string_value (b, key);
  json_builder_set_member_name (b, "agree");
  json_builder_add_boolean_value (b, octopus_array_acls_agree (acls));
  json_builder_set_member_name (b, "services");
  json_builder_begin_object (b);
  for (guint i = 0; i < acls->len; i++)
    {
      OctopusArrayAcl *entry = g_ptr_array_index (acls, i);

      json_builder_set_member_name (b, entry->service);
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "status");
      json_builder_add_string_value (b, octopus_result_status_to_string (entry->status));
      if (entry->message != NULL)
        {
          json_builder_set_member_name (b, "message");
          json_builder_add_string_value (b, entry->message);
        }
      if (entry->acl != NULL)
        {
          const char *canned = octopus_acl_to_canned (entry->acl);
          g_autoptr(GPtrArray) grants = NULL;

          json_builder_set_member_name (b, "canned");
          if (canned != NULL)
            json_builder_add_string_value (b, canned);
          else
            json_builder_add_null_value (b);
          json_builder_set_member_name (b, "grants");
          json_builder_begin_array (b);
          grants = octopus_acl_policy_grants (entry->acl);
          for (guint j = 0; j < grants->len; j++)
            {
              const OctopusAclGrant *g = g_ptr_array_index (grants, j);

              json_builder_begin_object (b);
              json_builder_set_member_name (b, "grantee");
              json_builder_add_string_value (b, grantee_of (g));
              json_builder_set_member_name (b, "permission");
              json_builder_add_string_value (b, octopus_permission_to_string (g->permission));
              json_builder_end_object (b);
            }
          json_builder_end_array (b);
        }
      json_builder_end_object (b);
    }
  json_builder_end_object (b);
  json_builder_end_object (b);
  octopus_cli_print_json (b);
}

static void
print_acls_text (GPtrArray *acls)
{
  for (guint i = 0; i < acls->len; i++)
    {
      OctopusArrayAcl *entry = g_ptr_array_index (acls, i);
      GString *line = g_string_new (entry->service);

      if (entry->acl != NULL)
        {
          const char *canned = octopus_acl_to_canned (entry->acl);
          g_autoptr(GPtrArray) grants = octopus_acl_policy_grants (entry->acl);

          g_string_append_printf (line, "\t%s", canned ? canned : "custom");
          for (guint j = 0; j < grants->len; j++)
            {
              const OctopusAclGrant *g = g_ptr_array_index (grants, j);
              g_string_append_printf (line, "\t%s:%s", grantee_of (g),
                                      octopus_permission_to_string (g->permission));
            }
        }
      else
        g_string_append_printf (line, "\t%s: %s", octopus_result_status_to_string (entry->status),
                                entry->message ? entry->message : "");
      printf ("%s\n", line->str);
      g_string_free (line, TRUE);
    }
  printf ("%s\n", octopus_array_acls_agree (acls) ? _("The services agree.")
                                                  : _("The services disagree."));
}

static int
acl_get (OctopusArray *array,
         const char   *key,
         gboolean      json)
{
  g_autoptr(GAsyncResult) res = NULL;
  g_autoptr(GPtrArray) acls = NULL;
  g_autoptr(GError) error = NULL;
  GAsyncResult *pending = NULL;
  gboolean failed = FALSE;

  octopus_array_get_acl_async (array, key, NULL, octopus_cli_async_done, &pending);
  res = octopus_cli_wait (&pending);
  acls = octopus_array_get_acl_finish (array, res, &error);
  if (acls == NULL)
    {
      octopus_cli_error ("%s", error->message);
      return OCTOPUS_CLI_EXIT_FAILED;
    }
  if (json)
    print_acls_json (key, acls);
  else
    print_acls_text (acls);
  for (guint i = 0; i < acls->len; i++)
    {
      OctopusArrayAcl *entry = g_ptr_array_index (acls, i);
      if (entry->status == OCTOPUS_RESULT_FAILED || entry->status == OCTOPUS_RESULT_UNREACHABLE)
        {
          octopus_cli_error ("%s: %s", entry->service, entry->message);
          failed = TRUE;
        }
    }
  return failed ? OCTOPUS_CLI_EXIT_FAILED : OCTOPUS_CLI_EXIT_OK;
}

/* Applies @change to @key on every service (each keeps its own owner); prints the results. */
static int
acl_change (OctopusArray           *array,
            const char             *key,
            const OctopusAclChange *change)
{
  g_autoptr(GAsyncResult) res = NULL;
  g_autoptr(GPtrArray) results = NULL;
  g_autoptr(GError) error = NULL;
  GAsyncResult *pending = NULL;

  octopus_array_change_acl_async (array, key, change, NULL, octopus_cli_async_done, &pending);
  res = octopus_cli_wait (&pending);
  results = octopus_array_change_acl_finish (array, res, &error);
  if (results == NULL)
    {
      octopus_cli_error ("%s", error->message);
      return OCTOPUS_CLI_EXIT_FAILED;
    }
  return octopus_cli_print_results (results);
}

/* `acl set KEY CANNED`, `acl grant KEY... GRANTEE PERMISSION`, `acl revoke KEY... GRANTEE`
 * → the change and how many leading arguments after the verb are keys; NULL (printed) for a
 * usage error. */
static OctopusAclChange *
parse_acl_change (int     argc,
                  char  **argv,
                  int    *n_keys)
{
  g_autoptr(OctopusGrantee) grantee = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *upper = NULL;
  const char *verb = argc >= 2 ? argv[1] : "";
  OctopusPermission permission;

  if (g_str_equal (verb, "set") && argc == 4)
    {
      if (!octopus_acl_canned_is_valid (argv[3]))
        {
          octopus_cli_error (_("“%s” is not a canned ACL (private, public-read, "
                               "public-read-write, authenticated-read)"), argv[3]);
          return NULL;
        }
      *n_keys = 1;
      return octopus_acl_change_new_canned (argv[3]);
    }
  if (g_str_equal (verb, "revoke") && argc >= 4)
    {
      if ((grantee = octopus_grantee_parse (argv[argc - 1], &error)) == NULL)
        {
          octopus_cli_error ("%s", error->message);
          return NULL;
        }
      *n_keys = argc - 3;
      return octopus_acl_change_new_revoke (grantee);
    }
  if (g_str_equal (verb, "grant") && argc >= 5)
    {
      if ((grantee = octopus_grantee_parse (argv[argc - 2], &error)) == NULL)
        {
          octopus_cli_error ("%s", error->message);
          return NULL;
        }
      upper = g_ascii_strup (argv[argc - 1], -1);
      if (!octopus_permission_from_string (upper, &permission))
        {
          octopus_cli_error (_("“%s” is not a permission (READ, WRITE, READ_ACP, WRITE_ACP, "
                               "FULL_CONTROL)"), argv[argc - 1]);
          return NULL;
        }
      *n_keys = argc - 4;
      return octopus_acl_change_new_grant (grantee, permission);
    }
  octopus_cli_error (_("usage: octopus-cli acl get KEY [--json] | acl set KEY CANNED | "
                       "acl grant KEY... GRANTEE PERMISSION | acl revoke KEY... GRANTEE"));
  return NULL;
}

int
octopus_cli_acl (int    argc,
                 char **argv)
{
  gboolean json = FALSE;
  GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print one JSON document (acl get)"), NULL },
    { NULL }
  };
  g_autoptr(OctopusArray) array = NULL;
  g_autoptr(OctopusAclChange) change = NULL;
  int n_keys = 0;
  int status = OCTOPUS_CLI_EXIT_OK;

  if (!octopus_cli_parse_options (&argc, &argv, "get KEY | set KEY CANNED | "
                                  "grant KEY… GRANTEE PERMISSION | revoke KEY… GRANTEE",
                                  _(octopus_cli_acl_synopsis), entries))
    return OCTOPUS_CLI_EXIT_USAGE;

  if (!(argc == 3 && g_str_equal (argv[1], "get"))
      && (change = parse_acl_change (argc, argv, &n_keys)) == NULL)
    return OCTOPUS_CLI_EXIT_USAGE;

  /* No listing needed: an ACL is asked of every service directly; but with encryption keys,
   * the listing tells an encrypted object's name from an unencrypted object's key. */
  array = octopus_cli_load_array (octopus_cli_crypt_keys (FALSE, NULL) != NULL,
                                  OCTOPUS_ARRAY_REFRESH_NONE);
  if (array == NULL)
    return OCTOPUS_CLI_EXIT_FAILED;
  octopus_cli_crypt_map_names (array, argv, 2, change == NULL ? 3 : 2 + n_keys);

  if (change == NULL)
    return acl_get (array, argv[2], json);
  for (int i = 0; i < n_keys; i++)
    {
      int one = acl_change (array, argv[2 + i], change);   /* not inside MAX: it would run twice */

      status = MAX (status, one);
    }
  return status;
}
