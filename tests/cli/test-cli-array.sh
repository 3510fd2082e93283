#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# test-cli-array.sh OCTOPUS_CLI — `octopus-cli status|repair|delete|acl|download` end to end:
# three accounts (s3rver and two Swift buckets) under a private D-Bus session with an unlocked
# gnome-keyring, the array broken behind Octopus's back with awscli, `status --json` checked
# with Python's json module.
#
# TAP on stdout.  Skips ("1..0 # SKIP") without servers unless OCTOPUS_TEST_REQUIRE_SERVERS is set.
set -uo pipefail
. "$(dirname "$(readlink -f "$0")")/../common/tap.sh"

CLI=$(readlink -f "${1:?usage: test-cli-array.sh OCTOPUS_CLI}")
PY=/usr/bin/python3
AWS=/usr/bin/aws

# json_check NAME DESCRIPTION PYTHON-EXPRESSION (over `doc`, the parsed stdout of NAME)
json_check() {
  if $PY - "$T/log/$1.out" "$3" <<'PYEOF' 2>"$T/log/py.err"
import json, sys
doc = json.load(open(sys.argv[1]))
def state(key, service):
    return next(o for o in doc["objects"] if o["key"] == key)["services"][service]["state"]
sys.exit(0 if eval(sys.argv[2]) else 1)
PYEOF
  then ok "$2"; else not_ok "$2" "$(cat "$T/log/py.err")" "stdout: $(cat "$T/log/$1.out")"; fi
}

# s3 NAME ENDPOINT ACCESS SECRET ARGS... : awscli against one server, credentials only in its env
s3() {
  local endpoint=$2 access=$3 secret=$4; shift 4
  AWS_ACCESS_KEY_ID=$access AWS_SECRET_ACCESS_KEY=$secret AWS_DEFAULT_REGION=us-east-1 \
    AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null \
    timeout 60 $AWS --endpoint-url "$endpoint" s3api "$@" >/dev/null 2>>"$T/log/aws.err"
}

