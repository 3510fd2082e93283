#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# test-cli-facts.sh OCTOPUS_CLI — `octopus-cli info` and `octopus-cli usage` against the real
# servers: files uploaded with octopus-cli to s3rver and two Swift buckets, copies broken
# behind Octopus's back with awscli, then each copy's facts and the totals per service read
# back with Python's json module.
#
# TAP on stdout.  Skips ("1..0 # SKIP") without servers unless OCTOPUS_TEST_REQUIRE_SERVERS is set.
set -uo pipefail
. "$(dirname "$(readlink -f "$0")")/../common/tap.sh"

CLI=$(readlink -f "${1:?usage: test-cli-facts.sh OCTOPUS_CLI}")
PY=/usr/bin/python3

# json_check NAME DESCRIPTION PYTHON-EXPRESSION (over `doc`, the parsed stdout of NAME;
# `svc(name)` is doc["services"][name])
json_check() {
  if $PY - "$T/log/$1.out" "$3" <<'PYEOF' 2>"$T/log/py.err"
import json, os, sys
doc = json.load(open(sys.argv[1]))
def svc(name):
    return doc["services"][name]
sys.exit(0 if eval(sys.argv[2]) else 1)
PYEOF
  then ok "$2"; else not_ok "$2" "$(cat "$T/log/py.err")" "stdout: $(cat "$T/log/$1.out")"; fi
}

