/* SPDX-License-Identifier: GPL-3.0-or-later */
/* octopus-array-copy.c — the copying half of repair (see octopus-array-repair.c): small
 * objects read into memory and PUT to every target, large ones as multipart uploads, one part
 * in memory at a time.
 */
#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>

#include "octopus-array-private.h"
#include "octopus-array-repair-private.h"

/* ---- small objects: one PUT per target -------------------------------------------------- */

static void
put_cb (GObject      *source,
        GAsyncResult *result,
        gpointer      user_data)
{
  Call *call = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *etag = NULL;

  etag = octopus_s3_client_put_object_finish (OCTOPUS_S3_CLIENT (source), result, &error);
  if (etag == NULL)
    _octopus_repair_target_fail (call->kr, call->target, error);
  else
    _octopus_repair_target_at (call->kr, call->target)->new_etag = g_steal_pointer (&etag);
  _octopus_repair_call_done (call);
}

static void
put_options (KeyRepair           *kr,
             OctopusS3PutOptions *options,
             const char          *content_md5)
{
  memset (options, 0, sizeof *options);
  options->content_type = kr->content_type;
  options->metadata = kr->metadata;
  options->content_md5 = content_md5;
}

static void
small_read_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  KeyRepair *kr = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autofree char *md5 = NULL;
  g_autofree char *md5_b64 = NULL;
  OctopusS3PutOptions options;
  gsize n = 0;

  if (!g_input_stream_read_all_finish (G_INPUT_STREAM (source), result, &n, &error))
    {
      _octopus_repair_fail_all_targets (kr, error->message);
      _octopus_repair_key_done (kr);
      return;
    }
  /* One more byte than announced means the source is not the copy we were told about. */
  kr->bytes = (gint64) n;
  g_checksum_update (kr->md5, kr->buffer, n);
  md5 = g_strdup (g_checksum_get_string (kr->md5));
  if (!_octopus_repair_source_matches (kr, md5))
    {
      _octopus_repair_report_source_mismatch (kr, md5);
      _octopus_repair_key_done (kr);
      return;
    }

  md5_b64 = octopus_md5_hex_to_base64 (md5);
  g_hash_table_replace (kr->metadata, g_strdup ("md5chksum"), g_strdup (md5_b64));
  put_options (kr, &options, md5_b64);
  body = g_bytes_new (kr->buffer, n);

  octopus_fanout_begin (&kr->fanout, (OctopusFanoutNext) _octopus_repair_apply_acl, kr);
  for (guint i = 0; i < kr->targets->len; i++)
    {
      OctopusService *service =
        _octopus_repair_service_at (kr, _octopus_repair_target_at (kr, i)->service);

      if (_octopus_repair_target_at (kr, i)->error != NULL)
        continue;
      octopus_s3_client_put_object_async (octopus_service_get_client (service),
                                          octopus_service_get_bucket (service), kr->key, body,
                                          &options, g_task_get_cancellable (kr->task), put_cb,
                                          _octopus_repair_call_new (kr, i));
    }
  octopus_fanout_seal (&kr->fanout);
}

void
_octopus_repair_small (KeyRepair *kr)
{
  /* size + 1 so that a longer body than listed is noticed, not silently cut. */
  kr->buffer = g_malloc ((gsize) kr->size + 1);
  g_input_stream_read_all_async (kr->stream, kr->buffer, (gsize) kr->size + 1,
                                 G_PRIORITY_DEFAULT, g_task_get_cancellable (kr->task),
                                 small_read_cb, kr);
}

/* ---- large objects: multipart, one part in memory --------------------------------------- */

static void read_part (KeyRepair *kr);

static void
abort_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  Call *call = user_data;
  g_autoptr(GError) error = NULL;

  if (!octopus_s3_client_abort_multipart_finish (OCTOPUS_S3_CLIENT (source), result, &error))
    g_debug ("Abort of %s: %s", call->kr->key, error->message);
  _octopus_repair_call_done (call);
}

/* Aborts the upload of every target that failed (or of all, after a source mismatch). */
static void
abort_failed (KeyRepair *kr,
              Step       after)
{
  octopus_fanout_begin (&kr->fanout, (OctopusFanoutNext) after, kr);
  for (guint i = 0; i < kr->targets->len; i++)
    {
      Target *t = _octopus_repair_target_at (kr, i);
      OctopusService *service = _octopus_repair_service_at (kr, t->service);

      if (t->error == NULL || t->upload_id == NULL)
        continue;
      /* Not cancellable: an open upload must not be left behind. */
      octopus_s3_client_abort_multipart_async (octopus_service_get_client (service),
                                               octopus_service_get_bucket (service), kr->key,
                                               t->upload_id, NULL, abort_cb,
                                               _octopus_repair_call_new (kr, i));
      g_clear_pointer (&t->upload_id, g_free);
    }
  octopus_fanout_seal (&kr->fanout);
}

static void
complete_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  Call *call = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *etag = NULL;

  etag = octopus_s3_client_complete_multipart_finish (OCTOPUS_S3_CLIENT (source), result, &error);
  if (etag == NULL)
    _octopus_repair_target_fail (call->kr, call->target, error);
  else
    {
      Target *t = _octopus_repair_target_at (call->kr, call->target);

      g_clear_pointer (&t->upload_id, g_free);
      t->new_etag = g_steal_pointer (&etag);
    }
  _octopus_repair_call_done (call);
}

static void
after_complete (KeyRepair *kr)
{
  abort_failed (kr, _octopus_repair_apply_acl);
}

