#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# test-cli-bwlimit.sh OCTOPUS_CLI — `--bwlimit RATE` against the real s3rver, timed on the wall
# clock because the rate is what the user asked for (issue 18: 5 s ± 15 % here):
#   1. a RATE that is not one is a usage error, and so is --transfers outside 1..16;
#   2. a 20 MiB upload with --bwlimit 4M takes 5 s ± 15 % and the copy is right;
#   3. downloading it with --bwlimit 4M takes 5 s ± 15 % and the file is right.
# Without a limit the same transfers take well under a second on 127.0.0.1, so both timings
# fail if the limit is not applied (and if it is applied twice, or per part).
# TAP on stdout.  Skips without servers unless OCTOPUS_TEST_REQUIRE_SERVERS is set.
set -uo pipefail
. "$(dirname "$(readlink -f "$0")")/../common/tap.sh"

CLI=$(readlink -f "${1:?usage: test-cli-bwlimit.sh OCTOPUS_CLI}")
PY=/usr/bin/python3

now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

# expect_duration NAME START_MS LOW_MS HIGH_MS DESCRIPTION
expect_duration() {
  local took=$(( $(now_ms) - $2 ))
  if [ "$took" -ge "$3" ] && [ "$took" -le "$4" ]; then ok "$5 (${took} ms)"
  else not_ok "$5" "took ${took} ms, expected $3..$4 ms" "stderr: $(err "$1")"; fi
}

with_keyring() {
  tap_keyring_inner
  local ep=$OCTOPUS_TEST_S3RVER_ENDPOINT ak=$OCTOPUS_TEST_S3RVER_ACCESS_KEY
  local sk=$OCTOPUS_TEST_S3RVER_SECRET_KEY
  unset OCTOPUS_TEST_S3RVER_SECRET_KEY OCTOPUS_TEST_SWIFT_SECRET_KEY OCTOPUS_TEST_SWIFT_SECRET_KEY2
  local bucket="cli-bw-$$-$RANDOM" start md5

  run add "$sk" account add s3 --endpoint "$ep" --access-key "$ak" --bucket "$bucket" \
      --path-style --allow-http
  expect_rc add 0 "account added (s3rver)"

  run bad "" upload --bwlimit 5X "$T/none"
  expect_rc bad 2 "upload --bwlimit 5X: usage error"
  if grep -q '5X' "$T/log/bad.err"; then ok "the usage error names the RATE"
  else not_ok "the usage error names the RATE" "$(err bad)"; fi

  for n in 0 17; do
    run "transfers$n" "" upload --transfers "$n" "$T/none"
    expect_rc "transfers$n" 2 "upload --transfers $n: usage error"
  done

  $PY - "$T/big.bin" 20 <<'PYEOF'
import hashlib, struct, sys
with open(sys.argv[1], "wb") as f:
    for i in range(int(sys.argv[2])):
        f.write(hashlib.sha512(struct.pack("<Q", i)).digest() * 16384)
PYEOF
  md5=$(md5sum "$T/big.bin" | cut -d' ' -f1)

  start=$(now_ms)
  run up "" upload --bwlimit 4M --transfers 8 "$T/big.bin"
  expect_duration up "$start" 4250 5750 "20 MiB upload with --bwlimit 4M takes 5 s ± 15 %"
  expect_rc up 0 "the limited upload succeeded"
  check "the uploaded copy's MD5 is the file's" \
    test "$(tap_copy_md5 "$ep" "$ak" "$sk" "$bucket" big.bin)" = "$md5"

  mkdir -p "$T/dl"
  start=$(now_ms)
  run down "" download --bwlimit 4M big.bin --to "$T/dl"
  expect_duration down "$start" 4250 5750 "20 MiB download with --bwlimit 4M takes 5 s ± 15 %"
  expect_rc down 0 "the limited download succeeded"
  check "the downloaded file's MD5 is the file's" \
    test "$(md5sum "$T/dl/big.bin" 2>/dev/null | cut -d' ' -f1)" = "$md5"

  tap_aws "$ep" "$ak" "$sk" delete-object --bucket "$bucket" --key big.bin >/dev/null
  tap_aws "$ep" "$ak" "$sk" delete-bucket --bucket "$bucket" >/dev/null
}

if tap_is_inner "$@"; then
  with_keyring
  exit 0
fi

tap_require_servers
tap_require_tools dbus-run-session gnome-keyring-daemon /usr/bin/aws md5sum

tap_init octopus-cli-bwlimit
tap_run_in_keyring_session 300 "$CLI"
tap_finish
