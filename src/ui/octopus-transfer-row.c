/* SPDX-License-Identifier: GPL-3.0-or-later */
/* octopus-transfer-row.c — a file's upload: per-service bars, speed, time left, cancel.
 *
 * Speed is acknowledged bytes (all services) over a sliding window of the last few seconds
 * (OctopusRateWindow); "time left" divides what remains by it.  Both are recomputed when any
 * service's "bytes-done" changes, and once a second while uploading so a stall shows.  Each
 * service also has its own speed and time left beside its bar, from its own bytes on the wire
 * (services move at their own pace: a fast one is done while a slow one still sends), and
 * the row says "Done on 2 of 3" once some copies are complete.
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "octopus-transfer-row.h"
#include "octopus-upload-progress.h"

struct _OctopusTransferRow
{
  GtkWidget        parent_instance;
  GtkWidget       *box;
  GtkLabel        *key_label;
  GtkLabel        *status_label;
  GtkButton       *cancel_button;
  GtkGrid         *services_grid;

  OctopusTransfer *transfer;
  GPtrArray       *bindings;       /* GBinding of progress → bar */
  GPtrArray       *watched;        /* OctopusUploadProgress we listen to */
  GPtrArray       *service_labels; /* GtkLabel per service (the grid owns them) */
  GPtrArray       *service_rates;  /* OctopusRateWindow per service: its bytes written */
  OctopusRateWindow *rate;         /* acknowledged bytes over time */
  guint            tick_id;        /* once a second while uploading */
};

/* ---- speed over a sliding window ---- */

typedef struct {
  gint64  t_us;
  goffset done;
} RateSample;

struct _OctopusRateWindow
{
  GArray *samples;  /* RateSample, oldest first */
};

OctopusRateWindow *
octopus_rate_window_new (void)
{
  OctopusRateWindow *window = g_new0 (OctopusRateWindow, 1);

  window->samples = g_array_new (FALSE, FALSE, sizeof (RateSample));
  return window;
}

void
octopus_rate_window_free (OctopusRateWindow *window)
{
  if (window == NULL)
    return;
  g_array_unref (window->samples);
  g_free (window);
}

/* Keeps one sample at or before the window's start, so the span covers the whole window. */
static void
rate_window_trim (OctopusRateWindow *window,
                  gint64             now_us)
{
  guint drop = 0;

  while (drop + 1 < window->samples->len
         && g_array_index (window->samples, RateSample, drop + 1).t_us
            <= now_us - OCTOPUS_RATE_WINDOW_US)
    drop++;
  if (drop > 0)
    g_array_remove_range (window->samples, 0, drop);
}

void
octopus_rate_window_add (OctopusRateWindow *window,
                         gint64             now_us,
                         goffset            bytes_done)
{
  RateSample sample = { now_us, bytes_done };

  g_return_if_fail (window != NULL);
  g_array_append_val (window->samples, sample);
  rate_window_trim (window, now_us);
}

gint64
octopus_rate_window_get_rate (OctopusRateWindow *window,
                              gint64             now_us)
{
  const RateSample *first, *last;
  gint64 start_us = now_us - OCTOPUS_RATE_WINDOW_US, base_t;
  goffset base_done;

  g_return_val_if_fail (window != NULL, -1);
  rate_window_trim (window, now_us);
  if (window->samples->len == 0)
    return -1;
  first = &g_array_index (window->samples, RateSample, 0);
  last = &g_array_index (window->samples, RateSample, window->samples->len - 1);
  base_t = first->t_us;
  base_done = first->done;
  if (first->t_us < start_us && window->samples->len > 1)
    {
      /* The anchor lies before the window: take the bytes done at the window's start,
       * interpolated between it and the next sample. */
      const RateSample *next = &g_array_index (window->samples, RateSample, 1);
      double f = (double) (start_us - first->t_us) / (double) (next->t_us - first->t_us);

      base_t = start_us;
      base_done = first->done + (goffset) (f * (double) (next->done - first->done));
    }
  /* Bytes gained over the time until now: a stall (no new samples) lowers the rate. */
  if (now_us - base_t < G_USEC_PER_SEC / 2)
    return -1;
  return (gint64) ((double) MAX (last->done - base_done, 0) * G_USEC_PER_SEC
                   / (double) (now_us - base_t));
}

