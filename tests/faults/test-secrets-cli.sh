#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# test-secrets-cli.sh OCTOPUS_CLI — the secret keys never leave the keyring (issue 8 item 3).
#
# Under a private D-Bus session with an unlocked throwaway gnome-keyring (the recipe of
# tests/cli/test-cli-accounts.sh), against the real test servers: `account add` with the
# secret on stdin, `status`, `status --json --deep`, and an `upload` that is SIGKILLed
# half-way (so its journal stays on disk) and then resumed.  While the upload runs, its
# /proc/PID/cmdline and /proc/PID/environ are captured.  Then every secret is looked for in
# the config, state (upload journal), cache and data dirs (the keyring's own files excepted),
# every stdout/stderr and the /proc captures.  Each capture is checked to be non-empty, so the
# search cannot pass for want of material.
#
# TAP on stdout.  Skips ("1..0 # SKIP") without servers unless OCTOPUS_TEST_REQUIRE_SERVERS is set.
set -uo pipefail
. "$(dirname "$(readlink -f "$0")")/../common/tap.sh"
# No display: gnome-keyring can raise no prompt, and the bus started below passes its
# environment on to what it activates, so the display must be gone before the bus starts.
unset DISPLAY WAYLAND_DISPLAY

CLI=$(readlink -f "${1:?usage: test-secrets-cli.sh OCTOPUS_CLI}")
PY=/usr/bin/python3
AWS=/usr/bin/aws

s3() { # ENDPOINT ACCESS SECRET ARGS... (awscli; credentials only in its own environment)
  local endpoint=$1 access=$2 secret=$3; shift 3
  AWS_ACCESS_KEY_ID=$access AWS_SECRET_ACCESS_KEY=$secret AWS_DEFAULT_REGION=us-east-1 \
    AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null \
    timeout 60 $AWS --endpoint-url "$endpoint" s3api "$@" >/dev/null 2>&1
}

