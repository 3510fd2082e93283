/* SPDX-License-Identifier: GPL-3.0-or-later */
/* octopus-cli-share.c — `octopus-cli share KEY [--expires DURATION] [--service NAME]`: a
 * presigned GET URL for a copy that is in sync (octopus-share.h), on stdout alone, so that
 * scripts can take it as it is; the warning that it cannot be revoked goes to stderr. */
#include "config.h"

#include <stdio.h>
#include <glib/gi18n-lib.h>

#include "octopus-share.h"
#include "octopus-cli.h"
#include "octopus-cli-crypt.h"
#include "octopus-cli-array.h"

const char octopus_cli_share_synopsis[] =
  /* Translators: translate the prose; keep the “octopus-cli …” lines as they are. */
  N_("  octopus-cli share KEY [--expires DURATION] [--service NAME]\n"
     "        Print a link that downloads KEY without credentials until it expires\n"
     "        (DURATION: 30m, 12h, 7d…, from 1s to 7d; default 1h), signed for a copy that\n"
     "        is in sync (on NAME, or the first service whose copy is). Anyone with the\n"
     "        link can download the object; a link cannot be revoked except by deleting\n"
     "        or overwriting the object.");

/* Says on stderr what a link gives away, and until when (local time). */
static void
warn_irrevocable (const char *key,
                  const char *service,
                  guint       seconds)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autoptr(GDateTime) until = g_date_time_add_seconds (now, seconds);
  g_autofree char *when = g_date_time_format (until, "%Y-%m-%d %H:%M:%S %Z");
  g_autofree char *printable = octopus_cli_printable_key (key);

  octopus_cli_error (_("anyone with this link can download %s from %s until %s; it cannot be "
                       "revoked except by deleting or overwriting the object"),
                     printable, service, when);
}

int
octopus_cli_share (int    argc,
                   char **argv)
{
  g_autofree char *expires = NULL;
  g_autofree char *service = NULL;
  GOptionEntry entries[] = {
    { "expires", 0, 0, G_OPTION_ARG_STRING, &expires,
      N_("How long the link works (30m, 12h, 7d…; default 1h)"), N_("DURATION") },
    { "service", 0, 0, G_OPTION_ARG_STRING, &service,
      N_("Sign the link for this service's copy"), N_("NAME") },
    { NULL }
  };
  g_autoptr(OctopusArray) array = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  g_autofree char *used = NULL;
  guint seconds = 60 * 60;

  if (!octopus_cli_parse_options (&argc, &argv, "KEY", _(octopus_cli_share_synopsis), entries))
    return OCTOPUS_CLI_EXIT_USAGE;
  if (argc != 2)
    {
      octopus_cli_error (_("usage: octopus-cli share KEY [--expires DURATION] "
                           "[--service NAME]"));
      return OCTOPUS_CLI_EXIT_USAGE;
    }
  if (expires != NULL && !octopus_share_parse_duration (expires, &seconds, &error))
    {
      octopus_cli_error ("%s", error->message);
      return OCTOPUS_CLI_EXIT_USAGE;
    }

  /* Refreshed: only a copy known to be in sync now is shared. */
  array = octopus_cli_load_array (TRUE, OCTOPUS_ARRAY_REFRESH_NONE);
  if (array == NULL)
    return OCTOPUS_CLI_EXIT_FAILED;
  octopus_cli_crypt_map_names (array, argv, 1, 2);
  if (octopus_cli_crypt_is_encrypted (argv[1]))
    {
      g_autofree char *name = octopus_cli_crypt_shown_name (argv[1]);

      /* The link would hand out the ciphertext, which no browser can read. */
      octopus_cli_error (_("%s is encrypted: a share link would serve its ciphertext, which "
                           "nobody without the passphrase can read; share it another way"),
                         name);
      return OCTOPUS_CLI_EXIT_FAILED;
    }
  url = octopus_array_share_url (array, argv[1], service, seconds, &used, &error);
  if (url == NULL)
    {
      octopus_cli_error ("%s", error->message);
      /* A --service that names no service is a wrong command line; the rest are failures. */
      return g_error_matches (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT)
             ? OCTOPUS_CLI_EXIT_USAGE : OCTOPUS_CLI_EXIT_FAILED;
    }
  warn_irrevocable (argv[1], used, seconds);
  printf ("%s\n", url);
  return OCTOPUS_CLI_EXIT_OK;
}
