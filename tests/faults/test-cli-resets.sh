#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# test-cli-resets.sh OCTOPUS_CLI FAULT_PROXY_TOOL — no copy is ever reported uploaded that the
# service does not hold.  For s3rver and then Swift, one account ("px") talks to the server
# through a proxy that resets every connection once it carried 3,000,000 bytes (kept-alive
# connections die in the middle of a later request, which libsoup restarts by itself), the
# other ("direct") to Swift straight:
#   1. `upload` of four 5,000,000-byte files and a 50 MB file: every "uploaded KEY" line is
#      true (both copies read back with awscli equal the source), px's failures are reported
#      with px named once, the run exits 1, and the files stay journaled;
#   2. the proxy passes traffic (SIGUSR1): `upload` with no PATH completes every copy, each
#      byte-identical to its source.
# TAP on stdout.  Skips without servers unless OCTOPUS_TEST_REQUIRE_SERVERS is set.
set -uo pipefail

CLI=$(readlink -f "${1:?usage: test-cli-resets.sh OCTOPUS_CLI FAULT_PROXY_TOOL}")
HERE=$(cd "$(dirname "$(readlink -f "$0")")" && pwd)
AWS=/usr/bin/aws
TAP_RUN_TIMEOUT=400
# shellcheck source=../common/tap.sh
. "$HERE/../common/tap.sh"

