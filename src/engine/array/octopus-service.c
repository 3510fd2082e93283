/* SPDX-License-Identifier: GPL-3.0-or-later */
/* octopus-service.c — one member of the array. */
#include "config.h"

#include <string.h>

#include "octopus-service.h"

struct _OctopusService
{
  GObject          parent_instance;

  char            *name;
  char            *bucket;
  OctopusS3Client *client;
  OctopusSupport   acl_support;
  OctopusSupport   multipart_listing;
  GError          *last_error;
  GError          *unusable;     /* why nothing may be sent here; NULL: usable */
};

G_DEFINE_FINAL_TYPE (OctopusService, octopus_service, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_NAME,
  PROP_BUCKET,
  PROP_REACHABLE,
  PROP_LAST_ERROR_MESSAGE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
octopus_service_finalize (GObject *object)
{
  OctopusService *self = OCTOPUS_SERVICE (object);

  g_clear_pointer (&self->name, g_free);
  g_clear_pointer (&self->bucket, g_free);
  g_clear_object (&self->client);
  g_clear_error (&self->last_error);
  g_clear_error (&self->unusable);

  G_OBJECT_CLASS (octopus_service_parent_class)->finalize (object);
}

static void
octopus_service_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  OctopusService *self = OCTOPUS_SERVICE (object);

  switch (prop_id)
    {
    case PROP_NAME:
      g_value_set_string (value, self->name);
      break;
    case PROP_BUCKET:
      g_value_set_string (value, self->bucket);
      break;
    case PROP_REACHABLE:
      g_value_set_boolean (value, octopus_service_get_reachable (self));
      break;
    case PROP_LAST_ERROR_MESSAGE:
      g_value_set_string (value, self->last_error ? self->last_error->message : NULL);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
octopus_service_class_init (OctopusServiceClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = octopus_service_finalize;
  object_class->get_property = octopus_service_get_property;

  properties[PROP_NAME] =
    g_param_spec_string ("name", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_BUCKET] =
    g_param_spec_string ("bucket", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_REACHABLE] =
    g_param_spec_boolean ("reachable", NULL, NULL, TRUE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_LAST_ERROR_MESSAGE] =
    g_param_spec_string ("last-error-message", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
octopus_service_init (OctopusService *self)
{
}

OctopusService *
octopus_service_new (const char      *name,
                     OctopusS3Client *client,
                     const char      *bucket)
{
  OctopusService *self;

  g_return_val_if_fail (name != NULL, NULL);
  g_return_val_if_fail (OCTOPUS_IS_S3_CLIENT (client), NULL);
  g_return_val_if_fail (bucket != NULL, NULL);

  self = g_object_new (OCTOPUS_TYPE_SERVICE, NULL);
  self->name = g_strdup (name);
  self->client = g_object_ref (client);
  self->bucket = g_strdup (bucket);
  return self;
}

const char *
octopus_service_get_name (OctopusService *self)
{
  g_return_val_if_fail (OCTOPUS_IS_SERVICE (self), NULL);
  return self->name;
}

OctopusS3Client *
octopus_service_get_client (OctopusService *self)
{
  g_return_val_if_fail (OCTOPUS_IS_SERVICE (self), NULL);
  return self->client;
}

const char *
octopus_service_get_bucket (OctopusService *self)
{
  g_return_val_if_fail (OCTOPUS_IS_SERVICE (self), NULL);
  return self->bucket;
}

OctopusSupport
octopus_service_get_acl_support (OctopusService *self)
{
  g_return_val_if_fail (OCTOPUS_IS_SERVICE (self), OCTOPUS_SUPPORT_UNKNOWN);
  return self->acl_support;
}

void
octopus_service_set_acl_support (OctopusService *self,
                                 OctopusSupport  support)
{
  g_return_if_fail (OCTOPUS_IS_SERVICE (self));
  self->acl_support = support;
}

OctopusSupport
octopus_service_get_multipart_listing (OctopusService *self)
{
  g_return_val_if_fail (OCTOPUS_IS_SERVICE (self), OCTOPUS_SUPPORT_UNKNOWN);
  return self->multipart_listing;
}

void
octopus_service_set_multipart_listing (OctopusService *self,
                                       OctopusSupport  support)
{
  g_return_if_fail (OCTOPUS_IS_SERVICE (self));
  self->multipart_listing = support;
}

gboolean
octopus_service_get_reachable (OctopusService *self)
{
  g_return_val_if_fail (OCTOPUS_IS_SERVICE (self), FALSE);
  return self->last_error == NULL;
}

const GError *
octopus_service_get_last_error (OctopusService *self)
{
  g_return_val_if_fail (OCTOPUS_IS_SERVICE (self), NULL);
  return self->last_error;
}

void
octopus_service_set_last_error (OctopusService *self,
                                const GError   *error)
{
  gboolean was_reachable;

  g_return_if_fail (OCTOPUS_IS_SERVICE (self));

  if (error == NULL)
    error = self->unusable;
  was_reachable = self->last_error == NULL;
  g_clear_error (&self->last_error);
  if (error != NULL)
    self->last_error = g_error_copy (error);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LAST_ERROR_MESSAGE]);
  if (was_reachable != (error == NULL))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REACHABLE]);
}

void
octopus_service_set_unusable (OctopusService *self,
                              const GError   *reason)
{
  g_return_if_fail (OCTOPUS_IS_SERVICE (self));

  g_clear_error (&self->unusable);
  if (reason != NULL)
    self->unusable = g_error_copy (reason);
  octopus_service_set_last_error (self, reason);
}

const GError *
octopus_service_get_unusable (OctopusService *self)
{
  g_return_val_if_fail (OCTOPUS_IS_SERVICE (self), NULL);
  return self->unusable;
}

char *
octopus_service_name_message (const char *service_name,
                              const char *message)
{
  gsize len;

  g_return_val_if_fail (service_name != NULL, NULL);

  if (message == NULL)
    return g_strdup (service_name);
  len = strlen (service_name);
  if (strncmp (message, service_name, len) == 0 && message[len] == ':')
    return g_strdup (message);
  return g_strdup_printf ("%s: %s", service_name, message);
}
