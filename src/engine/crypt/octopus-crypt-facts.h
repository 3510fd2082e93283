/* SPDX-License-Identifier: GPL-3.0-or-later */
/* octopus-crypt-facts.h — a plaintext's size and SHA-256, sealed for an object's metadata. */
#pragma once

#include <glib.h>

#include "octopus-crypt-keys.h"

G_BEGIN_DECLS

char     *octopus_crypt_seal_facts (OctopusCryptKeys  *keys,
                                    guint64            plain_size,
                                    const char        *sha256);
gboolean  octopus_crypt_open_facts (OctopusCryptKeys  *keys,
                                    const char        *sealed,
                                    guint64           *plain_size,
                                    char             **sha256,
                                    GError           **error);

G_END_DECLS
