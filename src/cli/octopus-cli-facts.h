/* SPDX-License-Identifier: GPL-3.0-or-later */
/* octopus-cli-facts.h — `octopus-cli info` and `octopus-cli usage`: what the array holds,
 * one key or all of it; see octopus-cli.h for how commands are added. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

int octopus_cli_info  (int argc, char **argv);
int octopus_cli_usage (int argc, char **argv);

extern const char octopus_cli_info_synopsis[];
extern const char octopus_cli_usage_synopsis[];

G_END_DECLS
