#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# test-cli-acl-owners.sh OCTOPUS_CLI — `octopus-cli acl grant|revoke` and `repair` on an array
# whose Swift services belong to two accounts: swift-a is test:tester's bucket, swift-b is
# test2:tester2's (a second Swift account), next to s3rver (no ACLs).  Every copy's ACL is read
# back with awscli and that copy's own account's credentials: each copy stays owned by its own
# account, with the grant to a third identity (test:tester3) there, then gone; repair gives the
# new copy the source's grant under the new copy's own owner.
#
# TAP on stdout.  Skips ("1..0 # SKIP") without servers unless OCTOPUS_TEST_REQUIRE_SERVERS is set.
set -uo pipefail
. "$(dirname "$(readlink -f "$0")")/../common/tap.sh"

CLI=$(readlink -f "${1:?usage: test-cli-acl-owners.sh OCTOPUS_CLI}")
PY=/usr/bin/python3
AWS=/usr/bin/aws
FRIEND=test:tester3      # the third identity the grants are for

# put_md5 ENDPOINT ACCESS SECRET BUCKET KEY FILE : a copy as Octopus writes it (md5chksum)
put_md5() {
  local md5
  md5=$($PY -c 'import base64,hashlib,sys; print(base64.b64encode(hashlib.md5(open(sys.argv[1],"rb").read()).digest()).decode())' "$6")
  tap_aws "$1" "$2" "$3" put-object --bucket "$4" --key "$5" --body "$6" \
    --metadata "md5chksum=$md5" >/dev/null
}

# acl_check DESCRIPTION ACCESS SECRET BUCKET KEY PYTHON-EXPRESSION : get-object-acl of one Swift
# copy with ACCESS's credentials; the expression sees `owner` (Owner.ID) and `grants` (a set
# of (grantee id or group URI, permission)).
acl_check() {
  local what=$1 access=$2 secret=$3 bucket=$4 key=$5 expr=$6
  if ! tap_aws "$OCTOPUS_TEST_SWIFT_ENDPOINT" "$access" "$secret" get-object-acl \
      --bucket "$bucket" --key "$key" --output json >"$T/log/acl.json"; then
    not_ok "$what" "get-object-acl failed: $(tail -n 3 "$T/log/aws.err")"
    return
  fi
  if $PY - "$T/log/acl.json" "$expr" <<'PYEOF' 2>"$T/log/py.err"
import json, sys
doc = json.load(open(sys.argv[1]))
owner = doc["Owner"]["ID"]
grants = {(g["Grantee"].get("ID") or g["Grantee"].get("URI"), g["Permission"])
          for g in doc.get("Grants", [])}
sys.exit(0 if eval(sys.argv[2]) else 1)
PYEOF
  then ok "$what"; else not_ok "$what" "$(cat "$T/log/py.err")" "ACL: $(cat "$T/log/acl.json")"; fi
}

# owned_by ACCESS : the expression for "owned by ACCESS, which holds FULL_CONTROL, and no other
# account's user holds anything but the friend's grants"
owned_by() {
  printf 'owner == "%s" and ("%s", "FULL_CONTROL") in grants and all(i in ("%s", "%s") or (i or "").startswith("http") for i, p in grants)' \
    "$1" "$1" "$1" "$FRIEND"
}

