/* SPDX-License-Identifier: GPL-3.0-or-later */
/* octopus-object.c — one row of the object table. */
#include "config.h"

#include "octopus-object.h"

typedef struct {
  gboolean            present;
  gboolean            reachable;
  gboolean            transferring;
  gint64              size;
  gint64              last_modified;
  char               *etag;
  char               *md5;
  char               *error;
  OctopusObjectState  state;
  OctopusObjectState  archive;   /* erasure-coded rows: what the archive check said */
} Column;

struct _OctopusObject
{
  GObject             parent_instance;

  char               *key;
  char               *display_key;  /* the plaintext name of an encrypted object, or NULL */
  gboolean            named;        /* the table's name decoder has seen it */
  GStrv               service_names;
  Column             *columns;
  guint               n_columns;

  gint64              size;
  gint64              last_modified;
  char               *md5;
  gboolean            tie;
  OctopusObjectState  state;
  guint               ec_k, ec_m; /* erasure-coded when ec_k > 0 */
  gint64              ec_size;
  char               *ec_md5;
};

G_DEFINE_FINAL_TYPE (OctopusObject, octopus_object, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_KEY,
  PROP_SIZE,
  PROP_LAST_MODIFIED,
  PROP_MD5,
  PROP_STATE,
  PROP_TIE,
  N_PROPS
};

enum {
  SIGNAL_CHANGED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static const GEnumValue state_values[] = {
  { OCTOPUS_OBJECT_STATE_IN_SYNC, "OCTOPUS_OBJECT_STATE_IN_SYNC", "in-sync" },
  { OCTOPUS_OBJECT_STATE_TRANSFERRING, "OCTOPUS_OBJECT_STATE_TRANSFERRING", "transferring" },
  { OCTOPUS_OBJECT_STATE_UNKNOWN_HASH, "OCTOPUS_OBJECT_STATE_UNKNOWN_HASH", "unknown-hash" },
  { OCTOPUS_OBJECT_STATE_UNREACHABLE, "OCTOPUS_OBJECT_STATE_UNREACHABLE", "unreachable" },
  { OCTOPUS_OBJECT_STATE_MISSING, "OCTOPUS_OBJECT_STATE_MISSING", "missing" },
  { OCTOPUS_OBJECT_STATE_DIFFERS, "OCTOPUS_OBJECT_STATE_DIFFERS", "differs" },
  { OCTOPUS_OBJECT_STATE_DAMAGED, "OCTOPUS_OBJECT_STATE_DAMAGED", "damaged" },
  { OCTOPUS_OBJECT_STATE_DEGRADED, "OCTOPUS_OBJECT_STATE_DEGRADED", "degraded" },
  { OCTOPUS_OBJECT_STATE_LOST, "OCTOPUS_OBJECT_STATE_LOST", "lost" },
  { 0, NULL, NULL }
};

GType
octopus_object_state_get_type (void)
{
  static gsize type = 0;

  if (g_once_init_enter (&type))
    g_once_init_leave (&type, g_enum_register_static ("OctopusObjectState", state_values));
  return (GType) type;
}

const char *
octopus_object_state_to_string (OctopusObjectState state)
{
  for (guint i = 0; state_values[i].value_nick != NULL; i++)
    if (state_values[i].value == (int) state)
      return state_values[i].value_nick;
  return "unknown";
}

gboolean
octopus_object_state_from_string (const char         *s,
                                  OctopusObjectState *out)
{
  g_return_val_if_fail (out != NULL, FALSE);

  for (guint i = 0; s != NULL && state_values[i].value_nick != NULL; i++)
    if (g_str_equal (state_values[i].value_nick, s))
      {
        *out = state_values[i].value;
        return TRUE;
      }
  return FALSE;
}

const char *
octopus_object_state_to_icon_name (OctopusObjectState state)
{
  switch (state)
    {
    case OCTOPUS_OBJECT_STATE_IN_SYNC: return "emblem-ok-symbolic";
    case OCTOPUS_OBJECT_STATE_TRANSFERRING: return "emblem-synchronizing-symbolic";
    case OCTOPUS_OBJECT_STATE_UNKNOWN_HASH: return "dialog-question-symbolic";
    case OCTOPUS_OBJECT_STATE_UNREACHABLE: return "network-offline-symbolic";
    case OCTOPUS_OBJECT_STATE_MISSING: return "list-remove-symbolic";
    case OCTOPUS_OBJECT_STATE_DIFFERS: return "dialog-warning-symbolic";
    case OCTOPUS_OBJECT_STATE_DAMAGED: return "dialog-warning-symbolic";
    case OCTOPUS_OBJECT_STATE_DEGRADED: return "dialog-warning-symbolic";
    case OCTOPUS_OBJECT_STATE_LOST: return "dialog-error-symbolic";
    default: return "dialog-question-symbolic";
    }
}

static void
column_clear (Column *column)
{
  g_clear_pointer (&column->etag, g_free);
  g_clear_pointer (&column->md5, g_free);
  g_clear_pointer (&column->error, g_free);
}

static void
octopus_object_finalize (GObject *object)
{
  OctopusObject *self = OCTOPUS_OBJECT (object);

  for (guint i = 0; i < self->n_columns; i++)
    column_clear (&self->columns[i]);
  g_clear_pointer (&self->columns, g_free);
  g_clear_pointer (&self->service_names, g_strfreev);
  g_clear_pointer (&self->key, g_free);
  g_clear_pointer (&self->display_key, g_free);
  g_clear_pointer (&self->md5, g_free);

  G_OBJECT_CLASS (octopus_object_parent_class)->finalize (object);
}

static void
octopus_object_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  OctopusObject *self = OCTOPUS_OBJECT (object);

