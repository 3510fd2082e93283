/* SPDX-License-Identifier: GPL-3.0-or-later */
/* octopus-cli-array.h — the array commands of octopus-cli (status, repair, delete, acl,
 * download); see octopus-cli.h for how commands are added. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

int octopus_cli_status   (int argc, char **argv);
int octopus_cli_repair   (int argc, char **argv);
int octopus_cli_delete   (int argc, char **argv);
int octopus_cli_acl      (int argc, char **argv);
int octopus_cli_download (int argc, char **argv);

extern const char octopus_cli_status_synopsis[];
extern const char octopus_cli_repair_synopsis[];
extern const char octopus_cli_delete_synopsis[];
extern const char octopus_cli_acl_synopsis[];
extern const char octopus_cli_download_synopsis[];

G_END_DECLS
