/* SPDX-License-Identifier: GPL-3.0-or-later */
/* octopus-index-db.c — the index's SQL, called only on the index's worker thread.
 *
 * How a listing becomes a service's state (the staging generation): every row carries the
 * generation of the listing that wrote it, and the service's row names the generation that is
 * complete.  Begin picks generation+1 as "staging" and drops rows of any other unfinished
 * generation; pages insert rows of the staging generation, OCTOPUS_INDEX_PAGE_ROWS per
 * transaction; commit, in one transaction, makes the staging generation the complete one,
 * stamps listed_at and deletes the rows of the old generation.  Loads read only the complete
 * generation, so a crash anywhere before the commit leaves the last complete state readable
 * (with some staged rows that the next begin drops).  A temp table swapped in at the end would
 * be as safe, but its swap copies every row inside the final transaction; here the commit only
 * flips one number and deletes the old rows.  The column costs one integer per row.
 */
#include "config.h"

#include <errno.h>
#include <sqlite3.h>
#include <glib/gstdio.h>

#include "octopus-index-private.h"
#include "octopus-object-table.h"

#define SCHEMA_VERSION 1

static const char schema_sql[] =
  "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL);"
  "CREATE TABLE IF NOT EXISTS services ("
  "  id INTEGER PRIMARY KEY,"
  "  service_id TEXT NOT NULL UNIQUE,"
  "  generation INTEGER NOT NULL DEFAULT 0,"  /* rows of this generation are the state */
  "  staging INTEGER,"                        /* the generation being written, or NULL */
  "  listed_at INTEGER);"                     /* when that state was complete; NULL: never */
  "CREATE TABLE IF NOT EXISTS objects ("
  "  service INTEGER NOT NULL,"
  "  generation INTEGER NOT NULL,"
  "  key TEXT NOT NULL,"
  "  size INTEGER NOT NULL,"
  "  etag TEXT,"
  "  last_modified INTEGER NOT NULL,"
  "  md5 TEXT,"
  "  md5_source INTEGER NOT NULL,"
  "  PRIMARY KEY (service, generation, key)) WITHOUT ROWID;";

/* ---- SQLite helpers (worker thread) ------------------------------------------------------ */

static gboolean
fail (GError    **error,
      sqlite3    *db,
      const char *what)
{
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "Index: %s: %s", what,
               db != NULL ? sqlite3_errmsg (db) : "out of memory");
  return FALSE;
}

static gboolean
exec (sqlite3     *db,
      const char  *sql,
      GError     **error)
{
  if (sqlite3_exec (db, sql, NULL, NULL, NULL) != SQLITE_OK)
    return fail (error, db, sql);
  return TRUE;
}

static sqlite3_stmt *
prepare (sqlite3     *db,
         const char  *sql,
         GError     **error)
{
  sqlite3_stmt *stmt = NULL;

  if (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL) != SQLITE_OK)
    {
      fail (error, db, sql);
      return NULL;
    }
  return stmt;
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (sqlite3_stmt, sqlite3_finalize)

/* Runs a statement that returns no rows, with up to three integer parameters. */
static gboolean
run_ints (sqlite3     *db,
          const char  *sql,
          gint64       a,
          gint64       b,
          gint64       c,
          GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = prepare (db, sql, error);
  int n;

  if (stmt == NULL)
    return FALSE;
  n = sqlite3_bind_parameter_count (stmt);
  if (n >= 1) sqlite3_bind_int64 (stmt, 1, a);
  if (n >= 2) sqlite3_bind_int64 (stmt, 2, b);
  if (n >= 3) sqlite3_bind_int64 (stmt, 3, c);
  if (sqlite3_step (stmt) != SQLITE_DONE)
    return fail (error, db, sql);
  return TRUE;
}

/* ---- opening, schema version, rebuilding --------------------------------------------------- */

/* → the schema version of the open file: 0 when it is empty (new), -1 when it holds tables
 * but no version Octopus knows, or when it cannot be read at all (not a database). */
static int
read_version (sqlite3 *db)
{
  g_autoptr(sqlite3_stmt) tables = NULL;
  g_autoptr(sqlite3_stmt) version = NULL;

  if (sqlite3_prepare_v2 (db, "SELECT count(*) FROM sqlite_master", -1, &tables, NULL) !=
      SQLITE_OK || sqlite3_step (tables) != SQLITE_ROW)
    return -1;
  if (sqlite3_column_int (tables, 0) == 0)
    return 0;
  if (sqlite3_prepare_v2 (db, "SELECT version FROM schema_version", -1, &version, NULL) !=
      SQLITE_OK || sqlite3_step (version) != SQLITE_ROW)
    return -1;
  return sqlite3_column_int (version, 0);
}

