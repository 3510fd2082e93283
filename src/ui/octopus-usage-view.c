/* SPDX-License-Identifier: GPL-3.0-or-later */
/* octopus-usage-view.c — the usage view: the figures come from octopus_usage_compute (never
 * counted here a second time) and are laid out as one row per service with a bar, for the
 * whole array and then for each top-level folder. */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "octopus-usage.h"
#include "octopus-usage-view-private.h"

G_DEFINE_FINAL_TYPE (OctopusUsageView, octopus_usage_view, ADW_TYPE_WINDOW)

enum { PROP_0, PROP_ARRAY, PROP_BUSY, N_PROPS };
static GParamSpec *properties[N_PROPS];

OctopusUsageView *
octopus_usage_view_new (OctopusArray *array)
{
  g_return_val_if_fail (OCTOPUS_IS_ARRAY (array), NULL);
  return g_object_new (OCTOPUS_TYPE_USAGE_VIEW, "array", array, NULL);
}

gboolean
octopus_usage_view_get_busy (OctopusUsageView *self)
{
  g_return_val_if_fail (OCTOPUS_IS_USAGE_VIEW (self), FALSE);
  return self->busy;
}

/* ---- the figures in words ---- */

static char *
count_text (guint64 n)
{
  return g_strdup_printf ("%" G_GUINT64_FORMAT, n);
}

static gulong
plural_n (guint64 n)
{
  return (gulong) MIN (n, G_MAXULONG);
}

/* "12 objects, 3.4 MB" */
static char *
held_text (const OctopusUsageCounts *c)
{
  g_autofree char *n = count_text (c->objects);
  g_autofree char *size = g_format_size (c->bytes);

  /* Translators: "<number> objects, <size>" held by one service */
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s object, %s", "%s objects, %s",
                                       plural_n (c->objects)), n, size);
}

/* "1 missing, 2 differing" (only what is not zero), or "nothing missing". */
static char *
problems_text (const OctopusUsageCounts *c)
{
  g_autoptr(GPtrArray) parts = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *missing = count_text (c->missing);
  g_autofree char *differing = count_text (c->differing);
  g_autofree char *unreachable = count_text (c->unreachable);

  /* Translators: "<number> missing": copies of the array's objects this service lacks */
  if (c->missing > 0)
    g_ptr_array_add (parts, g_strdup_printf (_("%s missing"), missing));
  /* Translators: "<number> differing": copies whose content differs from the others */
  if (c->differing > 0)
    g_ptr_array_add (parts, g_strdup_printf (_("%s differing"), differing));
  /* Translators: "<number> unreachable": copies not known, the service could not be listed */
  if (c->unreachable > 0)
    g_ptr_array_add (parts, g_strdup_printf (_("%s unreachable"), unreachable));
  if (parts->len == 0)
    return g_strdup (_("nothing missing"));
  g_ptr_array_add (parts, NULL);
  return g_strjoinv (", ", (char **) parts->pdata);
}

/* The row's subtitle: "12 objects, 3.4 MB; 1 missing; 2 only here". */
static char *
row_text (const OctopusUsageCounts *c)
{
  g_autofree char *held = held_text (c);
  g_autofree char *problems = problems_text (c);
  g_autofree char *n = count_text (c->at_risk);
  g_autofree char *risk = NULL;

  if (c->at_risk == 0)
    /* Translators: "<held>; <problems>" for one service */
    return g_strdup_printf (_("%s; %s"), held, problems);
  /* Translators: objects at risk: their only copy in sync is on this service */
  risk = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s at risk (its only good copy)",
                                       "%s at risk (their only good copy)",
                                       plural_n (c->at_risk)), n);
  /* Translators: "<held>; <problems>; <at risk>" for one service */
  return g_strdup_printf (_("%s; %s; %s"), held, problems, risk);
}

/* The bar's accessible label: "swift-a: 12 objects, 3.4 MB; 1 missing". */
static char *
bar_text (const char               *service,
          const OctopusUsageCounts *c)
{
  g_autofree char *held = held_text (c);
  g_autofree char *problems = problems_text (c);

  /* Translators: "<service>: <held>; <problems>", read for a service's usage bar */
  return g_strdup_printf (_("%s: %s; %s"), service, held, problems);
}

