#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# test-e2e-inspector.sh — the inspector, end to end against the real servers: three services
# (Swift, s3rver and a second Swift account; set up with octopus-cli, since the walk under
# test is the inspector, not adding accounts), one file uploaded to all of them, then the
# copy on s3rver overwritten with other bytes behind Octopus's back (awscli).  Refresh (the
# pointer), the row selected with the pointer and the inspector opened with Alt+Return; its
# reason for the broken copy read through AT-SPI ("differs: MD5 <that copy's> where 2
# services hold <the file's>"); Repair This Copy clicked with the real pointer, and awscli
# reads the right bytes back from s3rver; Copy Share Link… from the inspector: the clipboard
# (xclip, as another X client reads it) holds a link to Swift's copy that curl fetches without
# credentials, and it serves the file's bytes.  The app runs with GLib warnings fatal.
#
# No window manager: every window sits at (0,0) and keys go to the window under the pointer.
# GTK 4.8 gives AT-SPI extents relative to the window, so a click lands at the window's
# position (xdotool) plus the centre AT-SPI reports for the widget.
# Needs: DISPLAY + session bus + unlocked keyring (tools/run-headless) and the servers' env.
# Env from meson: OCTOPUS_APP, OCTOPUS_CLI, ATSPI (octopus-atspi.py), NOTIFICATION_RECORDER.
set -euo pipefail
. "$(dirname "$(readlink -f "$0")")/../common/tap.sh"

tap_require_display
tap_require_servers
command -v xclip >/dev/null || { echo "1..0 # SKIP xclip missing (tools/install-deps)"; exit 0; }
command -v curl >/dev/null || { echo "1..0 # SKIP curl missing"; exit 0; }

# See test-e2e.sh: under ASan, slow unwinding makes GTK too slow for the AT-SPI registry.
# octopus-cli keeps the slow unwinder: LeakSanitizer's suppressions match by caller, which the
# fast one cannot see through Debian's GLib (no frame pointers), and the CLI exits normally.
CLI_ASAN_OPTIONS=${ASAN_OPTIONS:-}
export ASAN_OPTIONS="${ASAN_OPTIONS:-}${ASAN_OPTIONS:+:}fast_unwind_on_malloc=1"
octopus_cli() { ASAN_OPTIONS=$CLI_ASAN_OPTIONS "$OCTOPUS_CLI" "$@"; }

W=$(mktemp -d "${TMPDIR:-/tmp}/octopus-inspector.XXXXXX")
APP_PID="" REC_PID=""
cleanup() {
  [ -n "$REC_PID" ] && kill "$REC_PID" 2>/dev/null || true
  [ -n "$APP_PID" ] && kill "$APP_PID" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$W"
}
trap cleanup EXIT
tap_init octopus-e2e-inspector "$W"
export XDG_CONFIG_HOME="$W/config" XDG_CACHE_HOME="$W/cache" XDG_STATE_HOME="$W/state"
mkdir -p "$XDG_CONFIG_HOME" "$XDG_CACHE_HOME" "$XDG_STATE_HOME"
atspi() { /usr/bin/python3 "$ATSPI" "$@"; }
fail() {
  not_ok "$*" "app log:"
  sed 's/^/# /' "$W/app.log" | grep -v DEBUG | tail -30
  [ -n "${OCTOPUS_E2E_DUMP:-}" ] && atspi dump > "$OCTOPUS_E2E_DUMP" 2>&1
  exit 1
}
s3rver() {
  AWS_ACCESS_KEY_ID="$OCTOPUS_TEST_S3RVER_ACCESS_KEY" AWS_SECRET_ACCESS_KEY="$OCTOPUS_TEST_S3RVER_SECRET_KEY" \
  AWS_DEFAULT_REGION=us-east-1 AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null \
  /usr/bin/aws --endpoint-url "$OCTOPUS_TEST_S3RVER_ENDPOINT" s3api "$@"
}
# click NAME [WINDOW]: a real left click on the centre of the widget named NAME.
click() {
  local title=${2:-Octopus} at X Y
  at=$(atspi point "$1" "$title") || fail "no “$1” on screen in the window “$title”"
  eval "$(xdotool search --sync --onlyvisible --name "^$title\$" getwindowgeometry --shell | grep -E '^[XY]=')"
  set -- $at
  xdotool mousemove --sync $((X + $1)) $((Y + $2)) click 1
}
echo "1..7"

# --- three services: Swift first (so a share link comes from Swift, which checks the
# signature), s3rver, and a second Swift account; one bucket name on all three ---
bucket="octopus-inspect-$(date +%s)-$$"
add_account() {  # add_account NAME PROVIDER ENDPOINT ACCESS SECRET
  printf '%s\n' "$5" | octopus_cli account add "$1" --provider "$2" --endpoint "$3" \
    --access-key "$4" --path-style --allow-http --bucket "$bucket" > "$W/account.log" 2>&1 ||
    fail "octopus-cli could not add $1: $(cat "$W/account.log")"
}
add_account "Local Swift" swift "$OCTOPUS_TEST_SWIFT_ENDPOINT" \
  "$OCTOPUS_TEST_SWIFT_ACCESS_KEY" "$OCTOPUS_TEST_SWIFT_SECRET_KEY"
add_account "Local s3rver" custom "$OCTOPUS_TEST_S3RVER_ENDPOINT" \
  "$OCTOPUS_TEST_S3RVER_ACCESS_KEY" "$OCTOPUS_TEST_S3RVER_SECRET_KEY"
