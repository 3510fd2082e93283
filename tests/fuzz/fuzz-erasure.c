/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fuzz-erasure.c — libFuzzer target: an erasure-coded archive from a hostile service.
 *
 * The input is one whole archive.  Its trailer is parsed from the last 640 bytes; if that
 * succeeds, the archive is fed to a decoder as the archive of its own index, in chunks of odd
 * sizes, segment by segment, for as long as the input lasts (with k = 1 one archive decodes).
 * Nothing may crash or read out of bounds; a decode that finishes must have given exactly the
 * original length, and a failure must come with a GError.
 */
#include <stdint.h>
#include <string.h>
#include <glib.h>

#include "fuzz-common.h"

#include "octopus-erasure-reader.h"

int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  fuzz_init_logging ();
  return 0;
}

/* Feeds archive @index from @data until its fragment of the current segment is complete. */
static gboolean
feed (OctopusErasureReader *r, guint index, const guint8 *data, gsize size)
{
  gsize wants;

  while ((wants = octopus_erasure_reader_wants (r, index)) > 0)
    {
      guint64 pos = octopus_erasure_reader_get_offset (r)
                    + octopus_erasure_reader_get_fragment_size (r) - wants;
      gsize chunk = MIN (wants, 4093), consumed = 0;
      g_autoptr(GError) error = NULL;

      if (pos >= size)
        return FALSE;
      chunk = MIN (chunk, size - pos);
      if (!octopus_erasure_reader_feed (r, index, data + pos, chunk, &consumed, &error))
        {
          if (error == NULL)
            abort ();
          return FALSE;
        }
      if (consumed == 0 || consumed > chunk)
        abort ();
    }
  return TRUE;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  OctopusErasureTrailer t;
  g_autoptr(GError) error = NULL;
  g_autoptr(OctopusErasureReader) r = NULL;
  guint64 total = 0;

  if (!octopus_erasure_trailer_parse (data, size, &t, &error))
    {
      if (error == NULL)
        abort ();
      return 0;
    }
  r = octopus_erasure_reader_new (&t, &error);
  if (r == NULL)
    return 0;
  while (octopus_erasure_reader_get_segment (r) < octopus_erasure_reader_get_n_segments (r))
    {
      g_autoptr(GBytes) bytes = NULL;

      if (!feed (r, t.index, data, size))
        return 0;
      bytes = octopus_erasure_reader_next (r, &error);
      if (bytes == NULL)
        {
          if (error == NULL)
            abort ();
          return 0;
        }
      total += g_bytes_get_size (bytes);
    }
  if (octopus_erasure_reader_finish (r, NULL, &error) && total != t.original_length)
    abort ();
  return 0;
}
