/* SPDX-License-Identifier: GPL-3.0-or-later */
/* octopus-erasure-files.c — encode a file into archives, decode or rebuild from archives.
 *
 * Results go to a temporary file next to the target and are renamed into place only once the
 * reader's final check passed: a failed decode leaves no output. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <unistd.h>

#include "octopus-erasure-files.h"
#include "octopus-erasure-reader.h"
#include "octopus-erasure-writer.h"

#define READ_CHUNK (64 * 1024)

typedef struct {
  GInputStream *stream;
  OctopusErasureTrailer trailer;
} Archive;

static void
archive_clear (Archive *a)
{
  g_clear_object (&a->stream);
}

/* ---- output: a temporary file renamed into place ------------------------------------------ */

typedef struct {
  char *path;
  char *tmp;
  FILE *file;
} Output;

static void
output_clear (Output *o)
{
  if (o->file != NULL)
    fclose (o->file);
  if (o->tmp != NULL)
    g_unlink (o->tmp);
  g_free (o->tmp);
  g_free (o->path);
  memset (o, 0, sizeof *o);
}

static gboolean
io_error (GError **error, const char *path, int errsv)
{
  g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv), _("Cannot write “%s”: %s"),
               path, g_strerror (errsv));
  return FALSE;
}

static gboolean
output_open (Output *o, const char *path, GError **error)
{
  int fd;

  o->path = g_strdup (path);
  o->tmp = g_strconcat (path, ".XXXXXX", NULL);
  /* 0666 less the umask, as for any new file (g_mkstemp would give 0600). */
  fd = g_mkstemp_full (o->tmp, O_RDWR, 0666);
  if (fd < 0 || (o->file = fdopen (fd, "wb")) == NULL)
    {
      int errsv = errno;

      if (fd >= 0)
        close (fd);
      g_clear_pointer (&o->tmp, g_free);
      return io_error (error, path, errsv);
    }
  return TRUE;
}

static gboolean
output_write (Output *o, GBytes *bytes, GError **error)
{
  gsize len;
  const void *data = g_bytes_get_data (bytes, &len);

  if (len > 0 && fwrite (data, 1, len, o->file) != len)
    return io_error (error, o->path, errno);
  return TRUE;
}

static gboolean
output_commit (Output *o, GError **error)
{
  FILE *file = g_steal_pointer (&o->file);

  if (fflush (file) != 0 || fsync (fileno (file)) != 0)
    {
      int errsv = errno;

      fclose (file);
      return io_error (error, o->path, errsv);
    }
  if (fclose (file) != 0 || g_rename (o->tmp, o->path) != 0)
    return io_error (error, o->path, errno);
  g_clear_pointer (&o->tmp, g_free);
  return TRUE;
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Output, output_clear)

/* ---- archives in ---------------------------------------------------------------------------- */

static gboolean
read_trailer_from (GInputStream *stream, OctopusErasureTrailer *trailer, GError **error)
{
  guint8 buf[OCTOPUS_ERASURE_TRAILER_SIZE];
  gsize got = 0;
  goffset size;

  if (!g_seekable_seek (G_SEEKABLE (stream), 0, G_SEEK_END, NULL, error))
    return FALSE;
  size = g_seekable_tell (G_SEEKABLE (stream));
  if (size >= OCTOPUS_ERASURE_TRAILER_SIZE
      && (!g_seekable_seek (G_SEEKABLE (stream), -OCTOPUS_ERASURE_TRAILER_SIZE, G_SEEK_END,
                            NULL, error)
          || !g_input_stream_read_all (stream, buf, sizeof buf, &got, NULL, error)))
    return FALSE;
  if (!octopus_erasure_trailer_parse (buf, got, trailer, error))
    return FALSE;
  if ((guint64) size != trailer->data_length + OCTOPUS_ERASURE_TRAILER_SIZE)
    {
      g_set_error (error, OCTOPUS_ERASURE_ERROR, OCTOPUS_ERASURE_ERROR_BAD_TRAILER,
                   _("This is not an intact Octopus erasure-coded archive (its trailer: %s)."),
                   _("impossible length"));
      return FALSE;
    }
  return TRUE;
}

gboolean
octopus_erasure_read_trailer (const char *archive_path, OctopusErasureTrailer *trailer,
                              GError **error)
{
  g_autoptr(GFile) file = g_file_new_for_path (archive_path);
  g_autoptr(GFileInputStream) in = g_file_read (file, NULL, error);

  return in != NULL && read_trailer_from (G_INPUT_STREAM (in), trailer, error);
}

