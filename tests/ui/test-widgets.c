/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-widgets.c — every templated widget of src/ui instantiated (G_DEBUG=fatal-criticals in
 * the test environment turns a broken template or binding into a failure), and what each one
 * shows for a known state.  Needs a display: skipped (77) without one. */
#include "config.h"

#include <adwaita.h>
#include <glib/gstdio.h>
#include <libsoup/soup.h>
#include <string.h>
#include <unistd.h>

#include "octopus-account-connect.h"
#include "octopus-acl-dialog.h"
#include "octopus-acl-summary.h"
#include "octopus-application.h"
#include "octopus-index.h"
#include "octopus-inspector-private.h"
#include "octopus-object-row.h"
#include "octopus-passphrase-dialog.h"
#include "octopus-preferences-window.h"
#include "octopus-provider.h"
#include "octopus-secret.h"
#include "octopus-status-cell.h"
#include "octopus-test-canned-server.h"
#include "octopus-test-util.h"
#include "octopus-transfer-row.h"
#include "octopus-transfers-panel.h"
#include "octopus-usage.h"
#include "octopus-usage-view-private.h"
#include "octopus-window-private.h"

static const char * const two_services[] = { "alpha", "beta", NULL };

static OctopusObject *
object_missing_on_beta (const char *key)
{
  OctopusObject *object = octopus_object_new (key, two_services);

  octopus_object_set_service_copy (object, 0, TRUE, 11, "0123456789abcdef0123456789abcdef",
                                   "0123456789abcdef0123456789abcdef", 1700000000);
  octopus_object_set_service_copy (object, 1, FALSE, 0, NULL, NULL, 0);
  octopus_object_classify (object);
  return object;
}

static void
test_split_key (void)
{
  g_autofree char *folder = NULL, *name = NULL;
  g_autofree char *folder2 = NULL, *name2 = NULL;

  octopus_split_key ("Photos/2024/harbour.jpg", &folder, &name);
  g_assert_cmpstr (folder, ==, "Photos/2024/");
  g_assert_cmpstr (name, ==, "harbour.jpg");
  octopus_split_key ("notes.txt", &folder2, &name2);
  g_assert_cmpstr (folder2, ==, "");
  g_assert_cmpstr (name2, ==, "notes.txt");
}

static void
test_object_row (void)
{
  g_autoptr(OctopusObject) object = object_missing_on_beta ("Photos/harbour.jpg");
  GtkWidget *row = g_object_ref_sink (octopus_object_row_new ());

  octopus_object_row_set_object (OCTOPUS_OBJECT_ROW (row), object);
  g_assert_true (octopus_object_row_get_object (OCTOPUS_OBJECT_ROW (row)) == object);
  octopus_object_row_set_object (OCTOPUS_OBJECT_ROW (row), NULL);
  g_assert_finalize_object (row);
}

static void
test_status_cell_follows_object (void)
{
  g_autoptr(OctopusObject) object = object_missing_on_beta ("notes.txt");
  GtkWidget *beta = g_object_ref_sink (octopus_status_cell_new (1));
  GtkWidget *alpha = g_object_ref_sink (octopus_status_cell_new (0));
  g_autofree char *tooltip = NULL;

  octopus_status_cell_set_object (OCTOPUS_STATUS_CELL (alpha), object);
  octopus_status_cell_set_object (OCTOPUS_STATUS_CELL (beta), object);
  g_assert_cmpint (octopus_status_cell_get_state (OCTOPUS_STATUS_CELL (alpha)), ==,
                   OCTOPUS_OBJECT_STATE_IN_SYNC);
  g_assert_cmpint (octopus_status_cell_get_state (OCTOPUS_STATUS_CELL (beta)), ==,
                   OCTOPUS_OBJECT_STATE_MISSING);
  tooltip = gtk_widget_get_tooltip_text (beta)
            ? g_strdup (gtk_widget_get_tooltip_text (beta)) : NULL;
  g_assert_cmpstr (tooltip, ==, octopus_object_state_to_meaning (OCTOPUS_OBJECT_STATE_MISSING));

  /* The icon comes from the template's status_to_icon_name closure. */
  g_assert_cmpstr (gtk_image_get_icon_name (GTK_IMAGE (gtk_widget_get_first_child (beta))), ==,
                   octopus_object_state_to_icon_name (OCTOPUS_OBJECT_STATE_MISSING));

  /* A repaired copy turns the cell in sync through OctopusObject::changed. */
  octopus_object_set_service_copy (object, 1, TRUE, 11, "0123456789abcdef0123456789abcdef",
                                   "0123456789abcdef0123456789abcdef", 1700000001);
  octopus_object_classify (object);
  g_assert_cmpint (octopus_status_cell_get_state (OCTOPUS_STATUS_CELL (beta)), ==,
                   OCTOPUS_OBJECT_STATE_IN_SYNC);
  g_assert_cmpstr (gtk_image_get_icon_name (GTK_IMAGE (gtk_widget_get_first_child (beta))), ==,
                   octopus_object_state_to_icon_name (OCTOPUS_OBJECT_STATE_IN_SYNC));

  /* An error on the column is explained in the tooltip. */
  octopus_object_set_service_reachable (object, 1, FALSE);
  octopus_object_set_service_error (object, 1, "Connection refused");
  octopus_object_classify (object);
  g_assert_nonnull (strstr (gtk_widget_get_tooltip_text (beta), "Connection refused"));

  octopus_status_cell_set_object (OCTOPUS_STATUS_CELL (alpha), NULL);
  octopus_status_cell_set_object (OCTOPUS_STATUS_CELL (beta), NULL);
  g_assert_finalize_object (alpha);
  g_assert_finalize_object (beta);
}

static OctopusService *
offline_service (const char *name)
{
  /* A client that is never used: the test feeds the table directly. */
  OctopusS3ClientOptions options = {
    .name = name, .endpoint = "http://127.0.0.1:9", .access_key = "AK", .secret_key = "SK",
    .path_style = TRUE, .allow_http = TRUE,
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(OctopusS3Client) client = octopus_s3_client_new (&options, &error);

  g_assert_no_error (error);
  return octopus_service_new (name, client, "bucket");
}

static GPtrArray *
listing (const char *key, ...)
{
  GPtrArray *objects = g_ptr_array_new_with_free_func ((GDestroyNotify) octopus_s3_object_free);
  va_list args;

  va_start (args, key);
  for (const char *k = key; k != NULL; k = va_arg (args, const char *))
    {
      OctopusS3Object *o = g_new0 (OctopusS3Object, 1);
      o->key = g_strdup (k);
      o->size = 11;
      o->etag = g_strdup ("0123456789abcdef0123456789abcdef");
      o->last_modified = 1700000000;
      g_ptr_array_add (objects, o);
    }
  va_end (args);
  return objects;
}

static void
test_window_pages_and_summary (void)
{
  g_autoptr(GPtrArray) services = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(OctopusArray) array = NULL;
  GPtrArray *listings[2];
  OctopusWindow *window;
  g_autoptr(GListModel) columns = NULL;

  window = g_object_ref_sink (octopus_window_new (NULL, NULL));
  g_assert_cmpstr (octopus_window_get_page (window), ==, "no-accounts");
  g_assert_false (g_action_group_get_action_enabled (G_ACTION_GROUP (window), "refresh"));
  g_assert_false (g_action_group_get_action_enabled (G_ACTION_GROUP (window), "delete-selected"));

  g_ptr_array_add (services, offline_service ("alpha"));
  g_ptr_array_add (services, offline_service ("beta"));
  array = octopus_array_new (services);
  _octopus_window_set_array (window, array);

  /* name, size, modified + one column per service */
  columns = g_object_ref (gtk_column_view_get_columns (window->column_view));
  g_assert_cmpuint (g_list_model_get_n_items (columns), ==, 5);
  g_assert_true (g_action_group_get_action_enabled (G_ACTION_GROUP (window), "refresh"));

  /* Accounts are NULL here, so the window keeps inviting to add a service. */
  g_assert_cmpstr (octopus_window_get_page (window), ==, "no-accounts");

  listings[0] = listing ("a.txt", "Photos/b.jpg", NULL);
  listings[1] = listing ("a.txt", NULL);
  octopus_object_table_update (octopus_array_get_table (array), listings, NULL);
  g_ptr_array_unref (listings[0]);
  g_ptr_array_unref (listings[1]);
  _octopus_window_update_summary (window);
  g_assert_cmpstr (adw_window_title_get_subtitle (window->window_title), ==,
                   "2 objects · 2 services · 1 needs repair");

  /* Selection drives the row actions; win.select-key selects by key. */
  g_action_group_activate_action (G_ACTION_GROUP (window), "select-key",
                                  g_variant_new_string ("Photos/b.jpg"));
  {
    g_autoptr(GPtrArray) selected = _octopus_window_get_selected (window);
    g_assert_cmpuint (selected->len, ==, 1);
    g_assert_cmpstr (octopus_object_get_key (g_ptr_array_index (selected, 0)), ==, "Photos/b.jpg");
  }
  g_assert_true (g_action_group_get_action_enabled (G_ACTION_GROUP (window), "repair-selected"));
  g_assert_true (g_action_group_get_action_enabled (G_ACTION_GROUP (window), "edit-acl"));
  /* Permissions work on every selected object, not only on one. */
  gtk_selection_model_select_all (GTK_SELECTION_MODEL (window->selection));
  g_assert_true (g_action_group_get_action_enabled (G_ACTION_GROUP (window), "edit-acl"));

  /* "Only problems" hides the row that is in sync everywhere. */
  g_action_group_activate_action (G_ACTION_GROUP (window), "only-problems", NULL);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (window->selection)), ==, 1);
  g_action_group_activate_action (G_ACTION_GROUP (window), "only-problems", NULL);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (window->selection)), ==, 2);

  gtk_window_destroy (GTK_WINDOW (window));
  g_clear_object (&columns);
  g_assert_finalize_object (window);
}

static void
flag_cb (gboolean *flag)
{
  *flag = TRUE;
}

static void
store_listing (OctopusIndex   *index,
               OctopusService *service,
               GPtrArray      *objects)
{
  g_autofree char *id = g_strconcat (octopus_service_get_name (service), "|",
                                     octopus_s3_client_get_endpoint (
                                       octopus_service_get_client (service)), "|",
                                     octopus_service_get_bucket (service), NULL);
  g_autoptr(GAsyncResult) res = NULL;

  octopus_index_store_async (index, id, objects, NULL, NULL, octopus_test_result_cb, NULL);
  res = octopus_test_wait_result ();
  g_assert_true (octopus_index_write_finish (index, res, NULL));
}

/* The window opens on the index's last known state, says so in the subtitle, and says the
 * usual summary once a refresh completed (here: both services unreachable, rows kept). */
static void
test_window_last_known_state (void)
{
  g_autofree char *dir = g_dir_make_tmp ("octopus-ui-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "index.sqlite", NULL);
  g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", dir);
  g_autoptr(GPtrArray) services = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) a = listing ("a.txt", "Photos/b.jpg", NULL);
  g_autoptr(GPtrArray) b = listing ("a.txt", NULL);
  g_autoptr(OctopusArray) array = NULL;
  g_autoptr(GAsyncResult) res = NULL;
  g_autoptr(GDateTime) when = NULL;
  g_autofree char *hhmm = NULL, *want = NULL;
  gboolean shown = FALSE;
  OctopusWindow *window;

  g_ptr_array_add (services, offline_service ("alpha"));
  g_ptr_array_add (services, offline_service ("beta"));
  {
    g_autoptr(OctopusIndex) index = octopus_index_new (path);
    store_listing (index, g_ptr_array_index (services, 0), a);
    store_listing (index, g_ptr_array_index (services, 1), b);
  }

  array = octopus_array_new (services);
  octopus_array_set_index_path (array, path);
  g_signal_connect_swapped (array, "notify::showing-last-known", G_CALLBACK (flag_cb), &shown);
  window = g_object_ref_sink (octopus_window_new (NULL, NULL));
  _octopus_window_set_array (window, array);
  octopus_test_wait_until (&shown);

  g_assert_true (octopus_array_get_showing_last_known (array));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (octopus_array_get_table (array))),
                    ==, 2);
  when = g_date_time_new_from_unix_local (octopus_array_get_last_known_time (array));
  hhmm = g_date_time_format (when, "%H:%M");
  want = g_strdup_printf ("Last known state from %s — refreshing…", hhmm);
  _octopus_window_update_summary (window);
  g_assert_cmpstr (adw_window_title_get_subtitle (window->window_title), ==, want);

  octopus_array_refresh_async (array, OCTOPUS_ARRAY_REFRESH_NONE, NULL, octopus_test_result_cb,
                               NULL);
  res = octopus_test_wait_result ();
  g_assert_true (octopus_array_refresh_finish (array, res, NULL));
  g_assert_false (octopus_array_get_showing_last_known (array));
  _octopus_window_update_summary (window);
  g_assert_cmpstr (adw_window_title_get_subtitle (window->window_title), ==,
                   "2 objects · 2 services");

  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_finalize_object (window);
  g_signal_handlers_disconnect_by_data (array, &shown);
  g_assert_cmpint (system (cmd), ==, 0);
}

