/* SPDX-License-Identifier: GPL-3.0-or-later */
/* octopus-crypt-error.c — the error domain of the encryption core. */
#include "octopus-crypt-error.h"

G_DEFINE_QUARK (octopus-crypt-error-quark, octopus_crypt_error)
