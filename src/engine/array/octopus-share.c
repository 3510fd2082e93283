/* SPDX-License-Identifier: GPL-3.0-or-later */
/* octopus-share.c — share links: which copy may be shared, and its presigned URL. */
#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>

#include "octopus-share.h"

gboolean
octopus_share_parse_duration (const char  *text,
                              guint       *seconds,
                              GError     **error)
{
  static const struct { char unit; guint seconds; } units[] = {
    { 's', 1 }, { 'm', 60 }, { 'h', 60 * 60 }, { 'd', 24 * 60 * 60 },
  };
  g_autofree char *number = NULL;
  gsize len = text != NULL ? strlen (text) : 0;
  guint64 n = 0;
  guint unit = 0;

  g_return_val_if_fail (seconds != NULL, FALSE);

  for (guint i = 0; len >= 2 && i < G_N_ELEMENTS (units); i++)
    if (text[len - 1] == units[i].unit)
      unit = units[i].seconds;
  if (unit != 0)
    number = g_strndup (text, len - 1);
  /* g_ascii_string_to_unsigned() alone would take "+5" and " 5": digits only. */
  if (unit == 0 || strspn (number, "0123456789") != len - 1
      || !g_ascii_string_to_unsigned (number, 10, 0, G_MAXUINT64, &n, NULL))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("“%s” is not a duration; write a number and a unit (s, m, h or d), "
                     "such as 30m, 12h or 7d"), text != NULL ? text : "");
      return FALSE;
    }
  /* Compared before multiplying, so a long run of digits cannot wrap around. */
  if (n > OCTOPUS_SHARE_MAX_SECONDS / unit)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("A share link can last at most 7 days (the limit of S3 signatures); "
                     "“%s” is longer"), text);
      return FALSE;
    }
  if (n == 0)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           _("A share link must last at least 1 second"));
      return FALSE;
    }
  *seconds = (guint) n * unit;
  return TRUE;
}

char **
octopus_array_share_services (OctopusArray *self,
                              const char   *key)
{
  g_autoptr(GStrvBuilder) names = g_strv_builder_new ();
  OctopusObject *row;

  g_return_val_if_fail (OCTOPUS_IS_ARRAY (self), NULL);
  g_return_val_if_fail (key != NULL, NULL);

  row = octopus_object_table_lookup (octopus_array_get_table (self), key);
  for (guint i = 0; row != NULL && i < octopus_object_get_n_services (row); i++)
    if (octopus_object_get_service_state (row, i) == OCTOPUS_OBJECT_STATE_IN_SYNC)
      g_strv_builder_add (names, octopus_object_get_service_name (row, i));
  return g_strv_builder_end (names);
}

/* The service whose copy of @key is shared: @service_name's when it is in sync, else the
 * first one in sync.  NULL and @error (see octopus_array_share_url) when there is none. */
static OctopusService *
choose_service (OctopusArray  *self,
                const char    *key,
                const char    *service_name,
                GError       **error)
{
  OctopusObject *row = octopus_object_table_lookup (octopus_array_get_table (self), key);
  g_auto(GStrv) in_sync = NULL;
  int index;

  if (service_name != NULL && octopus_array_lookup_service (self, service_name) == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("There is no service called “%s”"), service_name);
      return NULL;
    }
  if (row == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, _("No service holds %s"), key);
      return NULL;
    }
  if (service_name == NULL)
    {
      in_sync = octopus_array_share_services (self, key);
      if (in_sync[0] == NULL)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                       _("No copy of %s is in sync, so none can be shared; "
                         "refresh or repair it first"), key);
          return NULL;
        }
      return octopus_array_lookup_service (self, in_sync[0]);
    }
  index = octopus_object_lookup_service (row, service_name);
  if (index < 0 || octopus_object_get_service_state (row, index) != OCTOPUS_OBJECT_STATE_IN_SYNC)
    {
      OctopusObjectState state = index < 0 ? OCTOPUS_OBJECT_STATE_UNREACHABLE
                                           : octopus_object_get_service_state (row, index);

      /* Translators: "<service>: the copy of <key> is <state>, not in sync; …".  The state
       * is one of the words of `octopus-cli status` (missing, differs, …), kept as is. */
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   _("%s: the copy of %s is %s, not in sync, so it cannot be shared"),
                   service_name, key, octopus_object_state_to_string (state));
      return NULL;
    }
  return octopus_array_lookup_service (self, service_name);
}

char *
octopus_array_share_url (OctopusArray  *self,
                         const char    *key,
                         const char    *service_name,
                         guint          expires_seconds,
                         char         **service_used,
                         GError       **error)
{
  OctopusService *service;
  char *url;

  g_return_val_if_fail (OCTOPUS_IS_ARRAY (self), NULL);
  g_return_val_if_fail (key != NULL, NULL);

  if (expires_seconds == 0 || expires_seconds > OCTOPUS_SHARE_MAX_SECONDS)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("A share link lasts from 1 second to 7 days, not %u seconds"),
                   expires_seconds);
      return NULL;
    }
  service = choose_service (self, key, service_name, error);
  if (service == NULL)
    return NULL;
  url = octopus_s3_client_presign_get (octopus_service_get_client (service),
                                       octopus_service_get_bucket (service), key,
                                       expires_seconds);
  if (url == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, _("%s: could not sign a link for %s"),
                   octopus_service_get_name (service), key);
      return NULL;
    }
  if (service_used != NULL)
    *service_used = g_strdup (octopus_service_get_name (service));
  return url;
}
