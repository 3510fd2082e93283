/* SPDX-License-Identifier: GPL-3.0-or-later */
/* octopus-application.c — app actions (quit, about, preferences), --version, the main window.
 *
 * The application prints "READY" on stdout once its first window is presented, so GUI tests
 * can wait for it instead of sleeping.
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <stdio.h>

#include "octopus-application.h"
#include "octopus-preferences-window.h"
#include "octopus-resources.h"
#include "octopus-window.h"

#include "octopus-account-store.h"
#include "octopus-rate-limit.h"

struct _OctopusApplication
{
  AdwApplication       parent_instance;
  OctopusAccountStore *accounts;
  GSettings           *settings;
  gboolean             announced_ready;
};

G_DEFINE_FINAL_TYPE (OctopusApplication, octopus_application, ADW_TYPE_APPLICATION)

void
octopus_ui_register_resources (void)
{
  static gsize once;

  if (g_once_init_enter (&once))
    {
      octopus_register_resource ();
      g_once_init_leave (&once, 1);
    }
}

OctopusApplication *
octopus_application_new (void)
{
  return g_object_new (OCTOPUS_TYPE_APPLICATION,
                       "application-id", APP_ID,
                       "resource-base-path", "/io/github/octopus_rais/Octopus",
                       "flags", G_APPLICATION_DEFAULT_FLAGS,
                       NULL);
}

static GtkWindow *
get_main_window (OctopusApplication *self)
{
  GList *windows = gtk_application_get_windows (GTK_APPLICATION (self));

  for (GList *l = windows; l != NULL; l = l->next)
    if (OCTOPUS_IS_WINDOW (l->data))
      return l->data;
  return NULL;
}

static void
octopus_application_activate (GApplication *app)
{
  OctopusApplication *self = OCTOPUS_APPLICATION (app);
  GtkWindow *window = get_main_window (self);

  if (window == NULL)
    window = GTK_WINDOW (octopus_window_new (GTK_APPLICATION (self), self->accounts));
  gtk_window_present (window);

  if (!self->announced_ready)
    {
      self->announced_ready = TRUE;
      printf ("READY\n");
    }
}

static int
octopus_application_handle_local_options (GApplication *app,
                                          GVariantDict *options)
{
  if (g_variant_dict_contains (options, "version"))
    {
      printf ("%s %s\n", PACKAGE_NAME, PACKAGE_VERSION);
      return 0;
    }
  return -1;  /* go on: register, activate */
}

static void
load_accounts (OctopusApplication *self)
{
  self->accounts = octopus_account_store_new (NULL);
  /* A broken accounts.ini must not stop the app: the window shows the store's load error. */
  octopus_account_store_load (self->accounts, NULL);
}

/* MiB/s as Preferences shows them → bytes per second; 0 stays "no limit". */
static guint64
limit_from_settings (GSettings  *settings,
                     const char *key)
{
  return (guint64) (g_settings_get_double (settings, key) * 1024 * 1024);
}

/* The limits are the process's, shared by every transfer of every window, and a change holds
 * at once for transfers that are running (octopus_rate_limit_set_rate). */
static void
apply_rate_limits (OctopusApplication *self)
{
  octopus_rate_limit_set_rate (octopus_rate_limit_get_upload (),
                               limit_from_settings (self->settings, "upload-limit-mib"));
  octopus_rate_limit_set_rate (octopus_rate_limit_get_download (),
                               limit_from_settings (self->settings, "download-limit-mib"));
}

static void
octopus_application_startup (GApplication *app)
{
  OctopusApplication *self = OCTOPUS_APPLICATION (app);
  static const char *quit_accels[] = { "<Control>q", NULL };
  static const char *prefs_accels[] = { "<Control>comma", NULL };
  static const char *refresh_accels[] = { "F5", "<Control>r", NULL };
  static const char *upload_accels[] = { "<Control>o", NULL };
  static const char *search_accels[] = { "<Control>f", NULL };
  static const char *help_accels[] = { "<Control>question", NULL };
  static const char *inspect_accels[] = { "<Alt>Return", "<Control>i", NULL };

  octopus_ui_register_resources ();
  G_APPLICATION_CLASS (octopus_application_parent_class)->startup (app);

  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "app.quit", quit_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "app.preferences", prefs_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "win.refresh", refresh_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "win.upload", upload_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "win.search", search_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "win.show-help-overlay",
                                         help_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "win.inspect-selected",
                                         inspect_accels);

  load_accounts (self);
  self->settings = g_settings_new (APP_ID);
  g_signal_connect_swapped (self->settings, "changed::upload-limit-mib",
                            G_CALLBACK (apply_rate_limits), self);
  g_signal_connect_swapped (self->settings, "changed::download-limit-mib",
                            G_CALLBACK (apply_rate_limits), self);
  apply_rate_limits (self);
}

