/* SPDX-License-Identifier: GPL-3.0-or-later */
/* octopus-download.c — verified download of one key, with fallback between replicas. */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "octopus-array-private.h"
#include "octopus-download.h"

#define MAX_COMPONENT 255

static char *
sanitize_component (const char *part)
{
  g_autofree char *valid = g_utf8_make_valid (part, -1);
  GString *out = g_string_new (NULL);

  for (const char *p = valid; *p != '\0'; p++)
    {
      guchar c = (guchar) *p;
      g_string_append_c (out, (c < 0x20 || c == 0x7f) ? '_' : (char) c);
    }
  if (out->len > MAX_COMPONENT)
    {
      /* Cut at the start of the character that would cross the limit. */
      const char *end = g_utf8_find_prev_char (out->str, out->str + MAX_COMPONENT + 1);
      g_string_truncate (out, end ? (gsize) (end - out->str) : MAX_COMPONENT);
    }
  return g_string_free (out, FALSE);
}

char *
octopus_download_relative_path (const char *key)
{
  g_auto(GStrv) parts = NULL;
  g_autoptr(GPtrArray) kept = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *flat = NULL;

  g_return_val_if_fail (key != NULL, NULL);

  flat = g_strdup (key);
  g_strdelimit (flat, "\\", '/');
  parts = g_strsplit (flat, "/", -1);
  for (guint i = 0; parts[i] != NULL; i++)
    {
      if (parts[i][0] == '\0' || g_str_equal (parts[i], ".") || g_str_equal (parts[i], ".."))
        continue;
      g_ptr_array_add (kept, sanitize_component (parts[i]));
    }
  if (kept->len == 0)
    return g_strdup ("_");
  g_ptr_array_add (kept, NULL);
  return g_strjoinv ("/", (char **) kept->pdata);
}

char *
octopus_download_local_path (const char *directory,
                             const char *key)
{
  g_autofree char *relative = octopus_download_relative_path (key);
  return g_build_filename (directory, relative, NULL);
}

gboolean
octopus_download_make_parents (const char  *directory,
                               const char  *path,
                               GError     **error)
{
  g_autofree char *parent = g_path_get_dirname (path);
  gsize dir_len = strlen (directory);
  g_autofree char *relative = NULL;
  g_auto(GStrv) parts = NULL;
  g_autofree char *current = g_strdup (directory);

  g_return_val_if_fail (g_str_has_prefix (parent, directory), FALSE);

  relative = g_strdup (parent + dir_len);
  parts = g_strsplit (relative, G_DIR_SEPARATOR_S, -1);
  for (guint i = 0; parts[i] != NULL; i++)
    {
      GStatBuf st;
      char *next;

      if (parts[i][0] == '\0')
        continue;
      next = g_build_filename (current, parts[i], NULL);
      g_free (current);
      current = next;

      if (g_lstat (current, &st) == 0)
        {
          if (!S_ISDIR (st.st_mode))
            {
              g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_DIRECTORY,
                           _("%s is in the way and is not a folder"), current);
              return FALSE;
            }
        }
      else if (g_mkdir (current, 0755) != 0 && errno != EEXIST)
        {
          int saved = errno;
          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                       _("Cannot create %s: %s"), current, g_strerror (saved));
          return FALSE;
        }
    }
  return TRUE;
}

/* ---- the download ----------------------------------------------------------------------- */
/* Every step that touches the disk runs without blocking the caller's (the main) thread:
 * the temporary file is created, written, closed and deleted with GIO's async calls, and the
 * folder creation (lstat + mkdir, never following a symlink) and the final rename run in a
 * worker thread. */

typedef struct {
  char          *key;
  char          *directory;
  char          *path;          /* final */
  char          *tmp_path;      /* current attempt */
  char          *expected_md5;  /* reference MD5, NULL when unknown */
  gint64         expected_size;
  GArray        *candidates;    /* of guint service index, best first */
  guint          next;
  guint          current;
  guint          create_attempts;
  GInputStream  *in;            /* the body being fetched, until the pump starts */
  GOutputStream *out;
  GPtrArray     *results;       /* of OctopusArrayResult */
  GError        *pending_error; /* returned once the temporary file is gone */
  char          *md5;           /* of the bytes written in this attempt */
  gint64         bytes;
} Download;

static void
download_free (Download *d)
{
  /* Only a bug leaves a temporary file here (every path discards it first); still, never
   * leave one behind. */
  if (d->tmp_path != NULL)
    g_unlink (d->tmp_path);
  g_free (d->tmp_path);
  g_free (d->key);
  g_free (d->directory);
  g_free (d->path);
  g_free (d->expected_md5);
  g_clear_pointer (&d->candidates, g_array_unref);
  g_clear_object (&d->in);
  g_clear_object (&d->out);
  g_clear_pointer (&d->results, g_ptr_array_unref);
  g_clear_error (&d->pending_error);
  g_free (d->md5);
  g_free (d);
}

