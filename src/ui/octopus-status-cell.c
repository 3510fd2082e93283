/* SPDX-License-Identifier: GPL-3.0-or-later */
/* octopus-status-cell.c — per-service status icon of an object row.
 *
 * The engine announces per-column changes with OctopusObject::changed (there is no property per
 * service), so the cell re-reads its column on that signal and publishes it as "state", which
 * the template turns into an icon through the status_to_icon_name closure.
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "octopus-status-cell.h"

struct _OctopusStatusCell
{
  GtkWidget           parent_instance;
  GtkImage           *image;
  OctopusObject      *object;
  gulong              changed_id;
  guint               service_index;
  OctopusObjectState  state;
};

G_DEFINE_FINAL_TYPE (OctopusStatusCell, octopus_status_cell, GTK_TYPE_WIDGET)

enum { PROP_0, PROP_OBJECT, PROP_SERVICE_INDEX, PROP_STATE, N_PROPS };
static GParamSpec *properties[N_PROPS];

const char *
octopus_object_state_to_label (OctopusObjectState state)
{
  switch (state)
    {
    case OCTOPUS_OBJECT_STATE_IN_SYNC: return _("In sync");
    case OCTOPUS_OBJECT_STATE_TRANSFERRING: return _("Transferring");
    case OCTOPUS_OBJECT_STATE_UNKNOWN_HASH: return _("Unknown hash");
    case OCTOPUS_OBJECT_STATE_UNREACHABLE: return _("Unreachable");
    case OCTOPUS_OBJECT_STATE_MISSING: return _("Missing");
    case OCTOPUS_OBJECT_STATE_DIFFERS: return _("Differs");
    case OCTOPUS_OBJECT_STATE_DAMAGED: return _("Damaged");
    case OCTOPUS_OBJECT_STATE_DEGRADED: return _("Degraded");
    case OCTOPUS_OBJECT_STATE_LOST: return _("Lost");
    default: return _("Unknown");
    }
}

const char *
octopus_object_state_to_meaning (OctopusObjectState state)
{
  switch (state)
    {
    case OCTOPUS_OBJECT_STATE_IN_SYNC:
      return _("This service holds an identical copy.");
    case OCTOPUS_OBJECT_STATE_TRANSFERRING:
      return _("A copy is being transferred to this service.");
    case OCTOPUS_OBJECT_STATE_UNKNOWN_HASH:
      return _("This service holds a copy of the right size, but its checksum cannot be compared.");
    case OCTOPUS_OBJECT_STATE_UNREACHABLE:
      return _("This service could not be reached, so its copy is unknown.");
    case OCTOPUS_OBJECT_STATE_MISSING:
      return _("This service holds no copy. Repair copies it from a good one.");
    case OCTOPUS_OBJECT_STATE_DIFFERS:
      return _("This service holds a different copy. Repair replaces it with a good one.");
    case OCTOPUS_OBJECT_STATE_DAMAGED:
      return _("This service's erasure-coded archive is damaged. Repair rebuilds it from the "
               "others.");
    case OCTOPUS_OBJECT_STATE_DEGRADED:
      return _("Readable from the good archives, but fewer services hold one than should. "
               "Repair rebuilds the others.");
    case OCTOPUS_OBJECT_STATE_LOST:
      return _("Too few good archives are left to read this file.");
    default:
      return "";
    }
}

static char *
status_to_icon_name (gpointer           instance,
                     OctopusObjectState state)
{
  return g_strdup (octopus_object_state_to_icon_name (state));
}

static const char * const state_css_classes[] = { "success", "warning", "error", "accent" };

static const char *
state_css_class (OctopusObjectState state)
{
  switch (state)
    {
    case OCTOPUS_OBJECT_STATE_IN_SYNC: return "success";
    case OCTOPUS_OBJECT_STATE_TRANSFERRING: return "accent";
    case OCTOPUS_OBJECT_STATE_UNKNOWN_HASH: return NULL;
    case OCTOPUS_OBJECT_STATE_UNREACHABLE: return "error";
    case OCTOPUS_OBJECT_STATE_MISSING:
    case OCTOPUS_OBJECT_STATE_DIFFERS:
    case OCTOPUS_OBJECT_STATE_DAMAGED:
    case OCTOPUS_OBJECT_STATE_DEGRADED: return "warning";
    case OCTOPUS_OBJECT_STATE_LOST: return "error";
    default: return NULL;
    }
}

static void
octopus_status_cell_update (OctopusStatusCell *self)
{
  OctopusObjectState state = OCTOPUS_OBJECT_STATE_UNREACHABLE;
  g_autofree char *label = NULL;
  g_autofree char *description = NULL;
  const char *error = NULL;
  const char *service = "";

  if (self->object != NULL && self->service_index < octopus_object_get_n_services (self->object))
    {
      state = octopus_object_get_service_state (self->object, self->service_index);
      error = octopus_object_get_service_error (self->object, self->service_index);
      service = octopus_object_get_service_name (self->object, self->service_index);
    }

  if (error != NULL)
    /* Translators: "<what the state means> <why, from the service>" */
    description = g_strdup_printf (_("%s Reason: %s"),
                                   octopus_object_state_to_meaning (state), error);
  else
    description = g_strdup (octopus_object_state_to_meaning (state));
  /* Translators: "<state> on <service name>", e.g. "Missing on Local Swift" */
  label = g_strdup_printf (_("%s on %s"), octopus_object_state_to_label (state), service);

  gtk_widget_set_tooltip_text (GTK_WIDGET (self), description);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, label,
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, description,
                                  -1);
  /* Colour repeats what icon and text already say; it is never the only cue. */
  for (guint i = 0; i < G_N_ELEMENTS (state_css_classes); i++)
    gtk_widget_remove_css_class (GTK_WIDGET (self->image), state_css_classes[i]);
  if (state_css_class (state) != NULL)
    gtk_widget_add_css_class (GTK_WIDGET (self->image), state_css_class (state));

  if (state != self->state)
    {
      self->state = state;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
    }
}

