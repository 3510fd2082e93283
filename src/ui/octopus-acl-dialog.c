/* SPDX-License-Identifier: GPL-3.0-or-later */
/* octopus-acl-dialog.c — the Permissions dialog.
 *
 * Reads every service's ACL for the key (octopus_array_get_acl_async), shows one column per
 * service, and says whether they agree.  Changes go to all services at once through
 * octopus_array_set_acl_async (a canned ACL) and octopus_array_change_acl_async (a grant, built
 * per service by the engine so that each service keeps its own owner); services without ACL
 * support answer UNSUPPORTED and are shown as "ACLs not supported here", never as a failure.
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "octopus-acl-dialog.h"

struct _OctopusAclDialog
{
  AdwWindow        parent_instance;

  AdwToastOverlay *toast_overlay;
  AdwWindowTitle  *window_title;
  GtkLabel        *agreement_label;
  GtkBox          *services_box;
  AdwComboRow     *canned_row;
  AdwComboRow     *grantee_row;
  AdwEntryRow     *grantee_id_row;
  AdwComboRow     *permission_row;
  GtkButton       *apply_canned_button;
  GtkButton       *add_grant_button;

  OctopusArray    *array;
  char            *key;
  GPtrArray       *acls;         /* OctopusArrayAcl, as last read */
  GCancellable    *cancellable;
};

G_DEFINE_FINAL_TYPE (OctopusAclDialog, octopus_acl_dialog, ADW_TYPE_WINDOW)

static void read_acls (OctopusAclDialog *self);

static gboolean
acl_unsupported (OctopusAclDialog      *self,
                 const OctopusArrayAcl *entry)
{
  OctopusService *service = octopus_array_lookup_service (self->array, entry->service);

  /* The account's probe may already know, even when the server answers GetObjectAcl oddly. */
  return entry->status == OCTOPUS_RESULT_UNSUPPORTED ||
         (service != NULL && octopus_service_get_acl_support (service) == OCTOPUS_SUPPORT_NO);
}

static GtkWidget *
service_column (OctopusAclDialog      *self,
                const OctopusArrayAcl *entry)
{
  GtkWidget *group = adw_preferences_group_new ();
  g_autoptr(GPtrArray) grants = NULL;
  const char *canned;

  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (group), entry->service);

  if (acl_unsupported (self, entry))
    {
      adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (group),
                                             _("ACLs not supported here"));
      return group;
    }
  if (entry->status != OCTOPUS_RESULT_OK || entry->acl == NULL)
    {
      adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (group),
                                             entry->message ? entry->message
                                                            : _("Could not read the permissions"));
      return group;
    }

  canned = octopus_acl_to_canned (entry->acl);
  if (canned != NULL)
    adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (group), canned);

  grants = octopus_acl_policy_grants (entry->acl);
  for (guint i = 0; i < grants->len; i++)
    {
      const OctopusAclGrant *grant = g_ptr_array_index (grants, i);
      g_autofree char *who = octopus_grantee_dup_label (&grant->grantee);
      GtkWidget *row = adw_action_row_new ();

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), who);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row),
                                   octopus_permission_get_label (grant->permission));
      adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), row);
    }
  return group;
}

static void
show_acls (OctopusAclDialog *self)
{
  GtkWidget *child;
  guint unreadable = 0;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->services_box))) != NULL)
    gtk_box_remove (self->services_box, child);

  for (guint i = 0; i < self->acls->len; i++)
    {
      const OctopusArrayAcl *entry = g_ptr_array_index (self->acls, i);

      gtk_box_append (self->services_box, service_column (self, entry));
      if (!acl_unsupported (self, entry) && entry->status != OCTOPUS_RESULT_OK)
        unreadable++;
    }

  if (unreadable > 0)
    {
      gtk_label_set_text (self->agreement_label,
                          _("Some services could not be read, so the permissions cannot be "
                            "compared."));
      gtk_widget_add_css_class (GTK_WIDGET (self->agreement_label), "warning");
    }
  else if (octopus_array_acls_agree (self->acls))
    {
      gtk_label_set_text (self->agreement_label, _("All services grant the same permissions."));
      gtk_widget_remove_css_class (GTK_WIDGET (self->agreement_label), "warning");
    }
  else
    {
      gtk_label_set_text (self->agreement_label,
                          _("The services disagree: apply permissions below to make them the "
                            "same."));
      gtk_widget_add_css_class (GTK_WIDGET (self->agreement_label), "warning");
    }
}

static void
acls_read_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(OctopusAclDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) acls = octopus_array_get_acl_finish (OCTOPUS_ARRAY (source), result, &error);

  if (acls == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        gtk_label_set_text (self->agreement_label, error->message);
      return;
    }
  g_clear_pointer (&self->acls, g_ptr_array_unref);
  self->acls = g_steal_pointer (&acls);
  show_acls (self);
}

static void
read_acls (OctopusAclDialog *self)
{
  if (self->array == NULL || self->key == NULL)
    return;
  octopus_array_get_acl_async (self->array, self->key, self->cancellable,
                               acls_read_cb, g_object_ref (self));
}

static void
acl_set_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(OctopusAclDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) results =
    octopus_array_set_acl_finish (OCTOPUS_ARRAY (source), result, &error);
  g_autofree char *message = NULL;

  if (results == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (error->message));
      return;
    }

  for (guint i = 0; i < results->len && message == NULL; i++)
    {
      const OctopusArrayResult *r = g_ptr_array_index (results, i);

      if (r->status == OCTOPUS_RESULT_FAILED || r->status == OCTOPUS_RESULT_UNREACHABLE)
        message = g_strdup_printf ("%s: %s", r->service, r->message ? r->message : _("failed"));
    }
  adw_toast_overlay_add_toast (self->toast_overlay,
                               adw_toast_new (message ? message : _("Permissions changed")));
  read_acls (self);
}

