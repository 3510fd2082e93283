/* SPDX-License-Identifier: GPL-3.0-or-later */
/* octopus-acl-dialog.c — the Permissions dialog.
 *
 * Reads every service's ACL of each key (octopus_array_get_acl_async, one key after the
 * other), shows one column per service for the first key, and says whether all copies agree.
 * Changes go to every key through the engine, which builds each service's policy from that
 * service's own ACL, so each keeps its own owner: a canned ACL (set as such), a grant (a
 * revoke and a grant in one write: a grantee who had a permission gets the new one instead)
 * or a removal (a revoke).  The result names the services that took it, those skipped for
 * having no ACLs and those that failed, with the reason, in a label that stays.
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "octopus-acl-dialog.h"
#include "octopus-acl-summary.h"

/* The grantee combo's entries, in order. */
enum {
  CHOICE_EVERYONE,
  CHOICE_AUTHENTICATED,
  CHOICE_USER_ID,
  CHOICE_EMAIL,
};

struct _OctopusAclDialog
{
  AdwWindow            parent_instance;

  AdwToastOverlay     *toast_overlay;
  AdwWindowTitle      *window_title;
  GtkSpinner          *spinner;
  GtkLabel            *agreement_label;
  GtkBox              *services_box;
  AdwPreferencesGroup *change_group;
  AdwComboRow         *canned_row;
  AdwComboRow         *grantee_row;
  AdwEntryRow         *grantee_id_row;
  AdwComboRow         *permission_row;
  GtkButton           *apply_canned_button;
  GtkButton           *add_grant_button;
  GtkLabel            *result_label;

  OctopusArray        *array;
  GStrv                keys;
  guint                n_keys;
  GPtrArray           *acls;      /* per key read so far: GPtrArray of OctopusArrayAcl */
  GPtrArray           *changes;   /* of OctopusAclChange, while a change runs */
  GPtrArray           *results;   /* of OctopusArrayResult, over the keys changed so far */
  guint                next_key;  /* the next key to read or change */
  GCancellable        *cancellable;
};

G_DEFINE_FINAL_TYPE (OctopusAclDialog, octopus_acl_dialog, ADW_TYPE_WINDOW)

static void read_acls (OctopusAclDialog *self);

/* While the dialog reads or changes, nothing else can be started (the buttons say so) and the
 * columns are greyed: they show what was before. */
static void
set_busy (OctopusAclDialog *self,
          gboolean          busy)
{
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), busy);
  gtk_spinner_set_spinning (self->spinner, busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->apply_canned_button), !busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->add_grant_button), !busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->services_box), !busy);
}

static gboolean
is_busy (OctopusAclDialog *self)
{
  return gtk_spinner_get_spinning (self->spinner);
}

/* The result stays readable in the dialog, beside the buttons (and to assistive technologies).
 * No toast repeats it: a toast would cover the buttons of the next change. */
static void
show_result (OctopusAclDialog *self,
             const char       *text,
             gboolean          failed)
{
  gtk_label_set_text (self->result_label, text);
  gtk_widget_set_visible (GTK_WIDGET (self->result_label), TRUE);
  if (failed)
    gtk_widget_add_css_class (GTK_WIDGET (self->result_label), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->result_label), "error");
}

/* ---- showing what was read ---- */

static gboolean
acl_unsupported (OctopusAclDialog      *self,
                 const OctopusArrayAcl *entry)
{
  OctopusService *service = octopus_array_lookup_service (self->array, entry->service);

  /* The account's probe may already know, even when the server answers GetObjectAcl oddly. */
  return entry->status == OCTOPUS_RESULT_UNSUPPORTED ||
         (service != NULL && octopus_service_get_acl_support (service) == OCTOPUS_SUPPORT_NO);
}

static void remove_clicked_cb (GtkButton *button, OctopusAclDialog *self);
static void grant_row_activated_cb (AdwActionRow *row, OctopusAclDialog *self);

/* A button that revokes @grantee on every key and service. */
static GtkWidget *
remove_button (OctopusAclDialog     *self,
               const OctopusGrantee *grantee,
               const char           *who)
{
  GtkWidget *button = gtk_button_new_from_icon_name ("list-remove-symbolic");
  g_autofree char *label = g_strdup_printf (_("Remove grant for %s"), who);

  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (button, "flat");
  gtk_widget_set_tooltip_text (button, label);
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, label,
                                  -1);
  g_object_set_data_full (G_OBJECT (button), "grantee", octopus_grantee_copy (grantee),
                          (GDestroyNotify) octopus_grantee_free);
  g_signal_connect (button, "clicked", G_CALLBACK (remove_clicked_cb), self);
  return button;
}

/* One grant: who and what.  The owner's grant cannot be removed; any other can, and
 * activating it fills the form with it, to change its permission. */