static void
object_changed_cb (OctopusStatusCell *self)
{
  octopus_status_cell_update (self);
}

void
octopus_status_cell_set_object (OctopusStatusCell *self,
                                OctopusObject     *object)
{
  g_return_if_fail (OCTOPUS_IS_STATUS_CELL (self));

  if (self->object == object)
    return;

  g_clear_signal_handler (&self->changed_id, self->object);
  g_set_object (&self->object, object);
  if (object != NULL)
    self->changed_id = g_signal_connect_object (object, "changed",
                                                G_CALLBACK (object_changed_cb), self,
                                                G_CONNECT_SWAPPED);
  octopus_status_cell_update (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_OBJECT]);
}

OctopusObjectState
octopus_status_cell_get_state (OctopusStatusCell *self)
{
  g_return_val_if_fail (OCTOPUS_IS_STATUS_CELL (self), OCTOPUS_OBJECT_STATE_UNREACHABLE);
  return self->state;
}

GtkWidget *
octopus_status_cell_new (guint service_index)
{
  return g_object_new (OCTOPUS_TYPE_STATUS_CELL, "service-index", service_index, NULL);
}

static void
octopus_status_cell_dispose (GObject *object)
{
  OctopusStatusCell *self = OCTOPUS_STATUS_CELL (object);

  g_clear_signal_handler (&self->changed_id, self->object);
  g_clear_object (&self->object);
  gtk_widget_dispose_template (GTK_WIDGET (self), OCTOPUS_TYPE_STATUS_CELL);
  G_OBJECT_CLASS (octopus_status_cell_parent_class)->dispose (object);
}

static void
octopus_status_cell_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  OctopusStatusCell *self = OCTOPUS_STATUS_CELL (object);

  switch (prop_id)
    {
    case PROP_OBJECT:
      g_value_set_object (value, self->object);
      break;
    case PROP_SERVICE_INDEX:
      g_value_set_uint (value, self->service_index);
      break;
    case PROP_STATE:
      g_value_set_enum (value, self->state);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
octopus_status_cell_set_property (GObject      *object,
                                  guint         prop_id,
                                  const GValue *value,
                                  GParamSpec   *pspec)
{
  OctopusStatusCell *self = OCTOPUS_STATUS_CELL (object);

  switch (prop_id)
    {
    case PROP_OBJECT:
      octopus_status_cell_set_object (self, g_value_get_object (value));
      break;
    case PROP_SERVICE_INDEX:
      self->service_index = g_value_get_uint (value);
      octopus_status_cell_update (self);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
octopus_status_cell_class_init (OctopusStatusCellClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = octopus_status_cell_dispose;
  object_class->get_property = octopus_status_cell_get_property;
  object_class->set_property = octopus_status_cell_set_property;

  properties[PROP_OBJECT] =
    g_param_spec_object ("object", NULL, NULL, OCTOPUS_TYPE_OBJECT,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SERVICE_INDEX] =
    g_param_spec_uint ("service-index", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_STATIC_STRINGS);
  properties[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL, OCTOPUS_TYPE_OBJECT_STATE,
                       OCTOPUS_OBJECT_STATE_UNREACHABLE,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
  gtk_widget_class_set_template_from_resource (widget_class,
    "/io/github/octopus_rais/Octopus/octopus-status-cell.ui");
  gtk_widget_class_bind_template_child (widget_class, OctopusStatusCell, image);
  gtk_widget_class_bind_template_callback (widget_class, status_to_icon_name);
}

static void
octopus_status_cell_init (OctopusStatusCell *self)
{
  self->state = OCTOPUS_OBJECT_STATE_UNREACHABLE;
  gtk_widget_init_template (GTK_WIDGET (self));
}
