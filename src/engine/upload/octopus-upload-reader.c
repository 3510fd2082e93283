/* SPDX-License-Identifier: GPL-3.0-or-later */
/* octopus-upload-reader.c — part reads and hashing in worker threads. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "octopus-upload-reader.h"

struct _OctopusUploadReader
{
  GObject  parent_instance;

  char    *path;
  int      fd;
  dev_t    dev;
  ino_t    ino;
  goffset  size;
  gint64   mtime_us;
};

G_DEFINE_FINAL_TYPE (OctopusUploadReader, octopus_upload_reader, G_TYPE_OBJECT)

/* Hashing block for the whole-file pass: large enough for few syscalls, small enough to
 * stay in the CPU cache. */
#define HASH_BLOCK (1024 * 1024)

/* Part buffers alive in the process, and their peak: a mutex, because buffers are made in
 * worker threads and freed wherever the last reference goes. */
static GMutex accounting_lock;
static gsize bytes_alive;
static gsize bytes_peak;

static void
octopus_upload_reader_finalize (GObject *object)
{
  OctopusUploadReader *self = OCTOPUS_UPLOAD_READER (object);

  if (self->fd >= 0)
    close (self->fd);
  g_free (self->path);
  G_OBJECT_CLASS (octopus_upload_reader_parent_class)->finalize (object);
}

static void
octopus_upload_reader_class_init (OctopusUploadReaderClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = octopus_upload_reader_finalize;
}

static void
octopus_upload_reader_init (OctopusUploadReader *self)
{
  self->fd = -1;
}

void
octopus_upload_chunk_free (OctopusUploadChunk *chunk)
{
  g_clear_pointer (&chunk->data, g_bytes_unref);
  g_free (chunk);
}

/* ---- memory accounting -------------------------------------------------------------------- */

typedef struct {
  gsize length;
  gsize pad;       /* keeps the data 16-byte aligned */
} BufferHeader;

static void
account_alloc (gsize length)
{
  g_mutex_lock (&accounting_lock);
  bytes_alive += length;
  bytes_peak = MAX (bytes_peak, bytes_alive);
  g_mutex_unlock (&accounting_lock);
}

static void
counted_buffer_free (gpointer mem)
{
  BufferHeader *header = mem;

  g_mutex_lock (&accounting_lock);
  bytes_alive -= header->length;
  g_mutex_unlock (&accounting_lock);
  g_free (mem);
}

static guint8 *
counted_buffer_new (gsize length, gpointer *mem_out)
{
  BufferHeader *header = g_malloc (sizeof (BufferHeader) + length);

  header->length = length;
  account_alloc (length);
  *mem_out = header;
  return (guint8 *) (header + 1);
}

gsize
octopus_upload_reader_get_bytes_alive (void)
{
  gsize v;

  g_mutex_lock (&accounting_lock);
  v = bytes_alive;
  g_mutex_unlock (&accounting_lock);
  return v;
}

gsize
octopus_upload_reader_get_peak_bytes (void)
{
  gsize v;

  g_mutex_lock (&accounting_lock);
  v = bytes_peak;
  g_mutex_unlock (&accounting_lock);
  return v;
}

void
octopus_upload_reader_reset_peak (void)
{
  g_mutex_lock (&accounting_lock);
  bytes_peak = bytes_alive;
  g_mutex_unlock (&accounting_lock);
}

/* ---- checks ------------------------------------------------------------------------------- */

static gint64
stat_mtime_us (const struct stat *st)
{
  return (gint64) st->st_mtim.tv_sec * G_USEC_PER_SEC + st->st_mtim.tv_nsec / 1000;
}

gboolean
octopus_upload_reader_check (OctopusUploadReader *self,
                             GError             **error)
{
  struct stat st;

  if (g_stat (self->path, &st) != 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   _("%s disappeared while it was being uploaded"), self->path);
      return FALSE;
    }
  if (st.st_dev != self->dev || st.st_ino != self->ino
      || st.st_size != self->size || stat_mtime_us (&st) != self->mtime_us
      || fstat (self->fd, &st) != 0
      || st.st_size != self->size || stat_mtime_us (&st) != self->mtime_us)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   _("%s changed while it was being uploaded"), self->path);
      return FALSE;
    }
  return TRUE;
}

/* Reads exactly @length bytes at @offset; a short read means the file shrank. */
static gboolean
read_fully (OctopusUploadReader *self,
            guint8              *buffer,
            gsize                length,
            goffset              offset,
            GError             **error)
{
  gsize done = 0;

  while (done < length)
    {
      gssize n = pread (self->fd, buffer + done, length - done, offset + done);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          int errsv = errno;
          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
                       _("Cannot read %s: %s"), self->path, g_strerror (errsv));
          return FALSE;
        }
      if (n == 0)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                       _("%s changed while it was being uploaded"), self->path);
          return FALSE;
        }
      done += (gsize) n;
    }
  return TRUE;
}

/* ---- open --------------------------------------------------------------------------------- */

