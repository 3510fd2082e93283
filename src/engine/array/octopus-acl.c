/* SPDX-License-Identifier: GPL-3.0-or-later */
/* octopus-acl.c — ACL policy, owned by the engine. */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "octopus-acl.h"

#define GROUP_ALL_USERS OCTOPUS_S3_GROUP_ALL_USERS
#define GROUP_AUTHENTICATED_USERS OCTOPUS_S3_GROUP_AUTHENTICATED_USERS

static const OctopusCannedAcl canned_acls[] = {
  { "private", N_("Private") },
  { "public-read", N_("Everyone can read") },
  { "public-read-write", N_("Everyone can read and write") },
  { "authenticated-read", N_("Authenticated users can read") },
};

/* The one rule for who the owner is: a canonical user grant without an id, or with the
 * policy's owner id.  Every service has its own owner. */
static gboolean
grant_is_owner (const OctopusAclPolicy *policy,
                const OctopusS3Grant   *grant)
{
  return grant->type == OCTOPUS_S3_GRANTEE_CANONICAL_USER &&
         (grant->id == NULL || g_strcmp0 (grant->id, policy->owner_id) == 0);
}

static void
grantee_from_grant (const OctopusAclPolicy *policy,
                    const OctopusS3Grant   *grant,
                    OctopusGrantee         *out)
{
  out->value = NULL;
  out->display_name = g_strdup (grant->display_name);
  if (grant->type == OCTOPUS_S3_GRANTEE_GROUP)
    {
      if (g_strcmp0 (grant->uri, GROUP_ALL_USERS) == 0)
        out->kind = OCTOPUS_GRANTEE_EVERYONE;
      else if (g_strcmp0 (grant->uri, GROUP_AUTHENTICATED_USERS) == 0)
        out->kind = OCTOPUS_GRANTEE_AUTHENTICATED;
      else
        {
          out->kind = OCTOPUS_GRANTEE_OTHER;
          out->value = g_strdup (grant->uri);
        }
    }
  else if (grant->type == OCTOPUS_S3_GRANTEE_EMAIL)
    {
      out->kind = OCTOPUS_GRANTEE_EMAIL;
      out->value = g_strdup (grant->email);
    }
  else if (grant_is_owner (policy, grant))
    out->kind = OCTOPUS_GRANTEE_OWNER;
  else
    {
      out->kind = OCTOPUS_GRANTEE_USER_ID;
      out->value = g_strdup (grant->id);
    }
}

static OctopusS3Grant *
grant_new (const OctopusAclPolicy *policy,
           const OctopusGrantee   *grantee,
           OctopusPermission       permission)
{
  OctopusS3Grant *grant = g_new0 (OctopusS3Grant, 1);

  grant->permission = (OctopusS3Permission) permission;
  switch (grantee->kind)
    {
    case OCTOPUS_GRANTEE_EVERYONE:
      grant->type = OCTOPUS_S3_GRANTEE_GROUP;
      grant->uri = g_strdup (GROUP_ALL_USERS);
      break;
    case OCTOPUS_GRANTEE_AUTHENTICATED:
      grant->type = OCTOPUS_S3_GRANTEE_GROUP;
      grant->uri = g_strdup (GROUP_AUTHENTICATED_USERS);
      break;
    case OCTOPUS_GRANTEE_OWNER:
      grant->type = OCTOPUS_S3_GRANTEE_CANONICAL_USER;
      grant->id = g_strdup (policy->owner_id);
      grant->display_name = g_strdup (policy->owner_display_name);
      break;
    case OCTOPUS_GRANTEE_USER_ID:
      grant->type = OCTOPUS_S3_GRANTEE_CANONICAL_USER;
      grant->id = g_strdup (grantee->value);
      grant->display_name = g_strdup (grantee->display_name);
      break;
    case OCTOPUS_GRANTEE_EMAIL:
      grant->type = OCTOPUS_S3_GRANTEE_EMAIL;
      grant->email = g_strdup (grantee->value);
      break;
    case OCTOPUS_GRANTEE_OTHER:
    default:
      grant->type = OCTOPUS_S3_GRANTEE_GROUP;
      grant->uri = g_strdup (grantee->value);
      break;
    }
  return grant;
}

