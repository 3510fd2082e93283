/* SPDX-License-Identifier: GPL-3.0-or-later */
/* octopus-inspector.c — the inspector: one column (an AdwPreferencesGroup) per service, built
 * once from the array's services and filled in place whenever the facts arrive, so nothing is
 * torn down under a screen reader.  The actions on one copy are in octopus-inspector-actions.c.
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "octopus-array-info.h"
#include "octopus-inspector-private.h"
#include "octopus-share-dialog.h"

G_DEFINE_FINAL_TYPE (OctopusInspector, octopus_inspector, ADW_TYPE_WINDOW)

enum { PROP_0, PROP_ARRAY, PROP_KEY, PROP_BUSY, N_PROPS };
static GParamSpec *properties[N_PROPS];

/* The rows of a column, in order (the titles are translated when the column is built); the
 * state is no row but a label under the service's name. */
static const char * const fact_titles[N_FACTS] = {
  [FACT_SIZE] = N_("Size"),
  [FACT_MD5] = N_("Content MD5"),
  [FACT_ETAG] = N_("ETag"),
  [FACT_MODIFIED] = N_("Last Modified"),
  [FACT_TYPE] = N_("Content Type"),
  [FACT_CLASS] = N_("Storage Class"),
  [FACT_METADATA] = N_("User Metadata"),
  [FACT_VERSION] = N_("Version ID"),
  [FACT_ACL] = N_("Permissions"),
  [FACT_PROBLEM] = N_("Problem"),
};

OctopusInspector *
octopus_inspector_new (OctopusArray *array,
                       const char   *key)
{
  g_return_val_if_fail (OCTOPUS_IS_ARRAY (array), NULL);
  g_return_val_if_fail (key != NULL, NULL);
  return g_object_new (OCTOPUS_TYPE_INSPECTOR, "array", array, "key", key, NULL);
}

const char *
octopus_inspector_get_key (OctopusInspector *self)
{
  g_return_val_if_fail (OCTOPUS_IS_INSPECTOR (self), NULL);
  return self->key;
}

gboolean
octopus_inspector_get_busy (OctopusInspector *self)
{
  g_return_val_if_fail (OCTOPUS_IS_INSPECTOR (self), FALSE);
  return self->busy > 0;
}

/* ---- busy ---- */

static void
update_sensitivity (OctopusInspector *self)
{
  gboolean idle = self->busy == 0;

  gtk_widget_set_visible (GTK_WIDGET (self->spinner), !idle);
  gtk_spinner_set_spinning (self->spinner, !idle);
  gtk_widget_set_sensitive (GTK_WIDGET (self->share_button), idle);
  for (guint i = 0; i < self->columns->len; i++)
    {
      InspectorColumn *column = g_ptr_array_index (self->columns, i);

      gtk_widget_set_sensitive (column->repair, idle);
      gtk_widget_set_sensitive (column->download, idle);
      gtk_widget_set_sensitive (column->remove, idle);
    }
}

void
_octopus_inspector_busy (OctopusInspector *self,
                         gboolean          busy)
{
  gboolean was = self->busy > 0;

  if (busy)
    self->busy++;
  else
    {
      g_return_if_fail (self->busy > 0);
      self->busy--;
    }
  update_sensitivity (self);
  if (was != (self->busy > 0))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
}

