#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# test-cli-share.sh OCTOPUS_CLI — `octopus-cli share`: a file uploaded to an array of Swift and
# s3rver; the link printed is fetched with curl and no credentials, from Swift (which checks
# the signature and the expiry: a changed signature and an expired link are refused) and,
# when Swift's copy is gone, from s3rver; the refusals (unknown key, a copy that is not in
# sync, an unknown service, a DURATION over 7 days) with the exit codes of docs/DESIGN.md.
#
# TAP on stdout.  Skips ("1..0 # SKIP") without servers unless OCTOPUS_TEST_REQUIRE_SERVERS is set.
set -uo pipefail
. "$(dirname "$(readlink -f "$0")")/../common/tap.sh"

CLI=$(readlink -f "${1:?usage: test-cli-share.sh OCTOPUS_CLI}")
PY=/usr/bin/python3

# fetch NAME URL : curl without credentials; body in $T/NAME.body, HTTP status in $T/NAME.code
fetch() {
  curl -sS --max-time 60 -o "$T/$1.body" -w '%{http_code}' "$2" >"$T/$1.code" 2>"$T/$1.curl"
}
code() { cat "$T/$1.code"; }

# The one line NAME printed, when it printed exactly one line; else nothing.
one_url() {
  [ "$(wc -l < "$T/log/$1.out")" = 1 ] && head -n1 "$T/log/$1.out"
}

