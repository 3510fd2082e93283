/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-object-table.c — merge and classification rules of the object table, from synthetic
 * listings (no network). */
#include "config.h"

#include <string.h>

#include "octopus-object-table.h"

static const char * const names[] = { "alpha", "beta", "gamma", NULL };

#define MD5_A "0123456789abcdef0123456789abcdef"
#define MD5_B "fedcba9876543210fedcba9876543210"
#define MD5_C "00112233445566778899aabbccddeeff"

static OctopusS3Object *
make (const char *key,
      gint64      size,
      const char *etag,
      const char *md5chksum_hex,
      gint64      mtime)
{
  OctopusS3Object *o = g_new0 (OctopusS3Object, 1);

  o->key = g_strdup (key);
  o->size = size;
  o->etag = g_strdup (etag);
  o->last_modified = mtime;
  if (md5chksum_hex != NULL)
    {
      o->metadata = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
      g_hash_table_insert (o->metadata, g_strdup ("md5chksum"),
                           octopus_md5_hex_to_base64 (md5chksum_hex));
    }
  return o;
}

static GPtrArray *
listing (OctopusS3Object *first, ...)
{
  GPtrArray *a = g_ptr_array_new_with_free_func ((GDestroyNotify) octopus_s3_object_free);
  va_list ap;

  va_start (ap, first);
  for (OctopusS3Object *o = first; o != NULL; o = va_arg (ap, OctopusS3Object *))
    g_ptr_array_add (a, o);
  va_end (ap);
  return a;
}

static void
update3 (OctopusObjectTable *table,
         GPtrArray          *l0,
         GPtrArray          *l1,
         GPtrArray          *l2)
{
  GPtrArray *ls[3] = { l0, l1, l2 };
  const char *errors[3] = { l0 ? NULL : "down", l1 ? NULL : "down", l2 ? NULL : "down" };

  octopus_object_table_update (table, ls, errors);
  for (guint i = 0; i < 3; i++)
    g_clear_pointer (&ls[i], g_ptr_array_unref);
}

static OctopusObjectState
st (OctopusObjectTable *table,
    const char         *key,
    const char         *service)
{
  OctopusObject *row = octopus_object_table_lookup (table, key);

  g_assert_nonnull (row);
  return octopus_object_get_service_state_by_name (row, service);
}

static void
test_majority (void)
{
  g_autoptr(OctopusObjectTable) table = octopus_object_table_new (names);
  OctopusObject *row;

  update3 (table,
           listing (make ("k", 10, MD5_A, NULL, 100), NULL),
           listing (make ("k", 10, MD5_A, NULL, 100), NULL),
           listing (make ("k", 10, MD5_B, NULL, 900), NULL));

  /* The newer copy is outvoted: two services agree on MD5_A. */
  row = octopus_object_table_lookup (table, "k");
  g_assert_cmpstr (octopus_object_get_md5 (row), ==, MD5_A);
  g_assert_false (octopus_object_get_tie (row));
  g_assert_cmpint (st (table, "k", "alpha"), ==, OCTOPUS_OBJECT_STATE_IN_SYNC);
  g_assert_cmpint (st (table, "k", "beta"), ==, OCTOPUS_OBJECT_STATE_IN_SYNC);
  g_assert_cmpint (st (table, "k", "gamma"), ==, OCTOPUS_OBJECT_STATE_DIFFERS);
  g_assert_cmpint (octopus_object_get_state (row), ==, OCTOPUS_OBJECT_STATE_DIFFERS);
}

