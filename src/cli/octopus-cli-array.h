/* SPDX-License-Identifier: GPL-3.0-or-later */
/* octopus-cli-array.h — the array commands of octopus-cli (status, repair, delete, acl,
 * download, share); see octopus-cli.h for how commands are added. */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>
#include "octopus-array.h"

G_BEGIN_DECLS

int octopus_cli_status   (int argc, char **argv);
int octopus_cli_repair   (int argc, char **argv);
int octopus_cli_delete   (int argc, char **argv);
int octopus_cli_acl      (int argc, char **argv);   /* octopus-cli-acl.c */
int octopus_cli_download (int argc, char **argv);
int octopus_cli_share    (int argc, char **argv);   /* octopus-cli-share.c */

extern const char octopus_cli_status_synopsis[];
extern const char octopus_cli_repair_synopsis[];
extern const char octopus_cli_delete_synopsis[];
extern const char octopus_cli_acl_synopsis[];
extern const char octopus_cli_download_synopsis[];
extern const char octopus_cli_share_synopsis[];

/* What the array commands share (octopus-cli-array.c). */

/* Loads the services and builds the array, refreshed unless @refresh is FALSE; NULL (message
 * printed) on failure. */
OctopusArray *octopus_cli_load_array         (gboolean                 refresh,
                                              OctopusArrayRefreshFlags flags);
/* Prints @b's root, pretty, on stdout (--json). */
void          octopus_cli_print_json         (JsonBuilder             *b);
/* Prints one line per result (key, service, ok or the error); the exit status they make. */
int           octopus_cli_print_results      (GPtrArray               *results);
/* Prints every unreachable service on stderr; TRUE when there was one. */
gboolean      octopus_cli_report_unreachable (OctopusArray            *array);
/* Parses @entries out of argv (GOption); FALSE → usage error already printed. */
gboolean      octopus_cli_parse_options      (int                     *argc,
                                              char                  ***argv,
                                              const char              *parameters,
                                              const char              *synopsis,
                                              GOptionEntry            *entries);

G_END_DECLS
