/* SPDX-License-Identifier: GPL-3.0-or-later */
/* octopus-cli.c — main(), the command table and the overall usage of octopus-cli. */
#include "config.h"

#include <locale.h>
#include <string.h>
#include <stdio.h>
#include <termios.h>
#include <unistd.h>
#include <glib/gi18n-lib.h>

#include "octopus-cli.h"
#include "octopus-cli-array.h"
#include "octopus-cli-facts.h"
#include "octopus-cli-upload.h"
#include "octopus-rate-limit.h"

/* One row per command word.  Keep it in the order of docs/DESIGN.md's command line contract;
 * --help prints each synopsis in this order.  Only commands that work belong here. */
typedef struct {
  const char *name;
  int       (*run) (int argc, char **argv);   /* argv[0] == name */
  const char *synopsis;                       /* untranslated usage lines, "\n"-separated */
} OctopusCliCommand;

static const OctopusCliCommand commands[] = {
  { "account", octopus_cli_account, octopus_cli_account_synopsis },
  { "status", octopus_cli_status, octopus_cli_status_synopsis },
  { "upload", octopus_cli_upload, octopus_cli_upload_synopsis },
  { "download", octopus_cli_download, octopus_cli_download_synopsis },
  { "delete", octopus_cli_delete, octopus_cli_delete_synopsis },
  { "acl", octopus_cli_acl, octopus_cli_acl_synopsis },
  { "repair", octopus_cli_repair, octopus_cli_repair_synopsis },
  { "share", octopus_cli_share, octopus_cli_share_synopsis },
  { "info", octopus_cli_info, octopus_cli_info_synopsis },
  { "usage", octopus_cli_usage, octopus_cli_usage_synopsis },
  { "redundancy", octopus_cli_redundancy, octopus_cli_redundancy_synopsis },
  { "encryption", octopus_cli_encryption, octopus_cli_encryption_synopsis },
};

void
octopus_cli_async_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GAsyncResult **slot = user_data;

  *slot = g_object_ref (result);
}

GAsyncResult *
octopus_cli_wait (GAsyncResult **result)
{
  while (*result == NULL)
    g_main_context_iteration (NULL, TRUE);
  return g_steal_pointer (result);
}

void
octopus_cli_error (const char *format, ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_printerr ("octopus-cli: %s\n", message);
}

/* Both directions: repair reads and writes, and one flag is what rclone users expect. */
gboolean
octopus_cli_bwlimit_cb (const char *option_name,
                        const char *value,
                        gpointer    data,
                        GError    **error)
{
  guint64 rate;

  if (!octopus_rate_parse (value, &rate, error))
    {
      g_prefix_error (error, "%s: ", option_name);
      return FALSE;
    }
  octopus_rate_limit_set_rate (octopus_rate_limit_get_upload (), rate);
  octopus_rate_limit_set_rate (octopus_rate_limit_get_download (), rate);
  return TRUE;
}

char *
octopus_cli_printable_key (const char *key)
{
  GString *out = g_string_sized_new (strlen (key));

  for (const guchar *p = (const guchar *) key; *p != '\0'; p++)
    {
      if (*p == '\\')
        g_string_append (out, "\\\\");
      else if (*p == '\n')
        g_string_append (out, "\\n");
      else if (*p == '\t')
        g_string_append (out, "\\t");
      else if (*p == '\r')
        g_string_append (out, "\\r");
      else if (*p < 0x20 || *p == 0x7f)
        g_string_append_printf (out, "\\x%02x", *p);
      else
        g_string_append_c (out, (char) *p);
    }
  return g_string_free (out, FALSE);
}

gboolean
octopus_cli_can_prompt (void)
{
  return g_getenv ("DISPLAY") != NULL || g_getenv ("WAYLAND_DISPLAY") != NULL;
}

gboolean
octopus_cli_read_quiet_line (const char *prompt,
                             char       *line,
                             int         size)
{
  struct termios saved, quiet;
  gboolean echo_off = FALSE;
  char *got;

  if (isatty (STDIN_FILENO))
    {
      g_printerr ("%s", prompt);
      if (tcgetattr (STDIN_FILENO, &saved) == 0)
        {
          quiet = saved;
          quiet.c_lflag &= ~(tcflag_t) ECHO;
          echo_off = tcsetattr (STDIN_FILENO, TCSAFLUSH, &quiet) == 0;
        }
    }
  got = fgets (line, size, stdin);
  if (echo_off)
    {
      tcsetattr (STDIN_FILENO, TCSAFLUSH, &saved);
      g_printerr ("\n");
    }
  return got != NULL;
}

static void
print_usage (FILE *out)
{
  fprintf (out, "%s\n", _("Usage: octopus-cli COMMAND [ARGUMENTS…]"));
  fprintf (out, "%s\n\n", _("Mirror files to several S3-compatible services at once."));
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    fprintf (out, "%s\n", _(commands[i].synopsis));
  fprintf (out, "\n%s\n", _("Exit status:"));
  fprintf (out, "  0  %s\n", _("all services succeeded"));
  fprintf (out, "  1  %s\n", _("some service failed (what failed is printed)"));
  fprintf (out, "  2  %s\n", _("usage error"));
  fprintf (out, "\n%s\n",
           _("“octopus-cli COMMAND --help” describes the options of a command."));
}

int
main (int argc, char **argv)
{
  /* OCTOPUS_LOCALEDIR lets tests use the build tree's catalogues, as the window does. */
  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, g_getenv ("OCTOPUS_LOCALEDIR") != NULL
                                   ? g_getenv ("OCTOPUS_LOCALEDIR") : LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
  g_set_prgname ("octopus-cli");

  if (argc < 2)
    {
      print_usage (stderr);
      return OCTOPUS_CLI_EXIT_USAGE;
    }
  if (g_str_equal (argv[1], "--help") || g_str_equal (argv[1], "-h")
      || g_str_equal (argv[1], "help"))
    {
      print_usage (stdout);
      return OCTOPUS_CLI_EXIT_OK;
    }
  if (g_str_equal (argv[1], "--version"))
    {
      printf ("octopus-cli %s\n", PACKAGE_VERSION);
      return OCTOPUS_CLI_EXIT_OK;
    }

  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    if (g_str_equal (argv[1], commands[i].name))
      return commands[i].run (argc - 1, argv + 1);

  octopus_cli_error (_("unknown command “%s”; see “octopus-cli --help”"), argv[1]);
  return OCTOPUS_CLI_EXIT_USAGE;
}