static void
test_tie_newest (void)
{
  g_autoptr(OctopusObjectTable) table = octopus_object_table_new (names);
  OctopusObject *row;

  update3 (table,
           listing (make ("k", 10, MD5_A, NULL, 100), NULL),
           listing (make ("k", 10, MD5_B, NULL, 500), NULL),
           listing (NULL));

  row = octopus_object_table_lookup (table, "k");
  g_assert_cmpstr (octopus_object_get_md5 (row), ==, MD5_B);
  g_assert_true (octopus_object_get_tie (row));
  g_assert_cmpint (octopus_object_get_last_modified (row), ==, 500);
  g_assert_cmpint (st (table, "k", "alpha"), ==, OCTOPUS_OBJECT_STATE_DIFFERS);
  g_assert_cmpint (st (table, "k", "beta"), ==, OCTOPUS_OBJECT_STATE_IN_SYNC);
  g_assert_cmpint (st (table, "k", "gamma"), ==, OCTOPUS_OBJECT_STATE_MISSING);
}

static void
test_multipart_etag (void)
{
  g_autoptr(OctopusObjectTable) table = octopus_object_table_new (names);
  OctopusObject *row;

  /* "<32 hex>-2" looks like an MD5 at a glance, but it is the MD5 of the part MD5s. */
  g_assert_false (octopus_etag_is_md5 (MD5_A "-2"));
  g_assert_false (octopus_etag_is_md5 ("\"" MD5_A "-2\""));
  g_assert_true (octopus_etag_is_md5 ("\"" MD5_A "\""));

  update3 (table,
           listing (make ("mp", 10, MD5_A, NULL, 100),
                    make ("meta", 10, MD5_A, NULL, 100),
                    make ("size", 10, MD5_A, NULL, 100), NULL),
           listing (make ("mp", 10, MD5_A "-2", NULL, 100),
                    make ("meta", 10, MD5_C "-2", MD5_A, 100),
                    make ("size", 11, MD5_A "-2", NULL, 100), NULL),
           listing (make ("mp", 10, MD5_A, NULL, 100),
                    make ("meta", 10, MD5_A, NULL, 100),
                    make ("size", 10, MD5_A, NULL, 100), NULL));

  row = octopus_object_table_lookup (table, "mp");
  g_assert_null (octopus_object_get_service_md5 (row, 1));
  g_assert_cmpint (st (table, "mp", "beta"), ==, OCTOPUS_OBJECT_STATE_UNKNOWN_HASH);
  g_assert_cmpint (octopus_object_get_state (row), ==, OCTOPUS_OBJECT_STATE_UNKNOWN_HASH);
  /* The md5chksum metadata wins over the multipart ETag. */
  g_assert_cmpint (st (table, "meta", "beta"), ==, OCTOPUS_OBJECT_STATE_IN_SYNC);
  /* No hash, but a different size: that copy differs for sure. */
  g_assert_cmpint (st (table, "size", "beta"), ==, OCTOPUS_OBJECT_STATE_DIFFERS);
}

static void
test_unquoted_and_case (void)
{
  g_autoptr(OctopusObjectTable) table = octopus_object_table_new (names);

  update3 (table,
           listing (make ("k", 3, "\"" MD5_A "\"", NULL, 1), NULL),
           listing (make ("k", 3, MD5_A, NULL, 1), NULL),
           listing (make ("k", 3, "0123456789ABCDEF0123456789ABCDEF", NULL, 1), NULL));

  for (guint i = 0; names[i]; i++)
    g_assert_cmpint (st (table, "k", names[i]), ==, OCTOPUS_OBJECT_STATE_IN_SYNC);
  g_assert_cmpint (octopus_object_get_state (octopus_object_table_lookup (table, "k")), ==,
                   OCTOPUS_OBJECT_STATE_IN_SYNC);
}