static void
test_window_with_empty_store (void)
{
  g_autofree char *dir = g_dir_make_tmp ("octopus-ui-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "accounts.ini", NULL);
  g_autoptr(OctopusAccountStore) store = octopus_account_store_new (path);
  g_autoptr(GError) error = NULL;
  OctopusWindow *window;

  g_assert_true (octopus_account_store_load (store, &error));
  g_assert_no_error (error);
  window = g_object_ref_sink (octopus_window_new (NULL, store));
  g_assert_cmpstr (octopus_window_get_page (window), ==, "no-accounts");
  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_finalize_object (window);
  g_rmdir (dir);
}

static gboolean shows_label (GtkWidget *widget, const char *text);

/* An accounts file with an entry that cannot be read is not "no accounts" in silence: the
 * window tells the user which entry was left out, and why. */
static void
test_window_with_broken_accounts (void)
{
  g_autofree char *dir = g_dir_make_tmp ("octopus-ui-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "accounts.ini", NULL);
  g_autoptr(OctopusAccountStore) store = octopus_account_store_new (path);
  g_autofree char *expected = NULL;
  const GError *load_error;
  OctopusWindow *window;

  g_assert_true (g_file_set_contents (path, "[Account broken]\nprovider=custom\n", -1, NULL));
  g_assert_true (octopus_account_store_load (store, NULL));
  load_error = octopus_account_store_get_load_error (store);
  g_assert_nonnull (load_error);
  g_assert_nonnull (strstr (load_error->message, "“broken”"));
  expected = g_strdup_printf ("Some accounts could not be read: %s", load_error->message);

  window = g_object_ref_sink (octopus_window_new (NULL, store));
  g_assert_cmpstr (octopus_window_get_page (window), ==, "no-accounts");
  g_assert_true (shows_label (GTK_WIDGET (window->toast_overlay), expected));
  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_finalize_object (window);
  g_unlink (path);
  g_rmdir (dir);
}

/* The window's own icon (the empty state's) ships in the GResource, where GtkApplication
 * points the icon theme: an uninstalled build shows it, not a missing-image placeholder. */
static void
test_window_own_icon (void)
{
  GtkIconTheme *theme = gtk_icon_theme_get_for_display (gdk_display_get_default ());
  const char *icon = "/io/github/octopus_rais/Octopus/icons/scalable/apps/"
                     "io.github.octopus_rais.Octopus-symbolic.svg";

  g_assert_true (g_resources_get_info (icon, G_RESOURCE_LOOKUP_FLAGS_NONE, NULL, NULL, NULL));
  gtk_icon_theme_add_resource_path (theme, "/io/github/octopus_rais/Octopus/icons");
  g_assert_true (gtk_icon_theme_has_icon (theme, "io.github.octopus_rais.Octopus-symbolic"));
}

static void
test_preferences_window (void)
{
  OctopusPreferencesWindow *prefs = g_object_ref_sink (octopus_preferences_window_new (NULL));

  gtk_window_destroy (GTK_WINDOW (prefs));
  g_assert_finalize_object (prefs);
}

static gpointer
form_child (OctopusPreferencesWindow *prefs,
            const char               *id)
{
  return gtk_widget_get_template_child (GTK_WIDGET (prefs), OCTOPUS_TYPE_PREFERENCES_WINDOW, id);
}

static guint
provider_index (const char *id)
{
  guint n = 0;
  const OctopusProvider *all = octopus_provider_get_all (&n);

  for (guint i = 0; i < n; i++)
    if (g_str_equal (all[i].id, id))
      return i;
  g_assert_not_reached ();
}

/* Adding a service: the form opens, and the provider preset fills what it knows and shows it
 * (Swift needs path-style addressing; AWS has a fixed endpoint and region); what the user
 * typed is never overwritten by a later choice of provider. */
static void
test_preferences_add_service_presets (void)
{
  g_autofree char *dir = g_dir_make_tmp ("octopus-ui-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "accounts.ini", NULL);
  g_autoptr(OctopusAccountStore) store = octopus_account_store_new (path);
  OctopusPreferencesWindow *prefs = g_object_ref_sink (octopus_preferences_window_new (store));
  AdwComboRow *provider = form_child (prefs, "provider_row");
  GtkEditable *endpoint = form_child (prefs, "endpoint_row");
  GtkEditable *region = form_child (prefs, "region_row");
  GtkSwitch *path_style = form_child (prefs, "path_style_switch");

  octopus_preferences_window_show_add_service (prefs);
  adw_combo_row_set_selected (provider, provider_index ("aws"));
  g_assert_cmpstr (gtk_editable_get_text (endpoint), ==, "https://s3.us-east-1.amazonaws.com");
  g_assert_cmpstr (gtk_editable_get_text (region), ==, "us-east-1");
  g_assert_false (gtk_switch_get_active (path_style));

  adw_combo_row_set_selected (provider, provider_index ("swift"));
  g_assert_true (gtk_switch_get_active (path_style));
  g_assert_cmpstr (gtk_editable_get_text (endpoint), ==, "");   /* Swift: the user's own */

  gtk_editable_set_text (endpoint, "http://127.0.0.1:8080");
  adw_combo_row_set_selected (provider, provider_index ("minio"));
  g_assert_cmpstr (gtk_editable_get_text (endpoint), ==, "http://127.0.0.1:8080");
  g_assert_true (gtk_switch_get_active (path_style));

  gtk_window_destroy (GTK_WINDOW (prefs));
  g_assert_finalize_object (prefs);
  g_rmdir (dir);
}

/* Runs the main loop until the form stops connecting (its spinner hides), 60 s at most. */
static void
wait_form_idle (OctopusPreferencesWindow *prefs)
{
  GtkWidget *spinner = form_child (prefs, "save_spinner");
  gint64 deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;

  while (gtk_widget_get_visible (spinner))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, TRUE);
    }
}

/* The secret the keyring (the session's throwaway one) holds for account @name, or NULL. */
static char *
keyring_secret (const char *name)
{
  g_autoptr(GAsyncResult) result = NULL;

  octopus_secret_lookup_async (name, NULL, octopus_test_result_cb, NULL);
  result = octopus_test_wait_result ();
  return octopus_secret_lookup_finish (result, NULL);
}

static gboolean
keyring_holds (const char *name)
{
  char *secret = keyring_secret (name);
  gboolean held = secret != NULL;

  octopus_secret_free (secret);
  return held;
}

static gboolean
bucket_exists (const OctopusTestServer *server,
               const char              *bucket)
{
  g_autoptr(OctopusS3Client) client = octopus_test_server_new_client (server);
  g_autoptr(GAsyncResult) result = NULL;

  octopus_s3_client_head_bucket_async (client, bucket, NULL, octopus_test_result_cb, NULL);
  result = octopus_test_wait_result ();
  return octopus_s3_client_head_bucket_finish (client, result, NULL, NULL);
}

/* Save in the form does what `octopus-cli account add` does, against the real Swift (which
 * checks signatures): a wrong secret is said on the form and nothing is saved (no account,
 * no file); the right one connects, creates the bucket that did not exist, and only then
 * stores the account. */
static void
test_preferences_add_service_connects (void)
{
  const OctopusTestServer *swift = octopus_test_server_lookup ("swift");
  g_autofree char *dir = NULL, *path = NULL, *bucket = NULL, *name = NULL;
  g_autoptr(OctopusAccountStore) store = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  OctopusPreferencesWindow *prefs;
  GtkLabel *form_error;

  if (!octopus_test_server_ready (swift))
    return;
  dir = g_dir_make_tmp ("octopus-ui-XXXXXX", NULL);
  path = g_build_filename (dir, "accounts.ini", NULL);
  store = octopus_account_store_new (path);
  bucket = octopus_test_unique_bucket ("ui-add");
  name = g_strdup_printf ("ui-swift-%d", (int) getpid ());
  prefs = g_object_ref_sink (octopus_preferences_window_new (store));
  form_error = form_child (prefs, "form_error_label");

  octopus_preferences_window_show_add_service (prefs);
  gtk_editable_set_text (form_child (prefs, "name_row"), name);
  adw_combo_row_set_selected (form_child (prefs, "provider_row"), provider_index ("swift"));
  gtk_editable_set_text (form_child (prefs, "endpoint_row"), swift->endpoint);
  gtk_editable_set_text (form_child (prefs, "bucket_row"), bucket);
  gtk_editable_set_text (form_child (prefs, "access_key_row"), swift->access_key);
  gtk_switch_set_active (form_child (prefs, "allow_http_switch"), TRUE);

  gtk_editable_set_text (form_child (prefs, "secret_row"), "not-the-secret");
  g_signal_emit_by_name (form_child (prefs, "save_button"), "clicked");
  wait_form_idle (prefs);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (form_error)));
  g_assert_true (g_str_has_prefix (gtk_label_get_text (form_error), "Could not add the service"));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store)), ==, 0);
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  g_assert_false (keyring_holds (name));

  gtk_editable_set_text (form_child (prefs, "secret_row"), swift->secret_key);
  g_signal_emit_by_name (form_child (prefs, "save_button"), "clicked");
  wait_form_idle (prefs);
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (form_error)));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store)), ==, 1);
  g_assert_true (g_file_test (path, G_FILE_TEST_EXISTS));
  g_assert_true (bucket_exists (swift, bucket));
  g_assert_true (keyring_holds (name));

  gtk_window_destroy (GTK_WINDOW (prefs));
  g_assert_finalize_object (prefs);
  octopus_account_store_remove_async (store, name, NULL, octopus_test_result_cb, NULL);
  result = octopus_test_wait_result ();
  g_assert_true (octopus_account_store_remove_finish (store, result, &error));
  {
    g_autoptr(OctopusS3Client) client = octopus_test_server_new_client (swift);
    g_assert_true (octopus_test_destroy_bucket (client, bucket, TRUE, &error));
  }
  g_unlink (path);
  g_rmdir (dir);
}

/* Opens the edit form of account @name, as a click on its row in the list does. */
static void
edit_account (OctopusPreferencesWindow *prefs,
              const char               *name)
{
  GtkListBox *list = form_child (prefs, "accounts_list");
  GtkListBoxRow *row;

  for (int i = 0; (row = gtk_list_box_get_row_at_index (list, i)) != NULL; i++)
    if (g_strcmp0 (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)), name) == 0)
      {
        g_signal_emit_by_name (row, "activated");
        g_assert_cmpstr (gtk_editable_get_text (form_child (prefs, "name_row")), ==, name);
        return;
      }
  g_assert_not_reached ();
}

static void
count_cb (GListModel *model,
          guint       position,
          guint       removed,
          guint       added,
          guint      *count)
{
  (*count)++;
}

/* The whole accounts file, "" when there is none. */
static char *
file_text (const char *path)
{
  char *text = NULL;

  if (!g_file_get_contents (path, &text, NULL, NULL))
    return g_strdup ("");
  return text;
}

/* An account on the test Swift, added as the window and the CLI add one (bucket created). */
static void
add_swift_account (OctopusAccountStore     *store,
                   const OctopusTestServer *swift,
                   const char              *name,
                   const char              *bucket)
{
  g_autoptr(OctopusAccount) account = octopus_account_new (name, "swift", swift->endpoint);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  octopus_account_set_bucket (account, bucket);
  octopus_account_set_access_key (account, swift->access_key);
  octopus_account_set_allow_http (account, TRUE);
  octopus_account_add_async (store, account, swift->secret_key, NULL, octopus_test_result_cb,
                             NULL);
  result = octopus_test_wait_result ();
  g_assert_true (octopus_account_add_finish (account, result, &error));
  g_assert_no_error (error);
}

/* Editing an account on the real Swift connects again when what it connects with changes: a
 * wrong secret is said on the form and changes nothing (file, keyring, the store's account);
 * a bucket that does not exist yet is created and then saved, and the store says it changed
 * (the window reloads its services from that). */
static void
test_preferences_edit_service_reconnects (void)
{
  const OctopusTestServer *swift = octopus_test_server_lookup ("swift");
  g_autofree char *dir = NULL, *path = NULL, *bucket = NULL, *new_bucket = NULL;
  g_autofree char *name = NULL, *before = NULL, *after = NULL;
  g_autoptr(OctopusAccountStore) store = NULL, reloaded = NULL;
  g_autoptr(OctopusAccount) old = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  OctopusPreferencesWindow *prefs;
  GtkLabel *form_error;
  char *secret;
  guint changes = 0;

  if (!octopus_test_server_ready (swift))
    return;
  dir = g_dir_make_tmp ("octopus-ui-XXXXXX", NULL);
  path = g_build_filename (dir, "accounts.ini", NULL);
  store = octopus_account_store_new (path);
  bucket = octopus_test_unique_bucket ("ui-edit");
  new_bucket = octopus_test_unique_bucket ("ui-edit-new");
  name = g_strdup_printf ("ui-edit-%d", (int) getpid ());
  add_swift_account (store, swift, name, bucket);
  old = g_list_model_get_item (G_LIST_MODEL (store), 0);
  before = file_text (path);
  g_signal_connect (store, "items-changed", G_CALLBACK (count_cb), &changes);
  prefs = g_object_ref_sink (octopus_preferences_window_new (store));
  form_error = form_child (prefs, "form_error_label");

  edit_account (prefs, name);
  gtk_editable_set_text (form_child (prefs, "secret_row"), "not-the-secret");
  g_signal_emit_by_name (form_child (prefs, "save_button"), "clicked");
  wait_form_idle (prefs);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (form_error)));
  g_assert_true (g_str_has_prefix (gtk_label_get_text (form_error),
                                   "Could not save the service"));
  after = file_text (path);
  g_assert_cmpstr (after, ==, before);
  secret = keyring_secret (name);
  g_assert_cmpstr (secret, ==, swift->secret_key);
  octopus_secret_free (secret);
  g_assert_cmpuint (changes, ==, 0);
  g_assert_true (octopus_account_store_lookup (store, name) == old);

  /* The secret row is empty again (the stored secret is kept); another bucket. */
  g_assert_cmpstr (gtk_editable_get_text (form_child (prefs, "secret_row")), ==, "");
  g_assert_false (bucket_exists (swift, new_bucket));
  gtk_editable_set_text (form_child (prefs, "bucket_row"), new_bucket);
  g_signal_emit_by_name (form_child (prefs, "save_button"), "clicked");
  wait_form_idle (prefs);
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (form_error)));
  g_assert_true (bucket_exists (swift, new_bucket));
  g_assert_cmpuint (changes, ==, 1);
  g_assert_cmpstr (octopus_account_get_bucket (octopus_account_store_lookup (store, name)), ==,
                   new_bucket);
  g_assert_cmpstr (octopus_account_get_bucket (old), ==, bucket);
  reloaded = octopus_account_store_new (path);
  g_assert_true (octopus_account_store_load (reloaded, NULL));
  g_assert_cmpstr (octopus_account_get_bucket (octopus_account_store_lookup (reloaded, name)), ==,
                   new_bucket);
  secret = keyring_secret (name);
  g_assert_cmpstr (secret, ==, swift->secret_key);
  octopus_secret_free (secret);

  gtk_window_destroy (GTK_WINDOW (prefs));
  g_assert_finalize_object (prefs);
  octopus_account_store_remove_async (store, name, NULL, octopus_test_result_cb, NULL);
  result = octopus_test_wait_result ();
  g_assert_true (octopus_account_store_remove_finish (store, result, &error));
  {
    g_autoptr(OctopusS3Client) client = octopus_test_server_new_client (swift);
    g_assert_true (octopus_test_destroy_bucket (client, bucket, TRUE, &error));
    g_assert_true (octopus_test_destroy_bucket (client, new_bucket, TRUE, &error));
  }
  g_unlink (path);
  g_rmdir (dir);
}