/* "4 objects; 1 at risk (a good copy on one service only)" */
static char *
group_text (const OctopusUsageGroup *group)
{
  g_autofree char *keys = count_text (group->keys);
  g_autofree char *at_risk = count_text (group->at_risk);
  g_autofree char *objects = NULL, *risk = NULL;

  objects = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s object", "%s objects",
                                          plural_n (group->keys)), keys);
  if (group->at_risk == 0)
    risk = g_strdup (_("none at risk"));
  else
    /* Translators: objects whose only copy in sync is on one service */
    risk = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                         "%s at risk (a good copy on one service only)",
                                         "%s at risk (a good copy on one service only)",
                                         plural_n (group->at_risk)), at_risk);
  /* Translators: "<objects>; <at risk>" for the array or one folder */
  return g_strdup_printf (_("%s; %s"), objects, risk);
}

/* ---- the rows ---- */

/* One service's row: its name, its figures, and a bar for the share of the group's objects
 * it holds (a service missing copies shows a shorter bar). */
static GtkWidget *
service_row (const char               *service,
             const OctopusUsageCounts *c,
             guint64                   keys,
             GtkLevelBar             **bar_out)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *bar = gtk_level_bar_new_for_interval (0.0, 1.0);
  g_autofree char *subtitle = row_text (c);
  g_autofree char *label = bar_text (service, c);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), service);
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  gtk_level_bar_set_value (GTK_LEVEL_BAR (bar),
                           keys > 0 ? MIN ((double) c->objects / (double) keys, 1.0) : 0.0);
  gtk_widget_set_size_request (bar, 160, -1);
  gtk_widget_set_valign (bar, GTK_ALIGN_CENTER);
  /* Sighted users read the same on hover as a screen reader reads on the bar. */
  gtk_widget_set_tooltip_text (bar, label);
  gtk_accessible_update_property (GTK_ACCESSIBLE (bar), GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), bar);
  if (bar_out != NULL)
    *bar_out = GTK_LEVEL_BAR (bar);
  return row;
}

static void
clear_shown (OctopusUsageView *self)
{
  for (guint i = 0; i < self->total_rows->len; i++)
    adw_preferences_group_remove (self->total_group, g_ptr_array_index (self->total_rows, i));
  g_ptr_array_set_size (self->total_rows, 0);
  g_ptr_array_set_size (self->total_bars, 0);
  for (guint i = 0; i < self->folder_groups->len; i++)
    gtk_box_remove (self->folders_box, g_ptr_array_index (self->folder_groups, i));
  g_ptr_array_set_size (self->folder_groups, 0);
}

static GtkWidget *
folder_group (const OctopusUsage      *usage,
              const OctopusUsageGroup *group)
{
  GtkWidget *widget = adw_preferences_group_new ();
  g_autofree char *description = group_text (group);

  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (widget),
                                   group->folder[0] != '\0' ? group->folder
                                                            : _("Outside Folders"));
  adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (widget), description);
  for (guint i = 0; i < usage->n_services; i++)
    adw_preferences_group_add (ADW_PREFERENCES_GROUP (widget),
                               service_row (usage->service_names[i], &group->services[i],
                                            group->keys, NULL));
  return widget;
}

/* Shows the table's figures as they are now. */
static void
show_usage (OctopusUsageView *self)
{
  g_autoptr(OctopusUsage) usage = octopus_usage_compute (self->table);
  g_autofree char *summary = group_text (usage->total);

  clear_shown (self);
  gtk_label_set_text (self->summary_label, summary);
  for (guint i = 0; i < usage->n_services; i++)
    {
      GtkLevelBar *bar = NULL;
      GtkWidget *row = service_row (usage->service_names[i], &usage->total->services[i],
                                    usage->total->keys, &bar);

      adw_preferences_group_add (self->total_group, row);
      g_ptr_array_add (self->total_rows, row);
      g_ptr_array_add (self->total_bars, bar);
    }
  /* Per folder only when there is more than one group: else it repeats the totals. */
  if (usage->folders->len < 2)
    return;
  for (guint f = 0; f < usage->folders->len; f++)
    {
      GtkWidget *group = folder_group (usage, g_ptr_array_index (usage->folders, f));

      gtk_box_append (self->folders_box, group);
      g_ptr_array_add (self->folder_groups, group);
    }
}

static gboolean
update_idle_cb (gpointer user_data)
{
  OctopusUsageView *self = user_data;

  self->update_idle = 0;
  show_usage (self);
  return G_SOURCE_REMOVE;
}

/* Rows came or went: counted again once the burst is over. */
static void
table_items_changed_cb (GListModel       *model,
                        guint             position,
                        guint             removed,
                        guint             added,
                        OctopusUsageView *self)
{
  if (self->update_idle == 0)
    self->update_idle = g_idle_add (update_idle_cb, self);
}

/* ---- refresh ---- */

static void
set_busy (OctopusUsageView *self,
          gboolean          busy)
{
  self->busy = busy;
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), busy);
  gtk_spinner_set_spinning (self->spinner, busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->refresh_button), !busy);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
}

