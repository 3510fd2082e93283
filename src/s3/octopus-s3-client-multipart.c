/* SPDX-License-Identifier: GPL-3.0-or-later */
/* octopus-s3-client-multipart.c — listings (one page and all pages), multipart uploads and
 * ACLs of octopus-s3-client.h.
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "octopus-s3-ops-private.h"
#include "octopus-s3-xml.h"
#include "octopus-sigv4.h"

#define MAX_PART_NUMBER 10000

/* ---------------------------------------------------------------------------------------- */
/* ListObjectsV2                                                                            */

static OctopusS3Request *
list_objects_request (OctopusS3Client *self,
                      const char      *bucket,
                      const char      *prefix,
                      const char      *continuation_token,
                      guint            max_keys,
                      GError         **error)
{
  g_autoptr(GString) query = g_string_new (NULL);
  OctopusS3Request *request;

  octopus_s3_op_query_add (query, "list-type", "2");
  /* Keys that are not valid XML text (control characters) survive only url-encoded. */
  octopus_s3_op_query_add (query, "encoding-type", "url");
  if (prefix != NULL && *prefix != '\0')
    octopus_s3_op_query_add (query, "prefix", prefix);
  if (continuation_token != NULL)
    octopus_s3_op_query_add (query, "continuation-token", continuation_token);
  if (max_keys > 0)
    {
      g_autofree char *n = g_strdup_printf ("%u", max_keys);
      octopus_s3_op_query_add (query, "max-keys", n);
    }
  request = octopus_s3_request_new (self, "GET", bucket, NULL, query->str, error);
  if (request != NULL)
    octopus_s3_request_set_flags (request, OCTOPUS_S3_REQUEST_RETRY_SAFE);
  return request;
}

/* We always ask for encoding-type=url, but some servers (s3rver) ignore it and send raw
 * keys; the reply says which it is in <EncodingType>. */
static OctopusS3ListPage *
parse_list_page (OctopusS3Response *r,
                 GError           **error)
{
  gsize len;
  const char *xml = octopus_s3_op_body (r, &len);
  gboolean url_encoded = xml != NULL &&
                         g_strstr_len (xml, len, "<EncodingType>url</EncodingType>") != NULL;

  return octopus_s3_xml_parse_list_objects (xml, len, url_encoded, error);
}

static gpointer
parse_list_objects (OctopusS3Client *self, OctopusS3Response *r, gpointer data, GError **error)
{
  return parse_list_page (r, error);
}

void
octopus_s3_client_list_objects_async (OctopusS3Client    *self,
                                      const char         *bucket,
                                      const char         *prefix,
                                      const char         *continuation_token,
                                      guint               max_keys,
                                      GCancellable       *cancellable,
                                      GAsyncReadyCallback callback,
                                      gpointer            user_data)
{
  GError *error = NULL;
  OctopusS3Request *request = list_objects_request (self, bucket, prefix, continuation_token,
                                                    max_keys, &error);

  octopus_s3_op_run (self, request, error,
                     (Op) { parse_list_objects, NULL, (GDestroyNotify) octopus_s3_list_page_free },
                     octopus_s3_client_list_objects_async, cancellable, callback, user_data);
}

OctopusS3ListPage *
octopus_s3_client_list_objects_finish (OctopusS3Client *self,
                                       GAsyncResult    *result,
                                       GError         **error)
{
  return octopus_s3_op_finish (self, result, octopus_s3_client_list_objects_async, error);
}

/* ---------------------------------------------------------------------------------------- */
/* Paged listings: one request per page, results gathered in one array                      */

typedef struct {
  char      *bucket;
  char      *key;            /* ListParts */
  char      *prefix;
  char      *upload_id;      /* ListParts */
  char      *marker;         /* continuation token / key marker */
  char      *marker2;        /* upload-id marker */
  guint      part_marker;
  GPtrArray *items;
} Pager;

static void
pager_free (Pager *pager)
{
  g_free (pager->bucket);
  g_free (pager->key);
  g_free (pager->prefix);
  g_free (pager->upload_id);
  g_free (pager->marker);
  g_free (pager->marker2);
  g_clear_pointer (&pager->items, g_ptr_array_unref);
  g_free (pager);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Pager, pager_free)

