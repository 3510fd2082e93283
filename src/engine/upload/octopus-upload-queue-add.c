/* SPDX-License-Identifier: GPL-3.0-or-later */
/* octopus-upload-queue-add.c — adding files and folders to the upload queue: a folder is
 * walked asynchronously, and its files start uploading while the walk goes on. */
#include "config.h"

#include <glib/gstdio.h>
#include <glib/gi18n-lib.h>

#include "octopus-upload-queue-private.h"

/* ---- adding files and folders ------------------------------------------------------------- */

OctopusTransfer *
_octopus_upload_queue_find_active (OctopusUploadQueue *self,
                   const char         *key)
{
  for (guint i = 0; i < self->transfers->len; i++)
    {
      OctopusTransfer *t = self->transfers->pdata[i];

      if (!octopus_transfer_is_finished (t) && g_strcmp0 (octopus_transfer_get_key (t), key) == 0)
        return t;
    }
  return NULL;
}

/* Size and mtime (µs) of @file as the reader will see them; -1 when it cannot be read. */
static void
file_stat (GFile     *file,
           GFileInfo *info,
           gint64    *size,
           gint64    *mtime_us)
{
  GStatBuf st;

  *size = -1;
  *mtime_us = 0;
  if (info != NULL && g_file_info_has_attribute (info, G_FILE_ATTRIBUTE_STANDARD_SIZE)
      && g_file_info_has_attribute (info, G_FILE_ATTRIBUTE_TIME_MODIFIED))
    {
      *size = g_file_info_get_size (info);
      *mtime_us = (gint64) g_file_info_get_attribute_uint64 (info, G_FILE_ATTRIBUTE_TIME_MODIFIED)
                  * G_USEC_PER_SEC
                  + g_file_info_get_attribute_uint32 (info, G_FILE_ATTRIBUTE_TIME_MODIFIED_USEC);
    }
  else if (g_file_peek_path (file) != NULL && g_stat (g_file_peek_path (file), &st) == 0)
    {
      /* One stat, like octopus_upload_reader_check(): fine on the main thread. */
      *size = st.st_size;
      *mtime_us = (gint64) st.st_mtim.tv_sec * G_USEC_PER_SEC + st.st_mtim.tv_nsec / 1000;
    }
}

/* @resume: the entry read from the journal, or NULL for a file queued now (journaled here,
 * with @info's size and mtime, or a stat's when @info is NULL). */
OctopusTransfer *
_octopus_upload_queue_append (OctopusUploadQueue        *self,
                              GFile                     *file,
                              const char                *key,
                              GFileInfo                 *info,
                              OctopusUploadJournalEntry *resume)
{
  OctopusTransfer *transfer = NULL;
  g_autoptr(OctopusUploadJournalEntry) entry = NULL;

  if (resume == NULL && self->crypt_keys != NULL)
    return _octopus_upload_queue_append_encrypted (self, file, key);
  transfer = _octopus_upload_queue_find_active (self, key);
  if (transfer != NULL)
    return transfer;

  if (resume != NULL)
    entry = octopus_upload_journal_entry_ref (resume);
  else if (g_file_peek_path (file) != NULL)   /* only local files can be uploaded at all */
    {
      gint64 size, mtime_us;

      file_stat (file, info, &size, &mtime_us);
      entry = octopus_upload_journal_entry_new (g_file_peek_path (file), key, size, mtime_us,
                                                0, NULL);
      octopus_upload_journal_queue_save (self->journal, entry);
    }
  transfer = _octopus_transfer_new (file, key, self->services);
  _octopus_transfer_set_journal (transfer, entry, resume != NULL);
  /* The size when queued (the job sets it again from the file it opens): the scheduler tells
   * large files from small ones by it. */
  if (entry != NULL && octopus_upload_journal_entry_get_size (entry) >= 0)
    _octopus_transfer_set_size (transfer, octopus_upload_journal_entry_get_size (entry));
  if (resume != NULL)
    _octopus_upload_queue_crypt_resumed (self, transfer);
  g_signal_connect (transfer, "finished", G_CALLBACK (_octopus_upload_queue_transfer_finished_cb),
                    self);
  g_ptr_array_add (self->transfers, transfer);
  g_queue_push_tail (&self->pending, g_object_ref (transfer));
  _octopus_upload_queue_items_changed (self, self->transfers->len - 1, 0, 1);
  _octopus_upload_queue_schedule (self);
  _octopus_upload_queue_check_settled (self);
  return transfer;
}

OctopusTransfer *
octopus_upload_queue_add_file (OctopusUploadQueue *self,
                               GFile              *file,
                               const char         *key)
{
  g_return_val_if_fail (OCTOPUS_IS_UPLOAD_QUEUE (self), NULL);
  g_return_val_if_fail (G_IS_FILE (file), NULL);
  g_return_val_if_fail (key != NULL && *key != '\0', NULL);

  return _octopus_upload_queue_append (self, file, key, NULL, NULL);
}

typedef struct {
  GFile *dir;
  char  *key_prefix;    /* ends with '/' */
} WalkDir;