static void
test_unreachable (void)
{
  g_autoptr(OctopusObjectTable) table = octopus_object_table_new (names);
  g_autoptr(OctopusObject) kept = NULL;
  OctopusObject *row;

  update3 (table,
           listing (make ("a", 1, MD5_A, NULL, 1), make ("only-gamma", 1, MD5_B, NULL, 1), NULL),
           listing (make ("a", 1, MD5_A, NULL, 1), NULL),
           listing (make ("a", 1, MD5_A, NULL, 1), make ("only-gamma", 1, MD5_B, NULL, 1), NULL));
  g_assert_cmpint (g_list_model_get_n_items (G_LIST_MODEL (table)), ==, 2);
  kept = g_object_ref (octopus_object_table_lookup (table, "a"));
  g_assert_cmpint (st (table, "only-gamma", "beta"), ==, OCTOPUS_OBJECT_STATE_MISSING);

  /* gamma fails to list, and alpha lost "only-gamma" meanwhile. */
  update3 (table,
           listing (make ("a", 1, MD5_A, NULL, 1), NULL),
           listing (make ("a", 1, MD5_A, NULL, 1), NULL),
           NULL);

  /* Never "missing" for the unreachable column, and its copy keeps the row alive. */
  g_assert_cmpint (g_list_model_get_n_items (G_LIST_MODEL (table)), ==, 2);
  g_assert_true (octopus_object_table_lookup (table, "a") == kept);
  g_assert_cmpint (st (table, "a", "alpha"), ==, OCTOPUS_OBJECT_STATE_IN_SYNC);
  g_assert_cmpint (st (table, "a", "gamma"), ==, OCTOPUS_OBJECT_STATE_UNREACHABLE);
  g_assert_cmpint (st (table, "only-gamma", "gamma"), ==, OCTOPUS_OBJECT_STATE_UNREACHABLE);
  g_assert_cmpint (st (table, "only-gamma", "alpha"), ==, OCTOPUS_OBJECT_STATE_MISSING);
  row = octopus_object_table_lookup (table, "a");
  g_assert_cmpstr (octopus_object_get_service_error (row, 2), ==, "down");

  /* Back up without the key: now its absence is real and the row goes. */
  update3 (table,
           listing (make ("a", 1, MD5_A, NULL, 1), NULL),
           listing (make ("a", 1, MD5_A, NULL, 1), NULL),
           listing (make ("a", 1, MD5_A, NULL, 1), NULL));
  g_assert_cmpint (g_list_model_get_n_items (G_LIST_MODEL (table)), ==, 1);
  g_assert_null (octopus_object_table_lookup (table, "only-gamma"));
  g_assert_cmpint (st (table, "a", "gamma"), ==, OCTOPUS_OBJECT_STATE_IN_SYNC);
}

static void
count_changed (OctopusObject *row,
               guint         *n)
{
  (*n)++;
}

static void
test_transferring_and_signals (void)
{
  g_autoptr(OctopusObjectTable) table = octopus_object_table_new (names);
  g_autoptr(OctopusObject) row = NULL;
  guint changed = 0;

  octopus_object_table_set_transferring (table, "new.bin", 1, TRUE);
  g_assert_cmpint (g_list_model_get_n_items (G_LIST_MODEL (table)), ==, 1);
  row = g_list_model_get_item (G_LIST_MODEL (table), 0);
  g_assert_cmpstr (octopus_object_get_key (row), ==, "new.bin");
  g_assert_cmpint (octopus_object_get_service_state (row, 1), ==,
                   OCTOPUS_OBJECT_STATE_TRANSFERRING);
  g_signal_connect (row, "changed", G_CALLBACK (count_changed), &changed);

  /* A listing during the transfer keeps the column transferring. */
  update3 (table,
           listing (make ("new.bin", 1, MD5_A, NULL, 1), NULL),
           listing (NULL), listing (NULL));
  g_assert_cmpint (octopus_object_get_service_state (row, 1), ==,
                   OCTOPUS_OBJECT_STATE_TRANSFERRING);
  g_assert_cmpint (octopus_object_get_service_state (row, 0), ==, OCTOPUS_OBJECT_STATE_IN_SYNC);
  g_assert_cmpint (changed, >=, 1);

  changed = 0;
  octopus_object_table_set_transferring (table, "new.bin", 1, FALSE);
  g_assert_cmpint (octopus_object_get_service_state (row, 1), ==, OCTOPUS_OBJECT_STATE_MISSING);
  g_assert_cmpint (changed, ==, 1);
  g_assert_cmpint (octopus_object_get_state (row), ==, OCTOPUS_OBJECT_STATE_MISSING);
}