# Waits until Swift must see the link @URL as expired: its X-Amz-Date plus X-Amz-Expires is
# in the past by a whole second (Swift compares with the fraction).  At most 30 s.
wait_expired() {
  local url=$1 amz_date expires_at deadline
  amz_date=$(printf '%s' "$url" | sed -n 's/.*[?&]X-Amz-Date=\([0-9]\{8\}T[0-9]\{6\}Z\).*/\1/p')
  expires_at=$(( $(date -u -d "$(printf '%s' "$amz_date" |
    sed 's/\(....\)\(..\)\(..\)T\(..\)\(..\)\(..\)Z/\1-\2-\3 \4:\5:\6 UTC/')" +%s) \
    + $(printf '%s' "$url" | sed -n 's/.*[?&]X-Amz-Expires=\([0-9]*\).*/\1/p') ))
  deadline=$(( $(date +%s) + 30 ))
  while [ "$(date +%s)" -le $(( expires_at + 1 )) ]; do
    [ "$(date +%s)" -lt "$deadline" ] || return 1
    sleep 0.2
  done
}

with_keyring() {
  tap_keyring_inner
  local s3_ep=$OCTOPUS_TEST_S3RVER_ENDPOINT s3_ak=$OCTOPUS_TEST_S3RVER_ACCESS_KEY
  local s3_sk=$OCTOPUS_TEST_S3RVER_SECRET_KEY
  local sw_ep=$OCTOPUS_TEST_SWIFT_ENDPOINT sw_ak=$OCTOPUS_TEST_SWIFT_ACCESS_KEY
  local sw_sk=$OCTOPUS_TEST_SWIFT_SECRET_KEY
  unset OCTOPUS_TEST_SWIFT_SECRET_KEY OCTOPUS_TEST_SWIFT_SECRET_KEY2 OCTOPUS_TEST_S3RVER_SECRET_KEY
  local tag="cli-share-$$-$RANDOM"
  local b_sw="$tag-sw" b_s3="$tag-s3"
  local key="share test/bytes ü.bin" other="share test/other.bin"

  # Swift first: the link is signed for the first service whose copy is in sync.
  run add-sw "$sw_sk" account add swift --provider swift --endpoint "$sw_ep" \
      --access-key "$sw_ak" --bucket "$b_sw" --allow-http
  expect_rc add-sw 0 "account add swift"
  run add-s3 "$s3_sk" account add s3 --endpoint "$s3_ep" --access-key "$s3_ak" \
      --bucket "$b_s3" --path-style --allow-http
  expect_rc add-s3 0 "account add s3 (s3rver)"

  mkdir -p "$T/up"
  $PY -c 'import sys; sys.stdout.buffer.write(bytes((i * 7 + i // 251) % 256 for i in range(70000)))' \
    > "$T/up/bytes ü.bin"
  printf 'the other file\n' > "$T/up/other.bin"
  run upload "" upload "$T/up/bytes ü.bin" "$T/up/other.bin" --prefix "share test"
  expect_rc upload 0 "upload two files to both services"

  # A link for Swift's copy, fetched without credentials.
  run share "" share "$key" --expires 1h --service swift
  expect_rc share 0 "share KEY --expires 1h --service swift: exit 0"
  local url; url=$(one_url share)
  case "$url" in
    "$sw_ep/$b_sw/share%20test/bytes%20%C3%BC.bin?"*X-Amz-Expires=3600*X-Amz-Signature=*)
      ok "share: one line, a URL for Swift's copy valid for 3600 s" ;;
    *) not_ok "share: one line, a URL for Swift's copy valid for 3600 s" "stdout: $(out share)" ;;
  esac
  if grep -q "anyone with this link can download share test/bytes ü.bin from swift until" \
       "$T/log/share.err" && grep -q "cannot be revoked except by deleting or overwriting" \
       "$T/log/share.err"; then
    ok "share: warns on stderr that the link cannot be revoked"
  else not_ok "share: warns on stderr that the link cannot be revoked" "stderr: $(err share)"; fi
  if curl -fsS --max-time 60 -o "$T/got.bin" "$url" 2>"$T/curl.err" \
       && cmp -s "$T/got.bin" "$T/up/bytes ü.bin"; then
    ok "curl -fsS URL (no credentials) returns the exact bytes from Swift"
  else not_ok "curl -fsS URL returns the exact bytes from Swift" "$(cat "$T/curl.err")"; fi

  # Swift checks the signature: the same link with another signature is refused.
  local last=${url: -1} other_char=0
  [ "$last" = 0 ] && other_char=1
  fetch tampered "${url%?}$other_char"
  if [ "$(code tampered)" = 403 ] && grep -q SignatureDoesNotMatch "$T/tampered.body"; then
    ok "Swift refuses the link with a changed signature (403 SignatureDoesNotMatch)"
  else not_ok "Swift refuses a changed signature" "HTTP $(code tampered)" \
              "$(cat "$T/tampered.body" "$T/tampered.curl")"; fi

  # An expired link is refused, for its expiry (the signature itself is right).
  run share2s "" share "$key" --expires 2s --service swift
  expect_rc share2s 0 "share --expires 2s: exit 0"
  local url2; url2=$(one_url share2s)
  case "$url2" in
    *X-Amz-Expires=2\&*) ok "share --expires 2s: the URL says 2 seconds" ;;
    *) not_ok "share --expires 2s: the URL says 2 seconds" "stdout: $(out share2s)" ;;
  esac
  if wait_expired "$url2"; then
    fetch expired "$url2"
    if [ "$(code expired)" = 403 ] && grep -q "Request has expired" "$T/expired.body"; then
      ok "Swift refuses the 2 s link once it has expired (403 Request has expired)"
    else not_ok "Swift refuses the expired link" "HTTP $(code expired)" \
                "$(cat "$T/expired.body" "$T/expired.curl")"; fi
  else not_ok "the 2 s link's expiry came within 30 s" "URL: $url2"; fi

  # Swift's copy deleted behind Octopus's back: not in sync there any more.
  tap_aws "$sw_ep" "$sw_ak" "$sw_sk" delete-object --bucket "$b_sw" --key "$key" >/dev/null
  run gone "" share "$key" --service swift
  expect_rc gone 1 "share --service swift of a copy missing there: exit 1"
  if grep -q "swift: the copy of share test/bytes ü.bin is missing, not in sync" \
       "$T/log/gone.err" && [ ! -s "$T/log/gone.out" ]; then
    ok "share --service swift of a missing copy: says so, prints no URL"
  else not_ok "share of a missing copy: says so, prints no URL" "stdout: $(out gone)" \
              "stderr: $(err gone)"; fi
  run fallback "" share "$key"
  expect_rc fallback 0 "share without --service when Swift's copy is missing: exit 0"
  local url3; url3=$(one_url fallback)
  case "$url3" in
    "$s3_ep/$b_s3/"*) ok "share without --service: signed for s3rver, whose copy is in sync" ;;
    *) not_ok "share without --service: signed for s3rver" "stdout: $(out fallback)" ;;
  esac
  if [ -n "$url3" ] && curl -fsS --max-time 60 -o "$T/got3.bin" "$url3" 2>"$T/curl.err" \
       && cmp -s "$T/got3.bin" "$T/up/bytes ü.bin"; then
    ok "curl -fsS of s3rver's link returns the exact bytes"
  else not_ok "curl of s3rver's link returns the exact bytes" "$(cat "$T/curl.err")"; fi

  run unknown "" share "nope.txt"
  expect_rc unknown 1 "share of an unknown key: exit 1"
  if grep -q "No service holds nope.txt" "$T/log/unknown.err" && [ ! -s "$T/log/unknown.out" ]
  then ok "share of an unknown key: says no service holds it"
  else not_ok "share of an unknown key: says no service holds it" "stderr: $(err unknown)"; fi

  run no-service "" share "$other" --service nosuch
  expect_rc no-service 2 "share --service NAME that is no service: usage error"
  if grep -q "no service called “nosuch”" "$T/log/no-service.err"; then
    ok "share --service nosuch: names the unknown service"
  else not_ok "share --service nosuch: names the unknown service" "stderr: $(err no-service)"; fi

  run too-long "" share "$other" --expires 8d
  expect_rc too-long 2 "share --expires 8d: usage error"
  if grep -q "at most 7 days" "$T/log/too-long.err" && [ ! -s "$T/log/too-long.out" ]; then
    ok "share --expires 8d: says a link lasts at most 7 days"
  else not_ok "share --expires 8d: says the limit" "stderr: $(err too-long)"; fi
  run bad-duration "" share "$other" --expires soon
  expect_rc bad-duration 2 "share --expires soon: usage error"
  run no-key "" share
  expect_rc no-key 2 "share without a key: usage error"

  tap_aws "$sw_ep" "$sw_ak" "$sw_sk" delete-object --bucket "$b_sw" --key "$other" >/dev/null
  tap_aws "$sw_ep" "$sw_ak" "$sw_sk" delete-bucket --bucket "$b_sw"
  for k in "$key" "$other"; do
    tap_aws "$s3_ep" "$s3_ak" "$s3_sk" delete-object --bucket "$b_s3" --key "$k" >/dev/null
  done
  tap_aws "$s3_ep" "$s3_ak" "$s3_sk" delete-bucket --bucket "$b_s3"
}

if tap_is_inner "$@"; then
  with_keyring
  exit 0
fi

tap_require_servers
tap_require_tools dbus-run-session gnome-keyring-daemon curl /usr/bin/aws

tap_init octopus-cli-share

tap_run_in_keyring_session 600 "$CLI"

tap_finish