static OctopusS3Grant *
grant_copy (const OctopusS3Grant *grant)
{
  OctopusS3Grant *copy = g_new0 (OctopusS3Grant, 1);

  copy->type = grant->type;
  copy->id = g_strdup (grant->id);
  copy->display_name = g_strdup (grant->display_name);
  copy->uri = g_strdup (grant->uri);
  copy->email = g_strdup (grant->email);
  copy->permission = grant->permission;
  return copy;
}

static int
compare_lines (gconstpointer a,
               gconstpointer b)
{
  return g_strcmp0 (*(const char * const *) a, *(const char * const *) b);
}

/* One sorted line per grant, the owner's own grants left out (ids differ per service). */
static char *
normalize_policy (const OctopusAclPolicy *policy)
{
  g_autoptr(GPtrArray) lines = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; policy->grants != NULL && i < policy->grants->len; i++)
    {
      const OctopusS3Grant *g = g_ptr_array_index (policy->grants, i);
      const char *perm = octopus_s3_permission_to_string (g->permission);
      char *line;

      if (grant_is_owner (policy, g))
        continue;
      else if (g->type == OCTOPUS_S3_GRANTEE_CANONICAL_USER)
        line = g_strdup_printf ("id %s %s", g->id, perm);
      else if (g->type == OCTOPUS_S3_GRANTEE_GROUP)
        line = g_strdup_printf ("group %s %s", g->uri, perm);
      else
        line = g_strdup_printf ("email %s %s", g->email, perm);
      g_ptr_array_add (lines, line);
    }
  g_ptr_array_sort (lines, compare_lines);
  for (guint i = 1; i < lines->len;)   /* duplicates say nothing more */
    if (g_str_equal (g_ptr_array_index (lines, i), g_ptr_array_index (lines, i - 1)))
      g_ptr_array_remove_index (lines, i);
    else
      i++;
  g_ptr_array_add (lines, NULL);
  return g_strjoinv ("\n", (char **) lines->pdata);
}

void
octopus_acl_policy_free (OctopusAclPolicy *policy)
{
  octopus_s3_acl_free (policy);
}

void
octopus_grantee_free (OctopusGrantee *grantee)
{
  if (grantee == NULL)
    return;
  g_free (grantee->value);
  g_free (grantee->display_name);
  g_free (grantee);
}

OctopusGrantee *
octopus_grantee_copy (const OctopusGrantee *grantee)
{
  OctopusGrantee *copy;

  g_return_val_if_fail (grantee != NULL, NULL);

  copy = g_new0 (OctopusGrantee, 1);
  copy->kind = grantee->kind;
  copy->value = g_strdup (grantee->value);
  copy->display_name = g_strdup (grantee->display_name);
  return copy;
}

OctopusGrantee *
octopus_grantee_parse (const char  *word,
                       GError     **error)
{
  g_autoptr(OctopusGrantee) grantee = g_new0 (OctopusGrantee, 1);

  if (g_strcmp0 (word, "everyone") == 0)
    grantee->kind = OCTOPUS_GRANTEE_EVERYONE;
  else if (g_strcmp0 (word, "authenticated") == 0)
    grantee->kind = OCTOPUS_GRANTEE_AUTHENTICATED;
  else if (word != NULL && g_str_has_prefix (word, "id:") && word[3] != '\0')
    {
      grantee->kind = OCTOPUS_GRANTEE_USER_ID;
      grantee->value = g_strdup (word + 3);
    }
  else if (word != NULL && g_str_has_prefix (word, "email:") && strchr (word + 6, '@') != NULL)
    {
      grantee->kind = OCTOPUS_GRANTEE_EMAIL;
      grantee->value = g_strdup (word + 6);
    }
  else
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("“%s” is not a grantee (everyone, authenticated, id:ID or email:ADDRESS)"),
                   word != NULL ? word : "");
      return NULL;
    }
  return g_steal_pointer (&grantee);
}

char *
octopus_grantee_to_word (const OctopusGrantee *grantee)
{
  g_return_val_if_fail (grantee != NULL, NULL);

  switch (grantee->kind)
    {
    case OCTOPUS_GRANTEE_EVERYONE: return g_strdup ("everyone");
    case OCTOPUS_GRANTEE_AUTHENTICATED: return g_strdup ("authenticated");
    case OCTOPUS_GRANTEE_OWNER: return g_strdup ("owner");
    case OCTOPUS_GRANTEE_USER_ID: return g_strconcat ("id:", grantee->value, NULL);
    case OCTOPUS_GRANTEE_EMAIL: return g_strconcat ("email:", grantee->value, NULL);
    case OCTOPUS_GRANTEE_OTHER:
    default: return g_strdup (grantee->value);
    }
}