static void
quit_action (GSimpleAction *action,
             GVariant      *parameter,
             gpointer       user_data)
{
  OctopusApplication *self = user_data;
  GList *windows = g_list_copy (gtk_application_get_windows (GTK_APPLICATION (self)));

  /* Closing the windows (not g_application_quit) lets each cancel its work cleanly. */
  for (GList *l = windows; l != NULL; l = l->next)
    gtk_window_destroy (l->data);
  g_list_free (windows);
}

static void
about_action (GSimpleAction *action,
              GVariant      *parameter,
              gpointer       user_data)
{
  OctopusApplication *self = user_data;
  static const char *developers[] = { "The Octopus authors", NULL };
  GtkWidget *about;

  about = g_object_new (ADW_TYPE_ABOUT_WINDOW,
                        "transient-for", get_main_window (self),
                        "modal", TRUE,
                        "application-name", _("Octopus"),
                        "application-icon", APP_ID,
                        "developer-name", _("The Octopus authors"),
                        "version", PACKAGE_VERSION,
                        "comments",
                        _("Keep files mirrored across several S3-compatible storage services"),
                        "website", "https://github.com/octopus-rais/octopus",
                        "issue-url", "https://github.com/octopus-rais/octopus/issues",
                        "license-type", GTK_LICENSE_GPL_3_0,
                        "copyright", "© 2026 The Octopus authors",
                        "developers", developers,
                        /* Translators: put your names here, one per line. */
                        "translator-credits", _("translator-credits"),
                        NULL);
  gtk_window_present (GTK_WINDOW (about));
}

static void
preferences_action (GSimpleAction *action,
                    GVariant      *parameter,
                    gpointer       user_data)
{
  OctopusApplication *self = user_data;
  OctopusPreferencesWindow *prefs;

  prefs = octopus_preferences_window_new (self->accounts);
  gtk_window_set_transient_for (GTK_WINDOW (prefs), get_main_window (self));
  gtk_window_present (GTK_WINDOW (prefs));
}

/* The empty state's button: straight to the form, not the general page. */
static void
add_service_action (GSimpleAction *action,
                    GVariant      *parameter,
                    gpointer       user_data)
{
  OctopusApplication *self = user_data;
  OctopusPreferencesWindow *prefs;

  prefs = octopus_preferences_window_new (self->accounts);
  gtk_window_set_transient_for (GTK_WINDOW (prefs), get_main_window (self));
  gtk_window_present (GTK_WINDOW (prefs));
  octopus_preferences_window_show_add_service (prefs);
}

static const GActionEntry app_actions[] = {
  { .name = "quit", .activate = quit_action },
  { .name = "about", .activate = about_action },
  { .name = "preferences", .activate = preferences_action },
  { .name = "add-service", .activate = add_service_action },
};

static void
octopus_application_dispose (GObject *object)
{
  OctopusApplication *self = OCTOPUS_APPLICATION (object);

  g_clear_object (&self->accounts);
  g_clear_object (&self->settings);
  G_OBJECT_CLASS (octopus_application_parent_class)->dispose (object);
}

static void
octopus_application_class_init (OctopusApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->dispose = octopus_application_dispose;
  app_class->activate = octopus_application_activate;
  app_class->startup = octopus_application_startup;
  app_class->handle_local_options = octopus_application_handle_local_options;
}

static void
octopus_application_init (OctopusApplication *self)
{
  static const GOptionEntry options[] = {
    { "version", 0, 0, G_OPTION_ARG_NONE, NULL, N_("Show the version and exit"), NULL },
    { NULL }
  };

  g_application_add_main_option_entries (G_APPLICATION (self), options);
  g_application_set_option_context_summary (G_APPLICATION (self),
    _("Mirror files to several S3-compatible storage services at once."));
  g_action_map_add_action_entries (G_ACTION_MAP (self), app_actions,
                                   G_N_ELEMENTS (app_actions), self);
}