static void
test_sorted_model (void)
{
  g_autoptr(OctopusObjectTable) table = octopus_object_table_new (names);
  g_autoptr(OctopusObject) first = NULL;
  g_autoptr(OctopusObject) last = NULL;

  update3 (table,
           listing (make ("zeta", 1, MD5_A, NULL, 1), make ("alpha/b", 1, MD5_A, NULL, 1), NULL),
           listing (make ("mid", 1, MD5_A, NULL, 1), NULL),
           listing (NULL));
  g_assert_cmpint (g_list_model_get_n_items (G_LIST_MODEL (table)), ==, 3);
  g_assert_true (g_list_model_get_item_type (G_LIST_MODEL (table)) == OCTOPUS_TYPE_OBJECT);
  first = g_list_model_get_item (G_LIST_MODEL (table), 0);
  last = g_list_model_get_item (G_LIST_MODEL (table), 2);
  g_assert_cmpstr (octopus_object_get_key (first), ==, "alpha/b");
  g_assert_cmpstr (octopus_object_get_key (last), ==, "zeta");
  g_assert_null (g_list_model_get_item (G_LIST_MODEL (table), 3));
}

/* Each items-changed as "pos-removed+added", checked against the model's state then. */
static void
record_change (GListModel *model,
               guint       pos,
               guint       removed,
               guint       added,
               GString    *log)
{
  g_string_append_printf (log, "%s%u-%u+%u", log->len ? " " : "", pos, removed, added);
  /* The model is consistent at every signal: the rows just added are there. */
  for (guint i = pos; i < pos + added; i++)
    {
      g_autoptr(OctopusObject) row = g_list_model_get_item (model, i);
      g_assert_nonnull (row);
    }
}

static GPtrArray *
listing_of_keys (const char *keys)
{
  g_auto(GStrv) words = g_strsplit (keys, " ", -1);
  GPtrArray *a = g_ptr_array_new_with_free_func ((GDestroyNotify) octopus_s3_object_free);

  for (guint i = 0; words[i] != NULL; i++)
    g_ptr_array_add (a, make (words[i], 1, MD5_A, NULL, 1));
  return a;
}

static char *
keys_of (OctopusObjectTable *table)
{
  GString *s = g_string_new (NULL);

  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (table)); i++)
    {
      g_autoptr(OctopusObject) row = g_list_model_get_item (G_LIST_MODEL (table), i);
      g_string_append_printf (s, "%s%s", i ? " " : "", octopus_object_get_key (row));
    }
  return g_string_free (s, FALSE);
}

/* A refresh tells the views only which rows came and went, never "everything changed":
 * rows that stay keep their place, so a selection and the scroll position survive. */
static void
test_refresh_changes_ranges (void)
{
  g_autoptr(OctopusObjectTable) table = octopus_object_table_new (names);
  g_autoptr(GString) log = g_string_new (NULL);
  g_autoptr(OctopusObject) kept = NULL;
  g_autoptr(OctopusObject) kept_again = NULL;
  g_autofree char *keys = NULL;

  update3 (table, listing_of_keys ("a b c d e f"), listing_of_keys ("a"), NULL);
  kept = g_list_model_get_item (G_LIST_MODEL (table), 3);   /* "d" */
  g_signal_connect (table, "items-changed", G_CALLBACK (record_change), log);

  /* b and c go, c2 comes between; f goes, g and h come at the end. */
  update3 (table, listing_of_keys ("a c2 d e g h"), listing_of_keys ("a"), NULL);
  g_assert_cmpstr (log->str, ==, "1-2+1 4-1+2");
  keys = keys_of (table);
  g_assert_cmpstr (keys, ==, "a c2 d e g h");
  kept_again = g_list_model_get_item (G_LIST_MODEL (table), 2);
  g_assert_true (kept == kept_again);

  /* The same listing again: not a single signal. */
  g_string_truncate (log, 0);
  update3 (table, listing_of_keys ("a c2 d e g h"), listing_of_keys ("a"), NULL);
  g_assert_cmpstr (log->str, ==, "");

  /* Everything replaced, and everything gone. */
  update3 (table, listing_of_keys ("x y"), listing_of_keys ("x"), NULL);
  g_assert_cmpstr (log->str, ==, "0-6+2");
  g_string_truncate (log, 0);
  update3 (table, listing (NULL), listing (NULL), listing (NULL));
  g_assert_cmpstr (log->str, ==, "0-2+0");
  g_assert_cmpint (g_list_model_get_n_items (G_LIST_MODEL (table)), ==, 0);
}

