/* SPDX-License-Identifier: GPL-3.0-or-later */
/* octopus-fanout.c — see octopus-fanout.h. */
#include "config.h"

#include "octopus-fanout.h"

void
octopus_fanout_begin (OctopusFanout     *self,
                      OctopusFanoutNext  next,
                      gpointer           data)
{
  g_return_if_fail (self->pending == 0);

  self->pending = 1;
  self->next = next;
  self->data = data;
}

void
octopus_fanout_add (OctopusFanout *self)
{
  g_return_if_fail (self->pending > 0);
  self->pending++;
}

void
octopus_fanout_answer (OctopusFanout *self)
{
  g_return_if_fail (self->pending > 0);

  /* Nothing of @self is touched after @next: it may free what holds the fan-out. */
  if (--self->pending == 0)
    self->next (self->data);
}

void
octopus_fanout_seal (OctopusFanout *self)
{
  octopus_fanout_answer (self);
}
