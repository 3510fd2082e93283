#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# test-e2e-new-user.sh — a new user's whole path through the window only, from no account:
# the Add Service form filled in with the real keyboard and pointer (xdotool under Xvfb; what
# is on screen read through AT-SPI), a wrong secret refused on the form with nothing saved,
# a Swift service whose bucket does not exist yet (it gets created) and an s3rver service; two
# files dropped from another X client, a copy deleted behind Octopus's back (awscli), Refresh
# and Repair from the context menu, Check Contents; public-read, a grant to the user of a
# second Swift account added and removed again in the Permissions dialog, read back from
# Swift with awscli (the copy keeps its own owner); Erase All, and both services empty.
# Never octopus-cli.  The app runs with GLib warnings fatal: a GTK warning fails the test.
#
# Needs: DISPLAY + session bus + unlocked keyring (tools/run-headless) and the servers' env.
# Env from meson: see tests/ui/ui-walk.sh.
set -euo pipefail
. "$(dirname "$(readlink -f "$0")")/../common/tap.sh"
. "$(dirname "$(readlink -f "$0")")/ui-walk.sh"

tap_require_display
tap_require_servers
command -v secret-tool >/dev/null || { echo "1..0 # SKIP secret-tool (libsecret-tools) missing"; exit 0; }

ui_walk_init new-user
ACCOUNTS="$XDG_CONFIG_HOME/octopus/accounts.ini"
swift() {  # awscli against the test Swift as test:tester
  AWS_ACCESS_KEY_ID="$OCTOPUS_TEST_SWIFT_ACCESS_KEY" AWS_SECRET_ACCESS_KEY="$OCTOPUS_TEST_SWIFT_SECRET_KEY" \
  AWS_DEFAULT_REGION=us-east-1 /usr/bin/aws --endpoint-url "$OCTOPUS_TEST_SWIFT_ENDPOINT" s3api "$@"
}
s3rver() {
  AWS_ACCESS_KEY_ID="$OCTOPUS_TEST_S3RVER_ACCESS_KEY" AWS_SECRET_ACCESS_KEY="$OCTOPUS_TEST_S3RVER_SECRET_KEY" \
  AWS_DEFAULT_REGION=us-east-1 /usr/bin/aws --endpoint-url "$OCTOPUS_TEST_S3RVER_ENDPOINT" s3api "$@"
}

# choose_provider N LABEL: opens the Provider list with the pointer, moves to its Nth entry
# (from 0) with the arrow keys and takes it with Enter.  (The list is a popover, a surface of
# its own whose position AT-SPI does not give, so the keyboard picks the entry.)
choose_provider() {
  click Provider Preferences
  xdotool key Home
  for _ in $(seq "$1"); do xdotool key Down; done
  xdotool key Return
  atspi wait-name "$2" >/dev/null || fail "the provider “$2” was not chosen"
}
# switch_on NAME: scrolls the form down with the wheel and clicks the switch NAME if it is off.
switch_on() {
  atspi checked "$1" Preferences && return 0
  xdotool mousemove 300 300 click --repeat 5 5
  click "$1" Preferences
  atspi checked "$1" Preferences || fail "the switch “$1” did not turn on"
}
# has_secret NAME: the keyring holds a secret for the account NAME.  (The session's keyring is
# shared with the other tests of the run: only this walk's own account names count.)
has_secret() {
  secret-tool search --all xdg:schema io.github.octopus_rais.Octopus.Account account "$1" \
    2>/dev/null | grep -q '^secret = '
}
echo "1..11"

bucket="octopus-new-$(date +%s)-$$"
SWIFT="New Swift" S3RVER="New s3rver"   # names no other test gives its accounts

start_app
atspi wait-name 'Add a Service' >/dev/null || fail "no account: the window does not invite to add a service"
ok "app started with no account and shows the empty state"

