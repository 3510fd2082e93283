/* SPDX-License-Identifier: GPL-3.0-or-later */
/* octopus-cli-erasure.h — the erasure-coded side of `octopus-cli upload` (issue 20). */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The array's redundancy is erasure K+M with K+M services: TRUE with *@k and *@m set.  A
 * setting that does not fit the services is printed and *@unusable set. */
gboolean octopus_cli_erasure_wanted (GPtrArray *services,
                                     guint     *k,
                                     guint     *m,
                                     gboolean  *unusable);
/* Uploads @paths (files and folders, recursively) as erasure-coded archives; prints one line
 * per file and the per-service summary as the mirrored upload does.  → an exit code. */
int      octopus_cli_erasure_upload (GPtrArray  *services,
                                     guint       k,
                                     guint       m,
                                     char      **paths,
                                     const char *prefix);

G_END_DECLS