char *
octopus_format_transfer_rate (gint64  rate,
                              goffset remaining)
{
  g_autofree char *speed = NULL;
  guint64 left;

  if (rate < 0)
    return g_strdup (_("Uploading…"));
  if (rate == 0)
    return g_strdup (_("Stalled"));
  speed = g_format_size ((guint64) rate);
  left = (guint64) MAX (remaining, 0) / (guint64) rate;
  if (left < 60)
    /* Translators: "<bytes per second>/s · <n> seconds left" */
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s/s · %u second left",
                                         "%s/s · %u seconds left", (guint) left),
                            speed, (guint) left);
  if (left < 3600)
    {
      guint minutes = (guint) ((left + 30) / 60);
      /* Translators: "<bytes per second>/s · <n> minutes left" */
      return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s/s · %u minute left",
                                           "%s/s · %u minutes left", minutes), speed, minutes);
    }
  {
    guint hours = (guint) ((left + 1800) / 3600);
    /* Translators: "<bytes per second>/s · <n> hours left" */
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s/s · %u hour left",
                                         "%s/s · %u hours left", hours), speed, hours);
  }
}

G_DEFINE_FINAL_TYPE (OctopusTransferRow, octopus_transfer_row, GTK_TYPE_WIDGET)

enum { PROP_0, PROP_TRANSFER, N_PROPS };
static GParamSpec *properties[N_PROPS];

static char *
format_status (OctopusTransferRow *self)
{
  GListModel *services = octopus_transfer_get_services (self->transfer);
  guint n = g_list_model_get_n_items (services), copies = 0;
  goffset done = 0, total = 0;
  g_autofree char *rate = NULL;

  switch (octopus_transfer_get_state (self->transfer))
    {
    case OCTOPUS_TRANSFER_STATE_QUEUED: return g_strdup (_("Queued"));
    case OCTOPUS_TRANSFER_STATE_PREPARING: return g_strdup (_("Preparing…"));
    case OCTOPUS_TRANSFER_STATE_DONE: return g_strdup (_("Done"));
    case OCTOPUS_TRANSFER_STATE_CANCELLED: return g_strdup (_("Cancelled"));
    case OCTOPUS_TRANSFER_STATE_PARTIAL: return g_strdup (_("Some services failed"));
    case OCTOPUS_TRANSFER_STATE_FAILED:
      {
        const GError *error = octopus_transfer_get_error (self->transfer);
        return g_strdup_printf (_("Failed: %s"),
                                error ? error->message : _("no service took the file"));
      }
    case OCTOPUS_TRANSFER_STATE_UPLOADING:
    default:
      break;
    }

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(OctopusUploadProgress) p = g_list_model_get_item (services, i);
      done += octopus_upload_progress_get_bytes_done (p);
      total += octopus_upload_progress_get_total (p);
      if (octopus_upload_progress_get_state (p) == OCTOPUS_UPLOAD_STATE_DONE)
        copies++;
    }
  rate = octopus_format_transfer_rate (octopus_rate_window_get_rate (self->rate,
                                                                    g_get_monotonic_time ()),
                                       total - done);
  if (copies == 0 || copies == n)
    return g_steal_pointer (&rate);
  /* Translators: "Done on <copies> of <services> · <speed and time left of the others>" */
  return g_strdup_printf (_("Done on %u of %u · %s"), copies, n, rate);
}

/* One service's own words: its speed and time left while it sends, or how it ended. */
static char *
format_service_status (OctopusUploadProgress *p,
                       OctopusRateWindow     *rate,
                       gint64                 now_us)
{
  switch (octopus_upload_progress_get_state (p))
    {
    case OCTOPUS_UPLOAD_STATE_DONE: return g_strdup (_("Done"));
    case OCTOPUS_UPLOAD_STATE_FAILED: return g_strdup (_("Failed"));
    case OCTOPUS_UPLOAD_STATE_CANCELLED: return g_strdup (_("Cancelled"));
    case OCTOPUS_UPLOAD_STATE_WAITING:
    case OCTOPUS_UPLOAD_STATE_UPLOADING:
    default:
      break;
    }
  return octopus_format_transfer_rate (octopus_rate_window_get_rate (rate, now_us),
                                       octopus_upload_progress_get_total (p)
                                       - octopus_upload_progress_get_bytes_written (p));
}

static void
update_services (OctopusTransferRow *self,
                 gboolean            uploading)
{
  gint64 now = g_get_monotonic_time ();

  for (guint i = 0; i < self->watched->len; i++)
    {
      OctopusUploadProgress *p = g_ptr_array_index (self->watched, i);
      OctopusRateWindow *rate = g_ptr_array_index (self->service_rates, i);
      g_autofree char *text = NULL;
      const GError *error = octopus_upload_progress_get_error (p);
      GtkWidget *label = g_ptr_array_index (self->service_labels, i);

      if (uploading)
        octopus_rate_window_add (rate, now, octopus_upload_progress_get_bytes_written (p));
      text = format_service_status (p, rate, now);
      gtk_label_set_text (GTK_LABEL (label), text);
      gtk_widget_set_tooltip_text (label, error ? error->message : NULL);
    }
}

