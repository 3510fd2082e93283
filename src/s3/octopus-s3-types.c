/* SPDX-License-Identifier: GPL-3.0-or-later */
/* octopus-s3-types.c — constructors, destructors and string tables of the plain S3 types. */
#include "config.h"

#include "octopus-s3-types.h"

void
octopus_s3_object_free (OctopusS3Object *object)
{
  if (object == NULL)
    return;
  g_free (object->key);
  g_free (object->etag);
  g_free (object->storage_class);
  g_free (object->content_type);
  g_free (object->version_id);
  g_clear_pointer (&object->metadata, g_hash_table_unref);
  g_free (object);
}

OctopusS3Object *
octopus_s3_object_copy (const OctopusS3Object *object)
{
  OctopusS3Object *copy;

  g_return_val_if_fail (object != NULL, NULL);

  copy = g_new0 (OctopusS3Object, 1);
  copy->key = g_strdup (object->key);
  copy->size = object->size;
  copy->etag = g_strdup (object->etag);
  copy->last_modified = object->last_modified;
  copy->storage_class = g_strdup (object->storage_class);
  copy->version_id = g_strdup (object->version_id);
  copy->content_type = g_strdup (object->content_type);
  if (object->metadata != NULL)
    {
      GHashTableIter iter;
      gpointer name, value;

      /* A deep copy: the copy must outlive the original and its table. */
      copy->metadata = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
      g_hash_table_iter_init (&iter, object->metadata);
      while (g_hash_table_iter_next (&iter, &name, &value))
        g_hash_table_insert (copy->metadata, g_strdup (name), g_strdup (value));
    }
  return copy;
}

void
octopus_s3_list_page_free (OctopusS3ListPage *page)
{
  if (page == NULL)
    return;
  g_clear_pointer (&page->objects, g_ptr_array_unref);
  g_clear_pointer (&page->common_prefixes, g_ptr_array_unref);
  g_free (page->next_continuation_token);
  g_free (page);
}

void
octopus_s3_bucket_free (OctopusS3Bucket *bucket)
{
  if (bucket == NULL)
    return;
  g_free (bucket->name);
  g_free (bucket);
}

void
octopus_s3_upload_free (OctopusS3Upload *upload)
{
  if (upload == NULL)
    return;
  g_free (upload->key);
  g_free (upload->upload_id);
  g_free (upload);
}

OctopusS3Part *
octopus_s3_part_new (guint       number,
                     const char *etag,
                     gint64      size)
{
  OctopusS3Part *part = g_new0 (OctopusS3Part, 1);

  part->number = number;
  part->etag = g_strdup (etag);
  part->size = size;
  return part;
}

void
octopus_s3_part_free (OctopusS3Part *part)
{
  if (part == NULL)
    return;
  g_free (part->etag);
  g_free (part);
}

void
octopus_s3_grant_free (OctopusS3Grant *grant)
{
  if (grant == NULL)
    return;
  g_free (grant->id);
  g_free (grant->display_name);
  g_free (grant->uri);
  g_free (grant->email);
  g_free (grant);
}

OctopusS3Acl *
octopus_s3_acl_new (void)
{
  OctopusS3Acl *acl = g_new0 (OctopusS3Acl, 1);

  acl->grants = g_ptr_array_new_with_free_func ((GDestroyNotify) octopus_s3_grant_free);
  return acl;
}

void
octopus_s3_acl_free (OctopusS3Acl *acl)
{
  if (acl == NULL)
    return;
  g_free (acl->owner_id);
  g_free (acl->owner_display_name);
  g_clear_pointer (&acl->grants, g_ptr_array_unref);
  g_free (acl);
}

void
octopus_s3_delete_error_free (OctopusS3DeleteError *error)
{
  if (error == NULL)
    return;
  g_free (error->key);
  g_free (error->code);
  g_free (error->message);
  g_free (error);
}

/* Indexed by OctopusS3Permission; the spelling is the one S3 puts in <Permission>. */
static const char * const permission_names[] = {
  [OCTOPUS_S3_PERMISSION_READ] = "READ",
  [OCTOPUS_S3_PERMISSION_WRITE] = "WRITE",
  [OCTOPUS_S3_PERMISSION_READ_ACP] = "READ_ACP",
  [OCTOPUS_S3_PERMISSION_WRITE_ACP] = "WRITE_ACP",
  [OCTOPUS_S3_PERMISSION_FULL_CONTROL] = "FULL_CONTROL",
};

const char *
octopus_s3_permission_to_string (OctopusS3Permission permission)
{
  if ((guint) permission >= G_N_ELEMENTS (permission_names))
    return NULL;
  return permission_names[permission];
}

gboolean
octopus_s3_permission_from_string (const char          *s,
                                   OctopusS3Permission *out)
{
  if (s == NULL)
    return FALSE;

  /* Exact match: S3 always spells these in upper case, and a lenient match here would let
   * a typo in a hand-written policy pass silently. */
  for (guint i = 0; i < G_N_ELEMENTS (permission_names); i++)
    {
      if (g_strcmp0 (s, permission_names[i]) == 0)
        {
          if (out != NULL)
            *out = (OctopusS3Permission) i;
          return TRUE;
        }
    }
  return FALSE;
}

const char * const octopus_s3_canned_acls[] = {
  "private",
  "public-read",
  "public-read-write",
  "authenticated-read",
  "aws-exec-read",
  "bucket-owner-read",
  "bucket-owner-full-control",
  NULL,
};

gboolean
octopus_s3_canned_acl_is_valid (const char *canned)
{
  return canned != NULL && g_strv_contains (octopus_s3_canned_acls, canned);
}
