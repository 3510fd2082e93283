#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# test-e2e.sh — the window end to end, against the real local servers (tests/servers):
# two accounts, a real drag-and-drop of two files from another X client, both rows in sync on
# both services (read through AT-SPI), one copy deleted behind Octopus's back → "Missing" after a
# refresh, repaired through the row's context menu (opened with the Menu key on the focused
# row), the other row deleted through the context menu (confirmed in the dialog), and the
# result checked with `octopus-cli status --json`; the remaining row dragged out onto another
# client (drop-target helper) arrives there as a file with the object's bytes.
#
# Deterministic waits: while rows come and go the test waits over D-Bus on the window's
# read-only win.sync-status (busy flag + the table's states), never on sleeps and never by
# polling AT-SPI — GTK 4.8's AT-SPI bridge can crash the app when a client reads a row while
# it is being removed.  Once the window is idle, what the user sees is asserted through AT-SPI.
# Needs: DISPLAY + session bus + unlocked keyring (tools/run-headless) and the servers' env.
# Env from meson: see tests/ui/ui-walk.sh; OCTOPUS_CLI and DROP_TARGET.
set -euo pipefail
. "$(dirname "$(readlink -f "$0")")/../common/tap.sh"
. "$(dirname "$(readlink -f "$0")")/ui-walk.sh"

tap_require_display
tap_require_servers

ui_walk_init e2e
echo "1..13"

# --- two accounts on the two servers, in a fresh bucket ---
bucket="octopus-e2e-$(date +%s)-$$"
printf '%s\n' "$OCTOPUS_TEST_S3RVER_SECRET_KEY" | octopus_cli account add "Local s3rver" \
  --provider custom --endpoint "$OCTOPUS_TEST_S3RVER_ENDPOINT" \
  --access-key "$OCTOPUS_TEST_S3RVER_ACCESS_KEY" --path-style --allow-http --bucket "$bucket" >/dev/null 2>&1
printf '%s\n' "$OCTOPUS_TEST_SWIFT_SECRET_KEY" | octopus_cli account add "Local Swift" \
  --provider swift --endpoint "$OCTOPUS_TEST_SWIFT_ENDPOINT" \
  --access-key "$OCTOPUS_TEST_SWIFT_ACCESS_KEY" --path-style --allow-http --bucket "$bucket" >/dev/null 2>&1
ok "two accounts added with octopus-cli"

# --- a stand-in notification daemon, then the app (GLib warnings fatal) ---
start_app
atspi wait-name 'Drop Files Here' || fail "the empty bucket does not show the drop hint"
ok "app started and shows the drop hint"

# --- a real drag-and-drop of two files from another client ---
mkdir -p "$W/files"
printf 'first file, dropped\n' > "$W/files/dropped one.txt"
head -c 200000 < <(yes "dropped two, line by line") > "$W/files/dropped-two.bin"
drop_files "$W/files/dropped one.txt" "$W/files/dropped-two.bin"
ok "files dragged from the drag-source helper onto the window"

for key in "dropped one.txt" "dropped-two.bin"; do
  for service in "Local s3rver" "Local Swift"; do
    atspi settle "$key" "$service" in-sync || fail "$key is not in sync on $service (D-Bus state)"
  done
done
for key in "dropped one.txt" "dropped-two.bin"; do
  for service in "Local s3rver" "Local Swift"; do
    atspi wait-cell "$key" "$service" "In sync" || fail "$key is not shown in sync on $service"
  done
done
ok "both rows in sync on both services"

# --- delete one copy behind Octopus's back, then refresh ---
AWS_ACCESS_KEY_ID="$OCTOPUS_TEST_S3RVER_ACCESS_KEY" AWS_SECRET_ACCESS_KEY="$OCTOPUS_TEST_S3RVER_SECRET_KEY" \
AWS_DEFAULT_REGION=us-east-1 /usr/bin/aws --endpoint-url "$OCTOPUS_TEST_S3RVER_ENDPOINT" \
  s3api delete-object --bucket "$bucket" --key "dropped one.txt" >/dev/null
action refresh
atspi settle "dropped one.txt" "Local s3rver" missing || fail "the refresh did not find the copy missing"
atspi wait-cell "dropped one.txt" "Local s3rver" "Missing" || fail "the deleted copy does not show as missing"
atspi wait-cell "dropped one.txt" "Local Swift" "In sync" || fail "the other copy changed"
ok "copy deleted with awscli shows as Missing after refresh"