/* Opens every archive whose trailer is intact and belongs to the set of the first one, one per
 * index, sorted by index (data archives first: their fragments decode without arithmetic). */
static GArray *
open_archives (const char *const *paths, guint skip_index, GError **error)
{
  g_autoptr(GArray) archives = g_array_new (FALSE, TRUE, sizeof (Archive));
  g_autoptr(GError) first_error = NULL;
  guint32 seen = 0;

  g_array_set_clear_func (archives, (GDestroyNotify) archive_clear);
  for (guint i = 0; paths[i] != NULL; i++)
    {
      g_autoptr(GFile) file = g_file_new_for_path (paths[i]);
      g_autoptr(GError) local = NULL;
      Archive a = { 0 };

      a.stream = G_INPUT_STREAM (g_file_read (file, NULL, &local));
      if (a.stream == NULL || !read_trailer_from (a.stream, &a.trailer, &local)
          || (archives->len > 0
              && !octopus_erasure_trailer_same_set (&a.trailer,
                                                    &g_array_index (archives, Archive, 0).trailer))
          || (seen & (1u << a.trailer.index)) || a.trailer.index == skip_index)
        {
          g_debug ("erasure: not using %s: %s", paths[i], local ? local->message : "other set");
          if (local != NULL && first_error == NULL)
            first_error = g_steal_pointer (&local);
          archive_clear (&a);
          continue;
        }
      seen |= 1u << a.trailer.index;
      g_array_append_val (archives, a);
    }
  if (archives->len == 0)
    {
      if (first_error != NULL)
        g_propagate_error (error, g_steal_pointer (&first_error));
      else
        g_set_error_literal (error, OCTOPUS_ERASURE_ERROR, OCTOPUS_ERASURE_ERROR_NOT_ENOUGH,
                             _("No intact archive was given."));
      return NULL;
    }
  return g_steal_pointer (&archives);
}

static gint
compare_index (gconstpointer a, gconstpointer b)
{
  return (gint) ((const Archive *) a)->trailer.index - (gint) ((const Archive *) b)->trailer.index;
}

/* Feeds archive @a its part of the current segment.  FALSE only for I/O errors; a damaged
 * fragment just drops the archive (the reader remembers it). */
static gboolean
feed_archive (OctopusErasureReader *reader, Archive *a, GCancellable *cancellable,
              GError **error)
{
  guint8 buf[READ_CHUNK];
  guint index = a->trailer.index;
  gsize wants;

  while ((wants = octopus_erasure_reader_wants (reader, index)) > 0)
    {
      goffset pos = octopus_erasure_reader_get_offset (reader)
                    + octopus_erasure_reader_get_fragment_size (reader) - wants;
      gsize got = 0, consumed = 0;
      g_autoptr(GError) local = NULL;

      if (!g_seekable_seek (G_SEEKABLE (a->stream), pos, G_SEEK_SET, cancellable, error)
          || !g_input_stream_read_all (a->stream, buf, MIN (wants, sizeof buf), &got,
                                       cancellable, error))
        return FALSE;
      if (got == 0 || !octopus_erasure_reader_feed (reader, index, buf, got, &consumed, &local))
        {
          g_debug ("erasure: archive %u: %s", index, local ? local->message : "ended early");
          break;
        }
    }
  return TRUE;
}

/* Runs @reader over @archives segment by segment, writing what it gives to @out. */
static gboolean
run_reader (OctopusErasureReader *reader, GArray *archives, guint k, Output *out,
            GCancellable *cancellable, GError **error)
{
  while (octopus_erasure_reader_get_segment (reader)
         < octopus_erasure_reader_get_n_segments (reader))
    {
      g_autoptr(GBytes) bytes = NULL;

      for (guint i = 0; i < archives->len && octopus_erasure_reader_n_ready (reader) < k; i++)
        if (!feed_archive (reader, &g_array_index (archives, Archive, i), cancellable, error))
          return FALSE;
      bytes = octopus_erasure_reader_next (reader, error);
      if (bytes == NULL || !output_write (out, bytes, error))
        return FALSE;
    }
  return TRUE;
}

/**
 * octopus_erasure_decode_archives:
 * @archive_paths: %NULL-terminated; any k or more archives of one set, in any order
 * @damaged: (out) (optional): a bit for each archive in which a damaged fragment was found
 *
 * Writes the original to @out_path, only once its length, MD5 and SHA-256 were verified.
 */
