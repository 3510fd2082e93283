/* SPDX-License-Identifier: GPL-3.0-or-later */
/* octopus-upload-queue.h — the upload fan-out: files and folders to every service at once.
 *
 * A GListModel of OctopusTransfer (one per file, in the order added).  At most
 * "max-in-flight" files upload at once; each is read once, in parts of "part-size", with at
 * most "parts-in-flight" parts in memory, and every part goes to every service concurrently.
 * So memory is bounded by max-in-flight × parts-in-flight × part-size (small files: by their
 * size, below "multipart-threshold").  Multipart uploads are journaled (see
 * octopus-upload-journal.h); octopus_upload_queue_resume_async() picks them up after a
 * restart.  Use from one thread (the one whose thread-default context it was made in).
 */
#pragma once

#include <gio/gio.h>
#include "octopus-crypt-keys.h"
#include "octopus-crypt-names.h"
#include "octopus-transfer.h"

G_BEGIN_DECLS

#define OCTOPUS_TYPE_UPLOAD_QUEUE (octopus_upload_queue_get_type ())

/* Measured with 300 small files (4-32 KiB) to 3 services on this machine's loopback servers
 * (`octopus-cli upload --transfers N`, two rounds): 1 → 32-39 s, 2 → 22-26 s, 4 → 16-23 s,
 * 8 → 19-25 s, 16 → 19 s. Four is the fastest there, where the servers share the client's two
 * cores; real services answer from further away, where more files in flight help more, so
 * Preferences offers up to 16. */
#define OCTOPUS_UPLOAD_MAX_TRANSFERS     16
#define OCTOPUS_UPLOAD_DEFAULT_TRANSFERS 4
G_DECLARE_FINAL_TYPE (OctopusUploadQueue, octopus_upload_queue, OCTOPUS, UPLOAD_QUEUE, GObject)

/* @services: GPtrArray of OctopusService (the array's members).  @journal_dir NULL →
 * g_get_user_state_dir()/octopus/uploads. */
OctopusUploadQueue *octopus_upload_queue_new (GPtrArray  *services,
                                              const char *journal_dir);

GPtrArray *octopus_upload_queue_get_services (OctopusUploadQueue *self);

/* While a file uploads, its key shows as "transferring" on every service in @array's table
 * (weak reference; NULL to stop).  Refresh the array afterwards to see the result. */
struct _OctopusArray;
void       octopus_upload_queue_set_array    (OctopusUploadQueue   *self,
                                              struct _OctopusArray *array);

/* Encrypts the files added from now on (and shows resumed ones by their plaintext names)
 * with @keys, names as @names; NULL keys: no encryption.  Each file is encrypted once into a
 * spool file in the user's cache folder, which is uploaded under the encrypted key with the
 * sealed plaintext size and SHA-256 (octopus_crypt_seal_facts()) in the user metadata
 * OCTOPUS_UPLOAD_CRYPT_METADATA; see octopus-upload-queue-crypt.c. */
#define OCTOPUS_UPLOAD_CRYPT_METADATA "octopus-crypt"
void    octopus_upload_queue_set_encryption (OctopusUploadQueue   *self,
                                             OctopusCryptKeys     *keys,
                                             OctopusCryptNameMode  names);
/* Follow the array settings (octopus-array-settings.h): every add_async() first reads them and,
 * with encryption on, gets the keys from the keyring (derived once and kept), so that a change
 * made in Preferences applies to the next file added; when the keys cannot be had, the add
 * fails and nothing is uploaded in the clear. */
void    octopus_upload_queue_follow_array_settings (OctopusUploadQueue *self);
/* Settings (also properties); changes apply to files that start afterwards. */
/* Files uploaded at the same time: at most OCTOPUS_UPLOAD_MAX_TRANSFERS; by default
 * OCTOPUS_UPLOAD_DEFAULT_TRANSFERS (measured: see its definition). */
