/* SPDX-License-Identifier: GPL-3.0-or-later */
/* octopus-provider.c — the provider presets. */
#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>

#include "octopus-provider.h"

/* Sources for the values: each provider's S3 compatibility documentation.  ACL support
 * UNKNOWN means "probe it": AWS buckets created since 2023 default to "bucket owner
 * enforced" (ACLs disabled), older ones accept them; GCS depends on uniform bucket access. */
static const OctopusProvider providers[] = {
  { "aws", N_("Amazon Web Services S3"), "https://s3.{region}.amazonaws.com", "us-east-1",
    FALSE, OCTOPUS_ACL_SUPPORT_UNKNOWN, TRUE },
  { "minio", N_("MinIO"), NULL, "us-east-1",
    TRUE, OCTOPUS_ACL_SUPPORT_NO, TRUE },
  { "ceph", N_("Ceph Object Gateway (RGW)"), NULL, "us-east-1",
    TRUE, OCTOPUS_ACL_SUPPORT_YES, TRUE },
  { "swift", N_("OpenStack Swift (s3api)"), NULL, "us-east-1",
    TRUE, OCTOPUS_ACL_SUPPORT_YES, TRUE },
  { "wasabi", N_("Wasabi"), "https://s3.{region}.wasabisys.com", "us-east-1",
    FALSE, OCTOPUS_ACL_SUPPORT_YES, TRUE },
  { "b2", N_("Backblaze B2"), "https://s3.{region}.backblazeb2.com", "us-west-004",
    FALSE, OCTOPUS_ACL_SUPPORT_NO, FALSE },
  { "r2", N_("Cloudflare R2"), "https://{account}.r2.cloudflarestorage.com", "auto",
    TRUE, OCTOPUS_ACL_SUPPORT_NO, FALSE },
  { "gcs", N_("Google Cloud Storage (interoperability)"), "https://storage.googleapis.com", "auto",
    TRUE, OCTOPUS_ACL_SUPPORT_UNKNOWN, FALSE },
  { OCTOPUS_PROVIDER_CUSTOM, N_("Other S3-compatible service"), NULL, "us-east-1",
    FALSE, OCTOPUS_ACL_SUPPORT_UNKNOWN, FALSE },
};

const OctopusProvider *
octopus_provider_get_all (guint *n_providers)
{
  if (n_providers != NULL)
    *n_providers = G_N_ELEMENTS (providers);
  return providers;
}

const OctopusProvider *
octopus_provider_lookup (const char *id)
{
  if (id == NULL)
    return NULL;
  for (guint i = 0; i < G_N_ELEMENTS (providers); i++)
    if (g_str_equal (providers[i].id, id))
      return &providers[i];
  return NULL;
}

const char *
octopus_provider_get_display_name (const OctopusProvider *provider)
{
  g_return_val_if_fail (provider != NULL, NULL);
  return g_dgettext (GETTEXT_PACKAGE, provider->name);
}

/* Replaces "{name}" in @pattern by @value; FALSE when the placeholder is there but @value is
 * missing or would change the host's shape (a dot-free, slash-free DNS label is required). */
static gboolean
substitute (GString *s, const char *name, const char *value)
{
  g_autofree char *placeholder = g_strdup_printf ("{%s}", name);

  if (strstr (s->str, placeholder) == NULL)
    return TRUE;
  if (value == NULL || *value == '\0')
    return FALSE;
  for (const char *p = value; *p; p++)
    if (!g_ascii_isalnum (*p) && *p != '-')
      return FALSE;
  g_string_replace (s, placeholder, value, 0);
  return TRUE;
}

char *
octopus_provider_expand_endpoint (const OctopusProvider *provider,
                                  const char            *region,
                                  const char            *account_id)
{
  g_autoptr(GString) s = NULL;

  g_return_val_if_fail (provider != NULL, NULL);

  if (provider->endpoint_pattern == NULL)
    return NULL;
  if (region == NULL)
    region = provider->default_region;

  s = g_string_new (provider->endpoint_pattern);
  if (!substitute (s, "region", region) || !substitute (s, "account", account_id))
    return NULL;
  return g_string_free (g_steal_pointer (&s), FALSE);
}

const OctopusProvider *
octopus_provider_guess (const char *endpoint)
{
  static const struct { const char *suffix; const char *id; } hosts[] = {
    { ".amazonaws.com", "aws" },
    { ".wasabisys.com", "wasabi" },
    { ".backblazeb2.com", "b2" },
    { ".r2.cloudflarestorage.com", "r2" },
    { "storage.googleapis.com", "gcs" },
  };
  g_autoptr(GUri) uri = NULL;
  const char *host;

  if (endpoint != NULL)
    uri = g_uri_parse (endpoint, G_URI_FLAGS_NONE, NULL);
  host = uri != NULL ? g_uri_get_host (uri) : NULL;
  if (host != NULL)
    for (guint i = 0; i < G_N_ELEMENTS (hosts); i++)
      if (g_str_has_suffix (host, hosts[i].suffix))
        return octopus_provider_lookup (hosts[i].id);
  return octopus_provider_lookup (OCTOPUS_PROVIDER_CUSTOM);
}