char *
octopus_grantee_dup_label (const OctopusGrantee *grantee)
{
  g_return_val_if_fail (grantee != NULL, NULL);

  switch (grantee->kind)
    {
    case OCTOPUS_GRANTEE_EVERYONE: return g_strdup (_("Everyone"));
    case OCTOPUS_GRANTEE_AUTHENTICATED: return g_strdup (_("Authenticated users"));
    case OCTOPUS_GRANTEE_OWNER: return g_strdup (_("Owner"));
    case OCTOPUS_GRANTEE_USER_ID:
      return g_strdup (grantee->display_name != NULL ? grantee->display_name : grantee->value);
    case OCTOPUS_GRANTEE_EMAIL:
    case OCTOPUS_GRANTEE_OTHER:
    default: return g_strdup (grantee->value);
    }
}

gboolean
octopus_grantee_equal (const OctopusGrantee *a,
                       const OctopusGrantee *b)
{
  g_return_val_if_fail (a != NULL && b != NULL, FALSE);

  if (a->kind != b->kind)
    return FALSE;
  switch (a->kind)
    {
    case OCTOPUS_GRANTEE_EVERYONE:
    case OCTOPUS_GRANTEE_AUTHENTICATED:
    case OCTOPUS_GRANTEE_OWNER:
      return TRUE;
    case OCTOPUS_GRANTEE_EMAIL:
      return g_ascii_strcasecmp (a->value, b->value) == 0;
    default:
      return g_strcmp0 (a->value, b->value) == 0;
    }
}

const char *
octopus_permission_to_string (OctopusPermission permission)
{
  return octopus_s3_permission_to_string ((OctopusS3Permission) permission);
}

gboolean
octopus_permission_from_string (const char        *s,
                                OctopusPermission *out)
{
  OctopusS3Permission p;

  if (!octopus_s3_permission_from_string (s, &p))
    return FALSE;
  if (out != NULL)
    *out = (OctopusPermission) p;
  return TRUE;
}

const char *
octopus_permission_get_label (OctopusPermission permission)
{
  switch (permission)
    {
    case OCTOPUS_PERMISSION_READ: return _("Read");
    case OCTOPUS_PERMISSION_WRITE: return _("Write");
    case OCTOPUS_PERMISSION_READ_ACP: return _("Read permissions");
    case OCTOPUS_PERMISSION_WRITE_ACP: return _("Change permissions");
    case OCTOPUS_PERMISSION_FULL_CONTROL: return _("Full control");
    default: return "";
    }
}

void
octopus_acl_grant_free (OctopusAclGrant *grant)
{
  if (grant == NULL)
    return;
  g_free (grant->grantee.value);
  g_free (grant->grantee.display_name);
  g_free (grant);
}

GPtrArray *
octopus_acl_policy_grants (const OctopusAclPolicy *policy)
{
  GPtrArray *grants = g_ptr_array_new_with_free_func ((GDestroyNotify) octopus_acl_grant_free);

  g_return_val_if_fail (policy != NULL, grants);

  for (guint i = 0; policy->grants != NULL && i < policy->grants->len; i++)
    {
      const OctopusS3Grant *g = g_ptr_array_index (policy->grants, i);
      OctopusAclGrant *grant = g_new0 (OctopusAclGrant, 1);

      grantee_from_grant (policy, g, &grant->grantee);
      grant->permission = (OctopusPermission) g->permission;
      g_ptr_array_add (grants, grant);
    }
  return grants;
}

const OctopusCannedAcl *
octopus_acl_canned_list (guint *n_out)
{
  if (n_out != NULL)
    *n_out = G_N_ELEMENTS (canned_acls);
  return canned_acls;
}

gboolean
octopus_acl_canned_is_valid (const char *canned)
{
  for (guint i = 0; canned != NULL && i < G_N_ELEMENTS (canned_acls); i++)
    if (g_str_equal (canned, canned_acls[i].name))
      return TRUE;
  return FALSE;
}

