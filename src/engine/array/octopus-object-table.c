/* SPDX-License-Identifier: GPL-3.0-or-later */
/* octopus-object-table.c — the object table, merged from per-service listings. */
#include "config.h"

#include <string.h>

#include "octopus-object-table.h"

struct _OctopusObjectTable
{
  GObject     parent_instance;

  GStrv       service_names;
  guint       n_services;
  GPtrArray  *rows;        /* of OctopusObject, sorted by key (strcmp) */
  GHashTable *by_key;      /* key (owned by the row) → OctopusObject (borrowed) */
  OctopusNameDecoder decoder;   /* stored key → plaintext name (encrypted objects), or NULL */
  gpointer           decoder_data;
  GDestroyNotify     decoder_destroy;
};

static void list_model_iface_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (OctopusObjectTable, octopus_object_table, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, list_model_iface_init))

enum {
  PROP_0,
  PROP_N_ITEMS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static GType
get_item_type (GListModel *model)
{
  return OCTOPUS_TYPE_OBJECT;
}

static guint
get_n_items (GListModel *model)
{
  return OCTOPUS_OBJECT_TABLE (model)->rows->len;
}

static gpointer
get_item (GListModel *model,
          guint       position)
{
  OctopusObjectTable *self = OCTOPUS_OBJECT_TABLE (model);

  if (position >= self->rows->len)
    return NULL;
  return g_object_ref (g_ptr_array_index (self->rows, position));
}

static void
list_model_iface_init (GListModelInterface *iface)
{
  iface->get_item_type = get_item_type;
  iface->get_n_items = get_n_items;
  iface->get_item = get_item;
}

static void
octopus_object_table_finalize (GObject *object)
{
  OctopusObjectTable *self = OCTOPUS_OBJECT_TABLE (object);

  g_clear_pointer (&self->by_key, g_hash_table_unref);
  g_clear_pointer (&self->rows, g_ptr_array_unref);
  g_clear_pointer (&self->service_names, g_strfreev);
  if (self->decoder_destroy != NULL)
    self->decoder_destroy (self->decoder_data);

  G_OBJECT_CLASS (octopus_object_table_parent_class)->finalize (object);
}

static void
octopus_object_table_get_property (GObject    *object,
                                   guint       prop_id,
                                   GValue     *value,
                                   GParamSpec *pspec)
{
  OctopusObjectTable *self = OCTOPUS_OBJECT_TABLE (object);

  switch (prop_id)
    {
    case PROP_N_ITEMS:
      g_value_set_uint (value, self->rows->len);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
octopus_object_table_class_init (OctopusObjectTableClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = octopus_object_table_finalize;
  object_class->get_property = octopus_object_table_get_property;

  properties[PROP_N_ITEMS] =
    g_param_spec_uint ("n-items", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
octopus_object_table_init (OctopusObjectTable *self)
{
  self->rows = g_ptr_array_new_with_free_func (g_object_unref);
  self->by_key = g_hash_table_new (g_str_hash, g_str_equal);
}

OctopusObjectTable *
octopus_object_table_new (const char * const *service_names)
{
  OctopusObjectTable *self;

  g_return_val_if_fail (service_names != NULL, NULL);

  self = g_object_new (OCTOPUS_TYPE_OBJECT_TABLE, NULL);
  self->service_names = g_strdupv ((char **) service_names);
  self->n_services = g_strv_length (self->service_names);
  return self;
}

guint
octopus_object_table_get_n_services (OctopusObjectTable *self)
{
  g_return_val_if_fail (OCTOPUS_IS_OBJECT_TABLE (self), 0);
  return self->n_services;
}

const char *
octopus_object_table_get_service_name (OctopusObjectTable *self,
                                       guint               index)
{
  g_return_val_if_fail (OCTOPUS_IS_OBJECT_TABLE (self), NULL);
  g_return_val_if_fail (index < self->n_services, NULL);
  return self->service_names[index];
}

int
octopus_object_table_lookup_service (OctopusObjectTable *self,
                                     const char         *name)
{
  g_return_val_if_fail (OCTOPUS_IS_OBJECT_TABLE (self), -1);

  for (guint i = 0; name != NULL && i < self->n_services; i++)
    if (g_str_equal (self->service_names[i], name))
      return (int) i;
  return -1;
}

OctopusObject *
octopus_object_table_lookup (OctopusObjectTable *self,
                             const char         *key)
{
  g_return_val_if_fail (OCTOPUS_IS_OBJECT_TABLE (self), NULL);
  return key ? g_hash_table_lookup (self->by_key, key) : NULL;
}

static int
compare_rows (gconstpointer a,
              gconstpointer b)
{
  OctopusObject *oa = *(OctopusObject **) a;
  OctopusObject *ob = *(OctopusObject **) b;

  return strcmp (octopus_object_get_key (oa), octopus_object_get_key (ob));
}

/* Replaces @removed rows at @pos of self->rows with @n_added rows from @added. */
static void
splice_run (OctopusObjectTable *self,
            guint               pos,
            guint               removed,
            OctopusObject     **added,
            guint               n_added)
{
  guint tail;

  g_ptr_array_remove_range (self->rows, pos, removed);
  tail = self->rows->len - pos;
  g_ptr_array_set_size (self->rows, self->rows->len + n_added);
  memmove (self->rows->pdata + pos + n_added, self->rows->pdata + pos, tail * sizeof (gpointer));
  for (guint k = 0; k < n_added; k++)
    self->rows->pdata[pos + k] = g_object_ref (added[k]);
}

/* Where a run of differences between self->rows from @pos and @rows from *@j ends: rows
 * only in the old list are removed, rows only in the new one added (both sorted by key).
 * → how many old rows go; *@j is moved past the new rows that come. */
static guint
measure_run (OctopusObjectTable *self,
             guint               pos,
             GPtrArray          *rows,
             guint              *j)
{
  guint removed = 0;

  for (;;)
    {
      gpointer old = pos + removed < self->rows->len ? self->rows->pdata[pos + removed] : NULL;
      gpointer new = *j < rows->len ? rows->pdata[*j] : NULL;
      int cmp;

      if (old == new)   /* the same row (both lists go on from here), or both at their end */
        return removed;
      cmp = old == NULL ? 1 : new == NULL ? -1 : compare_rows (&old, &new);
      if (cmp <= 0)
        removed++;
      if (cmp >= 0)
        (*j)++;
    }
}

/* Gives rows their plaintext names (each row once, or all again when @again). */
static void
name_rows (OctopusObjectTable *self,
           GPtrArray          *rows,
           gboolean            again)
{
  for (guint i = 0; self->decoder != NULL && i < rows->len; i++)
    {
      OctopusObject *row = g_ptr_array_index (rows, i);
      g_autofree char *name = NULL;

      if (_octopus_object_is_named (row) && !again)
        continue;
      name = self->decoder (octopus_object_get_key (row), self->decoder_data);
      _octopus_object_set_display_key (row, name);
    }
}

void
octopus_object_table_set_name_decoder (OctopusObjectTable *self,
                                       OctopusNameDecoder  decoder,
                                       gpointer            data,
                                       GDestroyNotify      destroy)
{
  g_return_if_fail (OCTOPUS_IS_OBJECT_TABLE (self));

  if (self->decoder_destroy != NULL)
    self->decoder_destroy (self->decoder_data);
  self->decoder = decoder;
  self->decoder_data = data;
  self->decoder_destroy = destroy;
  name_rows (self, self->rows, TRUE);
  /* The views bind names when a row appears: tell them every row changed. */
  if (self->rows->len > 0)
    g_list_model_items_changed (G_LIST_MODEL (self), 0, self->rows->len, self->rows->len);
}

/* Turns the rows into @rows (sorted here) one run of changes at a time, telling the views
 * about each run only, so that rows which stay keep their place in a view: selection and
 * scroll position survive a refresh.  The list is consistent at every items-changed. */
static void
replace_rows (OctopusObjectTable *self,
              GPtrArray          *rows)
{
  guint old_len = self->rows->len;
  guint pos = 0, j = 0;

  g_ptr_array_sort (rows, compare_rows);
  name_rows (self, rows, FALSE);
  g_hash_table_remove_all (self->by_key);
  for (guint i = 0; i < rows->len; i++)
    {
      OctopusObject *row = g_ptr_array_index (rows, i);
      g_hash_table_insert (self->by_key, (gpointer) octopus_object_get_key (row), row);
    }

  while (j < rows->len || pos < self->rows->len)
    {
      guint first_added = j;
      guint removed = measure_run (self, pos, rows, &j);
      guint added = j - first_added;

      if (removed == 0 && added == 0)
        {
          pos++, j++;   /* a row that stays */
          continue;
        }
      splice_run (self, pos, removed, (OctopusObject **) rows->pdata + first_added, added);
      g_list_model_items_changed (G_LIST_MODEL (self), pos, removed, added);
      pos += added;
    }

  /* by_key points into @rows' objects, which self->rows now holds as well. */
  g_ptr_array_unref (rows);
  if (old_len != self->rows->len)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ITEMS]);
}

static OctopusObject *
ensure_row (OctopusObjectTable *self,
            GHashTable         *next,
            const char         *key)
{
  OctopusObject *row = g_hash_table_lookup (next, key);

  if (row != NULL)
    return row;
  row = g_hash_table_lookup (self->by_key, key);
  row = row ? g_object_ref (row)
            : octopus_object_new (key, (const char * const *) self->service_names);
  g_hash_table_insert (next, (gpointer) octopus_object_get_key (row), row);
  return row;
}

/* A row no current listing mentions stays when its absence proves nothing: a copy on a
 * service that could not be listed, or a transfer still running. */
static gboolean
row_must_stay (OctopusObject *row,
               GPtrArray    **listings)
{
  for (guint i = 0; i < octopus_object_get_n_services (row); i++)
    {
      if (octopus_object_get_transferring (row, i))
        return TRUE;
      if (listings[i] == NULL && octopus_object_get_service_present (row, i))
        return TRUE;
    }
  return FALSE;
}

void
octopus_object_table_update (OctopusObjectTable *self,
                             GPtrArray         **listings,
                             const char * const *errors)
{
  g_autoptr(GHashTable) next = NULL;   /* key → OctopusObject (owned) */
  g_autoptr(GHashTable) seen = NULL;   /* row → bitmask of services that listed it */
  GPtrArray *rows;
  GHashTableIter iter;
  gpointer value;

  g_return_if_fail (OCTOPUS_IS_OBJECT_TABLE (self));
  g_return_if_fail (listings != NULL);

  next = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_object_unref);

  for (guint i = 0; i < self->n_services; i++)
    for (guint j = 0; listings[i] != NULL && j < listings[i]->len; j++)
      {
        const OctopusS3Object *o = g_ptr_array_index (listings[i], j);
        if (o->key != NULL)
          ensure_row (self, next, o->key);
      }

  for (guint r = 0; r < self->rows->len; r++)
    {
      OctopusObject *row = g_ptr_array_index (self->rows, r);
      if (!g_hash_table_contains (next, octopus_object_get_key (row)) &&
          row_must_stay (row, listings))
        g_hash_table_insert (next, (gpointer) octopus_object_get_key (row), g_object_ref (row));
    }

  /* Every listed service first forgets its copies; listing entries then put them back. */
  g_hash_table_iter_init (&iter, next);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    for (guint i = 0; i < self->n_services; i++)
      {
        gboolean reachable = listings[i] != NULL;

        octopus_object_set_service_reachable (value, i, reachable);
        if (reachable)
          {
            octopus_object_set_service_copy (value, i, FALSE, -1, NULL, NULL, 0);
            octopus_object_set_service_error (value, i, NULL);
          }
        else
          octopus_object_set_service_error (value, i, errors ? errors[i] : NULL);
      }

  for (guint i = 0; i < self->n_services; i++)
    for (guint j = 0; listings[i] != NULL && j < listings[i]->len; j++)
      {
        const OctopusS3Object *o = g_ptr_array_index (listings[i], j);
        g_autofree char *md5 = NULL;

        if (o->key == NULL)
          continue;
        md5 = octopus_content_md5 (o);
        octopus_object_set_service_copy (g_hash_table_lookup (next, o->key), i, TRUE,
                                         o->size, o->etag, md5, o->last_modified);
      }

  rows = g_ptr_array_new_full (g_hash_table_size (next), g_object_unref);
  g_hash_table_iter_init (&iter, next);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      octopus_object_classify (value);
      g_ptr_array_add (rows, g_object_ref (value));
    }
  replace_rows (self, rows);
}

void
octopus_object_table_set_transferring (OctopusObjectTable *self,
                                       const char         *key,
                                       guint               index,
                                       gboolean            transferring)
{
  OctopusObject *row;

  g_return_if_fail (OCTOPUS_IS_OBJECT_TABLE (self));
  g_return_if_fail (key != NULL);
  g_return_if_fail (index < self->n_services);

  row = g_hash_table_lookup (self->by_key, key);
  if (row == NULL && !transferring)
    return;
  if (row == NULL)
    {
      GPtrArray *rows = g_ptr_array_new_full (self->rows->len + 1, g_object_unref);

      for (guint i = 0; i < self->rows->len; i++)
        g_ptr_array_add (rows, g_object_ref (g_ptr_array_index (self->rows, i)));
      row = octopus_object_new (key, (const char * const *) self->service_names);
      g_ptr_array_add (rows, row);
      octopus_object_set_transferring (row, index, TRUE);
      replace_rows (self, rows);
      return;
    }
  octopus_object_set_transferring (row, index, transferring);
}

void
octopus_object_table_forget (OctopusObjectTable *self,
                             const char         *key,
                             guint               index)
{
  OctopusObject *row;
  GPtrArray *rows;

  g_return_if_fail (OCTOPUS_IS_OBJECT_TABLE (self));
  g_return_if_fail (index < self->n_services);

  row = key ? g_hash_table_lookup (self->by_key, key) : NULL;
  if (row == NULL)
    return;
  octopus_object_set_service_copy (row, index, FALSE, -1, NULL, NULL, 0);
  for (guint i = 0; i < self->n_services; i++)
    if (octopus_object_get_service_present (row, i) || octopus_object_get_transferring (row, i))
      {
        octopus_object_classify (row);
        return;
      }

  rows = g_ptr_array_new_full (self->rows->len, g_object_unref);
  for (guint i = 0; i < self->rows->len; i++)
    if (g_ptr_array_index (self->rows, i) != row)
      g_ptr_array_add (rows, g_object_ref (g_ptr_array_index (self->rows, i)));
  replace_rows (self, rows);
}

void
octopus_object_table_set_copy (OctopusObjectTable *self,
                               const char         *key,
                               guint               index,
                               gint64              size,
                               const char         *etag,
                               const char         *md5,
                               gint64              last_modified)
{
  OctopusObject *row;

  g_return_if_fail (OCTOPUS_IS_OBJECT_TABLE (self));
  g_return_if_fail (key != NULL);
  g_return_if_fail (index < self->n_services);

  row = g_hash_table_lookup (self->by_key, key);
  if (row == NULL)
    {
      GPtrArray *rows = g_ptr_array_new_full (self->rows->len + 1, g_object_unref);

      for (guint i = 0; i < self->rows->len; i++)
        g_ptr_array_add (rows, g_object_ref (g_ptr_array_index (self->rows, i)));
      row = octopus_object_new (key, (const char * const *) self->service_names);
      g_ptr_array_add (rows, row);
      octopus_object_set_service_copy (row, index, TRUE, size, etag, md5, last_modified);
      octopus_object_classify (row);
      replace_rows (self, rows);
      return;
    }
  /* It answered a write just now: reachable, whatever the last listing said. */
  octopus_object_set_service_reachable (row, index, TRUE);
  octopus_object_set_service_error (row, index, NULL);
  octopus_object_set_service_copy (row, index, TRUE, size, etag, md5, last_modified);
  octopus_object_classify (row);
}

void
octopus_object_table_count_states (OctopusObjectTable *self,
                                   guint counts[OCTOPUS_OBJECT_N_STATES])
{
  g_return_if_fail (OCTOPUS_IS_OBJECT_TABLE (self));

  memset (counts, 0, sizeof (guint) * 6);
  for (guint i = 0; i < self->rows->len; i++)
    {
      OctopusObjectState state = octopus_object_get_state (g_ptr_array_index (self->rows, i));
      if ((guint) state < 6)
        counts[state]++;
    }
}

/* ---- content MD5 ------------------------------------------------------------------------ */

static gboolean
is_hex32 (const char *s,
          gsize       len)
{
  if (len != 32)
    return FALSE;
  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isxdigit (s[i]))
      return FALSE;
  return TRUE;
}

