#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# test-cli-accounts.sh OCTOPUS_CLI — `octopus-cli account …` against a real gnome-keyring on a
# private D-Bus session and the real test servers (tests/servers/octopus-test-servers).
#
# TAP on stdout.  Skips ("1..0 # SKIP") without servers unless OCTOPUS_TEST_REQUIRE_SERVERS is set.
# Every CLI and keyring call runs under `timeout`, so a keyring prompt can never hang the run.
set -uo pipefail
. "$(dirname "$(readlink -f "$0")")/../common/tap.sh"
TAP_RUN_TIMEOUT=60
# The CLI needs no display.  Without one, gnome-keyring cannot raise an unlock prompt, which the
# locked-keyring case relies on; and the bus started below passes its environment on to the
# services it activates (the prompter), so the display must be gone before the bus starts.
unset DISPLAY WAYLAND_DISPLAY

CLI=$(readlink -f "${1:?usage: test-cli-accounts.sh OCTOPUS_CLI}")
SCHEMA=io.github.octopus_rais.Octopus.Account

keyring_items() { # ACCOUNT → number of keyring items for it
  timeout 10 secret-tool search --all xdg:schema "$SCHEMA" account "$1" 2>/dev/null | grep -c '^label = ' || true
}

# ---- inside the private session with the unlocked keyring --------------------------------
with_keyring() {
  tap_keyring_inner
  local ini="$XDG_CONFIG_HOME/octopus/accounts.ini"
  local s3_secret="s3rver-secret-$RANDOM$RANDOM"   # s3rver accepts any secret
  local sw_secret=$OCTOPUS_TEST_SWIFT_SECRET_KEY
  # The harness's secrets must not reach the CLI's environment, or the leak check below
  # would find them there rather than anything Octopus did.
  tap_unset_server_secrets
  local bucket_b="octopus-cli-test-$$-$RANDOM"
  echo "$s3_secret" > "$T/secrets"; echo "$sw_secret" >> "$T/secrets"

  run add-s3 "$s3_secret" account add s3 --endpoint "$OCTOPUS_TEST_S3RVER_ENDPOINT" \
      --access-key "$OCTOPUS_TEST_S3RVER_ACCESS_KEY" --path-style --allow-http
  expect_rc add-s3 0 "account add s3rver account"
  check "s3rver: default bucket is octopus-<16 hex>" \
    grep -Eq '^bucket=octopus-[0-9a-f]{16}$' "$ini"
  check "s3rver: ACLs reported as not supported (PutObjectAcl is 501 there)" \
    grep -q 'ACLs not supported here' "$T/log/add-s3.out"
  check "plain http is warned about" grep -q 'not encrypted' "$T/log/add-s3.err"

  # Swift A: the CLI waits for the secret on a pipe while we look at its argv and environment.
  mkfifo "$T/fifo"
  timeout 60 "$CLI" account add swift-a --provider swift --endpoint "$OCTOPUS_TEST_SWIFT_ENDPOINT" \
      --access-key "$OCTOPUS_TEST_SWIFT_ACCESS_KEY" --allow-http \
      <"$T/fifo" >"$T/log/add-swift-a.out" 2>"$T/log/add-swift-a.err" &
  local pid=$!
  exec 7>"$T/fifo"
  for _ in $(seq 100); do
    tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null | grep -q 'account add swift-a' && break; sleep 0.05
  done
  tr '\0' '\n' < "/proc/$pid/cmdline" > "$T/log/cmdline" 2>/dev/null
  tr '\0' '\n' < "/proc/$pid/environ" > "$T/log/environ" 2>/dev/null
  check "argv of the running CLI was captured" grep -q 'swift-a' "$T/log/cmdline"
  printf '%s\n' "$sw_secret" >&7; exec 7>&-
  wait "$pid"; echo $? > "$T/log/add-swift-a.rc"
  expect_rc add-swift-a 0 "account add swift-a (secret from a pipe)"
  check "swift-a: ACLs supported on Swift" grep -q 'ACLs supported' "$T/log/add-swift-a.out"

  run add-swift-b "$sw_secret" account add swift-b --provider swift \
      --endpoint "$OCTOPUS_TEST_SWIFT_ENDPOINT" --access-key "$OCTOPUS_TEST_SWIFT_ACCESS_KEY" \
      --allow-http --bucket "$bucket_b"
  expect_rc add-swift-b 0 "account add swift-b with its own bucket"

  run list "" account list
  expect_rc list 0 "account list"
  check "list shows three accounts" test "$(out list | wc -l)" -eq 3
  check "list: s3 line" grep -qP "^s3\tcustom\t\Q$OCTOPUS_TEST_S3RVER_ENDPOINT\E\toctopus-[0-9a-f]{16}$" "$T/log/list.out"
  check "list: swift-b line with its bucket" grep -qP "^swift-b\tswift\t\Q$OCTOPUS_TEST_SWIFT_ENDPOINT\E\t$bucket_b$" "$T/log/list.out"
  check "the two Swift accounts have different buckets" \
    test "$(grep -P '^swift-' "$T/log/list.out" | cut -f4 | sort -u | wc -l)" -eq 2
  check "config file is private (0600)" test "$(stat -c %a "$ini")" = 600
  check "one keyring item per account" \
    test "$(keyring_items s3)$(keyring_items swift-a)$(keyring_items swift-b)" = 111
  check "keyring item label is 'Octopus: <name>'" \
    sh -c "timeout 10 secret-tool search --all xdg:schema $SCHEMA account swift-b 2>/dev/null | grep -qx 'label = Octopus: swift-b'"

  # A fresh process finds the accounts and their secrets again.
  run test-all "" account test
  expect_rc test-all 0 "account test (all three, fresh process, secrets from the keyring)"
  check "account test names every account" \
    test "$(grep -cE '^(s3|swift-a|swift-b): OK' "$T/log/test-all.out")" -eq 3
  run test-one "" account test swift-b
  expect_rc test-one 0 "account test swift-b"

  # Wrong secret: refused with a message about authentication, and nothing is written.
  cp "$ini" "$T/ini.before"
  run add-wrong "wrong-$RANDOM" account add wrong --provider swift \
      --endpoint "$OCTOPUS_TEST_SWIFT_ENDPOINT" --access-key "$OCTOPUS_TEST_SWIFT_ACCESS_KEY" --allow-http
  expect_rc add-wrong 1 "account add with a wrong secret fails (exit 1)"
  check "wrong secret: the message names the authentication problem" \
    grep -qi 'secret key is wrong' "$T/log/add-wrong.err"
  check "wrong secret: config unchanged" cmp -s "$ini" "$T/ini.before"
  check "wrong secret: no keyring item" test "$(keyring_items wrong)" = 0

  # Usage errors: exit 2, and no option takes a secret.
  run add-argv "" account add x --endpoint https://s3.example.com --access-key AK --secret-key S
  expect_rc add-argv 2 "a secret on argv is refused (exit 2)"
  run add-dup "$sw_secret" account add swift-a --endpoint https://s3.example.com --access-key AK
  expect_rc add-dup 2 "a duplicate account name is a usage error"
  run add-http "$sw_secret" account add h --endpoint "$OCTOPUS_TEST_SWIFT_ENDPOINT" --access-key AK
  expect_rc add-http 2 "http:// without --allow-http is refused"
  check "config unchanged by refused adds" cmp -s "$ini" "$T/ini.before"

  # A failing account makes `account test` exit 1 and say which and why.
  /usr/bin/python3 - "$ini" <<'PY'
import sys, re
p = sys.argv[1]; s = open(p).read()
head, sep, tail = s.partition("[Account swift-b]")
tail = re.sub(r"(?m)^endpoint=.*$", "endpoint=http://127.0.0.1:1", tail, count=1)
open(p, "w").write(head + sep + tail)
PY
  run test-broken "" account test
  expect_rc test-broken 1 "account test exits 1 when one account fails"
  check "the failing account is named with the reason" \
    grep -q '^swift-b: FAILED: Connection refused' "$T/log/test-broken.out"
  check "the others still pass" test "$(grep -cE '^(s3|swift-a): OK' "$T/log/test-broken.out")" -eq 2
  cp "$T/ini.before" "$ini"

  run remove "" account remove s3
  expect_rc remove 0 "account remove s3"
  check "removed account's keyring item is gone" test "$(keyring_items s3)" = 0
  check "other keyring items stay" test "$(keyring_items swift-a)$(keyring_items swift-b)" = 11
  run list2 "" account list
  check "list after remove: two accounts, no s3" \
    sh -c "[ \$(wc -l < '$T/log/list2.out') -eq 2 ] && ! grep -q '^s3	' '$T/log/list2.out'"
  run remove-again "" account remove s3
  expect_rc remove-again 1 "removing an unknown account fails"

  # A locked keyring (no display, so no unlock prompt): clear failures, nothing changes.
  cp "$ini" "$T/ini.before"
  timeout 10 gdbus call --session --dest org.freedesktop.secrets \
    --object-path /org/freedesktop/secrets --method org.freedesktop.Secret.Service.Lock \
    "['/org/freedesktop/secrets/collection/login']" >/dev/null
  run add-locked "$sw_secret" account add locked --provider swift \
      --endpoint "$OCTOPUS_TEST_SWIFT_ENDPOINT" --access-key "$OCTOPUS_TEST_SWIFT_ACCESS_KEY" --allow-http
  expect_rc add-locked 1 "locked keyring: account add fails (exit 1)"
  check "locked keyring: add says the keyring is locked" grep -q 'keyring is locked' "$T/log/add-locked.err"
  run test-locked "" account test swift-a
  expect_rc test-locked 1 "locked keyring: account test fails (exit 1)"
  check "locked keyring: test says the keyring is locked" \
    grep -q '^swift-a: FAILED: .*keyring is locked' "$T/log/test-locked.out"
  run remove-locked "" account remove swift-a
  expect_rc remove-locked 1 "locked keyring: account remove fails rather than leave the secret behind"
  check "locked keyring: config unchanged" cmp -s "$ini" "$T/ini.before"

  # No secret anywhere: config dir, every CLI log, argv and environment of the running CLI.
  local leaks=""
  while read -r secret; do
    leaks="$leaks$(grep -rlF -- "$secret" "$XDG_CONFIG_HOME" "$T/log")"
  done < "$T/secrets"
  if [ -z "$leaks" ]; then ok "no secret key in the config dir, the logs, /proc/PID/cmdline or environ"
  else not_ok "no secret key in the config dir, the logs, /proc/PID/cmdline or environ" "found in: $leaks"; fi
  check "the running CLI's environment was captured" grep -q '^XDG_CONFIG_HOME=' "$T/log/environ"
}

