/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-rate-limit.c — the token bucket on a fake clock (deterministic), the RATE syntax, and
 * the rate-limited stream on the real clock (the bytes it lets through are bounded by the
 * rate, which a limit without a bucket would exceed by far). */
#include "config.h"

#include <gio/gio.h>

#include "octopus-rate-limit.h"
#include "octopus-rate-limited-stream.h"

#define MIB (1024 * 1024)

static gint64
fake_clock (gpointer data)
{
  return *(gint64 *) data;
}

/* Bytes the bucket grants while a reader keeps asking for 8 KiB chunks from @from_us to
 * @to_us, stepping the fake clock to each time the bucket says to wait for. */
static guint64
drain (OctopusRateLimit *limit,
       gint64           *now,
       gint64            to_us)
{
  guint64 total = 0;

  while (*now < to_us)
    {
      gint64 wait_us;
      gsize n = octopus_rate_limit_take (limit, 8192, &wait_us);

      total += n;
      if (n == 0)
        *now += MAX (wait_us, (gint64) 1);
    }
  return total;
}

static void
test_bucket_rate (void)
{
  gint64 now = 1000000;
  g_autoptr(OctopusRateLimit) limit = octopus_rate_limit_new (4 * MIB);
  guint64 got;

  octopus_rate_limit_set_clock (limit, fake_clock, &now);
  /* Ten seconds at 4 MiB/s: 40 MiB plus at most the first bucket (half a second) and one
   * chunk of debt. */
  got = drain (limit, &now, now + 10 * G_USEC_PER_SEC);
  g_assert_cmpuint (got, >=, 40 * MIB);
  g_assert_cmpuint (got, <=, 40 * MIB + 4 * MIB / 2 + 8192);
}

static void
test_bucket_change (void)
{
  gint64 now = 0;
  g_autoptr(OctopusRateLimit) limit = octopus_rate_limit_new (1 * MIB);
  guint64 got;

  octopus_rate_limit_set_clock (limit, fake_clock, &now);
  drain (limit, &now, 2 * G_USEC_PER_SEC);
  /* The new rate holds from the moment it is set. */
  octopus_rate_limit_set_rate (limit, 8 * MIB);
  got = drain (limit, &now, 3 * G_USEC_PER_SEC);
  g_assert_cmpuint (got, >=, 8 * MIB - 2 * 8192);
  g_assert_cmpuint (got, <=, 8 * MIB + 8 * MIB / 2 + 8192);
  octopus_rate_limit_set_rate (limit, 512 * 1024);
  got = drain (limit, &now, 4 * G_USEC_PER_SEC);
  g_assert_cmpuint (got, <=, 512 * 1024 + 2 * 8192);
  g_assert_cmpuint (got, >=, 512 * 1024 - 2 * 8192);
}

static void
test_bucket_unlimited (void)
{
  gint64 now = 0, wait_us = -1;
  g_autoptr(OctopusRateLimit) limit = octopus_rate_limit_new (0);

  octopus_rate_limit_set_clock (limit, fake_clock, &now);
  for (guint i = 0; i < 1000; i++)
    g_assert_cmpuint (octopus_rate_limit_take (limit, 1 << 20, &wait_us), ==, 1 << 20);
  g_assert_cmpint (wait_us, ==, 0);
  /* Limited again: the bucket says to wait once it is spent, and for how long. */
  octopus_rate_limit_set_rate (limit, 100000);
  while (octopus_rate_limit_take (limit, 8192, &wait_us) > 0)
    ;
  g_assert_cmpint (wait_us, >, 0);
  g_assert_cmpint (wait_us, <=, (gint64) 8192 * G_USEC_PER_SEC / 100000 + 1);
}

static void
test_parse (void)
{
  static const struct { const char *text; guint64 rate; } good[] = {
    { "5M", 5 * MIB }, { "5m", 5 * MIB }, { "500K", 500 * 1024 }, { "1G", 1024 * MIB },
    { "12345", 12345 }, { "10b", 10 }, { "0", 0 }, { "off", 0 }, { "OFF", 0 }, { " 4M ", 4 * MIB },
  };
  static const char *bad[] = { "", "M", "5X", "5MB", "-1", "1.5M", "fast", "99999999999999999999" };

  for (gsize i = 0; i < G_N_ELEMENTS (good); i++)
    {
      g_autoptr(GError) error = NULL;
      guint64 rate = 1;

      g_assert_true (octopus_rate_parse (good[i].text, &rate, &error));
      g_assert_no_error (error);
      g_assert_cmpuint (rate, ==, good[i].rate);
    }
  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      guint64 rate = 7;

      g_assert_false (octopus_rate_parse (bad[i], &rate, &error));
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
      g_assert_cmpuint (rate, ==, 7);
    }
}

typedef struct {
  GInputStream *stream;
  char          buffer[8192];
  guint64       total;
  gboolean      done;
} Reader;

static void
read_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Reader *reader = user_data;
  g_autoptr(GError) error = NULL;
  gssize n = g_input_stream_read_finish (G_INPUT_STREAM (source), result, &error);

  g_assert_no_error (error);
  reader->total += (guint64) MAX (n, 0);
  if (n <= 0)
    {
      reader->done = TRUE;
      return;
    }
  g_input_stream_read_async (reader->stream, reader->buffer, sizeof reader->buffer,
                             G_PRIORITY_DEFAULT, NULL, read_cb, reader);
}

/* 4 MiB through a 4 MiB/s limit: about half a second, never much less, all bytes intact. */
static void
test_stream (void)
{
  g_autofree char *data = g_malloc0 (4 * MIB);
  g_autoptr(GBytes) bytes = g_bytes_new_take (g_steal_pointer (&data), 4 * MIB);
  g_autoptr(GInputStream) memory = g_memory_input_stream_new_from_bytes (bytes);
  g_autoptr(OctopusRateLimit) limit = octopus_rate_limit_new (4 * MIB);
  g_autoptr(GInputStream) stream = octopus_rate_limited_stream_new (memory, limit);
  Reader reader = { stream };
  gint64 start = g_get_monotonic_time ();
  double seconds;

  g_input_stream_read_async (stream, reader.buffer, sizeof reader.buffer, G_PRIORITY_DEFAULT,
                             NULL, read_cb, &reader);
  while (!reader.done)
    g_main_context_iteration (NULL, TRUE);
  seconds = (double) (g_get_monotonic_time () - start) / G_USEC_PER_SEC;
  g_assert_cmpuint (reader.total, ==, 4 * MIB);
  /* The first half second is the bucket's burst: (4 MiB - 2 MiB) / 4 MiB/s = 0.5 s. */
  g_assert_cmpfloat (seconds, >=, 0.48);
  g_assert_cmpfloat (seconds, <=, 0.5 * 1.5);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/rate-limit/bucket-rate", test_bucket_rate);
  g_test_add_func ("/rate-limit/bucket-change", test_bucket_change);
  g_test_add_func ("/rate-limit/bucket-unlimited", test_bucket_unlimited);
  g_test_add_func ("/rate-limit/parse", test_parse);
  g_test_add_func ("/rate-limit/stream", test_stream);
  return g_test_run ();
}
