/* SPDX-License-Identifier: GPL-3.0-or-later */
/* octopus-erasure-upload.c — a file as k+m archives on k+m services (see the header).
 *
 * One segment at a time: the worker thread reads and encodes it, the main context appends
 * fragment i to archive i's part buffer; when the buffers reach the part size every archive
 * still alive sends one part, and the next segment is read only after all of them answered.
 * All archives have the same length, so their buffers fill in lockstep. */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "octopus-erasure-format.h"
#include "octopus-erasure-writer.h"
#include "octopus-erasure-upload.h"
#include "octopus-service.h"

typedef struct {
  OctopusService *service;
  GByteArray     *buf;       /* bytes not yet sent */
  char           *upload_id; /* multipart, once created */
  GPtrArray      *parts;     /* OctopusS3Part sent so far */
  goffset         sent;      /* bytes acknowledged */
  GError         *error;     /* set: this archive is given up */
  gboolean        stored;
} Archive;

struct _OctopusErasureUpload
{
  GObject parent_instance;

  GFile *file;
  char  *key;
  guint  k, m;
  gsize  part_size;
  goffset size;
  goffset archive_size;
  Archive *archives;
  /* Touched only by the worker while a segment is read, by the main context otherwise. */
  OctopusErasureWriter *writer;
  GInputStream *stream;
  guint8 *chunk;
  gsize chunk_len, chunk_used;
  gboolean eof;
  guint pending;           /* requests in flight */
};

G_DEFINE_FINAL_TYPE (OctopusErasureUpload, octopus_erasure_upload, G_TYPE_OBJECT)

#define CHUNK_SIZE (256 * 1024)

static void read_segment (GTask *task);

static void
octopus_erasure_upload_finalize (GObject *object)
{
  OctopusErasureUpload *self = OCTOPUS_ERASURE_UPLOAD (object);

  for (guint i = 0; self->archives != NULL && i < self->k + self->m; i++)
    {
      Archive *a = &self->archives[i];

      g_clear_object (&a->service);
      g_clear_pointer (&a->buf, g_byte_array_unref);
      g_free (a->upload_id);
      g_clear_pointer (&a->parts, g_ptr_array_unref);
      g_clear_error (&a->error);
    }
  g_free (self->archives);
  g_clear_object (&self->file);
  g_free (self->key);
  g_clear_pointer (&self->writer, octopus_erasure_writer_free);
  g_clear_object (&self->stream);
  g_free (self->chunk);
  G_OBJECT_CLASS (octopus_erasure_upload_parent_class)->finalize (object);
}

static void
octopus_erasure_upload_class_init (OctopusErasureUploadClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = octopus_erasure_upload_finalize;
}

static void
octopus_erasure_upload_init (OctopusErasureUpload *self)
{
}

OctopusErasureUpload *
octopus_erasure_upload_new (GPtrArray *services, GFile *file, const char *key, guint k, guint m,
                            gsize part_size)
{
  OctopusErasureUpload *self;

  g_return_val_if_fail (services != NULL && services->len == k + m, NULL);
  self = g_object_new (OCTOPUS_TYPE_ERASURE_UPLOAD, NULL);
  self->file = g_object_ref (file);
  self->key = g_strdup (key);
  self->k = k;
  self->m = m;
  self->part_size = part_size;
  self->archives = g_new0 (Archive, k + m);
  for (guint i = 0; i < k + m; i++)
    {
      self->archives[i].service = g_object_ref (services->pdata[i]);
      self->archives[i].buf = g_byte_array_new ();
      self->archives[i].parts = g_ptr_array_new_with_free_func (
        (GDestroyNotify) octopus_s3_part_free);
    }
  return self;
}

const char *
octopus_erasure_upload_get_key (OctopusErasureUpload *self)
{
  return self->key;
}

goffset
octopus_erasure_upload_get_size (OctopusErasureUpload *self)
{
  return self->size;
}

goffset
octopus_erasure_upload_get_sent (OctopusErasureUpload *self, guint index)
{
  g_return_val_if_fail (index < self->k + self->m, 0);
  return self->archives[index].sent;
}

goffset
octopus_erasure_upload_get_archive_size (OctopusErasureUpload *self)
{
  return self->archive_size;
}

const GError *
octopus_erasure_upload_get_error (OctopusErasureUpload *self, guint index)
{
  g_return_val_if_fail (index < self->k + self->m, NULL);
  return self->archives[index].error;
}

