/* SPDX-License-Identifier: GPL-3.0-or-later */
/* octopus-object-row.c — name cell: the key split into its folder-like prefix and its name. */
#include "config.h"

#include "octopus-object-row.h"

struct _OctopusObjectRow
{
  GtkWidget      parent_instance;
  GtkLabel      *folder_label;
  GtkLabel      *name_label;
  OctopusObject *object;
  guint          position;
};

G_DEFINE_FINAL_TYPE (OctopusObjectRow, octopus_object_row, GTK_TYPE_WIDGET)

enum { PROP_0, PROP_OBJECT, PROP_POSITION, N_PROPS };
static GParamSpec *properties[N_PROPS];

void
octopus_split_key (const char  *key,
                   char       **folder,
                   char       **name)
{
  const char *slash = key != NULL ? strrchr (key, '/') : NULL;

  /* A key ending in "/" is a folder marker: show it whole as the name. */
  if (slash == NULL || slash[1] == '\0')
    {
      *folder = g_strdup ("");
      *name = g_strdup (key != NULL ? key : "");
      return;
    }
  *folder = g_strndup (key, slash - key + 1);
  *name = g_strdup (slash + 1);
}

GtkWidget *
octopus_object_row_new (void)
{
  return g_object_new (OCTOPUS_TYPE_OBJECT_ROW, NULL);
}

OctopusObject *
octopus_object_row_get_object (OctopusObjectRow *self)
{
  g_return_val_if_fail (OCTOPUS_IS_OBJECT_ROW (self), NULL);
  return self->object;
}

guint
octopus_object_row_get_position (OctopusObjectRow *self)
{
  g_return_val_if_fail (OCTOPUS_IS_OBJECT_ROW (self), GTK_INVALID_LIST_POSITION);
  return self->position;
}

void
octopus_object_row_set_object (OctopusObjectRow *self,
                               OctopusObject    *object)
{
  g_autofree char *folder = NULL;
  g_autofree char *name = NULL;

  g_return_if_fail (OCTOPUS_IS_OBJECT_ROW (self));

  if (!g_set_object (&self->object, object))
    return;

  /* The key is a row's identity and never changes, so no notify handler is needed; an
   * encrypted object shows its plaintext name (the table renames rows with items-changed). */
  octopus_split_key (object != NULL ? octopus_object_get_display_key (object) : NULL, &folder,
                     &name);
  gtk_label_set_text (self->folder_label, folder);
  gtk_widget_set_visible (GTK_WIDGET (self->folder_label), folder[0] != '\0');
  gtk_label_set_text (self->name_label, name);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_OBJECT]);
}

static void
octopus_object_row_dispose (GObject *object)
{
  OctopusObjectRow *self = OCTOPUS_OBJECT_ROW (object);
  GtkWidget *child;

  gtk_widget_dispose_template (GTK_WIDGET (self), OCTOPUS_TYPE_OBJECT_ROW);
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);
  g_clear_object (&self->object);
  G_OBJECT_CLASS (octopus_object_row_parent_class)->dispose (object);
}

static void
octopus_object_row_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  OctopusObjectRow *self = OCTOPUS_OBJECT_ROW (object);

  switch (prop_id)
    {
    case PROP_OBJECT:
      g_value_set_object (value, self->object);
      break;
    case PROP_POSITION:
      g_value_set_uint (value, self->position);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
octopus_object_row_set_property (GObject      *object,
                                 guint         prop_id,
                                 const GValue *value,
                                 GParamSpec   *pspec)
{
  OctopusObjectRow *self = OCTOPUS_OBJECT_ROW (object);

  switch (prop_id)
    {
    case PROP_OBJECT:
      octopus_object_row_set_object (self, g_value_get_object (value));
      break;
    case PROP_POSITION:
      self->position = g_value_get_uint (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
octopus_object_row_class_init (OctopusObjectRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = octopus_object_row_dispose;
  object_class->get_property = octopus_object_row_get_property;
  object_class->set_property = octopus_object_row_set_property;

  properties[PROP_OBJECT] =
    g_param_spec_object ("object", NULL, NULL, OCTOPUS_TYPE_OBJECT,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_POSITION] =
    g_param_spec_uint ("position", NULL, NULL, 0, G_MAXUINT, GTK_INVALID_LIST_POSITION,
                       G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_template_from_resource (widget_class,
    "/io/github/octopus_rais/Octopus/octopus-object-row.ui");
  gtk_widget_class_bind_template_child (widget_class, OctopusObjectRow, folder_label);
  gtk_widget_class_bind_template_child (widget_class, OctopusObjectRow, name_label);
}

static void
octopus_object_row_init (OctopusObjectRow *self)
{
  self->position = GTK_INVALID_LIST_POSITION;
  gtk_widget_init_template (GTK_WIDGET (self));
}