static void try_next (GTask *task);

static OctopusService *
current_service (GTask *task)
{
  OctopusArray *self = g_task_get_source_object (task);
  Download *d = g_task_get_task_data (task);
  return g_ptr_array_index (self->services, d->current);
}

/* After the temporary file is gone: either the pending error, or the next replica. */
static void
after_discard (GTask *task)
{
  Download *d = g_task_get_task_data (task);

  if (d->pending_error != NULL)
    {
      g_task_return_error (task, g_steal_pointer (&d->pending_error));
      g_object_unref (task);
      return;
    }
  try_next (task);
}

static void
tmp_deleted_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  GTask *task = user_data;
  Download *d = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  if (!g_file_delete_finish (G_FILE (source), result, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
    {
      /* tmp_path kept: download_free retries the unlink. */
      g_warning ("Could not remove %s: %s", d->tmp_path, error->message);
      after_discard (task);
      return;
    }
  g_clear_pointer (&d->tmp_path, g_free);
  after_discard (task);
}

static void
tmp_closed_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  GTask *task = user_data;
  Download *d = g_task_get_task_data (task);
  g_autoptr(GFile) file = g_file_new_for_path (d->tmp_path);

  g_output_stream_close_finish (G_OUTPUT_STREAM (source), result, NULL);
  g_clear_object (&d->out);
  /* Not cancellable: a cancelled download must still clean up. */
  g_file_delete_async (file, G_PRIORITY_DEFAULT, NULL, tmp_deleted_cb, task);
}

/* Closes and deletes the temporary file (if any), then after_discard().  Takes @task. */
static void
discard_temp (GTask *task)
{
  Download *d = g_task_get_task_data (task);

  g_clear_object (&d->in);
  if (d->tmp_path == NULL)
    {
      g_clear_object (&d->out);
      after_discard (task);
      return;
    }
  if (d->out != NULL && !g_output_stream_is_closed (d->out))
    {
      g_output_stream_close_async (d->out, G_PRIORITY_DEFAULT, NULL, tmp_closed_cb, task);
      return;
    }
  {
    g_autoptr(GFile) file = g_file_new_for_path (d->tmp_path);
    g_clear_object (&d->out);
    g_file_delete_async (file, G_PRIORITY_DEFAULT, NULL, tmp_deleted_cb, task);
  }
}

/* Ends the download with @error once the temporary file is gone.  Takes @task and @error. */
static void
fail (GTask  *task,
      GError *error)
{
  Download *d = g_task_get_task_data (task);

  g_clear_error (&d->pending_error);
  d->pending_error = error;
  discard_temp (task);
}

/* This replica failed: noted, its temporary file discarded, the next one tried. */
static void
attempt_failed (GTask      *task,
                const char *message)
{
  Download *d = g_task_get_task_data (task);
  const char *name = octopus_service_get_name (current_service (task));
  g_autofree char *named = octopus_service_name_message (name, message);

  g_ptr_array_add (d->results,
                   _octopus_array_result_new (d->key, name, OCTOPUS_RESULT_FAILED, named));
  discard_temp (task);
}

typedef struct {
  char *from;
  char *to;
} Rename;

static void
rename_free (Rename *r)
{
  g_free (r->from);
  g_free (r->to);
  g_free (r);
}

/* rename(2) replaces the final entry itself (a symlink there is replaced, not followed). */
static void
rename_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  Rename *r = task_data;

  if (g_rename (r->from, r->to) != 0)
    {
      int saved = errno;
      g_task_return_new_error (task, G_IO_ERROR, g_io_error_from_errno (saved),
                               _("Cannot write %s: %s"), r->to, g_strerror (saved));
      return;
    }
  g_task_return_boolean (task, TRUE);
}

static void
renamed_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  GTask *task = user_data;
  Download *d = g_task_get_task_data (task);
  GError *error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      fail (task, error);
      return;
    }
  g_clear_pointer (&d->tmp_path, g_free);
  g_ptr_array_add (d->results,
                   _octopus_array_result_new (d->key,
                                              octopus_service_get_name (current_service (task)),
                                              OCTOPUS_RESULT_OK,
                                              d->expected_md5
                                              ? NULL
                                              : _("no MD5 known: checked the size only")));
  g_task_return_pointer (task, g_strdup (d->path), g_free);
  g_object_unref (task);
}