# --- a Swift service with a wrong secret: refused on the form, nothing saved ---
click 'Add a Service…'
atspi wait-name 'Secret Access Key' >/dev/null || fail "the empty state's button did not open the form"
type_into Name "$SWIFT"
choose_provider 3 'OpenStack Swift (s3api)'
type_into 'Endpoint URL' "$OCTOPUS_TEST_SWIFT_ENDPOINT"
type_into 'Bucket (empty: a new private one)' "$bucket"
type_into 'Access Key ID' "$OCTOPUS_TEST_SWIFT_ACCESS_KEY"
type_into 'Secret Access Key' "not-the-secret"
switch_on 'Allow Unencrypted HTTP'
atspi checked 'Path-Style Addressing' Preferences || fail "the Swift preset did not choose path style"
click Save Preferences
said=$(atspi wait-label 'secret key is wrong') || fail "a wrong secret is not explained on the form"
[ ! -e "$ACCOUNTS" ] || ! grep -q '^\[Account' "$ACCOUNTS" ||
  fail "the refused account was saved: $(cat "$ACCOUNTS")"
! has_secret "$SWIFT" || fail "the refused secret is in the keyring"
ok "a wrong secret is refused on the form, in words; no account, no keyring item"
echo "# the form said: $said"

# --- the right secret: the bucket that does not exist yet is created, the account saved ---
type_into 'Secret Access Key' "$OCTOPUS_TEST_SWIFT_SECRET_KEY"
click Save Preferences
wait_until grep -qF "[Account $SWIFT]" "$ACCOUNTS" || fail "accounts.ini lacks the Swift account"
atspi wait-name "$SWIFT" >/dev/null || fail "the Swift service is not listed in Preferences"
swift head-bucket --bucket "$bucket" || fail "the bucket $bucket was not created on Swift"
has_secret "$SWIFT" || fail "the keyring does not hold the Swift secret"
ok "Swift service added from the form: its bucket created, account and secret saved"

# --- an s3rver service, from the Preferences page's own button ---
click 'Add a Service' Preferences
atspi wait-name 'Secret Access Key' >/dev/null || fail "Preferences' Add button did not open the form"
type_into Name "$S3RVER"
choose_provider 8 'Other S3-compatible service'
type_into 'Endpoint URL' "$OCTOPUS_TEST_S3RVER_ENDPOINT"
type_into 'Bucket (empty: a new private one)' "$bucket"
type_into 'Access Key ID' "$OCTOPUS_TEST_S3RVER_ACCESS_KEY"
type_into 'Secret Access Key' "$OCTOPUS_TEST_S3RVER_SECRET_KEY"
switch_on 'Path-Style Addressing'
switch_on 'Allow Unencrypted HTTP'
click Save Preferences
wait_until grep -qF "[Account $S3RVER]" "$ACCOUNTS" || fail "accounts.ini lacks the s3rver account"
atspi wait-name "$S3RVER" >/dev/null || fail "the s3rver service is not listed in Preferences"
s3rver head-bucket --bucket "$bucket" || fail "the bucket $bucket was not created on s3rver"
has_secret "$S3RVER" || fail "the keyring does not hold the s3rver secret"
xdotool mousemove 300 300 key Escape
atspi wait-name 'Drop Files Here' >/dev/null || fail "with two services the window does not invite a drop"
ok "s3rver service added; Preferences closed with Escape; the window waits for files"

# --- two files dropped from another X client (see test-e2e.sh for the XDND dance) ---
mkdir -p "$W/files"
printf 'first file, dropped\n' > "$W/files/one.txt"
head -c 150000 /dev/zero | tr '\0' 'x' > "$W/files/two.bin"
drop_files "$W/files/one.txt" "$W/files/two.bin"
for key in one.txt two.bin; do
  for service in "$S3RVER" "$SWIFT"; do
    atspi settle "$key" "$service" in-sync || fail "$key is not in sync on $service"
    atspi wait-cell "$key" "$service" "In sync" || fail "$key is not shown in sync on $service"
  done
done
end_drag
ok "two files dropped on the window: both in sync on both services"