static void
store_secret (const char *name,
              const char *secret)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  octopus_secret_store_async (name, secret, NULL, octopus_test_result_cb, NULL);
  result = octopus_test_wait_result ();
  g_assert_true (octopus_secret_store_finish (result, &error));
}

/* Renaming alone does not connect: it works with nothing listening at the endpoint (port 9
 * refuses), keeps what the last connection found (object-acls), and moves the secret to the
 * new name.  A name that another account has is refused on the form. */
static void
test_preferences_rename_offline (void)
{
  g_autofree char *dir = g_dir_make_tmp ("octopus-ui-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "accounts.ini", NULL);
  g_autofree char *old_name = g_strdup_printf ("ui-old-%d", (int) getpid ());
  g_autofree char *new_name = g_strdup_printf ("ui-new-%d", (int) getpid ());
  g_autofree char *ini = NULL, *before = NULL, *after = NULL;
  g_autoptr(OctopusAccountStore) store = octopus_account_store_new (path);
  g_autoptr(OctopusAccountStore) reloaded = octopus_account_store_new (path);
  g_autoptr(GAsyncResult) checked = NULL;
  OctopusPreferencesWindow *prefs;
  GtkLabel *form_error;
  OctopusAccount *renamed;
  char *secret;

  octopus_secret_check_async (FALSE, NULL, octopus_test_result_cb, NULL);
  checked = octopus_test_wait_result ();
  if (!octopus_secret_check_finish (checked, NULL))
    {
      g_test_skip ("no keyring");
      g_rmdir (dir);
      return;
    }
  ini = g_strdup_printf ("[Account %s]\nprovider=custom\nendpoint=http://127.0.0.1:9\n"
                         "bucket=kept-bucket\naccess-key=x\nallow-http=true\n"
                         "object-acls=false\n\n"
                         "[Account other]\nprovider=custom\nendpoint=http://127.0.0.1:9\n"
                         "bucket=other-bucket\naccess-key=y\nallow-http=true\n", old_name);
  g_assert_true (g_file_set_contents (path, ini, -1, NULL));
  g_assert_true (octopus_account_store_load (store, NULL));
  store_secret (old_name, "offline-secret");
  prefs = g_object_ref_sink (octopus_preferences_window_new (store));
  form_error = form_child (prefs, "form_error_label");

  edit_account (prefs, old_name);
  gtk_editable_set_text (form_child (prefs, "name_row"), "other");
  before = file_text (path);
  g_signal_emit_by_name (form_child (prefs, "save_button"), "clicked");
  wait_form_idle (prefs);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (form_error)));
  g_assert_nonnull (strstr (gtk_label_get_text (form_error), "already an account"));
  after = file_text (path);
  g_assert_cmpstr (after, ==, before);

  gtk_editable_set_text (form_child (prefs, "name_row"), new_name);
  g_signal_emit_by_name (form_child (prefs, "save_button"), "clicked");
  wait_form_idle (prefs);
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (form_error)));
  g_assert_null (octopus_account_store_lookup (store, old_name));
  g_assert_nonnull (octopus_account_store_lookup (store, new_name));
  g_assert_true (octopus_account_store_load (reloaded, NULL));
  g_assert_null (octopus_account_store_lookup (reloaded, old_name));
  renamed = octopus_account_store_lookup (reloaded, new_name);
  g_assert_nonnull (renamed);
  g_assert_cmpstr (octopus_account_get_bucket (renamed), ==, "kept-bucket");
  g_assert_cmpint (octopus_account_get_acl_support (renamed), ==, OCTOPUS_ACL_SUPPORT_NO);
  g_assert_false (keyring_holds (old_name));
  secret = keyring_secret (new_name);
  g_assert_cmpstr (secret, ==, "offline-secret");
  octopus_secret_free (secret);

  gtk_window_destroy (GTK_WINDOW (prefs));
  g_assert_finalize_object (prefs);
  {
    g_autoptr(GAsyncResult) result = NULL;

    octopus_account_store_remove_async (store, new_name, NULL, octopus_test_result_cb, NULL);
    result = octopus_test_wait_result ();
    g_assert_true (octopus_account_store_remove_finish (store, result, NULL));
  }
  g_unlink (path);
  g_rmdir (dir);
}

/* The button under @widget whose tooltip is @tooltip, or NULL. */
static GtkWidget *
find_button_with_tooltip (GtkWidget  *widget,
                          const char *tooltip)
{
  if (GTK_IS_BUTTON (widget) && g_strcmp0 (gtk_widget_get_tooltip_text (widget), tooltip) == 0)
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_button_with_tooltip (child, tooltip);
      if (found != NULL)
        return found;
    }
  return NULL;
}

/* The confirmation dialog that is open now (a toplevel AdwMessageDialog), or NULL. */
static AdwMessageDialog *
open_message_dialog (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWindow) window = g_list_model_get_item (toplevels, i);

      if (ADW_IS_MESSAGE_DIALOG (window) && gtk_widget_get_visible (GTK_WIDGET (window)))
        return ADW_MESSAGE_DIALOG (window);
    }
  return NULL;
}

/* Removing a service asks first, says that its objects stay, and Cancel keeps it. */
static void
test_preferences_remove_confirms (void)
{
  g_autofree char *dir = g_dir_make_tmp ("octopus-ui-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "accounts.ini", NULL);
  g_autoptr(OctopusAccountStore) store = octopus_account_store_new (path);
  OctopusPreferencesWindow *prefs;
  AdwMessageDialog *dialog;
  GtkWidget *remove;

  g_assert_true (g_file_set_contents (path, "[Account keepme]\nprovider=custom\n"
                                      "endpoint=http://127.0.0.1:9\nbucket=kept-bucket\n"
                                      "access-key=x\nallow-http=true\n", -1, NULL));
  g_assert_true (octopus_account_store_load (store, NULL));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store)), ==, 1);
  prefs = g_object_ref_sink (octopus_preferences_window_new (store));
  remove = find_button_with_tooltip (GTK_WIDGET (prefs), "Remove keepme");
  g_assert_nonnull (remove);

  g_signal_emit_by_name (remove, "clicked");
  dialog = open_message_dialog ();
  g_assert_nonnull (dialog);
  g_assert_cmpstr (adw_message_dialog_get_heading (dialog), ==, "Remove “keepme”?");
  g_assert_nonnull (strstr (adw_message_dialog_get_body (dialog), "stay where they are"));
  adw_message_dialog_response (dialog, "cancel");
  gtk_window_destroy (GTK_WINDOW (dialog));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store)), ==, 1);

  gtk_window_destroy (GTK_WINDOW (prefs));
  g_assert_finalize_object (prefs);
  g_unlink (path);
  g_rmdir (dir);
}

/* ---- the array settings: Redundancy and Encryption ---- */

static const char three_accounts_ini[] =
  "[Account one]\nprovider=custom\nendpoint=http://127.0.0.1:9\nbucket=b1\naccess-key=x\n"
  "allow-http=true\n\n"
  "[Account two]\nprovider=custom\nendpoint=http://127.0.0.1:9\nbucket=b2\naccess-key=x\n"
  "allow-http=true\n\n"
  "[Account three]\nprovider=custom\nendpoint=http://127.0.0.1:9\nbucket=b3\naccess-key=x\n"
  "allow-http=true\n";

static OctopusArraySettings *
settings_on_disk (const char *path)
{
  OctopusArraySettings *settings = octopus_array_settings_new (path);

  g_assert_true (octopus_array_settings_load (settings, NULL));
  return settings;
}

/* Runs the main loop until @widget is sensitive (a keyring answer arrived), 30 s at most. */
static void
wait_sensitive (gpointer widget,
                gboolean sensitive)
{
  gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;

  while (gtk_widget_get_sensitive (widget) != sensitive)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, TRUE);
    }
}

/* The Redundancy row offers mirroring and exactly the K+M that fit three services, with what
 * each survives and stores; choosing one writes it to accounts.ini, the accounts intact. */
static void
test_preferences_redundancy (void)
{
  g_autofree char *dir = g_dir_make_tmp ("octopus-ui-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "accounts.ini", NULL);
  g_autoptr(OctopusAccountStore) store = octopus_account_store_new (path);
  g_autoptr(OctopusAccountStore) reloaded = octopus_account_store_new (path);
  g_autoptr(OctopusArraySettings) erasure = NULL, mirror = NULL;
  OctopusPreferencesWindow *prefs;
  AdwComboRow *row;
  GListModel *model;

  g_assert_true (g_file_set_contents (path, three_accounts_ini, -1, NULL));
  g_assert_true (octopus_account_store_load (store, NULL));
  prefs = g_object_ref_sink (octopus_preferences_window_new (store));
  row = form_child (prefs, "redundancy_row");
  model = adw_combo_row_get_model (row);

  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 3);
  g_assert_cmpstr (gtk_string_list_get_string (GTK_STRING_LIST (model), 0), ==,
                   "Mirror on every service");
  g_assert_cmpstr (gtk_string_list_get_string (GTK_STRING_LIST (model), 1), ==,
                   "Erasure coding 2+1: survives the loss of 1 of 3 services, stores 1.5×");
  g_assert_cmpstr (gtk_string_list_get_string (GTK_STRING_LIST (model), 2), ==,
                   "Erasure coding 1+2: survives the loss of 2 of 3 services, stores 3×");
  g_assert_cmpuint (adw_combo_row_get_selected (row), ==, 0);

  adw_combo_row_set_selected (row, 1);
  erasure = settings_on_disk (path);
  g_assert_cmpint (octopus_array_settings_get_redundancy (erasure), ==,
                   OCTOPUS_REDUNDANCY_ERASURE);
  g_assert_cmpuint (octopus_array_settings_get_k (erasure), ==, 2);
  g_assert_cmpuint (octopus_array_settings_get_m (erasure), ==, 1);
  g_assert_true (octopus_account_store_load (reloaded, NULL));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (reloaded)), ==, 3);

  adw_combo_row_set_selected (row, 0);
  mirror = settings_on_disk (path);
  g_assert_cmpint (octopus_array_settings_get_redundancy (mirror), ==, OCTOPUS_REDUNDANCY_MIRROR);

  wait_sensitive (form_child (prefs, "encryption_row"), TRUE);
  gtk_window_destroy (GTK_WINDOW (prefs));
  g_assert_finalize_object (prefs);
  g_unlink (path);
  g_rmdir (dir);
}

static gpointer
find_toplevel (GType type)
{
  gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;

  for (;;)
    {
      GListModel *toplevels = gtk_window_get_toplevels ();   /* not ours */

      for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
        {
          g_autoptr(GObject) window = g_list_model_get_item (toplevels, i);

          if (G_TYPE_CHECK_INSTANCE_TYPE (window, type))
            return window;   /* the toplevel list keeps it */
        }
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, TRUE);
    }
}

static gpointer
dialog_child (gpointer    dialog,
              const char *id)
{
  return gtk_widget_get_template_child (GTK_WIDGET (dialog), OCTOPUS_TYPE_PASSPHRASE_DIALOG, id);
}

static char *
crypt_secret (OctopusCryptSecret which)
{
  g_autoptr(GAsyncResult) result = NULL;

  octopus_secret_crypt_lookup_async (which, NULL, octopus_test_result_cb, NULL);
  result = octopus_test_wait_result ();
  return octopus_secret_crypt_lookup_finish (result, NULL);
}

static void
clear_crypt_secrets (void)
{
  for (int which = OCTOPUS_CRYPT_SECRET_PASSPHRASE; which <= OCTOPUS_CRYPT_SECRET_SALT; which++)
    {
      g_autoptr(GAsyncResult) result = NULL;

      octopus_secret_crypt_clear_async (which, NULL, octopus_test_result_cb, NULL);
      result = octopus_test_wait_result ();
      g_assert_true (octopus_secret_crypt_clear_finish (result, NULL));
    }
}