void    octopus_upload_queue_set_max_in_flight       (OctopusUploadQueue *self, guint n);
guint   octopus_upload_queue_get_max_in_flight       (OctopusUploadQueue *self);
/* 8 MiB */
void    octopus_upload_queue_set_part_size           (OctopusUploadQueue *self, gsize size);
gsize   octopus_upload_queue_get_part_size           (OctopusUploadQueue *self);
void    octopus_upload_queue_set_parts_in_flight     (OctopusUploadQueue *self, guint n);    /* 4 */
guint   octopus_upload_queue_get_parts_in_flight     (OctopusUploadQueue *self);
/* 16 MiB */
void    octopus_upload_queue_set_multipart_threshold (OctopusUploadQueue *self, goffset size);
goffset octopus_upload_queue_get_multipart_threshold (OctopusUploadQueue *self);
/* Tries per request on top of the S3 client's own retries (3). */
void    octopus_upload_queue_set_attempts            (OctopusUploadQueue *self, guint n);

/* The most memory the queue's part buffers may take with the current settings. */
gsize   octopus_upload_queue_get_memory_budget       (OctopusUploadQueue *self);

/* Queues one file under @key (a transfer for the same key that has not finished yet is
 * returned instead of a second one).  Returns the transfer (owned by the queue). */
OctopusTransfer *octopus_upload_queue_add_file (OctopusUploadQueue *self,
                                                GFile              *file,
                                                const char         *key);

/* Queues a file, or a folder recursively (enumerated asynchronously; uploads start while
 * it is being walked).  Keys: @prefix (a '/' is added when missing), then the file's name,
 * or the folder's name and the path below it with '/' separators.  Symbolic links are
 * skipped.  → the number of files queued. */
void     octopus_upload_queue_add_async  (OctopusUploadQueue  *self,
                                          GFile               *file,
                                          const char          *prefix,
                                          GCancellable        *cancellable,
                                          GAsyncReadyCallback  callback,
                                          gpointer             user_data);
guint    octopus_upload_queue_add_finish (OctopusUploadQueue  *self,
                                          GAsyncResult        *result,
                                          GError             **error);

/* Call once at start, before adding: aborts the multipart uploads this installation left
 * open in the services' buckets and no longer needs (where ListMultipartUploads works; see
 * octopus-upload-owner.h), leaving alone those of other computers and programs, then queues
 * every journaled upload to resume.  → the number of uploads resumed. */
void     octopus_upload_queue_resume_async  (OctopusUploadQueue  *self,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data);
guint    octopus_upload_queue_resume_finish (OctopusUploadQueue  *self,
                                             GAsyncResult        *result,
                                             GError             **error);

/* Multipart uploads the last resume found open on @service_name that this installation did
 * not start (another computer's with the same accounts, another program's): left alone. */
guint    octopus_upload_queue_get_left_alone      (OctopusUploadQueue *self,
                                                   const char         *service_name);
/* The same for the user: one sentence naming each service with a count, or NULL for none. */
char    *octopus_upload_queue_describe_left_alone (OctopusUploadQueue *self);

/* Completes when nothing is queued, uploading, being added or resumed ("busy" is FALSE). */
void     octopus_upload_queue_wait_async  (OctopusUploadQueue  *self,
                                           GCancellable        *cancellable,
                                           GAsyncReadyCallback  callback,
                                           gpointer             user_data);
gboolean octopus_upload_queue_wait_finish (OctopusUploadQueue  *self,
                                           GAsyncResult        *result,
                                           GError             **error);

gboolean octopus_upload_queue_get_busy      (OctopusUploadQueue *self);
/* TRUE while some transfer in the list has not finished. */
gboolean octopus_upload_queue_has_unfinished (OctopusUploadQueue *self);
/* Multipart uploads still to be aborted on a service that could not be reached when it was
 * given up (property "aborts-pending"): retried with backoff while the queue lives, and at
 * once when the service is reachable again; journaled, so the next start retries the rest.
 * Not part of "busy": a service may stay down for days. */
guint    octopus_upload_queue_get_aborts_pending (OctopusUploadQueue *self);
/* Writes the journal's batched changes now (they go out within 100 ms anyway). */
void     octopus_upload_queue_flush_journal      (OctopusUploadQueue *self);
void     octopus_upload_queue_cancel_all    (OctopusUploadQueue *self);
/* Drops finished transfers from the list. */
void     octopus_upload_queue_clear_finished (OctopusUploadQueue *self);

/* Request body bytes handed to @service_name's network so far, for every file (retries and
 * resends included): what a resumed upload saves shows here. */
goffset  octopus_upload_queue_get_bytes_sent (OctopusUploadQueue *self,
                                              const char         *service_name);

G_END_DECLS