static void
complete_all (KeyRepair *kr)
{
  g_autofree char *md5 = g_strdup (g_checksum_get_string (kr->md5));

  if (!_octopus_repair_source_matches (kr, md5))
    {
      _octopus_repair_report_source_mismatch (kr, md5);
      abort_failed (kr, _octopus_repair_key_done);
      return;
    }

  octopus_fanout_begin (&kr->fanout, (OctopusFanoutNext) after_complete, kr);
  for (guint i = 0; i < kr->targets->len; i++)
    {
      Target *t = _octopus_repair_target_at (kr, i);
      OctopusService *service = _octopus_repair_service_at (kr, t->service);

      if (t->error != NULL)
        continue;
      octopus_s3_client_complete_multipart_async (octopus_service_get_client (service),
                                                  octopus_service_get_bucket (service), kr->key,
                                                  t->upload_id, t->parts,
                                                  g_task_get_cancellable (kr->task),
                                                  complete_cb, _octopus_repair_call_new (kr, i));
    }
  octopus_fanout_seal (&kr->fanout);
}

gboolean
_octopus_repair_any_target_alive (KeyRepair *kr)
{
  for (guint i = 0; i < kr->targets->len; i++)
    if (_octopus_repair_target_at (kr, i)->error == NULL)
      return TRUE;
  return FALSE;
}

static void
part_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  Call *call = user_data;
  Target *t = _octopus_repair_target_at (call->kr, call->target);
  g_autoptr(GError) error = NULL;
  g_autofree char *etag = NULL;

  etag = octopus_s3_client_upload_part_finish (OCTOPUS_S3_CLIENT (source), result, &error);
  if (etag == NULL)
    _octopus_repair_target_fail (call->kr, call->target, error);
  else
    g_ptr_array_add (t->parts, octopus_s3_part_new (call->kr->part_number, etag, -1));
  _octopus_repair_call_done (call);
}

static void
part_read_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  KeyRepair *kr = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GChecksum) part_md5 = NULL;
  g_autofree char *part_b64 = NULL;
  OctopusS3PutOptions options;
  guint8 digest[16];
  gsize digest_len = sizeof digest;
  gsize n = 0;

  if (!g_input_stream_read_all_finish (G_INPUT_STREAM (source), result, &n, &error))
    {
      _octopus_repair_fail_all_targets (kr, error->message);
      abort_failed (kr, _octopus_repair_key_done);
      return;
    }
  if (n == 0)
    {
      complete_all (kr);
      return;
    }

  kr->bytes += (gint64) n;
  kr->part_number++;
  g_checksum_update (kr->md5, kr->buffer, n);
  part_md5 = g_checksum_new (G_CHECKSUM_MD5);
  g_checksum_update (part_md5, kr->buffer, n);
  g_checksum_get_digest (part_md5, digest, &digest_len);
  part_b64 = g_base64_encode (digest, digest_len);
  memset (&options, 0, sizeof options);
  options.content_md5 = part_b64;
  body = g_bytes_new (kr->buffer, n);

  octopus_fanout_begin (&kr->fanout, (OctopusFanoutNext) read_part, kr);
  for (guint i = 0; i < kr->targets->len; i++)
    {
      Target *t = _octopus_repair_target_at (kr, i);
      OctopusService *service = _octopus_repair_service_at (kr, t->service);

      if (t->error != NULL)
        continue;
      octopus_s3_client_upload_part_async (octopus_service_get_client (service),
                                           octopus_service_get_bucket (service), kr->key,
                                           t->upload_id, kr->part_number, body, &options,
                                           g_task_get_cancellable (kr->task), part_cb,
                                           _octopus_repair_call_new (kr, i));
    }
  octopus_fanout_seal (&kr->fanout);
}

static void
read_part (KeyRepair *kr)
{
  if (!_octopus_repair_any_target_alive (kr))
    {
      abort_failed (kr, _octopus_repair_key_done);
      return;
    }
  g_input_stream_read_all_async (kr->stream, kr->buffer, OCTOPUS_ARRAY_PART_SIZE,
                                 G_PRIORITY_DEFAULT, g_task_get_cancellable (kr->task),
                                 part_read_cb, kr);
}

static void
create_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  Call *call = user_data;
  Target *t = _octopus_repair_target_at (call->kr, call->target);
  g_autoptr(GError) error = NULL;

  t->upload_id = octopus_s3_client_create_multipart_finish (OCTOPUS_S3_CLIENT (source), result,
                                                            &error);
  if (t->upload_id == NULL)
    _octopus_repair_target_fail (call->kr, call->target, error);
  _octopus_repair_call_done (call);
}

void
_octopus_repair_large (KeyRepair *kr)
{
  OctopusS3PutOptions options;
  g_autofree char *md5_b64 = octopus_md5_hex_to_base64 (kr->expected_md5);

  /* The md5chksum must be known before the upload starts; without a reference MD5 the
   * copies are written without it (they stay unknown-hash, as the source is). */
  if (md5_b64 != NULL)
    g_hash_table_replace (kr->metadata, g_strdup ("md5chksum"), g_strdup (md5_b64));
  put_options (kr, &options, NULL);
  kr->buffer = g_malloc (OCTOPUS_ARRAY_PART_SIZE);

  octopus_fanout_begin (&kr->fanout, (OctopusFanoutNext) read_part, kr);
  for (guint i = 0; i < kr->targets->len; i++)
    {
      Target *t = _octopus_repair_target_at (kr, i);
      OctopusService *service = _octopus_repair_service_at (kr, t->service);

      t->parts = g_ptr_array_new_with_free_func ((GDestroyNotify) octopus_s3_part_free);
      if (t->error != NULL)
        continue;
      octopus_s3_client_create_multipart_async (octopus_service_get_client (service),
                                                octopus_service_get_bucket (service), kr->key,
                                                &options, g_task_get_cancellable (kr->task),
                                                create_cb, _octopus_repair_call_new (kr, i));
    }
  octopus_fanout_seal (&kr->fanout);
}