/* Types the passphrases into the open dialog and clicks Encrypt. */
static void
fill_passphrase_dialog (gpointer    dialog,
                        const char *passphrase,
                        const char *repeat,
                        const char *salt)
{
  gtk_editable_set_text (dialog_child (dialog, "passphrase_row"), passphrase);
  gtk_editable_set_text (dialog_child (dialog, "repeat_row"), repeat);
  gtk_editable_set_text (dialog_child (dialog, "salt_row"), salt);
  g_signal_emit_by_name (dialog_child (dialog, "enable_button"), "clicked");
}

/* Turning encryption on asks for the passphrase twice: two that differ are refused on the
 * dialog (nothing stored); matching ones go to the keyring, never into accounts.ini, and the
 * switch turns on.  Show Passphrase… reads it back once; off keeps it in the keyring. */
static void
test_preferences_encryption (void)
{
  const char *passphrase = "correct horse battery staple";
  g_autofree char *dir = g_dir_make_tmp ("octopus-ui-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "accounts.ini", NULL);
  g_autoptr(OctopusAccountStore) store = octopus_account_store_new (path);
  g_autoptr(OctopusArraySettings) on = NULL, off = NULL;
  g_autoptr(GAsyncResult) checked = NULL;
  g_autofree char *ini = NULL;
  OctopusPreferencesWindow *prefs;
  GtkSwitch *encrypt;
  GtkLabel *error_label;
  GtkWidget *shown;
  gpointer dialog;
  char *stored;

  octopus_secret_check_async (FALSE, NULL, octopus_test_result_cb, NULL);
  checked = octopus_test_wait_result ();
  if (!octopus_secret_check_finish (checked, NULL))
    {
      g_test_skip ("no keyring");
      g_rmdir (dir);
      return;
    }
  clear_crypt_secrets ();
  g_assert_true (g_file_set_contents (path, three_accounts_ini, -1, NULL));
  g_assert_true (octopus_account_store_load (store, NULL));
  prefs = g_object_ref_sink (octopus_preferences_window_new (store));
  encrypt = form_child (prefs, "encryption_switch");
  wait_sensitive (form_child (prefs, "encryption_row"), TRUE);
  g_assert_false (gtk_switch_get_active (encrypt));

  gtk_switch_set_active (encrypt, TRUE);
  dialog = find_toplevel (OCTOPUS_TYPE_PASSPHRASE_DIALOG);
  g_assert_false (gtk_switch_get_active (encrypt));   /* on only once stored */
  error_label = dialog_child (dialog, "error_label");
  fill_passphrase_dialog (dialog, passphrase, "correct horse battery stapler", "");
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (error_label)));
  g_assert_cmpstr (gtk_label_get_text (error_label), ==, "The passphrases do not match.");
  g_assert_null (crypt_secret (OCTOPUS_CRYPT_SECRET_PASSPHRASE));
  g_assert_false (gtk_switch_get_active (encrypt));

  fill_passphrase_dialog (dialog, passphrase, passphrase, "");
  while (!gtk_switch_get_active (encrypt))
    g_main_context_iteration (NULL, TRUE);
  stored = crypt_secret (OCTOPUS_CRYPT_SECRET_PASSPHRASE);
  g_assert_cmpstr (stored, ==, passphrase);
  octopus_secret_free (stored);
  g_assert_null (crypt_secret (OCTOPUS_CRYPT_SECRET_SALT));
  on = settings_on_disk (path);
  g_assert_cmpint (octopus_array_settings_get_encryption (on), ==,
                   OCTOPUS_ENCRYPTION_RCLONE_CRYPT);
  g_assert_true (g_file_get_contents (path, &ini, NULL, NULL));
  g_assert_null (strstr (ini, passphrase));

  /* Show Passphrase… once the keyring said it holds one. */
  wait_sensitive (form_child (prefs, "show_passphrase_button"), TRUE);
  g_signal_emit_by_name (form_child (prefs, "show_passphrase_button"), "clicked");
  dialog = find_toplevel (ADW_TYPE_MESSAGE_DIALOG);
  shown = adw_message_dialog_get_extra_child (dialog);
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (shown)), ==, passphrase);
  adw_message_dialog_response (dialog, "close");
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (shown)), ==, "");
  gtk_window_destroy (dialog);

  gtk_switch_set_active (encrypt, FALSE);
  off = settings_on_disk (path);
  g_assert_cmpint (octopus_array_settings_get_encryption (off), ==, OCTOPUS_ENCRYPTION_OFF);
  wait_sensitive (form_child (prefs, "show_passphrase_button"), TRUE);   /* still held */

  gtk_window_destroy (GTK_WINDOW (prefs));
  g_assert_finalize_object (prefs);
  clear_crypt_secrets ();
  g_unlink (path);
  g_rmdir (dir);
}

static void
test_acl_dialog (void)
{
  const char *keys[] = { "notes.txt", NULL };
  OctopusAclDialog *dialog = g_object_ref_sink (octopus_acl_dialog_new (NULL, keys));

  gtk_window_destroy (GTK_WINDOW (dialog));
  g_assert_finalize_object (dialog);
}

static OctopusArrayResult *
result_new (const char          *key,
            const char          *service,
            OctopusResultStatus  status,
            const char          *message)
{
  OctopusArrayResult *r = g_new0 (OctopusArrayResult, 1);

  r->key = g_strdup (key);
  r->service = g_strdup (service);
  r->status = status;
  r->message = g_strdup (message);
  return r;
}

/* The result of a permissions change names every service: changed, skipped for having no
 * ACLs, failed with the reason (and for how many of the objects). */
static void
test_acl_summary (void)
{
  g_autoptr(GPtrArray) results =
    g_ptr_array_new_with_free_func ((GDestroyNotify) octopus_array_result_free);
  g_autofree char *one = NULL, *two = NULL, *skipped = NULL;

  g_ptr_array_add (results, result_new ("a.txt", "swift", OCTOPUS_RESULT_OK, NULL));
  g_ptr_array_add (results, result_new ("a.txt", "s3rver", OCTOPUS_RESULT_UNSUPPORTED, "no"));
  g_ptr_array_add (results, result_new ("a.txt", "px", OCTOPUS_RESULT_OK, NULL));
  one = octopus_acl_summary_new (results, 1);
  g_assert_cmpstr (one, ==, "Changed on swift, px; skipped (no ACLs): s3rver");

  g_ptr_array_add (results, result_new ("b.txt", "swift", OCTOPUS_RESULT_OK, NULL));
  g_ptr_array_add (results, result_new ("b.txt", "s3rver", OCTOPUS_RESULT_UNSUPPORTED, "no"));
  g_ptr_array_add (results, result_new ("b.txt", "px", OCTOPUS_RESULT_FAILED,
                                        "px: Access Denied"));
  two = octopus_acl_summary_new (results, 2);
  g_assert_cmpstr (two, ==, "Changed on swift; skipped (no ACLs): s3rver; "
                            "failed on px for 1 of 2 objects (“b.txt”): Access Denied");

  g_ptr_array_remove_range (results, 0, results->len);
  g_ptr_array_add (results, result_new ("a.txt", "s3rver", OCTOPUS_RESULT_UNSUPPORTED, "no"));
  skipped = octopus_acl_summary_new (results, 1);
  g_assert_cmpstr (skipped, ==, "Skipped (no ACLs): s3rver");
}

/* ---- the Permissions dialog on the real Swift (ACLs, checks signatures) and s3rver (none) */

static const char * const acl_servers[] = { "swift", "s3rver" };
enum { ACL_SWIFT, ACL_S3RVER, ACL_N };

typedef struct {
  OctopusTestServices  svc;
  OctopusArray        *array;
} AclFixture;

/* An array of Swift and s3rver, a fresh bucket each, holding a.txt and b.txt everywhere. */
static gboolean
acl_fixture_setup (AclFixture *fx)
{
  g_autoptr(GPtrArray) services = g_ptr_array_new_with_free_func (g_object_unref);

  if (!octopus_test_services_setup (&fx->svc, acl_servers, ACL_N, "ui-acl"))
    return FALSE;
  for (guint i = 0; i < ACL_N; i++)
    {
      g_ptr_array_add (services, octopus_service_new (acl_servers[i], fx->svc.clients[i],
                                                      fx->svc.buckets[i]));
      for (guint k = 0; k < 2; k++)
        {
          g_autoptr(GError) error = NULL;
          g_autofree char *etag = octopus_test_put_string (fx->svc.clients[i],
                                                           fx->svc.buckets[i],
                                                           k == 0 ? "a.txt" : "b.txt",
                                                           "shared\n", &error);
          g_assert_no_error (error);
        }
    }
  fx->array = octopus_array_new (services);
  return TRUE;
}

static void
acl_fixture_teardown (AclFixture *fx)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (octopus_test_services_teardown (&fx->svc, &error));
  g_assert_no_error (error);
  g_assert_finalize_object (fx->array);
}

static gpointer
acl_child (OctopusAclDialog *dialog,
           const char       *name)
{
  return gtk_widget_get_template_child (GTK_WIDGET (dialog), OCTOPUS_TYPE_ACL_DIALOG, name);
}

/* Until the dialog has read or changed what it was asked to (its buttons work again). */
static void
wait_acl_idle (OctopusAclDialog *dialog)
{
  GtkWidget *add = acl_child (dialog, "add_grant_button");
  gint64 deadline = g_get_monotonic_time () + OCTOPUS_TEST_TIMEOUT_SECONDS * G_USEC_PER_SEC;

  while (!gtk_widget_get_sensitive (add))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, TRUE);
    }
}

static OctopusAclDialog *
open_acl_dialog (AclFixture         *fx,
                 const char * const *keys)
{
  OctopusAclDialog *dialog = g_object_ref_sink (octopus_acl_dialog_new (fx->array, keys));

  gtk_window_present (GTK_WINDOW (dialog));
  wait_acl_idle (dialog);
  return dialog;
}

static void
close_acl_dialog (OctopusAclDialog *dialog)
{
  gtk_window_destroy (GTK_WINDOW (dialog));
  g_assert_finalize_object (dialog);
}

/* Fills the form and presses Add Grant: @choice 2 is a user id, 3 an e-mail address. */
static void
add_grant (OctopusAclDialog  *dialog,
           guint              choice,
           const char        *who,
           OctopusPermission  permission)
{
  adw_combo_row_set_selected (acl_child (dialog, "grantee_row"), choice);
  gtk_editable_set_text (acl_child (dialog, "grantee_id_row"), who);
  adw_combo_row_set_selected (acl_child (dialog, "permission_row"), permission);
  g_signal_emit_by_name (acl_child (dialog, "add_grant_button"), "clicked");
  wait_acl_idle (dialog);
}

static const char *
acl_result (OctopusAclDialog *dialog)
{
  GtkWidget *label = acl_child (dialog, "result_label");

  g_assert_true (gtk_widget_get_visible (label));
  return gtk_label_get_text (GTK_LABEL (label));
}

/* The first AdwActionRow under @widget titled @title, or NULL. */
static AdwActionRow *
find_action_row (GtkWidget  *widget,
                 const char *title)
{
  if (ADW_IS_ACTION_ROW (widget) &&
      g_strcmp0 (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (widget)), title) == 0)
    return ADW_ACTION_ROW (widget);
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c != NULL;
       c = gtk_widget_get_next_sibling (c))
    {
      AdwActionRow *found = find_action_row (c, title);
      if (found != NULL)
        return found;
    }
  return NULL;
}

/* The row for @who in @service's column of the dialog, or NULL. */
static AdwActionRow *
column_row (OctopusAclDialog *dialog,
            const char       *service,
            const char       *who)
{
  GtkWidget *box = acl_child (dialog, "services_box");

  for (GtkWidget *c = gtk_widget_get_first_child (box); c != NULL;
       c = gtk_widget_get_next_sibling (c))
    if (g_strcmp0 (adw_preferences_group_get_title (ADW_PREFERENCES_GROUP (c)), service) == 0)
      return find_action_row (c, who);
  g_assert_not_reached ();
}

/* What Swift itself says @id may do with @key, read with the test's own client:
 * "" for nothing, else the permissions, comma-separated. */
static char *
swift_permissions (AclFixture *fx,
                   const char *key,
                   const char *id)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(OctopusS3Acl) acl = NULL;
  g_autoptr(GString) out = g_string_new (NULL);

  octopus_s3_client_get_object_acl_async (fx->svc.clients[ACL_SWIFT], fx->svc.buckets[ACL_SWIFT],
                                          key, NULL, octopus_test_result_cb, NULL);
  result = octopus_test_wait_result ();
  acl = octopus_s3_client_get_object_acl_finish (fx->svc.clients[ACL_SWIFT], result, &error);
  g_assert_no_error (error);
  g_assert_nonnull (acl->owner_id);
  for (guint i = 0; i < acl->grants->len; i++)
    {
      const OctopusS3Grant *g = g_ptr_array_index (acl->grants, i);

      if (g->type != OCTOPUS_S3_GRANTEE_CANONICAL_USER || g_strcmp0 (g->id, id) != 0)
        continue;
      if (out->len > 0)
        g_string_append_c (out, ',');
      g_string_append (out, octopus_s3_permission_to_string (g->permission));
    }
  return g_string_free (g_steal_pointer (&out), FALSE);
}

#define CHANGED_SKIPPED "Changed on swift; skipped (no ACLs): s3rver"

/* A grant for a user id is added (Swift holds it, the column lists it), changed (replaced,
 * not a second grant), refused for an e-mail address (Swift does not implement that: a
 * failure on Swift, not "no ACLs") and removed; s3rver is named as skipped each time. */