typedef struct {
  OctopusUploadQueue *queue;
  GFile              *file;        /* what was given to add */
  GQueue              dirs;        /* WalkDir* still to enumerate */
  GFileEnumerator    *enumerator;
  char               *key_prefix;  /* of the folder being enumerated */
  guint               count;
} AddData;

/* Size and mtime too: they go in the journal without a stat per file. */
#define WALK_ATTRIBUTES G_FILE_ATTRIBUTE_STANDARD_NAME "," G_FILE_ATTRIBUTE_STANDARD_TYPE "," \
                        G_FILE_ATTRIBUTE_STANDARD_SIZE "," G_FILE_ATTRIBUTE_TIME_MODIFIED "," \
                        G_FILE_ATTRIBUTE_TIME_MODIFIED_USEC

static void
walk_dir_free (WalkDir *wd)
{
  g_object_unref (wd->dir);
  g_free (wd->key_prefix);
  g_free (wd);
}

static void
add_data_free (AddData *data)
{
  g_queue_clear_full (&data->dirs, (GDestroyNotify) walk_dir_free);
  g_clear_object (&data->enumerator);
  g_clear_object (&data->file);
  g_free (data->key_prefix);
  g_clear_object (&data->queue);
  g_free (data);
}

static void
add_task_done (GTask *task)
{
  AddData *data = g_task_get_task_data (task);

  data->queue->busy_ops--;
  _octopus_upload_queue_check_settled (data->queue);
}

/* S3 keys are UTF-8; a file name that is not cannot be stored under its own name. */
static gboolean
name_is_valid (const char *name)
{
  return name != NULL && g_utf8_validate (name, -1, NULL);
}

static void walk_next_dir (GTask *task);

/* A file in a dropped folder whose name is not UTF-8 cannot become a key: it is listed as
 * that file's failure, saying why, so the user sees which file was left out. */
static void
queue_append_unnamable (OctopusUploadQueue *self,
                        GFile              *file,
                        const char         *key_prefix,
                        const char         *name)
{
  g_autofree char *shown = g_utf8_make_valid (name, -1);
  g_autofree char *key = g_strconcat (key_prefix, shown, NULL);
  g_autoptr(GError) error = g_error_new (G_IO_ERROR, G_IO_ERROR_INVALID_FILENAME,
                                         _("“%s” cannot be uploaded: its name is not valid "
                                           "UTF-8, which S3 keys must be; rename it"), key);
  OctopusTransfer *transfer = _octopus_transfer_new (file, key, self->services);

  g_signal_connect (transfer, "finished", G_CALLBACK (_octopus_upload_queue_transfer_finished_cb),
                    self);
  g_ptr_array_add (self->transfers, transfer);
  _octopus_upload_queue_items_changed (self, self->transfers->len - 1, 0, 1);
  _octopus_transfer_set_state (transfer, OCTOPUS_TRANSFER_STATE_FAILED, error);
  _octopus_transfer_emit_finished (transfer);
}

static void
next_files_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  AddData *data = g_task_get_task_data (task);
  GCancellable *cancellable;
  GError *error = NULL;
  GList *infos = g_file_enumerator_next_files_finish (G_FILE_ENUMERATOR (source), result, &error);

  if (error != NULL)
    {
      add_task_done (task);
      g_task_return_error (task, error);
      return;
    }
  if (infos == NULL)
    {
      g_clear_object (&data->enumerator);
      walk_next_dir (g_steal_pointer (&task));
      return;
    }
  for (GList *l = infos; l != NULL; l = l->next)
    {
      GFileInfo *info = l->data;
      const char *name = g_file_info_get_name (info);
      g_autoptr(GFile) child = g_file_enumerator_get_child (data->enumerator, info);
      g_autofree char *key = g_strconcat (data->key_prefix, name, NULL);

      if (!name_is_valid (name))
        {
          queue_append_unnamable (data->queue, child, data->key_prefix, name);
          continue;
        }
      switch (g_file_info_get_file_type (info))
        {
        case G_FILE_TYPE_DIRECTORY:
          {
            WalkDir *wd = g_new0 (WalkDir, 1);
            wd->dir = g_object_ref (child);
            wd->key_prefix = g_strconcat (key, "/", NULL);
            g_queue_push_tail (&data->dirs, wd);
          }
          break;
        case G_FILE_TYPE_REGULAR:
          _octopus_upload_queue_append (data->queue, child, key, info, NULL);
          data->count++;
          break;
        default:
          /* Symbolic links (loops, files outside the folder) and special files. */
          g_debug ("Skipping %s", g_file_peek_path (child));
          break;
        }
    }
  g_list_free_full (infos, g_object_unref);
  cancellable = g_task_get_cancellable (task);   /* before the task is handed on */
  g_file_enumerator_next_files_async (data->enumerator, 64, G_PRIORITY_DEFAULT,
                                      cancellable, next_files_cb, g_steal_pointer (&task));
}

