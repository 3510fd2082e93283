/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-acl.c — the engine's ACL policy, in memory (no server): each service keeps its own
 * owner when a grant is added, a revoke removes exactly that grantee, canned ACLs are
 * recognised, services agree or not, repair's copy of a policy takes the target's owner, and
 * the CLI's grantee words parse. */
#include "config.h"

#include "octopus-acl.h"

#define ALL_USERS "http://acs.amazonaws.com/groups/global/AllUsers"
#define AUTH_USERS "http://acs.amazonaws.com/groups/global/AuthenticatedUsers"

static void
add_user (OctopusS3Acl        *acl,
          const char          *id,
          OctopusS3Permission  permission)
{
  OctopusS3Grant *g = g_new0 (OctopusS3Grant, 1);

  g->type = OCTOPUS_S3_GRANTEE_CANONICAL_USER;
  g->id = g_strdup (id);
  g->permission = permission;
  g_ptr_array_add (acl->grants, g);
}

static void
add_group (OctopusS3Acl        *acl,
           const char          *uri,
           OctopusS3Permission  permission)
{
  OctopusS3Grant *g = g_new0 (OctopusS3Grant, 1);

  g->type = OCTOPUS_S3_GRANTEE_GROUP;
  g->uri = g_strdup (uri);
  g->permission = permission;
  g_ptr_array_add (acl->grants, g);
}

static void
add_email (OctopusS3Acl        *acl,
           const char          *email,
           OctopusS3Permission  permission)
{
  OctopusS3Grant *g = g_new0 (OctopusS3Grant, 1);

  g->type = OCTOPUS_S3_GRANTEE_EMAIL;
  g->email = g_strdup (email);
  g->permission = permission;
  g_ptr_array_add (acl->grants, g);
}

/* A private object on a service whose owner is @owner. */
static OctopusS3Acl *
private_acl (const char *owner)
{
  OctopusS3Acl *acl = octopus_s3_acl_new ();

  acl->owner_id = g_strdup (owner);
  acl->owner_display_name = g_strdup ("me");
  add_user (acl, owner, OCTOPUS_S3_PERMISSION_FULL_CONTROL);
  return acl;
}

static guint
count_user (const OctopusS3Acl  *acl,
            const char          *id,
            OctopusS3Permission  permission)
{
  guint n = 0;

  for (guint i = 0; i < acl->grants->len; i++)
    {
      const OctopusS3Grant *g = g_ptr_array_index (acl->grants, i);

      if (g->type == OCTOPUS_S3_GRANTEE_CANONICAL_USER && g_strcmp0 (g->id, id) == 0 &&
          g->permission == permission)
        n++;
    }
  return n;
}

static void
test_grant_keeps_each_owner (void)
{
  g_autoptr(OctopusS3Acl) a = private_acl ("owner-on-a");
  g_autoptr(OctopusS3Acl) b = private_acl ("owner-on-b");
  g_autoptr(OctopusGrantee) friend = octopus_grantee_parse ("id:friend", NULL);
  g_autoptr(OctopusAclChange) change = NULL;
  g_autoptr(OctopusAclPolicy) pa = NULL;
  g_autoptr(OctopusAclPolicy) pb = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_nonnull (friend);
  change = octopus_acl_change_new_grant (friend, OCTOPUS_PERMISSION_READ);
  pa = octopus_acl_policy_apply (a, change, &error);
  g_assert_no_error (error);
  pb = octopus_acl_policy_apply (b, change, &error);
  g_assert_no_error (error);

  /* Each service's own owner, never the other's. */
  g_assert_cmpstr (pa->owner_id, ==, "owner-on-a");
  g_assert_cmpstr (pb->owner_id, ==, "owner-on-b");
  g_assert_cmpuint (count_user (pa, "owner-on-a", OCTOPUS_S3_PERMISSION_FULL_CONTROL), ==, 1);
  g_assert_cmpuint (count_user (pb, "owner-on-b", OCTOPUS_S3_PERMISSION_FULL_CONTROL), ==, 1);
  g_assert_cmpuint (count_user (pa, "owner-on-b", OCTOPUS_S3_PERMISSION_FULL_CONTROL), ==, 0);
  g_assert_cmpuint (count_user (pb, "owner-on-a", OCTOPUS_S3_PERMISSION_FULL_CONTROL), ==, 0);
  g_assert_cmpuint (count_user (pa, "friend", OCTOPUS_S3_PERMISSION_READ), ==, 1);
  g_assert_cmpuint (count_user (pb, "friend", OCTOPUS_S3_PERMISSION_READ), ==, 1);
  g_assert_cmpuint (pa->grants->len, ==, 2);
  g_assert_cmpuint (pb->grants->len, ==, 2);

  /* The same grant twice is one grant. */
  {
    g_autoptr(OctopusAclPolicy) again = octopus_acl_policy_apply (pa, change, &error);

    g_assert_no_error (error);
    g_assert_cmpuint (again->grants->len, ==, 2);
  }

  /* The two services now grant the same, although their owners differ. */
  {
    const OctopusAclPolicy *both[] = { pa, pb };

    g_assert_true (octopus_acl_policies_agree (both, 2));
  }
}