# --- a copy deleted behind Octopus's back; the Refresh button; Repair from the context menu ---
s3rver delete-object --bucket "$bucket" --key one.txt >/dev/null
click Refresh
atspi settle one.txt "$S3RVER" missing || fail "the refresh did not find the copy missing"
atspi wait-cell one.txt "$S3RVER" "Missing" || fail "the deleted copy is not shown missing"
# The first row ("one.txt" sorts first) sits under the header bar and the column titles.
xdotool mousemove 150 93 click 3
atspi menu-item Repair || fail "a right click on the row opened no menu with Repair"
atspi settle one.txt "$S3RVER" in-sync || fail "repair did not bring the copy back"
s3rver head-object --bucket "$bucket" --key one.txt >/dev/null || fail "s3rver still lacks one.txt"
ok "a copy deleted with awscli shows Missing after Refresh and is repaired from the context menu"

# --- Check Contents from the main menu: a file another tool uploaded in parts (its ETags are
# not MD5s and it has no md5chksum) is downloaded and hashed, and then known to be in sync ---
head -c $((6 * 1024 * 1024)) /dev/zero | tr '\0' 'y' > "$W/files/parts.bin"
printf '[default]\ns3 =\n  multipart_threshold = 5MB\n  multipart_chunksize = 5MB\n' > "$W/aws.cfg"
AWS_CONFIG_FILE="$W/aws.cfg" AWS_ACCESS_KEY_ID="$OCTOPUS_TEST_S3RVER_ACCESS_KEY" \
  AWS_SECRET_ACCESS_KEY="$OCTOPUS_TEST_S3RVER_SECRET_KEY" AWS_DEFAULT_REGION=us-east-1 \
  /usr/bin/aws --endpoint-url "$OCTOPUS_TEST_S3RVER_ENDPOINT" s3 cp --quiet \
  "$W/files/parts.bin" "s3://$bucket/parts.bin"
AWS_CONFIG_FILE="$W/aws.cfg" AWS_ACCESS_KEY_ID="$OCTOPUS_TEST_SWIFT_ACCESS_KEY" \
  AWS_SECRET_ACCESS_KEY="$OCTOPUS_TEST_SWIFT_SECRET_KEY" AWS_DEFAULT_REGION=us-east-1 \
  /usr/bin/aws --endpoint-url "$OCTOPUS_TEST_SWIFT_ENDPOINT" s3 cp --quiet \
  "$W/files/parts.bin" "s3://$bucket/parts.bin"
click Refresh
atspi settle parts.bin "$SWIFT" unknown-hash || fail "a copy uploaded in parts is not unknown-hash"
click 'Main Menu'
atspi menu-item 'Check Contents' || fail "the main menu has no Check Contents"
said=$(atspi wait-label 'hashed') || fail "Check Contents did not say what it checked"
# (s3rver gives a multipart upload a plain MD5-like ETag; Swift's ends in "-2": at least one.)
case "$said" in 0\ *) fail "Check Contents hashed nothing: $said" ;; esac
for service in "$S3RVER" "$SWIFT"; do
  atspi settle parts.bin "$service" in-sync || fail "parts.bin is not in sync on $service after the check"
done
ok "Check Contents from the main menu hashed the copies uploaded in parts: “$said”"

