/* SPDX-License-Identifier: GPL-3.0-or-later */
/* octopus-erasure-coder.h — one Reed–Solomon k+m coder (liberasurecode, ISA-L Cauchy). */

#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define OCTOPUS_ERASURE_ERROR (octopus_erasure_error_quark ())

typedef enum {
  OCTOPUS_ERASURE_ERROR_BACKEND_UNAVAILABLE, /* ISA-L cannot be loaded: refuse erasure mode */
  OCTOPUS_ERASURE_ERROR_INVALID_ARGUMENT,    /* k, m, an index or a size out of range */
  OCTOPUS_ERASURE_ERROR_BAD_FRAGMENT,        /* a fragment failed its checks */
  OCTOPUS_ERASURE_ERROR_BAD_TRAILER,         /* an archive's trailer is damaged or foreign */
  OCTOPUS_ERASURE_ERROR_NOT_ENOUGH,          /* fewer than k good archives or fragments */
  OCTOPUS_ERASURE_ERROR_MISMATCH,            /* the result differs from what was recorded */
  OCTOPUS_ERASURE_ERROR_FAILED,              /* liberasurecode returned an error */
} OctopusErasureError;

/* liberasurecode 1.6 stores at most 32 fragments per segment. */
#define OCTOPUS_ERASURE_MAX_FRAGMENTS 32
/* The size liberasurecode 1.6 gives its fragment_header_t. */
#define OCTOPUS_ERASURE_FRAGMENT_HEADER_SIZE 80
/* ec_backend_id_t EC_BACKEND_ISA_L_RS_CAUCHY and ec_checksum_type_t CHKSUM_CRC32. */
#define OCTOPUS_ERASURE_BACKEND_ID 7
#define OCTOPUS_ERASURE_CHECKSUM_TYPE 2

#define OCTOPUS_TYPE_ERASURE_CODER (octopus_erasure_coder_get_type ())
G_DECLARE_FINAL_TYPE (OctopusErasureCoder, octopus_erasure_coder, OCTOPUS, ERASURE_CODER, GObject)

GQuark               octopus_erasure_error_quark          (void);

gboolean             octopus_erasure_backend_available    (GError      **error);

OctopusErasureCoder *octopus_erasure_coder_new            (guint         k,
                                                           guint         m,
                                                           GError      **error);
guint                octopus_erasure_coder_get_k          (OctopusErasureCoder *self);
guint                octopus_erasure_coder_get_m          (OctopusErasureCoder *self);

gsize                octopus_erasure_fragment_payload_size (guint        k,
                                                            gsize        segment_len);
gsize                octopus_erasure_fragment_size        (guint         k,
                                                           gsize         segment_len);

GPtrArray           *octopus_erasure_coder_encode         (OctopusErasureCoder *self,
                                                           const guint8 *segment,
                                                           gsize         segment_len,
                                                           GError      **error);
gboolean             octopus_erasure_coder_check_fragment (OctopusErasureCoder *self,
                                                           const guint8 *fragment,
                                                           gsize         fragment_len,
                                                           guint         index,
                                                           gsize         segment_len,
                                                           GError      **error);
GBytes              *octopus_erasure_coder_decode         (OctopusErasureCoder *self,
                                                           guint8      **fragments,
                                                           gsize         segment_len,
                                                           guint32      *bad_mask,
                                                           GError      **error);
GBytes              *octopus_erasure_coder_reconstruct    (OctopusErasureCoder *self,
                                                           guint8      **fragments,
                                                           gsize         segment_len,
                                                           guint         target,
                                                           guint32      *bad_mask,
                                                           GError      **error);

G_END_DECLS