const char *
octopus_acl_to_canned (const OctopusAclPolicy *policy)
{
  g_autofree char *text = NULL;

  g_return_val_if_fail (policy != NULL, NULL);

  text = normalize_policy (policy);
  if (text[0] == '\0')
    return "private";
  if (g_str_equal (text, "group " GROUP_ALL_USERS " READ"))
    return "public-read";
  if (g_str_equal (text, "group " GROUP_ALL_USERS " READ\n"
                         "group " GROUP_ALL_USERS " WRITE"))
    return "public-read-write";
  if (g_str_equal (text, "group " GROUP_AUTHENTICATED_USERS " READ"))
    return "authenticated-read";
  return NULL;
}

gboolean
octopus_acl_policies_agree (const OctopusAclPolicy * const *policies,
                            guint                          n_policies)
{
  g_autofree char *first = NULL;

  for (guint i = 0; i < n_policies; i++)
    {
      g_autofree char *text = NULL;

      if (policies[i] == NULL)
        continue;
      text = normalize_policy (policies[i]);
      if (first == NULL)
        first = g_steal_pointer (&text);
      else if (!g_str_equal (first, text))
        return FALSE;
    }
  return TRUE;
}

OctopusAclChange *
octopus_acl_change_new_canned (const char *canned)
{
  OctopusAclChange *change = g_new0 (OctopusAclChange, 1);

  change->kind = OCTOPUS_ACL_CHANGE_CANNED;
  change->canned = g_strdup (canned);
  return change;
}

OctopusAclChange *
octopus_acl_change_new_grant (const OctopusGrantee *grantee,
                              OctopusPermission     permission)
{
  OctopusAclChange *change = g_new0 (OctopusAclChange, 1);

  change->kind = OCTOPUS_ACL_CHANGE_GRANT;
  change->grantee = octopus_grantee_copy (grantee);
  change->permission = permission;
  return change;
}

OctopusAclChange *
octopus_acl_change_new_revoke (const OctopusGrantee *grantee)
{
  OctopusAclChange *change = g_new0 (OctopusAclChange, 1);

  change->kind = OCTOPUS_ACL_CHANGE_REVOKE;
  change->grantee = octopus_grantee_copy (grantee);
  return change;
}

OctopusAclChange *
octopus_acl_change_copy (const OctopusAclChange *change)
{
  OctopusAclChange *copy;

  g_return_val_if_fail (change != NULL, NULL);

  copy = g_new0 (OctopusAclChange, 1);
  copy->kind = change->kind;
  copy->canned = g_strdup (change->canned);
  copy->grantee = change->grantee != NULL ? octopus_grantee_copy (change->grantee) : NULL;
  copy->permission = change->permission;
  return copy;
}

void
octopus_acl_change_free (OctopusAclChange *change)
{
  if (change == NULL)
    return;
  g_free (change->canned);
  octopus_grantee_free (change->grantee);
  g_free (change);
}

static gboolean
policy_has_owner_full_control (const OctopusAclPolicy *policy)
{
  for (guint i = 0; i < policy->grants->len; i++)
    {
      const OctopusS3Grant *g = g_ptr_array_index (policy->grants, i);

      if (grant_is_owner (policy, g) && g->permission == OCTOPUS_S3_PERMISSION_FULL_CONTROL)
        return TRUE;
    }
  return FALSE;
}

static void
add_grant (OctopusAclPolicy     *policy,
           const OctopusGrantee *grantee,
           OctopusPermission     permission)
{
  g_ptr_array_add (policy->grants, grant_new (policy, grantee, permission));
}

/* Every policy built here is for one service's owner: without it nothing can be built. */
static gboolean
require_owner (const OctopusAclPolicy *policy,
               GError                **error)
{
  if (policy->owner_id != NULL && policy->owner_id[0] != '\0')
    return TRUE;
  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                       _("The service did not say who owns the object"));
  return FALSE;
}

/* An empty policy with @current's owner. */
static OctopusAclPolicy *
policy_new_for_owner (const OctopusAclPolicy *current)
{
  OctopusAclPolicy *policy = octopus_s3_acl_new ();

  policy->owner_id = g_strdup (current->owner_id);
  policy->owner_display_name = g_strdup (current->owner_display_name);
  return policy;
}

static void
ensure_owner_full_control (OctopusAclPolicy *policy)
{
  const OctopusGrantee owner = { OCTOPUS_GRANTEE_OWNER, NULL, NULL };

  if (!policy_has_owner_full_control (policy))
    g_ptr_array_insert (policy->grants, 0,
                        grant_new (policy, &owner, OCTOPUS_PERMISSION_FULL_CONTROL));
}