void
_octopus_inspector_toast (OctopusInspector *self,
                          const char       *message)
{
  AdwToast *toast = adw_toast_new (message);

  adw_toast_set_timeout (toast, 5);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

/* ---- the facts in words ---- */

static const char *
md5_source_words (OctopusMd5Source source)
{
  switch (source)
    {
    case OCTOPUS_MD5_SOURCE_METADATA:
    case OCTOPUS_MD5_SOURCE_HEAD:
      return _("stored md5chksum");
    case OCTOPUS_MD5_SOURCE_ETAG:
      return _("plain ETag");
    case OCTOPUS_MD5_SOURCE_DEEP:
      return _("content check");
    case OCTOPUS_MD5_SOURCE_NONE:
    default:
      return _("unknown");
    }
}

static char *
format_md5 (const OctopusCopyInfo *copy)
{
  if (copy->md5 == NULL)
    return g_strdup (_("unknown"));
  /* Translators: "<MD5 in hex> (<where it came from>)" */
  return g_strdup_printf (_("%s (from the %s)"), copy->md5, md5_source_words (copy->md5_source));
}

static char *
format_modified (gint64 when)
{
  g_autoptr(GDateTime) dt = NULL;

  if (when <= 0)
    return g_strdup ("—");
  dt = g_date_time_new_from_unix_local (when);
  /* Translators: date and time format for the inspector, see g_date_time_format() */
  return g_date_time_format (dt, _("%Y-%m-%d %H:%M:%S"));
}

static int
compare_lines (gconstpointer a,
               gconstpointer b)
{
  return g_strcmp0 (*(char * const *) a, *(char * const *) b);
}

/* "name=value" lines, sorted, or "none". */
static char *
format_metadata (GHashTable *metadata)
{
  g_autoptr(GPtrArray) lines = g_ptr_array_new_with_free_func (g_free);
  GHashTableIter iter;
  gpointer name, value;

  g_hash_table_iter_init (&iter, metadata);
  while (g_hash_table_iter_next (&iter, &name, &value))
    g_ptr_array_add (lines, g_strdup_printf ("%s=%s", (char *) name, (char *) value));
  if (lines->len == 0)
    return g_strdup (_("none"));
  g_ptr_array_sort (lines, compare_lines);
  g_ptr_array_add (lines, NULL);
  return g_strjoinv ("\n", (char **) lines->pdata);
}

static void
set_fact (InspectorColumn *column,
          InspectorFact    fact,
          const char      *value)
{
  const char *shown = value != NULL && value[0] != '\0' ? value : "—";

  gtk_label_set_text (column->values[fact], shown);
  /* The row reads as "<title>: <value>" to a screen reader (the state is a label alone). */
  if (column->rows[fact] != NULL)
    gtk_accessible_update_property (GTK_ACCESSIBLE (column->rows[fact]),
                                    GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, shown, -1);
}

static void
show_copy (InspectorColumn       *column,
           const OctopusCopyInfo *copy)
{
  g_autofree char *size = copy->present ? g_format_size_full (copy->size,
                                                              G_FORMAT_SIZE_LONG_FORMAT)
                                        : NULL;
  g_autofree char *md5 = copy->present ? format_md5 (copy) : NULL;
  g_autofree char *modified = copy->present ? format_modified (copy->last_modified) : NULL;
  g_autofree char *metadata = copy->present ? format_metadata (copy->metadata) : NULL;
  g_autofree char *acl = copy->present ? octopus_copy_info_dup_acl_summary (copy) : NULL;
  gboolean broken = copy->state == OCTOPUS_OBJECT_STATE_MISSING ||
                    copy->state == OCTOPUS_OBJECT_STATE_DIFFERS;

  column->state = copy->state;
  column->present = copy->present;
  set_fact (column, FACT_STATE, copy->reason);
  if (copy->state == OCTOPUS_OBJECT_STATE_IN_SYNC)
    gtk_widget_add_css_class (GTK_WIDGET (column->values[FACT_STATE]), "success");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (column->values[FACT_STATE]), "success");
  if (broken || copy->state == OCTOPUS_OBJECT_STATE_UNREACHABLE)
    gtk_widget_add_css_class (GTK_WIDGET (column->values[FACT_STATE]), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (column->values[FACT_STATE]), "error");
  set_fact (column, FACT_SIZE, size);
  set_fact (column, FACT_MD5, md5);
  set_fact (column, FACT_ETAG, copy->etag);
  set_fact (column, FACT_MODIFIED, modified);
  set_fact (column, FACT_TYPE, copy->content_type);
  set_fact (column, FACT_CLASS, copy->storage_class);
  set_fact (column, FACT_METADATA, metadata);
  set_fact (column, FACT_VERSION, copy->present && copy->version_id == NULL
                                  ? _("none") : copy->version_id);
  set_fact (column, FACT_ACL, acl);
  set_fact (column, FACT_PROBLEM, copy->error);
  gtk_widget_set_visible (GTK_WIDGET (column->rows[FACT_PROBLEM]), copy->error != NULL);
  gtk_widget_set_visible (column->repair, broken);
  gtk_widget_set_visible (column->download, copy->present);
  gtk_widget_set_visible (column->remove, copy->present);
}

/* ---- reading the facts ---- */

