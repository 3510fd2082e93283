/* SPDX-License-Identifier: GPL-3.0-or-later */
/* octopus-cli-upload.c — `octopus-cli upload [PATH...] [--prefix P]`: files and folders to
 * every service at once through the upload queue; what an earlier run (CLI or GUI) left
 * unfinished is resumed first, and with no PATH that is all it does. */
#include "config.h"

#include <stdio.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <glib/gi18n-lib.h>

#include "octopus-service-loader.h"
#include "octopus-upload-journal.h"
#include "octopus-upload-queue.h"
#include "octopus-cli.h"
#include "octopus-cli-upload.h"
#include "octopus-cli-crypt.h"
#include "octopus-cli-erasure.h"

const char octopus_cli_upload_synopsis[] =
  /* Translators: translate the prose; keep the “octopus-cli …” lines as they are. */
  N_("  octopus-cli upload [PATH...] [--prefix P] [--bwlimit RATE] [--transfers N]\n"
     "        Upload files and folders (recursively; keys keep the folder's name and the path\n"
     "        below it, after P/) to every service at once. Files queued earlier and not\n"
     "        finished (quit, crash, kill, a service that was unreachable) are resumed first;\n"
     "        with no PATH, only those. Ends with one line per service:\n"
     "        \"NAME: N uploaded, M failed, sent B bytes\". --bwlimit caps the rate of all\n"
     "        uploads together (5M = 5 MiB/s, 500K, bytes per second; 0 or off = no limit).\n"
     "        --transfers: how many files are uploaded at the same time (1 to 16; default 4).");

/* How many running files the terminal display shows at once. */
#define MAX_LIVE_LINES 8

typedef struct {
  OctopusUploadQueue *queue;
  gboolean            tty;          /* stderr is a terminal: draw live progress there */
  guint               columns;
  guint               live_lines;   /* lines of live progress currently on screen */
  gboolean            failed;
} Display;

static void
display_clear (Display *d)
{
  for (; d->live_lines > 0; d->live_lines--)
    fputs ("\033[1A\033[2K", stderr);
}

static char *
format_progress (OctopusTransfer *t)
{
  GListModel *services = octopus_transfer_get_services (t);
  GString *line = g_string_new (octopus_transfer_get_display_name (t));

  for (guint i = 0; i < g_list_model_get_n_items (services); i++)
    {
      g_autoptr(OctopusUploadProgress) p = g_list_model_get_item (services, i);

      g_string_append_printf (line, "  %s ", octopus_upload_progress_get_service_name (p));
      switch (octopus_upload_progress_get_state (p))
        {
        case OCTOPUS_UPLOAD_STATE_FAILED:
          g_string_append (line, _("failed"));
          break;
        case OCTOPUS_UPLOAD_STATE_CANCELLED:
          g_string_append (line, _("cancelled"));
          break;
        default:
          /* acknowledged bytes only: what the service has really stored */
          g_string_append_printf (line, "%3d%%",
                                  (int) (octopus_upload_progress_get_fraction (p) * 100.0));
        }
    }
  return g_string_free (line, FALSE);
}

static void
display_draw (Display *d)
{
  guint n;

  if (!d->tty)
    return;
  display_clear (d);
  n = g_list_model_get_n_items (G_LIST_MODEL (d->queue));
  for (guint i = 0; i < n && d->live_lines < MAX_LIVE_LINES; i++)
    {
      g_autoptr(OctopusTransfer) t = g_list_model_get_item (G_LIST_MODEL (d->queue), i);
      g_autofree char *line = NULL;
      OctopusTransferState state = octopus_transfer_get_state (t);

      if (state != OCTOPUS_TRANSFER_STATE_PREPARING && state != OCTOPUS_TRANSFER_STATE_UPLOADING)
        continue;
      line = format_progress (t);
      /* Never wrap: a wrapped line would break the cursor-up count. */
      if (g_utf8_strlen (line, -1) >= (glong) d->columns)
        {
          g_autofree char *cut = g_utf8_substring (line, 0, d->columns - 1);
          g_free (line);
          line = g_steal_pointer (&cut);
        }
      fprintf (stderr, "%s\n", line);
      d->live_lines++;
    }
  fflush (stderr);
}

static gboolean
tick_cb (gpointer user_data)
{
  display_draw (user_data);
  return G_SOURCE_CONTINUE;
}