/* Idempotent: two processes may both find the file new; the second one's run adds nothing. */
static gboolean
create_schema (sqlite3  *db,
               GError  **error)
{
  if (!exec (db, "BEGIN IMMEDIATE", error))
    return FALSE;
  if (exec (db, schema_sql, error) &&
      run_ints (db, "INSERT INTO schema_version (version) SELECT ? "
                    "WHERE NOT EXISTS (SELECT 1 FROM schema_version)", SCHEMA_VERSION, 0, 0,
                error) &&
      exec (db, "COMMIT", error))
    return TRUE;
  exec (db, "ROLLBACK", NULL);
  return FALSE;
}

static void
remove_files (const char *path)
{
  static const char * const suffixes[] = { "", "-wal", "-shm", "-journal" };

  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *file = g_strconcat (path, suffixes[i], NULL);
      g_unlink (file);
    }
}

/* Opens @path and brings it to SCHEMA_VERSION.  → NULL without an error when the file must
 * be thrown away (not a database, or a version this Octopus does not know). */
static sqlite3 *
open_once (const char  *path,
           GError     **error)
{
  sqlite3 *db = NULL;
  int version;

  if (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
      SQLITE_OK)
    goto failed;
  sqlite3_busy_timeout (db, 10000);
  version = read_version (db);
  if (version < 0 || version > SCHEMA_VERSION)
    {
      g_warning ("The index %s is not one this Octopus can read (%s); it is rebuilt from the "
                 "services' next listings", path,
                 version < 0 ? "not an Octopus index, or damaged" : "written by a newer Octopus");
      sqlite3_close (db);
      return NULL;
    }
  /* WAL: readers never wait for a writer; NORMAL: a commit survives a crash of the process
   * (not always a power cut, which only costs the newest listing of a cache). */
  if (exec (db, "PRAGMA journal_mode=WAL", error) &&
      exec (db, "PRAGMA synchronous=NORMAL", error) &&
      (version == SCHEMA_VERSION || create_schema (db, error)))
    return db;
  sqlite3_close (db);
  return NULL;

failed:
  fail (error, db, path);
  sqlite3_close (db);
  return NULL;
}

sqlite3 *
_octopus_index_db_open (const char  *path,
                        GError     **error)
{
  g_autofree char *dir = g_path_get_dirname (path);

  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), "Cannot create %s: %s",
                   dir, g_strerror (saved));
      return NULL;
    }
  /* Once as it is; once more from scratch when it had to be thrown away. */
  for (guint attempt = 0; attempt < 2; attempt++)
    {
      GError *local = NULL;
      sqlite3 *db = open_once (path, &local);

      if (db != NULL)
        return db;
      if (local != NULL)
        {
          g_propagate_error (error, local);
          return NULL;
        }
      remove_files (path);
    }
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "Index: cannot rebuild %s", path);
  return NULL;
}

/* ---- writing (worker thread) --------------------------------------------------------------- */

/* The services row id of @service_id, made when missing. */
static gint64
service_row (sqlite3     *db,
             const char  *service_id,
             GError     **error)
{
  g_autoptr(sqlite3_stmt) insert = NULL;
  g_autoptr(sqlite3_stmt) select = NULL;

  insert = prepare (db, "INSERT OR IGNORE INTO services (service_id) VALUES (?)", error);
  select = prepare (db, "SELECT id FROM services WHERE service_id = ?", error);
  if (insert == NULL || select == NULL)
    return -1;
  sqlite3_bind_text (insert, 1, service_id, -1, SQLITE_STATIC);
  sqlite3_bind_text (select, 1, service_id, -1, SQLITE_STATIC);
  if (sqlite3_step (insert) != SQLITE_DONE || sqlite3_step (select) != SQLITE_ROW)
    {
      fail (error, db, service_id);
      return -1;
    }
  return sqlite3_column_int64 (select, 0);
}

