#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# test-cli-two-installations.sh OCTOPUS_CLI — two computers with the same accounts on one
# array, and another program, uploading to the same buckets: the resume sweep of each aborts
# only what its own installation started.  Two state directories (two upload journals, A and
# B) share one config and keyring: two Swift accounts (swift-a, swift-b), one bucket each.
#   1. A uploads a.bin and B uploads b.bin, each SIGKILLed half-way (their multipart uploads
#      stay open on both services); awscli (another program) opens one more; and A's journal
#      says it was killed while creating c.bin, whose upload the service did initiate (made
#      here with awscli: the id never reached A's journal).
#   2. A resumes: a.bin and c.bin complete (MD5 read back), the upload A began for c.bin is
#      aborted, B's and awscli's stay open with their ids, and A says it left 2 alone on each.
#   3. B resumes: b.bin completes on the upload B started (it re-sends less than the file),
#      awscli's stays open, and B says it left 1 alone on each.
# Swift only: s3rver cannot list multipart uploads.  TAP on stdout.  Skips without servers
# unless OCTOPUS_TEST_REQUIRE_SERVERS is set.
set -uo pipefail
. "$(dirname "$(readlink -f "$0")")/../common/tap.sh"
TAP_RUN_TIMEOUT=240

CLI=$(readlink -f "${1:?usage: test-cli-two-installations.sh OCTOPUS_CLI}")
PY=/usr/bin/python3
AWS=/usr/bin/aws
MIB=1048576

# payload FILE MIB SEED: MIB MiB of bytes no other seed makes.
payload() {
  $PY - "$1" "$2" "$3" <<'PYEOF'
import hashlib, struct, sys
with open(sys.argv[1], "wb") as f:
    for i in range(int(sys.argv[2])):
        f.write(hashlib.sha512(struct.pack("<QQ", int(sys.argv[3]), i)).digest() * 16384)
PYEOF
}