static void
transfer_finished_cb (OctopusUploadQueue *queue,
                      OctopusTransfer    *t,
                      Display            *d)
{
  GListModel *services = octopus_transfer_get_services (t);
  const GError *error = octopus_transfer_get_error (t);
  g_autofree char *key = octopus_cli_printable_key (octopus_transfer_get_display_name (t));

  display_clear (d);
  if (octopus_transfer_get_notice (t) != NULL)
    g_printerr ("%s: %s\n", key, octopus_transfer_get_notice (t));
  if (octopus_transfer_get_state (t) == OCTOPUS_TRANSFER_STATE_DONE)
    printf (_("uploaded %s (%lld bytes)\n"), key, (long long) octopus_transfer_get_size (t));
  else
    {
      d->failed = TRUE;
      if (error != NULL)
        octopus_cli_error ("%s: %s", key, error->message);
      for (guint i = 0; error == NULL && i < g_list_model_get_n_items (services); i++)
        {
          g_autoptr(OctopusUploadProgress) p = g_list_model_get_item (services, i);
          const GError *perr = octopus_upload_progress_get_error (p);
          g_autofree char *named = NULL;

          if (octopus_upload_progress_get_state (p) == OCTOPUS_UPLOAD_STATE_DONE)
            continue;
          named = octopus_service_name_message (octopus_upload_progress_get_service_name (p),
                                                perr ? perr->message : _("not uploaded"));
          octopus_cli_error ("%s: %s", key, named);
        }
    }
  fflush (stdout);
  display_draw (d);
}

/* One line per service: what it holds now, and how much was sent to it. */
static void
print_summary (OctopusUploadQueue *queue)
{
  GPtrArray *services = octopus_upload_queue_get_services (queue);
  guint n = g_list_model_get_n_items (G_LIST_MODEL (queue));

  for (guint s = 0; s < services->len; s++)
    {
      const char *name = octopus_service_get_name (services->pdata[s]);
      guint done = 0, failed = 0;

      for (guint i = 0; i < n; i++)
        {
          g_autoptr(OctopusTransfer) t = g_list_model_get_item (G_LIST_MODEL (queue), i);
          OctopusUploadProgress *p = octopus_transfer_get_progress_for (t, name);

          if (octopus_upload_progress_get_state (p) == OCTOPUS_UPLOAD_STATE_DONE)
            done++;
          else
            failed++;
        }
      printf (_("%s: %u uploaded, %u failed, sent %lld bytes\n"), name, done,
              failed, (long long) octopus_upload_queue_get_bytes_sent (queue, name));
    }
}

/* Is anything journaled by an earlier run?  (Read before the keyring is touched, so that a
 * bare `upload` with nothing to resume stays a plain usage error.) */
static gboolean
journal_has_entries (void)
{
  g_autoptr(OctopusUploadJournal) journal = octopus_upload_journal_new (NULL);
  g_autoptr(GPtrArray) entries = octopus_upload_journal_load (journal);

  return entries->len > 0;
}

/* With encryption on, every file is encrypted before it leaves (octopus-upload-queue-crypt.c):
 * the queue reads the array settings and gets the keys before each PATH, as in the window, and
 * without the keys it uploads nothing rather than upload in the clear. */
static gboolean
set_encryption (OctopusUploadQueue *queue)
{
  gboolean failed = FALSE;

  octopus_cli_crypt_enabled (&failed);
  if (failed)
    return FALSE;
  octopus_upload_queue_follow_array_settings (queue);
  return TRUE;
}

