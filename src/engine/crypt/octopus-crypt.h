/* SPDX-License-Identifier: GPL-3.0-or-later */
/* octopus-crypt.h — the encryption core in one include: rclone crypt's format. */
#pragma once

#include "octopus-crypt-decrypter.h"
#include "octopus-crypt-encrypter.h"
#include "octopus-crypt-error.h"
#include "octopus-crypt-facts.h"
#include "octopus-crypt-format.h"
#include "octopus-crypt-keys.h"
#include "octopus-crypt-names.h"