static void
info_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(OctopusInspector) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) copies = octopus_array_info_finish (OCTOPUS_ARRAY (source), result,
                                                           &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;  /* closed: nothing is shown any more */
  _octopus_inspector_busy (self, FALSE);
  if (copies == NULL)
    {
      adw_status_page_set_description (self->error_page, error->message);
      gtk_stack_set_visible_child_name (self->stack, "error");
      gtk_widget_set_sensitive (GTK_WIDGET (self->share_button), FALSE);
      return;
    }
  for (guint i = 0; i < copies->len && i < self->columns->len; i++)
    show_copy (g_ptr_array_index (self->columns, i), g_ptr_array_index (copies, i));
  gtk_stack_set_visible_child_name (self->stack, "facts");
  /* GUI tests wait for this line (G_MESSAGES_DEBUG=octopus). */
  g_debug ("Inspector: facts of %s shown", self->key);
}

void
octopus_inspector_reload (OctopusInspector *self)
{
  g_return_if_fail (OCTOPUS_IS_INSPECTOR (self));

  _octopus_inspector_busy (self, TRUE);
  octopus_array_info_async (self->array, self->key, self->cancellable, info_cb,
                            g_object_ref (self));
}

/* ---- the columns ---- */

static void
inspector_column_free (InspectorColumn *column)
{
  g_free (column->service);
  g_free (column);
}

/* A row "<title>   <value>"; the value can be selected and copied. */
static void
add_fact_row (InspectorColumn *column,
              InspectorFact    fact)
{
  AdwActionRow *row = ADW_ACTION_ROW (adw_action_row_new ());
  GtkWidget *value = gtk_label_new ("—");

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _(fact_titles[fact]));
  gtk_label_set_selectable (GTK_LABEL (value), TRUE);
  gtk_label_set_wrap (GTK_LABEL (value), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (value), PANGO_WRAP_WORD_CHAR);
  gtk_label_set_xalign (GTK_LABEL (value), 1.0);
  gtk_label_set_max_width_chars (GTK_LABEL (value), 34);
  gtk_widget_set_hexpand (value, TRUE);
  adw_action_row_add_suffix (row, value);
  adw_preferences_group_add (column->facts, GTK_WIDGET (row));
  column->rows[fact] = row;
  column->values[fact] = GTK_LABEL (value);
}

/* The service's name and, below it, the copy's state with its reason: a label of its own,
 * the first thing a screen reader meets in the column.  Not selectable: the window's first
 * focus would select it all (the MD5s can be copied from their rows). */
static GtkWidget *
heading_new (InspectorColumn *column)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  GtkWidget *title = gtk_label_new (column->service);
  GtkWidget *reason = gtk_label_new ("—");

  gtk_label_set_xalign (GTK_LABEL (title), 0.0);
  gtk_label_set_ellipsize (GTK_LABEL (title), PANGO_ELLIPSIZE_END);
  gtk_widget_add_css_class (title, "title-4");
  gtk_label_set_xalign (GTK_LABEL (reason), 0.0);
  gtk_label_set_wrap (GTK_LABEL (reason), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (reason), PANGO_WRAP_WORD_CHAR);
  gtk_box_append (GTK_BOX (box), title);
  gtk_box_append (GTK_BOX (box), reason);
  column->values[FACT_STATE] = GTK_LABEL (reason);
  return box;
}

/* A button for one copy; its description names the service for a screen reader. */
static GtkWidget *
add_copy_button (GtkBox     *box,
                 const char *label,
                 const char *description,
                 const char *style)
{
  GtkWidget *button = gtk_button_new_with_label (label);

  gtk_accessible_update_property (GTK_ACCESSIBLE (button),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, description, -1);
  gtk_widget_set_tooltip_text (button, description);
  if (style != NULL)
    gtk_widget_add_css_class (button, style);
  gtk_widget_set_visible (button, FALSE);
  gtk_box_append (box, button);
  return button;
}

/* A column: the service and the state (with its reason) on top, the actions right below it
 * (in view without scrolling), then the other facts, one row each. */
static InspectorColumn *
column_new (OctopusInspector *self,
            const char       *service)
{
  InspectorColumn *column = g_new0 (InspectorColumn, 1);
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  GtkWidget *buttons = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  g_autofree char *repair = g_strdup_printf (_("Copies a good copy to %s only"), service);
  g_autofree char *download = g_strdup_printf (_("Downloads the copy on %s as it is"), service);
  g_autofree char *remove = g_strdup_printf (_("Deletes the copy on %s only"), service);

  column->self = self;
  column->service = g_strdup (service);
  column->facts = ADW_PREFERENCES_GROUP (adw_preferences_group_new ());
  for (guint f = FACT_STATE + 1; f < N_FACTS; f++)
    add_fact_row (column, f);
  column->repair = add_copy_button (GTK_BOX (buttons), _("Repair This Copy"), repair,
                                    "suggested-action");
  column->download = add_copy_button (GTK_BOX (buttons), _("Download This Copy…"), download,
                                      NULL);
  /* Not red here: the confirmation's button is the destructive one. */
  column->remove = add_copy_button (GTK_BOX (buttons), _("Delete This Copy…"), remove, NULL);
  _octopus_inspector_connect_actions (column);
  gtk_box_append (GTK_BOX (box), heading_new (column));
  gtk_box_append (GTK_BOX (box), buttons);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (column->facts));
  gtk_box_append (self->services_box, box);
  return column;
}

