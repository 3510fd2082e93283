/* SPDX-License-Identifier: GPL-3.0-or-later */
/* octopus-cli-settings.c — `octopus-cli redundancy show|set` and `octopus-cli encryption
 * show|enable|disable`: the array settings of octopus-array-settings.h, the same ones the
 * window's Preferences show.  Passphrases come from standard input only, never argv. */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>

#include "octopus-account-store.h"
#include "octopus-array-settings.h"
#include "octopus-secret.h"
#include "octopus-cli.h"
#include "octopus-cli-array.h"

const char octopus_cli_redundancy_synopsis[] =
  /* Translators: translate the prose; keep the “octopus-cli …” lines as they are. */
  N_("  octopus-cli redundancy show [--json]\n"
     "        How new uploads are stored: mirrored on every service, or erasure coded.\n"
     "  octopus-cli redundancy set mirror\n"
     "  octopus-cli redundancy set erasure K M\n"
     "        Every service holds a whole copy, or one archive of K data and M parity\n"
     "        fragments (K+M = the number of services): survives the loss of M services\n"
     "        and stores (K+M)/K times the data. New uploads only; existing objects keep\n"
     "        their layout.");

const char octopus_cli_encryption_synopsis[] =
  /* Translators: translate the prose; keep the “octopus-cli …” lines as they are. */
  N_("  octopus-cli encryption show [--json]\n"
     "        Whether new uploads are encrypted (rclone crypt) and whether the keyring holds\n"
     "        the passphrase; the passphrase itself is never printed.\n"
     "  octopus-cli encryption enable [--filenames standard|off] [--replace-passphrase]\n"
     "        Encrypt new uploads. Reads the passphrase, then optionally a second\n"
     "        passphrase (rclone's salt; an empty line for none) from standard input, one\n"
     "        per line; both are kept in the keyring only. If you lose the passphrase, your\n"
     "        encrypted files cannot be recovered by anyone.\n"
     "  octopus-cli encryption disable\n"
     "        Upload new files unencrypted. The passphrase stays in the keyring: objects\n"
     "        already encrypted need it.");

/* ---- shared ------------------------------------------------------------------------------ */

static OctopusArraySettings *
load_settings (void)
{
  g_autoptr(OctopusArraySettings) settings = octopus_array_settings_new (NULL);
  g_autoptr(GError) error = NULL;

  if (!octopus_array_settings_load (settings, &error))
    {
      octopus_cli_error ("%s", error->message);
      return NULL;
    }
  return g_steal_pointer (&settings);
}

/* The number of services: one per account that could be read (the others are named). */
static gboolean
count_services (guint *n_services)
{
  g_autoptr(OctopusAccountStore) store = octopus_account_store_new (NULL);
  g_autoptr(GError) error = NULL;

  if (!octopus_account_store_load (store, &error))
    {
      octopus_cli_error ("%s", error->message);
      return FALSE;
    }
  if (octopus_account_store_get_load_error (store) != NULL)
    octopus_cli_error ("%s", octopus_account_store_get_load_error (store)->message);
  *n_services = g_list_model_get_n_items (G_LIST_MODEL (store));
  return TRUE;
}

/* What is stored per byte of file: n copies, or (K+M)/K. */
static double
stored_factor (OctopusArraySettings *settings, guint n_services)
{
  guint k = octopus_array_settings_get_k (settings);
  guint m = octopus_array_settings_get_m (settings);

  if (octopus_array_settings_get_redundancy (settings) == OCTOPUS_REDUNDANCY_MIRROR)
    return n_services;
  return (double) (k + m) / k;
}

/* argv[0] is the subcommand word, as for a command. */
typedef struct {
  const char *name;
  int       (*run) (int argc, char **argv);
} Subcommand;

static int
dispatch (const Subcommand *subcommands, guint n, const char *synopsis, const char *usage,
          int argc, char **argv)
{
  if (argc >= 2 && (g_str_equal (argv[1], "--help") || g_str_equal (argv[1], "-h")))
    {
      printf ("%s\n", synopsis);
      return OCTOPUS_CLI_EXIT_OK;
    }
  for (guint i = 0; argc >= 2 && i < n; i++)
    if (g_str_equal (argv[1], subcommands[i].name))
      {
        int status = subcommands[i].run (argc - 1, argv + 1);

        octopus_secret_disconnect ();
        return status;
      }
  octopus_cli_error ("%s", usage);
  return OCTOPUS_CLI_EXIT_USAGE;
}

