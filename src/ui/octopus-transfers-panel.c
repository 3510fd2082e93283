/* SPDX-License-Identifier: GPL-3.0-or-later */
/* octopus-transfers-panel.c — the upload queue as a list of per-file rows. */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "octopus-transfer-row.h"
#include "octopus-transfers-panel.h"

struct _OctopusTransfersPanel
{
  GtkWidget           parent_instance;
  GtkWidget          *box;
  GtkLabel           *title_label;
  GtkButton          *cancel_all_button;
  GtkListView        *list_view;
  GtkNoSelection     *selection;

  OctopusUploadQueue *queue;
};

G_DEFINE_FINAL_TYPE (OctopusTransfersPanel, octopus_transfers_panel, GTK_TYPE_WIDGET)

enum { PROP_0, PROP_QUEUE, N_PROPS };
static GParamSpec *properties[N_PROPS];

static void
update (OctopusTransfersPanel *self)
{
  guint n = self->queue != NULL ? g_list_model_get_n_items (G_LIST_MODEL (self->queue)) : 0;
  g_autofree char *title = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Uploading %u File",
                                                         "Uploading %u Files", n), n);

  gtk_label_set_text (self->title_label, title);
  gtk_widget_set_visible (GTK_WIDGET (self), n > 0);
}

static void
cancel_all_clicked_cb (OctopusTransfersPanel *self)
{
  if (self->queue != NULL)
    octopus_upload_queue_cancel_all (self->queue);
}

GtkWidget *
octopus_transfers_panel_new (void)
{
  return g_object_new (OCTOPUS_TYPE_TRANSFERS_PANEL, NULL);
}

OctopusUploadQueue *
octopus_transfers_panel_get_queue (OctopusTransfersPanel *self)
{
  g_return_val_if_fail (OCTOPUS_IS_TRANSFERS_PANEL (self), NULL);
  return self->queue;
}

void
octopus_transfers_panel_set_queue (OctopusTransfersPanel *self,
                                   OctopusUploadQueue    *queue)
{
  g_return_if_fail (OCTOPUS_IS_TRANSFERS_PANEL (self));

  if (self->queue != NULL)
    g_signal_handlers_disconnect_by_func (self->queue, update, self);
  if (!g_set_object (&self->queue, queue))
    return;
  gtk_no_selection_set_model (self->selection, G_LIST_MODEL (queue));
  if (queue != NULL)
    g_signal_connect_swapped (queue, "items-changed", G_CALLBACK (update), self);
  update (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_QUEUE]);
}

static void
octopus_transfers_panel_dispose (GObject *object)
{
  OctopusTransfersPanel *self = OCTOPUS_TRANSFERS_PANEL (object);

  if (self->queue != NULL)
    g_signal_handlers_disconnect_by_func (self->queue, update, self);
  gtk_widget_dispose_template (GTK_WIDGET (self), OCTOPUS_TYPE_TRANSFERS_PANEL);
  g_clear_object (&self->queue);
  G_OBJECT_CLASS (octopus_transfers_panel_parent_class)->dispose (object);
}

static void
octopus_transfers_panel_get_property (GObject    *object,
                                      guint       prop_id,
                                      GValue     *value,
                                      GParamSpec *pspec)
{
  switch (prop_id)
    {
    case PROP_QUEUE:
      g_value_set_object (value, OCTOPUS_TRANSFERS_PANEL (object)->queue);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
octopus_transfers_panel_set_property (GObject      *object,
                                      guint         prop_id,
                                      const GValue *value,
                                      GParamSpec   *pspec)
{
  switch (prop_id)
    {
    case PROP_QUEUE:
      octopus_transfers_panel_set_queue (OCTOPUS_TRANSFERS_PANEL (object),
                                         g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
octopus_transfers_panel_class_init (OctopusTransfersPanelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = octopus_transfers_panel_dispose;
  object_class->get_property = octopus_transfers_panel_get_property;
  object_class->set_property = octopus_transfers_panel_set_property;

  properties[PROP_QUEUE] =
    g_param_spec_object ("queue", NULL, NULL, OCTOPUS_TYPE_UPLOAD_QUEUE,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (OCTOPUS_TYPE_TRANSFER_ROW);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_template_from_resource (widget_class,
    "/io/github/octopus_rais/Octopus/octopus-transfers-panel.ui");
  gtk_widget_class_bind_template_child (widget_class, OctopusTransfersPanel, box);
  gtk_widget_class_bind_template_child (widget_class, OctopusTransfersPanel, title_label);
  gtk_widget_class_bind_template_child (widget_class, OctopusTransfersPanel, cancel_all_button);
  gtk_widget_class_bind_template_child (widget_class, OctopusTransfersPanel, list_view);
  gtk_widget_class_bind_template_child (widget_class, OctopusTransfersPanel, selection);
}

static void
octopus_transfers_panel_init (OctopusTransfersPanel *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  g_signal_connect_swapped (self->cancel_all_button, "clicked",
                            G_CALLBACK (cancel_all_clicked_cb), self);
  update (self);
}
