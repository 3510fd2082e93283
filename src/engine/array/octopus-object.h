/* SPDX-License-Identifier: GPL-3.0-or-later */
/* octopus-object.h — one row of the object table: a key and what every service holds for it.
 *
 * Identity is the key.  Each service column (by index, in the array's service order, or by
 * name) has a state, and when the service holds a copy its size, ETag, content MD5 and
 * last-modified time.  The row's "state" is the worst of its columns.  Per-column changes are
 * announced with the "changed" signal (the GUI rebinds its status icons on it); the row-level
 * properties notify as usual.
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/* Ordered from best to worst: the overall state of a row is the maximum of its columns. */
typedef enum {
  OCTOPUS_OBJECT_STATE_IN_SYNC,       /* holds a copy with the reference MD5 */
  OCTOPUS_OBJECT_STATE_TRANSFERRING,  /* an upload or repair to this service is running */
  OCTOPUS_OBJECT_STATE_UNKNOWN_HASH,  /* holds a copy of the right size, no comparable MD5 */
  OCTOPUS_OBJECT_STATE_UNREACHABLE,   /* the service failed to list: nothing is known */
  OCTOPUS_OBJECT_STATE_MISSING,       /* the service answered and does not hold the key */
  OCTOPUS_OBJECT_STATE_DIFFERS,       /* MD5 or size disagree with the reference copy */
  /* Erasure-coded objects (issue 20): a column is in sync (a good archive of the set), missing,
   * unreachable or damaged; the row is in sync, degraded (at least k good archives: readable,
   * needs a repair) or lost (fewer than k). */
  OCTOPUS_OBJECT_STATE_DAMAGED,       /* an archive whose trailer or contents do not check */
  OCTOPUS_OBJECT_STATE_DEGRADED,      /* row only: readable from k archives, needs repair */
  OCTOPUS_OBJECT_STATE_LOST,          /* row only: fewer than k good archives */
} OctopusObjectState;

/* How many states there are: the size of an array indexed by OctopusObjectState. */
#define OCTOPUS_OBJECT_N_STATES (OCTOPUS_OBJECT_STATE_LOST + 1)

#define OCTOPUS_TYPE_OBJECT_STATE (octopus_object_state_get_type ())
GType        octopus_object_state_get_type    (void);
/* "in-sync", "missing", "differs", "unknown-hash", "unreachable", "transferring", "damaged",
 * "degraded", "lost" */
const char  *octopus_object_state_to_string   (OctopusObjectState state);
gboolean     octopus_object_state_from_string (const char         *s,
                                               OctopusObjectState *out);
/* An icon name for the state (symbolic icons from the Adwaita theme). */
const char  *octopus_object_state_to_icon_name (OctopusObjectState state);

#define OCTOPUS_TYPE_OBJECT (octopus_object_get_type ())
G_DECLARE_FINAL_TYPE (OctopusObject, octopus_object, OCTOPUS, OBJECT, GObject)

/* @service_names: the array's service names, in order (copied). */
OctopusObject     *octopus_object_new               (const char         *key,
                                                     const char * const *service_names);

const char        *octopus_object_get_key           (OctopusObject *self);
/* What to show for the object: the plaintext name of an encrypted object (the table's name
 * decoder, octopus_object_table_set_name_decoder()), else the key. */
const char        *octopus_object_get_display_key   (OctopusObject *self);
gboolean           octopus_object_has_display_key   (OctopusObject *self);
/* For the table only. */
void               _octopus_object_set_display_key  (OctopusObject *self,
                                                     const char    *display_key);
gboolean           _octopus_object_is_named         (OctopusObject *self);
/* Size of the reference copy (-1 when unknown). */
gint64             octopus_object_get_size          (OctopusObject *self);
/* Last-modified of the reference copy, Unix seconds (0 when unknown). */
gint64             octopus_object_get_last_modified (OctopusObject *self);
/* Hex MD5 of the reference copy, NULL when no copy has a comparable MD5. */
const char        *octopus_object_get_md5           (OctopusObject *self);
OctopusObjectState octopus_object_get_state         (OctopusObject *self);
/* TRUE when the reference was chosen among equally many copies by last-modified. */
gboolean           octopus_object_get_tie           (OctopusObject *self);

guint              octopus_object_get_n_services    (OctopusObject *self);
const char        *octopus_object_get_service_name  (OctopusObject *self,
                                                     guint          index);
/* Index of the service called @name, or -1. */
int                octopus_object_lookup_service    (OctopusObject *self,
                                                     const char    *name);

OctopusObjectState octopus_object_get_service_state (OctopusObject *self,
                                                     guint          index);
gboolean           octopus_object_get_service_present (OctopusObject *self,
                                                       guint          index);
const char        *octopus_object_get_service_etag  (OctopusObject *self,
                                                     guint          index);
gint64             octopus_object_get_service_size  (OctopusObject *self,
                                                     guint          index);
const char        *octopus_object_get_service_md5   (OctopusObject *self,
                                                     guint          index);
gint64             octopus_object_get_service_last_modified (OctopusObject *self,
                                                             guint          index);
/* Why the column is unreachable (or the last operation on it failed); NULL otherwise. */
const char        *octopus_object_get_service_error (OctopusObject *self,
                                                     guint          index);
/* By name: -1 / NULL when the name is not a service of this row. */
OctopusObjectState octopus_object_get_service_state_by_name (OctopusObject *self,
                                                             const char    *name);

/* For the table and the engines (not the UI): */

/* What a service holds for the key; @present FALSE → the other fields are ignored. */
void  octopus_object_set_service_copy   (OctopusObject *self,
                                         guint          index,
                                         gboolean       present,
                                         gint64         size,
                                         const char    *etag,
                                         const char    *md5,
                                         gint64         last_modified);
void  octopus_object_set_service_error  (OctopusObject *self,
                                         guint          index,
                                         const char    *message);
/* Transferring overrides the computed state of the column until cleared. */
void  octopus_object_set_transferring   (OctopusObject *self,
                                         guint          index,
                                         gboolean       transferring);
gboolean octopus_object_get_transferring (OctopusObject *self,
                                          guint          index);
/* Marks which columns cannot be reached (they keep their last copy info, shown unreachable). */
void  octopus_object_set_service_reachable (OctopusObject *self,
                                            guint          index,
                                            gboolean       reachable);

/* Recomputes the reference copy and every column's state from the copies (majority MD5;
 * ties → newest; see docs/DESIGN.md), then emits notifies and "changed" for what changed. */
void  octopus_object_classify           (OctopusObject *self);

/* Erasure coding: @k > 0 makes the row an erasure-coded object of @size bytes and content
 * @md5 whose columns are @states (IN_SYNC, DAMAGED, MISSING or UNREACHABLE, one per service)
 * and reclassifies it; @k = 0 makes it a mirrored object again. */
void     octopus_object_set_erasure     (OctopusObject            *self,
                                         guint                     k,
                                         guint                     m,
                                         gint64                    size,
                                         const char               *md5,
                                         const OctopusObjectState *states);
/* TRUE for an erasure-coded object, with its k and m (either may be NULL). */
gboolean octopus_object_get_erasure     (OctopusObject            *self,
                                         guint                    *k,
                                         guint                    *m);

G_END_DECLS