gboolean
octopus_erasure_decode_archives (const char *const *archive_paths, const char *out_path,
                                 guint32 *damaged, GCancellable *cancellable, GError **error)
{
  g_autoptr(GArray) archives = open_archives (archive_paths, G_MAXUINT, error);
  g_autoptr(OctopusErasureReader) reader = NULL;
  g_auto(Output) out = { 0 };
  gboolean ok;

  if (archives == NULL)
    return FALSE;
  g_array_sort (archives, compare_index);
  reader = octopus_erasure_reader_new (&g_array_index (archives, Archive, 0).trailer, error);
  if (reader == NULL || !output_open (&out, out_path, error))
    return FALSE;
  ok = run_reader (reader, archives, g_array_index (archives, Archive, 0).trailer.k, &out,
                   cancellable, error)
       && octopus_erasure_reader_finish (reader, NULL, error)
       && output_commit (&out, error);
  if (damaged != NULL)
    *damaged = octopus_erasure_reader_get_damaged (reader);
  return ok;
}

/**
 * octopus_erasure_rebuild_archive:
 * @archive_paths: %NULL-terminated; k or more other archives of the set
 * @target: the index of the archive to rebuild
 *
 * Writes archive @target to @out_path, byte-identical to the lost one: its MD5 is checked
 * against the trailers before the file appears.
 */
gboolean
octopus_erasure_rebuild_archive (const char *const *archive_paths, guint target,
                                 const char *out_path, GCancellable *cancellable, GError **error)
{
  g_autoptr(GArray) archives = open_archives (archive_paths, target, error);
  g_autoptr(OctopusErasureReader) reader = NULL;
  g_autoptr(GBytes) trailer = NULL;
  g_auto(Output) out = { 0 };

  if (archives == NULL)
    return FALSE;
  g_array_sort (archives, compare_index);
  reader = octopus_erasure_reader_new_rebuild (&g_array_index (archives, Archive, 0).trailer,
                                               target, error);
  return reader != NULL && output_open (&out, out_path, error)
         && run_reader (reader, archives, g_array_index (archives, Archive, 0).trailer.k, &out,
                        cancellable, error)
         && octopus_erasure_reader_finish (reader, &trailer, error)
         && output_write (&out, trailer, error)
         && output_commit (&out, error);
}

/* ---- encoding ------------------------------------------------------------------------------- */

static gboolean
write_fragments (OctopusErasureWriter *writer, Output *outs, GError **error)
{
  g_autoptr(GPtrArray) fragments = octopus_erasure_writer_take_fragments (writer);

  for (guint i = 0; fragments != NULL && i < fragments->len; i++)
    if (!output_write (&outs[i], fragments->pdata[i], error))
      return FALSE;
  return TRUE;
}

static gboolean
encode_stream (GInputStream *in, OctopusErasureWriter *writer, Output *outs,
               GCancellable *cancellable, GError **error)
{
  guint8 buf[READ_CHUNK];
  gssize got;

  while ((got = g_input_stream_read (in, buf, sizeof buf, cancellable, error)) > 0)
    {
      for (gsize done = 0; done < (gsize) got;)
        {
          gsize consumed;

          if (!octopus_erasure_writer_write (writer, buf + done, got - done, &consumed, error)
              || !write_fragments (writer, outs, error))
            return FALSE;
          done += consumed;
        }
    }
  return got == 0 && octopus_erasure_writer_finish (writer, error)
         && write_fragments (writer, outs, error);
}

/**
 * octopus_erasure_encode_file:
 * @archive_paths: k+m paths; archive i is written to @archive_paths[i]
 */
gboolean
octopus_erasure_encode_file (const char *path, guint k, guint m,
                             const char *const *archive_paths, GCancellable *cancellable,
                             GError **error)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFileInputStream) in = NULL;
  g_autoptr(OctopusErasureWriter) writer = octopus_erasure_writer_new (k, m, error);
  Output outs[OCTOPUS_ERASURE_MAX_FRAGMENTS] = { { 0 } };
  gboolean ok = FALSE;
  guint n = 0;

  if (writer == NULL || (in = g_file_read (file, cancellable, error)) == NULL)
    return FALSE;
  for (n = 0; n < k + m; n++)
    if (!output_open (&outs[n], archive_paths[n], error))
      goto out;
  if (!encode_stream (G_INPUT_STREAM (in), writer, outs, cancellable, error))
    goto out;
  for (guint i = 0; i < k + m; i++)
    {
      g_autoptr(GBytes) trailer = octopus_erasure_writer_dup_trailer (writer, i);

      if (!output_write (&outs[i], trailer, error) || !output_commit (&outs[i], error))
        goto out;
    }
  ok = TRUE;
out:
  for (guint i = 0; i < n; i++)
    output_clear (&outs[i]);
  return ok;
}
