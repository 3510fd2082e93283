/* SPDX-License-Identifier: GPL-3.0-or-later */
/* octopus-provider.h — presets for the S3-compatible services Octopus knows.
 *
 * A preset fills sensible defaults when an account is created (endpoint pattern, region,
 * addressing style) and tells the engine what to expect from the service (object ACLs,
 * multipart ETags).  Presets are static data: never freed, safe from any thread.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  OCTOPUS_ACL_SUPPORT_UNKNOWN,     /* probe when connecting (AWS: depends on bucket ownership) */
  OCTOPUS_ACL_SUPPORT_YES,
  OCTOPUS_ACL_SUPPORT_NO,          /* "ACLs not supported here" */
} OctopusAclSupport;

typedef struct {
  const char       *id;                /* stable, stored in the config: "aws", "minio", … */
  const char       *name;              /* untranslated; use octopus_provider_get_display_name() */
  /* "https://s3.{region}.amazonaws.com"; NULL: user gives it */
  const char       *endpoint_pattern;
  const char       *default_region;
  gboolean          path_style;        /* default addressing style */
  OctopusAclSupport acl_support;
  gboolean          multipart_etags_meaningful; /* ETag "<md5 of part md5s>-N" can be checked */
} OctopusProvider;

#define OCTOPUS_PROVIDER_CUSTOM "custom"

/* All presets in display order; @n_providers receives their number. */
const OctopusProvider *octopus_provider_get_all          (guint                 *n_providers);
/* The preset with @id, or NULL. */
const OctopusProvider *octopus_provider_lookup           (const char            *id);
/* The translated display name ("Amazon Web Services S3"). */
const char            *octopus_provider_get_display_name (const OctopusProvider *provider);
/* The endpoint for @region (and @account_id where the pattern has "{account}", e.g. R2), or
 * NULL when the preset has no pattern or a needed value is missing. */
char                  *octopus_provider_expand_endpoint  (const OctopusProvider *provider,
                                                          const char            *region,
                                                          const char            *account_id);
/* The preset whose endpoints look like @endpoint ("…amazonaws.com" → aws), else "custom". */
const OctopusProvider *octopus_provider_guess            (const char            *endpoint);

G_END_DECLS