gboolean
_octopus_index_db_begin (sqlite3     *db,
               const char  *service_id,
               GError     **error)
{
  gint64 id;

  if (!exec (db, "BEGIN IMMEDIATE", error))
    return FALSE;
  id = service_row (db, service_id, error);
  if (id < 0 ||
      !run_ints (db, "DELETE FROM objects WHERE service = ?1 AND generation <> "
                     "(SELECT generation FROM services WHERE id = ?1)", id, 0, 0, error) ||
      !run_ints (db, "UPDATE services SET staging = generation + 1 WHERE id = ?", id, 0, 0,
                 error) ||
      !exec (db, "COMMIT", error))
    {
      exec (db, "ROLLBACK", NULL);
      return FALSE;
    }
  return TRUE;
}

static OctopusMd5Source
source_of (const OctopusS3Object *object,
           GByteArray            *sources,
           guint                  i)
{
  if (sources != NULL && i < sources->len && sources->data[i] != OCTOPUS_MD5_SOURCE_NONE)
    return sources->data[i];
  if (object->metadata != NULL && g_hash_table_contains (object->metadata, "md5chksum"))
    return OCTOPUS_MD5_SOURCE_METADATA;
  return octopus_etag_is_md5 (object->etag) ? OCTOPUS_MD5_SOURCE_ETAG : OCTOPUS_MD5_SOURCE_NONE;
}

static gboolean
insert_row (sqlite3_stmt          *stmt,
            const OctopusS3Object *o,
            OctopusMd5Source       source)
{
  g_autofree char *md5 = octopus_content_md5 (o);

  sqlite3_reset (stmt);
  sqlite3_bind_text (stmt, 3, o->key, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 4, o->size);
  sqlite3_bind_text (stmt, 5, o->etag, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 6, o->last_modified);
  sqlite3_bind_text (stmt, 7, md5, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int (stmt, 8, source);
  return sqlite3_step (stmt) == SQLITE_DONE;
}

/* Rows [@from, @to) of @objects into the staging generation, in one transaction. */
static gboolean
insert_batch (sqlite3     *db,
              gint64       id,
              gint64       staging,
              GPtrArray   *objects,
              GByteArray  *sources,
              guint        from,
              guint        to,
              GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;

  stmt = prepare (db, "INSERT OR REPLACE INTO objects (service, generation, key, size, etag, "
                      "last_modified, md5, md5_source) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", error);
  if (stmt == NULL || !exec (db, "BEGIN IMMEDIATE", error))
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, id);
  sqlite3_bind_int64 (stmt, 2, staging);
  for (guint i = from; i < to; i++)
    {
      OctopusS3Object *o = g_ptr_array_index (objects, i);

      if (!insert_row (stmt, o, source_of (o, sources, i)))
        {
          fail (error, db, o->key);
          exec (db, "ROLLBACK", NULL);
          return FALSE;
        }
    }
  return exec (db, "COMMIT", error);
}

/* → the staging generation of @service_id, or -1 (error set) when no listing was begun. */
static gint64
staging_of (sqlite3     *db,
            const char  *service_id,
            gint64      *id,
            GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;

  stmt = prepare (db, "SELECT id, staging FROM services WHERE service_id = ?", error);
  if (stmt == NULL)
    return -1;
  sqlite3_bind_text (stmt, 1, service_id, -1, SQLITE_STATIC);
  if (sqlite3_step (stmt) != SQLITE_ROW || sqlite3_column_type (stmt, 1) == SQLITE_NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   "Index: no listing of %s was begun", service_id);
      return -1;
    }
  *id = sqlite3_column_int64 (stmt, 0);
  return sqlite3_column_int64 (stmt, 1);
}

gboolean
_octopus_index_db_add_page (sqlite3     *db,
          const char  *service_id,
          GPtrArray   *objects,
          GByteArray  *sources,
          GError     **error)
{
  gint64 id = 0;
  gint64 staging = staging_of (db, service_id, &id, error);

  if (staging < 0)
    return FALSE;
  for (guint from = 0; from < objects->len; from += OCTOPUS_INDEX_PAGE_ROWS)
    if (!insert_batch (db, id, staging, objects, sources, from,
                       MIN (objects->len, from + OCTOPUS_INDEX_PAGE_ROWS), error))
      return FALSE;
  return TRUE;
}

