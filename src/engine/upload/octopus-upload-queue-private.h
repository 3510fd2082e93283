/* SPDX-License-Identifier: GPL-3.0-or-later */
/* octopus-upload-queue-private.h — OctopusUploadQueue's struct and the functions its files
 * share (octopus-upload-queue.c, -add.c, -resume.c, -table.c).  Internal to the upload engine. */
#pragma once

#include "octopus-array.h"
#include "octopus-crypt.h"
#include "octopus-transfer-private.h"
#include "octopus-upload-aborts.h"
#include "octopus-upload-job.h"
#include "octopus-upload-queue.h"

G_BEGIN_DECLS

/* Files in flight (max_in_flight, Preferences' Parallel Transfers) speed up many small files,
 * which each hold one small buffer; a large file holds parts_in_flight parts, so no more than
 * LARGE_FILES_IN_FLIGHT of those run at once, which keeps memory bounded whatever the setting
 * (octopus_upload_queue_get_memory_budget). */
#define SMALL_FILE_SIZE       (1024 * 1024)
#define LARGE_FILES_IN_FLIGHT 2

/* A job the queue started; weak: dropping the queue must reach dispose (which stops jobs). */
typedef struct {
  GWeakRef queue;
  gboolean large;
} RunningJob;

struct _OctopusUploadQueue
{
  GObject               parent_instance;

  GPtrArray            *services;      /* of OctopusService */
  GPtrArray            *transfers;     /* of OctopusTransfer: the list model */
  GQueue                pending;       /* OctopusTransfer* (owned refs) waiting to start */
  OctopusUploadSettings settings;
  guint                 max_in_flight;
  OctopusUploadJournal *journal;
  OctopusUploadAborts  *aborts;        /* failed aborts, retried until they get through */
  guint                 running;
  guint                 running_large; /* of them, files over SMALL_FILE_SIZE */
  guint                 busy_ops;      /* folder walks and resumes in progress */
  gboolean              busy;
  GHashTable           *sent;          /* service name → goffset* */
  GHashTable           *down_since;    /* service name → gint64* (monotonic µs) */
  GPtrArray            *waiters;       /* GTask of wait_async */
  OctopusArray         *array;         /* weak: rows shown "transferring", or NULL */
  GHashTable           *left_alone;    /* the last resume's: service name → uploads of others */
  OctopusCryptKeys     *crypt_keys;    /* set: new files are encrypted (-crypt.c), else NULL */
  OctopusCryptNameMode  crypt_names;
  gboolean              follow_settings; /* each add reads the array settings first (-crypt.c) */
};

void     _octopus_upload_queue_items_changed (OctopusUploadQueue        *self,
                                              guint                      position,
                                              guint                      removed,
                                              guint                      added);
/* Starts queued files while fewer than max-in-flight run. */
void     _octopus_upload_queue_schedule      (OctopusUploadQueue        *self);
/* "busy" is TRUE while anything is queued, uploading, being added or resumed; when it turns
 * FALSE, the wait_async() callers are answered. */
void     _octopus_upload_queue_set_busy      (OctopusUploadQueue        *self,
                                              gboolean                   busy);
void     _octopus_upload_queue_check_settled (OctopusUploadQueue        *self);
/* Does the journal still need @entry: some service of the queue lacks the file and was not
 * given up? */
gboolean _octopus_upload_queue_entry_needed  (OctopusUploadQueue        *self,
                                              OctopusUploadJournalEntry *entry);
/* Owes the aborts in @owed (abort entries, journaled), retried while the queue lives. */
void     _octopus_upload_queue_owe_aborts    (OctopusUploadQueue        *self,
                                              GPtrArray                 *owed,
                                              gboolean                   now);
/* The "finished" handler of every transfer of the queue. */
void     _octopus_upload_queue_transfer_finished_cb (OctopusTransfer    *transfer,
                                                     OctopusUploadQueue *self);
/* Queues @file under @key (or returns the unfinished transfer of @key).  @resume: the entry
 * read from the journal, or NULL for a file queued now (journaled here, with @info's size
 * and mtime, or a stat's when @info is NULL). */
OctopusTransfer *_octopus_upload_queue_append (OctopusUploadQueue        *self,
                                               GFile                     *file,
                                               const char                *key,
                                               GFileInfo                 *info,
                                               OctopusUploadJournalEntry *resume);

/* octopus-upload-queue-table.c: the rows of the array's table (if any) while @transfer runs. */
void     _octopus_upload_queue_mark_transferring (OctopusUploadQueue *self,
                                                  OctopusTransfer    *transfer,
                                                  gboolean            transferring);
/* Each copy of @transfer shows in sync as soon as it is complete. */
void     _octopus_upload_queue_watch_copies      (OctopusUploadQueue *self,
                                                  OctopusTransfer    *transfer);
/* At the end: every complete copy in sync (again), and the watch ends. */
void     _octopus_upload_queue_show_copies       (OctopusUploadQueue *self,
                                                  OctopusTransfer    *transfer);

/* The unfinished transfer of @key, or NULL (octopus-upload-queue-add.c). */
OctopusTransfer *_octopus_upload_queue_find_active (OctopusUploadQueue *self,
                                                    const char         *key);
/* octopus-upload-queue-crypt.c: queues @file to be encrypted into a spool file and uploaded
 * under the encrypted form of @name; its resumed and settled ends. */
OctopusTransfer *_octopus_upload_queue_append_encrypted (OctopusUploadQueue *self,
                                                         GFile              *file,
                                                         const char         *name);
/* With follow_settings: reads the array settings and, with encryption on, makes the keys
 * ready (from the keyring, derived once); with it off, clears them. */
void     _octopus_upload_queue_prepare_encryption_async  (OctopusUploadQueue  *self,
                                                          GCancellable        *cancellable,
                                                          GAsyncReadyCallback  callback,
                                                          gpointer             user_data);
gboolean _octopus_upload_queue_prepare_encryption_finish (OctopusUploadQueue  *self,
                                                          GAsyncResult        *result,
                                                          GError             **error);
void     _octopus_upload_queue_crypt_resumed (OctopusUploadQueue *self,
                                              OctopusTransfer    *transfer);
void     _octopus_upload_queue_crypt_settled (OctopusUploadQueue *self,
                                              OctopusTransfer    *transfer);
G_END_DECLS
