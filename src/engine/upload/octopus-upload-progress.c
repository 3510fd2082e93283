/* SPDX-License-Identifier: GPL-3.0-or-later */
/* octopus-upload-progress.c — one file's upload to one service, as properties. */
#include "config.h"

#include "octopus-upload-progress.h"

struct _OctopusUploadProgress
{
  GObject             parent_instance;

  OctopusService     *service;
  OctopusUploadState  state;
  goffset             total;
  goffset             done;
  goffset             in_flight;   /* written but not yet acknowledged */
  goffset             sent;
  GError             *error;
  char               *etag;        /* once done */
  char               *md5_hex;
};

G_DEFINE_FINAL_TYPE (OctopusUploadProgress, octopus_upload_progress, G_TYPE_OBJECT)

G_DEFINE_ENUM_TYPE (OctopusUploadState, octopus_upload_state,
  G_DEFINE_ENUM_VALUE (OCTOPUS_UPLOAD_STATE_WAITING, "waiting"),
  G_DEFINE_ENUM_VALUE (OCTOPUS_UPLOAD_STATE_UPLOADING, "uploading"),
  G_DEFINE_ENUM_VALUE (OCTOPUS_UPLOAD_STATE_DONE, "done"),
  G_DEFINE_ENUM_VALUE (OCTOPUS_UPLOAD_STATE_FAILED, "failed"),
  G_DEFINE_ENUM_VALUE (OCTOPUS_UPLOAD_STATE_CANCELLED, "cancelled"))