/* Strips one pair of surrounding quotes (some servers, e.g. Walrus, send none). */
static const char *
strip_quotes (const char *etag,
              gsize      *len)
{
  *len = strlen (etag);
  if (*len >= 2 && etag[0] == '"' && etag[*len - 1] == '"')
    {
      *len -= 2;
      return etag + 1;
    }
  return etag;
}

gboolean
octopus_etag_is_md5 (const char *etag)
{
  const char *s;
  gsize len;

  if (etag == NULL)
    return FALSE;
  s = strip_quotes (etag, &len);
  return is_hex32 (s, len);
}

char *
octopus_md5_base64_to_hex (const char *base64)
{
  g_autofree guchar *raw = NULL;
  gsize len = 0;
  GString *hex;

  if (base64 == NULL || strlen (base64) != 24 || base64[22] != '=' || base64[23] != '=')
    return NULL;
  for (gsize i = 0; i < 22; i++)
    if (!g_ascii_isalnum (base64[i]) && base64[i] != '+' && base64[i] != '/')
      return NULL;
  raw = g_base64_decode (base64, &len);
  if (len != 16)
    return NULL;
  hex = g_string_sized_new (32);
  for (gsize i = 0; i < len; i++)
    g_string_append_printf (hex, "%02x", raw[i]);
  return g_string_free (hex, FALSE);
}

char *
octopus_md5_hex_to_base64 (const char *hex)
{
  guchar raw[16];

  if (hex == NULL || !is_hex32 (hex, strlen (hex)))
    return NULL;
  for (guint i = 0; i < 16; i++)
    raw[i] = (guchar) (g_ascii_xdigit_value (hex[2 * i]) << 4
                       | g_ascii_xdigit_value (hex[2 * i + 1]));
  return g_base64_encode (raw, sizeof raw);
}

char *
octopus_content_md5 (const OctopusS3Object *object)
{
  const char *s;
  gsize len;

  g_return_val_if_fail (object != NULL, NULL);

  if (object->metadata != NULL)
    {
      const char *chk = g_hash_table_lookup (object->metadata, "md5chksum");
      char *hex = octopus_md5_base64_to_hex (chk);

      if (hex != NULL)
        return hex;
    }
  if (object->etag == NULL)
    return NULL;
  s = strip_quotes (object->etag, &len);
  return is_hex32 (s, len) ? g_ascii_strdown (s, (gssize) len) : NULL;
}