# one_server NAME ENDPOINT ACCESS SECRET: the whole story with px in front of that server.
one_server() {
  local name=$1 ep=$2 ak=$3 sk=$4
  local sw_ep=$OCTOPUS_TEST_SWIFT_ENDPOINT sw_ak=$OCTOPUS_TEST_SWIFT_ACCESS_KEY
  local sw_sk=$SWIFT_SECRET
  local tag="resets-$name-$$"
  export XDG_CONFIG_HOME="$T/$name/config" XDG_STATE_HOME="$T/$name/state"
  export XDG_CACHE_HOME="$T/$name/cache"
  mkdir -p "$XDG_CONFIG_HOME" "$XDG_STATE_HOME" "$XDG_CACHE_HOME"

  "$FAULT_PROXY_TOOL" "$ep" --reset-connections-after 3000000 >"$T/$name-proxy.out" 2>"$T/log/$name-proxy.err" &
  local proxy=$! i
  for ((i = 0; i < 200; i++)); do [ -s "$T/$name-proxy.out" ] && break; sleep 0.05; done
  local px_ep; px_ep=$(head -1 "$T/$name-proxy.out")

  run "$name-add-px" "$sk" account add px --endpoint "$px_ep" --access-key "$ak" \
      --bucket "$tag-px" --path-style --allow-http
  run "$name-add-direct" "$sw_sk" account add direct --provider swift --endpoint "$sw_ep" \
      --access-key "$sw_ak" --bucket "$tag-d" --allow-http
  expect_rc "$name-add-direct" 0 "$name: two accounts, px through the resetting proxy"

  # ---- 1. uploads through connections that die after 3,000,000 bytes ----
  run "$name-first" "" upload "$T/files"
  expect_rc "$name-first" 1 "$name: upload through the resetting proxy reports a failure (exit 1)"
  local lies="" k md5 px_md5 d_md5
  while read -r k; do
    md5=$(md5sum "$T/$k" | cut -d' ' -f1)
    px_md5=$(tap_copy_md5 "$ep" "$ak" "$sk" "$tag-px" "$k")
    d_md5=$(tap_copy_md5 "$sw_ep" "$sw_ak" "$sw_sk" "$tag-d" "$k")
    [ "$px_md5" = "$md5" ] && [ "$d_md5" = "$md5" ] || lies="$lies $k(px:$px_md5 direct:$d_md5 want:$md5)"
  done < <(sed -n 's/^uploaded \(.*\) ([0-9]* bytes)$/\1/p' "$T/log/$name-first.out")
  if [ -z "$lies" ]; then ok "$name: every 'uploaded' line is true: both copies read back equal the source"
  else not_ok "$name: every 'uploaded' line is true" "copies that differ:$lies" \
               "stdout: $(cat "$T/log/$name-first.out")"; fi
  if grep -q "px: px:" "$T/log/$name-first.err"; then
    not_ok "$name: px is named once in its failures" "$(grep -m3 'px: px:' "$T/log/$name-first.err")"
  elif grep -q "px: " "$T/log/$name-first.err"; then ok "$name: px's failures are reported, px named once"
  else not_ok "$name: px's failures are reported" "stderr: $(cat "$T/log/$name-first.err")"; fi
  if grep -q "^px: 0 uploaded, 5 failed" "$T/log/$name-first.out"; then
    ok "$name: summary: px holds none of the five files"
  else
    not_ok "$name: summary: px holds none of the five files" "stdout: $(cat "$T/log/$name-first.out")"
  fi
  if [ -n "$(ls "$XDG_STATE_HOME/octopus/uploads/" 2>/dev/null)" ]; then ok "$name: the files stay journaled"
  else not_ok "$name: the files stay journaled" "the journal is empty"; fi

  # ---- 2. the proxy passes traffic again: resume ----
  kill -USR1 "$proxy"
  run "$name-resume" "" upload
  expect_rc "$name-resume" 0 "$name: upload with no PATH completes once the proxy passes traffic"
  local bad=""
  for k in $(cd "$T" && ls files/*); do
    md5=$(md5sum "$T/$k" | cut -d' ' -f1)
    px_md5=$(tap_copy_md5 "$ep" "$ak" "$sk" "$tag-px" "$k")
    d_md5=$(tap_copy_md5 "$sw_ep" "$sw_ak" "$sw_sk" "$tag-d" "$k")
    [ "$px_md5" = "$md5" ] && [ "$d_md5" = "$md5" ] || bad="$bad $k(px:$px_md5 direct:$d_md5 want:$md5)"
  done
  if [ -z "$bad" ]; then ok "$name: after the resume every copy equals its source"
  else not_ok "$name: after the resume every copy equals its source" "differ:$bad" \
               "stdout: $(cat "$T/log/$name-resume.out")" "stderr: $(cat "$T/log/$name-resume.err")"; fi

  kill "$proxy" 2>/dev/null; wait "$proxy" 2>/dev/null
  for k in $(cd "$T" && ls files/*); do
    tap_aws "$ep" "$ak" "$sk" delete-object --bucket "$tag-px" --key "$k" >/dev/null
    tap_aws "$sw_ep" "$sw_ak" "$sw_sk" delete-object --bucket "$tag-d" --key "$k" >/dev/null
  done
  tap_aws "$ep" "$ak" "$sk" delete-bucket --bucket "$tag-px" >/dev/null
  tap_aws "$sw_ep" "$sw_ak" "$sw_sk" delete-bucket --bucket "$tag-d" >/dev/null
}

with_keyring() {
  tap_keyring_inner
  SWIFT_SECRET=$OCTOPUS_TEST_SWIFT_SECRET_KEY
  local s3_sk=$OCTOPUS_TEST_S3RVER_SECRET_KEY
  tap_unset_server_secrets

  one_server s3rver "$OCTOPUS_TEST_S3RVER_ENDPOINT" "$OCTOPUS_TEST_S3RVER_ACCESS_KEY" "$s3_sk"
  one_server swift "$OCTOPUS_TEST_SWIFT_ENDPOINT" "$OCTOPUS_TEST_SWIFT_ACCESS_KEY" "$SWIFT_SECRET"
}

if tap_is_inner "$@"; then
  with_keyring
  exit 0
fi

tap_require_servers
tap_require_tools dbus-run-session gnome-keyring-daemon "$AWS" md5sum
[ -x "${2:-}" ] || tap_bail "usage: test-cli-resets.sh OCTOPUS_CLI FAULT_PROXY_TOOL"
FAULT_PROXY_TOOL=$(readlink -f "$2")
export FAULT_PROXY_TOOL
tap_init octopus-cli-resets
mkdir -p "$T/files"

# Distinct, deterministic contents: four 5,000,000-byte files and one of 50,000,000 bytes.
/usr/bin/python3 - "$T/files" <<'PYEOF'
import hashlib, os, struct, sys
def write(path, size, seed):
    with open(path, "wb") as f:
        i = 0
        while size > 0:
            block = hashlib.sha512(struct.pack("<QQ", seed, i)).digest() * 1024
            f.write(block[:size]); size -= min(size, len(block)); i += 1
for n in range(4):
    write(os.path.join(sys.argv[1], "five-%d.bin" % n), 5000000, n)
write(os.path.join(sys.argv[1], "fifty.bin"), 50000000, 99)
PYEOF

tap_run_in_keyring_session 900 "$CLI"
tap_finish