with_keyring() {
  tap_keyring_inner
  local s3_ep=$OCTOPUS_TEST_S3RVER_ENDPOINT s3_ak=$OCTOPUS_TEST_S3RVER_ACCESS_KEY
  local sw_ep=$OCTOPUS_TEST_SWIFT_ENDPOINT sw_ak=$OCTOPUS_TEST_SWIFT_ACCESS_KEY
  local sw_sk=$OCTOPUS_TEST_SWIFT_SECRET_KEY
  # s3rver accepts any secret: a long random one that can only come from us.  Swift's is the
  # real one (it checks signatures, so a working upload there proves the secret was used).
  local s3_sk; s3_sk="s3secret$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')"
  # The harness's secrets must not reach the CLI's environment, or the search below would
  # find them there rather than anything Octopus did.
  tap_unset_server_secrets
  printf '%s\n%s\n' "$s3_sk" "$sw_sk" > "$T/secrets"
  local tag="secrets-$$-$RANDOM"
  local b0="$tag-s3" b1="$tag-a" b2="$tag-b"

  run add-s3 "$s3_sk" account add s3 --endpoint "$s3_ep" --access-key "$s3_ak" \
      --bucket "$b0" --path-style --allow-http
  expect_rc add-s3 0 "account add s3 (secret on stdin)"
  run add-a "$sw_sk" account add swift-a --provider swift --endpoint "$sw_ep" \
      --access-key "$sw_ak" --bucket "$b1" --allow-http
  expect_rc add-a 0 "account add swift-a (secret on stdin)"
  run add-b "$sw_sk" account add swift-b --provider swift --endpoint "$sw_ep" \
      --access-key "$sw_ak" --bucket "$b2" --allow-http
  expect_rc add-b 0 "account add swift-b (secret on stdin)"

  run status0 "" status
  expect_rc status0 0 "status with three accounts"

  # A 64 MiB file (multipart, so it is journaled) and a small one.
  mkdir -p "$T/up"
  $PY - "$T/up/big.bin" 64 <<'PYEOF'
import hashlib, struct, sys
with open(sys.argv[1], "wb") as f:
    for i in range(int(sys.argv[2])):
        f.write(hashlib.sha512(struct.pack("<Q", i)).digest() * 16384)
PYEOF
  head -c 3000 /dev/urandom | od -An -tx1 > "$T/up/small.txt"

  # The upload, watched while it runs, then killed so that its journal stays behind.
  timeout 120 "$CLI" upload "$T/up" --prefix p </dev/null \
    >"$T/log/upload1.out" 2>"$T/log/upload1.err" &
  local pid=$! i journaled=""
  for ((i = 0; i < 1200; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    if [ -n "$(ls "$XDG_STATE_HOME/octopus/uploads/" 2>/dev/null)" ]; then journaled=1; break; fi
    sleep 0.02
  done
  tr '\0' '\n' < "/proc/$pid/cmdline" > "$T/log/upload-cmdline" 2>/dev/null
  tr '\0' '\n' < "/proc/$pid/environ" > "$T/log/upload-environ" 2>/dev/null
  cp -r "$XDG_STATE_HOME" "$T/log/state-while-uploading" 2>/dev/null
  tap_kill_hard "$pid"; wait "$pid" 2>/dev/null
  check "the upload journal was written while the upload ran" test -n "$journaled"
  check "the running upload's argv was captured" grep -qx 'upload' "$T/log/upload-cmdline"
  check "the running upload's environment was captured" \
    grep -q "^XDG_STATE_HOME=$XDG_STATE_HOME\$" "$T/log/upload-environ"
  check "the journal survived SIGKILL" test -n "$(ls "$XDG_STATE_HOME/octopus/uploads/" 2>/dev/null)"
  cp -r "$XDG_STATE_HOME" "$T/log/state-after-kill"

  run upload2 "" upload "$T/up" --prefix p
  expect_rc upload2 0 "the upload, resumed, completes on every service (Swift checks the signature)"
  run status1 "" status --json --deep
  expect_rc status1 0 "status --json --deep"
  check "the MD5 cache was written" test -n "$(find "$XDG_CACHE_HOME" -type f)"
  check "status shows the uploaded file in sync on all three" \
    $PY -c 'import json,sys; d=json.load(open(sys.argv[1])); o=next(o for o in d["objects"] if o["key"]=="p/up/big.bin"); sys.exit(0 if o["state"]=="in-sync" else 1)' \
    "$T/log/status1.out"

  # The search.  The keyring's own files (encrypted, under XDG_DATA_HOME/keyrings) are the one
  # place a secret may be.
  local places=("$XDG_CONFIG_HOME" "$XDG_STATE_HOME" "$XDG_CACHE_HOME" "$T/log")
  local leaks="" secret
  while read -r secret; do
    leaks="$leaks$(grep -rlaF --exclude-dir=keyrings -- "$secret" "${places[@]}" "$XDG_DATA_HOME")"
  done < "$T/secrets"
  if [ -z "$leaks" ]; then
    ok "no secret in config, state (journal), cache, data, stdout/stderr, /proc/PID/cmdline or environ"
  else
    not_ok "no secret in config, state (journal), cache, data, stdout/stderr, /proc/PID/cmdline or environ" \
      "found in: $leaks"
  fi
  check "the search had material: config, journal snapshot and cache are not empty" \
    test -s "$XDG_CONFIG_HOME/octopus/accounts.ini" -a \
         -n "$(find "$T/log/state-after-kill" -type f -size +0)" -a \
         -n "$(find "$XDG_CACHE_HOME" -type f -size +0)"
  # And the search works: the s3 secret is what the keyring returns for that account.
  check "the secret is in the keyring (so the search looked for the right string)" \
    sh -c "timeout 10 secret-tool search --all --unlock xdg:schema io.github.octopus_rais.Octopus.Account account s3 2>/dev/null | grep -qxF 'secret = $s3_sk'"

  for b in "$b1" "$b2"; do
    for k in p/up/big.bin p/up/small.txt; do s3 "$sw_ep" "$sw_ak" "$sw_sk" delete-object --bucket "$b" --key "$k"; done
    s3 "$sw_ep" "$sw_ak" "$sw_sk" delete-bucket --bucket "$b"
  done
}

# ---- main -------------------------------------------------------------------------------------
if tap_is_inner "$@"; then
  with_keyring
  exit 0
fi

tap_require_servers
tap_require_tools dbus-run-session gnome-keyring-daemon secret-tool

tap_init octopus-secrets

tap_run_in_keyring_session 280 "$CLI"

tap_finish
