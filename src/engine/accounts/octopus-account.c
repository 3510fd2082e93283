/* SPDX-License-Identifier: GPL-3.0-or-later */
/* octopus-account.c — one account: settings, validation, runtime state. */
#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>
#include <gio/gio.h>

#include "octopus-account.h"

struct _OctopusAccount
{
  GObject parent_instance;

  char *name;
  char *provider_id;
  char *endpoint;
  char *region;
  char *bucket;
  char *access_key;
  gboolean path_style;
  gboolean allow_http;

  OctopusAccountState state;
  char *status_message;
  OctopusAclSupport acl_support;
};

G_DEFINE_FINAL_TYPE (OctopusAccount, octopus_account, G_TYPE_OBJECT)
G_DEFINE_QUARK (octopus-account-error-quark, octopus_account_error)

G_DEFINE_ENUM_TYPE (OctopusAccountState, octopus_account_state,
  G_DEFINE_ENUM_VALUE (OCTOPUS_ACCOUNT_STATE_UNKNOWN, "unknown"),
  G_DEFINE_ENUM_VALUE (OCTOPUS_ACCOUNT_STATE_CONNECTING, "connecting"),
  G_DEFINE_ENUM_VALUE (OCTOPUS_ACCOUNT_STATE_CONNECTED, "connected"),
  G_DEFINE_ENUM_VALUE (OCTOPUS_ACCOUNT_STATE_FAILED, "failed"))

G_DEFINE_ENUM_TYPE (OctopusAclSupport, octopus_acl_support,
  G_DEFINE_ENUM_VALUE (OCTOPUS_ACL_SUPPORT_UNKNOWN, "unknown"),
  G_DEFINE_ENUM_VALUE (OCTOPUS_ACL_SUPPORT_YES, "yes"),
  G_DEFINE_ENUM_VALUE (OCTOPUS_ACL_SUPPORT_NO, "no"))

enum {
  PROP_0,
  PROP_NAME,
  PROP_PROVIDER,
  PROP_ENDPOINT,
  PROP_REGION,
  PROP_BUCKET,
  PROP_PATH_STYLE,
  PROP_ALLOW_HTTP,
  PROP_ACCESS_KEY,
  PROP_STATE,
  PROP_STATUS_MESSAGE,
  PROP_ACL_SUPPORT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
octopus_account_finalize (GObject *object)
{
  OctopusAccount *self = OCTOPUS_ACCOUNT (object);

  g_free (self->name);
  g_free (self->provider_id);
  g_free (self->endpoint);
  g_free (self->region);
  g_free (self->bucket);
  g_free (self->access_key);
  g_free (self->status_message);

  G_OBJECT_CLASS (octopus_account_parent_class)->finalize (object);
}

static void
octopus_account_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  OctopusAccount *self = OCTOPUS_ACCOUNT (object);

