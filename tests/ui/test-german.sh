#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# test-german.sh — under LANGUAGE=de the window speaks German (issue 7): start Octopus with no
# accounts and the build tree's catalogues, and read a few visible strings through AT-SPI.
# glibc honours LANGUAGE only with a non-C locale, hence LANG=C.UTF-8 (headless-testing.md §6).
# Env from meson: OCTOPUS_APP, ATSPI, OCTOPUS_LOCALEDIR.
set -euo pipefail
. "$(dirname "$(readlink -f "$0")")/../common/tap.sh"

tap_require_display

W=$(mktemp -d "${TMPDIR:-/tmp}/octopus-de.XXXXXX")
APP_PID=""
cleanup() { [ -n "$APP_PID" ] && kill "$APP_PID" 2>/dev/null; wait 2>/dev/null; rm -rf "$W"; }
trap cleanup EXIT
tap_init octopus-de "$W"
export XDG_CONFIG_HOME="$W/config" XDG_CACHE_HOME="$W/cache" XDG_STATE_HOME="$W/state"
export LANG=C.UTF-8 LC_ALL= LANGUAGE=de
atspi() { /usr/bin/python3 "$ATSPI" "$@"; }

echo "1..5"
[ -f "$OCTOPUS_LOCALEDIR/de/LC_MESSAGES/octopus.mo" ] \
  || { not_ok "no German catalogue in $OCTOPUS_LOCALEDIR"; exit 1; }
ok "German catalogue built"

# fast_unwind_on_malloc=1: see test-e2e.sh (slow unwinding keeps the app off the AT-SPI bus).
ASAN_OPTIONS="${ASAN_OPTIONS:-}${ASAN_OPTIONS:+:}fast_unwind_on_malloc=1" \
"$OCTOPUS_APP" > "$W/app.log" 2>&1 &
APP_PID=$!
# Generous: under ASan on a loaded 2-core machine GTK takes 20-40 s to start.
for _ in $(seq 1800); do grep -q '^READY$' "$W/app.log" && break; sleep 0.1; done
grep -q '^READY$' "$W/app.log" \
  || { not_ok "the app did not start"; sed 's/^/# /' "$W/app.log"; exit 1; }
ok "app started"

for text in 'Einen Dienst hinzufügen' 'Aktualisieren' 'Hauptmenü'; do
  if OCTOPUS_ATSPI_TIMEOUT=20 atspi wait-name "$text"; then
    ok "shows “$text”"
  else
    not_ok "“$text” not shown"; atspi dump | grep -E "label|button" | head -20 | sed 's/^/# /'
    exit 1
  fi
done
