#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# test-cli-upload-resume.sh OCTOPUS_CLI — `octopus-cli upload` end to end on three accounts
# (a private s3rver started here, and two Swift buckets on the shared Swift), under a private
# D-Bus session with an unlocked gnome-keyring:
#   1. SIGKILL the upload of a 200 MiB file half-way; the next run resumes it without
#      re-sending the parts Swift already holds (counted from the summary's "sent N bytes"),
#      every copy's MD5 matches (read back with awscli), no multipart upload is left open.
#   2. kill the s3rver mid-upload (harness stop-one): the Swift copies complete and are
#      right, s3 is reported failed (exit 1) and shows `missing`; after the server is back,
#      `repair` completes the missing copy.
#   3. `upload` with no PATH resumes what the journal still holds (the s3 copy of 2.), says
#      so, sends nothing to the services that have it; with an empty journal it is a usage
#      error.
# TAP on stdout.  Skips without servers unless OCTOPUS_TEST_REQUIRE_SERVERS is set.
set -uo pipefail
. "$(dirname "$(readlink -f "$0")")/../common/tap.sh"
TAP_RUN_TIMEOUT=240

CLI=$(readlink -f "${1:?usage: test-cli-upload-resume.sh OCTOPUS_CLI}")
HERE=$(cd "$(dirname "$(readlink -f "$0")")" && pwd)
SERVERS="$HERE/../servers/octopus-test-servers"
PY=/usr/bin/python3
AWS=/usr/bin/aws
MIB=1048576

# sent_bytes NAME SERVICE: the "sent N bytes" figure of SERVICE's summary line.
sent_bytes() {
  sed -n "s/^$2: .*, sent \([0-9]*\) bytes\$/\1/p" "$T/log/$1.out"
}

# journal_parts SERVICE: parts SERVICE acknowledged, per the upload journal (0 when none).
journal_parts() {
  $PY - "$XDG_STATE_HOME/octopus/uploads" "$1" <<'PYEOF' 2>/dev/null || echo 0
import glob, json, sys
n = 0
for f in glob.glob(sys.argv[1] + "/*.json"):
    try:
        n = max(n, len(json.load(open(f))["services"][sys.argv[2]]["parts"]))
    except Exception:
        pass
print(n)
PYEOF
}

# wait_parts PID SERVICE N: until SERVICE holds N parts (or the upload ended, or 120 s).
wait_parts() {
  local i
  for ((i = 0; i < 2400; i++)); do
    kill -0 "$1" 2>/dev/null || return 1
    [ "$(journal_parts "$2")" -ge "$3" ] && return 0
    sleep 0.05
  done
  return 1
}

# journal_is_empty: no journal entry is left; otherwise names what is (on stderr, for check).
# NAME.json.XXXXXX is a write the SIGKILL interrupted: a later start sweeps it once it is a
# minute old (octopus-upload-journal.c), which this test does not wait for.
journal_is_empty() {
  local left
  left=$(ls -A "$XDG_STATE_HOME/octopus/uploads/" 2>/dev/null | grep -v '\.json\.......$')
  [ -z "$left" ] && return 0
  echo "left in the journal: $left" >&2
  return 1
}

open_uploads() { # ENDPOINT ACCESS SECRET BUCKET → number of multipart uploads in progress
  tap_aws "$1" "$2" "$3" list-multipart-uploads --bucket "$4" --output json \
    | $PY -c 'import json,sys; t=sys.stdin.read().strip(); print(len(json.loads(t).get("Uploads", [])) if t else 0)'
}

