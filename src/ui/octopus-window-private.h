/* SPDX-License-Identifier: GPL-3.0-or-later */
/* octopus-window-private.h — the window's state, shared by octopus-window*.c. */
#pragma once

#include "octopus-window.h"
#include "octopus-array.h"
#include "octopus-object-table.h"
#include "octopus-service.h"
#include "octopus-transfers-panel.h"
#include "octopus-upload-queue.h"

G_BEGIN_DECLS

struct _OctopusWindow
{
  AdwApplicationWindow  parent_instance;

  /* Template children */
  AdwToastOverlay      *toast_overlay;
  AdwWindowTitle       *window_title;
  GtkToggleButton      *search_button;
  GtkSearchBar         *search_bar;
  GtkSearchEntry       *search_entry;
  GtkStack             *stack;
  AdwStatusPage        *loading_page;
  GtkColumnView        *column_view;
  GtkMultiSelection    *selection;
  GtkFilterListModel   *filter_model;
  GtkCustomFilter      *problems_filter;
  GMenuModel           *row_menu;
  GtkWidget            *row_popover;
  OctopusTransfersPanel *transfers_panel;

  /* Owned state */
  GSettings            *settings;
  OctopusAccountStore  *accounts;
  GCancellable         *cancellable;      /* cancelled on close and when services reload */
  GPtrArray            *services;         /* OctopusService, in column order */
  OctopusArray         *array;
  OctopusObjectTable   *table;            /* the array's, borrowed with a reference */
  guint                 refreshing;       /* refreshes in flight */
  guint                 deep_hashed;      /* copies hashed before the content check began */
  GPtrArray            *service_columns;  /* GtkColumnViewColumn added for the services */
  guint                 summary_idle_id;
  OctopusUploadQueue   *queue;            /* made with the array, same services */
  guint                 refresh_timeout_id; /* refresh after uploads settle */
  int                   crypt_names;        /* OctopusCryptNameMode for the list's names */
  gboolean              auto_repaired;    /* the next refresh follows an automatic repair */
  guint                 operations;       /* repairs and deletes in flight */
  gboolean              loading;          /* the services are being loaded */
  /* finished uploads of this batch, by OctopusTransferState */
  guint                 batch_counts[OCTOPUS_TRANSFER_N_STATES];
  char                 *batch_failure;    /* the first failure's message in this batch */
};

/* octopus-window.c */
void       _octopus_window_update_page      (OctopusWindow *self);
void       _octopus_window_update_summary   (OctopusWindow *self);
void       _octopus_window_toast_error      (OctopusWindow *self,
                                             const char    *what,
                                             const GError  *error);
/* Tells the user @body: a toast always, and a desktop notification titled @title when the
 * window is not focused (uploads, repairs and deletes can take long). */
void       _octopus_window_notify           (OctopusWindow *self,
                                             const char    *id,
                                             const char    *title,
                                             const char    *body);
/* Whether _octopus_window_notify() also sends a desktop notification now. */
gboolean   _octopus_window_should_notify_desktop (OctopusWindow *self);
/* The busy flag of win.sync-status, now: call right after work starts so a client that
 * activated an action never reads the idle state from before it. */
void       _octopus_window_update_sync_status (OctopusWindow *self);
/* The toast for a finished batch of uploads (NULL when nothing finished), from counts by
 * OctopusTransferState and the first failure's message. */
char      *_octopus_format_upload_batch     (const guint   counts[OCTOPUS_TRANSFER_N_STATES],
                                             const char   *first_failure);
/* Recounts the summary, page, filter, actions and the "sync-status" state on an idle. */
void       _octopus_window_queue_summary    (OctopusWindow *self);
/* Selects the row showing @key alone and gives it the keyboard focus (FALSE: not shown). */
gboolean   _octopus_window_select_key       (OctopusWindow *self,
                                             const char    *key);
/* Selected rows (OctopusObject, new references), in view order. */
GPtrArray *_octopus_window_get_selected     (OctopusWindow *self);
/* Position (in the selection model) of the row under (x, y) of the column view, or
 * GTK_INVALID_LIST_POSITION. */
guint      _octopus_window_row_at           (OctopusWindow *self,
                                             double         x,
                                             double         y);
void       _octopus_window_popup_row_menu   (OctopusWindow *self,
                                             double         x,
                                             double         y);

/* Shows @array's table and one status column per service (NULL: none).  Tests call it with
 * an array built straight from clients. */
void       _octopus_window_set_array        (OctopusWindow *self,
                                             OctopusArray  *array);

/* (the notify, sync-status, summary and upload-batch helpers above live in
 * octopus-window-status.c) */
/* Shows the array's last known state from its index at once (in the subtitle: "Last known
 * state from 14:02 — refreshing…") until the refresh completes. */
void       _octopus_window_show_last_known  (OctopusWindow *self);

/* octopus-window-columns.c */
/* Adds one status column per service of self->services; removes the ones added. */
void       _octopus_window_add_service_columns    (OctopusWindow *self);
void       _octopus_window_remove_service_columns (OctopusWindow *self);

/* octopus-window-actions.c */
void       _octopus_window_actions_init     (OctopusWindow *self);
void       _octopus_window_actions_update   (OctopusWindow *self);

/* octopus-window-share.c */
/* "Copy Share Link…" for @key: the dialog, or a toast saying why no copy can be shared. */
void       _octopus_window_share            (OctopusWindow *self,
                                             const char    *key);

/* octopus-window-dnd.c */
void       _octopus_window_dnd_init         (OctopusWindow *self);

/* octopus-window-uploads.c */
/* Replaces the window's upload queue (NULL: none); the old one's transfers are cancelled. */
void       _octopus_window_set_queue        (OctopusWindow      *self,
                                             OctopusUploadQueue *queue);
/* A queue for the array's services; the journaled uploads of an earlier run resume first. */
void       _octopus_window_start_uploads    (OctopusWindow *self);
/* TRUE (and a toast) when @objects (of OctopusObject) hold an encrypted one. */
gboolean   _octopus_window_refuse_encrypted (OctopusWindow *self,
                                             GPtrArray     *objects);
/* The same with @queue (tests hand one with a journal of their own): shown, then resumed;
 * the toasts say what was resumed and what was left alone. */
void       _octopus_window_start_queue      (OctopusWindow      *self,
                                             OctopusUploadQueue *queue);
/* The parallel-transfers and part-size settings, for files that start from now on. */
void       _octopus_window_apply_transfer_settings (OctopusWindow *self);

G_END_DECLS
