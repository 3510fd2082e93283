/* SPDX-License-Identifier: GPL-3.0-or-later */
/* octopus-inspector-actions.c — the inspector's actions on one copy: Repair This Copy (only
 * for a missing or differing copy), Download This Copy… (that copy's own bytes, into a folder
 * chosen with GtkFileChooserNative, as the window's Download does) and Delete This Copy…
 * (confirmed in a dialog that names the service).  Each writes to, reads from or deletes on
 * that one service alone (the engine's *_copy_async calls), then the facts are read again. */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "octopus-inspector-private.h"

/* One action in flight: the inspector (a reference) and the service it acts on. */
typedef struct {
  OctopusInspector *self;
  char             *service;
} CopyCall;

static CopyCall *
copy_call_new (OctopusInspector *self,
               const char       *service)
{
  CopyCall *call = g_new0 (CopyCall, 1);

  call->self = g_object_ref (self);
  call->service = g_strdup (service);
  _octopus_inspector_busy (call->self, TRUE);
  return call;
}

static void
copy_call_free (CopyCall *call)
{
  g_object_unref (call->self);
  g_free (call->service);
  g_free (call);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CopyCall, copy_call_free)

static void
toast_failure (OctopusInspector *self,
               const char       *what,
               const char       *why)
{
  /* Translators: "<what failed>: <why>" */
  g_autofree char *message = g_strdup_printf (_("%s: %s"), what, why);

  _octopus_inspector_toast (self, message);
}

/* The action is over: says how it went (@success, or the first failure after @what), then
 * reads the facts again.  Nothing is said once the inspector is closed (cancelled). */
static void
finish (CopyCall     *call,
        GPtrArray    *results,
        const GError *error,
        const char   *what,
        const char   *success)
{
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  _octopus_inspector_busy (call->self, FALSE);
  if (error != NULL)
    toast_failure (call->self, what, error->message);
  else
    {
      const OctopusArrayResult *failure = NULL;

      for (guint i = 0; results != NULL && i < results->len && failure == NULL; i++)
        {
          const OctopusArrayResult *r = g_ptr_array_index (results, i);

          if (r->status == OCTOPUS_RESULT_FAILED || r->status == OCTOPUS_RESULT_UNREACHABLE)
            failure = r;
        }
      if (failure != NULL)
        toast_failure (call->self, what, failure->message ? failure->message : _("failed"));
      else
        _octopus_inspector_toast (call->self, success);
    }
  octopus_inspector_reload (call->self);
}

/* ---- repair ---- */

static void
repair_done_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(CopyCall) call = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) results = octopus_array_repair_finish (OCTOPUS_ARRAY (source), result,
                                                              &error);
  g_autofree char *success = g_strdup_printf (_("The copy on %s was repaired"), call->service);

  finish (call, results, error, _("Could not repair"), success);
}

static void
repair_clicked_cb (GtkButton       *button,
                   InspectorColumn *column)
{
  OctopusInspector *self = column->self;

  octopus_array_repair_copy_async (self->array, self->key, column->service, self->cancellable,
                                   repair_done_cb, copy_call_new (self, column->service));
}

/* ---- download ---- */

static void
download_done_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(CopyCall) call = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = octopus_array_download_finish (OCTOPUS_ARRAY (source), result, NULL,
                                                         &error);
  g_autofree char *success = g_strdup_printf (_("Saved “%s”"), path ? path : "");

  finish (call, NULL, error, _("Could not download"), success);
}

/* The chooser and the confirmation carry the service's name ("service"): they are connected
 * to the inspector, never to a column, so a late answer finds nothing freed. */
static void
download_folder_chosen_cb (GtkNativeDialog  *chooser,
                           int               response,
                           OctopusInspector *self)
{
  const char *service = g_object_get_data (G_OBJECT (chooser), "service");
  g_autoptr(GFile) folder = NULL;
  g_autofree char *directory = NULL;

  if (response == GTK_RESPONSE_ACCEPT)
    {
      folder = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
      directory = folder != NULL ? g_file_get_path (folder) : NULL;
    }
  if (directory != NULL)
    octopus_array_download_copy_async (self->array, self->key, service, directory,
                                       self->cancellable, download_done_cb,
                                       copy_call_new (self, service));
  g_object_unref (chooser);
}

static void
download_clicked_cb (GtkButton       *button,
                     InspectorColumn *column)
{
  g_autofree char *title = g_strdup_printf (_("Download the Copy on %s"), column->service);
  GtkFileChooserNative *chooser;

  /* GtkFileChooserNative: GTK 4.8 has no GtkFileDialog; inside a sandbox it is the portal. */
  chooser = gtk_file_chooser_native_new (title, GTK_WINDOW (column->self),
                                         GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER,
                                         _("_Download"), _("_Cancel"));
  g_object_set_data_full (G_OBJECT (chooser), "service", g_strdup (column->service), g_free);
  g_signal_connect_object (chooser, "response", G_CALLBACK (download_folder_chosen_cb),
                           column->self, 0);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

/* ---- delete ---- */

static void
delete_done_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(CopyCall) call = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) results = octopus_array_delete_finish (OCTOPUS_ARRAY (source), result,
                                                              &error);
  g_autofree char *success = g_strdup_printf (_("The copy on %s was deleted"), call->service);

  finish (call, results, error, _("Could not delete"), success);
}

static void
delete_response_cb (AdwMessageDialog *dialog,
                    const char       *response,
                    OctopusInspector *self)
{
  const char *service = g_object_get_data (G_OBJECT (dialog), "service");

  if (g_strcmp0 (response, "delete") != 0)
    return;
  octopus_array_delete_copy_async (self->array, self->key, service, self->cancellable,
                                   delete_done_cb, copy_call_new (self, service));
}

static void
delete_clicked_cb (GtkButton       *button,
                   InspectorColumn *column)
{
  OctopusInspector *self = column->self;
  g_autofree char *heading = g_strdup_printf (_("Delete the Copy on %s?"), column->service);
  g_autofree char *body =
    g_strdup_printf (_("Only the copy of “%s” on %s is deleted; the copies on the other "
                       "services stay. This cannot be undone."), self->key, column->service);
  GtkWidget *dialog = adw_message_dialog_new (GTK_WINDOW (self), heading, body);

  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog), "cancel", _("_Cancel"),
                                    "delete", _("_Delete This Copy"), NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "delete",
                                              ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_object_set_data_full (G_OBJECT (dialog), "service", g_strdup (column->service), g_free);
  g_signal_connect_object (dialog, "response", G_CALLBACK (delete_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

void
_octopus_inspector_connect_actions (InspectorColumn *column)
{
  g_signal_connect (column->repair, "clicked", G_CALLBACK (repair_clicked_cb), column);
  g_signal_connect (column->download, "clicked", G_CALLBACK (download_clicked_cb), column);
  g_signal_connect (column->remove, "clicked", G_CALLBACK (delete_clicked_cb), column);
}