static goffset
bytes_done (OctopusTransferRow *self)
{
  GListModel *services = octopus_transfer_get_services (self->transfer);
  goffset done = 0;

  for (guint i = 0; i < g_list_model_get_n_items (services); i++)
    {
      g_autoptr(OctopusUploadProgress) p = g_list_model_get_item (services, i);
      done += octopus_upload_progress_get_bytes_done (p);
    }
  return done;
}

static void update_status (OctopusTransferRow *self);

static gboolean
tick_cb (gpointer user_data)
{
  update_status (user_data);
  return G_SOURCE_CONTINUE;
}

static void
update_status (OctopusTransferRow *self)
{
  g_autofree char *status = NULL;
  gboolean uploading;

  if (self->transfer == NULL)
    return;
  uploading = octopus_transfer_get_state (self->transfer) == OCTOPUS_TRANSFER_STATE_UPLOADING;
  if (uploading)
    octopus_rate_window_add (self->rate, g_get_monotonic_time (), bytes_done (self));
  /* Without a tick a stalled upload would keep showing its last speed. */
  if (uploading && self->tick_id == 0)
    self->tick_id = g_timeout_add_seconds (1, tick_cb, self);
  else if (!uploading)
    g_clear_handle_id (&self->tick_id, g_source_remove);
  update_services (self, uploading);
  status = format_status (self);
  gtk_label_set_text (self->status_label, status);
  gtk_widget_set_sensitive (GTK_WIDGET (self->cancel_button),
                            !octopus_transfer_is_finished (self->transfer));
}

const char *
octopus_transfer_row_get_status (OctopusTransferRow *self)
{
  g_return_val_if_fail (OCTOPUS_IS_TRANSFER_ROW (self), NULL);
  return gtk_label_get_text (self->status_label);
}

const char *
octopus_transfer_row_get_service_status (OctopusTransferRow *self,
                                         guint               index)
{
  g_return_val_if_fail (OCTOPUS_IS_TRANSFER_ROW (self), NULL);
  if (index >= self->service_labels->len)
    return NULL;
  return gtk_label_get_text (g_ptr_array_index (self->service_labels, index));
}

static void
clear_services (OctopusTransferRow *self)
{
  GtkWidget *child;

  for (guint i = 0; i < self->watched->len; i++)
    g_signal_handlers_disconnect_by_func (g_ptr_array_index (self->watched, i), update_status,
                                          self);
  g_ptr_array_set_size (self->watched, 0);
  g_ptr_array_set_size (self->service_labels, 0);
  g_ptr_array_set_size (self->service_rates, 0);
  for (guint i = 0; i < self->bindings->len; i++)
    g_binding_unbind (g_ptr_array_index (self->bindings, i));
  g_ptr_array_set_size (self->bindings, 0);
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->services_grid))) != NULL)
    gtk_grid_remove (self->services_grid, child);
}

static void
add_service (OctopusTransferRow    *self,
             OctopusUploadProgress *progress,
             guint                  row)
{
  const char *name = octopus_upload_progress_get_service_name (progress);
  GtkWidget *label = gtk_label_new (name);
  GtkWidget *bar = gtk_progress_bar_new ();
  GtkWidget *status = gtk_label_new (NULL);
  /* Translators: accessible name of a progress bar: "Upload of <file> to <service>" */
  g_autofree char *a11y =
    g_strdup_printf (_("Upload of %s to %s"), octopus_transfer_get_display_name (self->transfer),
                     name);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_widget_add_css_class (label, "dim-label");
  gtk_widget_add_css_class (label, "caption");
  gtk_widget_set_hexpand (bar, TRUE);
  gtk_widget_set_valign (bar, GTK_ALIGN_CENTER);
  gtk_accessible_update_property (GTK_ACCESSIBLE (bar), GTK_ACCESSIBLE_PROPERTY_LABEL, a11y, -1);
  gtk_grid_attach (self->services_grid, label, 0, row, 1, 1);
  gtk_grid_attach (self->services_grid, bar, 1, row, 1, 1);
  gtk_label_set_xalign (GTK_LABEL (status), 1);
  gtk_widget_add_css_class (status, "dim-label");
  gtk_widget_add_css_class (status, "caption");
  gtk_widget_add_css_class (status, "numeric");
  gtk_grid_attach (self->services_grid, status, 2, row, 1, 1);
  g_ptr_array_add (self->service_labels, status);
  g_ptr_array_add (self->service_rates, octopus_rate_window_new ());

  g_ptr_array_add (self->bindings,
                   g_object_ref (g_object_bind_property (progress, "fraction", bar, "fraction",
                                                         G_BINDING_SYNC_CREATE)));
  g_ptr_array_add (self->watched, g_object_ref (progress));
  g_signal_connect_swapped (progress, "notify::bytes-done", G_CALLBACK (update_status), self);
  g_signal_connect_swapped (progress, "notify::state", G_CALLBACK (update_status), self);
}