add_account "Other Swift" swift "$OCTOPUS_TEST_SWIFT_ENDPOINT" \
  "${OCTOPUS_TEST_SWIFT_OTHER_ACCESS_KEY:-test2:tester2}" \
  "${OCTOPUS_TEST_SWIFT_OTHER_SECRET_KEY:-testing2}"
mkdir -p "$W/files"
printf 'the quarterly report, as uploaded\n' > "$W/files/report.txt"
printf 'something else entirely, written behind its back\n' > "$W/files/evil.txt"
good_md5=$(md5sum < "$W/files/report.txt" | cut -d' ' -f1)
evil_md5=$(md5sum < "$W/files/evil.txt" | cut -d' ' -f1)
octopus_cli upload "$W/files/report.txt" > "$W/upload.log" 2>&1 ||
  fail "octopus-cli upload failed: $(cat "$W/upload.log")"
ok "three accounts added and report.txt uploaded to all of them with octopus-cli"

# --- the app: every copy in sync; then s3rver's copy overwritten with awscli, and Refresh ---
/usr/bin/python3 "$NOTIFICATION_RECORDER" "$W/notifications.log" > "$W/rec.log" 2>&1 &
REC_PID=$!
for _ in $(seq 1200); do grep -q 'RECORDER READY' "$W/rec.log" && break; sleep 0.05; done
grep -q 'RECORDER READY' "$W/rec.log" || fail "the notification recorder did not start"
G_DEBUG=fatal-warnings G_MESSAGES_DEBUG=octopus "$OCTOPUS_APP" > "$W/app.log" 2>&1 &
APP_PID=$!
for _ in $(seq 1800); do grep -q '^READY$' "$W/app.log" && break; sleep 0.1; done
grep -q '^READY$' "$W/app.log" || fail "the app did not print READY"
for service in "Local Swift" "Local s3rver" "Other Swift"; do
  atspi settle report.txt "$service" in-sync || fail "report.txt is not in sync on $service"
done
s3rver put-object --bucket "$bucket" --key report.txt --body "$W/files/evil.txt" >/dev/null ||
  fail "awscli could not overwrite s3rver's copy"
click Refresh
atspi settle report.txt "Local s3rver" differs || fail "the refresh did not find s3rver's copy differing"
atspi wait-cell report.txt "Local s3rver" "Differs" || fail "the broken copy is not shown as differing"
ok "s3rver's copy overwritten with awscli shows Differs after Refresh"

# --- the row selected with the pointer, the inspector opened with Alt+Return; the reason ---
# (The only row sits under the header bar and the column titles, at y≈93: see test-e2e.sh.)
xdotool mousemove 150 93 click 1
xdotool key alt+Return
atspi wait-name Inspector >/dev/null || fail "Alt+Return on the selected row opened no inspector"
said=$(atspi wait-label 'differs:') || fail "the inspector gives no reason for the broken copy"
expected="differs: MD5 $evil_md5 where 2 services hold $good_md5"
[ "$said" = "$expected" ] || fail "the inspector says “$said”, not “$expected”"
ok "the inspector (Alt+Return) reads through AT-SPI: $said"

# --- Repair This Copy, with the real pointer: s3rver holds the right bytes again ---
click 'Repair This Copy' Inspector
atspi wait-label 'The copy on Local s3rver was repaired' >/dev/null ||
  fail "the inspector did not say the copy was repaired"
atspi wait-no-label 'differs:' || fail "the inspector still shows a differing copy after the repair"
md5=$(tap_copy_md5 "$OCTOPUS_TEST_S3RVER_ENDPOINT" "$OCTOPUS_TEST_S3RVER_ACCESS_KEY" \
  "$OCTOPUS_TEST_S3RVER_SECRET_KEY" "$bucket" report.txt)
[ "$md5" = "$good_md5" ] || fail "s3rver's copy has MD5 $md5 after the repair, not $good_md5"
ok "Repair This Copy: awscli reads MD5 $good_md5 back from s3rver, and the inspector says so"

# --- Copy Share Link… from the inspector: the clipboard holds a link to Swift's copy ---
click 'Copy Share Link…' Inspector
atspi wait-name 'Share “report.txt”' >/dev/null || fail "the share dialog did not open"
atspi click 'Copy Link' || fail "no Copy Link button in the share dialog"
atspi wait-label 'Share link for “report.txt” copied to the clipboard' >/dev/null ||
  fail "the inspector did not say the link was copied"
url=$(xclip -o -selection clipboard) || fail "the clipboard cannot be read"
[[ "$url" == "$OCTOPUS_TEST_SWIFT_ENDPOINT/$bucket/report.txt?"* ]] ||
  fail "the clipboard holds “$url”, not a link to Swift's copy"
ok "Copy Share Link… put a presigned link to Swift's copy on the clipboard"

curl -sS --fail -o "$W/fetched.txt" "$url" || fail "curl could not fetch the share link"
cmp -s "$W/fetched.txt" "$W/files/report.txt" || fail "the share link serves other bytes"
ok "curl fetches the share link without credentials: the file's bytes"

kill "$APP_PID"; wait "$APP_PID" 2>/dev/null || true; APP_PID=""
if grep -E 'Gtk-(WARNING|CRITICAL)|GLib-(GObject-)?(WARNING|CRITICAL)' "$W/app.log"; then
  fail "GTK or GLib warned during the walk"
fi
ok "no GTK or GLib warning in the app's log"