  switch (prop_id)
    {
    case PROP_NAME: g_value_set_string (value, self->name); break;
    case PROP_PROVIDER: g_value_set_string (value, self->provider_id); break;
    case PROP_ENDPOINT: g_value_set_string (value, self->endpoint); break;
    case PROP_REGION: g_value_set_string (value, self->region); break;
    case PROP_BUCKET: g_value_set_string (value, self->bucket); break;
    case PROP_PATH_STYLE: g_value_set_boolean (value, self->path_style); break;
    case PROP_ALLOW_HTTP: g_value_set_boolean (value, self->allow_http); break;
    case PROP_ACCESS_KEY: g_value_set_string (value, self->access_key); break;
    case PROP_STATE: g_value_set_enum (value, self->state); break;
    case PROP_STATUS_MESSAGE: g_value_set_string (value, self->status_message); break;
    case PROP_ACL_SUPPORT: g_value_set_enum (value, self->acl_support); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
octopus_account_set_property (GObject *object, guint prop_id, const GValue *value,
                              GParamSpec *pspec)
{
  OctopusAccount *self = OCTOPUS_ACCOUNT (object);

  switch (prop_id)
    {
    /* name, provider and endpoint identify the account: construct-only. */
    case PROP_NAME: self->name = g_value_dup_string (value); break;
    case PROP_PROVIDER: self->provider_id = g_value_dup_string (value); break;
    case PROP_ENDPOINT: self->endpoint = g_value_dup_string (value); break;
    case PROP_REGION: octopus_account_set_region (self, g_value_get_string (value)); break;
    case PROP_BUCKET: octopus_account_set_bucket (self, g_value_get_string (value)); break;
    case PROP_PATH_STYLE: octopus_account_set_path_style (self, g_value_get_boolean (value)); break;
    case PROP_ALLOW_HTTP: octopus_account_set_allow_http (self, g_value_get_boolean (value)); break;
    case PROP_ACCESS_KEY: octopus_account_set_access_key (self, g_value_get_string (value)); break;
    case PROP_ACL_SUPPORT: octopus_account_set_acl_support (self, g_value_get_enum (value)); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
octopus_account_class_init (OctopusAccountClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags rw = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;
  const GParamFlags co = G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS;
  const GParamFlags ro = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS;

  object_class->finalize = octopus_account_finalize;
  object_class->get_property = octopus_account_get_property;
  object_class->set_property = octopus_account_set_property;

  properties[PROP_NAME] = g_param_spec_string ("name", NULL, NULL, NULL, co);
  properties[PROP_PROVIDER] = g_param_spec_string ("provider", NULL, NULL, NULL, co);
  properties[PROP_ENDPOINT] = g_param_spec_string ("endpoint", NULL, NULL, NULL, co);
  properties[PROP_REGION] = g_param_spec_string ("region", NULL, NULL, NULL, rw);
  properties[PROP_BUCKET] = g_param_spec_string ("bucket", NULL, NULL, NULL, rw);
  properties[PROP_PATH_STYLE] = g_param_spec_boolean ("path-style", NULL, NULL, FALSE, rw);
  properties[PROP_ALLOW_HTTP] = g_param_spec_boolean ("allow-http", NULL, NULL, FALSE, rw);
  properties[PROP_ACCESS_KEY] = g_param_spec_string ("access-key", NULL, NULL, NULL, rw);
  properties[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL, OCTOPUS_TYPE_ACCOUNT_STATE,
                       OCTOPUS_ACCOUNT_STATE_UNKNOWN, ro);
  properties[PROP_STATUS_MESSAGE] = g_param_spec_string ("status-message", NULL, NULL, NULL, ro);
  properties[PROP_ACL_SUPPORT] =
    g_param_spec_enum ("acl-support", NULL, NULL, OCTOPUS_TYPE_ACL_SUPPORT,
                       OCTOPUS_ACL_SUPPORT_UNKNOWN, rw);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
octopus_account_init (OctopusAccount *self)
{
}

OctopusAccount *
octopus_account_new (const char *name, const char *provider_id, const char *endpoint)
{
  const OctopusProvider *provider;

  provider = provider_id != NULL ? octopus_provider_lookup (provider_id)
                                 : octopus_provider_guess (endpoint);
  /* An unknown id is kept as given so that validation can name it. */
  return g_object_new (OCTOPUS_TYPE_ACCOUNT,
                       "name", name,
                       "provider", provider != NULL ? provider->id : provider_id,
                       "endpoint", endpoint,
                       "region", provider != NULL ? provider->default_region : NULL,
                       "path-style", provider != NULL ? provider->path_style : FALSE,
                       "acl-support", provider != NULL ? provider->acl_support
                                                       : OCTOPUS_ACL_SUPPORT_UNKNOWN,
                       NULL);
}

const char *
octopus_account_get_name (OctopusAccount *self)
{
  g_return_val_if_fail (OCTOPUS_IS_ACCOUNT (self), NULL);
  return self->name;
}

const char *
octopus_account_get_provider_id (OctopusAccount *self)
{
  g_return_val_if_fail (OCTOPUS_IS_ACCOUNT (self), NULL);
  return self->provider_id;
}

const OctopusProvider *
octopus_account_get_provider (OctopusAccount *self)
{
  const OctopusProvider *provider;

  g_return_val_if_fail (OCTOPUS_IS_ACCOUNT (self), NULL);
  provider = octopus_provider_lookup (self->provider_id);
  return provider != NULL ? provider : octopus_provider_lookup (OCTOPUS_PROVIDER_CUSTOM);
}

const char *
octopus_account_get_endpoint (OctopusAccount *self)
{
  g_return_val_if_fail (OCTOPUS_IS_ACCOUNT (self), NULL);
  return self->endpoint;
}

static void
set_string (OctopusAccount *self, char **field, const char *value, guint prop)
{
  /* g_set_str() is GLib 2.76; this is the same for 2.74. */
  if (g_strcmp0 (*field, value) == 0)
    return;
  g_free (*field);
  *field = g_strdup (value);
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop]);
}

const char *
octopus_account_get_region (OctopusAccount *self)
{
  g_return_val_if_fail (OCTOPUS_IS_ACCOUNT (self), NULL);
  return self->region;
}

void
octopus_account_set_region (OctopusAccount *self, const char *region)
{
  g_return_if_fail (OCTOPUS_IS_ACCOUNT (self));
  set_string (self, &self->region, region, PROP_REGION);
}

const char *
octopus_account_get_bucket (OctopusAccount *self)
{
  g_return_val_if_fail (OCTOPUS_IS_ACCOUNT (self), NULL);
  return self->bucket;
}

void
octopus_account_set_bucket (OctopusAccount *self, const char *bucket)
{
  g_return_if_fail (OCTOPUS_IS_ACCOUNT (self));
  set_string (self, &self->bucket, bucket, PROP_BUCKET);
}

void
octopus_account_set_bucket_or_new (OctopusAccount *self,
                                   const char     *bucket)
{
  g_autofree char *generated = NULL;

  g_return_if_fail (OCTOPUS_IS_ACCOUNT (self));

  if (bucket == NULL || *bucket == '\0')
    bucket = generated = octopus_account_generate_bucket_name ();
  octopus_account_set_bucket (self, bucket);
}

const char *
octopus_account_get_access_key (OctopusAccount *self)
{
  g_return_val_if_fail (OCTOPUS_IS_ACCOUNT (self), NULL);
  return self->access_key;
}

void
octopus_account_set_access_key (OctopusAccount *self, const char *access_key)
{
  g_return_if_fail (OCTOPUS_IS_ACCOUNT (self));
  set_string (self, &self->access_key, access_key, PROP_ACCESS_KEY);
}

gboolean
octopus_account_get_path_style (OctopusAccount *self)
{
  g_return_val_if_fail (OCTOPUS_IS_ACCOUNT (self), FALSE);
  return self->path_style;
}

void
octopus_account_set_path_style (OctopusAccount *self, gboolean path_style)
{
  g_return_if_fail (OCTOPUS_IS_ACCOUNT (self));
  path_style = !!path_style;
  if (self->path_style == path_style)
    return;
  self->path_style = path_style;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PATH_STYLE]);
}

gboolean
octopus_account_get_allow_http (OctopusAccount *self)
{
  g_return_val_if_fail (OCTOPUS_IS_ACCOUNT (self), FALSE);
  return self->allow_http;
}

void
octopus_account_set_allow_http (OctopusAccount *self, gboolean allow_http)
{
  g_return_if_fail (OCTOPUS_IS_ACCOUNT (self));
  allow_http = !!allow_http;
  if (self->allow_http == allow_http)
    return;
  self->allow_http = allow_http;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ALLOW_HTTP]);
}