static void
test_grant_restores_owner (void)
{
  g_autoptr(OctopusS3Acl) a = octopus_s3_acl_new ();
  g_autoptr(OctopusS3Acl) nobody = octopus_s3_acl_new ();
  g_autoptr(OctopusGrantee) everyone = octopus_grantee_parse ("everyone", NULL);
  g_autoptr(OctopusAclChange) change = octopus_acl_change_new_grant (everyone,
                                                                     OCTOPUS_PERMISSION_READ);
  g_autoptr(OctopusAclPolicy) p = NULL;
  g_autoptr(GError) error = NULL;

  a->owner_id = g_strdup ("o");   /* read without the owner's own grant */
  p = octopus_acl_policy_apply (a, change, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (count_user (p, "o", OCTOPUS_S3_PERMISSION_FULL_CONTROL), ==, 1);
  g_assert_cmpstr (octopus_acl_to_canned (p), ==, "public-read");

  /* No owner known: nothing is built. */
  g_assert_null (octopus_acl_policy_apply (nobody, change, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
}

static void
test_revoke_exactly (void)
{
  g_autoptr(OctopusS3Acl) a = private_acl ("o");
  g_autoptr(OctopusGrantee) friend = octopus_grantee_parse ("id:friend", NULL);
  g_autoptr(OctopusGrantee) owner = NULL;
  g_autoptr(OctopusAclChange) change = octopus_acl_change_new_revoke (friend);
  g_autoptr(OctopusAclChange) revoke_owner = NULL;
  g_autoptr(OctopusAclPolicy) p = NULL;
  g_autoptr(GError) error = NULL;

  add_user (a, "friend", OCTOPUS_S3_PERMISSION_READ);
  add_user (a, "friend", OCTOPUS_S3_PERMISSION_WRITE_ACP);
  add_user (a, "friend2", OCTOPUS_S3_PERMISSION_READ);
  add_group (a, ALL_USERS, OCTOPUS_S3_PERMISSION_READ);
  add_email (a, "a@b", OCTOPUS_S3_PERMISSION_READ);

  p = octopus_acl_policy_apply (a, change, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (p->owner_id, ==, "o");
  g_assert_cmpuint (p->grants->len, ==, 4);
  g_assert_cmpuint (count_user (p, "friend", OCTOPUS_S3_PERMISSION_READ), ==, 0);
  g_assert_cmpuint (count_user (p, "friend", OCTOPUS_S3_PERMISSION_WRITE_ACP), ==, 0);
  g_assert_cmpuint (count_user (p, "friend2", OCTOPUS_S3_PERMISSION_READ), ==, 1);
  g_assert_cmpuint (count_user (p, "o", OCTOPUS_S3_PERMISSION_FULL_CONTROL), ==, 1);

  /* Revoking everyone leaves the e-mail grant and the other user. */
  {
    g_autoptr(OctopusGrantee) everyone = octopus_grantee_parse ("everyone", NULL);
    g_autoptr(OctopusAclChange) c2 = octopus_acl_change_new_revoke (everyone);
    g_autoptr(OctopusAclPolicy) p2 = octopus_acl_policy_apply (p, c2, &error);
    g_autoptr(GPtrArray) grants = NULL;

    g_assert_no_error (error);
    g_assert_cmpuint (p2->grants->len, ==, 3);
    grants = octopus_acl_policy_grants (p2);
    for (guint i = 0; i < grants->len; i++)
      {
        const OctopusAclGrant *g = g_ptr_array_index (grants, i);
        g_assert_cmpint (g->grantee.kind, !=, OCTOPUS_GRANTEE_EVERYONE);
      }
  }

  /* The owner cannot be revoked. */
  owner = g_new0 (OctopusGrantee, 1);
  owner->kind = OCTOPUS_GRANTEE_OWNER;
  revoke_owner = octopus_acl_change_new_revoke (owner);
  g_assert_null (octopus_acl_policy_apply (a, revoke_owner, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
}

static void
test_canned (void)
{
  static const char * const names[] = {
    "private", "public-read", "public-read-write", "authenticated-read"
  };
  g_autoptr(OctopusS3Acl) a = private_acl ("o");
  g_autoptr(OctopusS3Acl) odd = private_acl ("o");
  const OctopusCannedAcl *list;
  guint n = 0;

  list = octopus_acl_canned_list (&n);
  g_assert_cmpuint (n, ==, G_N_ELEMENTS (names));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(OctopusAclChange) change = octopus_acl_change_new_canned (list[i].name);
      g_autoptr(OctopusAclPolicy) p = NULL;
      g_autoptr(GError) error = NULL;

      g_assert_cmpstr (list[i].name, ==, names[i]);
      g_assert_nonnull (list[i].label);
      g_assert_true (octopus_acl_canned_is_valid (names[i]));
      p = octopus_acl_policy_apply (a, change, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (octopus_acl_to_canned (p), ==, names[i]);
      g_assert_cmpstr (p->owner_id, ==, "o");
      g_assert_cmpuint (count_user (p, "o", OCTOPUS_S3_PERMISSION_FULL_CONTROL), ==, 1);
    }
  g_assert_false (octopus_acl_canned_is_valid ("bucket-owner-full-control"));
  g_assert_false (octopus_acl_canned_is_valid ("public"));
  g_assert_false (octopus_acl_canned_is_valid (NULL));

  g_assert_cmpstr (octopus_acl_to_canned (a), ==, "private");
  add_group (a, AUTH_USERS, OCTOPUS_S3_PERMISSION_READ);
  g_assert_cmpstr (octopus_acl_to_canned (a), ==, "authenticated-read");
  add_group (odd, ALL_USERS, OCTOPUS_S3_PERMISSION_WRITE);
  g_assert_null (octopus_acl_to_canned (odd));
  {
    g_autoptr(OctopusAclChange) bad = octopus_acl_change_new_canned ("log-delivery-write");
    g_autoptr(GError) error = NULL;

    g_assert_null (octopus_acl_policy_apply (a, bad, &error));
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  }
}

static void
test_agree (void)
{
  g_autoptr(OctopusS3Acl) a = private_acl ("owner-a");
  g_autoptr(OctopusS3Acl) b = private_acl ("owner-b");
  g_autoptr(OctopusS3Acl) c = private_acl ("owner-c");

  add_group (a, ALL_USERS, OCTOPUS_S3_PERMISSION_READ);
  add_group (b, ALL_USERS, OCTOPUS_S3_PERMISSION_READ);
  add_group (b, ALL_USERS, OCTOPUS_S3_PERMISSION_READ);   /* a duplicate says nothing more */
  {
    const OctopusAclPolicy *ab[] = { a, NULL, b };
    const OctopusAclPolicy *ac[] = { a, c };

    g_assert_true (octopus_acl_policies_agree (ab, 3));
    g_assert_false (octopus_acl_policies_agree (ac, 2));
    g_assert_true (octopus_acl_policies_agree (NULL, 0));
  }
}

static void
test_parse_words (void)
{
  static const char * const bad[] = {
    "", "Everyone", "all", "id:", "email:", "email:nobody", "user:x", "owner", NULL
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(OctopusGrantee) g = NULL;
  g_autofree char *word = NULL;

  g = octopus_grantee_parse ("everyone", &error);
  g_assert_no_error (error);
  g_assert_cmpint (g->kind, ==, OCTOPUS_GRANTEE_EVERYONE);
  word = octopus_grantee_to_word (g);
  g_assert_cmpstr (word, ==, "everyone");
  g_clear_pointer (&g, octopus_grantee_free);
  g_clear_pointer (&word, g_free);

  g = octopus_grantee_parse ("authenticated", &error);
  g_assert_no_error (error);
  g_assert_cmpint (g->kind, ==, OCTOPUS_GRANTEE_AUTHENTICATED);
  g_clear_pointer (&g, octopus_grantee_free);

  g = octopus_grantee_parse ("id:X", &error);
  g_assert_no_error (error);
  g_assert_cmpint (g->kind, ==, OCTOPUS_GRANTEE_USER_ID);
  g_assert_cmpstr (g->value, ==, "X");
  word = octopus_grantee_to_word (g);
  g_assert_cmpstr (word, ==, "id:X");
  g_clear_pointer (&g, octopus_grantee_free);
  g_clear_pointer (&word, g_free);

  g = octopus_grantee_parse ("email:a@b", &error);
  g_assert_no_error (error);
  g_assert_cmpint (g->kind, ==, OCTOPUS_GRANTEE_EMAIL);
  g_assert_cmpstr (g->value, ==, "a@b");
  word = octopus_grantee_to_word (g);
  g_assert_cmpstr (word, ==, "email:a@b");
  g_clear_pointer (&g, octopus_grantee_free);

  for (guint i = 0; bad[i] != NULL; i++)
    {
      g_autoptr(GError) e = NULL;

      g_assert_null (octopus_grantee_parse (bad[i], &e));
      g_assert_error (e, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
    }
  {
    g_autoptr(GError) e = NULL;

    g_assert_null (octopus_grantee_parse (NULL, &e));
    g_assert_error (e, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  }
}

/* Repair's copy of a policy: the source's grants on the target, under the target's owner. */
static void
test_transfer (void)
{
  g_autoptr(OctopusS3Acl) source = private_acl ("owner-on-a");
  g_autoptr(OctopusS3Acl) target = private_acl ("owner-on-b");
  g_autoptr(OctopusAclPolicy) p = NULL;
  g_autoptr(GError) error = NULL;

  add_user (source, "owner-on-a", OCTOPUS_S3_PERMISSION_WRITE_ACP);
  add_user (source, "friend", OCTOPUS_S3_PERMISSION_READ);
  add_group (source, ALL_USERS, OCTOPUS_S3_PERMISSION_READ);
  add_email (source, "a@b", OCTOPUS_S3_PERMISSION_READ_ACP);
  add_user (target, "stale", OCTOPUS_S3_PERMISSION_READ);   /* what the target had before */

  p = octopus_acl_policy_transfer (source, target, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (p->owner_id, ==, "owner-on-b");
  g_assert_cmpuint (count_user (p, "owner-on-b", OCTOPUS_S3_PERMISSION_FULL_CONTROL), ==, 1);
  g_assert_cmpuint (count_user (p, "owner-on-b", OCTOPUS_S3_PERMISSION_WRITE_ACP), ==, 1);
  g_assert_cmpuint (count_user (p, "owner-on-a", OCTOPUS_S3_PERMISSION_FULL_CONTROL), ==, 0);
  g_assert_cmpuint (count_user (p, "owner-on-a", OCTOPUS_S3_PERMISSION_WRITE_ACP), ==, 0);
  g_assert_cmpuint (count_user (p, "friend", OCTOPUS_S3_PERMISSION_READ), ==, 1);
  g_assert_cmpuint (count_user (p, "stale", OCTOPUS_S3_PERMISSION_READ), ==, 0);
  g_assert_cmpuint (p->grants->len, ==, 5);
  {
    const OctopusAclPolicy *both[] = { source, p };

    g_assert_true (octopus_acl_policies_agree (both, 2));
  }
  /* The source's owner shown by its name is the target's owner's now. */
  g_assert_cmpstr (p->owner_display_name, ==, target->owner_display_name);

  /* A canned policy stays that canned ACL; a source read without the owner's own grant still
   * leaves the target's owner in full control. */
  {
    g_autoptr(OctopusS3Acl) bare = octopus_s3_acl_new ();
    g_autoptr(OctopusAclPolicy) p2 = NULL;

    bare->owner_id = g_strdup ("owner-on-a");
    add_group (bare, ALL_USERS, OCTOPUS_S3_PERMISSION_READ);
    p2 = octopus_acl_policy_transfer (bare, target, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (count_user (p2, "owner-on-b", OCTOPUS_S3_PERMISSION_FULL_CONTROL), ==, 1);
    g_assert_cmpuint (p2->grants->len, ==, 2);
    g_assert_cmpstr (octopus_acl_to_canned (p2), ==, "public-read");
  }

  /* Without an owner on either side nothing is built. */
  {
    g_autoptr(OctopusS3Acl) nobody = octopus_s3_acl_new ();

    g_assert_null (octopus_acl_policy_transfer (nobody, target, &error));
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
    g_clear_error (&error);
    g_assert_null (octopus_acl_policy_transfer (source, nobody, &error));
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  }
}

static void
test_permissions (void)
{
  for (OctopusPermission p = OCTOPUS_PERMISSION_READ; p <= OCTOPUS_PERMISSION_LAST; p++)
    {
      OctopusPermission back;

      g_assert_true (octopus_permission_from_string (octopus_permission_to_string (p), &back));
      g_assert_cmpint (back, ==, p);
      g_assert_cmpstr (octopus_permission_get_label (p), !=, "");
    }
  g_assert_cmpstr (octopus_permission_to_string (OCTOPUS_PERMISSION_WRITE_ACP), ==, "WRITE_ACP");
  g_assert_false (octopus_permission_from_string ("read", NULL));
  g_assert_false (octopus_permission_from_string (NULL, NULL));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/acl/grant-keeps-each-owner", test_grant_keeps_each_owner);
  g_test_add_func ("/acl/grant-restores-owner", test_grant_restores_owner);
  g_test_add_func ("/acl/revoke-exactly", test_revoke_exactly);
  g_test_add_func ("/acl/canned", test_canned);
  g_test_add_func ("/acl/agree", test_agree);
  g_test_add_func ("/acl/transfer", test_transfer);
  g_test_add_func ("/acl/parse-words", test_parse_words);
  g_test_add_func ("/acl/permissions", test_permissions);
  return g_test_run ();
}
