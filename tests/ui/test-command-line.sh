#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# test-command-line.sh OCTOPUS — `octopus --version` and `--help` answer without a display or bus.
set -uo pipefail
. "$(dirname "$(readlink -f "$0")")/../common/tap.sh"
app=${1:?usage: test-command-line.sh OCTOPUS}
tap_init octopus-command-line

out=$(env -u DISPLAY -u WAYLAND_DISPLAY "$app" --version 2>&1)
if [ "$out" = "Octopus $EXPECTED_VERSION" ]; then ok "--version prints “$out”"
else not_ok "--version printed “$out”, expected “Octopus $EXPECTED_VERSION”"; fi
out=$(env -u DISPLAY -u WAYLAND_DISPLAY LANG=C.UTF-8 LANGUAGE=en "$app" --help 2>&1)
if grep -q -- '--version' <<<"$out" && grep -q 'S3-compatible' <<<"$out"; then
  ok "--help lists --version and says what Octopus does"
else
  not_ok "--help printed:" "$out"
fi

tap_finish