OctopusAccountState
octopus_account_get_state (OctopusAccount *self)
{
  g_return_val_if_fail (OCTOPUS_IS_ACCOUNT (self), OCTOPUS_ACCOUNT_STATE_UNKNOWN);
  return self->state;
}

const char *
octopus_account_get_status_message (OctopusAccount *self)
{
  g_return_val_if_fail (OCTOPUS_IS_ACCOUNT (self), NULL);
  return self->status_message;
}

void
octopus_account_set_state (OctopusAccount *self, OctopusAccountState state,
                           const char *status_message)
{
  g_return_if_fail (OCTOPUS_IS_ACCOUNT (self));

  g_object_freeze_notify (G_OBJECT (self));
  if (self->state != state)
    {
      self->state = state;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
    }
  set_string (self, &self->status_message, status_message, PROP_STATUS_MESSAGE);
  g_object_thaw_notify (G_OBJECT (self));
}

OctopusAclSupport
octopus_account_get_acl_support (OctopusAccount *self)
{
  g_return_val_if_fail (OCTOPUS_IS_ACCOUNT (self), OCTOPUS_ACL_SUPPORT_UNKNOWN);
  return self->acl_support;
}

void
octopus_account_set_acl_support (OctopusAccount *self, OctopusAclSupport support)
{
  g_return_if_fail (OCTOPUS_IS_ACCOUNT (self));
  if (self->acl_support == support)
    return;
  self->acl_support = support;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ACL_SUPPORT]);
}

