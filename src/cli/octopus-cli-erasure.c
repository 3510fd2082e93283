/* SPDX-License-Identifier: GPL-3.0-or-later */
/* octopus-cli-erasure.c — `octopus-cli upload` when the array's redundancy is erasure coding:
 * one file at a time, archive i to service i (OctopusErasureUpload).  Interrupted erasure
 * uploads are not journaled: a later run uploads the file again. */
#include "config.h"

#include <stdio.h>
#include <unistd.h>
#include <glib/gi18n-lib.h>

#include "octopus-array-settings.h"
#include "octopus-erasure-upload.h"
#include "octopus-service.h"
#include "octopus-cli.h"
#include "octopus-cli-erasure.h"

#define PREFERRED_PART_SIZE (8 * 1024 * 1024)

typedef struct {
  GPtrArray *services;
  guint      k, m;
  guint     *done;       /* per service: archives stored */
  guint     *failed;     /* per service: archives not stored */
  goffset   *sent;       /* per service: bytes acknowledged */
  gboolean   any_failed;
  OctopusErasureUpload *current;  /* the file being uploaded, for the live line */
  gboolean   shown;      /* a live line is on the terminal */
} Run;

gboolean
octopus_cli_erasure_wanted (GPtrArray *services, guint *k, guint *m, gboolean *unusable)
{
  g_autoptr(OctopusArraySettings) settings = octopus_array_settings_new (NULL);
  g_autoptr(GError) error = NULL;

  *unusable = FALSE;
  if (!octopus_array_settings_load (settings, &error))
    {
      octopus_cli_error ("%s", error->message);
      *unusable = TRUE;
      return FALSE;
    }
  if (octopus_array_settings_get_redundancy (settings) != OCTOPUS_REDUNDANCY_ERASURE)
    return FALSE;
  /* Encrypt-then-encode is not wired yet: never send plaintext where ciphertext was asked for. */
  if (octopus_array_settings_get_encryption (settings) != OCTOPUS_ENCRYPTION_OFF)
    {
      octopus_cli_error ("%s", _("erasure coding together with encryption is not supported "
                                 "yet: nothing was uploaded; choose one (“octopus-cli "
                                 "redundancy set mirror” keeps encryption)"));
      *unusable = TRUE;
      return FALSE;
    }
  *k = octopus_array_settings_get_k (settings);
  *m = octopus_array_settings_get_m (settings);
  if (*k + *m != services->len)
    {
      octopus_cli_error (_("the redundancy is erasure coding %u+%u, which needs %u services; "
                           "there are %u (change it with “octopus-cli redundancy set”)"),
                         *k, *m, *k + *m, services->len);
      *unusable = TRUE;
      return FALSE;
    }
  return TRUE;
}

static void
clear_live (Run *run)
{
  if (run->shown)
    fputs ("\033[1A\033[2K", stderr);
  run->shown = FALSE;
}

/* On a terminal, as for mirrored uploads: the key, then each service's acknowledged share of
 * its archive. */
static gboolean
draw_live_cb (gpointer user_data)
{
  Run *run = user_data;
  goffset total;
  g_autoptr(GString) line = NULL;

  if (run->current == NULL)
    return G_SOURCE_CONTINUE;
  total = octopus_erasure_upload_get_archive_size (run->current);
  line = g_string_new (octopus_erasure_upload_get_key (run->current));
  for (guint i = 0; i < run->services->len; i++)
    g_string_append_printf (line, "  %s %3d%%", octopus_service_get_name (run->services->pdata[i]),
                            total > 0 ? (int) (octopus_erasure_upload_get_sent (run->current, i)
                                               * 100 / total) : 0);
  clear_live (run);
  fprintf (stderr, "%s\n", line->str);
  fflush (stderr);
  run->shown = TRUE;
  return G_SOURCE_CONTINUE;
}

static void
report_file (Run *run, OctopusErasureUpload *up, gboolean ok, const GError *error)
{
  g_autofree char *key = octopus_cli_printable_key (octopus_erasure_upload_get_key (up));

  for (guint i = 0; i < run->services->len; i++)
    {
      const GError *aerr = octopus_erasure_upload_get_error (up, i);
      const char *name = octopus_service_get_name (run->services->pdata[i]);

      run->sent[i] += octopus_erasure_upload_get_sent (up, i);
      if (aerr == NULL && octopus_erasure_upload_get_sent (up, i) > 0)
        {
          run->done[i]++;
          continue;
        }
      run->failed[i]++;
      if (aerr != NULL)
        {
          g_autofree char *named = octopus_service_name_message (name, aerr->message);

          octopus_cli_error ("%s: %s", key, named);
        }
    }
  if (!ok)
    {
      run->any_failed = TRUE;
      octopus_cli_error ("%s: %s", key, error->message);
      return;
    }
  if (octopus_erasure_upload_get_n_stored (up) < run->k + run->m)
    g_printerr (_("%s: stored on %u of %u services; the others need a repair\n"), key,
                octopus_erasure_upload_get_n_stored (up), run->k + run->m);
  printf (_("uploaded %s (%lld bytes)\n"), key, (long long) octopus_erasure_upload_get_size (up));
  fflush (stdout);
}