static void
test_state_strings (void)
{
  OctopusObjectState s;
  const char *all[] = { "in-sync", "missing", "differs", "unknown-hash", "unreachable",
                        "transferring", "damaged", "degraded", "lost" };

  for (guint i = 0; i < G_N_ELEMENTS (all); i++)
    {
      g_assert_true (octopus_object_state_from_string (all[i], &s));
      g_assert_cmpstr (octopus_object_state_to_string (s), ==, all[i]);
    }
  g_assert_false (octopus_object_state_from_string ("deleted", &s));
  g_assert_true (G_TYPE_IS_ENUM (OCTOPUS_TYPE_OBJECT_STATE));

  /* md5chksum must be a base64 of exactly 16 bytes to count. */
  g_autofree char *hex = NULL;
  g_assert_null (octopus_md5_base64_to_hex ("bm90IGFuIG1kNQ=="));
  hex = octopus_md5_base64_to_hex ("1B2M2Y8AsgTpgAmY7PhCfg==");
  g_assert_cmpstr (hex, ==, "d41d8cd98f00b204e9800998ecf8427e");
}

/* Erasure coding 2+1: the columns are the archives' states, the row in sync, degraded (k good)
 * or lost (fewer), with the original's size and MD5; k = 0 makes it mirrored again. */
static void
test_erasure (void)
{
  g_autoptr(OctopusObjectTable) table = octopus_object_table_new (names);
  OctopusObjectState good[] = { OCTOPUS_OBJECT_STATE_IN_SYNC, OCTOPUS_OBJECT_STATE_IN_SYNC,
                                OCTOPUS_OBJECT_STATE_IN_SYNC };
  OctopusObjectState one_bad[] = { OCTOPUS_OBJECT_STATE_IN_SYNC, OCTOPUS_OBJECT_STATE_DAMAGED,
                                   OCTOPUS_OBJECT_STATE_IN_SYNC };
  OctopusObjectState two_bad[] = { OCTOPUS_OBJECT_STATE_MISSING, OCTOPUS_OBJECT_STATE_DAMAGED,
                                   OCTOPUS_OBJECT_STATE_IN_SYNC };
  OctopusObject *row;
  guint k = 0, m = 0;

  update3 (table, listing (make ("k", 6, MD5_A, NULL, 1), NULL),
           listing (make ("k", 6, MD5_B, NULL, 1), NULL), listing (NULL));
  row = octopus_object_table_lookup (table, "k");
  g_assert_false (octopus_object_get_erasure (row, &k, &m));
  octopus_object_set_erasure (row, 2, 1, 10, MD5_A, good);
  g_assert_true (octopus_object_get_erasure (row, &k, &m));
  g_assert_cmpuint (k, ==, 2);
  g_assert_cmpuint (m, ==, 1);
  g_assert_cmpint (octopus_object_get_state (row), ==, OCTOPUS_OBJECT_STATE_IN_SYNC);
  g_assert_cmpint (octopus_object_get_size (row), ==, 10);
  octopus_object_set_erasure (row, 2, 1, 10, MD5_A, one_bad);
  g_assert_cmpint (st (table, "k", "beta"), ==, OCTOPUS_OBJECT_STATE_DAMAGED);
  g_assert_cmpint (octopus_object_get_state (row), ==, OCTOPUS_OBJECT_STATE_DEGRADED);
  octopus_object_set_erasure (row, 2, 1, 10, MD5_A, two_bad);
  g_assert_cmpint (st (table, "k", "alpha"), ==, OCTOPUS_OBJECT_STATE_MISSING);
  g_assert_cmpint (octopus_object_get_state (row), ==, OCTOPUS_OBJECT_STATE_LOST);
  octopus_object_set_erasure (row, 0, 0, -1, NULL, NULL);
  g_assert_false (octopus_object_get_erasure (row, NULL, NULL));
  g_assert_cmpint (octopus_object_get_state (row), ==, OCTOPUS_OBJECT_STATE_DIFFERS);
}

