/* SPDX-License-Identifier: GPL-3.0-or-later */
/* octopus-window-status.c — what the window tells: toasts and desktop notifications, the
 * message for a finished batch of uploads, the summary in the subtitle (or, while the table shows
 * the index's last known state, when that was), and the D-Bus-visible "win.sync-status". */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "octopus-window-private.h"

gboolean
_octopus_window_should_notify_desktop (OctopusWindow *self)
{
  /* A toast in a window the user is not looking at goes unseen. */
  return !gtk_window_is_active (GTK_WINDOW (self));
}

void
_octopus_window_notify (OctopusWindow *self,
                        const char    *id,
                        const char    *title,
                        const char    *body)
{
  GApplication *app = G_APPLICATION (gtk_window_get_application (GTK_WINDOW (self)));

  octopus_window_toast (self, body);
  if (_octopus_window_should_notify_desktop (self)
      && app != NULL && g_application_get_is_registered (app))
    {
      g_autoptr(GNotification) notification = g_notification_new (title);

      g_notification_set_body (notification, body);
      g_application_send_notification (app, id, notification);
      g_debug ("Notification sent: %s", body);
    }
}

/* ---- what the window shows, as state visible on D-Bus ----
 *
 * The read-only action "win.sync-status" holds (busy, {key: {service: state}}), the table as
 * the status cells show it.  GtkApplication exports it with the window's other actions, so
 * scripts and the GUI tests can wait for a condition over D-Bus (org.gtk.Actions.Describe and
 * the Changed signal) instead of polling the accessibility tree while rows come and go; they
 * then read the cells through AT-SPI once the window has settled. */

static gboolean
is_busy (OctopusWindow *self)
{
  return self->loading
         || self->refreshing > 0
         || self->operations > 0
         || self->refresh_timeout_id != 0
         || (self->queue != NULL && g_list_model_get_n_items (G_LIST_MODEL (self->queue)) > 0);
}

static GVariant *
build_sync_status (OctopusWindow *self)
{
  GVariantBuilder objects;
  guint n = self->table != NULL ? g_list_model_get_n_items (G_LIST_MODEL (self->table)) : 0;

  g_variant_builder_init (&objects, G_VARIANT_TYPE ("a{sa{ss}}"));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(OctopusObject) object = g_list_model_get_item (G_LIST_MODEL (self->table), i);
      GVariantBuilder cells;

      g_variant_builder_init (&cells, G_VARIANT_TYPE ("a{ss}"));
      for (guint s = 0; s < octopus_object_get_n_services (object); s++)
        g_variant_builder_add (&cells, "{ss}", octopus_object_get_service_name (object, s),
                               octopus_object_state_to_string (
                                 octopus_object_get_service_state (object, s)));
      g_variant_builder_add (&objects, "{sa{ss}}", octopus_object_get_key (object), &cells);
    }
  return g_variant_new ("(ba{sa{ss}})", is_busy (self), &objects);
}

void
_octopus_window_update_sync_status (OctopusWindow *self)
{
  GAction *action = g_action_map_lookup_action (G_ACTION_MAP (self), "sync-status");
  g_autoptr(GVariant) status = g_variant_ref_sink (build_sync_status (self));
  g_autoptr(GVariant) old = NULL;

  if (action == NULL)
    return;
  /* Only real changes: every set_state is a D-Bus signal. */
  old = g_action_get_state (action);
  if (old == NULL || !g_variant_equal (old, status))
    g_simple_action_set_state (G_SIMPLE_ACTION (action), status);
}