/* ---- redundancy ------------------------------------------------------------------------- */

static void
print_redundancy_json (OctopusArraySettings *settings, guint n_services, gboolean fits)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  gboolean erasure = octopus_array_settings_get_redundancy (settings)
                     == OCTOPUS_REDUNDANCY_ERASURE;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "redundancy");
  json_builder_add_string_value (b, octopus_redundancy_to_string (
                                      octopus_array_settings_get_redundancy (settings)));
  json_builder_set_member_name (b, "k");
  if (erasure)
    json_builder_add_int_value (b, octopus_array_settings_get_k (settings));
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "m");
  if (erasure)
    json_builder_add_int_value (b, octopus_array_settings_get_m (settings));
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "services");
  json_builder_add_int_value (b, n_services);
  json_builder_set_member_name (b, "stored_factor");
  json_builder_add_double_value (b, stored_factor (settings, n_services));
  json_builder_set_member_name (b, "fits");
  json_builder_add_boolean_value (b, fits);
  json_builder_end_object (b);
  octopus_cli_print_json (b);
}

static void
print_redundancy_text (OctopusArraySettings *settings, guint n_services)
{
  if (octopus_array_settings_get_redundancy (settings) == OCTOPUS_REDUNDANCY_MIRROR)
    printf (ngettext ("mirror: every service holds a whole copy (%u service, stores %u×)\n",
                      "mirror: every service holds a whole copy (%u services, stores %u×)\n",
                      n_services),
            n_services, n_services);
  else
    printf (_("erasure %u+%u: survives the loss of %u of %u services, stores %.2f×\n"),
            octopus_array_settings_get_k (settings), octopus_array_settings_get_m (settings),
            octopus_array_settings_get_m (settings),
            octopus_array_settings_get_k (settings) + octopus_array_settings_get_m (settings),
            stored_factor (settings, n_services));
}

static int
redundancy_show (int argc, char **argv)
{
  gboolean json = FALSE;
  GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print one JSON document"), NULL },
    { NULL }
  };
  g_autoptr(OctopusArraySettings) settings = NULL;
  g_autoptr(GError) error = NULL;
  guint n_services = 0;
  gboolean fits;

  if (!octopus_cli_parse_options (&argc, &argv, "", _(octopus_cli_redundancy_synopsis), entries))
    return OCTOPUS_CLI_EXIT_USAGE;
  if (argc != 1)
    {
      octopus_cli_error (_("usage: octopus-cli redundancy show [--json]"));
      return OCTOPUS_CLI_EXIT_USAGE;
    }
  if ((settings = load_settings ()) == NULL || !count_services (&n_services))
    return OCTOPUS_CLI_EXIT_FAILED;

  /* Services added or removed since erasure was chosen: say so, the setting stays shown. */
  fits = octopus_array_settings_check_services (settings, n_services, &error);
  if (!fits)
    octopus_cli_error (_("%s; choose again with “octopus-cli redundancy set”"), error->message);
  if (json)
    print_redundancy_json (settings, n_services, fits);
  else
    print_redundancy_text (settings, n_services);
  return OCTOPUS_CLI_EXIT_OK;
}

/* A count of K or M: a plain decimal number (1 … 32). */
static gboolean
parse_count (const char *text, guint *out)
{
  guint64 value;

  if (!g_ascii_string_to_unsigned (text, 10, 0, G_MAXUINT, &value, NULL))
    {
      octopus_cli_error (_("“%s” is not a number"), text);
      return FALSE;
    }
  *out = (guint) value;
  return TRUE;
}