# ---- no Secret Service on the bus -----------------------------------------------------------
without_keyring() {
  local dir="$T/nosvc"
  mkdir -p -m 700 "$dir/run" "$dir/config" "$dir/data"
  cat > "$dir/bus.conf" <<CONF
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:dir=$dir/run</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
CONF
  printf 's3cret-nokeyring\n' | timeout 60 dbus-run-session --config-file="$dir/bus.conf" -- \
    env -u DISPLAY -u WAYLAND_DISPLAY XDG_CONFIG_HOME="$dir/config" XDG_DATA_HOME="$dir/data" \
    XDG_RUNTIME_DIR="$dir/run" "$CLI" account add nokeyring --endpoint https://s3.example.com \
    --access-key AK > "$T/log/nosvc.out" 2> "$T/log/nosvc.err"
  echo $? > "$T/log/nosvc.rc"
  expect_rc nosvc 1 "no Secret Service on the bus: account add fails (exit 1)"
  check "no Secret Service: the message says the keyring is not available" \
    grep -q 'keyring (Secret Service) is not available: no Secret Service provider' "$T/log/nosvc.err"
  check "no Secret Service: nothing written" test -z "$(find "$dir/config" -type f)"

  printf 's3cret-nobus\n' | env -u DBUS_SESSION_BUS_ADDRESS -u DISPLAY -u WAYLAND_DISPLAY \
    XDG_CONFIG_HOME="$dir/config" XDG_RUNTIME_DIR="$dir/run" timeout 60 "$CLI" account add nobus \
    --endpoint https://s3.example.com --access-key AK > "$T/log/nobus.out" 2> "$T/log/nobus.err"
  echo $? > "$T/log/nobus.rc"
  expect_rc nobus 1 "no session bus at all: account add fails (exit 1)"
  check "no session bus: the message says so" grep -q 'keyring (Secret Service) is not available' "$T/log/nobus.err"
  check "no session bus: nothing written" test -z "$(find "$dir/config" -type f)"
}

# ---- main -------------------------------------------------------------------------------------
if tap_is_inner "$@"; then
  with_keyring
  exit 0
fi

tap_require_servers
tap_require_tools dbus-run-session gnome-keyring-daemon secret-tool
tap_init octopus-cli-test

tap_run_in_keyring_session 300 "$CLI"
without_keyring

tap_finish