/* ---- validation ---------------------------------------------------------- */

gboolean
octopus_account_check_name (const char *name, GError **error)
{
  if (name == NULL || *name == '\0')
    {
      g_set_error (error, OCTOPUS_ACCOUNT_ERROR, OCTOPUS_ACCOUNT_ERROR_INVALID_NAME,
                   _("The account needs a name"));
      return FALSE;
    }
  if (!g_utf8_validate (name, -1, NULL) || g_utf8_strlen (name, -1) > 64)
    {
      g_set_error (error, OCTOPUS_ACCOUNT_ERROR, OCTOPUS_ACCOUNT_ERROR_INVALID_NAME,
                   _("An account name must be valid text of at most 64 characters"));
      return FALSE;
    }
  if (g_unichar_isspace (g_utf8_get_char (name))
      || g_unichar_isspace (g_utf8_get_char (g_utf8_find_prev_char (name, name + strlen (name)))))
    {
      g_set_error (error, OCTOPUS_ACCOUNT_ERROR, OCTOPUS_ACCOUNT_ERROR_INVALID_NAME,
                   _("An account name cannot begin or end with a space"));
      return FALSE;
    }
  /* '[' and ']' delimit groups in the config file; control characters break the listing. */
  for (const char *p = name; *p; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);
      if (g_unichar_iscntrl (c) || c == '[' || c == ']')
        {
          g_set_error (error, OCTOPUS_ACCOUNT_ERROR, OCTOPUS_ACCOUNT_ERROR_INVALID_NAME,
                       _("An account name cannot contain “[”, “]” or control characters"));
          return FALSE;
        }
    }
  return TRUE;
}

gboolean
octopus_account_check_endpoint (const char *endpoint, gboolean allow_http, GError **error)
{
  g_autoptr(GUri) uri = NULL;
  g_autoptr(GError) local_error = NULL;
  const char *scheme, *path;

  if (endpoint == NULL || *endpoint == '\0')
    {
      g_set_error (error, OCTOPUS_ACCOUNT_ERROR, OCTOPUS_ACCOUNT_ERROR_INVALID_ENDPOINT,
                   _("The account needs an endpoint URL"));
      return FALSE;
    }
  uri = g_uri_parse (endpoint, G_URI_FLAGS_NONE, &local_error);
  if (uri == NULL)
    {
      g_set_error (error, OCTOPUS_ACCOUNT_ERROR, OCTOPUS_ACCOUNT_ERROR_INVALID_ENDPOINT,
                   _("The endpoint “%s” is not a valid URL: %s"),
                   endpoint, local_error->message);
      return FALSE;
    }
  scheme = g_uri_get_scheme (uri);
  path = g_uri_get_path (uri);
  if ((g_ascii_strcasecmp (scheme, "https") != 0 && g_ascii_strcasecmp (scheme, "http") != 0)
      || g_uri_get_host (uri) == NULL || *g_uri_get_host (uri) == '\0'
      || g_uri_get_userinfo (uri) != NULL || g_uri_get_query (uri) != NULL
      || g_uri_get_fragment (uri) != NULL || (*path != '\0' && !g_str_equal (path, "/")))
    {
      g_set_error (error, OCTOPUS_ACCOUNT_ERROR, OCTOPUS_ACCOUNT_ERROR_INVALID_ENDPOINT,
                   _("The endpoint “%s” must be an http(s) URL with only a host and port, "
                     "like https://s3.example.com"), endpoint);
      return FALSE;
    }
  if (g_ascii_strcasecmp (scheme, "http") == 0 && !allow_http)
    {
      g_set_error (error, OCTOPUS_ACCOUNT_ERROR, OCTOPUS_ACCOUNT_ERROR_INSECURE_ENDPOINT,
                   _("The endpoint “%s” is not encrypted (http://); allow plain HTTP for "
                     "this account only if the server is on your own machine or network"),
                   endpoint);
      return FALSE;
    }
  return TRUE;
}