# --- Permissions: public-read, then a grant to the user of a second Swift account, added and
# removed again; Swift's copy keeps its own owner throughout (awscli reads it back) ---
# swift_acl_is KEY OWNER GRANT...: Swift's ACL of KEY (awscli) has OWNER and exactly the
# GRANTs (ID:PERMISSION, AllUsers:READ); otherwise prints what it has and fails.
swift_acl_is() {
  swift get-object-acl --bucket "$bucket" --key "$1" --output json | /usr/bin/python3 -c '
import json, sys
acl = json.load(sys.stdin)
grants = {"%s:%s" % (g["Grantee"].get("ID") or g["Grantee"].get("URI", "").rsplit("/", 1)[-1],
                     g["Permission"]) for g in acl.get("Grants", [])}
if acl["Owner"]["ID"] != sys.argv[1] or grants != set(sys.argv[2:]):
    print("owner", acl["Owner"]["ID"], "grants", sorted(grants))
    sys.exit(1)' "${@:2}"
}
# choose ROW N LABEL: the Nth entry (from 0) of the combo row ROW in the Permissions dialog.
choose() {
  click "$1" Permissions
  xdotool key Home
  for _ in $(seq "$2"); do xdotool key Down; done
  xdotool key Return
  atspi wait-name "$3" >/dev/null || fail "“$3” was not chosen in “$1”"
}
owner=$OCTOPUS_TEST_SWIFT_ACCESS_KEY
other=${OCTOPUS_TEST_SWIFT_OTHER_ACCESS_KEY:-test2:tester2}
xdotool mousemove 150 93 click 3
atspi menu-item 'Permissions…' || fail "the context menu has no Permissions"
atspi wait-name 'Change for All Services' >/dev/null || fail "the Permissions dialog did not open"
choose 'Canned permissions' 1 public-read
click 'Apply Canned Permissions' Permissions
said=$(atspi wait-label 'Changed on') || fail "the dialog did not say what it changed"
[ "$said" = "Changed on $SWIFT; skipped (no ACLs): $S3RVER" ] ||
  fail "the result does not name the changed and the skipped service: $said"
acl=$(swift_acl_is one.txt "$owner" "$owner:FULL_CONTROL" AllUsers:READ) ||
  fail "Swift's ACL after public-read: $acl"
ok "public-read from the Permissions dialog: Swift's copy public, its own owner kept; s3rver skipped"

choose 'Grant to' 2 'User ID'
type_into 'Grantee ID' "$other" Permissions
click 'Add Grant' Permissions
atspi wait-name "Remove grant for $other" >/dev/null || fail "the new grant is not listed in the dialog"
acl=$(swift_acl_is one.txt "$owner" "$owner:FULL_CONTROL" AllUsers:READ "$other:READ") ||
  fail "Swift's ACL after the grant to $other: $acl"
click "Remove grant for $other" Permissions
# The dialog reads every service's ACL again after a change: the row goes once it is gone.
atspi wait-no-name "Remove grant for $other" || fail "the removed grant is still listed"
acl=$(swift_acl_is one.txt "$owner" "$owner:FULL_CONTROL" AllUsers:READ) ||
  fail "Swift's ACL after the removal: $acl"
xdotool key Escape
ok "a grant to $other added and removed in the dialog; awscli reads it there and then gone"

# --- Erase All from the main menu: two confirmations, then both services are empty ---
click 'Main Menu'
atspi menu-item 'Erase All…' || fail "the main menu has no Erase All"
atspi wait-name '3 objects will be deleted from every service (2 services).' >/dev/null ||
  fail "the confirmation does not name how many objects on how many services"
atspi click 'Continue…' || fail "no Continue button in the first confirmation"
atspi wait-name 'Really Erase 3 Objects?' >/dev/null || fail "no second step"
atspi click 'Erase Everything' || fail "no Erase Everything button in the second step"
for key in one.txt two.bin parts.bin; do
  atspi settle-gone "$key" || fail "$key is still in the table after Erase All"
done
for service in s3rver swift; do
  left=$($service list-objects-v2 --bucket "$bucket" --query 'Contents[].Key' --output text)
  [ -z "$left" ] || [ "$left" = None ] || fail "objects are left on $service after Erase All: $left"
done
ok "Erase All after two confirmations: both services are empty (awscli)"

kill "$APP_PID"; wait "$APP_PID" 2>/dev/null || true; APP_PID=""
if grep -E 'Gtk-(WARNING|CRITICAL)|GLib-(GObject-)?(WARNING|CRITICAL)' "$W/app.log"; then
  fail "GTK or GLib warned during the walk"
fi
ok "no GTK or GLib warning in the app's log"