static void
share_clicked_cb (OctopusInspector *self)
{
  octopus_share_dialog_present (GTK_WINDOW (self), self->array, self->key, self->toast_overlay);
}

/* ---- GObject ---- */

static void
octopus_inspector_constructed (GObject *object)
{
  OctopusInspector *self = OCTOPUS_INSPECTOR (object);

  G_OBJECT_CLASS (octopus_inspector_parent_class)->constructed (object);

  adw_window_title_set_subtitle (self->window_title, self->key);
  for (guint i = 0; i < octopus_array_get_n_services (self->array); i++)
    {
      OctopusService *service = octopus_array_get_service (self->array, i);

      g_ptr_array_add (self->columns, column_new (self, octopus_service_get_name (service)));
    }
  octopus_inspector_reload (self);
}

static gboolean
octopus_inspector_close_request (GtkWindow *window)
{
  OctopusInspector *self = OCTOPUS_INSPECTOR (window);

  g_cancellable_cancel (self->cancellable);
  return GTK_WINDOW_CLASS (octopus_inspector_parent_class)->close_request (window);
}

static void
octopus_inspector_dispose (GObject *object)
{
  OctopusInspector *self = OCTOPUS_INSPECTOR (object);

  g_cancellable_cancel (self->cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), OCTOPUS_TYPE_INSPECTOR);
  g_clear_pointer (&self->columns, g_ptr_array_unref);
  g_clear_object (&self->array);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->key, g_free);
  G_OBJECT_CLASS (octopus_inspector_parent_class)->dispose (object);
}

static void
octopus_inspector_set_property (GObject      *object,
                                guint         prop_id,
                                const GValue *value,
                                GParamSpec   *pspec)
{
  OctopusInspector *self = OCTOPUS_INSPECTOR (object);

  switch (prop_id)
    {
    case PROP_ARRAY:
      self->array = g_value_dup_object (value);
      break;
    case PROP_KEY:
      self->key = g_value_dup_string (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
octopus_inspector_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  OctopusInspector *self = OCTOPUS_INSPECTOR (object);

  switch (prop_id)
    {
    case PROP_ARRAY:
      g_value_set_object (value, self->array);
      break;
    case PROP_KEY:
      g_value_set_string (value, self->key);
      break;
    case PROP_BUSY:
      g_value_set_boolean (value, self->busy > 0);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
octopus_inspector_class_init (OctopusInspectorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->constructed = octopus_inspector_constructed;
  object_class->dispose = octopus_inspector_dispose;
  object_class->get_property = octopus_inspector_get_property;
  object_class->set_property = octopus_inspector_set_property;
  window_class->close_request = octopus_inspector_close_request;

  properties[PROP_ARRAY] =
    g_param_spec_object ("array", NULL, NULL, OCTOPUS_TYPE_ARRAY,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_KEY] =
    g_param_spec_string ("key", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_BUSY] =
    g_param_spec_boolean ("busy", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
    "/io/github/octopus_rais/Octopus/octopus-inspector.ui");
  gtk_widget_class_bind_template_child (widget_class, OctopusInspector, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, OctopusInspector, window_title);
  gtk_widget_class_bind_template_child (widget_class, OctopusInspector, share_button);
  gtk_widget_class_bind_template_child (widget_class, OctopusInspector, spinner);
  gtk_widget_class_bind_template_child (widget_class, OctopusInspector, stack);
  gtk_widget_class_bind_template_child (widget_class, OctopusInspector, error_page);
  gtk_widget_class_bind_template_child (widget_class, OctopusInspector, services_box);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
octopus_inspector_init (OctopusInspector *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();
  self->columns = g_ptr_array_new_with_free_func ((GDestroyNotify) inspector_column_free);
  g_signal_connect_object (self->share_button, "clicked", G_CALLBACK (share_clicked_cb), self,
                           G_CONNECT_SWAPPED);
}
