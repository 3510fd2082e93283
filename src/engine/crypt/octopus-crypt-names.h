/* SPDX-License-Identifier: GPL-3.0-or-later */
/* octopus-crypt-names.h — object names as rclone crypt stores them. */
#pragma once

#include <glib.h>

#include "octopus-crypt-keys.h"

G_BEGIN_DECLS

typedef enum {
  OCTOPUS_CRYPT_NAMES_STANDARD, /* rclone's filename_encryption = standard (its default) */
  OCTOPUS_CRYPT_NAMES_OFF,      /* filename_encryption = off: the name kept, ".bin" added */
} OctopusCryptNameMode;

const char *octopus_crypt_name_mode_to_string   (OctopusCryptNameMode   mode);
gboolean    octopus_crypt_name_mode_from_string (const char            *text,
                                                 OctopusCryptNameMode  *mode);

char       *octopus_crypt_encrypt_name          (OctopusCryptKeys      *keys,
                                                 OctopusCryptNameMode   mode,
                                                 const char            *path,
                                                 GError               **error);
char       *octopus_crypt_decrypt_name          (OctopusCryptKeys      *keys,
                                                 OctopusCryptNameMode   mode,
                                                 const char            *path,
                                                 GError               **error);

G_END_DECLS