char *
_octopus_format_upload_batch (const guint  counts[OCTOPUS_TRANSFER_N_STATES],
                              const char  *first_failure)
{
  guint done = counts[OCTOPUS_TRANSFER_STATE_DONE];
  guint partial = counts[OCTOPUS_TRANSFER_STATE_PARTIAL];
  guint failed = counts[OCTOPUS_TRANSFER_STATE_FAILED];
  guint cancelled = counts[OCTOPUS_TRANSFER_STATE_CANCELLED];
  guint total = done + partial + failed + cancelled;

  if (total == 0)
    return NULL;
  if (failed > 0)
    /* Translators: "<n> of <total> files could not be uploaded: <first error>" */
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                         "%u of %u file could not be uploaded: %s",
                                         "%u of %u files could not be uploaded: %s", total),
                            failed, total,
                            first_failure != NULL ? first_failure : _("no service took the file"));
  if (partial > 0)
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                         "%u of %u file is not on every service; "
                                         "repair can complete it",
                                         "%u of %u files are not on every service; "
                                         "repair can complete them",
                                         total), partial, total);
  if (done == 0)
    return g_strdup (g_dngettext (GETTEXT_PACKAGE, "Upload cancelled", "Uploads cancelled",
                                  cancelled));
  if (cancelled > 0)
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                         "Uploaded %u file to every service, %u cancelled",
                                         "Uploaded %u files to every service, %u cancelled", done),
                            done, cancelled);
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Uploaded %u file to every service",
                                       "Uploaded %u files to every service", done), done);
}

/* ---- the subtitle ---- */

/* "Last known state from 14:02 — refreshing…" (with the date when it is not from today). */
static char *
format_last_known (OctopusArray *array)
{
  g_autoptr(GDateTime) when =
    g_date_time_new_from_unix_local (octopus_array_get_last_known_time (array));
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *text = NULL;

  if (when == NULL)
    return g_strdup (_("Last known state — refreshing…"));
  if (g_date_time_get_year (when) == g_date_time_get_year (now) &&
      g_date_time_get_day_of_year (when) == g_date_time_get_day_of_year (now))
    /* Translators: time of day, see g_date_time_format() */
    text = g_date_time_format (when, _("%H:%M"));
  else
    /* Translators: date and time format for the Modified column, see g_date_time_format() */
    text = g_date_time_format (when, _("%Y-%m-%d %H:%M"));
  /* Translators: %s is a time ("14:02") or a date and time */
  return g_strdup_printf (_("Last known state from %s — refreshing…"), text);
}

void
_octopus_window_update_summary (OctopusWindow *self)
{
  g_autofree char *objects = NULL;
  g_autofree char *services = NULL;
  g_autofree char *summary = NULL;
  guint counts[OCTOPUS_OBJECT_N_STATES] = { 0, };
  guint n_objects, n_services, n_problems;

  if (self->table == NULL)
    {
      adw_window_title_set_subtitle (self->window_title, NULL);
      return;
    }
  if (self->array != NULL && octopus_array_get_showing_last_known (self->array))
    {
      g_autofree char *last_known = format_last_known (self->array);

      adw_window_title_set_subtitle (self->window_title, last_known);
      return;
    }

  n_objects = g_list_model_get_n_items (G_LIST_MODEL (self->table));
  n_services = octopus_object_table_get_n_services (self->table);
  octopus_object_table_count_states (self->table, counts);
  n_problems = counts[OCTOPUS_OBJECT_STATE_MISSING] + counts[OCTOPUS_OBJECT_STATE_DIFFERS];

  /* %'u groups thousands as the locale does ("1,204" in English, "1.204" in German). */
  objects = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%'u object", "%'u objects", n_objects),
                             n_objects);
  services = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u service", "%u services",
                                           n_services),
                              n_services);
  if (n_problems > 0)
    {
      g_autofree char *problems =
        g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%'u needs repair", "%'u need repair",
                                      n_problems), n_problems);
      summary = g_strjoin (" · ", objects, services, problems, NULL);
    }
  else
    summary = g_strjoin (" · ", objects, services, NULL);

  adw_window_title_set_subtitle (self->window_title, summary);
}

static void
last_known_changed_cb (OctopusWindow *self)
{
  _octopus_window_queue_summary (self);
}

/* Holds no window: what was shown arrives through notify::showing-last-known. */
static void
index_loaded_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  /* Nothing to tell on failure: the refresh shows the services as they are. */
  if (!octopus_array_load_index_finish (OCTOPUS_ARRAY (source), result, &error) && error != NULL)
    g_debug ("Last known state not shown: %s", error->message);
}

void
_octopus_window_show_last_known (OctopusWindow *self)
{
  g_signal_connect_swapped (self->array, "notify::showing-last-known",
                            G_CALLBACK (last_known_changed_cb), self);
  octopus_array_load_index_async (self->array, self->cancellable, index_loaded_cb, NULL);
}
