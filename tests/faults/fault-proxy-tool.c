/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fault-proxy-tool.c — the fault proxy as a process, for shell tests of octopus-cli.
 *
 *   fault-proxy-tool UPSTREAM_URL [--reset-connections-after BYTES] [--report-bytes MS]
 *
 * Prints the proxy's endpoint ("http://127.0.0.1:PORT") on one line of standard output, then
 * forwards connections until SIGTERM or SIGINT.  SIGUSR1 clears every fault: from then on
 * traffic passes untouched.  --report-bytes prints "bytes REALTIME_MS TOTAL" every MS
 * milliseconds: the bytes sent upstream so far, on the wall clock a shell test can compare
 * with `date +%s%3N` (to measure a transfer's rate from outside the client).
 */
#include <stdio.h>
#include <glib-unix.h>

#include "octopus-fault-proxy.h"

static gboolean
quit_cb (gpointer user_data)
{
  g_main_loop_quit (user_data);
  return G_SOURCE_CONTINUE;
}

static gboolean
report_bytes_cb (gpointer user_data)
{
  printf ("bytes %" G_GINT64_FORMAT " %" G_GUINT64_FORMAT "\n", g_get_real_time () / 1000,
          octopus_fault_proxy_get_bytes_upstream (user_data));
  fflush (stdout);
  return G_SOURCE_CONTINUE;
}

static gboolean
clear_cb (gpointer user_data)
{
  octopus_fault_proxy_clear (user_data);
  return G_SOURCE_CONTINUE;
}

int
main (int argc, char **argv)
{
  gint64 reset_after = 0;
  int report_ms = 0;
  GOptionEntry entries[] = {
    { "reset-connections-after", 0, 0, G_OPTION_ARG_INT64, &reset_after,
      "Reset every connection once it carried BYTES upstream", "BYTES" },
    { "report-bytes", 0, 0, G_OPTION_ARG_INT, &report_ms,
      "Print the bytes sent upstream so far every MS milliseconds", "MS" },
    G_OPTION_ENTRY_NULL
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("UPSTREAM_URL");
  g_autoptr(GError) error = NULL;
  g_autoptr(OctopusFaultProxy) proxy = NULL;
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) || argc != 2)
    {
      g_printerr ("usage: fault-proxy-tool UPSTREAM_URL [--reset-connections-after BYTES] "
                  "[--report-bytes MS]\n");
      return 2;
    }
  proxy = octopus_fault_proxy_new (argv[1], &error);
  if (proxy == NULL)
    {
      g_printerr ("fault-proxy-tool: %s\n", error->message);
      return 1;
    }
  if (reset_after > 0)
    octopus_fault_proxy_reset_connections_after (proxy, (gsize) reset_after, G_MAXUINT);

  g_unix_signal_add (SIGTERM, quit_cb, loop);
  g_unix_signal_add (SIGINT, quit_cb, loop);
  g_unix_signal_add (SIGUSR1, clear_cb, proxy);
  printf ("%s\n", octopus_fault_proxy_get_endpoint (proxy));
  fflush (stdout);
  if (report_ms > 0)
    g_timeout_add (report_ms, report_bytes_cb, proxy);
  g_main_loop_run (loop);
  return 0;
}