guint
octopus_erasure_upload_get_n_stored (OctopusErasureUpload *self)
{
  guint n = 0;

  for (guint i = 0; i < self->k + self->m; i++)
    n += self->archives[i].stored;
  return n;
}

static guint
n_alive (OctopusErasureUpload *self)
{
  guint n = 0;

  for (guint i = 0; i < self->k + self->m; i++)
    n += self->archives[i].error == NULL;
  return n;
}

/* --- reading and encoding, in the worker ------------------------------------------------ */

/* Feeds the writer until it holds one segment's fragments (or the file ends). */
static GPtrArray *
encode_next_segment (OctopusErasureUpload *self, GCancellable *cancellable, GError **error)
{
  for (;;)
    {
      GPtrArray *fragments;
      gssize n;

      while (self->chunk_used < self->chunk_len)
        {
          gsize consumed;

          if (!octopus_erasure_writer_write (self->writer, self->chunk + self->chunk_used,
                                             self->chunk_len - self->chunk_used, &consumed,
                                             error))
            return NULL;
          self->chunk_used += consumed;
          fragments = octopus_erasure_writer_take_fragments (self->writer);
          if (fragments != NULL)
            return fragments;
        }
      n = g_input_stream_read (self->stream, self->chunk, CHUNK_SIZE, cancellable, error);
      if (n < 0)
        return NULL;
      self->chunk_len = n;
      self->chunk_used = 0;
      if (n == 0)
        {
          self->eof = TRUE;
          if (!octopus_erasure_writer_finish (self->writer, error))
            return NULL;
          fragments = octopus_erasure_writer_take_fragments (self->writer);
          return fragments != NULL ? fragments : g_ptr_array_new ();
        }
    }
}

static void
segment_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  OctopusErasureUpload *self = source;
  GError *error = NULL;
  GPtrArray *fragments;

  if (self->stream == NULL)
    {
      g_autoptr(GFileInfo) info = NULL;

      self->stream = G_INPUT_STREAM (g_file_read (self->file, cancellable, &error));
      if (self->stream != NULL)
        info = g_file_input_stream_query_info (G_FILE_INPUT_STREAM (self->stream),
                                               G_FILE_ATTRIBUTE_STANDARD_SIZE, cancellable,
                                               &error);
      if (info == NULL)
        {
          g_task_return_error (task, error);
          return;
        }
      self->size = g_file_info_get_size (info);
      self->archive_size = octopus_erasure_data_length (self->k, self->size,
                                                        OCTOPUS_ERASURE_SEGMENT_SIZE)
                           + OCTOPUS_ERASURE_TRAILER_SIZE;
      self->writer = octopus_erasure_writer_new (self->k, self->m, &error);
      if (self->writer == NULL)
        {
          g_task_return_error (task, error);
          return;
        }
    }
  fragments = encode_next_segment (self, cancellable, &error);
  if (fragments == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, fragments, (GDestroyNotify) g_ptr_array_unref);
}

/* --- sending, on the main context ------------------------------------------------------- */

static void
give_up (OctopusErasureUpload *self, Archive *a, GError *error)
{
  if (a->error == NULL)
    a->error = error;
  else
    g_error_free (error);
  if (a->upload_id != NULL)
    {
      /* The incomplete upload only: a stored archive is never removed. */
      octopus_s3_client_abort_multipart_async (octopus_service_get_client (a->service),
                                               octopus_service_get_bucket (a->service),
                                               self->key, a->upload_id, NULL, NULL, NULL);
      g_clear_pointer (&a->upload_id, g_free);
    }
}

static GHashTable *
archive_metadata (OctopusErasureUpload *self, guint index)
{
  GHashTable *md = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);

  g_hash_table_insert (md, (gpointer) "octopus-ec",
                       octopus_erasure_scheme_to_string (self->k, self->m, index));
  return md;
}

static char *
md5_base64 (const guint8 *data, gsize len)
{
  g_autoptr(GChecksum) md5 = g_checksum_new (G_CHECKSUM_MD5);
  guint8 digest[16];
  gsize dlen = sizeof digest;

  g_checksum_update (md5, data, len);
  g_checksum_get_digest (md5, digest, &dlen);
  return g_base64_encode (digest, dlen);
}