/* The copy is verified: move it into place atomically, in a worker. */
static void
rename_into_place (GTask *task)
{
  Download *d = g_task_get_task_data (task);
  g_autoptr(GTask) worker = g_task_new (NULL, NULL, renamed_cb, task);
  Rename *r = g_new0 (Rename, 1);

  r->from = g_strdup (d->tmp_path);
  r->to = g_strdup (d->path);
  g_task_set_source_tag (worker, rename_into_place);
  g_task_set_task_data (worker, r, (GDestroyNotify) rename_free);
  g_task_run_in_thread (worker, rename_thread);
}

static void
closed_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  GTask *task = user_data;
  Download *d = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  const char *md5 = d->md5;
  gint64 bytes = d->bytes;

  if (!g_output_stream_close_finish (G_OUTPUT_STREAM (source), result, &error))
    {
      attempt_failed (task, error->message);
      return;
    }
  /* Verified before the rename: a wrong copy never reaches the final name. */
  if ((d->expected_md5 != NULL && !g_str_equal (md5, d->expected_md5)) ||
      (d->expected_size >= 0 && bytes != d->expected_size))
    {
      g_autofree char *msg =
        g_strdup_printf (_("the copy does not match (MD5 %s, %lld bytes; "
                           "expected %s, %lld bytes)"),
                         md5, (long long) bytes, d->expected_md5 ? d->expected_md5 : "?",
                         (long long) d->expected_size);
      attempt_failed (task, msg);
      return;
    }
  rename_into_place (task);
}

static void
pump_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  GTask *task = user_data;
  Download *d = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  g_clear_pointer (&d->md5, g_free);
  d->md5 = _octopus_pump_finish (result, &d->bytes, &error);
  if (d->md5 == NULL)
    {
      attempt_failed (task, error->message);
      return;
    }
  g_output_stream_close_async (d->out, G_PRIORITY_DEFAULT, g_task_get_cancellable (task),
                               closed_cb, task);
}

static void create_temp (GTask *task);

static void
created_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  GTask *task = user_data;
  Download *d = g_task_get_task_data (task);
  GError *error = NULL;
  GFileOutputStream *out;
  g_autoptr(GInputStream) in = NULL;

  out = g_file_create_finish (G_FILE (source), result, &error);
  if (out == NULL)
    {
      g_clear_pointer (&d->tmp_path, g_free);    /* not ours: never delete it */
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_EXISTS) && d->create_attempts < 16)
        {
          g_clear_error (&error);
          create_temp (task);
          return;
        }
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_EXISTS))
        {
          g_clear_error (&error);
          g_set_error (&error, G_IO_ERROR, G_IO_ERROR_EXISTS, _("No free temporary name"));
        }
      fail (task, error);
      return;
    }
  d->out = G_OUTPUT_STREAM (out);
  in = g_steal_pointer (&d->in);
  _octopus_pump_async (in, d->out, g_task_get_cancellable (task), pump_cb, task);
}

/* create = O_EXCL: never follows or reuses something already there. */
static void
create_temp (GTask *task)
{
  Download *d = g_task_get_task_data (task);
  g_autofree char *parent = g_path_get_dirname (d->path);
  g_autofree char *name = g_strdup_printf (".octopus-%08x.part", g_random_int ());
  g_autoptr(GFile) file = NULL;

  d->create_attempts++;
  d->tmp_path = g_build_filename (parent, name, NULL);
  file = g_file_new_for_path (d->tmp_path);
  g_file_create_async (file, G_FILE_CREATE_NONE, G_PRIORITY_DEFAULT,
                       g_task_get_cancellable (task), created_cb, task);
}

static void
get_cb (GObject      *source,
        GAsyncResult *result,
        gpointer      user_data)
{
  GTask *task = user_data;
  Download *d = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  d->in = octopus_s3_client_get_object_finish (OCTOPUS_S3_CLIENT (source), result, NULL, &error);
  if (d->in == NULL)
    {
      attempt_failed (task, error->message);
      return;
    }
  d->create_attempts = 0;
  create_temp (task);
}

static void
try_next (GTask *task)
{
  Download *d = g_task_get_task_data (task);
  OctopusService *service;

  if (g_task_return_error_if_cancelled (task))
    {
      g_object_unref (task);
      return;
    }
  if (d->next >= d->candidates->len)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_FAILED,
                               _("No service could provide a verified copy of %s"), d->key);
      g_object_unref (task);
      return;
    }
  d->current = g_array_index (d->candidates, guint, d->next++);
  service = current_service (task);
  octopus_s3_client_get_object_async (octopus_service_get_client (service),
                                      octopus_service_get_bucket (service), d->key, -1, -1,
                                      g_task_get_cancellable (task), get_cb, task);
}

/* Copies in sync first, then those without a comparable hash (checked against the reference
 * MD5 as they are read), then the rest (a differing copy only passes if it really matches). */
