/* SPDX-License-Identifier: GPL-3.0-or-later */
/* octopus-array-repair-private.h — what octopus-array-repair.c (the plan for each key) and
 * octopus-array-copy.c (the copying) share: the state of one key's repair and its helpers.
 */
#pragma once

#include "octopus-array-private.h"
#include "octopus-fanout.h"

G_BEGIN_DECLS

typedef struct {
  guint       service;
  char       *upload_id;      /* multipart only */
  GPtrArray  *parts;          /* of OctopusS3Part; multipart only */
  char       *error;          /* first failure; the target is dropped from then on */
  char       *listed_etag;    /* the ETag the refresh saw there; NULL: it saw no copy */
  char       *new_etag;       /* the ETag of the copy written */
} Target;

typedef struct _KeyRepair KeyRepair;
typedef void (*Step) (KeyRepair *kr);

struct _KeyRepair {
  GTask        *task;          /* the repair task (owned) */
  char         *key;
  guint         source;
  char         *expected_md5;  /* reference MD5 hex, NULL when no copy has one */
  gint64        size;
  GArray       *targets;       /* of Target */
  GInputStream *stream;
  char         *content_type;
  GHashTable   *metadata;      /* user metadata to write, md5chksum included */
  char         *canned_acl;    /* the source's ACL when it is a public canned one */
  OctopusS3Acl *source_acl;    /* the source's ACL when it has explicit grants (not canned) */
  GChecksum    *md5;
  guint8       *buffer;        /* one part */
  gsize         buffer_len;    /* bytes of the current part */
  gint64        bytes;
  guint         part_number;
  OctopusFanout fanout;        /* the calls of the current step, one per target */
};

typedef struct {
  KeyRepair *kr;
  guint      target;           /* index into kr->targets */
} Call;

/* octopus-array-repair.c */
OctopusService *_octopus_repair_service_at             (KeyRepair    *kr,
                                                        guint         index);
Target         *_octopus_repair_target_at              (KeyRepair    *kr,
                                                        guint         i);
void            _octopus_repair_target_fail            (KeyRepair    *kr,
                                                        guint         i,
                                                        const GError *error);
Call           *_octopus_repair_call_new               (KeyRepair    *kr,
                                                        guint         target);
void            _octopus_repair_call_done              (Call         *call);
void            _octopus_repair_key_done               (KeyRepair    *kr);
void            _octopus_repair_fail_all_targets       (KeyRepair    *kr,
                                                        const char   *message);
gboolean        _octopus_repair_source_matches         (KeyRepair    *kr,
                                                        const char   *md5);
void            _octopus_repair_report_source_mismatch (KeyRepair    *kr,
                                                        const char   *md5);
void            _octopus_repair_apply_acl              (KeyRepair    *kr);

/* octopus-array-copy.c */
void            _octopus_repair_small                  (KeyRepair    *kr);
gboolean        _octopus_repair_any_target_alive       (KeyRepair    *kr);
void            _octopus_repair_large                  (KeyRepair    *kr);

G_END_DECLS