with_keyring() {
  tap_keyring_inner
  local s3_ep=$OCTOPUS_TEST_S3RVER_ENDPOINT s3_ak=$OCTOPUS_TEST_S3RVER_ACCESS_KEY
  local s3_sk=$OCTOPUS_TEST_S3RVER_SECRET_KEY
  local sw_ep=$OCTOPUS_TEST_SWIFT_ENDPOINT sw_ak=$OCTOPUS_TEST_SWIFT_ACCESS_KEY
  local sw_sk=$OCTOPUS_TEST_SWIFT_SECRET_KEY
  unset OCTOPUS_TEST_SWIFT_SECRET_KEY OCTOPUS_TEST_SWIFT_SECRET_KEY2 OCTOPUS_TEST_S3RVER_SECRET_KEY
  local tag="cli-facts-$$"
  local b0="$tag-s3" b1="$tag-a" b2="$tag-b"

  run add-s3 "$s3_sk" account add s3 --endpoint "$s3_ep" --access-key "$s3_ak" \
      --bucket "$b0" --path-style --allow-http
  expect_rc add-s3 0 "account add s3 (s3rver)"
  run add-a "$sw_sk" account add swift-a --provider swift --endpoint "$sw_ep" \
      --access-key "$sw_ak" --bucket "$b1" --allow-http
  expect_rc add-a 0 "account add swift-a"
  run add-b "$sw_sk" account add swift-b --provider swift --endpoint "$sw_ep" \
      --access-key "$sw_ak" --bucket "$b2" --allow-http
  expect_rc add-b 0 "account add swift-b"

  # Four files of different sizes: two at the top, two in the folder "dir/".
  mkdir -p "$T/up/dir"
  printf 'a%.0s' $(seq 10) > "$T/up/a.txt"
  printf 'b%.0s' $(seq 200) > "$T/up/b.txt"
  printf 'c%.0s' $(seq 3000) > "$T/up/dir/c.txt"
  printf 'd%.0s' $(seq 40) > "$T/up/dir/d.txt"
  (cd "$T/up" && TAP_RUN_TIMEOUT=300 run upload "" upload a.txt b.txt dir)
  expect_rc upload 0 "upload a.txt b.txt dir: exit 0"

  # Break it: b.txt deleted on swift-a; dir/c.txt overwritten with other bytes on swift-b;
  # dir/d.txt deleted on both Swift buckets (its one good copy is on s3rver: at risk).
  printf 'CORRUPTED COPY!!\n' > "$T/bad.txt"
  tap_aws "$sw_ep" "$sw_ak" "$sw_sk" delete-object --bucket "$b1" --key b.txt >/dev/null
  tap_aws "$sw_ep" "$sw_ak" "$sw_sk" put-object --bucket "$b2" --key dir/c.txt \
    --body "$T/bad.txt" >/dev/null
  tap_aws "$sw_ep" "$sw_ak" "$sw_sk" delete-object --bucket "$b1" --key dir/d.txt >/dev/null
  tap_aws "$sw_ep" "$sw_ak" "$sw_sk" delete-object --bucket "$b2" --key dir/d.txt >/dev/null
  local good bad
  good=$(md5sum < "$T/up/dir/c.txt" | cut -d' ' -f1)
  bad=$(md5sum < "$T/bad.txt" | cut -d' ' -f1)
  export GOOD=$good BAD=$bad

  run info-c "" info dir/c.txt --json
  expect_rc info-c 0 "info dir/c.txt --json: exit 0 (a differing copy is no failure)"
  json_check info-c "info: the key, its reference size and MD5, overall state differs" \
    'doc["key"] == "dir/c.txt" and doc["size"] == 3000 and doc["md5"] == os.environ["GOOD"] and doc["state"] == "differs"'
  json_check info-c "info: services in account order, s3 and swift-a in sync with reason \"in sync\"" \
    'list(doc["services"]) == ["s3", "swift-a", "swift-b"] and all(svc(n)["state"] == "in-sync" and svc(n)["reason"] == "in sync" for n in ("s3", "swift-a"))'
  json_check info-c "info: the differing copy's reason names its MD5, the two services and theirs" \
    'svc("swift-b")["state"] == "differs" and svc("swift-b")["reason"] == "differs: MD5 %s where 2 services hold %s" % (os.environ["BAD"], os.environ["GOOD"])'
  json_check info-c "info: Octopus's copies carry md5chksum; the copy awscli wrote has its ETag as MD5" \
    'svc("s3")["md5_source"] == "md5chksum" and svc("swift-a")["md5_source"] == "md5chksum" and svc("swift-b")["md5_source"] == "etag" and svc("swift-b")["md5"] == os.environ["BAD"] and svc("s3")["md5"] == os.environ["GOOD"]'
  json_check info-c "info: each copy's size, ETag and last-modified time as the service has them" \
    '[svc(n)["size"] for n in ("s3", "swift-a", "swift-b")] == [3000, 3000, 17] and svc("swift-b")["etag"] == os.environ["BAD"] and all(svc(n)["last_modified"].endswith("Z") or "+" in svc(n)["last_modified"] for n in doc["services"])'
  json_check info-c "info: storage class, user metadata md5chksum on Octopus's copies only" \
    'all(svc(n)["storage_class"] == "STANDARD" for n in doc["services"]) and "md5chksum" in svc("s3")["metadata"] and "md5chksum" in svc("swift-a")["metadata"] and "md5chksum" not in svc("swift-b")["metadata"]'
  json_check info-c "info: ACL \"not supported\" on s3rver, a canned ACL on Swift" \
    'svc("s3")["acl"]["status"] == "unsupported" and svc("s3")["acl"]["summary"] == "not supported" and svc("swift-a")["acl"]["status"] == "ok" and svc("swift-a")["acl"]["canned"] == "private" and svc("swift-a")["acl"]["summary"] == "private"'
  json_check info-c "info: no version id where the bucket keeps no versions, no error" \
    'all(svc(n)["version_id"] is None and svc(n)["error"] is None for n in doc["services"])'

  run info-b "" info b.txt --json
  json_check info-b "info b.txt: swift-a's copy is missing (reason \"missing\", no facts), swift-b in sync" \
    'svc("swift-a")["state"] == "missing" and svc("swift-a")["reason"] == "missing" and svc("swift-a")["present"] is False and svc("swift-a")["size"] is None and svc("swift-a")["etag"] is None and svc("swift-b")["state"] == "in-sync" and svc("swift-b")["size"] == 200'

  run info-text "" info dir/c.txt
  if grep -q "differs: MD5 $bad where 2 services hold $good" "$T/log/info-text.out" \
     && grep -q "md5chksum" "$T/log/info-text.out"; then
    ok "info (text): the reason and the MD5's source are printed"
  else not_ok "info (text): the reason and the MD5's source are printed" "$(out info-text)"; fi
  run info-none "" info nope.txt
  expect_rc info-none 1 "info of a key on no service: exit 1"
  run info-usage "" info
  expect_rc info-usage 2 "info without a KEY: usage error"

  run usage "" usage --json
  expect_rc usage 0 "usage --json: exit 0 with every service up"
  json_check usage "usage: 4 objects, one of them at risk" \
    'doc["objects"] == 4 and doc["at_risk"] == 1'
  json_check usage "usage: s3 holds all 4 (3250 bytes), none missing or differing, dir/d.txt at risk" \
    'svc("s3") == {"objects": 4, "bytes": 3250, "missing": 0, "differing": 0, "unreachable": 0, "at_risk": 1}'
  json_check usage "usage: swift-a holds a.txt and dir/c.txt (3010 bytes), b.txt and dir/d.txt missing" \
    'svc("swift-a") == {"objects": 2, "bytes": 3010, "missing": 2, "differing": 0, "unreachable": 0, "at_risk": 0}'
  json_check usage "usage: swift-b holds 3 (10+200+17 bytes), one missing, one differing" \
    'svc("swift-b") == {"objects": 3, "bytes": 227, "missing": 1, "differing": 1, "unreachable": 0, "at_risk": 0}'
  json_check usage "usage: per folder: \"\" holds a.txt and b.txt, \"dir/\" the broken two" \
    '[(f["folder"], f["objects"], f["at_risk"]) for f in doc["folders"]] == [("", 2, 0), ("dir/", 2, 1)] and doc["folders"][1]["services"]["swift-b"] == {"objects": 1, "bytes": 17, "missing": 1, "differing": 1, "unreachable": 0, "at_risk": 0} and doc["folders"][0]["services"]["swift-a"]["missing"] == 1'
  run usage-text "" usage
  if grep -q $'^swift-b\t3\t227\t1\t1\t0\t0$' "$T/log/usage-text.out"; then
    ok "usage (text): one line per service"
  else not_ok "usage (text): one line per service" "$(out usage-text)"; fi

  # Repaired, nothing is at risk, missing or differing any more.
  run repair "" repair
  expect_rc repair 0 "repair: exit 0"
  run usage2 "" usage --json
  json_check usage2 "after repair: every service holds all 4 objects (3250 bytes), nothing at risk" \
    'doc["at_risk"] == 0 and all(svc(n) == {"objects": 4, "bytes": 3250, "missing": 0, "differing": 0, "unreachable": 0, "at_risk": 0} for n in ("s3", "swift-a", "swift-b"))'

  run del-all "" delete --all --yes
  for b in "$b1" "$b2"; do
    tap_aws "$sw_ep" "$sw_ak" "$sw_sk" delete-bucket --bucket "$b" >/dev/null
  done
  tap_aws "$s3_ep" "$s3_ak" "$s3_sk" delete-bucket --bucket "$b0" >/dev/null
}

if tap_is_inner "$@"; then
  with_keyring
  exit 0
fi

tap_require_servers
tap_require_tools dbus-run-session gnome-keyring-daemon /usr/bin/aws

tap_init octopus-cli-facts

tap_run_in_keyring_session 600 "$CLI"

tap_finish
