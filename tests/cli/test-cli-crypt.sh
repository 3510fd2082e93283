#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# test-cli-crypt.sh OCTOPUS_CLI — encrypted uploads in rclone's crypt format (issue 21), end to
# end on three real services (s3rver and two Swift buckets) under a private keyring session:
#  - `encryption enable`, then `upload`: every stored object begins with RCLONE\0\0 and no
#    plaintext name shows in any listing (awscli); `status` shows the plaintext names;
#  - rclone, with a crypt remote over an S3 remote on each service, lists the plaintext names,
#    copies every object back byte-identical, and `cryptcheck` finds every file matching;
#  - the reverse: what `rclone copy` wrote through the crypt remote, Octopus names, repairs onto
#    the other services and downloads;
#  - a copy cut at a 64 KiB chunk boundary: status sees it differ, download still returns the
#    right bytes from a good copy, repair restores it; cut everywhere, download fails on the
#    sealed length and writes nothing; a wrong passphrase fails clearly and writes nothing.
#
# TAP on stdout.  Skips without /usr/bin/rclone, or without servers unless
# OCTOPUS_TEST_REQUIRE_SERVERS is set.
set -uo pipefail
. "$(dirname "$(readlink -f "$0")")/../common/tap.sh"

CLI=$(readlink -f "${1:?usage: test-cli-crypt.sh OCTOPUS_CLI}")
PY=/usr/bin/python3
RCLONE=${OCTOPUS_TEST_RCLONE:-/usr/bin/rclone}
PASS='correct horse battery staple'
SALT='pepper and salt'
CHUNK=65552   # one sealed 64 KiB chunk: 16-byte tag + 65536 bytes

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

# stored_key NAME : the stored key of plaintext NAME, from the last `status --json` (st.out)
stored_key() {
  $PY -c 'import json,sys; print(next(o["stored_key"] for o in json.load(open(sys.argv[1]))["objects"] if o["key"] == sys.argv[2]))' "$T/log/st.out" "$1"
}

# rcl INDEX ARGS... : rclone with "octc:" = crypt over the S3 remote of service INDEX
rcl() {
  local i=$1; shift
  # (AWS_CA_BUNDLE, if the environment has one, makes rclone refuse plain-HTTP endpoints)
  RCLONE_CONFIG="$T/no-rclone.conf" \
    RCLONE_CONFIG_S3X_TYPE=s3 RCLONE_CONFIG_S3X_PROVIDER=Other \
    RCLONE_CONFIG_S3X_ENDPOINT="${EP[$i]}" RCLONE_CONFIG_S3X_ACCESS_KEY_ID="${AK[$i]}" \
    RCLONE_CONFIG_S3X_SECRET_ACCESS_KEY="${SK[$i]}" RCLONE_CONFIG_S3X_REGION=us-east-1 \
    RCLONE_CONFIG_S3X_FORCE_PATH_STYLE=true \
    RCLONE_CONFIG_OCTC_TYPE=crypt RCLONE_CONFIG_OCTC_REMOTE="s3x:${BK[$i]}" \
    RCLONE_CONFIG_OCTC_PASSWORD="$OBSCURED" RCLONE_CONFIG_OCTC_PASSWORD2="$OBSCURED2" \
    timeout 120 env -u AWS_CA_BUNDLE "$RCLONE" "$@" 2>>"$T/log/rclone.err"
}

aws_i() { local i=$1; shift; tap_aws "${EP[$i]}" "${AK[$i]}" "${SK[$i]}" "$@"; }

# Every object of every bucket begins with RCLONE\0\0; no plaintext name in any listing.
check_stored() {
  local i k
  for i in 0 1 2; do
    aws_i "$i" list-objects-v2 --bucket "${BK[$i]}" --query 'Contents[].Key' --output text \
      > "$T/listing-$i" || return 1
    if grep -E -e 'big|small|sub|rclone' "$T/listing-$i" >&2; then
      echo "plaintext names on ${BK[$i]}" >&2; return 1
    fi
    for k in $(cat "$T/listing-$i"); do
      aws_i "$i" get-object --bucket "${BK[$i]}" --key "$k" --range bytes=0-7 "$T/head.bin" \
        >/dev/null || return 1
      [ "$(od -An -c "$T/head.bin" | tr -d ' ')" = 'RCLONE\0\0' ] \
        || { echo "$k on ${BK[$i]} is not an rclone crypt object" >&2; return 1; }
    done
  done
}