OctopusAclPolicy *
octopus_acl_policy_apply (const OctopusAclPolicy *current,
                          const OctopusAclChange *change,
                          GError                **error)
{
  g_autoptr(OctopusAclPolicy) policy = NULL;
  const OctopusGrantee owner = { OCTOPUS_GRANTEE_OWNER, NULL, NULL };
  const OctopusGrantee everyone = { OCTOPUS_GRANTEE_EVERYONE, NULL, NULL };
  const OctopusGrantee authenticated = { OCTOPUS_GRANTEE_AUTHENTICATED, NULL, NULL };

  g_return_val_if_fail (current != NULL, NULL);
  g_return_val_if_fail (change != NULL, NULL);

  if (!require_owner (current, error))
    return NULL;

  policy = policy_new_for_owner (current);

  switch (change->kind)
    {
    case OCTOPUS_ACL_CHANGE_CANNED:
      if (!octopus_acl_canned_is_valid (change->canned))
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                       _("“%s” is not a canned ACL"), change->canned ? change->canned : "");
          return NULL;
        }
      add_grant (policy, &owner, OCTOPUS_PERMISSION_FULL_CONTROL);
      if (g_str_equal (change->canned, "public-read") ||
          g_str_equal (change->canned, "public-read-write"))
        add_grant (policy, &everyone, OCTOPUS_PERMISSION_READ);
      if (g_str_equal (change->canned, "public-read-write"))
        add_grant (policy, &everyone, OCTOPUS_PERMISSION_WRITE);
      if (g_str_equal (change->canned, "authenticated-read"))
        add_grant (policy, &authenticated, OCTOPUS_PERMISSION_READ);
      break;

    case OCTOPUS_ACL_CHANGE_GRANT:
    case OCTOPUS_ACL_CHANGE_REVOKE:
      g_return_val_if_fail (change->grantee != NULL, NULL);
      if (change->kind == OCTOPUS_ACL_CHANGE_REVOKE &&
          change->grantee->kind == OCTOPUS_GRANTEE_OWNER)
        {
          g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                               _("The owner’s permissions cannot be revoked"));
          return NULL;
        }
      for (guint i = 0; current->grants != NULL && i < current->grants->len; i++)
        {
          const OctopusS3Grant *g = g_ptr_array_index (current->grants, i);
          OctopusGrantee who = { 0, };
          gboolean same;

          grantee_from_grant (current, g, &who);
          same = octopus_grantee_equal (&who, change->grantee);
          g_free (who.value);
          g_free (who.display_name);
          if (same && (change->kind == OCTOPUS_ACL_CHANGE_REVOKE ||
                       (OctopusPermission) g->permission == change->permission))
            continue;   /* revoked, or granted again below */
          g_ptr_array_add (policy->grants, grant_copy (g));
        }
      if (change->kind == OCTOPUS_ACL_CHANGE_GRANT)
        add_grant (policy, change->grantee, change->permission);
      ensure_owner_full_control (policy);
      break;

    default:
      g_return_val_if_reached (NULL);
    }
  return g_steal_pointer (&policy);
}

OctopusAclPolicy *
octopus_acl_policy_transfer (const OctopusAclPolicy *source,
                             const OctopusAclPolicy *target_current,
                             GError                **error)
{
  g_autoptr(OctopusAclPolicy) policy = NULL;
  const OctopusGrantee owner = { OCTOPUS_GRANTEE_OWNER, NULL, NULL };

  g_return_val_if_fail (source != NULL, NULL);
  g_return_val_if_fail (target_current != NULL, NULL);

  /* The source's owner is needed too: it tells which of its grants are the owner's. */
  if (!require_owner (source, error) || !require_owner (target_current, error))
    return NULL;

  policy = policy_new_for_owner (target_current);
  for (guint i = 0; source->grants != NULL && i < source->grants->len; i++)
    {
      const OctopusS3Grant *g = g_ptr_array_index (source->grants, i);

      /* The source's owner id means nothing on the target's service (and may be refused
       * there): what it held goes to the target's own owner. */
      if (grant_is_owner (source, g))
        add_grant (policy, &owner, (OctopusPermission) g->permission);
      else
        g_ptr_array_add (policy->grants, grant_copy (g));
    }
  ensure_owner_full_control (policy);
  return g_steal_pointer (&policy);
}