typedef struct {
  GTask   *task;
  guint    index;
  gsize    len;
  gboolean last;
} Request;

static Request *
request_new (GTask *task, guint index, gsize len, gboolean last)
{
  Request *r = g_new0 (Request, 1);

  r->task = g_object_ref (task);
  r->index = index;
  r->len = len;
  r->last = last;
  return r;
}

static void request_done (Request *r);
static void send_part (GTask *task, guint index, gboolean last);

static void
complete_cb (GObject *source, GAsyncResult *res, gpointer user_data)
{
  Request *r = user_data;
  OctopusErasureUpload *self = g_task_get_source_object (r->task);
  Archive *a = &self->archives[r->index];
  GError *error = NULL;
  g_autofree char *etag = octopus_s3_client_complete_multipart_finish (
    OCTOPUS_S3_CLIENT (source), res, &error);

  if (etag == NULL)
    give_up (self, a, error);
  else
    {
      g_clear_pointer (&a->upload_id, g_free);
      a->stored = TRUE;
    }
  request_done (r);
}

static void
part_cb (GObject *source, GAsyncResult *res, gpointer user_data)
{
  Request *r = user_data;
  OctopusErasureUpload *self = g_task_get_source_object (r->task);
  Archive *a = &self->archives[r->index];
  GError *error = NULL;
  g_autofree char *etag = octopus_s3_client_upload_part_finish (OCTOPUS_S3_CLIENT (source),
                                                                 res, &error);

  if (etag == NULL)
    give_up (self, a, error);
  else
    {
      a->sent += r->len;
      g_ptr_array_add (a->parts, octopus_s3_part_new (a->parts->len + 1, etag, r->len));
      if (r->last && a->error == NULL)
        {
          octopus_s3_client_complete_multipart_async (
            octopus_service_get_client (a->service), octopus_service_get_bucket (a->service),
            self->key, a->upload_id, a->parts, g_task_get_cancellable (r->task), complete_cb,
            request_new (r->task, r->index, 0, TRUE));
          self->pending++;
        }
    }
  request_done (r);
}

static void
create_cb (GObject *source, GAsyncResult *res, gpointer user_data)
{
  Request *r = user_data;
  OctopusErasureUpload *self = g_task_get_source_object (r->task);
  Archive *a = &self->archives[r->index];
  GError *error = NULL;

  a->upload_id = octopus_s3_client_create_multipart_finish (OCTOPUS_S3_CLIENT (source), res,
                                                            &error);
  if (a->upload_id == NULL)
    give_up (self, a, error);
  else
    send_part (r->task, r->index, r->last);
  request_done (r);
}

static void
put_cb (GObject *source, GAsyncResult *res, gpointer user_data)
{
  Request *r = user_data;
  OctopusErasureUpload *self = g_task_get_source_object (r->task);
  Archive *a = &self->archives[r->index];
  GError *error = NULL;
  g_autofree char *etag = octopus_s3_client_put_object_finish (OCTOPUS_S3_CLIENT (source),
                                                                res, &error);

  if (etag == NULL)
    give_up (self, a, error);
  else
    {
      a->sent += r->len;
      a->stored = TRUE;
    }
  request_done (r);
}

/* Sends archive @index's buffer as its next part (creating the multipart upload first). */
static void
send_part (GTask *task, guint index, gboolean last)
{
  OctopusErasureUpload *self = g_task_get_source_object (task);
  Archive *a = &self->archives[index];
  OctopusS3Client *client = octopus_service_get_client (a->service);
  const char *bucket = octopus_service_get_bucket (a->service);
  OctopusS3PutOptions options = { 0 };
  g_autoptr(GHashTable) metadata = NULL;
  g_autofree char *md5 = NULL;
  g_autoptr(GBytes) body = NULL;

  self->pending++;
  if (a->upload_id == NULL && a->parts->len == 0 && !last)
    {
      metadata = archive_metadata (self, index);
      options.metadata = metadata;
      octopus_s3_client_create_multipart_async (client, bucket, self->key, &options,
                                                g_task_get_cancellable (task), create_cb,
                                                request_new (task, index, 0, last));
      return;
    }
  md5 = md5_base64 (a->buf->data, a->buf->len);
  options.content_md5 = md5;
  body = g_byte_array_free_to_bytes (g_steal_pointer (&a->buf));
  a->buf = g_byte_array_new ();
  if (a->upload_id == NULL)
    {
      /* The whole archive fits in one part: a single PUT. */
      metadata = archive_metadata (self, index);
      options.metadata = metadata;
      octopus_s3_client_put_object_async (client, bucket, self->key, body, &options,
                                          g_task_get_cancellable (task), put_cb,
                                          request_new (task, index, g_bytes_get_size (body),
                                                       TRUE));
      return;
    }
  octopus_s3_client_upload_part_async (client, bucket, self->key, a->upload_id,
                                       a->parts->len + 1, body, &options,
                                       g_task_get_cancellable (task), part_cb,
                                       request_new (task, index, g_bytes_get_size (body), last));
}