with_keyring() {
  tap_keyring_inner
  EP=("$OCTOPUS_TEST_S3RVER_ENDPOINT" "$OCTOPUS_TEST_SWIFT_ENDPOINT" "$OCTOPUS_TEST_SWIFT_ENDPOINT")
  AK=("$OCTOPUS_TEST_S3RVER_ACCESS_KEY" "$OCTOPUS_TEST_SWIFT_ACCESS_KEY" "$OCTOPUS_TEST_SWIFT_ACCESS_KEY")
  SK=("$OCTOPUS_TEST_S3RVER_SECRET_KEY" "$OCTOPUS_TEST_SWIFT_SECRET_KEY" "$OCTOPUS_TEST_SWIFT_SECRET_KEY")
  tap_unset_server_secrets
  local tag="cli-crypt-$$-$RANDOM" i
  BK=("$tag-s3" "$tag-a" "$tag-b")

  run add0 "${SK[0]}" account add s3 --endpoint "${EP[0]}" --access-key "${AK[0]}" \
      --bucket "${BK[0]}" --path-style --allow-http
  run add1 "${SK[1]}" account add swift-a --provider swift --endpoint "${EP[1]}" \
      --access-key "${AK[1]}" --bucket "${BK[1]}" --allow-http
  run add2 "${SK[2]}" account add swift-b --provider swift --endpoint "${EP[2]}" \
      --access-key "${AK[2]}" --bucket "${BK[2]}" --allow-http
  if [ "$(rc add0)$(rc add1)$(rc add2)" = 000 ]; then ok "three accounts added"
  else not_ok "three accounts added" "$(err add0)" "$(err add1)" "$(err add2)"; fi

  run enc "$PASS"$'\n'"$SALT" encryption enable
  expect_rc enc 0 "encryption enable (passphrase and salt on stdin)"

  # The source: one file over three chunk boundaries, one small one in a subfolder.
  SRC=$T/src
  mkdir -p "$SRC/sub" "$T"/dl0 "$T"/dl1 "$T"/dl2 "$T"/dl3 "$T"/dl4
  $PY -c 'import sys; sys.stdout.buffer.write(bytes((i * 131 + (i >> 9)) & 0xFF for i in range(200000)))' > "$SRC/big.bin"
  printf 'a small file in a folder\n' > "$SRC/sub/small.txt"

  run up "" upload "$SRC/big.bin" "$SRC/sub"
  expect_rc up 0 "upload of two files, encrypted: exit 0"
  check "… its output names the plaintext" grep -q 'uploaded sub/small.txt' "$T/log/up.out"
  check "… and no spool file is left in the cache" \
    bash -c "[ -z \"\$(ls -A '$XDG_CACHE_HOME/octopus/spool' 2>/dev/null)\" ]"

  run st "" status --json
  expect_rc st 0 "status --json: exit 0"
  json_check st "status: the plaintext names, in sync, plaintext sizes, stored keys apart" \
    'sorted(o["key"] for o in doc["objects"]) == ["big.bin", "sub/small.txt"] and all(o["state"] == "in-sync" and o["encrypted"] == "decrypted" and o["stored_key"] != o["key"] for o in doc["objects"]) and obj("big.bin")["size"] == 200000 and obj("big.bin")["stored_size"] == 32 + 4 * 16 + 200000'
  check "stored objects begin with RCLONE\\0\\0; no plaintext name in any listing" check_stored

  OBSCURED=$(printf '%s' "$PASS" | "$RCLONE" obscure - 2>>"$T/log/rclone.err")
  OBSCURED2=$(printf '%s' "$SALT" | "$RCLONE" obscure - 2>>"$T/log/rclone.err")
  for i in 0 1 2; do
    rcl "$i" lsf -R --files-only octc: | LC_ALL=C sort > "$T/rlist-$i"
    check "rclone lists the plaintext names on ${BK[$i]}" \
      diff <(printf 'big.bin\nsub/small.txt\n') "$T/rlist-$i"
    rcl "$i" copy octc: "$T/rcopy-$i"
    check "rclone copies ${BK[$i]} back byte-identical" diff -r "$SRC" "$T/rcopy-$i"
    check "rclone cryptcheck on ${BK[$i]}: every file matches" rcl "$i" cryptcheck "$SRC" octc:
  done
  grep -i -e error -e fail "$T/log/rclone.err" | head -5 | sed 's/^/# rclone: /'

  # The reverse: rclone writes through the crypt remote of the first service.
  mkdir -p "$T/rsrc/by"
  printf 'written by rclone\n' > "$T/rsrc/by/rclone.txt"
  rcl 0 copy "$T/rsrc" octc:
  run st2 "" status --json
  json_check st2 "status names rclone's object (missing on the services rclone did not write)" \
    'obj("by/rclone.txt")["encrypted"] == "decrypted" and obj("by/rclone.txt")["services"]["s3"]["state"] == "in-sync"'
  run rep0 "" repair by/rclone.txt
  expect_rc rep0 0 "repair by plaintext name copies rclone's object to the other services"
  run dl0 "" download by/rclone.txt --to "$T/dl0"
  expect_rc dl0 0 "download of rclone's object: exit 0"
  check "… byte-identical" cmp "$T/rsrc/by/rclone.txt" "$T/dl0/by/rclone.txt"

  run dl1 "" download big.bin sub/small.txt --to "$T/dl1"
  expect_rc dl1 0 "download by plaintext names: exit 0"
  check "… both byte-identical" diff -r "$SRC" "$T/dl1"

  # One copy cut at a chunk boundary behind Octopus's back (its metadata kept).
  run st "" status --json
  local big sealed
  big=$(stored_key big.bin)
  aws_i 1 get-object --bucket "${BK[1]}" --key "$big" "$T/big.enc" > "$T/head.json"
  sealed=$($PY -c 'import json,sys; print(json.load(open(sys.argv[1]))["Metadata"]["octopus-crypt"])' "$T/head.json")
  head -c $((32 + 2 * CHUNK)) "$T/big.enc" > "$T/big.cut"
  aws_i 1 put-object --bucket "${BK[1]}" --key "$big" --body "$T/big.cut" \
    --metadata "octopus-crypt=$sealed" >/dev/null
  run st3 "" status --json
  json_check st3 "status: the cut copy differs" \
    'obj("big.bin")["services"]["swift-a"]["state"] == "differs"'
  run dl2 "" download big.bin --to "$T/dl2"
  expect_rc dl2 0 "download with one cut copy: served by a good one"
  check "… byte-identical" cmp "$SRC/big.bin" "$T/dl2/big.bin"
  run rep1 "" repair big.bin
  expect_rc rep1 0 "repair big.bin: exit 0"
  run st4 "" status --json
  json_check st4 "status after repair: in sync everywhere" 'obj("big.bin")["state"] == "in-sync"'

  # Cut on every service: nothing good to fall back to; the sealed length tells.
  for i in 0 1 2; do
    aws_i "$i" put-object --bucket "${BK[$i]}" --key "$big" --body "$T/big.cut" \
      --metadata "octopus-crypt=$sealed" >/dev/null
  done
  run dl3 "" download big.bin --to "$T/dl3"
  expect_rc dl3 1 "download of an object cut everywhere: exit 1"
  check "… the error names the object and the cut" \
    grep -q 'big.bin.*cut off' "$T/log/dl3.err"
  check "… and nothing is written" bash -c "[ -z \"\$(ls -A '$T/dl3')\" ]"

  # The wrong passphrase: the names no longer decrypt; a download fails and writes nothing.
  run enc2 "not the passphrase" encryption enable --replace-passphrase
  expect_rc enc2 0 "encryption enable --replace-passphrase with another passphrase"
  run st5 "" status --json
  json_check st5 "status: names that do not decrypt are shown as stored, unreadable" \
    'all(o["encrypted"] == "unreadable" and o["key"] == o["stored_key"] for o in doc["objects"])'
  run dl4 "" download "$(stored_key sub/small.txt)" --to "$T/dl4"
  expect_rc dl4 1 "download with the wrong passphrase: exit 1"
  check "… says the passphrase does not fit" grep -q 'passphrase' "$T/log/dl4.err"
  check "… and nothing is written" bash -c "[ -z \"\$(ls -A '$T/dl4')\" ]"
}

if tap_is_inner "$@"; then
  with_keyring
  exit 0
fi

[ -x "$RCLONE" ] || tap_skip "rclone is not installed ($RCLONE)"
tap_require_servers
tap_require_tools dbus-run-session gnome-keyring-daemon /usr/bin/aws

tap_init octopus-cli-crypt

tap_run_in_keyring_session 600 "$CLI"

tap_finish