static void
pager_return_truncation_error (GTask *task)
{
  g_task_return_new_error (task, OCTOPUS_S3_ERROR, OCTOPUS_S3_ERROR_MALFORMED_REPLY,
                           _("%s: a listing said it was truncated but gave no way to go on"),
                           octopus_s3_client_get_name (g_task_get_source_object (task)));
}

static void list_all_next_page (GTask *task);

static void
list_all_page_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Pager *pager = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(OctopusS3ListPage) page = NULL;
  g_autoptr(OctopusS3Response) response = octopus_s3_request_send_finish (result, &error);

  if (response == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  page = parse_list_page (response, &error);
  if (page == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_ptr_array_extend_and_steal (pager->items, g_steal_pointer (&page->objects));
  page->objects = g_ptr_array_new ();
  if (!page->is_truncated)
    {
      g_task_return_pointer (task, g_steal_pointer (&pager->items),
                             (GDestroyNotify) g_ptr_array_unref);
      return;
    }
  if (page->next_continuation_token == NULL ||
      g_strcmp0 (page->next_continuation_token, pager->marker) == 0)
    {
      pager_return_truncation_error (task);
      return;
    }
  g_free (pager->marker);
  pager->marker = g_steal_pointer (&page->next_continuation_token);
  list_all_next_page (g_steal_pointer (&task));
}

static void
list_all_next_page (GTask *task)
{
  Pager *pager = g_task_get_task_data (task);
  GError *error = NULL;
  OctopusS3Request *request = list_objects_request (g_task_get_source_object (task),
                                                    pager->bucket, pager->prefix,
                                                    pager->marker, 0, &error);

  if (request == NULL)
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  octopus_s3_request_send_async (request, g_task_get_cancellable (task), list_all_page_cb,
                                 task);
}

static GTask *
pager_task_new (OctopusS3Client    *self,
                const char         *bucket,
                GDestroyNotify      item_free,
                gpointer            source_tag,
                GCancellable       *cancellable,
                GAsyncReadyCallback callback,
                gpointer            user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  Pager *pager = g_new0 (Pager, 1);

  g_task_set_source_tag (task, source_tag);
  pager->bucket = g_strdup (bucket);
  pager->items = g_ptr_array_new_with_free_func (item_free);
  g_task_set_task_data (task, pager, (GDestroyNotify) pager_free);
  return task;
}

void
octopus_s3_client_list_all_objects_async (OctopusS3Client    *self,
                                          const char         *bucket,
                                          const char         *prefix,
                                          GCancellable       *cancellable,
                                          GAsyncReadyCallback callback,
                                          gpointer            user_data)
{
  GTask *task = pager_task_new (self, bucket, (GDestroyNotify) octopus_s3_object_free,
                                octopus_s3_client_list_all_objects_async, cancellable,
                                callback, user_data);
  Pager *pager = g_task_get_task_data (task);

  pager->prefix = g_strdup (prefix);
  list_all_next_page (task);
}

GPtrArray *
octopus_s3_client_list_all_objects_finish (OctopusS3Client *self,
                                           GAsyncResult    *result,
                                           GError         **error)
{
  return octopus_s3_op_finish (self, result, octopus_s3_client_list_all_objects_async, error);
}

/* ---------------------------------------------------------------------------------------- */
/* ListMultipartUploads                                                                     */

static void list_uploads_next_page (GTask *task);

static void
list_uploads_page_cb (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Pager *pager = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(OctopusS3Response) response = octopus_s3_request_send_finish (result, &error);
  g_autoptr(GPtrArray) uploads = NULL;
  g_autofree char *next_key = NULL, *next_id = NULL;
  gsize len;
  const char *xml;

  if (response == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  /* The resume sweep compares the times listed here with its own clock. */
  octopus_s3_client_note_reply (g_task_get_source_object (task), response->headers);
  xml = octopus_s3_op_body (response, &len);
  uploads = octopus_s3_xml_parse_list_uploads (xml, len, &next_key, &next_id, &error);
  if (uploads == NULL)
    {
      octopus_s3_client_name_error (g_task_get_source_object (task), error);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_ptr_array_extend_and_steal (pager->items, g_steal_pointer (&uploads));
  if (next_key == NULL && next_id == NULL)
    {
      g_task_return_pointer (task, g_steal_pointer (&pager->items),
                             (GDestroyNotify) g_ptr_array_unref);
      return;
    }
  if (g_strcmp0 (next_key, pager->marker) == 0 && g_strcmp0 (next_id, pager->marker2) == 0)
    {
      pager_return_truncation_error (task);
      return;
    }
  g_free (pager->marker);
  g_free (pager->marker2);
  pager->marker = g_steal_pointer (&next_key);
  pager->marker2 = g_steal_pointer (&next_id);
  list_uploads_next_page (g_steal_pointer (&task));
}

static void
list_uploads_next_page (GTask *task)
{
  Pager *pager = g_task_get_task_data (task);
  g_autoptr(GString) query = g_string_new (NULL);
  GError *error = NULL;
  OctopusS3Request *request;

  octopus_s3_op_query_add (query, "uploads", NULL);
  if (pager->prefix != NULL && *pager->prefix != '\0')
    octopus_s3_op_query_add (query, "prefix", pager->prefix);
  if (pager->marker != NULL)
    octopus_s3_op_query_add (query, "key-marker", pager->marker);
  if (pager->marker2 != NULL)
    octopus_s3_op_query_add (query, "upload-id-marker", pager->marker2);

  request = octopus_s3_request_new (g_task_get_source_object (task), "GET", pager->bucket,
                                    NULL, query->str, &error);
  if (request == NULL)
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  octopus_s3_request_set_flags (request, OCTOPUS_S3_REQUEST_RETRY_SAFE);
  octopus_s3_request_send_async (request, g_task_get_cancellable (task), list_uploads_page_cb,
                                 task);
}

void
octopus_s3_client_list_multipart_uploads_async (OctopusS3Client    *self,
                                                const char         *bucket,
                                                const char         *prefix,
                                                GCancellable       *cancellable,
                                                GAsyncReadyCallback callback,
                                                gpointer            user_data)
{
  GTask *task = pager_task_new (self, bucket, (GDestroyNotify) octopus_s3_upload_free,
                                octopus_s3_client_list_multipart_uploads_async, cancellable,
                                callback, user_data);
  Pager *pager = g_task_get_task_data (task);

  pager->prefix = g_strdup (prefix);
  list_uploads_next_page (task);
}

GPtrArray *
octopus_s3_client_list_multipart_uploads_finish (OctopusS3Client *self,
                                                 GAsyncResult    *result,
                                                 GError         **error)
{
  return octopus_s3_op_finish (self, result, octopus_s3_client_list_multipart_uploads_async,
                               error);
}

/* ---------------------------------------------------------------------------------------- */
/* ListParts                                                                                */

static void list_parts_next_page (GTask *task);

static void
list_parts_page_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Pager *pager = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(OctopusS3Response) response = octopus_s3_request_send_finish (result, &error);
  g_autoptr(GPtrArray) parts = NULL;
  guint next = 0;
  gsize len;
  const char *xml;

  if (response == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  xml = octopus_s3_op_body (response, &len);
  parts = octopus_s3_xml_parse_list_parts (xml, len, &next, &error);
  if (parts == NULL)
    {
      octopus_s3_client_name_error (g_task_get_source_object (task), error);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_ptr_array_extend_and_steal (pager->items, g_steal_pointer (&parts));
  if (next == 0)
    {
      g_task_return_pointer (task, g_steal_pointer (&pager->items),
                             (GDestroyNotify) g_ptr_array_unref);
      return;
    }
  if (next <= pager->part_marker)
    {
      pager_return_truncation_error (task);
      return;
    }
  pager->part_marker = next;
  list_parts_next_page (g_steal_pointer (&task));
}

static void
list_parts_next_page (GTask *task)
{
  Pager *pager = g_task_get_task_data (task);
  g_autoptr(GString) query = g_string_new (NULL);
  GError *error = NULL;
  OctopusS3Request *request;

  octopus_s3_op_query_add (query, "uploadId", pager->upload_id);
  if (pager->part_marker > 0)
    {
      g_autofree char *n = g_strdup_printf ("%u", pager->part_marker);
      octopus_s3_op_query_add (query, "part-number-marker", n);
    }
  request = octopus_s3_request_new (g_task_get_source_object (task), "GET", pager->bucket,
                                    pager->key, query->str, &error);
  if (request == NULL)
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  octopus_s3_request_set_flags (request, OCTOPUS_S3_REQUEST_RETRY_SAFE);
  octopus_s3_request_send_async (request, g_task_get_cancellable (task), list_parts_page_cb,
                                 task);
}

void
octopus_s3_client_list_parts_async (OctopusS3Client    *self,
                                    const char         *bucket,
                                    const char         *key,
                                    const char         *upload_id,
                                    GCancellable       *cancellable,
                                    GAsyncReadyCallback callback,
                                    gpointer            user_data)
{
  GTask *task = pager_task_new (self, bucket, (GDestroyNotify) octopus_s3_part_free,
                                octopus_s3_client_list_parts_async, cancellable, callback,
                                user_data);
  Pager *pager = g_task_get_task_data (task);

  g_return_if_fail (upload_id != NULL);
  pager->key = g_strdup (key);
  pager->upload_id = g_strdup (upload_id);
  list_parts_next_page (task);
}

GPtrArray *
octopus_s3_client_list_parts_finish (OctopusS3Client *self,
                                     GAsyncResult    *result,
                                     GError         **error)
{
  return octopus_s3_op_finish (self, result, octopus_s3_client_list_parts_async, error);
}

/* ---------------------------------------------------------------------------------------- */
/* Multipart upload                                                                         */

static gpointer
parse_initiate (OctopusS3Client *self, OctopusS3Response *r, gpointer data, GError **error)
{
  gsize len;
  const char *xml = octopus_s3_op_body (r, &len);
  return octopus_s3_xml_parse_initiate_multipart (xml, len, error);
}

void
octopus_s3_client_create_multipart_async (OctopusS3Client           *self,
                                          const char                *bucket,
                                          const char                *key,
                                          const OctopusS3PutOptions *options,
                                          GCancellable              *cancellable,
                                          GAsyncReadyCallback        callback,
                                          gpointer                   user_data)
{
  GError *error = NULL;
  OctopusS3Request *request = octopus_s3_request_new (self, "POST", bucket, key, "uploads",
                                                      &error);

  if (request)
    {
      octopus_s3_op_add_put_headers (request, options, FALSE);
      /* See the retry policy in octopus-s3-request.c: at worst an extra empty upload. */
      octopus_s3_request_set_flags (request, OCTOPUS_S3_REQUEST_RETRY_SAFE);
    }
  octopus_s3_op_run (self, request, error, (Op) { parse_initiate, NULL, g_free },
                     octopus_s3_client_create_multipart_async, cancellable, callback, user_data);
}

char *
octopus_s3_client_create_multipart_finish (OctopusS3Client *self,
                                           GAsyncResult    *result,
                                           GError         **error)
{
  return octopus_s3_op_finish (self, result, octopus_s3_client_create_multipart_async, error);
}

static gpointer
parse_part_etag (OctopusS3Client *self, OctopusS3Response *r, gpointer data, GError **error)
{
  const char *etag = soup_message_headers_get_one (r->headers, "ETag");

  if (etag == NULL)
    {
      g_set_error (error, OCTOPUS_S3_ERROR, OCTOPUS_S3_ERROR_MALFORMED_REPLY,
                   _("%s: a part upload was answered without an ETag"),
                   octopus_s3_client_get_name (self));
      return NULL;
    }
  return octopus_s3_op_strip_quotes (etag);
}

static char *
upload_query (const char *upload_id,
              guint       part_number)
{
  GString *query = g_string_new (NULL);

  if (part_number > 0)
    {
      g_autofree char *n = g_strdup_printf ("%u", part_number);
      octopus_s3_op_query_add (query, "partNumber", n);
    }
  octopus_s3_op_query_add (query, "uploadId", upload_id);
  return g_string_free (query, FALSE);
}

void
octopus_s3_client_upload_part_async (OctopusS3Client           *self,
                                     const char                *bucket,
                                     const char                *key,
                                     const char                *upload_id,
                                     guint                      part_number,
                                     GBytes                    *body,
                                     const OctopusS3PutOptions *options,
                                     GCancellable              *cancellable,
                                     GAsyncReadyCallback        callback,
                                     gpointer                   user_data)
{
  GError *error = NULL;
  OctopusS3Request *request = NULL;

  g_return_if_fail (body != NULL);
  if (upload_id == NULL || part_number < 1 || part_number > MAX_PART_NUMBER)
    error = g_error_new (OCTOPUS_S3_ERROR, OCTOPUS_S3_ERROR_INVALID_ARGUMENT,
                         _("%s: part number %u is not between 1 and %d"),
                         octopus_s3_client_get_name (self), part_number, MAX_PART_NUMBER);
  else
    {
      g_autofree char *query = upload_query (upload_id, part_number);
      request = octopus_s3_request_new (self, "PUT", bucket, key, query, &error);
    }
  if (request)
    {
      octopus_s3_request_set_body_bytes (request, body);
      if (options != NULL && options->content_md5 != NULL)
        octopus_s3_request_add_header (request, "Content-MD5", options->content_md5);
      if (options != NULL && options->progress != NULL)
        octopus_s3_request_set_progress (request, options->progress, options->progress_data);
      octopus_s3_request_set_flags (request, OCTOPUS_S3_REQUEST_RETRY_SAFE);
    }
  octopus_s3_op_run (self, request, error, (Op) { parse_part_etag, NULL, g_free },
                     octopus_s3_client_upload_part_async, cancellable, callback, user_data);
}

char *
octopus_s3_client_upload_part_finish (OctopusS3Client *self,
                                      GAsyncResult    *result,
                                      GError         **error)
{
  return octopus_s3_op_finish (self, result, octopus_s3_client_upload_part_async, error);
}

static gpointer
parse_complete (OctopusS3Client *self, OctopusS3Response *r, gpointer data, GError **error)
{
  gsize len;
  const char *xml = octopus_s3_op_body (r, &len);
  return octopus_s3_xml_parse_complete_multipart (xml, len, error);
}

void
octopus_s3_client_complete_multipart_async (OctopusS3Client    *self,
                                            const char         *bucket,
                                            const char         *key,
                                            const char         *upload_id,
                                            GPtrArray          *parts,
                                            GCancellable       *cancellable,
                                            GAsyncReadyCallback callback,
                                            gpointer            user_data)
{
  GError *error = NULL;
  OctopusS3Request *request = NULL;
  g_autofree char *query = NULL;

  if (upload_id == NULL || parts == NULL || parts->len == 0)
    error = g_error_new (OCTOPUS_S3_ERROR, OCTOPUS_S3_ERROR_INVALID_ARGUMENT,
                         _("%s: completing an upload needs its id and at least one part"),
                         octopus_s3_client_get_name (self));
  else
    {
      query = upload_query (upload_id, 0);
      request = octopus_s3_request_new (self, "POST", bucket, key, query, &error);
    }
  if (request)
    {
      g_autofree char *xml = octopus_s3_xml_build_complete_multipart (parts);
      gsize len = strlen (xml);
      g_autoptr(GBytes) body = g_bytes_new_take (g_steal_pointer (&xml), len);

      octopus_s3_request_set_body_bytes (request, body);
      octopus_s3_request_set_content_type (request, "application/xml");
      octopus_s3_request_set_flags (request, OCTOPUS_S3_REQUEST_RETRY_SAFE |
                                             OCTOPUS_S3_REQUEST_ERROR_IN_200);
    }
  octopus_s3_op_run (self, request, error, (Op) { parse_complete, NULL, g_free },
                     octopus_s3_client_complete_multipart_async, cancellable, callback,
                     user_data);
}

char *
octopus_s3_client_complete_multipart_finish (OctopusS3Client *self,
                                             GAsyncResult    *result,
                                             GError         **error)
{
  return octopus_s3_op_finish (self, result, octopus_s3_client_complete_multipart_async, error);
}

void
octopus_s3_client_abort_multipart_async (OctopusS3Client    *self,
                                         const char         *bucket,
                                         const char         *key,
                                         const char         *upload_id,
                                         GCancellable       *cancellable,
                                         GAsyncReadyCallback callback,
                                         gpointer            user_data)
{
  GError *error = NULL;
  OctopusS3Request *request = NULL;

  if (upload_id == NULL)
    error = g_error_new (OCTOPUS_S3_ERROR, OCTOPUS_S3_ERROR_INVALID_ARGUMENT,
                         _("%s: aborting an upload needs its id"),
                         octopus_s3_client_get_name (self));
  else
    {
      g_autofree char *query = upload_query (upload_id, 0);
      request = octopus_s3_request_new (self, "DELETE", bucket, key, query, &error);
    }
  if (request)
    octopus_s3_request_set_flags (request, OCTOPUS_S3_REQUEST_RETRY_SAFE);
  octopus_s3_op_run (self, request, error, (Op) { octopus_s3_op_parse_done, NULL, NULL },
                     octopus_s3_client_abort_multipart_async, cancellable, callback, user_data);
}

gboolean
octopus_s3_client_abort_multipart_finish (OctopusS3Client *self,
                                          GAsyncResult    *result,
                                          GError         **error)
{
  return octopus_s3_op_finish (self, result, octopus_s3_client_abort_multipart_async,
                               error) != NULL;
}

/* ---------------------------------------------------------------------------------------- */
/* ACLs                                                                                     */

static gpointer
parse_acl (OctopusS3Client *self, OctopusS3Response *r, gpointer data, GError **error)
{
  gsize len;
  const char *xml = octopus_s3_op_body (r, &len);
  return octopus_s3_xml_parse_acl (xml, len, error);
}

void
octopus_s3_client_get_object_acl_async (OctopusS3Client    *self,
                                        const char         *bucket,
                                        const char         *key,
                                        GCancellable       *cancellable,
                                        GAsyncReadyCallback callback,
                                        gpointer            user_data)
{
  GError *error = NULL;
  OctopusS3Request *request = octopus_s3_request_new (self, "GET", bucket, key, "acl", &error);

  if (request)
    octopus_s3_request_set_flags (request, OCTOPUS_S3_REQUEST_RETRY_SAFE);
  octopus_s3_op_run (self, request, error,
                     (Op) { parse_acl, NULL, (GDestroyNotify) octopus_s3_acl_free },
                     octopus_s3_client_get_object_acl_async, cancellable, callback, user_data);
}

OctopusS3Acl *
octopus_s3_client_get_object_acl_finish (OctopusS3Client *self,
                                         GAsyncResult    *result,
                                         GError         **error)
{
  return octopus_s3_op_finish (self, result, octopus_s3_client_get_object_acl_async, error);
}

void
octopus_s3_client_put_object_acl_async (OctopusS3Client    *self,
                                        const char         *bucket,
                                        const char         *key,
                                        const char         *canned_acl,
                                        const OctopusS3Acl *acl,
                                        GCancellable       *cancellable,
                                        GAsyncReadyCallback callback,
                                        gpointer            user_data)
{
  GError *error = NULL;
  OctopusS3Request *request = NULL;

  if ((canned_acl == NULL) == (acl == NULL))
    error = g_error_new (OCTOPUS_S3_ERROR, OCTOPUS_S3_ERROR_INVALID_ARGUMENT,
                         _("%s: set either a canned ACL or a list of grants"),
                         octopus_s3_client_get_name (self));
  else if (canned_acl != NULL && !octopus_s3_canned_acl_is_valid (canned_acl))
    error = g_error_new (OCTOPUS_S3_ERROR, OCTOPUS_S3_ERROR_INVALID_ARGUMENT,
                         _("%s: “%s” is not a canned ACL"), octopus_s3_client_get_name (self),
                         canned_acl);
  else
    request = octopus_s3_request_new (self, "PUT", bucket, key, "acl", &error);
  if (request)
    {
      if (canned_acl != NULL)
        octopus_s3_request_add_header (request, "x-amz-acl", canned_acl);
      else
        {
          g_autofree char *xml = octopus_s3_xml_build_acl (acl);
          gsize len = strlen (xml);
          g_autoptr(GBytes) body = g_bytes_new_take (g_steal_pointer (&xml), len);

          octopus_s3_request_set_body_bytes (request, body);
          octopus_s3_request_set_content_type (request, "application/xml");
        }
      octopus_s3_request_set_flags (request, OCTOPUS_S3_REQUEST_RETRY_SAFE);
    }
  octopus_s3_op_run (self, request, error, (Op) { octopus_s3_op_parse_done, NULL, NULL },
                     octopus_s3_client_put_object_acl_async, cancellable, callback, user_data);
}

gboolean
octopus_s3_client_put_object_acl_finish (OctopusS3Client *self,
                                         GAsyncResult    *result,
                                         GError         **error)
{
  return octopus_s3_op_finish (self, result, octopus_s3_client_put_object_acl_async,
                               error) != NULL;
}
