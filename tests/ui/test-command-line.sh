#!/bin/bash
# test-command-line.sh OCTOPUS — `octopus --version` and `--help` answer without a display or bus.
set -uo pipefail
app=${1:?usage: test-command-line.sh OCTOPUS}
echo "1..2"
out=$(env -u DISPLAY -u WAYLAND_DISPLAY "$app" --version 2>&1)
if [ "$out" = "Octopus $EXPECTED_VERSION" ]; then echo "ok 1 --version prints “$out”"
else echo "not ok 1 --version printed “$out”, expected “Octopus $EXPECTED_VERSION”"; fi
out=$(env -u DISPLAY -u WAYLAND_DISPLAY LANG=C.UTF-8 LANGUAGE=en "$app" --help 2>&1)
if grep -q -- '--version' <<<"$out" && grep -q 'S3-compatible' <<<"$out"; then echo "ok 2 --help lists --version and says what Octopus does"
else echo "not ok 2 --help printed: $out"; fi