static void
test_acl_dialog_grants (void)
{
  AclFixture fx = { 0, };
  const char *one[] = { "a.txt", NULL };
  OctopusAclDialog *dialog;
  AdwActionRow *row;
  g_autofree char *read_perm = NULL, *write = NULL, *gone = NULL, *after_email = NULL;

  if (!acl_fixture_setup (&fx))
    return;
  dialog = open_acl_dialog (&fx, one);
  g_assert_cmpstr (adw_window_title_get_subtitle (acl_child (dialog, "window_title")), ==,
                   "a.txt");
  g_assert_null (column_row (dialog, "swift", "someone"));

  add_grant (dialog, 2, "someone", OCTOPUS_PERMISSION_READ);
  g_assert_cmpstr (acl_result (dialog), ==, CHANGED_SKIPPED);
  read_perm = swift_permissions (&fx, "a.txt", "someone");
  g_assert_cmpstr (read_perm, ==, "READ");
  row = column_row (dialog, "swift", "someone");
  g_assert_nonnull (row);
  g_assert_cmpstr (adw_action_row_get_subtitle (row), ==, "Read");

  /* Activating the row puts the grant into the form, to change it. */
  adw_combo_row_set_selected (acl_child (dialog, "grantee_row"), 0);
  g_signal_emit_by_name (row, "activated");
  g_assert_cmpuint (adw_combo_row_get_selected (acl_child (dialog, "grantee_row")), ==, 2);
  g_assert_cmpstr (gtk_editable_get_text (acl_child (dialog, "grantee_id_row")), ==, "someone");

  add_grant (dialog, 2, "someone", OCTOPUS_PERMISSION_WRITE);
  g_assert_cmpstr (acl_result (dialog), ==, CHANGED_SKIPPED);
  write = swift_permissions (&fx, "a.txt", "someone");
  g_assert_cmpstr (write, ==, "WRITE");
  g_assert_cmpstr (adw_action_row_get_subtitle (column_row (dialog, "swift", "someone")), ==,
                   "Write");

  add_grant (dialog, 3, "someone@example.com", OCTOPUS_PERMISSION_READ);
  g_test_message ("e-mail grant: %s", acl_result (dialog));
  g_assert_true (g_str_has_prefix (acl_result (dialog),
                                   "Skipped (no ACLs): s3rver; failed on swift: "
                                   "the service does not support this operation"));
  after_email = swift_permissions (&fx, "a.txt", "someone");
  g_assert_cmpstr (after_email, ==, "WRITE");

  g_signal_emit_by_name (find_button_with_tooltip (GTK_WIDGET (dialog),
                                                   "Remove grant for someone"), "clicked");
  wait_acl_idle (dialog);
  g_assert_cmpstr (acl_result (dialog), ==, CHANGED_SKIPPED);
  gone = swift_permissions (&fx, "a.txt", "someone");
  g_assert_cmpstr (gone, ==, "");
  g_assert_null (column_row (dialog, "swift", "someone"));

  close_acl_dialog (dialog);
  acl_fixture_teardown (&fx);
}

/* With two objects selected the dialog says so, and a grant reaches both. */
static void
test_acl_dialog_two_keys (void)
{
  AclFixture fx = { 0, };
  const char *two[] = { "a.txt", "b.txt", NULL };
  OctopusAclDialog *dialog;
  g_autofree char *a = NULL, *b = NULL;

  if (!acl_fixture_setup (&fx))
    return;
  dialog = open_acl_dialog (&fx, two);
  g_assert_cmpstr (adw_window_title_get_subtitle (acl_child (dialog, "window_title")), ==,
                   "2 objects");
  g_assert_true (g_str_has_prefix (gtk_label_get_text (acl_child (dialog, "agreement_label")),
                                   "All 2 objects grant the same permissions"));

  add_grant (dialog, 2, "other", OCTOPUS_PERMISSION_READ);
  g_assert_cmpstr (acl_result (dialog), ==, CHANGED_SKIPPED);
  a = swift_permissions (&fx, "a.txt", "other");
  b = swift_permissions (&fx, "b.txt", "other");
  g_assert_cmpstr (a, ==, "READ");
  g_assert_cmpstr (b, ==, "READ");

  close_acl_dialog (dialog);
  acl_fixture_teardown (&fx);
}

/* The widget named @name (gtk_widget_set_name) under @widget, or NULL. */
static GtkWidget *
find_named (GtkWidget  *widget,
            const char *name)
{
  if (g_strcmp0 (gtk_widget_get_name (widget), name) == 0)
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_named (child, name);
      if (found != NULL)
        return found;
    }
  return NULL;
}

/* The text on @window's clipboard (read as another program would, through GdkClipboard). */
static char *
clipboard_text (GtkWidget *window)
{
  GdkClipboard *clipboard = gtk_widget_get_clipboard (window);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  char *text;

  gdk_clipboard_read_text_async (clipboard, NULL, octopus_test_result_cb, NULL);
  result = octopus_test_wait_result ();
  text = gdk_clipboard_read_text_finish (clipboard, result, &error);
  g_assert_no_error (error);
  return text;
}

/* Fetches @url with no credentials at all → the body; @status receives the HTTP status. */
static GBytes *
fetch_anonymously (const char *url,
                   guint      *status)
{
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autoptr(SoupMessage) msg = soup_message_new ("GET", url);
  g_autoptr(GError) error = NULL;
  GBytes *body;

  g_assert_nonnull (msg);
  body = soup_session_send_and_read (session, msg, NULL, &error);
  g_assert_no_error (error);
  *status = soup_message_get_status (msg);
  return body;
}

/* "Copy Share Link…" on a row whose copies are in sync on s3rver and on Swift: the dialog
 * warns that anyone with the link can download the file and that it cannot be revoked, and
 * offers both services; with Swift and 1 day chosen, Copy puts on the clipboard a link that
 * Swift (which checks the signature) serves to a client with no credentials, and a toast
 * says so. */
static void
test_window_share_link (void)
{
  static const char * const server_names[] = { "s3rver", "swift" };
  const char *key = "shared/notes ü.txt";
  const char *content = "the bytes a share link hands out\n";
  OctopusTestServices s;
  g_autoptr(GPtrArray) services = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GBytes) body = g_bytes_new_static (content, strlen (content));
  g_autoptr(OctopusArray) array = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL, *expected_prefix = NULL, *toast = NULL;
  g_autoptr(GBytes) fetched = NULL;
  GtkDropDown *expiry, *service;
  AdwMessageDialog *dialog;
  OctopusWindow *window;
  guint status = 0;

  if (!octopus_test_services_setup (&s, server_names, 2, "ui-share"))
    return;
  for (guint i = 0; i < s.n; i++)
    {
      g_free (octopus_test_put_object (s.clients[i], s.buckets[i], key, body, NULL, TRUE,
                                       &error));
      g_assert_no_error (error);
      g_ptr_array_add (services, octopus_service_new (server_names[i], s.clients[i],
                                                      s.buckets[i]));
    }
  array = octopus_array_new (services);
  octopus_array_set_cache_path (array, NULL);
  octopus_array_refresh_async (array, OCTOPUS_ARRAY_REFRESH_NONE, NULL, octopus_test_result_cb,
                               NULL);
  result = octopus_test_wait_result ();
  g_assert_true (octopus_array_refresh_finish (array, result, &error));
  g_assert_no_error (error);

  window = g_object_ref_sink (octopus_window_new (NULL, NULL));
  _octopus_window_set_array (window, array);
  g_action_group_activate_action (G_ACTION_GROUP (window), "select-key",
                                  g_variant_new_string (key));
  g_assert_true (g_action_group_get_action_enabled (G_ACTION_GROUP (window), "share-selected"));
  g_action_group_activate_action (G_ACTION_GROUP (window), "share-selected", NULL);

  dialog = open_message_dialog ();
  g_assert_nonnull (dialog);
  g_assert_cmpstr (adw_message_dialog_get_heading (dialog), ==, "Share “shared/notes ü.txt”");
  g_assert_nonnull (strstr (adw_message_dialog_get_body (dialog),
                            "Anyone with the link can download the file"));
  g_assert_nonnull (strstr (adw_message_dialog_get_body (dialog),
                            "cannot be revoked except by deleting or overwriting the object"));
  expiry = GTK_DROP_DOWN (find_named (GTK_WIDGET (dialog), "share-expiry"));
  service = GTK_DROP_DOWN (find_named (GTK_WIDGET (dialog), "share-service"));
  g_assert_nonnull (expiry);
  g_assert_nonnull (service);
  g_assert_cmpuint (g_list_model_get_n_items (gtk_drop_down_get_model (expiry)), ==, 3);
  g_assert_cmpstr (gtk_string_list_get_string (GTK_STRING_LIST (gtk_drop_down_get_model (expiry)),
                                               2), ==, "7 days");
  g_assert_cmpuint (g_list_model_get_n_items (gtk_drop_down_get_model (service)), ==, 2);
  /* Not the defaults (1 hour; s3rver, the first in sync): the choice must be what counts. */
  gtk_drop_down_set_selected (expiry, 1);
  gtk_drop_down_set_selected (service, 1);
  g_assert_cmpstr (gtk_string_list_get_string (
                     GTK_STRING_LIST (gtk_drop_down_get_model (service)), 1), ==, "swift");
  adw_message_dialog_response (dialog, "copy");
  gtk_window_destroy (GTK_WINDOW (dialog));

  url = clipboard_text (GTK_WIDGET (window));
  expected_prefix = g_strdup_printf ("%s/%s/shared/notes%%20%%C3%%BC.txt?",
                                     s.servers[1]->endpoint, s.buckets[1]);
  g_assert_nonnull (url);
  if (!g_str_has_prefix (url, expected_prefix))
    g_error ("the clipboard holds “%s”, not a link to Swift's copy", url);
  g_assert_nonnull (strstr (url, "X-Amz-Expires=86400&"));
  fetched = fetch_anonymously (url, &status);
  g_assert_cmpuint (status, ==, 200);
  g_assert_cmpmem (g_bytes_get_data (fetched, NULL), g_bytes_get_size (fetched),
                   content, strlen (content));
  toast = g_strdup_printf ("Share link for “%s” copied to the clipboard", key);
  g_assert_true (shows_label (GTK_WIDGET (window->toast_overlay), toast));

  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_finalize_object (window);
  g_clear_object (&array);
  g_ptr_array_set_size (services, 0);
  g_assert_true (octopus_test_services_teardown (&s, &error));
  g_assert_no_error (error);
}

/* A row with no copy in sync opens no dialog: a toast says why nothing can be shared. */
static void
test_window_share_refused (void)
{
  g_autoptr(GPtrArray) services = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(OctopusArray) array = NULL;
  GPtrArray *listings[2];
  OctopusWindow *window;

  g_ptr_array_add (services, offline_service ("alpha"));
  g_ptr_array_add (services, offline_service ("beta"));
  array = octopus_array_new (services);
  listings[0] = listing ("big.iso", NULL);
  listings[1] = listing ("big.iso", NULL);
  for (guint i = 0; i < 2; i++)
    {
      /* A multipart ETag and no md5chksum: no comparable MD5, so not in sync anywhere. */
      OctopusS3Object *o = g_ptr_array_index (listings[i], 0);
      g_free (o->etag);
      o->etag = g_strdup ("0123456789abcdef0123456789abcdef-3");
    }
  octopus_object_table_update (octopus_array_get_table (array), listings, NULL);
  g_ptr_array_unref (listings[0]);
  g_ptr_array_unref (listings[1]);

  window = g_object_ref_sink (octopus_window_new (NULL, NULL));
  _octopus_window_set_array (window, array);
  g_action_group_activate_action (G_ACTION_GROUP (window), "select-key",
                                  g_variant_new_string ("big.iso"));
  g_action_group_activate_action (G_ACTION_GROUP (window), "share-selected", NULL);
  g_assert_null (open_message_dialog ());
  g_assert_true (shows_label (GTK_WIDGET (window->toast_overlay),
                              "Could not make a share link: No copy of big.iso is in sync, so "
                              "none can be shared; refresh or repair it first"));

  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_finalize_object (window);
}

/* ---- the inspector ---- */

static void
wait_inspector_idle (OctopusInspector *inspector)
{
  gint64 deadline = g_get_monotonic_time () + OCTOPUS_TEST_TIMEOUT_SECONDS * G_USEC_PER_SEC;

  while (octopus_inspector_get_busy (inspector))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, TRUE);
    }
}

static InspectorColumn *
inspector_column (OctopusInspector *inspector,
                  guint             index)
{
  g_assert_cmpuint (index, <, inspector->columns->len);
  return g_ptr_array_index (inspector->columns, index);
}

static const char *
inspector_fact (OctopusInspector *inspector,
                guint             index,
                InspectorFact     fact)
{
  return gtk_label_get_text (inspector_column (inspector, index)->values[fact]);
}

/* Three copies, one overwritten behind Octopus's back: the inspector says which differs and
 * why (both MD5s), offers Repair on that copy only, repairs it there alone; Copy Share Link…
 * puts a link on the clipboard that serves the bytes without credentials; Delete This Copy…
 * asks, naming the service, and deletes that copy only.  Three Swift buckets: the share link
 * is checked by Swift, which verifies its signature. */