with_keyring() {
  tap_keyring_inner
  local s3_ep=$OCTOPUS_TEST_S3RVER_ENDPOINT s3_ak=$OCTOPUS_TEST_S3RVER_ACCESS_KEY
  local s3_sk=$OCTOPUS_TEST_S3RVER_SECRET_KEY sw_ep=$OCTOPUS_TEST_SWIFT_ENDPOINT
  local a_ak=$OCTOPUS_TEST_SWIFT_ACCESS_KEY a_sk=$OCTOPUS_TEST_SWIFT_SECRET_KEY
  local b_ak=$OCTOPUS_TEST_SWIFT_OTHER_ACCESS_KEY b_sk=$OCTOPUS_TEST_SWIFT_OTHER_SECRET_KEY
  tap_unset_server_secrets
  local tag="cli-owners-$$"
  local b0="$tag-s3" b1="$tag-a" b2="$tag-b" k

  run add-s3 "$s3_sk" account add s3 --endpoint "$s3_ep" --access-key "$s3_ak" \
      --bucket "$b0" --path-style --allow-http
  expect_rc add-s3 0 "account add s3 (s3rver)"
  run add-a "$a_sk" account add swift-a --provider swift --endpoint "$sw_ep" \
      --access-key "$a_ak" --bucket "$b1" --allow-http
  expect_rc add-a 0 "account add swift-a ($a_ak)"
  run add-b "$b_sk" account add swift-b --provider swift --endpoint "$sw_ep" \
      --access-key "$b_ak" --bucket "$b2" --allow-http
  expect_rc add-b 0 "account add swift-b ($b_ak, another Swift account)"

  for k in x y z; do
    printf 'contents of %s\n' "$k" > "$T/$k.txt"
    put_md5 "$s3_ep" "$s3_ak" "$s3_sk" "$b0" "$k.txt" "$T/$k.txt"
    put_md5 "$sw_ep" "$a_ak" "$a_sk" "$b1" "$k.txt" "$T/$k.txt"
    put_md5 "$sw_ep" "$b_ak" "$b_sk" "$b2" "$k.txt" "$T/$k.txt"
  done
  acl_check "before: swift-a's x.txt is owned by $a_ak, private" "$a_ak" "$a_sk" "$b1" x.txt \
    "owner == '$a_ak' and grants == {('$a_ak', 'FULL_CONTROL')}"
  acl_check "before: swift-b's x.txt is owned by $b_ak, private" "$b_ak" "$b_sk" "$b2" x.txt \
    "owner == '$b_ak' and grants == {('$b_ak', 'FULL_CONTROL')}"

  # grant: each copy keeps its own owner and gets the grant.
  run grant "" acl grant x.txt y.txt z.txt "id:$FRIEND" READ
  expect_rc grant 0 "acl grant x.txt y.txt z.txt id:$FRIEND READ: exit 0"
  # One line per key and service, each change sent once.
  if [ "$(cut -f1-3 "$T/log/grant.out" | cut -d: -f1 | sort)" = "$(printf '%s\n' \
      $'x.txt\ts3\tunsupported' $'x.txt\tswift-a\tok' $'x.txt\tswift-b\tok' \
      $'y.txt\ts3\tunsupported' $'y.txt\tswift-a\tok' $'y.txt\tswift-b\tok' \
      $'z.txt\ts3\tunsupported' $'z.txt\tswift-a\tok' $'z.txt\tswift-b\tok')" ]; then
    ok "acl grant: one line per key and service: ok on both Swift services, s3rver unsupported"
  else not_ok "acl grant: one line per key and service" "$(out grant)"; fi
  for k in x y z; do
    acl_check "acl grant: swift-a's $k.txt owned by $a_ak, grants $FRIEND READ" \
      "$a_ak" "$a_sk" "$b1" "$k.txt" "$(owned_by "$a_ak") and ('$FRIEND', 'READ') in grants"
    acl_check "acl grant: swift-b's $k.txt owned by $b_ak, grants $FRIEND READ" \
      "$b_ak" "$b_sk" "$b2" "$k.txt" "$(owned_by "$b_ak") and ('$FRIEND', 'READ') in grants"
  done

  # revoke: exactly that grantee, on exactly the keys named.
  run revoke "" acl revoke x.txt "id:$FRIEND"
  expect_rc revoke 0 "acl revoke x.txt id:$FRIEND: exit 0"
  acl_check "acl revoke: swift-a's x.txt owned by $a_ak, private again" "$a_ak" "$a_sk" "$b1" \
    x.txt "owner == '$a_ak' and grants == {('$a_ak', 'FULL_CONTROL')}"
  acl_check "acl revoke: swift-b's x.txt owned by $b_ak, private again" "$b_ak" "$b_sk" "$b2" \
    x.txt "owner == '$b_ak' and grants == {('$b_ak', 'FULL_CONTROL')}"
  acl_check "acl revoke: swift-b's y.txt (not named) keeps the grant" "$b_ak" "$b_sk" "$b2" \
    y.txt "('$FRIEND', 'READ') in grants"

  # repair: copies deleted behind Octopus's back are written again from the other account's
  # copy (s3rver's is gone too, so a Swift copy is the source): y.txt from swift-a to swift-b,
  # z.txt from swift-b to swift-a.
  tap_aws "$s3_ep" "$s3_ak" "$s3_sk" delete-object --bucket "$b0" --key y.txt >/dev/null
  tap_aws "$s3_ep" "$s3_ak" "$s3_sk" delete-object --bucket "$b0" --key z.txt >/dev/null
  tap_aws "$sw_ep" "$b_ak" "$b_sk" delete-object --bucket "$b2" --key y.txt >/dev/null
  tap_aws "$sw_ep" "$a_ak" "$a_sk" delete-object --bucket "$b1" --key z.txt >/dev/null
  run repair "" repair
  expect_rc repair 0 "repair: exit 0"
  if grep -q $'^y.txt\tswift-b\tok' "$T/log/repair.out" &&
     grep -q $'^z.txt\tswift-a\tok' "$T/log/repair.out" &&
     grep -q $'^y.txt\ts3\tok' "$T/log/repair.out" &&
     grep -q $'^z.txt\ts3\tok' "$T/log/repair.out"; then
    ok "repair: restores y.txt on swift-b and s3, z.txt on swift-a and s3"
  else not_ok "repair: restores the four copies" "$(out repair)" "$(err repair)"; fi
  acl_check "repair: swift-b's new y.txt owned by $b_ak, grants $FRIEND READ" \
    "$b_ak" "$b_sk" "$b2" y.txt "$(owned_by "$b_ak") and ('$FRIEND', 'READ') in grants"
  acl_check "repair: swift-a's new z.txt owned by $a_ak, grants $FRIEND READ" \
    "$a_ak" "$a_sk" "$b1" z.txt "$(owned_by "$a_ak") and ('$FRIEND', 'READ') in grants"
  if [ "$(tap_copy_md5 "$s3_ep" "$s3_ak" "$s3_sk" "$b0" y.txt)" = "$(md5sum < "$T/y.txt" | cut -d' ' -f1)" ] &&
     [ "$(tap_copy_md5 "$sw_ep" "$b_ak" "$b_sk" "$b2" y.txt)" = "$(md5sum < "$T/y.txt" | cut -d' ' -f1)" ]; then
    ok "repair: the copies on s3rver (no ACLs) and swift-b hold the right bytes"
  else not_ok "repair: the repaired copies hold the right bytes"; fi
  run status "" status
  if [ "$(grep -c $'\tin-sync\ts3=in-sync\tswift-a=in-sync\tswift-b=in-sync$' "$T/log/status.out")" = 3 ]; then
    ok "status after repair: all three keys in sync everywhere"
  else not_ok "status after repair: all three keys in sync everywhere" "$(out status)"; fi

  run del-all "" delete --all --yes
  tap_aws "$sw_ep" "$a_ak" "$a_sk" delete-bucket --bucket "$b1"
  tap_aws "$sw_ep" "$b_ak" "$b_sk" delete-bucket --bucket "$b2"
  tap_aws "$s3_ep" "$s3_ak" "$s3_sk" delete-bucket --bucket "$b0"
}

if tap_is_inner "$@"; then
  with_keyring
  exit 0
fi

tap_require_servers
[ -n "${OCTOPUS_TEST_SWIFT_OTHER_ACCESS_KEY:-}" ] ||
  tap_bail "OCTOPUS_TEST_SWIFT_OTHER_ACCESS_KEY is not set (an env from an older harness?)"
tap_require_tools dbus-run-session gnome-keyring-daemon "$AWS"

tap_init octopus-cli-acl-owners

tap_run_in_keyring_session 600 "$CLI"

tap_finish