with_keyring() {
  tap_keyring_inner
  local s3_ep=$OCTOPUS_TEST_S3RVER_ENDPOINT s3_ak=$OCTOPUS_TEST_S3RVER_ACCESS_KEY
  local s3_sk=$OCTOPUS_TEST_S3RVER_SECRET_KEY
  local sw_ep=$OCTOPUS_TEST_SWIFT_ENDPOINT sw_ak=$OCTOPUS_TEST_SWIFT_ACCESS_KEY
  local sw_sk=$OCTOPUS_TEST_SWIFT_SECRET_KEY
  tap_unset_server_secrets
  local tag="cli-up-$$-$RANDOM"
  local b0="$tag-s3" b1="$tag-a" b2="$tag-b"

  run add-s3 "$s3_sk" account add s3 --endpoint "$s3_ep" --access-key "$s3_ak" \
      --bucket "$b0" --path-style --allow-http
  run add-a "$sw_sk" account add swift-a --provider swift --endpoint "$sw_ep" \
      --access-key "$sw_ak" --bucket "$b1" --allow-http
  run add-b "$sw_sk" account add swift-b --provider swift --endpoint "$sw_ep" \
      --access-key "$sw_ak" --bucket "$b2" --allow-http
  expect_rc add-b 0 "three accounts added (s3rver, swift-a, swift-b)"

  # ---- 1. SIGKILL half-way, then resume ----
  $PY - "$T/big.bin" 200 <<'PYEOF'
import hashlib, struct, sys
with open(sys.argv[1], "wb") as f:
    for i in range(int(sys.argv[2])):
        f.write(hashlib.sha512(struct.pack("<Q", i)).digest() * 16384)
PYEOF
  local md5; md5=$(md5sum "$T/big.bin" | cut -d' ' -f1)
  local half=$((100 * MIB))

  timeout 240 "$CLI" upload "$T/big.bin" >"$T/log/first.out" 2>"$T/log/first.err" &
  local pid=$!
  # Both Swift services must hold more than half of the 25 parts when the kill comes, so that
  # "re-sent less than half" below measures the resume, not how fast this machine happened to be.
  if wait_parts "$pid" swift-a 14 && wait_parts "$pid" swift-b 14; then
    tap_kill_hard "$pid"; wait "$pid" 2>/dev/null
    ok "first run killed with SIGKILL after both Swift services acknowledged 14 of 25 parts"
  else
    wait "$pid" 2>/dev/null
    not_ok "first run killed half-way" "it ended before 14 parts: $(cat "$T/log/first.err")"
  fi
  check "the journal survived the kill" test -n "$(ls "$XDG_STATE_HOME/octopus/uploads/" 2>/dev/null)"

  run second "" upload "$T/big.bin"
  expect_rc second 0 "second run: exit 0"
  check "second run says it resumes the interrupted upload" grep -q "Resuming 1 interrupted upload" "$T/log/second.err"
  for s in swift-a swift-b; do
    local sent; sent=$(sent_bytes second $s)
    if [ -n "$sent" ] && [ "$sent" -lt "$half" ]; then
      ok "second run re-sent only $sent bytes to $s (< half of the 200 MiB file)"
    else
      not_ok "second run re-sent less than half the file to $s" "sent: '$sent'" "$(cat "$T/log/second.out")"
    fi
  done
  check "journal is empty once the upload completed" journal_is_empty
  check "s3rver copy matches the source MD5" test "$(tap_copy_md5 "$s3_ep" "$s3_ak" "$s3_sk" "$b0" big.bin)" = "$md5"
  check "swift-a copy matches the source MD5" test "$(tap_copy_md5 "$sw_ep" "$sw_ak" "$sw_sk" "$b1" big.bin)" = "$md5"
  check "swift-b copy matches the source MD5" test "$(tap_copy_md5 "$sw_ep" "$sw_ak" "$sw_sk" "$b2" big.bin)" = "$md5"
  local b64; b64=$($PY -c 'import base64,sys; print(base64.b64encode(bytes.fromhex(sys.argv[1])).decode())' "$md5")
  tap_aws "$sw_ep" "$sw_ak" "$sw_sk" head-object --bucket "$b1" --key big.bin --output json >"$T/log/head.json"
  check "swift-a copy carries md5chksum and a 25-part multipart ETag" \
    $PY -c 'import json,sys; h=json.load(open(sys.argv[1])); sys.exit(0 if h["Metadata"].get("md5chksum")==sys.argv[2] and h["ETag"].strip("\"").endswith("-25") else 1)' \
    "$T/log/head.json" "$b64"
  check "no multipart upload left open on swift-a" test "$(open_uploads "$sw_ep" "$sw_ak" "$sw_sk" "$b1")" = 0
  check "no multipart upload left open on swift-b" test "$(open_uploads "$sw_ep" "$sw_ak" "$sw_sk" "$b2")" = 0

  # ---- 2. one server killed mid-upload ----
  $PY - "$T/other.bin" 60 <<'PYEOF'
import hashlib, struct, sys
with open(sys.argv[1], "wb") as f:
    for i in range(int(sys.argv[2])):
        f.write(hashlib.sha512(struct.pack("<Q", i + 1000)).digest() * 16384)
PYEOF
  local md5b; md5b=$(md5sum "$T/other.bin" | cut -d' ' -f1)
  timeout 240 "$CLI" upload "$T/other.bin" --prefix sub >"$T/log/third.out" 2>"$T/log/third.err" &
  pid=$!
  if wait_parts "$pid" swift-a 2; then
    STOP_SIGNAL=KILL "$SERVERS" stop-one "$SRV" s3rver >/dev/null 2>&1
    ok "s3rver killed while other.bin was uploading"
  else
    not_ok "s3rver killed mid-upload" "the upload ended first: $(cat "$T/log/third.err")"
  fi
  wait "$pid"; echo $? > "$T/log/third.rc"
  expect_rc third 1 "upload with a dead server: exit 1"
  check "summary: s3 failed, both Swift services uploaded" \
    grep -q -e "^s3: 0 uploaded, 1 failed" "$T/log/third.out"
  check "summary: swift-a and swift-b uploaded" \
    test "$(grep -c -e '^swift-[ab]: 1 uploaded, 0 failed' "$T/log/third.out")" = 2
  check "the failure names the s3 service" grep -q "sub/other.bin: s3:" "$T/log/third.err"
  check "swift-a copy of sub/other.bin is complete and right" test "$(tap_copy_md5 "$sw_ep" "$sw_ak" "$sw_sk" "$b1" sub/other.bin)" = "$md5b"
  check "swift-b copy of sub/other.bin is complete and right" test "$(tap_copy_md5 "$sw_ep" "$sw_ak" "$sw_sk" "$b2" sub/other.bin)" = "$md5b"
  check "no multipart upload left open on swift-a" test "$(open_uploads "$sw_ep" "$sw_ak" "$sw_sk" "$b1")" = 0
  check "no multipart upload left open on swift-b" test "$(open_uploads "$sw_ep" "$sw_ak" "$sw_sk" "$b2")" = 0

  "$SERVERS" start-one "$SRV" s3rver >/dev/null 2>&1
  run status "" status --json
  # Killed mid-write, s3rver can keep a half-assembled object file (it has no atomic commit, see
  # tests/servers/README.md): then the truth is "differs", a broken copy, not "missing". Either
  # way the copy needs repair and the Swift copies are good.
  check "status: sub/other.bin needs repair on s3 only (missing, or differs if s3rver kept a partial file)" \
    $PY -c 'import json,sys; d=json.load(open(sys.argv[1])); o=next(o for o in d["objects"] if o["key"]=="sub/other.bin"); s=o["services"]; ok=s["s3"]["state"] in ("missing","differs") and s["swift-a"]["state"]=="in-sync" and s["swift-b"]["state"]=="in-sync"; ok or print("states:", {k: v["state"] for k, v in s.items()}, file=sys.stderr); sys.exit(0 if ok else 1)' \
    "$T/log/status.out"
  run repair "" repair sub/other.bin
  expect_rc repair 0 "repair: exit 0"
  check "after repair the s3rver copy is complete and right" test "$(tap_copy_md5 "$s3_ep" "$s3_ak" "$s3_sk" "$b0" sub/other.bin)" = "$md5b"

  # ---- 3. `upload` with no PATH resumes what the journal still holds ----
  # The file s3 never got stayed journaled for s3 (it was unreachable, not refused).
  check "the journal kept sub/other.bin for the unreachable s3" test -n "$(ls "$XDG_STATE_HOME/octopus/uploads/" 2>/dev/null)"
  run resume "" upload
  expect_rc resume 0 "upload with no PATH: exit 0"
  check "upload with no PATH says it resumes" grep -q "Resuming 1 interrupted upload" "$T/log/resume.err"
  check "resumed upload sent nothing to swift-a (it holds the file)" test "$(sent_bytes resume swift-a)" = 0
  check "resumed upload: the s3rver copy is right" test "$(tap_copy_md5 "$s3_ep" "$s3_ak" "$s3_sk" "$b0" sub/other.bin)" = "$md5b"
  check "journal is empty after the resumed upload" journal_is_empty
  run nothing "" upload
  expect_rc nothing 2 "upload with no PATH and nothing to resume: usage error"

  for b in "$b1" "$b2"; do
    for k in big.bin sub/other.bin; do tap_aws "$sw_ep" "$sw_ak" "$sw_sk" delete-object --bucket "$b" --key "$k" >/dev/null; done
    tap_aws "$sw_ep" "$sw_ak" "$sw_sk" delete-bucket --bucket "$b" >/dev/null
  done
}

if tap_is_inner "$@"; then
  with_keyring
  exit 0
fi

tap_require_servers
tap_require_tools dbus-run-session gnome-keyring-daemon "$AWS" md5sum

tap_init octopus-cli-upload
SRV="$T/srv"
trap '"$SERVERS" stop "$SRV" >/dev/null 2>&1; rm -rf "$T"' EXIT
export SRV

# A private s3rver: this test kills it, which must not disturb the other tests.
if ! "$SERVERS" start "$SRV" --only s3rver >"$T/log/srv.log" 2>&1; then
  echo "1..1"; echo "not ok 1 - cannot start a private s3rver"; sed 's/^/# /' "$T/log/srv.log"; exit 1
fi
. "$SRV/env"

tap_run_in_keyring_session 600 "$CLI"

tap_finish