  switch (prop_id)
    {
    case PROP_KEY:
      g_value_set_string (value, self->key);
      break;
    case PROP_SIZE:
      g_value_set_int64 (value, self->size);
      break;
    case PROP_LAST_MODIFIED:
      g_value_set_int64 (value, self->last_modified);
      break;
    case PROP_MD5:
      g_value_set_string (value, self->md5);
      break;
    case PROP_STATE:
      g_value_set_enum (value, self->state);
      break;
    case PROP_TIE:
      g_value_set_boolean (value, self->tie);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
octopus_object_class_init (OctopusObjectClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->finalize = octopus_object_finalize;
  object_class->get_property = octopus_object_get_property;

  properties[PROP_KEY] = g_param_spec_string ("key", NULL, NULL, NULL, flags);
  properties[PROP_SIZE] = g_param_spec_int64 ("size", NULL, NULL, -1, G_MAXINT64, -1, flags);
  properties[PROP_LAST_MODIFIED] =
    g_param_spec_int64 ("last-modified", NULL, NULL, 0, G_MAXINT64, 0, flags);
  properties[PROP_MD5] = g_param_spec_string ("md5", NULL, NULL, NULL, flags);
  properties[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL, OCTOPUS_TYPE_OBJECT_STATE,
                       OCTOPUS_OBJECT_STATE_IN_SYNC, flags);
  properties[PROP_TIE] = g_param_spec_boolean ("tie", NULL, NULL, FALSE, flags);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* Emitted after any column's state, copy or error changed. */
  signals[SIGNAL_CHANGED] =
    g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
octopus_object_init (OctopusObject *self)
{
  self->size = -1;
}

OctopusObject *
octopus_object_new (const char         *key,
                    const char * const *service_names)
{
  OctopusObject *self;

  g_return_val_if_fail (key != NULL, NULL);
  g_return_val_if_fail (service_names != NULL, NULL);

  self = g_object_new (OCTOPUS_TYPE_OBJECT, NULL);
  self->key = g_strdup (key);
  self->service_names = g_strdupv ((char **) service_names);
  self->n_columns = g_strv_length (self->service_names);
  self->columns = g_new0 (Column, self->n_columns);
  for (guint i = 0; i < self->n_columns; i++)
    {
      self->columns[i].reachable = TRUE;
      self->columns[i].size = -1;
      self->columns[i].state = OCTOPUS_OBJECT_STATE_MISSING;
    }
  self->state = self->n_columns > 0 ? OCTOPUS_OBJECT_STATE_MISSING : OCTOPUS_OBJECT_STATE_IN_SYNC;
  return self;
}

const char *
octopus_object_get_key (OctopusObject *self)
{
  g_return_val_if_fail (OCTOPUS_IS_OBJECT (self), NULL);
  return self->key;
}

const char *
octopus_object_get_display_key (OctopusObject *self)
{
  g_return_val_if_fail (OCTOPUS_IS_OBJECT (self), NULL);
  return self->display_key != NULL ? self->display_key : self->key;
}

gboolean
octopus_object_has_display_key (OctopusObject *self)
{
  g_return_val_if_fail (OCTOPUS_IS_OBJECT (self), FALSE);
  return self->display_key != NULL;
}

void
_octopus_object_set_display_key (OctopusObject *self,
                                 const char    *display_key)
{
  g_free (self->display_key);
  self->display_key = g_strdup (display_key);
  self->named = TRUE;
}

gboolean
_octopus_object_is_named (OctopusObject *self)
{
  return self->named;
}

gint64
octopus_object_get_size (OctopusObject *self)
{
  g_return_val_if_fail (OCTOPUS_IS_OBJECT (self), -1);
  return self->size;
}

gint64
octopus_object_get_last_modified (OctopusObject *self)
{
  g_return_val_if_fail (OCTOPUS_IS_OBJECT (self), 0);
  return self->last_modified;
}

const char *
octopus_object_get_md5 (OctopusObject *self)
{
  g_return_val_if_fail (OCTOPUS_IS_OBJECT (self), NULL);
  return self->md5;
}

OctopusObjectState
octopus_object_get_state (OctopusObject *self)
{
  g_return_val_if_fail (OCTOPUS_IS_OBJECT (self), OCTOPUS_OBJECT_STATE_IN_SYNC);
  return self->state;
}

gboolean
octopus_object_get_tie (OctopusObject *self)
{
  g_return_val_if_fail (OCTOPUS_IS_OBJECT (self), FALSE);
  return self->tie;
}

guint
octopus_object_get_n_services (OctopusObject *self)
{
  g_return_val_if_fail (OCTOPUS_IS_OBJECT (self), 0);
  return self->n_columns;
}

const char *
octopus_object_get_service_name (OctopusObject *self,
                                 guint          index)
{
  g_return_val_if_fail (OCTOPUS_IS_OBJECT (self), NULL);
  g_return_val_if_fail (index < self->n_columns, NULL);
  return self->service_names[index];
}

int
octopus_object_lookup_service (OctopusObject *self,
                               const char    *name)
{
  g_return_val_if_fail (OCTOPUS_IS_OBJECT (self), -1);

  for (guint i = 0; name != NULL && i < self->n_columns; i++)
    if (g_str_equal (self->service_names[i], name))
      return (int) i;
  return -1;
}

static Column *
get_column (OctopusObject *self,
            guint          index)
{
  g_return_val_if_fail (OCTOPUS_IS_OBJECT (self), NULL);
  g_return_val_if_fail (index < self->n_columns, NULL);
  return &self->columns[index];
}

OctopusObjectState
octopus_object_get_service_state (OctopusObject *self,
                                  guint          index)
{
  Column *column = get_column (self, index);
  return column ? column->state : OCTOPUS_OBJECT_STATE_UNREACHABLE;
}

OctopusObjectState
octopus_object_get_service_state_by_name (OctopusObject *self,
                                          const char    *name)
{
  int index = octopus_object_lookup_service (self, name);

  g_return_val_if_fail (index >= 0, OCTOPUS_OBJECT_STATE_UNREACHABLE);
  return self->columns[index].state;
}

gboolean
octopus_object_get_service_present (OctopusObject *self,
                                    guint          index)
{
  Column *column = get_column (self, index);
  return column ? column->present : FALSE;
}

const char *
octopus_object_get_service_etag (OctopusObject *self,
                                 guint          index)
{
  Column *column = get_column (self, index);
  return column && column->present ? column->etag : NULL;
}

gint64
octopus_object_get_service_size (OctopusObject *self,
                                 guint          index)
{
  Column *column = get_column (self, index);
  return column && column->present ? column->size : -1;
}

const char *
octopus_object_get_service_md5 (OctopusObject *self,
                                guint          index)
{
  Column *column = get_column (self, index);
  return column && column->present ? column->md5 : NULL;
}

gint64
octopus_object_get_service_last_modified (OctopusObject *self,
                                          guint          index)
{
  Column *column = get_column (self, index);
  return column && column->present ? column->last_modified : 0;
}

const char *
octopus_object_get_service_error (OctopusObject *self,
                                  guint          index)
{
  Column *column = get_column (self, index);
  return column ? column->error : NULL;
}

void
octopus_object_set_service_copy (OctopusObject *self,
                                 guint          index,
                                 gboolean       present,
                                 gint64         size,
                                 const char    *etag,
                                 const char    *md5,
                                 gint64         last_modified)
{
  Column *column = get_column (self, index);

  if (column == NULL)
    return;
  column->present = present;
  column->size = present ? size : -1;
  column->last_modified = present ? last_modified : 0;
  g_free (column->etag);
  column->etag = present ? g_strdup (etag) : NULL;
  g_free (column->md5);
  column->md5 = present ? g_ascii_strdown (md5 ? md5 : "", -1) : NULL;
  if (column->md5 != NULL && column->md5[0] == '\0')
    g_clear_pointer (&column->md5, g_free);
}

void
octopus_object_set_service_error (OctopusObject *self,
                                  guint          index,
                                  const char    *message)
{
  Column *column = get_column (self, index);

  if (column == NULL || g_strcmp0 (column->error, message) == 0)
    return;
  g_free (column->error);
  column->error = g_strdup (message);
  g_signal_emit (self, signals[SIGNAL_CHANGED], 0);
}

void
octopus_object_set_service_reachable (OctopusObject *self,
                                      guint          index,
                                      gboolean       reachable)
{
  Column *column = get_column (self, index);

  if (column != NULL)
    column->reachable = reachable;
}

gboolean
octopus_object_get_transferring (OctopusObject *self,
                                 guint          index)
{
  Column *column = get_column (self, index);
  return column ? column->transferring : FALSE;
}

void
octopus_object_set_transferring (OctopusObject *self,
                                 guint          index,
                                 gboolean       transferring)
{
  Column *column = get_column (self, index);

  if (column == NULL || column->transferring == !!transferring)
    return;
  column->transferring = !!transferring;
  octopus_object_classify (self);
}

/* The reference copy: the MD5 most present copies agree on; among equally common MD5s the
 * one held by the newest copy (and that is a tie the user is told about).  Without any MD5,
 * the newest copy's size is the reference.  A service that could not be listed still votes
 * with what it held at its last listing: that keeps a lone newer copy from outvoting the
 * array while the others are away (repair needs a reachable in-sync source anyway). */
static int
find_reference (OctopusObject *self,
                gboolean      *tie)
{
  int best = -1;
  guint best_votes = 0;

  *tie = FALSE;
  for (guint i = 0; i < self->n_columns; i++)
    {
      Column *c = &self->columns[i];
      guint votes = 0;

      if (!c->present || c->md5 == NULL)
        continue;
      for (guint j = 0; j < self->n_columns; j++)
        if (self->columns[j].present && g_strcmp0 (self->columns[j].md5, c->md5) == 0)
          votes++;

      if (best < 0 || votes > best_votes)
        {
          best = (int) i;
          best_votes = votes;
          *tie = FALSE;
        }
      else if (votes == best_votes && g_strcmp0 (self->columns[best].md5, c->md5) != 0)
        {
          *tie = TRUE;
          if (c->last_modified > self->columns[best].last_modified)
            best = (int) i;
        }
    }
  if (best >= 0)
    return best;

  for (guint i = 0; i < self->n_columns; i++)
    {
      Column *c = &self->columns[i];
      if (c->present && (best < 0 || c->last_modified > self->columns[best].last_modified))
        best = (int) i;
    }
  return best;
}

static OctopusObjectState
classify_column (const Column *c,
                 const Column *ref)
{
  if (!c->reachable)
    return OCTOPUS_OBJECT_STATE_UNREACHABLE;
  if (c->transferring)
    return OCTOPUS_OBJECT_STATE_TRANSFERRING;
  if (!c->present)
    return OCTOPUS_OBJECT_STATE_MISSING;
  if (ref == NULL)
    return OCTOPUS_OBJECT_STATE_UNKNOWN_HASH;
  if (ref->size >= 0 && c->size >= 0 && c->size != ref->size)
    return OCTOPUS_OBJECT_STATE_DIFFERS;
  if (c->md5 != NULL && ref->md5 != NULL)
    return g_str_equal (c->md5, ref->md5) ? OCTOPUS_OBJECT_STATE_IN_SYNC
                                          : OCTOPUS_OBJECT_STATE_DIFFERS;
  return OCTOPUS_OBJECT_STATE_UNKNOWN_HASH;
}

/* An erasure-coded row: each column is its archive's state (transferring while a repair runs);
 * the row is in sync with every archive good, degraded with at least k, lost with fewer. */
static void
classify_erasure (OctopusObject *self)
{
  guint good = 0;
  gboolean changed = FALSE;
  OctopusObjectState overall;

  g_object_freeze_notify (G_OBJECT (self));
  for (guint i = 0; i < self->n_columns; i++)
    {
      Column *c = &self->columns[i];
      OctopusObjectState state = !c->reachable ? OCTOPUS_OBJECT_STATE_UNREACHABLE
                                 : c->transferring ? OCTOPUS_OBJECT_STATE_TRANSFERRING
                                 : c->archive;

      good += c->archive == OCTOPUS_OBJECT_STATE_IN_SYNC && c->reachable;
      changed |= state != c->state;
      c->state = state;
    }
  overall = good == self->n_columns ? OCTOPUS_OBJECT_STATE_IN_SYNC
            : good >= self->ec_k ? OCTOPUS_OBJECT_STATE_DEGRADED : OCTOPUS_OBJECT_STATE_LOST;
  if (self->size != self->ec_size)
    {
      self->size = self->ec_size;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SIZE]);
    }
  if (g_strcmp0 (self->md5, self->ec_md5) != 0)
    {
      g_free (self->md5);
      self->md5 = g_strdup (self->ec_md5);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MD5]);
    }
  if (self->state != overall)
    {
      self->state = overall;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
    }
  g_object_thaw_notify (G_OBJECT (self));
  if (changed)
    g_signal_emit (self, signals[SIGNAL_CHANGED], 0);
}