static void
add_candidates (Download      *d,
                OctopusObject *row)
{
  static const OctopusObjectState order[] = {
    OCTOPUS_OBJECT_STATE_IN_SYNC, OCTOPUS_OBJECT_STATE_UNKNOWN_HASH,
    OCTOPUS_OBJECT_STATE_TRANSFERRING, OCTOPUS_OBJECT_STATE_DIFFERS,
  };

  for (guint o = 0; o < G_N_ELEMENTS (order); o++)
    for (guint i = 0; i < octopus_object_get_n_services (row); i++)
      if (octopus_object_get_service_state (row, i) == order[o] &&
          octopus_object_get_service_present (row, i))
        g_array_append_val (d->candidates, i);
}

static void
parents_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  char **paths = task_data;
  GError *error = NULL;

  if (octopus_download_make_parents (paths[0], paths[1], &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static void
parents_made_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  GTask *task = user_data;
  GError *error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  try_next (task);
}

static void
erasure_downloaded_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  char *path = _octopus_array_erasure_download_finish (OCTOPUS_ARRAY (source), result, &error);

  if (path == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, path, g_free);
}

/* Starts the download of @key into @directory: from every usable replica in turn, or, when
 * @only is a service index, from that copy alone (checked against its own MD5 and size). */
static void
download_start (OctopusArray *self,
                const char   *key,
                const char   *directory,
                int           only,
                GTask        *task)
{
  g_autoptr(GTask) parents = NULL;
  OctopusObject *row;
  Download *d;

  d = g_new0 (Download, 1);
  d->key = g_strdup (key);
  d->directory = g_canonicalize_filename (directory, NULL);
  d->path = octopus_download_local_path (d->directory, key);
  d->candidates = g_array_new (FALSE, FALSE, sizeof (guint));
  d->results = g_ptr_array_new_with_free_func ((GDestroyNotify) octopus_array_result_free);
  g_task_set_task_data (task, d, (GDestroyNotify) download_free);

  row = octopus_object_table_lookup (self->table, key);
  if (row == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                               _("No service holds %s"), key);
      return;
    }
  if (only < 0 && octopus_object_get_erasure (row, NULL, NULL))
    {
      /* Decoded from k archives, not copied from a replica. */
      _octopus_array_erasure_download_async (self, key, d->directory, d->path,
                                             g_task_get_cancellable (task),
                                             erasure_downloaded_cb, g_object_ref (task));
      return;
    }
  if (only >= 0)
    {
      guint index = (guint) only;

      d->expected_md5 = g_strdup (octopus_object_get_service_md5 (row, index));
      d->expected_size = octopus_object_get_service_size (row, index);
      if (octopus_object_get_service_present (row, index))
        g_array_append_val (d->candidates, index);
    }
  else
    {
      d->expected_md5 = g_strdup (octopus_object_get_md5 (row));
      d->expected_size = octopus_object_get_size (row);
      add_candidates (d, row);
    }

  /* lstat + mkdir of the folders, in a worker thread. */
  parents = g_task_new (NULL, g_task_get_cancellable (task), parents_made_cb,
                        g_object_ref (task));
  g_task_set_source_tag (parents, parents_thread);
  g_task_set_task_data (parents, g_strdupv ((char *[]) { d->directory, d->path, NULL }),
                        (GDestroyNotify) g_strfreev);
  g_task_run_in_thread (parents, parents_thread);
}

void
octopus_array_download_async (OctopusArray        *self,
                              const char          *key,
                              const char          *directory,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (OCTOPUS_IS_ARRAY (self));
  g_return_if_fail (key != NULL);
  g_return_if_fail (directory != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, octopus_array_download_async);
  download_start (self, key, directory, -1, task);
}

void
octopus_array_download_copy_async (OctopusArray        *self,
                                   const char          *key,
                                   const char          *service_name,
                                   const char          *directory,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  GError *error = NULL;
  int only;

  g_return_if_fail (OCTOPUS_IS_ARRAY (self));
  g_return_if_fail (key != NULL);
  g_return_if_fail (service_name != NULL);
  g_return_if_fail (directory != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, octopus_array_download_async);
  only = _octopus_array_service_index (self, service_name, &error);
  if (only < 0)
    {
      g_task_return_error (task, error);
      return;
    }
  download_start (self, key, directory, only, task);
}

char *
octopus_array_download_finish (OctopusArray  *self,
                               GAsyncResult  *result,
                               GPtrArray    **results,
                               GError       **error)
{
  Download *d;

  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  d = g_task_get_task_data (G_TASK (result));
  if (results != NULL)
    *results = d ? g_ptr_array_ref (d->results) : NULL;
  return g_task_propagate_pointer (G_TASK (result), error);
}