static int
redundancy_set (int argc, char **argv)
{
  GOptionEntry entries[] = { { NULL } };
  g_autoptr(OctopusArraySettings) settings = NULL;
  g_autoptr(GError) error = NULL;
  guint n_services = 0, k = 0, m = 0;
  gboolean mirror;

  if (!octopus_cli_parse_options (&argc, &argv, "mirror | erasure K M",
                                  _(octopus_cli_redundancy_synopsis), entries))
    return OCTOPUS_CLI_EXIT_USAGE;
  mirror = argc == 2 && g_str_equal (argv[1], "mirror");
  if (!mirror && !(argc == 4 && g_str_equal (argv[1], "erasure")))
    {
      octopus_cli_error (_("usage: octopus-cli redundancy set mirror | "
                           "redundancy set erasure K M"));
      return OCTOPUS_CLI_EXIT_USAGE;
    }
  if (!mirror && (!parse_count (argv[2], &k) || !parse_count (argv[3], &m)))
    return OCTOPUS_CLI_EXIT_USAGE;
  if ((settings = load_settings ()) == NULL || !count_services (&n_services))
    return OCTOPUS_CLI_EXIT_FAILED;

  if (mirror)
    octopus_array_settings_set_mirror (settings);
  else if (!octopus_array_settings_set_erasure (settings, k, m, n_services, &error))
    {
      octopus_cli_error ("%s", error->message);
      /* K and M that do not fit are a wrong command line; a missing coder is a failure. */
      return g_error_matches (error, OCTOPUS_ARRAY_SETTINGS_ERROR,
                              OCTOPUS_ARRAY_SETTINGS_ERROR_INVALID)
             ? OCTOPUS_CLI_EXIT_USAGE : OCTOPUS_CLI_EXIT_FAILED;
    }
  if (!octopus_array_settings_save (settings, &error))
    {
      octopus_cli_error ("%s", error->message);
      return OCTOPUS_CLI_EXIT_FAILED;
    }
  print_redundancy_text (settings, n_services);
  printf ("%s\n", _("This applies to new uploads; existing objects keep their layout."));
  return OCTOPUS_CLI_EXIT_OK;
}

int
octopus_cli_redundancy (int argc, char **argv)
{
  static const Subcommand subcommands[] = {
    { "show", redundancy_show },
    { "set", redundancy_set },
  };

  return dispatch (subcommands, G_N_ELEMENTS (subcommands), _(octopus_cli_redundancy_synopsis),
                   _("usage: octopus-cli redundancy show|set …; see “octopus-cli --help”"),
                   argc, argv);
}

/* ---- encryption: show ------------------------------------------------------------------- */

static void
print_encryption_json (OctopusArraySettings *settings, gboolean known, gboolean has_passphrase,
                       gboolean has_salt)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  gboolean on = octopus_array_settings_get_encryption (settings)
                == OCTOPUS_ENCRYPTION_RCLONE_CRYPT;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "encryption");
  json_builder_add_string_value (b, octopus_encryption_to_string (
                                      octopus_array_settings_get_encryption (settings)));
  json_builder_set_member_name (b, "filename_encryption");
  if (on)
    json_builder_add_string_value (b, octopus_filename_encryption_to_string (
                                        octopus_array_settings_get_filename_encryption (settings)));
  else
    json_builder_add_null_value (b);
  /* null: the keyring could not be asked (the error is on stderr). */
  json_builder_set_member_name (b, "passphrase_in_keyring");
  if (known)
    json_builder_add_boolean_value (b, has_passphrase);
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "salt_in_keyring");
  if (known)
    json_builder_add_boolean_value (b, has_salt);
  else
    json_builder_add_null_value (b);
  json_builder_end_object (b);
  octopus_cli_print_json (b);
}

static void
print_encryption_text (OctopusArraySettings *settings, gboolean known, gboolean has_passphrase,
                       gboolean has_salt)
{
  if (octopus_array_settings_get_encryption (settings) == OCTOPUS_ENCRYPTION_RCLONE_CRYPT)
    printf (_("encryption: rclone crypt for new uploads (file names: %s)\n"),
            octopus_filename_encryption_to_string (
              octopus_array_settings_get_filename_encryption (settings)));
  else
    printf ("%s\n", _("encryption: off (new uploads are not encrypted)"));
  if (!known)
    return;
  printf ("%s\n", has_passphrase ? _("passphrase: in the keyring")
                                 : _("passphrase: not in the keyring"));
  printf ("%s\n", has_salt ? _("second passphrase: in the keyring")
                           : _("second passphrase: none"));
}