static void
refresh_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(OctopusUsageView) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!octopus_array_refresh_finish (OCTOPUS_ARRAY (source), result, &error) &&
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  /* A service that failed to list shows as unreachable in the figures; say why too. */
  if (error != NULL)
    adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (error->message));
  set_busy (self, FALSE);
  show_usage (self);
}

void
octopus_usage_view_refresh (OctopusUsageView *self)
{
  g_return_if_fail (OCTOPUS_IS_USAGE_VIEW (self));
  if (self->busy)
    return;
  set_busy (self, TRUE);
  octopus_array_refresh_async (self->array, OCTOPUS_ARRAY_REFRESH_NONE, self->cancellable,
                               refresh_cb, g_object_ref (self));
}

static void
refresh_clicked_cb (GtkButton        *button,
                    OctopusUsageView *self)
{
  octopus_usage_view_refresh (self);
}

/* ---- GObject ---- */

static void
octopus_usage_view_constructed (GObject *object)
{
  OctopusUsageView *self = OCTOPUS_USAGE_VIEW (object);

  G_OBJECT_CLASS (octopus_usage_view_parent_class)->constructed (object);
  self->table = g_object_ref (octopus_array_get_table (self->array));
  g_signal_connect_object (self->table, "items-changed", G_CALLBACK (table_items_changed_cb),
                           self, 0);
  show_usage (self);
}

static gboolean
octopus_usage_view_close_request (GtkWindow *window)
{
  OctopusUsageView *self = OCTOPUS_USAGE_VIEW (window);

  g_cancellable_cancel (self->cancellable);
  return GTK_WINDOW_CLASS (octopus_usage_view_parent_class)->close_request (window);
}

static void
octopus_usage_view_dispose (GObject *object)
{
  OctopusUsageView *self = OCTOPUS_USAGE_VIEW (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->update_idle, g_source_remove);
  if (self->table != NULL)
    g_signal_handlers_disconnect_by_data (self->table, self);
  gtk_widget_dispose_template (GTK_WIDGET (self), OCTOPUS_TYPE_USAGE_VIEW);
  g_clear_pointer (&self->total_rows, g_ptr_array_unref);
  g_clear_pointer (&self->total_bars, g_ptr_array_unref);
  g_clear_pointer (&self->folder_groups, g_ptr_array_unref);
  g_clear_object (&self->table);
  g_clear_object (&self->array);
  g_clear_object (&self->cancellable);
  G_OBJECT_CLASS (octopus_usage_view_parent_class)->dispose (object);
}

static void
octopus_usage_view_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  OctopusUsageView *self = OCTOPUS_USAGE_VIEW (object);

  switch (prop_id)
    {
    case PROP_ARRAY:
      g_value_set_object (value, self->array);
      break;
    case PROP_BUSY:
      g_value_set_boolean (value, self->busy);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
octopus_usage_view_set_property (GObject      *object,
                                 guint         prop_id,
                                 const GValue *value,
                                 GParamSpec   *pspec)
{
  OctopusUsageView *self = OCTOPUS_USAGE_VIEW (object);

  switch (prop_id)
    {
    case PROP_ARRAY:
      self->array = g_value_dup_object (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
octopus_usage_view_class_init (OctopusUsageViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->constructed = octopus_usage_view_constructed;
  object_class->dispose = octopus_usage_view_dispose;
  object_class->get_property = octopus_usage_view_get_property;
  object_class->set_property = octopus_usage_view_set_property;
  window_class->close_request = octopus_usage_view_close_request;

  properties[PROP_ARRAY] =
    g_param_spec_object ("array", NULL, NULL, OCTOPUS_TYPE_ARRAY,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_BUSY] =
    g_param_spec_boolean ("busy", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/octopus_rais/Octopus/"
                                               "octopus-usage-view.ui");
  gtk_widget_class_bind_template_child (widget_class, OctopusUsageView, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, OctopusUsageView, refresh_button);
  gtk_widget_class_bind_template_child (widget_class, OctopusUsageView, spinner);
  gtk_widget_class_bind_template_child (widget_class, OctopusUsageView, summary_label);
  gtk_widget_class_bind_template_child (widget_class, OctopusUsageView, total_group);
  gtk_widget_class_bind_template_child (widget_class, OctopusUsageView, folders_box);
  gtk_widget_class_bind_template_callback (widget_class, refresh_clicked_cb);
}

static void
octopus_usage_view_init (OctopusUsageView *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();
  self->total_rows = g_ptr_array_new ();
  self->total_bars = g_ptr_array_new ();
  self->folder_groups = g_ptr_array_new ();
}