with_keyring() {
  tap_keyring_inner
  local s3_ep=$OCTOPUS_TEST_S3RVER_ENDPOINT s3_ak=$OCTOPUS_TEST_S3RVER_ACCESS_KEY
  local s3_sk=$OCTOPUS_TEST_S3RVER_SECRET_KEY
  local sw_ep=$OCTOPUS_TEST_SWIFT_ENDPOINT sw_ak=$OCTOPUS_TEST_SWIFT_ACCESS_KEY
  local sw_sk=$OCTOPUS_TEST_SWIFT_SECRET_KEY
  tap_unset_server_secrets
  local tag="cli-array-$$-$RANDOM"
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

  # Three files everywhere, uploaded as Octopus would (md5chksum metadata).
  for k in a b c; do
    printf 'contents of %s\n' "$k" > "$T/$k.txt"
    local md5; md5=$($PY -c 'import base64,hashlib,sys; print(base64.b64encode(hashlib.md5(open(sys.argv[1],"rb").read()).digest()).decode())' "$T/$k.txt")
    s3 x "$s3_ep" "$s3_ak" "$s3_sk" put-object --bucket "$b0" --key "$k.txt" --body "$T/$k.txt" --metadata "md5chksum=$md5"
    s3 x "$sw_ep" "$sw_ak" "$sw_sk" put-object --bucket "$b1" --key "$k.txt" --body "$T/$k.txt" --metadata "md5chksum=$md5"
    s3 x "$sw_ep" "$sw_ak" "$sw_sk" put-object --bucket "$b2" --key "$k.txt" --body "$T/$k.txt" --metadata "md5chksum=$md5"
  done
  run status0 "" status --json
  expect_rc status0 0 "status --json: exit 0 with every service up"
  json_check status0 "status --json: three reachable services, in account order" \
    '[(s["name"], s["reachable"]) for s in doc["services"]] == [("s3", True), ("swift-a", True), ("swift-b", True)]'
  json_check status0 "status --json: a.txt, b.txt, c.txt all in-sync with size and md5" \
    'sorted(o["key"] for o in doc["objects"]) == ["a.txt", "b.txt", "c.txt"] and all(o["state"] == "in-sync" and o["size"] == 14 and len(o["md5"]) == 32 for o in doc["objects"])'

  # Break it: one copy deleted, one overwritten with other bytes.
  s3 x "$sw_ep" "$sw_ak" "$sw_sk" delete-object --bucket "$b1" --key b.txt
  printf 'CORRUPTED COPY!!\n' > "$T/bad.txt"
  s3 x "$sw_ep" "$sw_ak" "$sw_sk" put-object --bucket "$b2" --key c.txt --body "$T/bad.txt"
  run status1 "" status --json
  expect_rc status1 0 "status --json after breaking: exit 0 (states are not failures)"
  json_check status1 "status: exactly b.txt on swift-a is missing and c.txt on swift-b differs" \
    '[(o["key"], n, s["state"]) for o in doc["objects"] for n, s in sorted(o["services"].items()) if s["state"] != "in-sync"] == [("b.txt", "swift-a", "missing"), ("c.txt", "swift-b", "differs")]'
  json_check status1 "status: a missing copy has null etag and size; row states are the worst" \
    'next(o for o in doc["objects"] if o["key"] == "b.txt")["services"]["swift-a"] == {"state": "missing", "etag": None, "size": None} and [o["state"] for o in doc["objects"]] == ["in-sync", "missing", "differs"]'
  run text1 "" status
  if grep -q $'^b.txt\t14\tmissing\ts3=in-sync\tswift-a=missing\tswift-b=in-sync$' "$T/log/text1.out"; then
    ok "status (text): one tab-separated row per key with each service's state"
  else not_ok "status (text): one row per key" "$(cat "$T/log/text1.out")"; fi

  run repair "" repair
  expect_rc repair 0 "repair: exit 0"
  if grep -q $'^b.txt\tswift-a\tok' "$T/log/repair.out" && grep -q $'^c.txt\tswift-b\tok' "$T/log/repair.out"; then
    ok "repair: reports the two copies it restored"
  else not_ok "repair: reports the two copies it restored" "$(cat "$T/log/repair.out")"; fi
  run status2 "" status --json
  json_check status2 "status after repair: every copy in-sync" \
    'len(doc["objects"]) == 3 and all(s["state"] == "in-sync" for o in doc["objects"] for s in o["services"].values())'

  # One account whose settings cannot make a client (plain http:// without allow-http, as a
  # hand edit leaves it) must not take the three working services away: its column shows
  # unreachable with the reason, the others are listed as before.
  local ini="$XDG_CONFIG_HOME/octopus/accounts.ini"
  cp "$ini" "$T/accounts.ini.good"
  printf '\n[Account broken]\nprovider=custom\nendpoint=http://127.0.0.1:9\nbucket=nope\naccess-key=x\n' >> "$ini"
  run status-broken "" status --json
  expect_rc status-broken 1 "status with one unusable account: exit 1"
  json_check status-broken "status with one unusable account: the other three are listed, it is unreachable" \
    'len(doc["objects"]) == 3 and [s["reachable"] for s in doc["services"]] == [True, True, True, False] and all(state(o["key"], "s3") == "in-sync" and state(o["key"], "broken") == "unreachable" for o in doc["objects"])'
  if grep -q "broken" "$T/log/status-broken.err" && grep -q "http" "$T/log/status-broken.err"; then
    ok "status with one unusable account: says which and why"
  else not_ok "status with one unusable account: says which and why" "$(cat "$T/log/status-broken.err")"; fi
  cp "$T/accounts.ini.good" "$ini"

  mkdir -p "$T/dl"
  run dl "" download c.txt b.txt --to "$T/dl"
  expect_rc dl 0 "download: exit 0"
  if cmp -s "$T/dl/c.txt" "$T/c.txt" && cmp -s "$T/dl/b.txt" "$T/b.txt"; then ok "download: the files hold the right bytes"
  else not_ok "download: the files hold the right bytes"; fi
  run dl-missing "" download nope.txt --to "$T/dl"
  expect_rc dl-missing 1 "download of an unknown key: exit 1"
  run dl-usage "" download c.txt
  expect_rc dl-usage 2 "download without --to: usage error"

  run acl-set "" acl set a.txt public-read
  expect_rc acl-set 0 "acl set public-read: exit 0 (s3rver is not a failure)"
  if grep -q $'^a.txt\ts3\tunsupported: ACLs not supported here' "$T/log/acl-set.out"; then
    ok "acl set: s3rver reported as \"ACLs not supported here\""
  else not_ok "acl set: s3rver reported as not supported" "$(cat "$T/log/acl-set.out")"; fi
  run acl-get "" acl get a.txt --json
  json_check acl-get "acl get --json: both Swift services grant AllUsers READ" \
    'all(doc["services"][n]["canned"] == "public-read" and {"grantee": "AllUsers", "permission": "READ"} in doc["services"][n]["grants"] for n in ("swift-a", "swift-b"))'
  run acl-bad "" acl set a.txt world-writable
  expect_rc acl-bad 2 "acl set with an unknown canned ACL: usage error"

  # grant and revoke: each service's policy is built from its own ACL, its owner kept.
  run acl-grant "" acl grant a.txt b.txt authenticated READ
  expect_rc acl-grant 0 "acl grant a.txt b.txt authenticated READ: exit 0"
  run acl-get2 "" acl get b.txt --json
  json_check acl-get2 "acl grant: each Swift copy of b.txt grants AuthenticatedUsers READ, its owner keeps FULL_CONTROL" \
    'all({"grantee": "AuthenticatedUsers", "permission": "READ"} in doc["services"][n]["grants"] and {"grantee": "owner", "permission": "FULL_CONTROL"} in doc["services"][n]["grants"] for n in ("swift-a", "swift-b"))'
  run acl-revoke "" acl revoke a.txt authenticated
  expect_rc acl-revoke 0 "acl revoke a.txt authenticated: exit 0"
  run acl-get3 "" acl get a.txt --json
  json_check acl-get3 "acl revoke: AuthenticatedUsers gone from a.txt, AllUsers READ and the owner stay" \
    'all(not any(g["grantee"] == "AuthenticatedUsers" for g in doc["services"][n]["grants"]) and {"grantee": "AllUsers", "permission": "READ"} in doc["services"][n]["grants"] and {"grantee": "owner", "permission": "FULL_CONTROL"} in doc["services"][n]["grants"] for n in ("swift-a", "swift-b"))'
  run acl-grant-bad "" acl grant a.txt nobody READ
  expect_rc acl-grant-bad 2 "acl grant to an unknown grantee: usage error"

  run del "" delete a.txt
  expect_rc del 0 "delete a.txt: exit 0"
  run status3 "" status --json
  json_check status3 "after delete: a.txt is gone from every service" \
    'sorted(o["key"] for o in doc["objects"]) == ["b.txt", "c.txt"]'
  run del-all-noyes "" delete --all
  expect_rc del-all-noyes 2 "delete --all without --yes: usage error, nothing deleted"
  run del-all "" delete --all --yes
  expect_rc del-all 0 "delete --all --yes: exit 0"
  run status4 "" status --json
  json_check status4 "after delete --all --yes: no objects left" 'doc["objects"] == []'

  for b in "$b1" "$b2"; do s3 x "$sw_ep" "$sw_ak" "$sw_sk" delete-bucket --bucket "$b"; done
  s3 x "$s3_ep" "$s3_ak" "$s3_sk" delete-bucket --bucket "$b0"
}

if tap_is_inner "$@"; then
  with_keyring
  exit 0
fi

tap_require_servers
tap_require_tools dbus-run-session gnome-keyring-daemon "$AWS"

tap_init octopus-cli-array

tap_run_in_keyring_session 600 "$CLI"

tap_finish