static void
send_parts (GTask *task, gboolean last)
{
  OctopusErasureUpload *self = g_task_get_source_object (task);

  /* Hold one count across the loop, so an early answer cannot finish the round. */
  self->pending++;
  for (guint i = 0; i < self->k + self->m; i++)
    if (self->archives[i].error == NULL)
      send_part (task, i, last);
  request_done (request_new (task, G_MAXUINT, 0, last));
}

static void
finish_upload (GTask *task)
{
  OctopusErasureUpload *self = g_task_get_source_object (task);
  guint stored = octopus_erasure_upload_get_n_stored (self);

  if (stored >= self->k + 1)
    {
      g_task_return_boolean (task, TRUE);
      return;
    }
  g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_FAILED,
                           /* Translators: erasure coding; k+1 archives are needed */
                           _("only %u of %u archives were stored; %u are needed"),
                           stored, self->k + self->m, self->k + 1);
}

/* One round of requests answered: go on, or stop when too few archives are left. */
static void
request_done (Request *r)
{
  g_autoptr(GTask) task = r->task;
  OctopusErasureUpload *self = g_task_get_source_object (task);
  gboolean last = r->last;

  g_free (r);
  if (--self->pending > 0)
    return;
  if (last)
    finish_upload (task);
  else if (n_alive (self) < self->k + 1)
    {
      for (guint i = 0; i < self->k + self->m; i++)
        if (self->archives[i].error == NULL)
          give_up (self, &self->archives[i],
                   g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                        _("stopped: too few services took their archives")));
      finish_upload (task);
    }
  else
    read_segment (task);
}

static void
segment_cb (GObject *source, GAsyncResult *res, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  OctopusErasureUpload *self = OCTOPUS_ERASURE_UPLOAD (source);
  GError *error = NULL;
  g_autoptr(GPtrArray) fragments = g_task_propagate_pointer (G_TASK (res), &error);
  gsize buffered = 0;

  if (fragments == NULL)
    {
      for (guint i = 0; i < self->k + self->m; i++)
        if (self->archives[i].error == NULL)
          give_up (self, &self->archives[i], g_error_copy (error));
      g_task_return_error (task, error);
      return;
    }
  for (guint i = 0; i < self->k + self->m; i++)
    {
      Archive *a = &self->archives[i];

      if (a->error != NULL)
        continue;
      if (i < fragments->len)
        {
          gsize len;
          const guint8 *f = g_bytes_get_data (fragments->pdata[i], &len);

          g_byte_array_append (a->buf, f, len);
        }
      if (self->eof)
        {
          g_autoptr(GBytes) trailer = octopus_erasure_writer_dup_trailer (self->writer, i);

          g_byte_array_append (a->buf, g_bytes_get_data (trailer, NULL),
                               g_bytes_get_size (trailer));
        }
      buffered = a->buf->len;
    }
  if (self->eof)
    send_parts (task, TRUE);
  else if (buffered >= self->part_size)
    send_parts (task, FALSE);
  else
    read_segment (task);
}

static void
read_segment (GTask *task)
{
  OctopusErasureUpload *self = g_task_get_source_object (task);
  g_autoptr(GTask) worker = g_task_new (self, g_task_get_cancellable (task), segment_cb,
                                        g_object_ref (task));

  g_task_run_in_thread (worker, segment_thread);
}

void
octopus_erasure_upload_run_async (OctopusErasureUpload *self, GCancellable *cancellable,
                                  GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, octopus_erasure_upload_run_async);
  self->chunk = g_malloc (CHUNK_SIZE);
  read_segment (task);
}

gboolean
octopus_erasure_upload_run_finish (OctopusErasureUpload *self, GAsyncResult *result,
                                   GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}