static GtkWidget *
grant_row (OctopusAclDialog      *self,
           const OctopusAclGrant *grant)
{
  g_autofree char *who = octopus_grantee_dup_label (&grant->grantee);
  GtkWidget *row = adw_action_row_new ();

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), who);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row),
                               octopus_permission_get_label (grant->permission));
  if (grant->grantee.kind == OCTOPUS_GRANTEE_OWNER)
    return row;

  adw_action_row_add_suffix (ADW_ACTION_ROW (row), remove_button (self, &grant->grantee, who));
  if (grant->grantee.kind != OCTOPUS_GRANTEE_OTHER)
    {
      gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
      g_object_set_data_full (G_OBJECT (row), "grantee", octopus_grantee_copy (&grant->grantee),
                              (GDestroyNotify) octopus_grantee_free);
      g_object_set_data (G_OBJECT (row), "permission", GUINT_TO_POINTER (grant->permission));
      g_signal_connect (row, "activated", G_CALLBACK (grant_row_activated_cb), self);
    }
  return row;
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
    adw_preferences_group_add (ADW_PREFERENCES_GROUP (group),
                               grant_row (self, g_ptr_array_index (grants, i)));
  return group;
}

/* What the columns and the agreement label say: all copies of all keys compared. */
static char *
agreement_text (OctopusAclDialog *self,
                gboolean         *warning)
{
  g_autoptr(GPtrArray) all = g_ptr_array_new ();
  gboolean unreadable = FALSE;
  gboolean agree;

  for (guint k = 0; k < self->acls->len; k++)
    {
      GPtrArray *entries = g_ptr_array_index (self->acls, k);

      for (guint i = 0; i < entries->len; i++)
        {
          OctopusArrayAcl *entry = g_ptr_array_index (entries, i);

          g_ptr_array_add (all, entry);
          if (!acl_unsupported (self, entry) && entry->status != OCTOPUS_RESULT_OK)
            unreadable = TRUE;
        }
    }
  agree = octopus_array_acls_agree (all);
  *warning = unreadable || !agree;

  if (unreadable)
    return g_strdup (_("Some services could not be read, so the permissions cannot be "
                       "compared."));
  if (self->n_keys == 1)
    return g_strdup (agree ? _("All services grant the same permissions.")
                           : _("The services disagree: apply permissions below to make them "
                               "the same."));
  if (agree)
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                         "The %u object grants the same permissions on every "
                                         "service; shown are those of “%s”.",
                                         "All %u objects grant the same permissions on every "
                                         "service; shown are those of “%s”.", self->n_keys),
                            self->n_keys, self->keys[0]);
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                       "The %u object or its services differ; shown are the "
                                       "permissions of “%s”. A change below applies to it.",
                                       "The %u objects or their services differ; shown are the "
                                       "permissions of “%s”. A change below applies to all of "
                                       "them.", self->n_keys),
                          self->n_keys, self->keys[0]);
}

static void
show_acls (OctopusAclDialog *self)
{
  GPtrArray *first = g_ptr_array_index (self->acls, 0);
  g_autofree char *text = NULL;
  gboolean warning;
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->services_box))) != NULL)
    gtk_box_remove (self->services_box, child);
  for (guint i = 0; i < first->len; i++)
    gtk_box_append (self->services_box, service_column (self, g_ptr_array_index (first, i)));

  text = agreement_text (self, &warning);
  gtk_label_set_text (self->agreement_label, text);
  if (warning)
    gtk_widget_add_css_class (GTK_WIDGET (self->agreement_label), "warning");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->agreement_label), "warning");
}

/* ---- reading, one key after the other ---- */

static void read_next (OctopusAclDialog *self);

static void
acls_read_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(OctopusAclDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) acls = octopus_array_get_acl_finish (OCTOPUS_ARRAY (source), result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;   /* closed */
  if (acls == NULL)
    {
      gtk_label_set_text (self->agreement_label, error->message);
      set_busy (self, FALSE);
      return;
    }
  g_ptr_array_add (self->acls, g_steal_pointer (&acls));
  read_next (self);
}

static void
read_next (OctopusAclDialog *self)
{
  /* The first key's columns at once; the comparison when every key has been read. */
  if (self->acls->len == 1 || (self->acls->len == self->n_keys && self->n_keys > 0))
    show_acls (self);
  if (self->next_key >= self->n_keys)
    {
      set_busy (self, FALSE);
      return;
    }
  octopus_array_get_acl_async (self->array, self->keys[self->next_key++], self->cancellable,
                               acls_read_cb, g_object_ref (self));
}

static void
read_acls (OctopusAclDialog *self)
{
  if (self->array == NULL || self->n_keys == 0)
    return;
  g_clear_pointer (&self->acls, g_ptr_array_unref);
  self->acls = g_ptr_array_new_with_free_func ((GDestroyNotify) g_ptr_array_unref);
  self->next_key = 0;
  set_busy (self, TRUE);
  read_next (self);
}