static void
test_finalize (void)
{
  OctopusObjectTable *table = octopus_object_table_new (names);
  OctopusObject *row;

  update3 (table, listing (make ("k", 1, MD5_A, NULL, 1), NULL), NULL, NULL);
  row = g_object_ref (octopus_object_table_lookup (table, "k"));
  g_assert_finalize_object (table);
  g_assert_finalize_object (row);
}

/* A stand-in for decryption: names ending in ".enc" decode to their upper-case stem. */
static char *
fake_decoder (const char *key,
              gpointer    data)
{
  guint *calls = data;

  (*calls)++;
  if (!g_str_has_suffix (key, ".enc"))
    return NULL;
  return g_ascii_strup (key, strlen (key) - 4);
}

static void
count_changes_cb (GListModel *model,
                  guint       position,
                  guint       removed,
                  guint       added,
                  guint      *changes)
{
  *changes += added;
}

/* The name decoder (issue 21): rows there are renamed at once with items-changed, new rows
 * are named as they come, each row is decoded only once, and keys stay the identity. */
static void
test_name_decoder (void)
{
  g_autoptr(OctopusObjectTable) table = octopus_object_table_new (names);
  guint calls = 0, changes = 0;
  OctopusObject *row;

  update3 (table, listing (make ("a.enc", 10, "\"" MD5_A "\"", NULL, 1), NULL),
           listing (NULL), listing (NULL));
  g_assert_cmpstr (octopus_object_get_display_key (octopus_object_table_lookup (table, "a.enc")),
                   ==, "a.enc");
  g_signal_connect (table, "items-changed", G_CALLBACK (count_changes_cb), &changes);
  octopus_object_table_set_name_decoder (table, fake_decoder, &calls, NULL);
  g_assert_cmpuint (changes, ==, 1);
  row = octopus_object_table_lookup (table, "a.enc");
  g_assert_cmpstr (octopus_object_get_display_key (row), ==, "A");
  g_assert_true (octopus_object_has_display_key (row));

  update3 (table, listing (make ("a.enc", 10, "\"" MD5_A "\"", NULL, 1),
                           make ("plain.txt", 3, "\"" MD5_B "\"", NULL, 1), NULL),
           listing (NULL), listing (NULL));
  row = octopus_object_table_lookup (table, "plain.txt");
  g_assert_cmpstr (octopus_object_get_display_key (row), ==, "plain.txt");
  g_assert_false (octopus_object_has_display_key (row));
  g_assert_cmpuint (calls, ==, 2);   /* a.enc once, plain.txt once */
  g_signal_handlers_disconnect_by_data (table, &changes);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/object-table/majority", test_majority);
  g_test_add_func ("/object-table/erasure", test_erasure);
  g_test_add_func ("/object-table/tie-newest", test_tie_newest);
  g_test_add_func ("/object-table/multipart-etag", test_multipart_etag);
  g_test_add_func ("/object-table/unquoted-etag", test_unquoted_and_case);
  g_test_add_func ("/object-table/unreachable", test_unreachable);
  g_test_add_func ("/object-table/transferring", test_transferring_and_signals);
  g_test_add_func ("/object-table/sorted-model", test_sorted_model);
  g_test_add_func ("/object-table/refresh-ranges", test_refresh_changes_ranges);
  g_test_add_func ("/object-table/state-strings", test_state_strings);
  g_test_add_func ("/object-table/finalize", test_finalize);
  g_test_add_func ("/object-table/name-decoder", test_name_decoder);

  return g_test_run ();
}