static void
apply_canned_clicked_cb (OctopusAclDialog *self)
{
  guint index = adw_combo_row_get_selected (self->canned_row);
  guint n_canned;
  const OctopusCannedAcl *canned = octopus_acl_canned_list (&n_canned);

  if (self->array == NULL || index >= n_canned)
    return;
  octopus_array_set_acl_async (self->array, self->key, canned[index].name, NULL,
                               self->cancellable, acl_set_cb, g_object_ref (self));
}

static void
add_grant_clicked_cb (OctopusAclDialog *self)
{
  g_autoptr(OctopusGrantee) grantee = g_new0 (OctopusGrantee, 1);
  g_autoptr(OctopusAclChange) change = NULL;

  switch (adw_combo_row_get_selected (self->grantee_row))
    {
    case 0:
      grantee->kind = OCTOPUS_GRANTEE_EVERYONE;
      break;
    case 1:
      grantee->kind = OCTOPUS_GRANTEE_AUTHENTICATED;
      break;
    default:
      grantee->kind = OCTOPUS_GRANTEE_USER_ID;
      grantee->value = g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->grantee_id_row)));
      if (grantee->value[0] == '\0')
        {
          adw_toast_overlay_add_toast (self->toast_overlay,
                                       adw_toast_new (_("Enter the canonical user ID to grant "
                                                        "to")));
          return;
        }
      break;
    }

  /* Each service keeps its own owner: the engine builds every service's policy from the ACL
   * that service has. */
  change = octopus_acl_change_new_grant (grantee,
                                         adw_combo_row_get_selected (self->permission_row));
  if (self->array != NULL)
    octopus_array_change_acl_async (self->array, self->key, change, self->cancellable,
                                    acl_set_cb, g_object_ref (self));
}

static void
grantee_changed_cb (OctopusAclDialog *self)
{
  gtk_widget_set_visible (GTK_WIDGET (self->grantee_id_row),
                          adw_combo_row_get_selected (self->grantee_row) == 2);
}

OctopusAclDialog *
octopus_acl_dialog_new (OctopusArray *array,
                        const char   *key)
{
  OctopusAclDialog *self = g_object_new (OCTOPUS_TYPE_ACL_DIALOG, NULL);

  g_set_object (&self->array, array);
  self->key = g_strdup (key);
  adw_window_title_set_subtitle (self->window_title, key);
  read_acls (self);
  return self;
}

static void
octopus_acl_dialog_dispose (GObject *object)
{
  OctopusAclDialog *self = OCTOPUS_ACL_DIALOG (object);

  g_cancellable_cancel (self->cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), OCTOPUS_TYPE_ACL_DIALOG);
  g_clear_pointer (&self->acls, g_ptr_array_unref);
  g_clear_object (&self->array);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->key, g_free);
  G_OBJECT_CLASS (octopus_acl_dialog_parent_class)->dispose (object);
}

static void
octopus_acl_dialog_class_init (OctopusAclDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = octopus_acl_dialog_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
    "/io/github/octopus_rais/Octopus/octopus-acl-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, OctopusAclDialog, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, OctopusAclDialog, window_title);
  gtk_widget_class_bind_template_child (widget_class, OctopusAclDialog, agreement_label);
  gtk_widget_class_bind_template_child (widget_class, OctopusAclDialog, services_box);
  gtk_widget_class_bind_template_child (widget_class, OctopusAclDialog, canned_row);
  gtk_widget_class_bind_template_child (widget_class, OctopusAclDialog, grantee_row);
  gtk_widget_class_bind_template_child (widget_class, OctopusAclDialog, grantee_id_row);
  gtk_widget_class_bind_template_child (widget_class, OctopusAclDialog, permission_row);
  gtk_widget_class_bind_template_child (widget_class, OctopusAclDialog, apply_canned_button);
  gtk_widget_class_bind_template_child (widget_class, OctopusAclDialog, add_grant_button);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
octopus_acl_dialog_init (OctopusAclDialog *self)
{
  g_autoptr(GtkStringList) canned = gtk_string_list_new (NULL);
  g_autoptr(GtkStringList) grantees = gtk_string_list_new (NULL);
  g_autoptr(GtkStringList) permissions = gtk_string_list_new (NULL);
  const OctopusCannedAcl *canned_acls;
  guint n_canned;

  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();

  canned_acls = octopus_acl_canned_list (&n_canned);
  for (guint i = 0; i < n_canned; i++)
    gtk_string_list_append (canned, canned_acls[i].name);
  adw_combo_row_set_model (self->canned_row, G_LIST_MODEL (canned));

  gtk_string_list_append (grantees, _("Everyone"));
  gtk_string_list_append (grantees, _("Authenticated users"));
  gtk_string_list_append (grantees, _("A canonical user"));
  adw_combo_row_set_model (self->grantee_row, G_LIST_MODEL (grantees));

  for (OctopusPermission p = OCTOPUS_PERMISSION_READ; p <= OCTOPUS_PERMISSION_LAST; p++)
    gtk_string_list_append (permissions, octopus_permission_get_label (p));
  adw_combo_row_set_model (self->permission_row, G_LIST_MODEL (permissions));

  g_signal_connect_swapped (self->grantee_row, "notify::selected",
                            G_CALLBACK (grantee_changed_cb), self);
  g_signal_connect_swapped (self->apply_canned_button, "clicked",
                            G_CALLBACK (apply_canned_clicked_cb), self);
  g_signal_connect_swapped (self->add_grant_button, "clicked",
                            G_CALLBACK (add_grant_clicked_cb), self);
  grantee_changed_cb (self);
}
