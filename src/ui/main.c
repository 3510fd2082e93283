/* SPDX-License-Identifier: GPL-3.0-or-later */
/* main.c — entry point of the Octopus desktop application. */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <locale.h>
#include <stdio.h>

#include "octopus-application.h"

int
main (int   argc,
      char *argv[])
{
  g_autoptr(OctopusApplication) app = NULL;
  const char *localedir;

  /* Line-buffered stdout: tests wait for "READY" in a log file. */
  setvbuf (stdout, NULL, _IOLBF, 0);

  /* OCTOPUS_LOCALEDIR lets tests use the build tree's catalogues (po/<lang>/LC_MESSAGES). */
  localedir = g_getenv ("OCTOPUS_LOCALEDIR");
  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, localedir != NULL ? localedir : LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  app = octopus_application_new ();
  return g_application_run (G_APPLICATION (app), argc, argv);
}