# --- repair it through the row's context menu, opened by a right click ---
# (Delete below opens it with the keyboard: win.select-key selects and focuses the row, as
# arrow keys would, and the Menu key opens the menu on the focused row.)  Menu items are
# activated through AT-SPI.  X has no
# window manager here: keys go to the window under the pointer, so keep it on the header bar.
context_menu() {  # context_menu KEY ITEM
  action select-key "[<'$1'>]"
  xdotool mousemove 200 20 key Menu   # no --sync: it waits forever when already there
  atspi menu-item "$2" || fail "the context menu of $1 has no $2 item"
}
# Repair with the pointer: a right click on the first row ("dropped one.txt" sorts first; the
# window is at (0,0), the first row under the header bar and column titles at y≈93) selects
# that row and opens its menu.
action select-key "[<'dropped-two.bin'>]"          # another row selected: the click must move it
xdotool mousemove 150 93 click 3
atspi menu-item Repair || fail "a right click on the row opened no menu with Repair"
atspi settle "dropped one.txt" "Local s3rver" in-sync || fail "repair did not bring the copy back"
atspi wait-cell "dropped one.txt" "Local s3rver" "In sync" || fail "the repaired copy is not shown in sync"
ok "repaired through the context menu (right click on the row)"

# --- delete the other row through the context menu, confirming in the dialog ---
context_menu "dropped-two.bin" Delete
atspi wait-name 'Delete “dropped-two.bin”?' || fail "no confirmation naming the object"
atspi click 'Delete' || fail "no Delete button in the confirmation"
atspi settle-gone "dropped-two.bin" || fail "the deleted row is still in the table (D-Bus state)"
atspi wait-gone "dropped-two.bin" || fail "the deleted row is still shown"
atspi wait-cell "dropped one.txt" "Local Swift" "In sync" || fail "the other row changed"
ok "row deleted through the context menu (Menu key) after confirmation"

# --- drag the remaining row out of the window onto another client: it arrives as a file ---
"$DROP_TARGET" > "$W/dst.log" 2>&1 &
DST_PID=$!
MORE_PIDS="$MORE_PIDS $DST_PID"
for _ in $(seq 1200); do grep -q 'TARGET READY' "$W/dst.log" && break; sleep 0.05; done
wid=$(xdotool search --sync --name '^DropTarget$' | head -1)
xdotool windowmove --sync "$wid" 1040 100
# The only row left is the first one: no window manager, so the window is at (0,0) and the
# first row sits under the header bar and the column titles (y≈93, see data/screenshots).
xdotool mousemove 150 93 mousedown 1    # no --sync: it hangs when already there
for x in 160 180 220 300 450 650 850 1000 1100 1130; do xdotool mousemove "$x" 175; sleep 0.05; done
for i in $(seq 600); do
  [ "$(grep -c 'TARGET MOTION' "$W/dst.log")" -ge 2 ] && break
  xdotool mousemove $((1130 + i % 2)) 175; sleep 0.1    # XDND sends positions on motion only
done
xdotool mouseup 1
grep -q "Dragging 1 object(s), first “dropped one.txt”" "$W/app.log" ||
  fail "the drag did not start on the row of dropped one.txt"
for _ in $(seq 1800); do grep -q 'DROP DONE' "$W/dst.log" && break; sleep 0.1; done
dropped=$(sed -n 's/^DROPPED //p' "$W/dst.log")
[ -n "$dropped" ] || fail "nothing arrived at the drop target: $(cat "$W/dst.log")"
[ "$(basename "$dropped")" = "dropped one.txt" ] || fail "the dropped file is named $dropped"
cmp -s "$dropped" "$W/files/dropped one.txt" || fail "the dropped file's bytes differ"
wait "$DST_PID" 2>/dev/null || true; DST_PID=""
ok "row dragged out of the window arrives as a file with the object's bytes"