static void
upload_file (Run *run, GFile *file, const char *key, goffset size)
{
  g_autoptr(OctopusErasureUpload) up = NULL;
  g_autoptr(GAsyncResult) res = NULL;
  g_autoptr(GError) error = NULL;
  GAsyncResult *pending = NULL;
  gsize part = PREFERRED_PART_SIZE;
  gboolean ok;

  /* Each archive is about size/k: keep within 10000 parts. */
  while ((goffset) part * 9000 < size / run->k)
    part *= 2;
  up = octopus_erasure_upload_new (run->services, file, key, run->k, run->m, part);
  run->current = up;
  octopus_erasure_upload_run_async (up, NULL, octopus_cli_async_done, &pending);
  res = octopus_cli_wait (&pending);
  ok = octopus_erasure_upload_run_finish (up, res, &error);
  run->current = NULL;
  clear_live (run);
  report_file (run, up, ok, error);
}

static void
upload_path (Run *run, GFile *file, const char *key)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GFileInfo) info = g_file_query_info (file, G_FILE_ATTRIBUTE_STANDARD_TYPE ","
                                                 G_FILE_ATTRIBUTE_STANDARD_SIZE ","
                                                 G_FILE_ATTRIBUTE_STANDARD_NAME,
                                                 G_FILE_QUERY_INFO_NOFOLLOW_SYMLINKS, NULL,
                                                 &error);
  g_autoptr(GFileEnumerator) children = NULL;
  GFileInfo *child;

  if (info == NULL)
    {
      octopus_cli_error ("%s", error->message);
      run->any_failed = TRUE;
      return;
    }
  if (g_file_info_get_file_type (info) == G_FILE_TYPE_REGULAR)
    {
      upload_file (run, file, key, g_file_info_get_size (info));
      return;
    }
  if (g_file_info_get_file_type (info) != G_FILE_TYPE_DIRECTORY)
    return;
  children = g_file_enumerate_children (file, G_FILE_ATTRIBUTE_STANDARD_NAME,
                                        G_FILE_QUERY_INFO_NOFOLLOW_SYMLINKS, NULL, &error);
  while (children != NULL
         && g_file_enumerator_iterate (children, &child, NULL, NULL, &error) && child != NULL)
    {
      const char *name = g_file_info_get_name (child);
      g_autoptr(GFile) sub = g_file_get_child (file, name);
      g_autofree char *subkey = g_strconcat (key, "/", name, NULL);

      upload_path (run, sub, subkey);
    }
  if (error != NULL)
    {
      octopus_cli_error ("%s", error->message);
      run->any_failed = TRUE;
    }
}

static char *
normalize_prefix (const char *prefix)
{
  while (prefix != NULL && *prefix == '/')
    prefix++;
  if (prefix == NULL || *prefix == '\0')
    return g_strdup ("");
  if (g_str_has_suffix (prefix, "/"))
    return g_strdup (prefix);
  return g_strconcat (prefix, "/", NULL);
}

int
octopus_cli_erasure_upload (GPtrArray *services, guint k, guint m, char **paths,
                            const char *prefix)
{
  g_autofree char *pfx = normalize_prefix (prefix);
  g_autofree guint *done = g_new0 (guint, services->len);
  g_autofree guint *failed = g_new0 (guint, services->len);
  g_autofree goffset *sent = g_new0 (goffset, services->len);
  Run run = { services, k, m, done, failed, sent, FALSE, NULL, FALSE };
  guint tick = isatty (STDERR_FILENO) ? g_timeout_add (250, draw_live_cb, &run) : 0;

  for (guint i = 0; paths != NULL && paths[i] != NULL; i++)
    {
      g_autoptr(GFile) file = g_file_new_for_commandline_arg (paths[i]);
      g_autofree char *name = g_file_get_basename (file);
      g_autofree char *key = g_strconcat (pfx, name, NULL);

      upload_path (&run, file, key);
    }
  if (tick != 0)
    g_source_remove (tick);
  for (guint s = 0; s < services->len; s++)
    printf (_("%s: %u uploaded, %u failed, sent %lld bytes\n"),
            octopus_service_get_name (services->pdata[s]), done[s], failed[s],
            (long long) sent[s]);
  return run.any_failed ? OCTOPUS_CLI_EXIT_FAILED : OCTOPUS_CLI_EXIT_OK;
}