static void
test_inspector (void)
{
  static const char * const server_names[] = { "swift", "swift", "swift" };
  static const char * const names[] = { "swift-a", "swift-b", "swift-c" };
  const char *key = "inspected.txt";
  const char *content = "the bytes every copy should hold\n";
  OctopusTestServices s;
  g_autoptr(GPtrArray) services = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GBytes) good = g_bytes_new_static (content, strlen (content));
  g_autoptr(GBytes) bad = g_bytes_new_static ("broken behind Octopus's back\n", 29);
  g_autofree char *good_md5 = g_compute_checksum_for_bytes (G_CHECKSUM_MD5, good);
  g_autofree char *bad_md5 = g_compute_checksum_for_bytes (G_CHECKSUM_MD5, bad);
  g_autofree char *reason = NULL, *url = NULL;
  g_autoptr(OctopusArray) array = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) fetched = NULL;
  g_autoptr(OctopusS3Object) head = NULL;
  OctopusInspector *inspector;
  AdwMessageDialog *dialog;
  guint status = 0;

#ifdef __SANITIZE_ADDRESS__
  /* Under ASan some of the inspector's HEAD/GET requests here got no answer until the 60 s
   * socket timeout (then the retry succeeded), which outlasts this test's wait; not seen in the
   * plain build, not understood yet.  The GUI walk e2e-inspector covers the same path in both
   * builds. */
  g_test_skip ("requests stall under ASan in this test (see the comment)");
  return;
#endif
  if (!octopus_test_services_setup (&s, server_names, 3, "ui-inspect"))
    return;
  for (guint i = 0; i < s.n; i++)
    {
      g_free (octopus_test_put_object (s.clients[i], s.buckets[i], key, i == 0 ? bad : good,
                                       NULL, TRUE, &error));
      g_assert_no_error (error);
      g_ptr_array_add (services, octopus_service_new (names[i], s.clients[i], s.buckets[i]));
    }
  array = octopus_array_new (services);
  octopus_array_set_cache_path (array, NULL);
  octopus_array_set_index_path (array, NULL);
  octopus_array_refresh_async (array, OCTOPUS_ARRAY_REFRESH_NONE, NULL, octopus_test_result_cb,
                               NULL);
  result = octopus_test_wait_result ();
  g_assert_true (octopus_array_refresh_finish (array, result, &error));
  g_assert_no_error (error);

  inspector = g_object_ref_sink (octopus_inspector_new (array, key));
  gtk_window_present (GTK_WINDOW (inspector));
  g_assert_true (octopus_inspector_get_busy (inspector));
  wait_inspector_idle (inspector);
  g_assert_cmpstr (gtk_stack_get_visible_child_name (inspector->stack), ==, "facts");

  reason = g_strdup_printf ("differs: MD5 %s where 2 services hold %s", bad_md5, good_md5);
  g_assert_cmpstr (inspector_fact (inspector, 0, FACT_STATE), ==, reason);
  g_assert_true (gtk_widget_has_css_class (
                   GTK_WIDGET (inspector_column (inspector, 0)->values[FACT_STATE]), "error"));
  g_assert_cmpstr (inspector_fact (inspector, 1, FACT_STATE), ==, "in sync");
  g_assert_cmpstr (inspector_fact (inspector, 1, FACT_SIZE), ==, "33 bytes");
  g_clear_pointer (&reason, g_free);
  reason = g_strdup_printf ("%s (from the stored md5chksum)", good_md5);
  g_assert_cmpstr (inspector_fact (inspector, 1, FACT_MD5), ==, reason);
  g_assert_true (gtk_widget_get_visible (inspector_column (inspector, 0)->repair));
  g_assert_false (gtk_widget_get_visible (inspector_column (inspector, 1)->repair));
  g_assert_false (gtk_widget_get_visible (inspector_column (inspector, 2)->repair));
  g_assert_true (gtk_widget_get_visible (inspector_column (inspector, 2)->remove));

  /* Repair This Copy: swift-a's copy holds the right bytes again.  (Its toast is not asserted:
   * it lasts 5 s, which a slow run spends reading the facts again.) */
  g_signal_emit_by_name (inspector_column (inspector, 0)->repair, "clicked");
  wait_inspector_idle (inspector);
  g_assert_cmpstr (inspector_fact (inspector, 0, FACT_STATE), ==, "in sync");
  g_assert_false (gtk_widget_get_visible (inspector_column (inspector, 0)->repair));
  fetched = octopus_test_get_bytes (s.clients[0], s.buckets[0], key, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (fetched, good));
  g_clear_pointer (&fetched, g_bytes_unref);

  /* Copy Share Link…: the window's dialog, over the inspector; the link works anonymously. */
  g_signal_emit_by_name (inspector->share_button, "clicked");
  dialog = open_message_dialog ();
  g_assert_nonnull (dialog);
  g_assert_true (gtk_window_get_transient_for (GTK_WINDOW (dialog)) == GTK_WINDOW (inspector));
  adw_message_dialog_response (dialog, "copy");
  gtk_window_destroy (GTK_WINDOW (dialog));
  url = clipboard_text (GTK_WIDGET (inspector));
  g_assert_nonnull (url);
  fetched = fetch_anonymously (url, &status);
  g_assert_cmpuint (status, ==, 200);
  g_assert_true (g_bytes_equal (fetched, good));

  /* Delete This Copy…: asked first, naming the service; then only swift-c's copy is gone. */
  g_signal_emit_by_name (inspector_column (inspector, 2)->remove, "clicked");
  dialog = open_message_dialog ();
  g_assert_nonnull (dialog);
  g_assert_cmpstr (adw_message_dialog_get_heading (dialog), ==, "Delete the Copy on swift-c?");
  adw_message_dialog_response (dialog, "delete");
  gtk_window_destroy (GTK_WINDOW (dialog));
  wait_inspector_idle (inspector);
  g_assert_cmpstr (inspector_fact (inspector, 2, FACT_STATE), ==, "missing");
  g_assert_true (gtk_widget_get_visible (inspector_column (inspector, 2)->repair));
  g_assert_false (gtk_widget_get_visible (inspector_column (inspector, 2)->remove));
  g_assert_null (octopus_test_head (s.clients[2], s.buckets[2], key, &error));
  g_assert_error (error, OCTOPUS_S3_ERROR, OCTOPUS_S3_ERROR_NO_SUCH_KEY);
  g_clear_error (&error);
  head = octopus_test_head (s.clients[1], s.buckets[1], key, &error);
  g_assert_no_error (error);
  g_assert_nonnull (head);

  gtk_window_destroy (GTK_WINDOW (inspector));
  g_assert_finalize_object (inspector);
  g_clear_object (&array);
  g_ptr_array_set_size (services, 0);
  g_assert_true (octopus_test_services_teardown (&s, &error));
  g_assert_no_error (error);
}

/* A key no service holds: the error page says so in words, and nothing can be shared. */
static void
test_inspector_error (void)
{
  g_autoptr(GPtrArray) services = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(OctopusArray) array = NULL;
  OctopusInspector *inspector;

  g_ptr_array_add (services, offline_service ("alpha"));
  g_ptr_array_add (services, offline_service ("beta"));
  array = octopus_array_new (services);
  inspector = g_object_ref_sink (octopus_inspector_new (array, "nowhere.txt"));
  wait_inspector_idle (inspector);
  g_assert_cmpstr (gtk_stack_get_visible_child_name (inspector->stack), ==, "error");
  g_assert_cmpstr (adw_status_page_get_description (inspector->error_page), ==,
                   "“nowhere.txt” is on no service");
  g_assert_false (gtk_widget_get_sensitive (GTK_WIDGET (inspector->share_button)));
  g_assert_cmpuint (inspector->columns->len, ==, 2);
  gtk_window_destroy (GTK_WINDOW (inspector));
  g_assert_finalize_object (inspector);
}

/* ---- the usage view ---- */

static void
usage_delete (OctopusTestServices *s,
              guint                service,
              const char          *key)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  octopus_s3_client_delete_object_async (s->clients[service], s->buckets[service], key, NULL,
                                         octopus_test_result_cb, NULL);
  result = octopus_test_wait_result ();
  g_assert_true (octopus_s3_client_delete_object_finish (s->clients[service], result, &error));
  g_assert_no_error (error);
}

static void
usage_refresh (OctopusArray *array)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  octopus_array_refresh_async (array, OCTOPUS_ARRAY_REFRESH_NONE, NULL, octopus_test_result_cb,
                               NULL);
  result = octopus_test_wait_result ();
  g_assert_true (octopus_array_refresh_finish (array, result, &error));
  g_assert_no_error (error);
}

static const char *
usage_row_text (OctopusUsageView *view,
                guint             service)
{
  g_assert_cmpuint (service, <, view->total_rows->len);
  return adw_action_row_get_subtitle (g_ptr_array_index (view->total_rows, service));
}

static const char *
usage_bar_text (OctopusUsageView *view,
                guint             service)
{
  g_assert_cmpuint (service, <, view->total_bars->len);
  return gtk_widget_get_tooltip_text (g_ptr_array_index (view->total_bars, service));
}

static double
usage_bar_value (OctopusUsageView *view,
                 guint             service)
{
  return gtk_level_bar_get_value (g_ptr_array_index (view->total_bars, service));
}

/* The usage view the window opened (borrowed), or NULL. */
static OctopusUsageView *
open_usage_view (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) item = g_list_model_get_item (toplevels, i);

      if (OCTOPUS_IS_USAGE_VIEW (item))
        return OCTOPUS_USAGE_VIEW (item);
    }
  return NULL;
}

/* The figures shown equal octopus_usage_compute's, service by service. */
static void
usage_assert_matches_engine (OctopusUsageView *view,
                             OctopusArray     *array)
{
  g_autoptr(OctopusUsage) usage = octopus_usage_compute (octopus_array_get_table (array));

  g_assert_cmpuint (view->total_rows->len, ==, usage->n_services);
  for (guint i = 0; i < usage->n_services; i++)
    {
      const OctopusUsageCounts *c = &usage->total->services[i];
      g_autofree char *objects = g_strdup_printf ("%" G_GUINT64_FORMAT " object", c->objects);
      g_autofree char *bytes = g_strdup_printf ("%" G_GUINT64_FORMAT " bytes", c->bytes);

      g_assert_true (g_str_has_prefix (usage_row_text (view, i), objects));
      g_assert_nonnull (strstr (usage_row_text (view, i), bytes));
      g_assert_true (g_str_has_prefix (usage_bar_text (view, i), usage->service_names[i]));
    }
}

/* Three Swift buckets; behind Octopus's back one copy is deleted, one overwritten, and one
 * key is on one service only.  After a refresh the usage view shows, per service, what the
 * engine counts (octopus_usage_compute) and what the test broke; per folder the same; after
 * one more copy is deleted, Refresh shows the new figures. */
static void
test_usage_view (void)
{
  static const char * const server_names[] = { "swift", "swift", "swift" };
  static const char * const names[] = { "swift-a", "swift-b", "swift-c" };
  static const char * const everywhere[] = { "a.txt", "docs/b.txt", "docs/c.txt" };
  OctopusTestServices s;
  g_autoptr(GPtrArray) services = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GBytes) good = g_bytes_new_static ("0123456789", 10);
  g_autoptr(GBytes) bad = g_bytes_new_static ("987654321", 9);
  g_autoptr(OctopusArray) array = NULL;
  g_autoptr(GError) error = NULL;
  OctopusUsageView *view;
  OctopusWindow *window;
  AdwPreferencesGroup *group;

  if (!octopus_test_services_setup (&s, server_names, 3, "ui-usage"))
    return;
  for (guint i = 0; i < s.n; i++)
    {
      for (guint k = 0; k < G_N_ELEMENTS (everywhere); k++)
        {
          g_free (octopus_test_put_object (s.clients[i], s.buckets[i], everywhere[k], good,
                                           NULL, TRUE, &error));
          g_assert_no_error (error);
        }
      g_ptr_array_add (services, octopus_service_new (names[i], s.clients[i], s.buckets[i]));
    }
  /* Broken: docs/b.txt deleted on swift-c, docs/c.txt overwritten on swift-a; docs/d.txt
   * only ever on swift-b (at risk there). */
  usage_delete (&s, 2, "docs/b.txt");
  g_free (octopus_test_put_object (s.clients[0], s.buckets[0], "docs/c.txt", bad, NULL, TRUE,
                                   &error));
  g_assert_no_error (error);
  g_free (octopus_test_put_object (s.clients[1], s.buckets[1], "docs/d.txt", good, NULL, TRUE,
                                   &error));
  g_assert_no_error (error);
  array = octopus_array_new (services);
  octopus_array_set_cache_path (array, NULL);
  octopus_array_set_index_path (array, NULL);
  usage_refresh (array);

  view = g_object_ref_sink (octopus_usage_view_new (array));
  gtk_window_present (GTK_WINDOW (view));
  g_assert_false (octopus_usage_view_get_busy (view));
  usage_assert_matches_engine (view, array);
  g_assert_cmpstr (gtk_label_get_text (view->summary_label), ==,
                   "4 objects; 1 at risk (a good copy on one service only)");
  g_assert_cmpstr (usage_row_text (view, 0), ==, "3 objects, 29 bytes; 1 missing, 1 differing");
  g_assert_cmpstr (usage_row_text (view, 1), ==,
                   "4 objects, 40 bytes; nothing missing; 1 at risk (its only good copy)");
  g_assert_cmpstr (usage_row_text (view, 2), ==, "2 objects, 20 bytes; 2 missing");
  g_assert_cmpstr (usage_bar_text (view, 0), ==,
                   "swift-a: 3 objects, 29 bytes; 1 missing, 1 differing");
  g_assert_cmpstr (usage_bar_text (view, 2), ==, "swift-c: 2 objects, 20 bytes; 2 missing");
  g_assert_cmpfloat_with_epsilon (usage_bar_value (view, 1), 1.0, 1e-9);
  g_assert_cmpfloat_with_epsilon (usage_bar_value (view, 2), 0.5, 1e-9);

  /* Per folder: the keys outside folders, then docs/ with every break. */
  g_assert_cmpuint (view->folder_groups->len, ==, 2);
  group = g_ptr_array_index (view->folder_groups, 0);
  g_assert_cmpstr (adw_preferences_group_get_title (group), ==, "Outside Folders");
  g_assert_cmpstr (adw_preferences_group_get_description (group), ==, "1 object; none at risk");
  group = g_ptr_array_index (view->folder_groups, 1);
  g_assert_cmpstr (adw_preferences_group_get_title (group), ==, "docs/");
  g_assert_cmpstr (adw_preferences_group_get_description (group), ==,
                   "3 objects; 1 at risk (a good copy on one service only)");

  /* docs/b.txt deleted on swift-b too: its one good copy left is swift-a's.  Refresh. */
  usage_delete (&s, 1, "docs/b.txt");
  g_signal_emit_by_name (view->refresh_button, "clicked");
  g_assert_true (octopus_usage_view_get_busy (view));
  g_assert_false (gtk_widget_get_sensitive (GTK_WIDGET (view->refresh_button)));
  while (octopus_usage_view_get_busy (view))
    g_main_context_iteration (NULL, TRUE);
  usage_assert_matches_engine (view, array);
  g_assert_cmpstr (gtk_label_get_text (view->summary_label), ==,
                   "4 objects; 2 at risk (a good copy on one service only)");
  g_assert_cmpstr (usage_row_text (view, 0), ==,
                   "3 objects, 29 bytes; 1 missing, 1 differing; 1 at risk (its only good copy)");
  g_assert_cmpstr (usage_row_text (view, 1), ==,
                   "3 objects, 30 bytes; 1 missing; 1 at risk (its only good copy)");

  /* A refresh from elsewhere (the window's) that adds a row: the view follows the table. */
  g_free (octopus_test_put_object (s.clients[0], s.buckets[0], "e.txt", good, NULL, TRUE,
                                   &error));
  g_assert_no_error (error);
  usage_refresh (array);
  while (view->update_idle != 0)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpstr (gtk_label_get_text (view->summary_label), ==,
                   "5 objects; 3 at risk (a good copy on one service only)");
  usage_assert_matches_engine (view, array);
  gtk_window_destroy (GTK_WINDOW (view));
  g_assert_finalize_object (view);

  /* Usage… in the window's main menu opens the same view over the window. */
  window = g_object_ref_sink (octopus_window_new (NULL, NULL));
  _octopus_window_set_array (window, array);
  g_assert_true (g_action_group_get_action_enabled (G_ACTION_GROUP (window), "usage"));
  g_action_group_activate_action (G_ACTION_GROUP (window), "usage", NULL);
  view = open_usage_view ();
  g_assert_nonnull (view);
  g_assert_true (gtk_window_get_transient_for (GTK_WINDOW (view)) == GTK_WINDOW (window));
  g_assert_cmpstr (gtk_label_get_text (view->summary_label), ==,
                   "5 objects; 3 at risk (a good copy on one service only)");
  g_object_ref (view);
  gtk_window_destroy (GTK_WINDOW (view));
  g_assert_finalize_object (view);
  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_finalize_object (window);

  g_clear_object (&array);
  g_ptr_array_set_size (services, 0);
  g_assert_true (octopus_test_services_teardown (&s, &error));
  g_assert_no_error (error);
}

