/* SPDX-License-Identifier: GPL-3.0-or-later */
/* octopus-erasure-tool.c — the archive format from the command line, for tests that cross-check
 * it with other implementations (pyeclib) and for looking at archives by hand:
 *
 *   octopus-erasure-tool encode FILE OUTDIR K M        writes OUTDIR/archive.0 … archive.K+M-1
 *   octopus-erasure-tool decode OUT ARCHIVE...          any k archives of a set
 *   octopus-erasure-tool rebuild INDEX OUT ARCHIVE...   archive INDEX from k others
 *   octopus-erasure-tool trailer ARCHIVE                what the trailer says */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "octopus-erasure-files.h"

static int
usage (void)
{
  fprintf (stderr, "usage: octopus-erasure-tool encode FILE OUTDIR K M\n"
                   "       octopus-erasure-tool decode OUT ARCHIVE...\n"
                   "       octopus-erasure-tool rebuild INDEX OUT ARCHIVE...\n"
                   "       octopus-erasure-tool trailer ARCHIVE\n");
  return 2;
}

static gboolean
encode (char **argv, GError **error)
{
  guint k = (guint) atoi (argv[2]), m = (guint) atoi (argv[3]);
  g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < k + m && i < OCTOPUS_ERASURE_MAX_FRAGMENTS; i++)
    g_ptr_array_add (paths, g_strdup_printf ("%s/archive.%u", argv[1], i));
  g_ptr_array_add (paths, NULL);
  return octopus_erasure_encode_file (argv[0], k, m, (const char *const *) paths->pdata, NULL,
                                      error);
}

static gboolean
show_trailer (const char *path, GError **error)
{
  OctopusErasureTrailer t;

  if (!octopus_erasure_read_trailer (path, &t, error))
    return FALSE;
  printf ("k=%u m=%u index=%u segment_size=%u original_length=%" G_GUINT64_FORMAT
          " data_length=%" G_GUINT64_FORMAT " libec_version=0x%06x\n",
          t.k, t.m, t.index, t.segment_size, t.original_length, t.data_length, t.libec_version);
  for (guint i = 0; i < t.k + t.m; i++)
    {
      GString *hex = g_string_new (NULL);

      for (guint j = 0; j < 16; j++)
        g_string_append_printf (hex, "%02x", t.archive_md5[i][j]);
      printf ("archive_md5[%u]=%s\n", i, hex->str);
      g_string_free (hex, TRUE);
    }
  return TRUE;
}

int
main (int argc, char *argv[])
{
  g_autoptr(GError) error = NULL;
  guint32 damaged = 0;
  gboolean ok;

  if (argc < 3)
    return usage ();
  if (g_str_equal (argv[1], "encode") && argc == 6)
    ok = encode (argv + 2, &error);
  else if (g_str_equal (argv[1], "decode") && argc >= 4)
    ok = octopus_erasure_decode_archives ((const char *const *) argv + 3, argv[2], &damaged,
                                          NULL, &error);
  else if (g_str_equal (argv[1], "rebuild") && argc >= 5)
    ok = octopus_erasure_rebuild_archive ((const char *const *) argv + 4,
                                          (guint) atoi (argv[2]), argv[3], NULL, &error);
  else if (g_str_equal (argv[1], "trailer") && argc == 3)
    ok = show_trailer (argv[2], &error);
  else
    return usage ();
  if (damaged != 0)
    fprintf (stderr, "damaged fragments in archives 0x%x\n", damaged);
  if (!ok)
    {
      fprintf (stderr, "octopus-erasure-tool: %s\n", error->message);
      return 1;
    }
  return 0;
}