static int
encryption_show (int argc, char **argv)
{
  gboolean json = FALSE;
  GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print one JSON document"), NULL },
    { NULL }
  };
  g_autoptr(OctopusArraySettings) settings = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  GAsyncResult *pending = NULL;
  gboolean known, has_passphrase = FALSE, has_salt = FALSE;

  if (!octopus_cli_parse_options (&argc, &argv, "", _(octopus_cli_encryption_synopsis), entries))
    return OCTOPUS_CLI_EXIT_USAGE;
  if (argc != 1)
    {
      octopus_cli_error (_("usage: octopus-cli encryption show [--json]"));
      return OCTOPUS_CLI_EXIT_USAGE;
    }
  if ((settings = load_settings ()) == NULL)
    return OCTOPUS_CLI_EXIT_FAILED;

  /* Only whether the items are there: the passphrase is not read. */
  octopus_array_settings_query_keyring_async (settings, NULL, octopus_cli_async_done, &pending);
  result = octopus_cli_wait (&pending);
  known = octopus_array_settings_query_keyring_finish (settings, result, &has_passphrase,
                                                       &has_salt, &error);
  if (!known)
    octopus_cli_error ("%s", error->message);
  if (json)
    print_encryption_json (settings, known, has_passphrase, has_salt);
  else
    print_encryption_text (settings, known, has_passphrase, has_salt);
  if (known && !has_passphrase
      && octopus_array_settings_get_encryption (settings) == OCTOPUS_ENCRYPTION_RCLONE_CRYPT)
    octopus_cli_error (_("encryption is on but the keyring holds no passphrase: "
                         "encrypted uploads cannot start"));
  return known ? OCTOPUS_CLI_EXIT_OK : OCTOPUS_CLI_EXIT_FAILED;
}

/* ---- encryption: enable, disable --------------------------------------------------------- */

/* One line of standard input, without its line end; NULL at the end of input (no error) or
 * for a line that is too long (@error).  On a terminal @prompt is shown and the line is not
 * echoed.  stdin must be unbuffered (so no copy stays in stdio's buffer); the line buffer is
 * wiped. */
static char *
read_line (const char *prompt, GError **error)
{
  char line[1024];
  char *got;
  size_t len;

  if (!octopus_cli_read_quiet_line (prompt, line, sizeof line))
    return NULL;
  len = strlen (line);
  if (len == sizeof line - 1 && line[len - 1] != '\n')
    {
      explicit_bzero (line, sizeof line);
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE,
                   _("A passphrase on standard input is too long"));
      return NULL;
    }
  while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
    line[--len] = '\0';
  got = g_strndup (line, len);
  explicit_bzero (line, sizeof line);
  return got;
}

/* The passphrase (not empty; typed twice on a terminal) and the optional second one. */
static gboolean
read_passphrases (char **passphrase, char **salt, GError **error)
{
  g_autoptr(GError) local_error = NULL;
  char *again;

  setvbuf (stdin, NULL, _IONBF, 0);
  *salt = NULL;
  *passphrase = read_line (_("Passphrase: "), error);
  if (*passphrase == NULL || **passphrase == '\0')
    {
      octopus_secret_free (g_steal_pointer (passphrase));
      if (error != NULL && *error == NULL)
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                     _("No passphrase on standard input (give it as the first line; an empty "
                       "passphrase is refused)"));
      return FALSE;
    }
  if (isatty (STDIN_FILENO))
    {
      again = read_line (_("Passphrase again: "), NULL);
      if (g_strcmp0 (again, *passphrase) != 0)
        {
          octopus_secret_free (again);
          octopus_secret_free (g_steal_pointer (passphrase));
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                       _("The passphrases do not match"));
          return FALSE;
        }
      octopus_secret_free (again);
    }
  *salt = read_line (_("Second passphrase (rclone's salt; empty for none): "), &local_error);
  if (local_error != NULL)
    {
      octopus_secret_free (g_steal_pointer (passphrase));
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  return TRUE;
}

