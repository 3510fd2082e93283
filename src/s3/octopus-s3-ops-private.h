/* SPDX-License-Identifier: GPL-3.0-or-later */
/* octopus-s3-ops-private.h — the plumbing shared by the operation files: one request,
 * one parse function, one GTask.  Internal to src/s3.
 */
#pragma once

#include "octopus-s3-client-private.h"
#include "octopus-s3-request.h"

G_BEGIN_DECLS

/* The result of operations whose only answer is "it worked". */
#define OCTOPUS_S3_OP_DONE GINT_TO_POINTER (TRUE)

/* Turns a successful reply into the operation's result (NULL with @error set on failure). */
typedef gpointer (*OctopusS3ParseFunc) (OctopusS3Client   *self,
                                        OctopusS3Response *response,
                                        gpointer           op_data,
                                        GError           **error);
/* Returns TRUE when an error reply means success for this operation. */
typedef gboolean (*OctopusS3RescueFunc) (const GError *error);

typedef struct {
  OctopusS3ParseFunc  parse;
  OctopusS3RescueFunc rescue;        /* or NULL */
  GDestroyNotify      result_free;
  gpointer            op_data;       /* handed to parse; owned through op_data_free */
  GDestroyNotify      op_data_free;
} Op;

/* Sends @request (owned; NULL when building it failed with @build_error, owned too) and
 * completes a GTask tagged @source_tag with what @op.parse makes of the reply. */
void        octopus_s3_op_run          (OctopusS3Client    *self,
                                        OctopusS3Request   *request,
                                        GError             *build_error,
                                        Op                  op,
                                        gpointer            source_tag,
                                        GCancellable       *cancellable,
                                        GAsyncReadyCallback callback,
                                        gpointer            user_data);
gpointer    octopus_s3_op_finish       (OctopusS3Client *self,
                                        GAsyncResult    *result,
                                        gpointer         source_tag,
                                        GError         **error);
gpointer    octopus_s3_op_parse_done   (OctopusS3Client   *self,
                                        OctopusS3Response *response,
                                        gpointer           op_data,
                                        GError           **error);
const char *octopus_s3_op_body         (OctopusS3Response *response,
                                        gsize             *length);
char       *octopus_s3_op_strip_quotes (const char *etag);
/* Appends name[=value] to @query, the value encoded by the S3 rule. */
void        octopus_s3_op_query_add    (GString    *query,
                                        const char *name,
                                        const char *value);

/* Content-Type (default application/octet-stream), x-amz-meta-*, x-amz-acl, progress and,
 * with @with_md5, Content-MD5 from @options (may be NULL). */
void        octopus_s3_op_add_put_headers (OctopusS3Request          *request,
                                           const OctopusS3PutOptions *options,
                                           gboolean                   with_md5);

G_END_DECLS