void
octopus_transfer_row_set_transfer (OctopusTransferRow *self,
                                   OctopusTransfer    *transfer)
{
  g_return_if_fail (OCTOPUS_IS_TRANSFER_ROW (self));

  if (self->transfer == transfer)
    return;

  clear_services (self);
  if (self->transfer != NULL)
    g_signal_handlers_disconnect_by_func (self->transfer, update_status, self);
  g_set_object (&self->transfer, transfer);
  g_clear_pointer (&self->rate, octopus_rate_window_free);
  self->rate = octopus_rate_window_new ();
  g_clear_handle_id (&self->tick_id, g_source_remove);

  if (transfer != NULL)
    {
      GListModel *services = octopus_transfer_get_services (transfer);

      gtk_label_set_text (self->key_label, octopus_transfer_get_display_name (transfer));
      for (guint i = 0; i < g_list_model_get_n_items (services); i++)
        {
          g_autoptr(OctopusUploadProgress) progress = g_list_model_get_item (services, i);
          add_service (self, progress, i);
        }
      g_signal_connect_swapped (transfer, "notify::state", G_CALLBACK (update_status), self);
      update_status (self);
    }
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TRANSFER]);
}

static void
cancel_clicked_cb (OctopusTransferRow *self)
{
  if (self->transfer != NULL)
    octopus_transfer_cancel (self->transfer);
}

GtkWidget *
octopus_transfer_row_new (void)
{
  return g_object_new (OCTOPUS_TYPE_TRANSFER_ROW, NULL);
}

static void
octopus_transfer_row_dispose (GObject *object)
{
  OctopusTransferRow *self = OCTOPUS_TRANSFER_ROW (object);

  octopus_transfer_row_set_transfer (self, NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), OCTOPUS_TYPE_TRANSFER_ROW);
  g_clear_pointer (&self->bindings, g_ptr_array_unref);
  g_clear_pointer (&self->watched, g_ptr_array_unref);
  g_clear_pointer (&self->service_labels, g_ptr_array_unref);
  g_clear_pointer (&self->service_rates, g_ptr_array_unref);
  g_clear_pointer (&self->rate, octopus_rate_window_free);
  g_clear_handle_id (&self->tick_id, g_source_remove);
  G_OBJECT_CLASS (octopus_transfer_row_parent_class)->dispose (object);
}

static void
octopus_transfer_row_get_property (GObject    *object,
                                   guint       prop_id,
                                   GValue     *value,
                                   GParamSpec *pspec)
{
  OctopusTransferRow *self = OCTOPUS_TRANSFER_ROW (object);

  switch (prop_id)
    {
    case PROP_TRANSFER:
      g_value_set_object (value, self->transfer);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
octopus_transfer_row_set_property (GObject      *object,
                                   guint         prop_id,
                                   const GValue *value,
                                   GParamSpec   *pspec)
{
  OctopusTransferRow *self = OCTOPUS_TRANSFER_ROW (object);

  switch (prop_id)
    {
    case PROP_TRANSFER:
      octopus_transfer_row_set_transfer (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
octopus_transfer_row_class_init (OctopusTransferRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = octopus_transfer_row_dispose;
  object_class->get_property = octopus_transfer_row_get_property;
  object_class->set_property = octopus_transfer_row_set_property;

  properties[PROP_TRANSFER] =
    g_param_spec_object ("transfer", NULL, NULL, OCTOPUS_TYPE_TRANSFER,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_template_from_resource (widget_class,
    "/io/github/octopus_rais/Octopus/octopus-transfer-row.ui");
  gtk_widget_class_bind_template_child (widget_class, OctopusTransferRow, box);
  gtk_widget_class_bind_template_child (widget_class, OctopusTransferRow, key_label);
  gtk_widget_class_bind_template_child (widget_class, OctopusTransferRow, status_label);
  gtk_widget_class_bind_template_child (widget_class, OctopusTransferRow, cancel_button);
  gtk_widget_class_bind_template_child (widget_class, OctopusTransferRow, services_grid);
}

static void
octopus_transfer_row_init (OctopusTransferRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->bindings = g_ptr_array_new_with_free_func (g_object_unref);
  self->watched = g_ptr_array_new_with_free_func (g_object_unref);
  self->service_labels = g_ptr_array_new ();
  self->service_rates = g_ptr_array_new_with_free_func ((GDestroyNotify) octopus_rate_window_free);
  self->rate = octopus_rate_window_new ();
  g_signal_connect_swapped (self->cancel_button, "clicked", G_CALLBACK (cancel_clicked_cb), self);
}