enum {
  PROP_0,
  PROP_SERVICE,
  PROP_SERVICE_NAME,
  PROP_STATE,
  PROP_FRACTION,
  PROP_BYTES_DONE,
  PROP_BYTES_WRITTEN,
  PROP_BYTES_SENT,
  PROP_TOTAL,
  PROP_ERROR_MESSAGE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
octopus_upload_progress_finalize (GObject *object)
{
  OctopusUploadProgress *self = OCTOPUS_UPLOAD_PROGRESS (object);

  g_clear_object (&self->service);
  g_clear_error (&self->error);
  g_free (self->etag);
  g_free (self->md5_hex);

  G_OBJECT_CLASS (octopus_upload_progress_parent_class)->finalize (object);
}

static void
octopus_upload_progress_get_property (GObject    *object,
                                      guint       prop_id,
                                      GValue     *value,
                                      GParamSpec *pspec)
{
  OctopusUploadProgress *self = OCTOPUS_UPLOAD_PROGRESS (object);

  switch (prop_id)
    {
    case PROP_SERVICE:
      g_value_set_object (value, self->service);
      break;
    case PROP_SERVICE_NAME:
      g_value_set_string (value, octopus_upload_progress_get_service_name (self));
      break;
    case PROP_STATE:
      g_value_set_enum (value, self->state);
      break;
    case PROP_FRACTION:
      g_value_set_double (value, octopus_upload_progress_get_fraction (self));
      break;
    case PROP_BYTES_DONE:
      g_value_set_int64 (value, self->done);
      break;
    case PROP_BYTES_WRITTEN:
      g_value_set_int64 (value, octopus_upload_progress_get_bytes_written (self));
      break;
    case PROP_BYTES_SENT:
      g_value_set_int64 (value, self->sent);
      break;
    case PROP_TOTAL:
      g_value_set_int64 (value, self->total);
      break;
    case PROP_ERROR_MESSAGE:
      g_value_set_string (value, self->error ? self->error->message : NULL);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
octopus_upload_progress_class_init (OctopusUploadProgressClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->finalize = octopus_upload_progress_finalize;
  object_class->get_property = octopus_upload_progress_get_property;

  properties[PROP_SERVICE] =
    g_param_spec_object ("service", NULL, NULL, OCTOPUS_TYPE_SERVICE, flags);
  properties[PROP_SERVICE_NAME] =
    g_param_spec_string ("service-name", NULL, NULL, NULL, flags);
  properties[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL, OCTOPUS_TYPE_UPLOAD_STATE,
                       OCTOPUS_UPLOAD_STATE_WAITING, flags);
  properties[PROP_FRACTION] =
    g_param_spec_double ("fraction", NULL, NULL, 0.0, 1.0, 0.0, flags);
  properties[PROP_BYTES_DONE] =
    g_param_spec_int64 ("bytes-done", NULL, NULL, 0, G_MAXINT64, 0, flags);
  properties[PROP_BYTES_WRITTEN] =
    g_param_spec_int64 ("bytes-written", NULL, NULL, 0, G_MAXINT64, 0, flags);
  properties[PROP_BYTES_SENT] =
    g_param_spec_int64 ("bytes-sent", NULL, NULL, 0, G_MAXINT64, 0, flags);
  properties[PROP_TOTAL] =
    g_param_spec_int64 ("total", NULL, NULL, 0, G_MAXINT64, 0, flags);
  properties[PROP_ERROR_MESSAGE] =
    g_param_spec_string ("error-message", NULL, NULL, NULL, flags);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
octopus_upload_progress_init (OctopusUploadProgress *self)
{
}

OctopusUploadProgress *
_octopus_upload_progress_new (OctopusService *service)
{
  OctopusUploadProgress *self = g_object_new (OCTOPUS_TYPE_UPLOAD_PROGRESS, NULL);

  self->service = g_object_ref (service);
  return self;
}

OctopusService *
octopus_upload_progress_get_service (OctopusUploadProgress *self)
{
  g_return_val_if_fail (OCTOPUS_IS_UPLOAD_PROGRESS (self), NULL);
  return self->service;
}

const char *
octopus_upload_progress_get_service_name (OctopusUploadProgress *self)
{
  g_return_val_if_fail (OCTOPUS_IS_UPLOAD_PROGRESS (self), NULL);
  return octopus_service_get_name (self->service);
}

OctopusUploadState
octopus_upload_progress_get_state (OctopusUploadProgress *self)
{
  g_return_val_if_fail (OCTOPUS_IS_UPLOAD_PROGRESS (self), OCTOPUS_UPLOAD_STATE_WAITING);
  return self->state;
}

double
octopus_upload_progress_get_fraction (OctopusUploadProgress *self)
{
  g_return_val_if_fail (OCTOPUS_IS_UPLOAD_PROGRESS (self), 0.0);

  /* An empty file is all done once its (empty) PUT was acknowledged. */
  if (self->total <= 0)
    return self->state == OCTOPUS_UPLOAD_STATE_DONE ? 1.0 : 0.0;
  return CLAMP ((double) self->done / (double) self->total, 0.0, 1.0);
}

goffset
octopus_upload_progress_get_bytes_done (OctopusUploadProgress *self)
{
  g_return_val_if_fail (OCTOPUS_IS_UPLOAD_PROGRESS (self), 0);
  return self->done;
}

goffset
octopus_upload_progress_get_bytes_written (OctopusUploadProgress *self)
{
  g_return_val_if_fail (OCTOPUS_IS_UPLOAD_PROGRESS (self), 0);
  return MIN (self->done + self->in_flight, self->total);
}

goffset
octopus_upload_progress_get_bytes_sent (OctopusUploadProgress *self)
{
  g_return_val_if_fail (OCTOPUS_IS_UPLOAD_PROGRESS (self), 0);
  return self->sent;
}

goffset
octopus_upload_progress_get_total (OctopusUploadProgress *self)
{
  g_return_val_if_fail (OCTOPUS_IS_UPLOAD_PROGRESS (self), 0);
  return self->total;
}

const GError *
octopus_upload_progress_get_error (OctopusUploadProgress *self)
{
  g_return_val_if_fail (OCTOPUS_IS_UPLOAD_PROGRESS (self), NULL);
  return self->error;
}

void
_octopus_upload_progress_set_total (OctopusUploadProgress *self,
                                    goffset                total)
{
  if (self->total == total)
    return;
  self->total = total;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TOTAL]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FRACTION]);
}

void
_octopus_upload_progress_set_state (OctopusUploadProgress *self,
                                    OctopusUploadState     state,
                                    const GError          *error)
{
  g_object_freeze_notify (G_OBJECT (self));
  if (self->state != state)
    {
      self->state = state;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FRACTION]);
    }
  if (error != NULL || self->error != NULL)
    {
      g_clear_error (&self->error);
      self->error = error ? g_error_copy (error) : NULL;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ERROR_MESSAGE]);
    }
  if (state != OCTOPUS_UPLOAD_STATE_UPLOADING && self->in_flight != 0)
    {
      self->in_flight = 0;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BYTES_WRITTEN]);
    }
  g_object_thaw_notify (G_OBJECT (self));
}

void
_octopus_upload_progress_add_done (OctopusUploadProgress *self,
                                   goffset                bytes)
{
  if (bytes == 0)
    return;
  self->done += bytes;
  g_object_freeze_notify (G_OBJECT (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BYTES_DONE]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FRACTION]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BYTES_WRITTEN]);
  g_object_thaw_notify (G_OBJECT (self));
}

void
_octopus_upload_progress_add_written (OctopusUploadProgress *self,
                                      goffset                delta)
{
  if (delta == 0)
    return;
  self->in_flight = MAX (self->in_flight + delta, 0);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BYTES_WRITTEN]);
}

void
_octopus_upload_progress_add_sent (OctopusUploadProgress *self,
                                   goffset                bytes)
{
  if (bytes == 0)
    return;
  self->sent += bytes;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BYTES_SENT]);
}

void
_octopus_upload_progress_set_copy (OctopusUploadProgress *self,
                                   const char            *etag,
                                   const char            *md5_hex)
{
  g_free (self->etag);
  self->etag = g_strdup (etag);
  g_free (self->md5_hex);
  self->md5_hex = g_strdup (md5_hex);
}

const char *
_octopus_upload_progress_get_etag (OctopusUploadProgress *self)
{
  return self->etag;
}

const char *
_octopus_upload_progress_get_md5 (OctopusUploadProgress *self)
{
  return self->md5_hex;
}
