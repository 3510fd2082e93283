/* SPDX-License-Identifier: GPL-3.0-or-later */
/* octopus-upload-queue-table.c — what the array's table shows while files upload: each
 * service's row cell "transferring" while its copy is under way, and in sync as soon as that
 * copy is complete, while slower services still upload the same file. */
#include "config.h"

#include "octopus-upload-queue-private.h"
#include "octopus-object-table.h"

void
_octopus_upload_queue_mark_transferring (OctopusUploadQueue *self,
                                         OctopusTransfer    *transfer,
                                         gboolean            transferring)
{
  if (self->array == NULL)
    return;
  for (guint i = 0; i < self->services->len; i++)
    {
      const char *name = octopus_service_get_name (self->services->pdata[i]);

      if (octopus_array_lookup_service (self->array, name) != NULL)
        octopus_array_set_transferring (self->array, octopus_transfer_get_key (transfer), name,
                                        transferring);
    }
}

/* A copy the transfer completed shows in sync in the array's table. */
static void
queue_show_copy (OctopusUploadQueue    *self,
                 OctopusTransfer       *transfer,
                 OctopusUploadProgress *p)
{
  OctopusObjectTable *table;
  int index;

  if (self->array == NULL || octopus_upload_progress_get_state (p) != OCTOPUS_UPLOAD_STATE_DONE)
    return;
  table = octopus_array_get_table (self->array);
  index = octopus_object_table_lookup_service (table, octopus_upload_progress_get_service_name (p));
  if (index < 0)
    return;
  octopus_object_table_set_transferring (table, octopus_transfer_get_key (transfer),
                                         (guint) index, FALSE);
  octopus_object_table_set_copy (table, octopus_transfer_get_key (transfer), (guint) index,
                                 octopus_transfer_get_size (transfer),
                                 _octopus_upload_progress_get_etag (p),
                                 _octopus_upload_progress_get_md5 (p),
                                 g_get_real_time () / G_USEC_PER_SEC);
}

/* A copy completed while a slower service still uploads: the row says so at once ("done on
 * 2 of 3"), not when the whole transfer finished. */
static void
copy_state_cb (OctopusUploadProgress *p,
               GParamSpec            *pspec,
               OctopusUploadQueue    *self)
{
  OctopusTransfer *transfer = g_object_get_data (G_OBJECT (p), "octopus-transfer");

  if (transfer != NULL)
    queue_show_copy (self, transfer, p);
}

void
_octopus_upload_queue_watch_copies (OctopusUploadQueue *self,
                                    OctopusTransfer    *transfer)
{
  GListModel *services = octopus_transfer_get_services (transfer);

  for (guint i = 0; i < g_list_model_get_n_items (services); i++)
    {
      g_autoptr(OctopusUploadProgress) p = g_list_model_get_item (services, i);

      /* Unowned: the transfer owns its progress objects. */
      g_object_set_data (G_OBJECT (p), "octopus-transfer", transfer);
      g_signal_handlers_disconnect_by_func (p, copy_state_cb, self);
      g_signal_connect_object (p, "notify::state", G_CALLBACK (copy_state_cb), self, 0);
    }
}

/* The copies the transfer completed show in sync in the table (again: a copy done before
 * the array was set), and the progress objects are no longer watched. */
void
_octopus_upload_queue_show_copies (OctopusUploadQueue *self,
                                   OctopusTransfer    *transfer)
{
  GListModel *services = octopus_transfer_get_services (transfer);

  for (guint i = 0; i < g_list_model_get_n_items (services); i++)
    {
      g_autoptr(OctopusUploadProgress) p = g_list_model_get_item (services, i);

      g_signal_handlers_disconnect_by_func (p, copy_state_cb, self);
      queue_show_copy (self, transfer, p);
    }
}