# journal_parts STATE SERVICE: parts SERVICE acknowledged per the journal in STATE (0: none).
journal_parts() {
  $PY - "$1/octopus/uploads" "$2" <<'PYEOF' 2>/dev/null || echo 0
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

# journal_upload_id STATE SERVICE KEY: the upload id STATE's journal holds for KEY.
journal_upload_id() {
  $PY - "$1/octopus/uploads" "$2" "$3" <<'PYEOF' 2>/dev/null
import glob, json, sys
for f in glob.glob(sys.argv[1] + "/*.json"):
    e = json.load(open(f))
    if e.get("key") == sys.argv[3] and "abort-service" not in e:
        print(e["services"][sys.argv[2]].get("upload-id", ""))
PYEOF
}

# upload_killed NAME STATE FILE: `upload FILE` with state dir STATE, SIGKILLed once both
# services acknowledged 2 parts (of 12).
upload_killed() {
  local name=$1 state=$2 file=$3 pid i
  # The CLI itself, not under `timeout`: killing a `timeout` would leave its child running.
  (export XDG_STATE_HOME=$state; exec "$CLI" upload "$file") >"$T/log/$name.out" 2>"$T/log/$name.err" &
  pid=$!
  for ((i = 0; i < 2400; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    if [ "$(journal_parts "$state" swift-a)" -ge 2 ] && [ "$(journal_parts "$state" swift-b)" -ge 2 ]; then
      kill -KILL "$pid"; wait "$pid" 2>/dev/null
      ok "$name: SIGKILLed after both services acknowledged 2 of 12 parts"
      return
    fi
    sleep 0.05
  done
  kill -KILL "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
  not_ok "$name: SIGKILLed half-way" "it ended first, or stalled: $(cat "$T/log/$name.err")"
}

# open_uploads BUCKET: "KEY UPLOADID" per open multipart upload, sorted.
open_uploads() {
  tap_aws "$SW_EP" "$SW_AK" "$SW_SK" list-multipart-uploads --bucket "$1" --output json \
    | $PY -c 'import json,sys; t=sys.stdin.read().strip(); [print(u["Key"], u["UploadId"]) for u in (json.loads(t).get("Uploads", []) if t else [])]' \
    | sort
}

# is_open BUCKET KEY UPLOADID / open_keys BUCKET
is_open() { open_uploads "$1" | grep -qxF "$2 $3"; }
open_keys() { open_uploads "$1" | cut -d' ' -f1 | tr '\n' ' ' | sed 's/ $//'; }

# killed_while_creating STATE FILE KEY: A's journal as a run killed while its
# CreateMultipartUpload of KEY was in flight leaves it: the lanes say when it began, no id.
killed_while_creating() {
  $PY - "$1/octopus/uploads" "$2" "$3" "$B1" "$B2" <<'PYEOF'
import hashlib, json, os, sys, time
d, path, key, b1, b2 = sys.argv[1:]
st = os.stat(path)
now = int(time.time() * 1e6)
lane = lambda b: {"bucket": b, "create-since-us": now, "completed": False, "gave-up": False,
                  "parts": []}
entry = {"version": 2, "path": path, "key": key, "size": st.st_size,
         "mtime-us": st.st_mtime_ns // 1000, "services": {"swift-a": lane(b1), "swift-b": lane(b2)}}
name = hashlib.sha1((path + "\n" + key).encode()).hexdigest() + ".json"
with open(os.path.join(d, name), "w") as f:
    json.dump(entry, f)
PYEOF
}

# expect_eq DESCRIPTION ACTUAL EXPECTED
expect_eq() {
  if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1" "got:      '$2'" "expected: '$3'"; fi
}
# expect_line NAME TEXT DESCRIPTION: NAME's stderr has the line TEXT.
expect_line() {
  if grep -qxF "$2" "$T/log/$1.err"; then ok "$3"; else not_ok "$3" "stderr: $(err "$1")"; fi
}

# sent_bytes NAME SERVICE: the "sent N bytes" figure of SERVICE's summary line.
sent_bytes() {
  sed -n "s/^$2: .*, sent \([0-9]*\) bytes\$/\1/p" "$T/log/$1.out"
}

with_keyring() {
  tap_keyring_inner
  SW_EP=$OCTOPUS_TEST_SWIFT_ENDPOINT SW_AK=$OCTOPUS_TEST_SWIFT_ACCESS_KEY
  SW_SK=$OCTOPUS_TEST_SWIFT_SECRET_KEY
  unset OCTOPUS_TEST_SWIFT_SECRET_KEY OCTOPUS_TEST_SWIFT_SECRET_KEY2 OCTOPUS_TEST_S3RVER_SECRET_KEY
  local tag="cli-two-$$-$RANDOM"
  B1="$tag-a" B2="$tag-b"
  local sa="$T/k/state-a" sb="$T/k/state-b" b key id
  mkdir -p -m 700 "$sa" "$sb"

  run add-a "$SW_SK" account add swift-a --provider swift --endpoint "$SW_EP" \
      --access-key "$SW_AK" --bucket "$B1" --allow-http
  run add-b "$SW_SK" account add swift-b --provider swift --endpoint "$SW_EP" \
      --access-key "$SW_AK" --bucket "$B2" --allow-http
  expect_rc add-b 0 "two accounts added (swift-a, swift-b), shared by both installations"

  # ---- 1. two installations killed half-way, another program, a kill while creating ----
  payload "$T/a.bin" 96 1; payload "$T/b.bin" 96 2; payload "$T/c.bin" 1 3
  local md5a md5b md5c
  md5a=$(md5sum "$T/a.bin" | cut -d' ' -f1); md5b=$(md5sum "$T/b.bin" | cut -d' ' -f1)
  md5c=$(md5sum "$T/c.bin" | cut -d' ' -f1)

  upload_killed up-a "$sa" "$T/a.bin"
  upload_killed up-b "$sb" "$T/b.bin"
  declare -A other b_id
  for b in "$B1" "$B2"; do
    other[$b]=$(tap_aws "$SW_EP" "$SW_AK" "$SW_SK" create-multipart-upload --bucket "$b" \
                  --key other-tool.bin --query UploadId --output text)
  done
  b_id[$B1]=$(journal_upload_id "$sb" swift-a b.bin)
  b_id[$B2]=$(journal_upload_id "$sb" swift-b b.bin)
  killed_while_creating "$sa" "$T/c.bin" c.bin
  for b in "$B1" "$B2"; do
    tap_aws "$SW_EP" "$SW_AK" "$SW_SK" create-multipart-upload --bucket "$b" --key c.bin \
      --output text >/dev/null
  done
  for b in "$B1" "$B2"; do
    expect_eq "before the resumes, $b has a.bin (A), b.bin (B), c.bin (A's unanswered create) and other-tool.bin open" \
      "$(open_keys "$b")" "a.bin b.bin c.bin other-tool.bin"
  done

  # ---- 2. A resumes ----
  (export XDG_STATE_HOME=$sa; run resume-a "" upload)
  expect_rc resume-a 0 "A resumes: exit 0"
  expect_line resume-a "Resuming 2 interrupted uploads" "A resumes its two uploads (a.bin, c.bin)"
  expect_line resume-a "Unfinished uploads by other computers or programs were left alone: 2 on swift-a, 2 on swift-b" \
    "A says what it left alone: 2 uploads on each service"
  for b in "$B1" "$B2"; do
    check "A's a.bin on $b is complete and right" test "$(tap_copy_md5 "$SW_EP" "$SW_AK" "$SW_SK" "$b" a.bin)" = "$md5a"
    check "A's c.bin on $b is complete and right" test "$(tap_copy_md5 "$SW_EP" "$SW_AK" "$SW_SK" "$b" c.bin)" = "$md5c"
    check "B's upload of b.bin on $b is still open (id ${b_id[$b]})" is_open "$b" b.bin "${b_id[$b]}"
    check "awscli's upload on $b is still open" is_open "$b" other-tool.bin "${other[$b]}"
    expect_eq "on $b only B's and awscli's uploads are open (A aborted the one it began creating)" \
      "$(open_keys "$b")" "b.bin other-tool.bin"
  done
  check "A's journal is empty" test -z "$(ls "$sa/octopus/uploads/" 2>/dev/null)"
  check "B's journal still holds b.bin" test -n "$(journal_upload_id "$sb" swift-a b.bin)"

  # ---- 3. B resumes ----
  (export XDG_STATE_HOME=$sb; run resume-b "" upload)
  expect_rc resume-b 0 "B resumes: exit 0"
  expect_line resume-b "Resuming 1 interrupted upload" "B resumes its upload (b.bin)"
  expect_line resume-b "Unfinished uploads by other computers or programs were left alone: 1 on swift-a, 1 on swift-b" \
    "B says what it left alone: awscli's upload on each service"
  for b in "$B1" "$B2"; do
    check "B's b.bin on $b is complete and right" test "$(tap_copy_md5 "$SW_EP" "$SW_AK" "$SW_SK" "$b" b.bin)" = "$md5b"
    expect_eq "on $b only awscli's upload is still open" "$(open_uploads "$b")" "other-tool.bin ${other[$b]}"
  done
  for s in swift-a swift-b; do
    local sent; sent=$(sent_bytes resume-b $s)
    if [ -n "$sent" ] && [ "$sent" -lt $((96 * MIB)) ]; then
      ok "B completed the upload it started on $s: it re-sent $sent bytes, less than the file"
    else
      not_ok "B completed the upload it started on $s (re-sent less than the file)" "sent: '$sent'" "$(cat "$T/log/resume-b.out")"
    fi
  done
  check "B's journal is empty" test -z "$(ls "$sb/octopus/uploads/" 2>/dev/null)"

  for b in "$B1" "$B2"; do
    tap_aws "$SW_EP" "$SW_AK" "$SW_SK" abort-multipart-upload --bucket "$b" --key other-tool.bin \
      --upload-id "${other[$b]}" >/dev/null
    for key in a.bin b.bin c.bin; do
      tap_aws "$SW_EP" "$SW_AK" "$SW_SK" delete-object --bucket "$b" --key "$key" >/dev/null
    done
    tap_aws "$SW_EP" "$SW_AK" "$SW_SK" delete-bucket --bucket "$b" >/dev/null
  done
}

if tap_is_inner "$@"; then
  with_keyring
  exit 0
fi

tap_require_servers
tap_require_tools dbus-run-session gnome-keyring-daemon "$AWS" md5sum

tap_init octopus-cli-two
tap_run_in_keyring_session 600 "$CLI"
tap_finish
