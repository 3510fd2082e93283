/* SPDX-License-Identifier: GPL-3.0-or-later */
/* octopus-fanout.h — one step of the engine that sends a call to each service and goes on
 * once every one has answered (repair, ACLs, delete, resume).
 *
 *   octopus_fanout_begin (&data->fanout, next_step, data);  holds the step open
 *   for each service: octopus_fanout_add (&data->fanout); start the call…
 *     …and in the call's callback: octopus_fanout_answer (&data->fanout);
 *   octopus_fanout_seal (&data->fanout);                    every call started
 *
 * @next runs once, after the seal and the last answer, whichever comes last (at once from
 * the seal when no call was started).  It may free the struct the fan-out lives in.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef void (*OctopusFanoutNext) (gpointer data);

typedef struct {
  guint             pending;   /* calls not yet answered, plus one until the seal */
  OctopusFanoutNext next;
  gpointer          data;
} OctopusFanout;

void octopus_fanout_begin  (OctopusFanout     *self,
                            OctopusFanoutNext  next,
                            gpointer           data);
void octopus_fanout_add    (OctopusFanout     *self);
void octopus_fanout_answer (OctopusFanout     *self);
void octopus_fanout_seal   (OctopusFanout     *self);

G_END_DECLS
