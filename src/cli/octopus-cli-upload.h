/* SPDX-License-Identifier: GPL-3.0-or-later */
/* octopus-cli-upload.h — `octopus-cli upload PATH... [--prefix P]`; see octopus-cli.h. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

int octopus_cli_upload (int argc, char **argv);
extern const char octopus_cli_upload_synopsis[];

G_END_DECLS