/* ---- changing, one key after the other ---- */

static void change_next (OctopusAclDialog *self);

static void
changed_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(OctopusAclDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) results =
    octopus_array_change_acl_list_finish (OCTOPUS_ARRAY (source), result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;   /* closed */
  if (results == NULL)
    {
      show_result (self, error->message, TRUE);
      g_clear_pointer (&self->changes, g_ptr_array_unref);
      read_acls (self);
      return;
    }
  g_ptr_array_extend_and_steal (self->results, g_steal_pointer (&results));
  change_next (self);
}

static void
change_next (OctopusAclDialog *self)
{
  g_autofree char *summary = NULL;

  if (self->next_key < self->n_keys)
    {
      octopus_array_change_acl_list_async (self->array, self->keys[self->next_key++],
                                           self->changes, self->cancellable, changed_cb,
                                           g_object_ref (self));
      return;
    }
  summary = octopus_acl_summary_new (self->results, self->n_keys);
  show_result (self, summary, octopus_array_results_have_failures (self->results));
  g_clear_pointer (&self->changes, g_ptr_array_unref);
  g_clear_pointer (&self->results, g_ptr_array_unref);
  read_acls (self);   /* show what the services hold now */
}

/* Applies @changes (owned; OctopusAclChange) to every key, then reads them again. */
static void
start_change (OctopusAclDialog *self,
              GPtrArray        *changes)
{
  g_autoptr(GPtrArray) owned = changes;

  if (self->array == NULL || self->n_keys == 0 || is_busy (self))
    return;
  self->changes = g_steal_pointer (&owned);
  self->results = g_ptr_array_new_with_free_func ((GDestroyNotify) octopus_array_result_free);
  self->next_key = 0;
  set_busy (self, TRUE);
  gtk_label_set_text (self->result_label, _("Changing the permissions…"));
  gtk_widget_remove_css_class (GTK_WIDGET (self->result_label), "error");
  gtk_widget_set_visible (GTK_WIDGET (self->result_label), TRUE);
  change_next (self);
}

static GPtrArray *
changes_new (void)
{
  return g_ptr_array_new_with_free_func ((GDestroyNotify) octopus_acl_change_free);
}

/* ---- what the user does ---- */

static void
apply_canned_clicked_cb (OctopusAclDialog *self)
{
  guint index = adw_combo_row_get_selected (self->canned_row);
  guint n_canned;
  const OctopusCannedAcl *canned = octopus_acl_canned_list (&n_canned);
  g_autoptr(GPtrArray) changes = changes_new ();

  if (index >= n_canned)
    return;
  g_ptr_array_add (changes, octopus_acl_change_new_canned (canned[index].name));
  start_change (self, g_steal_pointer (&changes));
}

/* The grantee the form names, or NULL and a message in words. */
static OctopusGrantee *
chosen_grantee (OctopusAclDialog  *self,
                GError           **error)
{
  g_autofree char *text = g_strstrip (g_strdup (gtk_editable_get_text (
    GTK_EDITABLE (self->grantee_id_row))));
  g_autofree char *word = NULL;

  switch (adw_combo_row_get_selected (self->grantee_row))
    {
    case CHOICE_EVERYONE:
      word = g_strdup ("everyone");
      break;
    case CHOICE_AUTHENTICATED:
      word = g_strdup ("authenticated");
      break;
    case CHOICE_USER_ID:
      if (text[0] == '\0')
        {
          g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                               _("Enter the user ID to grant to."));
          return NULL;
        }
      word = g_strconcat ("id:", text, NULL);
      break;
    default:
      if (strchr (text, '@') == NULL)
        {
          g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                               _("Enter the e-mail address to grant to."));
          return NULL;
        }
      word = g_strconcat ("email:", text, NULL);
      break;
    }
  return octopus_grantee_parse (word, error);
}

/* A grant replaces what the grantee had: revoke and grant, in one write per service. */
static void
add_grant_clicked_cb (OctopusAclDialog *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(OctopusGrantee) grantee = chosen_grantee (self, &error);
  g_autoptr(GPtrArray) changes = changes_new ();

  if (grantee == NULL)
    {
      show_result (self, error->message, TRUE);
      return;
    }
  g_ptr_array_add (changes, octopus_acl_change_new_revoke (grantee));
  g_ptr_array_add (changes, octopus_acl_change_new_grant (grantee,
                                                          adw_combo_row_get_selected (
                                                            self->permission_row)));
  start_change (self, g_steal_pointer (&changes));
}