static void
enumerated_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  AddData *data = g_task_get_task_data (task);
  GCancellable *cancellable;
  GError *error = NULL;

  data->enumerator = g_file_enumerate_children_finish (G_FILE (source), result, &error);
  if (data->enumerator == NULL)
    {
      add_task_done (task);
      g_task_return_error (task, error);
      return;
    }
  cancellable = g_task_get_cancellable (task);   /* before the task is handed on */
  g_file_enumerator_next_files_async (data->enumerator, 64, G_PRIORITY_DEFAULT,
                                      cancellable, next_files_cb, g_steal_pointer (&task));
}

static void
walk_next_dir (GTask *task)
{
  AddData *data = g_task_get_task_data (task);
  WalkDir *wd = g_queue_pop_head (&data->dirs);

  if (wd == NULL)
    {
      add_task_done (task);
      g_task_return_int (task, data->count);
      g_object_unref (task);
      return;
    }
  g_free (data->key_prefix);
  data->key_prefix = g_steal_pointer (&wd->key_prefix);
  g_file_enumerate_children_async (wd->dir, WALK_ATTRIBUTES, G_FILE_QUERY_INFO_NOFOLLOW_SYMLINKS,
                                   G_PRIORITY_DEFAULT, g_task_get_cancellable (task),
                                   enumerated_cb, task);
  walk_dir_free (wd);
}

static char *
normalize_prefix (const char *prefix)
{
  while (prefix != NULL && *prefix == '/')
    prefix++;
  if (prefix == NULL || *prefix == '\0')
    return g_strdup ("");
  if (g_str_has_suffix (prefix, "/"))
    return g_strdup (prefix);
  return g_strconcat (prefix, "/", NULL);
}

static void
top_info_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  AddData *data = g_task_get_task_data (task);
  GError *error = NULL;
  g_autoptr(GFileInfo) info = g_file_query_info_finish (G_FILE (source), result, &error);
  g_autofree char *name = g_file_get_basename (G_FILE (source));
  g_autofree char *key = NULL;

  if (info == NULL)
    {
      add_task_done (task);
      g_task_return_error (task, error);
      return;
    }
  if (!name_is_valid (name) || g_strcmp0 (name, "/") == 0)
    {
      add_task_done (task);
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_FILENAME,
                               _("Cannot upload %s: no valid object name"),
                               g_file_peek_path (G_FILE (source)));
      return;
    }
  key = g_strconcat (data->key_prefix, name, NULL);
  if (g_file_info_get_file_type (info) == G_FILE_TYPE_DIRECTORY)
    {
      WalkDir *wd = g_new0 (WalkDir, 1);

      wd->dir = g_object_ref (G_FILE (source));
      wd->key_prefix = g_strconcat (key, "/", NULL);
      g_queue_push_tail (&data->dirs, wd);
      walk_next_dir (g_steal_pointer (&task));
      return;
    }
  _octopus_upload_queue_append (data->queue, G_FILE (source), key, info, NULL);
  add_task_done (task);
  g_task_return_int (task, 1);
}

static void
add_start (GTask *task)
{
  AddData *data = g_task_get_task_data (task);

  /* A symbolic link given by name is followed: the user pointed at it. */
  g_file_query_info_async (data->file, WALK_ATTRIBUTES, G_FILE_QUERY_INFO_NONE,
                           G_PRIORITY_DEFAULT, g_task_get_cancellable (task), top_info_cb, task);
}

static void
keys_ready_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  GTask *task = user_data;
  GError *error = NULL;

  if (!_octopus_upload_queue_prepare_encryption_finish (OCTOPUS_UPLOAD_QUEUE (source), result,
                                                        &error))
    {
      add_task_done (task);
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  add_start (task);
}

void
octopus_upload_queue_add_async (OctopusUploadQueue  *self,
                                GFile               *file,
                                const char          *prefix,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  AddData *data;

  g_return_if_fail (OCTOPUS_IS_UPLOAD_QUEUE (self));
  g_return_if_fail (G_IS_FILE (file));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, octopus_upload_queue_add_async);
  data = g_new0 (AddData, 1);
  data->queue = g_object_ref (self);
  data->key_prefix = normalize_prefix (prefix);
  g_queue_init (&data->dirs);
  g_task_set_task_data (task, data, (GDestroyNotify) add_data_free);

  self->busy_ops++;
  _octopus_upload_queue_set_busy (self, TRUE);
  data->file = g_object_ref (file);
  /* With the array settings followed, the encryption keys are made ready first: a file must
   * never go out in the clear because they were still being derived. */
  if (self->follow_settings)
    _octopus_upload_queue_prepare_encryption_async (self, cancellable, keys_ready_cb,
                                                    g_steal_pointer (&task));
  else
    add_start (g_steal_pointer (&task));
}

guint
octopus_upload_queue_add_finish (OctopusUploadQueue  *self,
                                 GAsyncResult        *result,
                                 GError             **error)
{
  gssize n;

  g_return_val_if_fail (g_task_is_valid (result, self), 0);
  n = g_task_propagate_int (G_TASK (result), error);
  return n < 0 ? 0 : (guint) n;
}