void
octopus_object_set_erasure (OctopusObject *self, guint k, guint m, gint64 size, const char *md5,
                            const OctopusObjectState *states)
{
  g_return_if_fail (OCTOPUS_IS_OBJECT (self));
  self->ec_k = k;
  self->ec_m = m;
  self->ec_size = size;
  g_free (self->ec_md5);
  self->ec_md5 = g_strdup (md5);
  for (guint i = 0; k > 0 && i < self->n_columns; i++)
    self->columns[i].archive = states[i];
  octopus_object_classify (self);
}

gboolean
octopus_object_get_erasure (OctopusObject *self, guint *k, guint *m)
{
  g_return_val_if_fail (OCTOPUS_IS_OBJECT (self), FALSE);
  if (k != NULL)
    *k = self->ec_k;
  if (m != NULL)
    *m = self->ec_m;
  return self->ec_k > 0;
}

void
octopus_object_classify (OctopusObject *self)
{
  gboolean tie = FALSE;
  int ref_index;
  const Column *ref;
  OctopusObjectState overall = OCTOPUS_OBJECT_STATE_IN_SYNC;
  gboolean changed = FALSE;

  g_return_if_fail (OCTOPUS_IS_OBJECT (self));

  if (self->ec_k > 0)
    {
      classify_erasure (self);
      return;
    }
  ref_index = find_reference (self, &tie);
  ref = ref_index >= 0 ? &self->columns[ref_index] : NULL;

  g_object_freeze_notify (G_OBJECT (self));

  for (guint i = 0; i < self->n_columns; i++)
    {
      OctopusObjectState state = classify_column (&self->columns[i], ref);

      if (state != self->columns[i].state)
        changed = TRUE;
      self->columns[i].state = state;
      overall = MAX (overall, state);
    }

  if (ref != NULL && self->size != ref->size)
    {
      self->size = ref->size;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SIZE]);
    }
  if (ref != NULL && self->last_modified != ref->last_modified)
    {
      self->last_modified = ref->last_modified;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LAST_MODIFIED]);
    }
  if (ref != NULL && g_strcmp0 (self->md5, ref->md5) != 0)
    {
      g_free (self->md5);
      self->md5 = g_strdup (ref->md5);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MD5]);
    }
  if (self->tie != tie)
    {
      self->tie = tie;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TIE]);
    }
  if (self->state != overall)
    {
      self->state = overall;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
    }

  g_object_thaw_notify (G_OBJECT (self));

  if (changed)
    g_signal_emit (self, signals[SIGNAL_CHANGED], 0);
}