static GtkWidget *
find_button (GtkWidget *widget)
{
  if (GTK_IS_BUTTON (widget))
    return widget;
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c != NULL;
       c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found = find_button (c);
      if (found != NULL)
        return found;
    }
  return NULL;
}

/* Speed is measured over the last seconds, not since the start: after a fast start and a
 * stall the rate drops, and the label turns into minutes and hours for slow uploads. */
static void
test_rate_window (void)
{
  g_autoptr(OctopusRateWindow) w = octopus_rate_window_new ();
  const gint64 s = G_USEC_PER_SEC;
  g_autofree char *text = NULL;

  g_assert_cmpint (octopus_rate_window_get_rate (w, 0), ==, -1);
  octopus_rate_window_add (w, 0, 0);
  octopus_rate_window_add (w, s / 4, 250000);
  g_assert_cmpint (octopus_rate_window_get_rate (w, s / 4), ==, -1);   /* too short to tell */
  octopus_rate_window_add (w, 1 * s, 1000000);
  g_assert_cmpint (octopus_rate_window_get_rate (w, 1 * s), ==, 1000000);
  octopus_rate_window_add (w, 2 * s, 2000000);
  g_assert_cmpint (octopus_rate_window_get_rate (w, 2 * s), ==, 1000000);

  /* Ten seconds of stall: the window has only the last sample's plateau, rate falls to 0. */
  octopus_rate_window_add (w, 12 * s, 2000000);
  g_assert_cmpint (octopus_rate_window_get_rate (w, 12 * s), ==, 0);
  /* It picks up again at 100 kB/s: two seconds of it and three of stall in the window... */
  octopus_rate_window_add (w, 13 * s, 2100000);
  octopus_rate_window_add (w, 14 * s, 2200000);
  g_assert_cmpint (octopus_rate_window_get_rate (w, 14 * s), ==, 40000);
  /* ...then five: the fast start and the stall no longer count. */
  octopus_rate_window_add (w, 15 * s, 2300000);
  octopus_rate_window_add (w, 16 * s, 2400000);
  octopus_rate_window_add (w, 17 * s, 2500000);
  g_assert_cmpint (octopus_rate_window_get_rate (w, 17 * s), ==, 100000);

  /* g_format_size() puts a no-break space between number and unit. */
  text = octopus_format_transfer_rate (1000000, 5000000);
  g_assert_cmpstr (text, ==, "1.0\u00a0MB/s · 5 seconds left");
  g_clear_pointer (&text, g_free);
  text = octopus_format_transfer_rate (1000, 600000);
  g_assert_cmpstr (text, ==, "1.0\u00a0kB/s · 10 minutes left");
  g_clear_pointer (&text, g_free);
  text = octopus_format_transfer_rate (1000, 7200000);
  g_assert_cmpstr (text, ==, "1.0\u00a0kB/s · 2 hours left");
  g_clear_pointer (&text, g_free);
  text = octopus_format_transfer_rate (0, 100);
  g_assert_cmpstr (text, ==, "Stalled");
  g_clear_pointer (&text, g_free);
  text = octopus_format_transfer_rate (-1, 100);
  g_assert_cmpstr (text, ==, "Uploading…");
}

/* One toast per batch of uploads, saying what the user must know first: failures, then
 * partial copies, then how many made it. */
static void
test_upload_batch_message (void)
{
  guint counts[OCTOPUS_TRANSFER_N_STATES] = { 0, };
  g_autofree char *none = _octopus_format_upload_batch (counts, NULL);
  g_autofree char *two = NULL, *partial = NULL, *failed = NULL, *cancelled = NULL;

  g_assert_null (none);
  counts[OCTOPUS_TRANSFER_STATE_DONE] = 2;
  two = _octopus_format_upload_batch (counts, NULL);
  g_assert_cmpstr (two, ==, "Uploaded 2 files to every service");
  counts[OCTOPUS_TRANSFER_STATE_PARTIAL] = 1;
  partial = _octopus_format_upload_batch (counts, NULL);
  g_assert_cmpstr (partial, ==, "1 of 3 files are not on every service; repair can complete them");
  counts[OCTOPUS_TRANSFER_STATE_FAILED] = 1;
  failed = _octopus_format_upload_batch (counts, "a.txt: disk on fire");
  g_assert_cmpstr (failed, ==, "1 of 4 files could not be uploaded: a.txt: disk on fire");
  memset (counts, 0, sizeof counts);
  counts[OCTOPUS_TRANSFER_STATE_CANCELLED] = 3;
  cancelled = _octopus_format_upload_batch (counts, NULL);
  g_assert_cmpstr (cancelled, ==, "Uploads cancelled");
}

/* A label with exactly @text somewhere under @widget (the toast's title, say). */
static gboolean
shows_label (GtkWidget  *widget,
             const char *text)
{
  if (GTK_IS_LABEL (widget) && g_strcmp0 (gtk_label_get_text (GTK_LABEL (widget)), text) == 0)
    return TRUE;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (shows_label (child, text))
      return TRUE;
  return FALSE;
}

/* A stand-in desktop notification daemon on the session bus: records Notify calls. */
typedef struct {
  char     *summary;
  char     *body;
  gboolean *notified;
} NotifyRecord;

static void
notifications_method_cb (GDBusConnection       *connection,
                         const char            *sender,
                         const char            *object_path,
                         const char            *interface_name,
                         const char            *method_name,
                         GVariant              *parameters,
                         GDBusMethodInvocation *invocation,
                         gpointer               user_data)
{
  NotifyRecord *record = user_data;

  if (g_strcmp0 (method_name, "Notify") == 0)
    {
      g_clear_pointer (&record->summary, g_free);
      g_clear_pointer (&record->body, g_free);
      g_variant_get_child (parameters, 3, "s", &record->summary);
      g_variant_get_child (parameters, 4, "s", &record->body);
      g_dbus_method_invocation_return_value (invocation, g_variant_new ("(u)", 1));
      if (record->notified != NULL)
        *record->notified = TRUE;
    }
  else if (g_strcmp0 (method_name, "GetCapabilities") == 0)
    g_dbus_method_invocation_return_value (invocation, g_variant_new ("(as)", NULL));
  else
    g_dbus_method_invocation_return_value (invocation, NULL);
}

static const char notifications_xml[] =
  "<node><interface name='org.freedesktop.Notifications'>"
  "<method name='Notify'><arg type='s' direction='in'/><arg type='u' direction='in'/>"
  "<arg type='s' direction='in'/><arg type='s' direction='in'/><arg type='s' direction='in'/>"
  "<arg type='as' direction='in'/><arg type='a{sv}' direction='in'/>"
  "<arg type='i' direction='in'/><arg type='u' direction='out'/></method>"
  "<method name='GetCapabilities'><arg type='as' direction='out'/></method>"
  "<method name='CloseNotification'><arg type='u' direction='in'/></method>"
  "</interface></node>";

static void
name_acquired_cb (GDBusConnection *connection,
                  const char      *name,
                  gpointer         user_data)
{
  *(gboolean *) user_data = TRUE;
}