static int
encryption_enable (int argc, char **argv)
{
  g_autofree char *filenames_text = NULL;
  gboolean replace = FALSE;
  GOptionEntry entries[] = {
    { "filenames", 0, 0, G_OPTION_ARG_STRING, &filenames_text,
      N_("File name encryption: standard (default) or off"), "standard|off" },
    { "replace-passphrase", 0, 0, G_OPTION_ARG_NONE, &replace,
      N_("Replace other passphrases the keyring holds (objects encrypted with them can no "
         "longer be read)"), NULL },
    { NULL }
  };
  OctopusFilenameEncryption filenames = OCTOPUS_FILENAME_ENCRYPTION_STANDARD;
  g_autoptr(OctopusArraySettings) settings = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  GAsyncResult *pending = NULL;
  char *passphrase = NULL, *salt = NULL;

  if (!octopus_cli_parse_options (&argc, &argv, "", _(octopus_cli_encryption_synopsis), entries))
    return OCTOPUS_CLI_EXIT_USAGE;
  if (argc != 1)
    {
      octopus_cli_error (_("usage: octopus-cli encryption enable [--filenames standard|off] "
                           "(passphrases on standard input)"));
      return OCTOPUS_CLI_EXIT_USAGE;
    }
  if (filenames_text != NULL
      && !octopus_filename_encryption_from_string (filenames_text, &filenames, &error))
    {
      octopus_cli_error ("%s", error->message);
      return OCTOPUS_CLI_EXIT_USAGE;
    }
  if ((settings = load_settings ()) == NULL)
    return OCTOPUS_CLI_EXIT_FAILED;

  /* Before asking for the passphrase: is there a keyring to keep it? */
  octopus_secret_check_async (octopus_cli_can_prompt (), NULL, octopus_cli_async_done, &pending);
  result = octopus_cli_wait (&pending);
  if (!octopus_secret_check_finish (result, &error))
    {
      octopus_cli_error (_("cannot enable encryption: %s"), error->message);
      return OCTOPUS_CLI_EXIT_FAILED;
    }
  g_clear_object (&result);

  if (!read_passphrases (&passphrase, &salt, &error))
    {
      octopus_cli_error ("%s", error->message);
      return OCTOPUS_CLI_EXIT_USAGE;
    }
  octopus_array_settings_enable_encryption_async (settings, passphrase, salt, filenames, replace,
                                                  NULL, octopus_cli_async_done, &pending);
  octopus_secret_free (passphrase);
  octopus_secret_free (salt);
  result = octopus_cli_wait (&pending);
  if (!octopus_array_settings_enable_encryption_finish (settings, result, &error))
    {
      octopus_cli_error (_("cannot enable encryption: %s"), error->message);
      if (g_error_matches (error, OCTOPUS_ARRAY_SETTINGS_ERROR,
                           OCTOPUS_ARRAY_SETTINGS_ERROR_PASSPHRASE))
        octopus_cli_error (_("to replace them anyway: octopus-cli encryption enable "
                             "--replace-passphrase"));
      return OCTOPUS_CLI_EXIT_FAILED;
    }
  printf (_("New uploads are encrypted with rclone crypt (file names: %s); the passphrase is "
            "in the keyring.\n"), octopus_filename_encryption_to_string (filenames));
  octopus_cli_error (_("if you lose this passphrase, your encrypted files cannot be recovered "
                       "by anyone"));
  return OCTOPUS_CLI_EXIT_OK;
}

static int
encryption_disable (int argc, char **argv)
{
  GOptionEntry entries[] = { { NULL } };
  g_autoptr(OctopusArraySettings) settings = NULL;
  g_autoptr(GError) error = NULL;

  if (!octopus_cli_parse_options (&argc, &argv, "", _(octopus_cli_encryption_synopsis), entries))
    return OCTOPUS_CLI_EXIT_USAGE;
  if (argc != 1)
    {
      octopus_cli_error (_("usage: octopus-cli encryption disable"));
      return OCTOPUS_CLI_EXIT_USAGE;
    }
  if ((settings = load_settings ()) == NULL)
    return OCTOPUS_CLI_EXIT_FAILED;
  if (!octopus_array_settings_disable_encryption (settings, &error))
    {
      octopus_cli_error ("%s", error->message);
      return OCTOPUS_CLI_EXIT_FAILED;
    }
  printf ("%s\n", _("New uploads are not encrypted. The passphrase stays in the keyring: "
                    "objects already encrypted need it to be read."));
  return OCTOPUS_CLI_EXIT_OK;
}

int
octopus_cli_encryption (int argc, char **argv)
{
  static const Subcommand subcommands[] = {
    { "show", encryption_show },
    { "enable", encryption_enable },
    { "disable", encryption_disable },
  };

  return dispatch (subcommands, G_N_ELEMENTS (subcommands), _(octopus_cli_encryption_synopsis),
                   _("usage: octopus-cli encryption show|enable|disable …; "
                     "see “octopus-cli --help”"),
                   argc, argv);
}
