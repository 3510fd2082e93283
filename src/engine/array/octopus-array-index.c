/* SPDX-License-Identifier: GPL-3.0-or-later */
/* octopus-array-index.c — the array and its local index: the last known state shown at once
 * (octopus_array_load_index_async), and every complete listing written after a refresh. */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "octopus-array-private.h"

/* ---- loading: the last known state ------------------------------------------------------- */

static char **
dup_service_ids (OctopusArray *self)
{
  char **ids = g_new0 (char *, self->services->len + 1);

  for (guint i = 0; i < self->services->len; i++)
    ids[i] = _octopus_array_service_id (g_ptr_array_index (self->services, i));
  return ids;
}

/* Feeds the table from @listings (of OctopusIndexListing, in service order).  → FALSE when
 * nothing is known, or when a refresh already put newer listings into the table. */
static gboolean
show_last_known (OctopusArray *self,
                 GPtrArray    *listings)
{
  guint n = self->services->len;
  g_autofree GPtrArray **objects = g_new0 (GPtrArray *, n);
  g_autofree const char **errors = g_new0 (const char *, n);
  gint64 oldest = 0;
  gboolean any = FALSE;

  if (self->refreshed || listings->len != n)
    return FALSE;
  for (guint i = 0; i < n; i++)
    {
      OctopusIndexListing *listing = g_ptr_array_index (listings, i);

      objects[i] = listing->objects;
      if (listing->objects == NULL)
        {
          /* Shown like a service that cannot be reached: nothing is known of its copies. */
          errors[i] = _("Not listed yet");
          continue;
        }
      any = TRUE;
      oldest = oldest == 0 ? listing->listed_at : MIN (oldest, listing->listed_at);
    }
  if (!any)
    return FALSE;
  octopus_object_table_update (self->table, objects, errors);
  _octopus_array_set_last_known (self, TRUE, oldest);
  return TRUE;
}

static void
index_loaded_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  OctopusArray *self = g_task_get_source_object (task);
  g_autoptr(GPtrArray) listings = NULL;
  g_autoptr(GError) error = NULL;

  listings = octopus_index_load_finish (OCTOPUS_INDEX (source), result, &error);
  if (listings == NULL && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (listings == NULL)
    {
      /* Only a cache: the refresh shows the services as they are. */
      g_message ("Could not read the index: %s", error->message);
      g_task_return_boolean (task, FALSE);
      return;
    }
  g_task_return_boolean (task, show_last_known (self, listings));
}

void
octopus_array_load_index_async (OctopusArray        *self,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_auto(GStrv) ids = NULL;
  OctopusIndex *index;

  g_return_if_fail (OCTOPUS_IS_ARRAY (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, octopus_array_load_index_async);
  index = _octopus_array_get_index (self);
  if (index == NULL || self->services->len == 0)
    {
      g_task_return_boolean (task, FALSE);
      return;
    }
  ids = dup_service_ids (self);
  octopus_index_load_async (index, (const char * const *) ids, cancellable, index_loaded_cb,
                            g_steal_pointer (&task));
}

gboolean
octopus_array_load_index_finish (OctopusArray  *self,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ---- storing: every complete listing after a refresh -------------------------------------- */

static void
stored_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  guint *pending = g_task_get_task_data (task);

  if (!octopus_index_write_finish (OCTOPUS_INDEX (source), result, &error))
    g_message ("Could not write the index: %s", error->message);
  if (--*pending == 0)
    g_task_return_boolean (task, TRUE);
}

void
_octopus_array_store_listings_async (OctopusArray        *self,
                                     guint                n,
                                     GPtrArray          **listings,
                                     GByteArray         **sources,
                                     char               **errors,
                                     char               **service_ids,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, NULL, callback, user_data);
  OctopusIndex *index = _octopus_array_get_index (self);
  guint *pending = g_new0 (guint, 1);

  g_task_set_source_tag (task, _octopus_array_store_listings_async);
  g_task_set_task_data (task, pending, g_free);
  /* One hold until every write is queued. */
  *pending = 1;
  for (guint i = 0; index != NULL && i < n; i++)
    {
      /* A service that could not be listed completely keeps its last complete state. */
      if (listings[i] == NULL || errors[i] != NULL)
        continue;
      (*pending)++;
      octopus_index_store_async (index, service_ids[i], listings[i], sources[i], NULL,
                                 stored_cb, g_object_ref (task));
    }
  if (--*pending == 0)
    g_task_return_boolean (task, TRUE);
}
