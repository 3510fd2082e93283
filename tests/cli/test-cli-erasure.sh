#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# test-cli-erasure.sh OCTOPUS_CLI — erasure coding 2+1 on three real services (s3rver and two
# Swift buckets, issue 20), the archives broken behind Octopus's back with awscli:
#   a 20 MiB upload sends at most 1.55× its size (the CLI's "sent B bytes") and each service
#   holds about half, every archive says its scheme in x-amz-meta-octopus-ec; one archive
#   deleted → degraded, download exact, repair → in sync and the rebuilt archive byte-identical
#   to the lost one; a byte flipped in one archive's data → the deep check says damaged and the
#   download is still exact; two archives gone → lost, a clear error, no local file; a mirrored
#   object uploaded before the switch stays mirrored, in sync and readable; delete.
#
# TAP on stdout.  Skips ("1..0 # SKIP") without servers unless OCTOPUS_TEST_REQUIRE_SERVERS is set.
set -uo pipefail
. "$(dirname "$(readlink -f "$0")")/../common/tap.sh"

CLI=$(readlink -f "${1:?usage: test-cli-erasure.sh OCTOPUS_CLI}")
PY=/usr/bin/python3

# json_check NAME DESCRIPTION PYTHON-EXPRESSION (over `doc`, the parsed stdout of NAME)
json_check() {
  if $PY - "$T/log/$1.out" "$3" <<'PYEOF' 2>"$T/log/py.err"
import json, sys
doc = json.load(open(sys.argv[1]))
def obj(key):
    return next(o for o in doc["objects"] if o["key"] == key)
sys.exit(0 if eval(sys.argv[2]) else 1)
PYEOF
  then ok "$2"; else not_ok "$2" "$(cat "$T/log/py.err")" "stdout: $(cat "$T/log/$1.out")"; fi
}

# sent NAME SERVICE : the bytes the summary of `run NAME` says were sent to SERVICE
sent() { sed -n "s/^$2: .*, sent \([0-9]*\) bytes\$/\1/p" "$T/log/$1.out"; }

