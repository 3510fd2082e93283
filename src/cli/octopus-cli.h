/* SPDX-License-Identifier: GPL-3.0-or-later */
/* octopus-cli.h — what the subcommands of octopus-cli share.
 *
 * Adding a command: write `int octopus_cli_NAME (int argc, char **argv)` in
 * octopus-cli-NAME.c (argv[0] is the command word, e.g. "status"), declare it and its
 * synopsis below, add one row to the `commands` table in octopus-cli.c and the file to
 * src/cli/meson.build.  Return one of the exit codes below.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* The exit status contract of docs/DESIGN.md. */
enum {
  OCTOPUS_CLI_EXIT_OK = 0,       /* every service succeeded */
  OCTOPUS_CLI_EXIT_FAILED = 1,   /* some service (or the keyring, or a file) failed: printed */
  OCTOPUS_CLI_EXIT_USAGE = 2,    /* the command line was wrong */
};

/* Runs the default main context until *@result is set by octopus_cli_async_done(), and
 * returns it (owned).  Use: `GAsyncResult *res = NULL; x_async (…, octopus_cli_async_done,
 * &res); g_autoptr(GAsyncResult) r = octopus_cli_wait (&res);` */
void          octopus_cli_async_done (GObject      *source,
                                      GAsyncResult *result,
                                      gpointer      user_data);
GAsyncResult *octopus_cli_wait       (GAsyncResult **result);

/* Prints "octopus-cli: <message>" on stderr. */
void          octopus_cli_error      (const char *format, ...) G_GNUC_PRINTF (1, 2);

/* @key as one line of output: backslash, control characters and DEL escaped (\n, \t,
 * \\, \xNN), so that a key holding a newline cannot split a line that scripts read.  Not
 * g_strescape(): it would also escape every byte of a UTF-8 name as octal. */
char         *octopus_cli_printable_key (const char *key);

/* Whether a keyring may ask for its password: there is a display to ask on. */
gboolean      octopus_cli_can_prompt (void);
/* One line of standard input into @line (@size bytes, line end kept), not echoed on a
 * terminal, where @prompt is shown first; FALSE at the end of input.  The caller makes stdin
 * unbuffered first (so no copy stays in stdio's buffer) and wipes @line. */
gboolean      octopus_cli_read_quiet_line (const char *prompt,
                                           char       *line,
                                           int         size);

/* --bwlimit RATE, which every transfer command takes: one limit for the uploads and the
 * downloads of this process together (octopus-rate-limit.h). */
gboolean      octopus_cli_bwlimit_cb (const char *option_name,
                                      const char *value,
                                      gpointer    data,
                                      GError    **error);
#define OCTOPUS_CLI_BWLIMIT_ENTRY                                                    \
  { "bwlimit", 0, 0, G_OPTION_ARG_CALLBACK, (gpointer) octopus_cli_bwlimit_cb,       \
    N_("Limit the transfer rate: 5M = 5 MiB/s, 500K, bytes per second; 0 or off = no limit"), \
    N_("RATE") }

/* Subcommands: entry point and the lines they add to `octopus-cli --help`. */
int           octopus_cli_account    (int argc, char **argv);
extern const char octopus_cli_account_synopsis[];
/* octopus-cli-settings.c: the array settings */
int           octopus_cli_redundancy (int argc, char **argv);
int           octopus_cli_encryption (int argc, char **argv);
extern const char octopus_cli_redundancy_synopsis[];
extern const char octopus_cli_encryption_synopsis[];

G_END_DECLS