static void
open_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  GFile *file = task_data;
  g_autoptr(OctopusUploadReader) self = g_object_new (OCTOPUS_TYPE_UPLOAD_READER, NULL);
  struct stat st;

  self->path = g_file_get_path (file);
  if (self->path == NULL)
    {
      g_autofree char *uri = g_file_get_uri (file);
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                               _("Only local files can be uploaded: %s"), uri);
      return;
    }
  self->fd = g_open (self->path, O_RDONLY | O_CLOEXEC, 0);
  if (self->fd < 0 || fstat (self->fd, &st) != 0)
    {
      int errsv = errno;
      g_task_return_new_error (task, G_IO_ERROR, g_io_error_from_errno (errsv),
                               _("Cannot open %s: %s"), self->path, g_strerror (errsv));
      return;
    }
  if (!S_ISREG (st.st_mode))
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_REGULAR_FILE,
                               _("%s is not a regular file"), self->path);
      return;
    }
  self->dev = st.st_dev;
  self->ino = st.st_ino;
  self->size = st.st_size;
  self->mtime_us = stat_mtime_us (&st);
#ifdef POSIX_FADV_SEQUENTIAL
  posix_fadvise (self->fd, 0, 0, POSIX_FADV_SEQUENTIAL);
#endif
  g_task_return_pointer (task, g_steal_pointer (&self), g_object_unref);
}

void
octopus_upload_reader_open_async (GFile               *file,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);

  g_task_set_source_tag (task, octopus_upload_reader_open_async);
  g_task_set_task_data (task, g_object_ref (file), g_object_unref);
  g_task_run_in_thread (task, open_thread);
}

OctopusUploadReader *
octopus_upload_reader_open_finish (GAsyncResult  *result,
                                   GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

goffset octopus_upload_reader_get_size (OctopusUploadReader *self) { return self->size; }
gint64 octopus_upload_reader_get_mtime_us (OctopusUploadReader *self) { return self->mtime_us; }
const char *octopus_upload_reader_get_path (OctopusUploadReader *self) { return self->path; }

/* ---- whole-file hash ---------------------------------------------------------------------- */

static void
hash_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  OctopusUploadReader *self = source_object;
  g_autoptr(GChecksum) md5 = g_checksum_new (G_CHECKSUM_MD5);
  g_autofree guint8 *block = g_malloc (HASH_BLOCK);
  guint8 digest[16];
  gsize digest_len = sizeof digest;
  GError *error = NULL;

  for (goffset offset = 0; offset < self->size; offset += HASH_BLOCK)
    {
      gsize n = (gsize) MIN ((goffset) HASH_BLOCK, self->size - offset);

      if (g_cancellable_set_error_if_cancelled (cancellable, &error)
          || !read_fully (self, block, n, offset, &error))
        {
          g_task_return_error (task, error);
          return;
        }
      g_checksum_update (md5, block, n);
    }
  if (!octopus_upload_reader_check (self, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  g_checksum_get_digest (md5, digest, &digest_len);
  g_task_return_pointer (task, g_base64_encode (digest, digest_len), g_free);
}

void
octopus_upload_reader_hash_async (OctopusUploadReader *self,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, octopus_upload_reader_hash_async);
  g_task_run_in_thread (task, hash_thread);
}

char *
octopus_upload_reader_hash_finish (OctopusUploadReader *self,
                                   GAsyncResult        *result,
                                   GError             **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- part reads --------------------------------------------------------------------------- */

typedef struct {
  goffset offset;
  gsize   length;
} ReadData;

static void
read_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  OctopusUploadReader *self = source_object;
  ReadData *data = task_data;
  g_autoptr(OctopusUploadChunk) chunk = g_new0 (OctopusUploadChunk, 1);
  g_autoptr(GChecksum) md5 = g_checksum_new (G_CHECKSUM_MD5);
  guint8 digest[16];
  gsize digest_len = sizeof digest;
  g_autofree char *b64 = NULL;
  gpointer mem = NULL;
  guint8 *buffer;
  GError *error = NULL;

  if (g_cancellable_set_error_if_cancelled (cancellable, &error))
    {
      g_task_return_error (task, error);
      return;
    }

  buffer = counted_buffer_new (data->length, &mem);
  chunk->data = g_bytes_new_with_free_func (buffer, data->length, counted_buffer_free, mem);
  if (!read_fully (self, buffer, data->length, data->offset, &error)
      || !octopus_upload_reader_check (self, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  g_checksum_update (md5, buffer, data->length);
  g_strlcpy (chunk->md5_hex, g_checksum_get_string (md5), sizeof chunk->md5_hex);
  g_checksum_get_digest (md5, digest, &digest_len);
  b64 = g_base64_encode (digest, digest_len);
  g_strlcpy (chunk->md5_base64, b64, sizeof chunk->md5_base64);
  g_task_return_pointer (task, g_steal_pointer (&chunk),
                         (GDestroyNotify) octopus_upload_chunk_free);
}

void
octopus_upload_reader_read_async (OctopusUploadReader *self,
                                  goffset              offset,
                                  gsize                length,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  ReadData *data = g_new0 (ReadData, 1);

  data->offset = offset;
  data->length = length;
  g_task_set_source_tag (task, octopus_upload_reader_read_async);
  g_task_set_task_data (task, data, g_free);
  g_task_run_in_thread (task, read_thread);
}

OctopusUploadChunk *
octopus_upload_reader_read_finish (OctopusUploadReader *self,
                                   GAsyncResult        *result,
                                   GError             **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