static void
remove_clicked_cb (GtkButton        *button,
                   OctopusAclDialog *self)
{
  const OctopusGrantee *grantee = g_object_get_data (G_OBJECT (button), "grantee");
  g_autoptr(GPtrArray) changes = changes_new ();

  g_ptr_array_add (changes, octopus_acl_change_new_revoke (grantee));
  start_change (self, g_steal_pointer (&changes));
}

/* A grant row activated: the form shows that grant, ready for another permission. */
static void
grant_row_activated_cb (AdwActionRow     *row,
                        OctopusAclDialog *self)
{
  const OctopusGrantee *grantee = g_object_get_data (G_OBJECT (row), "grantee");
  guint permission = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (row), "permission"));
  guint choice;

  switch (grantee->kind)
    {
    case OCTOPUS_GRANTEE_EVERYONE: choice = CHOICE_EVERYONE; break;
    case OCTOPUS_GRANTEE_AUTHENTICATED: choice = CHOICE_AUTHENTICATED; break;
    case OCTOPUS_GRANTEE_EMAIL: choice = CHOICE_EMAIL; break;
    default: choice = CHOICE_USER_ID; break;
    }
  adw_combo_row_set_selected (self->grantee_row, choice);
  gtk_editable_set_text (GTK_EDITABLE (self->grantee_id_row),
                         grantee->value != NULL ? grantee->value : "");
  adw_combo_row_set_selected (self->permission_row, permission);
  gtk_widget_grab_focus (GTK_WIDGET (self->permission_row));
}

/* The entry is for a user id or an e-mail address, and titled so. */
static void
grantee_changed_cb (OctopusAclDialog *self)
{
  guint choice = adw_combo_row_get_selected (self->grantee_row);

  gtk_widget_set_visible (GTK_WIDGET (self->grantee_id_row),
                          choice == CHOICE_USER_ID || choice == CHOICE_EMAIL);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->grantee_id_row),
                                 choice == CHOICE_EMAIL ? _("Grantee E-mail Address")
                                                        : _("Grantee ID"));
}

/* ---- the object ---- */

static void
show_keys (OctopusAclDialog *self)
{
  g_autofree char *subtitle = NULL;
  g_autofree char *description = NULL;

  if (self->n_keys == 1)
    {
      adw_window_title_set_subtitle (self->window_title, self->keys[0]);
      adw_preferences_group_set_description (self->change_group,
                                             _("Applied to every service that supports "
                                               "permissions."));
      return;
    }
  subtitle = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u object", "%u objects",
                                           self->n_keys), self->n_keys);
  adw_window_title_set_subtitle (self->window_title, subtitle);
  description = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                              "Applied to the %u object on every service that "
                                              "supports permissions.",
                                              "Applied to all %u objects on every service that "
                                              "supports permissions.", self->n_keys),
                                 self->n_keys);
  adw_preferences_group_set_description (self->change_group, description);
}

OctopusAclDialog *
octopus_acl_dialog_new (OctopusArray       *array,
                        const char * const *keys)
{
  OctopusAclDialog *self = g_object_new (OCTOPUS_TYPE_ACL_DIALOG, NULL);

  g_return_val_if_fail (keys != NULL && keys[0] != NULL, self);

  g_set_object (&self->array, array);
  self->keys = g_strdupv ((char **) keys);
  self->n_keys = g_strv_length (self->keys);
  show_keys (self);
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
  g_clear_pointer (&self->changes, g_ptr_array_unref);
  g_clear_pointer (&self->results, g_ptr_array_unref);
  g_clear_object (&self->array);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->keys, g_strfreev);
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
  gtk_widget_class_bind_template_child (widget_class, OctopusAclDialog, spinner);
  gtk_widget_class_bind_template_child (widget_class, OctopusAclDialog, agreement_label);
  gtk_widget_class_bind_template_child (widget_class, OctopusAclDialog, services_box);
  gtk_widget_class_bind_template_child (widget_class, OctopusAclDialog, change_group);
  gtk_widget_class_bind_template_child (widget_class, OctopusAclDialog, canned_row);
  gtk_widget_class_bind_template_child (widget_class, OctopusAclDialog, grantee_row);
  gtk_widget_class_bind_template_child (widget_class, OctopusAclDialog, grantee_id_row);
  gtk_widget_class_bind_template_child (widget_class, OctopusAclDialog, permission_row);
  gtk_widget_class_bind_template_child (widget_class, OctopusAclDialog, apply_canned_button);
  gtk_widget_class_bind_template_child (widget_class, OctopusAclDialog, add_grant_button);
  gtk_widget_class_bind_template_child (widget_class, OctopusAclDialog, result_label);
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

  /* In the order of the CHOICE_ values. */
  gtk_string_list_append (grantees, _("Everyone"));
  gtk_string_list_append (grantees, _("Authenticated users"));
  gtk_string_list_append (grantees, _("User ID"));
  gtk_string_list_append (grantees, _("E-mail address"));
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
