/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fuzz-common.h — shared set-up for the libFuzzer targets.
 *
 * GLib ends a fatal log (g_error, a critical made fatal) with SIGTRAP, which libFuzzer does
 * not catch, so the input that caused it would not be saved.  This writer prints the message
 * and calls abort() instead: libFuzzer then saves the input as a crash.
 */
#pragma once

#include <stdio.h>
#include <stdlib.h>
#include <glib.h>

static GLogWriterOutput
fuzz_log_writer (GLogLevelFlags level, const GLogField *fields, gsize n_fields, gpointer data)
{
  if (level & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL | G_LOG_FLAG_FATAL))
    {
      for (gsize i = 0; i < n_fields; i++)
        if (g_strcmp0 (fields[i].key, "MESSAGE") == 0)
          fprintf (stderr, "FUZZ FAILURE: %s\n", (const char *) fields[i].value);
      fflush (stderr);
      abort ();
    }
  /* Messages, warnings and debug output are noise at a million runs. */
  return G_LOG_WRITER_HANDLED;
}

static inline void
fuzz_init_logging (void)
{
  g_log_set_always_fatal (G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_ERROR);
  g_log_set_writer_func (fuzz_log_writer, NULL, NULL);
}