gboolean
_octopus_index_db_commit (sqlite3     *db,
                const char  *service_id,
                GError     **error)
{
  gint64 id = 0;
  gint64 staging;

  if (!exec (db, "BEGIN IMMEDIATE", error))
    return FALSE;
  staging = staging_of (db, service_id, &id, error);
  if (staging < 0 ||
      !run_ints (db, "UPDATE services SET generation = ?, staging = NULL, listed_at = ? "
                     "WHERE id = ?", staging, g_get_real_time () / G_USEC_PER_SEC, id, error) ||
      !run_ints (db, "DELETE FROM objects WHERE service = ? AND generation <> ?", id, staging, 0,
                 error) ||
      !exec (db, "COMMIT", error))
    {
      exec (db, "ROLLBACK", NULL);
      return FALSE;
    }
  return TRUE;
}

/* ---- reading (worker thread) --------------------------------------------------------------- */

static OctopusS3Object *
object_from_row (sqlite3_stmt     *stmt,
                 OctopusMd5Source *source)
{
  OctopusS3Object *o = g_new0 (OctopusS3Object, 1);
  const char *md5 = (const char *) sqlite3_column_text (stmt, 4);

  o->key = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  o->size = sqlite3_column_int64 (stmt, 1);
  o->etag = g_strdup ((const char *) sqlite3_column_text (stmt, 2));
  o->last_modified = sqlite3_column_int64 (stmt, 3);
  *source = sqlite3_column_int (stmt, 5);
  /* Learnt MD5s go back where octopus_content_md5() finds them. */
  if (md5 != NULL && *source != OCTOPUS_MD5_SOURCE_ETAG)
    {
      char *base64 = octopus_md5_hex_to_base64 (md5);

      o->metadata = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
      if (base64 != NULL)
        g_hash_table_insert (o->metadata, g_strdup ("md5chksum"), base64);
    }
  return o;
}

static gboolean
load_rows (sqlite3              *db,
           gint64                id,
           gint64                generation,
           OctopusIndexListing  *listing,
           GError              **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  stmt = prepare (db, "SELECT key, size, etag, last_modified, md5, md5_source FROM objects "
                      "WHERE service = ? AND generation = ? ORDER BY key", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, id);
  sqlite3_bind_int64 (stmt, 2, generation);
  listing->objects = g_ptr_array_new_with_free_func ((GDestroyNotify) octopus_s3_object_free);
  listing->sources = g_byte_array_new ();
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      OctopusMd5Source source = OCTOPUS_MD5_SOURCE_NONE;
      guint8 byte;

      g_ptr_array_add (listing->objects, object_from_row (stmt, &source));
      byte = (guint8) source;
      g_byte_array_append (listing->sources, &byte, 1);
    }
  return rc == SQLITE_DONE || fail (error, db, "reading objects");
}

static OctopusIndexListing *
load_listing (sqlite3     *db,
              const char  *service_id,
              GError     **error)
{
  g_autoptr(OctopusIndexListing) listing = g_new0 (OctopusIndexListing, 1);
  g_autoptr(sqlite3_stmt) stmt = NULL;

  listing->service_id = g_strdup (service_id);
  stmt = prepare (db, "SELECT id, generation, listed_at FROM services "
                      "WHERE service_id = ? AND listed_at IS NOT NULL", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, service_id, -1, SQLITE_STATIC);
  if (sqlite3_step (stmt) != SQLITE_ROW)
    return g_steal_pointer (&listing);     /* never completely listed */
  listing->listed_at = sqlite3_column_int64 (stmt, 2);
  if (!load_rows (db, sqlite3_column_int64 (stmt, 0), sqlite3_column_int64 (stmt, 1), listing,
                  error))
    return NULL;
  return g_steal_pointer (&listing);
}

/* One read transaction, so every service's listing comes from the same moment. */
GPtrArray *
_octopus_index_db_load (sqlite3     *db,
          char       **service_ids,
          GError     **error)
{
  g_autoptr(GPtrArray) listings =
    g_ptr_array_new_with_free_func ((GDestroyNotify) octopus_index_listing_free);

  if (!exec (db, "BEGIN", error))
    return NULL;
  for (guint i = 0; service_ids[i] != NULL; i++)
    {
      OctopusIndexListing *listing = load_listing (db, service_ids[i], error);

      if (listing == NULL)
        {
          exec (db, "ROLLBACK", NULL);
          return NULL;
        }
      g_ptr_array_add (listings, listing);
    }
  exec (db, "COMMIT", NULL);
  return g_steal_pointer (&listings);
}
