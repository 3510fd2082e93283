/* SPDX-License-Identifier: GPL-3.0-or-later */
/* octopus-passphrase-dialog.h — turns on encryption for new uploads: the passphrase twice, an
 * optional second passphrase (rclone's salt) and the file name encryption, with the warning
 * that a lost passphrase means lost files.  The passphrases go to the keyring through
 * octopus_array_settings_enable_encryption_async(); the dialog emits "enabled" and closes
 * once that worked, and says on itself why when it did not. */
#pragma once

#include <adwaita.h>

#include "octopus-array-settings.h"

G_BEGIN_DECLS

#define OCTOPUS_TYPE_PASSPHRASE_DIALOG (octopus_passphrase_dialog_get_type ())
G_DECLARE_FINAL_TYPE (OctopusPassphraseDialog, octopus_passphrase_dialog, OCTOPUS,
                      PASSPHRASE_DIALOG, AdwWindow)

OctopusPassphraseDialog *octopus_passphrase_dialog_new (GtkWindow            *parent,
                                                        OctopusArraySettings *settings);

G_END_DECLS
