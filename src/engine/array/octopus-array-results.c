/* SPDX-License-Identifier: GPL-3.0-or-later */
/* octopus-array-results.c — what an operation on the array did, per key and service, and how
 * the errors of one service are classed (unsupported, unreachable). */
#include "config.h"

#include "octopus-array-private.h"

void
octopus_array_result_free (OctopusArrayResult *result)
{
  if (result == NULL)
    return;
  g_free (result->key);
  g_free (result->service);
  g_free (result->message);
  g_free (result);
}

OctopusArrayResult *
_octopus_array_result_new (const char          *key,
                           const char          *service,
                           OctopusResultStatus  status,
                           const char          *message)
{
  OctopusArrayResult *result = g_new0 (OctopusArrayResult, 1);

  result->key = g_strdup (key);
  result->service = g_strdup (service);
  result->status = status;
  result->message = g_strdup (message);
  return result;
}

const char *
octopus_result_status_to_string (OctopusResultStatus status)
{
  switch (status)
    {
    case OCTOPUS_RESULT_OK: return "ok";
    case OCTOPUS_RESULT_FAILED: return "failed";
    case OCTOPUS_RESULT_UNREACHABLE: return "unreachable";
    case OCTOPUS_RESULT_UNSUPPORTED: return "unsupported";
    case OCTOPUS_RESULT_NOTE: return "note";
    default: return "unknown";
    }
}

gboolean
octopus_array_results_have_failures (GPtrArray *results)
{
  for (guint i = 0; results != NULL && i < results->len; i++)
    {
      OctopusArrayResult *r = g_ptr_array_index (results, i);
      if (r->status == OCTOPUS_RESULT_FAILED || r->status == OCTOPUS_RESULT_UNREACHABLE)
        return TRUE;
    }
  return FALSE;
}

gboolean
_octopus_error_is_unsupported (const GError *error)
{
  return g_error_matches (error, OCTOPUS_S3_ERROR, OCTOPUS_S3_ERROR_NOT_IMPLEMENTED) ||
         g_error_matches (error, OCTOPUS_S3_ERROR, OCTOPUS_S3_ERROR_ACL_UNSUPPORTED);
}

gboolean
_octopus_error_is_unreachable (const GError *error)
{
  return g_error_matches (error, OCTOPUS_S3_ERROR, OCTOPUS_S3_ERROR_NETWORK) ||
         g_error_matches (error, OCTOPUS_S3_ERROR, OCTOPUS_S3_ERROR_TLS);
}