with_keyring() {
  tap_keyring_inner
  local s3_ep=$OCTOPUS_TEST_S3RVER_ENDPOINT s3_ak=$OCTOPUS_TEST_S3RVER_ACCESS_KEY
  local s3_sk=$OCTOPUS_TEST_S3RVER_SECRET_KEY
  local sw_ep=$OCTOPUS_TEST_SWIFT_ENDPOINT sw_ak=$OCTOPUS_TEST_SWIFT_ACCESS_KEY
  local sw_sk=$OCTOPUS_TEST_SWIFT_SECRET_KEY
  tap_unset_server_secrets
  local tag="cli-ec-$$-$RANDOM"
  local b0="$tag-s3" b1="$tag-a" b2="$tag-b"
  aws0() { tap_aws "$s3_ep" "$s3_ak" "$s3_sk" "$@"; }
  aws1() { tap_aws "$sw_ep" "$sw_ak" "$sw_sk" "$@"; }
  aws2() { tap_aws "$sw_ep" "$sw_ak" "$sw_sk" "$@"; }

  run add-s3 "$s3_sk" account add s3 --endpoint "$s3_ep" --access-key "$s3_ak" \
      --bucket "$b0" --path-style --allow-http
  expect_rc add-s3 0 "account add s3 (s3rver)"
  run add-a "$sw_sk" account add swift-a --provider swift --endpoint "$sw_ep" \
      --access-key "$sw_ak" --bucket "$b1" --allow-http
  expect_rc add-a 0 "account add swift-a"
  run add-b "$sw_sk" account add swift-b --provider swift --endpoint "$sw_ep" \
      --access-key "$sw_ak" --bucket "$b2" --allow-http
  expect_rc add-b 0 "account add swift-b"

  # A mirrored object from before the switch.
  printf 'mirrored before the switch\n' > "$T/mirror.txt"
  run up-mirror "" upload "$T/mirror.txt"
  expect_rc up-mirror 0 "a mirrored upload before the switch"

  run set "" redundancy set erasure 2 1
  expect_rc set 0 "redundancy set erasure 2 1"

  $PY - "$T/big.bin" 20 <<'PYEOF'
import hashlib, struct, sys
with open(sys.argv[1], "wb") as f:
    for i in range(int(sys.argv[2])):
        f.write(hashlib.sha512(struct.pack("<Q", i)).digest() * 16384)
PYEOF
  local size; size=$(stat -c %s "$T/big.bin")
  run up "" upload "$T/big.bin"
  expect_rc up 0 "20 MiB upload in 2+1: exit 0"
  local s0 s1 s2; s0=$(sent up s3); s1=$(sent up swift-a); s2=$(sent up swift-b)
  if [ -n "$s0" ] && [ -n "$s1" ] && [ -n "$s2" ] \
     && [ $(( (s0 + s1 + s2) * 100 )) -le $(( size * 155 )) ]; then
    ok "bytes sent in total ($((s0 + s1 + s2))) ≤ 1.55 × $size"
  else not_ok "bytes sent in total ≤ 1.55 × size" "sent: $s0 $s1 $s2" "$(out up)"; fi
  local each_ok=1
  for s in "$s0" "$s1" "$s2"; do
    [ -n "$s" ] && [ $(( s * 100 )) -ge $(( size * 49 )) ] \
      && [ $(( s * 100 )) -le $(( size * 51 )) ] || each_ok=0
  done
  if [ $each_ok = 1 ]; then ok "each service was sent about half the file ($s0 $s1 $s2)"
  else not_ok "each service was sent about half the file" "sent: $s0 $s1 $s2"; fi
  local schemes=""
  schemes="$(aws0 head-object --bucket "$b0" --key big.bin --query Metadata.\"octopus-ec\" --output text)"
  schemes="$schemes $(aws1 head-object --bucket "$b1" --key big.bin --query Metadata.\"octopus-ec\" --output text)"
  schemes="$schemes $(aws2 head-object --bucket "$b2" --key big.bin --query Metadata.\"octopus-ec\" --output text)"
  if [ "$(echo "$schemes" | grep -o 'k=2 m=1 index=[0-2]' | sort -u | wc -l)" = 3 ]; then
    ok "every archive carries x-amz-meta-octopus-ec ($schemes)"
  else not_ok "every archive carries x-amz-meta-octopus-ec" "$schemes"; fi
  # Save every archive, as the later checks compare against them.
  aws0 get-object --bucket "$b0" --key big.bin "$T/arch0" >/dev/null
  aws1 get-object --bucket "$b1" --key big.bin "$T/arch1" >/dev/null
  aws2 get-object --bucket "$b2" --key big.bin "$T/arch2" >/dev/null
  local asz; asz=$(stat -c %s "$T/arch1" 2>/dev/null || echo 0)
  if [ "$asz" -gt $(( size / 2 )) ] && [ "$asz" -lt $(( size / 2 + 65536 )) ]; then
    ok "each archive holds about half of the file ($asz bytes)"
  else not_ok "each archive holds about half of the file" "archive: $asz bytes"; fi

  local md5; md5=$(md5sum "$T/big.bin" | cut -d' ' -f1)
  run st0 "" status --json
  expect_rc st0 0 "status --json: exit 0"
  json_check st0 "status: big.bin is erasure 2+1, in sync, with the file's size and MD5" \
    "obj('big.bin')['layout'] == 'erasure' and obj('big.bin')['k'] == 2 and obj('big.bin')['m'] == 1 and obj('big.bin')['state'] == 'in-sync' and obj('big.bin')['size'] == $size and obj('big.bin')['md5'] == '$md5' and all(s['state'] == 'in-sync' for s in obj('big.bin')['services'].values())"
  json_check st0 "status: the mirrored object stays mirrored and in sync" \
    "obj('mirror.txt')['layout'] == 'mirror' and obj('mirror.txt')['state'] == 'in-sync'"

  # One archive gone behind Octopus's back.
  aws1 delete-object --bucket "$b1" --key big.bin >/dev/null
  run st1 "" status --json
  json_check st1 "status after deleting one archive: degraded, that archive missing" \
    "obj('big.bin')['state'] == 'degraded' and obj('big.bin')['services']['swift-a']['state'] == 'missing' and obj('big.bin')['services']['s3']['state'] == 'in-sync'"

  mkdir -p "$T/dl1"
  run dl1 "" download big.bin --to "$T/dl1"
  expect_rc dl1 0 "download while degraded: exit 0"
  check "download while degraded: the file is exact" cmp "$T/big.bin" "$T/dl1/big.bin"
  if [ -z "$(ls -A "$T/dl1" | grep -v '^big.bin$')" ]; then ok "no temporary file is left"
  else not_ok "no temporary file is left" "$(ls -A "$T/dl1")"; fi

  run repair "" repair
  expect_rc repair 0 "repair: exit 0"
  if grep -q $'^big.bin\tswift-a\tok' "$T/log/repair.out"; then
    ok "repair: reports the archive it rebuilt"
  else not_ok "repair: reports the archive it rebuilt" "$(out repair)" "$(err repair)"; fi
  run st2 "" status --json
  json_check st2 "status after repair: in sync" \
    "obj('big.bin')['state'] == 'in-sync' and obj('big.bin')['layout'] == 'erasure'"
  aws1 get-object --bucket "$b1" --key big.bin "$T/rebuilt1" >/dev/null
  check "the rebuilt archive is byte-identical to the lost one" cmp "$T/arch1" "$T/rebuilt1"

  # One byte flipped inside archive 0's data, its trailer intact, its metadata kept.
  $PY -c 'import sys; p=sys.argv[1]; b=bytearray(open(p,"rb").read()); b[1000000]^=0x55; open(p+".flipped","wb").write(b)' "$T/arch0"
  local scheme0; scheme0=$(aws0 head-object --bucket "$b0" --key big.bin --query Metadata.\"octopus-ec\" --output text)
  aws0 put-object --bucket "$b0" --key big.bin --body "$T/arch0.flipped" \
    --metadata "{\"octopus-ec\":\"$scheme0\"}" >/dev/null
  run st3 "" status --json --deep
  json_check st3 "deep check: the flipped archive is damaged, the object degraded" \
    "obj('big.bin')['services']['s3']['state'] == 'damaged' and obj('big.bin')['state'] == 'degraded' and obj('big.bin')['services']['swift-a']['state'] == 'in-sync'"
  mkdir -p "$T/dl2"
  run dl2 "" download big.bin --to "$T/dl2"
  expect_rc dl2 0 "download with a flipped byte in one archive: exit 0"
  check "download with a flipped byte in one archive: the file is exact" \
    cmp "$T/big.bin" "$T/dl2/big.bin"

  # Two archives gone: lost.
  aws1 delete-object --bucket "$b1" --key big.bin >/dev/null
  aws2 delete-object --bucket "$b2" --key big.bin >/dev/null
  run st4 "" status --json
  json_check st4 "status with two archives gone: lost" "obj('big.bin')['state'] == 'lost'"
  mkdir -p "$T/dl3"
  run dl3 "" download big.bin --to "$T/dl3"
  expect_rc dl3 1 "download of a lost object: exit 1"
  if grep -q 'big.bin' "$T/log/dl3.err" && grep -qi 'lost\|archives' "$T/log/dl3.err"; then
    ok "download of a lost object: a clear error naming it ($(head -c 200 "$T/log/dl3.err"))"
  else not_ok "download of a lost object: a clear error naming it" "$(err dl3)"; fi
  if [ -z "$(ls -A "$T/dl3")" ]; then ok "download of a lost object: no local file written"
  else not_ok "download of a lost object: no local file written" "$(ls -A "$T/dl3")"; fi

  # The mirrored object alongside.
  json_check st4 "the mirrored object is still mirrored and in sync" \
    "obj('mirror.txt')['layout'] == 'mirror' and obj('mirror.txt')['state'] == 'in-sync'"
  mkdir -p "$T/dl4"
  run dl4 "" download mirror.txt --to "$T/dl4"
  check "the mirrored object still downloads exactly" cmp "$T/mirror.txt" "$T/dl4/mirror.txt"

  # Delete removes every archive.
  run del "" delete big.bin
  expect_rc del 0 "delete big.bin: exit 0"
  if aws0 head-object --bucket "$b0" --key big.bin >/dev/null 2>&1; then
    not_ok "delete removed the remaining archive" "still on s3"
  else ok "delete removed the remaining archive"; fi

}

if tap_is_inner "$@"; then
  with_keyring
  exit 0
fi

tap_require_servers
tap_require_tools dbus-run-session gnome-keyring-daemon /usr/bin/aws cmp

tap_init octopus-cli-erasure
tap_run_in_keyring_session 600 "$CLI"
tap_finish
