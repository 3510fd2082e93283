/* SPDX-License-Identifier: GPL-3.0-or-later */
/* octopus-rate-limit.c — a token bucket that may go into debt.
 *
 * A reader that finds tokens gets its whole chunk (up to the bucket's size) even if that takes
 * the bucket below zero; the next reader waits until the debt is paid. So chunks stay as large
 * as the caller asks (no trickle of one-byte reads) and the long-run rate is exactly the rate.
 * The bucket holds half a second of bytes: enough to bridge the pause between two parts (the
 * service answering one before the next is sent) so a transfer runs at the rate and not
 * below it, small enough that a lower rate shows within half a second (set_rate cuts it).
 */
#include "config.h"

#include "octopus-rate-limit.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#define MIN_BURST 8192

struct _OctopusRateLimit {
  GObject               parent_instance;
  guint64               rate;
  double                tokens;  /* negative while in debt */
  gint64                last_us; /* when tokens was last brought up to date */
  OctopusRateLimitClock clock;
  gpointer              clock_data;
};

G_DEFINE_FINAL_TYPE (OctopusRateLimit, octopus_rate_limit, G_TYPE_OBJECT)

enum { PROP_0, PROP_RATE, N_PROPS };
static GParamSpec *properties[N_PROPS];

static gint64
real_clock (gpointer data)
{
  return g_get_monotonic_time ();
}

static double
burst (OctopusRateLimit *self)
{
  return MAX ((double) self->rate / 2.0, (double) MIN_BURST);
}

static void
refill (OctopusRateLimit *self)
{
  gint64 now = self->clock (self->clock_data);

  if (self->rate > 0 && now > self->last_us)
    self->tokens = MIN (burst (self),
                        self->tokens + (double) self->rate * (double) (now - self->last_us) / 1e6);
  self->last_us = now;
}

static void
octopus_rate_limit_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  OctopusRateLimit *self = OCTOPUS_RATE_LIMIT (object);

  if (prop_id == PROP_RATE)
    g_value_set_uint64 (value, self->rate);
  else
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
}

static void
octopus_rate_limit_set_property (GObject *object, guint prop_id, const GValue *value,
                                 GParamSpec *pspec)
{
  OctopusRateLimit *self = OCTOPUS_RATE_LIMIT (object);

  if (prop_id == PROP_RATE)
    octopus_rate_limit_set_rate (self, g_value_get_uint64 (value));
  else
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
}

static void
octopus_rate_limit_class_init (OctopusRateLimitClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = octopus_rate_limit_get_property;
  object_class->set_property = octopus_rate_limit_set_property;
  properties[PROP_RATE] =
    g_param_spec_uint64 ("rate", NULL, NULL, 0, G_MAXUINT64, 0,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
octopus_rate_limit_init (OctopusRateLimit *self)
{
  self->clock = real_clock;
}

OctopusRateLimit *
octopus_rate_limit_new (guint64 rate)
{
  OctopusRateLimit *self = g_object_new (OCTOPUS_TYPE_RATE_LIMIT, NULL);

  self->rate = rate;
  self->last_us = self->clock (self->clock_data);
  self->tokens = burst (self);
  return self;
}

void
octopus_rate_limit_set_clock (OctopusRateLimit     *self,
                              OctopusRateLimitClock clock,
                              gpointer              clock_data)
{
  g_return_if_fail (OCTOPUS_IS_RATE_LIMIT (self));

  self->clock = clock != NULL ? clock : real_clock;
  self->clock_data = clock_data;
  self->last_us = self->clock (self->clock_data);
}

guint64
octopus_rate_limit_get_rate (OctopusRateLimit *self)
{
  g_return_val_if_fail (OCTOPUS_IS_RATE_LIMIT (self), 0);
  return self->rate;
}

void
octopus_rate_limit_set_rate (OctopusRateLimit *self,
                             guint64           rate)
{
  gboolean was_unlimited;

  g_return_if_fail (OCTOPUS_IS_RATE_LIMIT (self));

  if (rate == self->rate)
    return;
  /* Bytes earned so far were earned at the old rate; a debt carries over, a full bucket is cut
   * to the new size so a lower rate shows at once. Unlimited → limited starts full. */
  refill (self);
  was_unlimited = self->rate == 0;
  self->rate = rate;
  self->tokens = was_unlimited ? burst (self) : MIN (self->tokens, burst (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RATE]);
}

gsize
octopus_rate_limit_take (OctopusRateLimit *self,
                         gsize             wanted,
                         gint64           *wait_us)
{
  gsize granted;

  g_return_val_if_fail (OCTOPUS_IS_RATE_LIMIT (self), wanted);

  *wait_us = 0;
  if (self->rate == 0 || wanted == 0)
    return wanted;
  refill (self);
  if (self->tokens <= 0)
    {
      *wait_us = MAX ((gint64) 1, (gint64) (-self->tokens * 1e6 / (double) self->rate) + 1);
      return 0;
    }
  granted = (gsize) MIN ((double) wanted, burst (self));
  self->tokens -= (double) granted;
  return granted;
}

void
octopus_rate_limit_give_back (OctopusRateLimit *self,
                              gsize             unused)
{
  g_return_if_fail (OCTOPUS_IS_RATE_LIMIT (self));

  if (self->rate > 0)
    self->tokens = MIN (burst (self), self->tokens + (double) unused);
}

OctopusRateLimit *
octopus_rate_limit_get_upload (void)
{
  static OctopusRateLimit *upload;

  if (g_once_init_enter (&upload))
    g_once_init_leave (&upload, octopus_rate_limit_new (0));
  return upload;
}

OctopusRateLimit *
octopus_rate_limit_get_download (void)
{
  static OctopusRateLimit *download;

  if (g_once_init_enter (&download))
    g_once_init_leave (&download, octopus_rate_limit_new (0));
  return download;
}

gboolean
octopus_rate_parse (const char *text,
                    guint64    *rate,
                    GError    **error)
{
  static const char units[] = "bkmgt";
  g_autofree char *s = g_strstrip (g_strdup (text != NULL ? text : ""));
  gsize digits = strspn (s, "0123456789");
  const char *unit = s[digits] != '\0' ? strchr (units, g_ascii_tolower (s[digits])) : NULL;
  guint64 value = 0, scale = 1;

  if (g_ascii_strcasecmp (s, "off") == 0)
    {
      *rate = 0;
      return TRUE;
    }
  if (unit != NULL && s[digits + 1] == '\0')
    {
      scale = (guint64) 1 << (10 * (unit - units));
      s[digits] = '\0';
    }
  if (digits == 0 || s[digits] != '\0'
      || !g_ascii_string_to_unsigned (s, 10, 0, G_MAXUINT64 / scale, &value, NULL))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("“%s” is not a rate: use bytes per second or a number with K, M or G "
                     "(5M = 5 MiB/s), or off"), text);
      return FALSE;
    }
  *rate = value * scale;
  return TRUE;
}