static gboolean
looks_like_ipv4 (const char *s)
{
  g_autoptr(GInetAddress) address = g_inet_address_new_from_string (s);
  return address != NULL;
}

gboolean
octopus_account_check_bucket (const char *bucket, GError **error)
{
  size_t len = bucket != NULL ? strlen (bucket) : 0;
  gboolean ok = len >= 3 && len <= 63;

  /* The S3 rules for new buckets (valid everywhere, including virtual-host addressing):
   * 3–63 of a-z 0-9 . -, letter or digit at both ends, no "..", not an IP address, and not
   * one of the reserved prefixes and suffixes. */
  for (size_t i = 0; ok && i < len; i++)
    {
      char c = bucket[i];
      ok = g_ascii_islower (c) || g_ascii_isdigit (c) || c == '.' || c == '-';
    }
  if (ok)
    ok = g_ascii_isalnum (bucket[0]) && g_ascii_isalnum (bucket[len - 1])
         && strstr (bucket, "..") == NULL && strstr (bucket, ".-") == NULL
         && strstr (bucket, "-.") == NULL && !looks_like_ipv4 (bucket)
         && !g_str_has_prefix (bucket, "xn--") && !g_str_has_prefix (bucket, "sthree-")
         && !g_str_has_suffix (bucket, "-s3alias") && !g_str_has_suffix (bucket, "--ol-s3");
  if (!ok)
    {
      g_set_error (error, OCTOPUS_ACCOUNT_ERROR, OCTOPUS_ACCOUNT_ERROR_INVALID_BUCKET,
                   _("“%s” is not a valid bucket name: use 3 to 63 lowercase letters, digits, "
                     "dots and hyphens, beginning and ending with a letter or digit"),
                   bucket != NULL ? bucket : "");
      return FALSE;
    }
  return TRUE;
}

static gboolean
check_token (const char *value, gint code, const char *message, GError **error)
{
  gboolean ok = value != NULL && *value != '\0' && strlen (value) <= 256;

  for (const char *p = value; ok && *p; p++)
    ok = g_ascii_isgraph (*p);
  if (!ok)
    g_set_error_literal (error, OCTOPUS_ACCOUNT_ERROR, code, message);
  return ok;
}

gboolean
octopus_account_validate (OctopusAccount *self, GError **error)
{
  g_return_val_if_fail (OCTOPUS_IS_ACCOUNT (self), FALSE);

  if (!octopus_account_check_name (self->name, error))
    return FALSE;
  if (octopus_provider_lookup (self->provider_id) == NULL)
    {
      g_autoptr(GString) ids = g_string_new (NULL);
      guint n;
      const OctopusProvider *all = octopus_provider_get_all (&n);

      for (guint i = 0; i < n; i++)
        g_string_append_printf (ids, "%s%s", i ? ", " : "", all[i].id);
      g_set_error (error, OCTOPUS_ACCOUNT_ERROR, OCTOPUS_ACCOUNT_ERROR_INVALID_PROVIDER,
                   _("Unknown provider “%s” (known: %s)"),
                   self->provider_id != NULL ? self->provider_id : "", ids->str);
      return FALSE;
    }
  return octopus_account_check_endpoint (self->endpoint, self->allow_http, error)
         && check_token (self->region, OCTOPUS_ACCOUNT_ERROR_INVALID_REGION,
                         _("The region must be one word, like “us-east-1”"), error)
         && octopus_account_check_bucket (self->bucket, error)
         && check_token (self->access_key, OCTOPUS_ACCOUNT_ERROR_INVALID_ACCESS_KEY,
                         _("The access key ID must be one word without spaces"), error);
}

char *
octopus_account_generate_bucket_name (void)
{
  /* g_random_* is seeded from /dev/urandom; 64 bits make collisions in the global
   * namespace negligible. */
  return g_strdup_printf ("octopus-%08" G_GINT32_MODIFIER "x%08" G_GINT32_MODIFIER "x",
                          g_random_int (), g_random_int ());
}
