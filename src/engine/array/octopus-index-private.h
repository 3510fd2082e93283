/* SPDX-License-Identifier: GPL-3.0-or-later */
/* octopus-index-private.h — the index's SQL (octopus-index-db.c), for its worker thread only.
 * Each call is one or more whole transactions on @db; errors are G_IO_ERROR_FAILED with
 * SQLite's message. */
#pragma once

#include <sqlite3.h>
#include "octopus-index.h"

G_BEGIN_DECLS

/* Opens (creating the folder and the schema) @path; a file that is not an Octopus index of a
 * known version is thrown away with a warning and made anew. */
sqlite3   *_octopus_index_db_open     (const char  *path,
                                       GError     **error);
/* Drops rows an unfinished listing of @service_id staged; the next generation is staging. */
gboolean   _octopus_index_db_begin    (sqlite3     *db,
                                       const char  *service_id,
                                       GError     **error);
/* @objects into the staging generation, OCTOPUS_INDEX_PAGE_ROWS per transaction. */
gboolean   _octopus_index_db_add_page (sqlite3     *db,
                                       const char  *service_id,
                                       GPtrArray   *objects,
                                       GByteArray  *sources,
                                       GError     **error);
/* The staging generation becomes the complete one, stamped now; the old rows go. */
gboolean   _octopus_index_db_commit   (sqlite3     *db,
                                       const char  *service_id,
                                       GError     **error);
/* → GPtrArray of OctopusIndexListing, one per @service_ids entry, read in one transaction. */
GPtrArray *_octopus_index_db_load     (sqlite3     *db,
                                       char       **service_ids,
                                       GError     **error);

G_END_DECLS