static guint
terminal_columns (void)
{
  struct winsize ws;

  if (ioctl (STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 10)
    return ws.ws_col;
  return 80;
}

int
octopus_cli_upload (int argc, char **argv)
{
  g_autofree char *prefix = NULL;
  g_auto(GStrv) paths = NULL;
  int transfers = -1;   /* not given */
  GOptionEntry entries[] = {
    { "prefix", 0, 0, G_OPTION_ARG_STRING, &prefix, N_("Put the keys under this prefix"), "P" },
    { "transfers", 0, 0, G_OPTION_ARG_INT, &transfers,
      N_("How many files are uploaded at the same time (1 to 16)"), "N" },
    OCTOPUS_CLI_BWLIMIT_ENTRY,
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &paths, NULL, N_("PATH…") },
    G_OPTION_ENTRY_NULL
  };
  g_autoptr(GOptionContext) context =
    g_option_context_new (_("PATH… — upload files and folders"));
  GAsyncResult *pending = NULL;
  g_autoptr(GAsyncResult) res = NULL;
  g_autoptr(GPtrArray) services = NULL;
  g_autoptr(OctopusUploadQueue) queue = NULL;
  g_autoptr(GError) error = NULL;
  Display display = { 0 };
  g_autofree char *left_alone = NULL;
  guint resumed, tick, k, m;
  gboolean unusable;

  g_option_context_set_description (context, _(octopus_cli_upload_synopsis));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      octopus_cli_error ("%s", error->message);
      return OCTOPUS_CLI_EXIT_USAGE;
    }
  if (transfers != -1 && (transfers < 1 || transfers > OCTOPUS_UPLOAD_MAX_TRANSFERS))
    {
      octopus_cli_error (_("--transfers must be between 1 and %d"), OCTOPUS_UPLOAD_MAX_TRANSFERS);
      return OCTOPUS_CLI_EXIT_USAGE;
    }
  if ((paths == NULL || paths[0] == NULL) && !journal_has_entries ())
    {
      octopus_cli_error ("%s", _("upload: no PATH given and nothing to resume; "
                                 "see “octopus-cli upload --help”"));
      return OCTOPUS_CLI_EXIT_USAGE;
    }

  octopus_services_load_async (NULL, octopus_cli_async_done, &pending);
  res = octopus_cli_wait (&pending);
  services = octopus_services_load_finish (res, &error);
  g_clear_object (&res);
  if (services == NULL)
    {
      octopus_cli_error ("%s", error->message);
      return OCTOPUS_CLI_EXIT_FAILED;
    }
  if (services->len == 0)
    {
      octopus_cli_error ("%s", _("no accounts; add one with “octopus-cli account add”"));
      return OCTOPUS_CLI_EXIT_FAILED;
    }

  /* Erasure coding: archives straight to the services, not through the mirrored queue. */
  if (octopus_cli_erasure_wanted (services, &k, &m, &unusable))
    return octopus_cli_erasure_upload (services, k, m, paths, prefix);
  if (unusable)
    return OCTOPUS_CLI_EXIT_FAILED;

  queue = octopus_upload_queue_new (services, NULL);
  if (transfers != -1)
    octopus_upload_queue_set_max_in_flight (queue, (guint) transfers);
  if (!set_encryption (queue))
    return OCTOPUS_CLI_EXIT_FAILED;
  display.queue = queue;
  display.tty = isatty (STDERR_FILENO);
  display.columns = terminal_columns ();
  g_signal_connect (queue, "transfer-finished", G_CALLBACK (transfer_finished_cb), &display);
  tick = display.tty ? g_timeout_add (250, tick_cb, &display) : 0;

  octopus_upload_queue_resume_async (queue, NULL, octopus_cli_async_done, &pending);
  res = octopus_cli_wait (&pending);
  resumed = octopus_upload_queue_resume_finish (queue, res, NULL);
  g_clear_object (&res);
  if (resumed > 0)
    g_printerr (g_dngettext (GETTEXT_PACKAGE, "Resuming %u interrupted upload\n",
                             "Resuming %u interrupted uploads\n", resumed), resumed);
  left_alone = octopus_upload_queue_describe_left_alone (queue);
  if (left_alone != NULL)
    g_printerr ("%s\n", left_alone);

  for (guint i = 0; paths != NULL && paths[i] != NULL; i++)
    {
      g_autoptr(GFile) file = g_file_new_for_commandline_arg (paths[i]);
      g_autoptr(GError) add_error = NULL;

      octopus_upload_queue_add_async (queue, file, prefix, NULL, octopus_cli_async_done, &pending);
      res = octopus_cli_wait (&pending);
      if (!octopus_upload_queue_add_finish (queue, res, &add_error) && add_error != NULL)
        {
          display_clear (&display);
          octopus_cli_error ("%s", add_error->message);
          display.failed = TRUE;
        }
      g_clear_object (&res);
    }

  octopus_upload_queue_wait_async (queue, NULL, octopus_cli_async_done, &pending);
  res = octopus_cli_wait (&pending);
  octopus_upload_queue_wait_finish (queue, res, NULL);

  if (tick != 0)
    g_source_remove (tick);
  display_clear (&display);
  g_signal_handlers_disconnect_by_data (queue, &display);
  print_summary (queue);
  return display.failed ? OCTOPUS_CLI_EXIT_FAILED : OCTOPUS_CLI_EXIT_OK;
}