static gboolean
set_flag_cb (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

/* Iterates until *@done is TRUE or 20 s have passed; → *@done. */
static gboolean
wait_for (const gboolean *done)
{
  gboolean timed_out = FALSE;
  guint id = g_timeout_add_seconds (20, set_flag_cb, &timed_out);

  while (!*done && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  if (!timed_out)
    g_source_remove (id);
  return *done;
}

/* A window that does not have the focus also notifies the desktop. */
static void
test_notify_decision (void)
{
  g_autoptr(GtkApplication) app = NULL;
  g_autoptr(GDBusConnection) bus = NULL;
  g_autoptr(GDBusNodeInfo) info = NULL;
  g_autofree char *app_id = NULL;
  g_autoptr(GError) error = NULL;
  NotifyRecord record = { NULL, NULL, NULL };
  OctopusWindow *window = g_object_ref_sink (octopus_window_new (NULL, NULL));
  gboolean owned = FALSE;
  gboolean notified = FALSE;
  guint object_id, owner_id;
  GDBusInterfaceVTable vtable = { notifications_method_cb, NULL, NULL };

  g_assert_false (gtk_window_is_active (GTK_WINDOW (window)));
  g_assert_true (_octopus_window_should_notify_desktop (window));
  /* No application: the toast still shows, nothing is sent (and nothing crashes). */
  _octopus_window_notify (window, "test", "Title", "Body");
  g_assert_true (shows_label (GTK_WIDGET (window->toast_overlay), "Body"));
  gtk_window_destroy (GTK_WINDOW (window));
  g_object_unref (window);

  /* With a registered application the unfocused window's notice reaches the desktop too:
   * the desktop's notification daemon (a stand-in here) receives the title and body. */
  bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, NULL);
  if (bus == NULL)
    {
      g_test_skip ("no session bus for the desktop-notification half");
      return;
    }
  info = g_dbus_node_info_new_for_xml (notifications_xml, &error);
  g_assert_no_error (error);
  object_id = g_dbus_connection_register_object (bus, "/org/freedesktop/Notifications",
                                                 info->interfaces[0], &vtable, &record, NULL,
                                                 &error);
  g_assert_no_error (error);
  owner_id = g_bus_own_name_on_connection (bus, "org.freedesktop.Notifications",
                                           G_BUS_NAME_OWNER_FLAGS_REPLACE, name_acquired_cb,
                                           NULL, &owned, NULL);
  g_assert_true (wait_for (&owned));

  app_id = g_strdup_printf ("io.github.octopus_rais.OctopusTest.p%d", (int) getpid ());
  app = gtk_application_new (app_id, G_APPLICATION_NON_UNIQUE);
  g_assert_true (g_application_register (G_APPLICATION (app), NULL, &error));
  g_assert_no_error (error);
  window = g_object_ref_sink (octopus_window_new (app, NULL));
  g_assert_false (gtk_window_is_active (GTK_WINDOW (window)));
  _octopus_window_notify (window, "test", "Upload finished", "3 files uploaded");
  g_assert_true (shows_label (GTK_WIDGET (window->toast_overlay), "3 files uploaded"));
  record.notified = &notified;
  wait_for (&notified);
  g_assert_cmpstr (record.summary, ==, "Upload finished");
  g_assert_cmpstr (record.body, ==, "3 files uploaded");

  gtk_window_destroy (GTK_WINDOW (window));
  g_object_unref (window);
  g_bus_unown_name (owner_id);
  g_dbus_connection_unregister_object (bus, object_id);
  g_free (record.summary);
  g_free (record.body);
}

#define OPEN_UPLOADS_XML \
  "<?xml version=\"1.0\" encoding=\"UTF-8\"?>" \
  "<ListMultipartUploadsResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">" \
  "<Bucket>bucket</Bucket><IsTruncated>false</IsTruncated>" \
  "<Upload><Key>laptop/video.mkv</Key><UploadId>u1</UploadId>" \
  "<Initiated>2024-05-01T10:00:00.000Z</Initiated></Upload>" \
  "<Upload><Key>backup.tar</Key><UploadId>u2</UploadId>" \
  "<Initiated>2024-05-01T11:00:00.000Z</Initiated></Upload>" \
  "</ListMultipartUploadsResult>"

/* Another computer (or program) is uploading to alpha's bucket: the start leaves its two
 * unfinished uploads alone and the window says so (beta cannot be reached: nothing said). */
static void
test_window_left_alone (void)
{
  static const OctopusTestReply replies[] = { { 200, OPEN_UPLOADS_XML } };
  g_autoptr(OctopusTestCannedServer) server = octopus_test_canned_server_new (replies, 1);
  g_autoptr(GPtrArray) services = g_ptr_array_new_with_free_func (g_object_unref);
  g_autofree char *dir = g_dir_make_tmp ("octopus-ui-XXXXXX", NULL);
  g_autofree char *journal = g_build_filename (dir, "journal", NULL);
  OctopusS3ClientOptions options = {
    .name = "alpha", .endpoint = server->endpoint, .access_key = "AK", .secret_key = "SK",
    .path_style = TRUE, .allow_http = TRUE,
  };
  g_autoptr(OctopusS3Client) client = octopus_s3_client_new (&options, NULL);
  g_autoptr(OctopusArray) array = NULL;
  g_autoptr(OctopusUploadQueue) queue = NULL;
  const char *expected =
    "2 unfinished uploads by other computers or programs were left alone on alpha";
  OctopusWindow *window = g_object_ref_sink (octopus_window_new (NULL, NULL));
  gboolean timed_out = FALSE;
  guint timer;

  g_ptr_array_add (services, octopus_service_new ("alpha", client, "bucket"));
  g_ptr_array_add (services, offline_service ("beta"));
  array = octopus_array_new (services);
  _octopus_window_set_array (window, array);
  queue = octopus_upload_queue_new (services, journal);
  _octopus_window_start_queue (window, queue);
  timer = g_timeout_add_seconds (20, set_flag_cb, &timed_out);
  while (!shows_label (GTK_WIDGET (window->toast_overlay), expected) && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  if (!timed_out)
    g_source_remove (timer);
  g_assert_true (shows_label (GTK_WIDGET (window->toast_overlay), expected));
  g_assert_cmpuint (octopus_upload_queue_get_left_alone (queue, "alpha"), ==, 2);
  g_assert_cmpuint (octopus_upload_queue_get_left_alone (queue, "beta"), ==, 0);
  /* Left alone: listed, never aborted (an abort would be a DELETE). */
  g_assert_cmpuint (server->requests, ==, 1);
  g_assert_true (g_str_has_suffix (server->paths->pdata[0], "?uploads"));

  gtk_window_destroy (GTK_WINDOW (window));
  g_object_unref (window);
  octopus_test_rm_rf (dir);
}

/* A service on a port that accepts connections and never answers: its upload stays open. */
static OctopusService *
silent_service (const char      *name,
                GSocketListener *listener)
{
  g_autoptr(GError) error = NULL;
  guint16 port = g_socket_listener_add_any_inet_port (listener, NULL, &error);
  g_autofree char *endpoint = g_strdup_printf ("http://127.0.0.1:%u", port);
  OctopusS3ClientOptions options = {
    .name = name, .endpoint = endpoint, .access_key = "AK", .secret_key = "SK",
    .path_style = TRUE, .allow_http = TRUE, .max_attempts = 1,
  };
  g_autoptr(OctopusS3Client) client = NULL;

  g_assert_no_error (error);
  client = octopus_s3_client_new (&options, &error);
  g_assert_no_error (error);
  return octopus_service_new (name, client, "bucket");
}

/* One service holds the file while the other still sends it: the row says "Done on 1 of 2",
 * the fast service's own status says "Done", and its cell in the table is in sync already. */
static void
test_transfer_row_done_on_some (void)
{
  /* The ETag of "hello": the client checks it against the MD5 it sent. */
  static const OctopusTestReply replies[] = {
    { 200, "", 0, "ETag", "\"5d41402abc4b2a76b9719d911017c592\"" },
  };
  g_autoptr(OctopusTestCannedServer) server = octopus_test_canned_server_new (replies, 1);
  g_autoptr(GSocketListener) listener = g_socket_listener_new ();
  g_autoptr(GPtrArray) services = g_ptr_array_new_with_free_func (g_object_unref);
  g_autofree char *dir = g_dir_make_tmp ("octopus-ui-XXXXXX", NULL);
  g_autofree char *journal = g_build_filename (dir, "journal", NULL);
  g_autofree char *path = g_build_filename (dir, "file.txt", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(OctopusUploadQueue) queue = NULL;
  g_autoptr(OctopusArray) array = NULL;
  OctopusS3ClientOptions options = {
    .name = "fast", .endpoint = server->endpoint, .access_key = "AK", .secret_key = "SK",
    .path_style = TRUE, .allow_http = TRUE,
  };
  g_autoptr(OctopusS3Client) fast = octopus_s3_client_new (&options, NULL);
  GtkWidget *row = g_object_ref_sink (octopus_transfer_row_new ());
  OctopusTransferRow *r = OCTOPUS_TRANSFER_ROW (row);
  OctopusTransfer *transfer;
  OctopusObject *object;

  g_assert_true (g_file_set_contents (path, "hello", -1, NULL));
  g_ptr_array_add (services, octopus_service_new ("fast", fast, "bucket"));
  g_ptr_array_add (services, silent_service ("slow", listener));
  array = octopus_array_new (services);
  queue = octopus_upload_queue_new (services, journal);
  octopus_upload_queue_set_array (queue, array);
  transfer = octopus_upload_queue_add_file (queue, file, "file.txt");
  octopus_transfer_row_set_transfer (r, transfer);

  while (octopus_upload_progress_get_state (octopus_transfer_get_progress_for (transfer, "fast"))
         != OCTOPUS_UPLOAD_STATE_DONE)
    g_main_context_iteration (NULL, TRUE);
  g_assert_false (octopus_transfer_is_finished (transfer));
  g_assert_true (g_str_has_prefix (octopus_transfer_row_get_status (r), "Done on 1 of 2 · "));
  g_assert_cmpstr (octopus_transfer_row_get_service_status (r, 0), ==, "Done");
  g_assert_cmpstr (octopus_transfer_row_get_service_status (r, 1), !=, "Done");
  object = octopus_object_table_lookup (octopus_array_get_table (array), "file.txt");
  g_assert_nonnull (object);
  g_assert_true (octopus_object_get_service_present (object, 0));
  g_assert_false (octopus_object_get_transferring (object, 0));
  g_assert_true (octopus_object_get_transferring (object, 1));

  octopus_upload_queue_cancel_all (queue);
  while (!octopus_transfer_is_finished (transfer))
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpstr (octopus_transfer_row_get_service_status (r, 0), ==, "Done");
  g_assert_cmpstr (octopus_transfer_row_get_service_status (r, 1), ==, "Cancelled");
  octopus_transfer_row_set_transfer (r, NULL);
  g_assert_finalize_object (row);
  octopus_test_rm_rf (dir);
}

static void
test_transfers_panel_follows_queue (void)
{
  g_autoptr(GPtrArray) services = g_ptr_array_new_with_free_func (g_object_unref);
  g_autofree char *dir = g_dir_make_tmp ("octopus-ui-XXXXXX", NULL);
  g_autofree char *journal = g_build_filename (dir, "journal", NULL);
  g_autofree char *path = g_build_filename (dir, "file.txt", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(OctopusUploadQueue) queue = NULL;
  GtkWidget *panel = g_object_ref_sink (octopus_transfers_panel_new ());
  GtkWidget *row = g_object_ref_sink (octopus_transfer_row_new ());
  OctopusTransfer *transfer;

  g_assert_true (g_file_set_contents (path, "hello", -1, NULL));
  g_ptr_array_add (services, offline_service ("alpha"));
  g_ptr_array_add (services, offline_service ("beta"));
  queue = octopus_upload_queue_new (services, journal);

  /* Hidden while the queue is empty, shown as soon as a file is queued. */
  octopus_transfers_panel_set_queue (OCTOPUS_TRANSFERS_PANEL (panel), queue);
  g_assert_false (gtk_widget_get_visible (panel));
  transfer = octopus_upload_queue_add_file (queue, file, "file.txt");
  g_assert_true (gtk_widget_get_visible (panel));

  /* A row has one progress bar per service and says the file is waiting. */
  octopus_transfer_row_set_transfer (OCTOPUS_TRANSFER_ROW (row), transfer);
  g_assert_nonnull (octopus_transfer_row_get_status (OCTOPUS_TRANSFER_ROW (row)));
  g_assert_cmpstr (octopus_transfer_row_get_status (OCTOPUS_TRANSFER_ROW (row)), !=, "Cancelled");

  /* Its cancel button cancels that file, and the row says so. */
  g_signal_emit_by_name (find_button (row), "clicked");
  while (!octopus_transfer_is_finished (transfer))   /* the queue winds the upload down */
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpint (octopus_transfer_get_state (transfer), ==, OCTOPUS_TRANSFER_STATE_CANCELLED);
  g_assert_cmpstr (octopus_transfer_row_get_status (OCTOPUS_TRANSFER_ROW (row)), ==, "Cancelled");
  g_assert_false (gtk_widget_get_sensitive (find_button (row)));
  octopus_transfer_row_set_transfer (OCTOPUS_TRANSFER_ROW (row), NULL);
  octopus_upload_queue_cancel_all (queue);

  octopus_transfers_panel_set_queue (OCTOPUS_TRANSFERS_PANEL (panel), NULL);
  g_assert_finalize_object (row);
  g_assert_finalize_object (panel);
  g_unlink (path);
}

static void
test_help_overlay (void)
{
  g_autoptr(GtkBuilder) builder =
    gtk_builder_new_from_resource ("/io/github/octopus_rais/Octopus/gtk/help-overlay.ui");
  GObject *overlay = gtk_builder_get_object (builder, "help_overlay");

  g_assert_true (GTK_IS_SHORTCUTS_WINDOW (overlay));
  gtk_window_destroy (GTK_WINDOW (overlay));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  if (g_getenv ("DISPLAY") == NULL && g_getenv ("WAYLAND_DISPLAY") == NULL)
    {
      /* A TAP test that cannot run: this plan and exit 0 (meson counts 77 as an error). */
      g_print ("1..0 # SKIP no display\n");
      return 0;
    }
  gtk_init ();
  adw_init ();
  octopus_ui_register_resources ();

  g_test_add_func ("/ui/split-key", test_split_key);
  g_test_add_func ("/ui/object-row", test_object_row);
  g_test_add_func ("/ui/status-cell", test_status_cell_follows_object);
  g_test_add_func ("/ui/window/pages-and-summary", test_window_pages_and_summary);
  g_test_add_func ("/ui/window/empty-store", test_window_with_empty_store);
  g_test_add_func ("/ui/window/last-known-state", test_window_last_known_state);
  g_test_add_func ("/ui/window/broken-accounts", test_window_with_broken_accounts);
  g_test_add_func ("/ui/window/own-icon", test_window_own_icon);
  g_test_add_func ("/ui/preferences/add-service-presets", test_preferences_add_service_presets);
  g_test_add_func ("/ui/preferences/remove-confirms", test_preferences_remove_confirms);
  g_test_add_func ("/ui/preferences/add-service-connects",
                   test_preferences_add_service_connects);
  g_test_add_func ("/ui/preferences/edit-service-reconnects",
                   test_preferences_edit_service_reconnects);
  g_test_add_func ("/ui/preferences/rename-offline", test_preferences_rename_offline);
  g_test_add_func ("/ui/preferences-window", test_preferences_window);
  g_test_add_func ("/ui/preferences/redundancy", test_preferences_redundancy);
  g_test_add_func ("/ui/preferences/encryption", test_preferences_encryption);
  g_test_add_func ("/ui/acl-dialog", test_acl_dialog);
  g_test_add_func ("/ui/acl-summary", test_acl_summary);
  g_test_add_func ("/ui/acl-dialog/grants", test_acl_dialog_grants);
  g_test_add_func ("/ui/acl-dialog/two-keys", test_acl_dialog_two_keys);
  g_test_add_func ("/ui/window/share-link", test_window_share_link);
  g_test_add_func ("/ui/window/share-refused", test_window_share_refused);
  g_test_add_func ("/ui/inspector", test_inspector);
  g_test_add_func ("/ui/inspector/error", test_inspector_error);
  g_test_add_func ("/ui/usage-view", test_usage_view);
  g_test_add_func ("/ui/help-overlay", test_help_overlay);
  g_test_add_func ("/ui/transfers-panel", test_transfers_panel_follows_queue);
  g_test_add_func ("/ui/transfer-row-done-on-some", test_transfer_row_done_on_some);
  g_test_add_func ("/ui/window/left-alone", test_window_left_alone);
  g_test_add_func ("/ui/rate-window", test_rate_window);
  g_test_add_func ("/ui/upload-batch-message", test_upload_batch_message);
  g_test_add_func ("/ui/window/notify-decision", test_notify_decision);
  return g_test_run ();
}