# --- auto-repair: with repair-automatically on, a refresh that finds a copy missing repairs it;
# the window is not focused (pointer outside it, no window manager), so the user learns it
# from a desktop notification ---
s3() {
  AWS_ACCESS_KEY_ID="$OCTOPUS_TEST_S3RVER_ACCESS_KEY" AWS_SECRET_ACCESS_KEY="$OCTOPUS_TEST_S3RVER_SECRET_KEY" \
  AWS_DEFAULT_REGION=us-east-1 /usr/bin/aws --endpoint-url "$OCTOPUS_TEST_S3RVER_ENDPOINT" s3api "$@"
}
: > "$W/notifications.log"   # only what this step sends counts
s3 delete-object --bucket "$bucket" --key "dropped one.txt" >/dev/null
xdotool mousemove 1250 780
gdbus call --session --dest io.github.octopus_rais.Octopus \
  --object-path /io/github/octopus_rais/Octopus/window/1 \
  --method org.gtk.Actions.SetState repair-automatically '<true>' '{}' >/dev/null
action refresh
atspi settle "dropped one.txt" "Local s3rver" in-sync || fail "the missing copy was not repaired automatically"
s3 head-object --bucket "$bucket" --key "dropped one.txt" >/dev/null || fail "s3rver still lacks the copy"
grep -q "^Repair finished|" "$W/notifications.log" 2>/dev/null ||
  fail "no desktop notification for the repair: $(cat "$W/notifications.log" 2>/dev/null)"
ok "refresh found the copy missing and repaired it automatically; desktop notification sent"

# --- what the command line sees ---
octopus_cli status --json > "$W/status.json" || true
/usr/bin/python3 - "$W/status.json" <<'PY' || fail "status --json disagrees: $(cat "$W/status.json")"
import json, sys
doc = json.load(open(sys.argv[1]))
objects = {o["key"]: o for o in doc["objects"]}
assert set(objects) == {"dropped one.txt"}, objects.keys()
o = objects["dropped one.txt"]
assert o["state"] == "in-sync", o
assert all(s["state"] == "in-sync" for s in o["services"].values()), o
assert len(o["services"]) == 2, o
PY
ok "octopus-cli status --json: one object, in sync on both services"

action select-key "[<'dropped one.txt'>]"

# --- Check Contents from the menu: the deep check runs and says what it checked ---
: > "$W/notifications.log"
action check-contents
atspi settle "dropped one.txt" "Local s3rver" in-sync || fail "the table is not in sync after the check"
for _ in $(seq 600); do grep -q "^Contents checked|" "$W/notifications.log" 2>/dev/null && break; sleep 0.1; done
grep -q "^Contents checked|" "$W/notifications.log" 2>/dev/null ||
  fail "no result of the content check: $(cat "$W/notifications.log" 2>/dev/null)"
ok "Check Contents ran and reported its result"

# --- Erase all: two confirmations naming what goes, then both services are empty ---
action erase-all
atspi wait-name 'Erase Everything?' || fail "no confirmation for Erase All"
atspi wait-name '1 object will be deleted from every service (2 services).' ||
  fail "the confirmation does not name how many objects on how many services"
atspi click 'Continue…' || fail "no Continue button in the first confirmation"
atspi wait-name 'Really Erase 1 Object?' || fail "no second step"
atspi click 'Erase Everything' || fail "no Erase Everything button in the second step"
atspi settle-gone "dropped one.txt" || fail "the erased row is still in the table (D-Bus state)"
s3 list-objects-v2 --bucket "$bucket" --output json > "$W/left-s3rver.json" || true
AWS_ACCESS_KEY_ID="$OCTOPUS_TEST_SWIFT_ACCESS_KEY" AWS_SECRET_ACCESS_KEY="$OCTOPUS_TEST_SWIFT_SECRET_KEY" \
  AWS_DEFAULT_REGION=us-east-1 /usr/bin/aws --endpoint-url "$OCTOPUS_TEST_SWIFT_ENDPOINT" s3api \
  list-objects-v2 --bucket "$bucket" --output json > "$W/left-swift.json" || true
for f in "$W/left-s3rver.json" "$W/left-swift.json"; do
  /usr/bin/python3 -c 'import json,sys; t=open(sys.argv[1]).read().strip(); sys.exit(1 if t and json.loads(t).get("Contents") else 0)' "$f" ||
    fail "objects are left after Erase All: $(cat "$f")"
done
ok "Erase All after two confirmations: both services are empty (awscli)"

kill "$APP_PID"; wait "$APP_PID" 2>/dev/null || true; APP_PID=""
ok "app closed"
