#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# test-cli-settings.sh OCTOPUS_CLI — `octopus-cli redundancy …` and `octopus-cli encryption …`
# against a real gnome-keyring on a private D-Bus session: three services on the real test
# servers, erasure K M checked against their number, the passphrases in the keyring and in no
# file under the config, state or cache directories, the JSON of both `show`s.
#
# TAP on stdout.  Skips ("1..0 # SKIP") without servers unless OCTOPUS_TEST_REQUIRE_SERVERS is set.
set -uo pipefail
. "$(dirname "$(readlink -f "$0")")/../common/tap.sh"
TAP_RUN_TIMEOUT=60
unset DISPLAY WAYLAND_DISPLAY

CLI=$(readlink -f "${1:?usage: test-cli-settings.sh OCTOPUS_CLI}")
PY=/usr/bin/python3
SCHEMA=io.github.octopus_rais.Octopus.Account

# json_check NAME DESCRIPTION PYTHON-EXPRESSION (over `doc`, the parsed stdout of NAME)
json_check() {
  if $PY - "$T/log/$1.out" "$3" <<'PYEOF' 2>"$T/log/py.err"
import json, sys
doc = json.load(open(sys.argv[1]))
sys.exit(0 if eval(sys.argv[2]) else 1)
PYEOF
  then ok "$2"; else not_ok "$2" "$(cat "$T/log/py.err")" "stdout: $(cat "$T/log/$1.out")"; fi
}

keyring_lookup() { # KIND → the array's passphrase item of that kind ("passphrase" or "salt")
  timeout 10 secret-tool lookup xdg:schema "$SCHEMA" array-crypt "$1" 2>/dev/null
}

# No file the CLI wrote (config, state, cache) nor its output holds @1.
nowhere_but_keyring() { # SECRET DESCRIPTION
  if grep -rqF -- "$1" "$XDG_CONFIG_HOME" "$XDG_STATE_HOME" "$XDG_CACHE_HOME" "$T/log"/*.out \
       "$T/log"/*.err 2>/dev/null; then
    not_ok "$2" "$(grep -rlF -- "$1" "$XDG_CONFIG_HOME" "$XDG_STATE_HOME" "$XDG_CACHE_HOME" \
                     "$T/log" 2>/dev/null)"
  else ok "$2"; fi
}

add_services() {
  local s3_ep=$OCTOPUS_TEST_S3RVER_ENDPOINT s3_ak=$OCTOPUS_TEST_S3RVER_ACCESS_KEY
  local sw_ep=$OCTOPUS_TEST_SWIFT_ENDPOINT sw_ak=$OCTOPUS_TEST_SWIFT_ACCESS_KEY
  run add-s3 "$S3_SK" account add s3 --endpoint "$s3_ep" --access-key "$s3_ak" \
      --bucket "$B0" --path-style --allow-http
  expect_rc add-s3 0 "account add s3 (s3rver)"
  run add-a "$SW_SK" account add swift-a --provider swift --endpoint "$sw_ep" \
      --access-key "$sw_ak" --bucket "$B1" --allow-http
  expect_rc add-a 0 "account add swift-a"
  run add-b "$SW_SK" account add swift-b --provider swift --endpoint "$sw_ep" \
      --access-key "$sw_ak" --bucket "$B2" --allow-http
  expect_rc add-b 0 "account add swift-b"
}

test_redundancy() {
  local ini="$XDG_CONFIG_HOME/octopus/accounts.ini"

  run red-show0 "" redundancy show --json
  expect_rc red-show0 0 "redundancy show --json: exit 0"
  json_check red-show0 "by default: mirror on the 3 services, 3 copies stored" \
    'doc == {"redundancy": "mirror", "k": None, "m": None, "services": 3, "stored_factor": 3.0, "fits": True}'

  run red-22 "" redundancy set erasure 2 2
  expect_rc red-22 2 "redundancy set erasure 2 2 with 3 services: usage error (exit 2)"
  check "… and says K+M must be the number of services" \
    grep -q 'must be the number of services' "$T/log/red-22.err"
  run red-03 "" redundancy set erasure 0 3
  expect_rc red-03 2 "redundancy set erasure 0 3: exit 2 (K ≥ 1)"
  run red-x "" redundancy set erasure two 1
  expect_rc red-x 2 "redundancy set erasure two 1: exit 2 (not a number)"
  run red-short "" redundancy set erasure 2
  expect_rc red-short 2 "redundancy set erasure 2 (no M): exit 2"
  check "refused choices wrote nothing to accounts.ini" bash -c "! grep -q '^redundancy' '$ini'"

  run red-21 "" redundancy set erasure 2 1
  expect_rc red-21 0 "redundancy set erasure 2 1: exit 0"
  check "… says it applies to new uploads" grep -q 'new uploads' "$T/log/red-21.out"
  check "accounts.ini holds redundancy=erasure, erasure-k=2, erasure-m=1" \
    $PY -c 'import configparser,sys; c=configparser.ConfigParser(interpolation=None); c.read(sys.argv[1]); a=c["Array"]; sys.exit(0 if (a["redundancy"],a["erasure-k"],a["erasure-m"])==("erasure","2","1") else 1)' "$ini"
  run red-show1 "" redundancy show --json
  json_check red-show1 "show --json: erasure 2+1 of 3 services, stores 1.5×" \
    'doc == {"redundancy": "erasure", "k": 2, "m": 1, "services": 3, "stored_factor": 1.5, "fits": True}'
  run red-text "" redundancy show
  check "show (text): survives the loss of 1 of 3 services, stores 1.50×" \
    grep -q 'erasure 2+1: survives the loss of 1 of 3 services, stores 1.50×' "$T/log/red-text.out"
  run list "" account list
  if [ "$(wc -l < "$T/log/list.out")" = 3 ]; then ok "the three accounts are intact"
  else not_ok "the three accounts are intact" "$(out list)"; fi

  run red-mirror "" redundancy set mirror
  expect_rc red-mirror 0 "redundancy set mirror: exit 0"
  run red-show2 "" redundancy show --json
  json_check red-show2 "show --json: mirror again, K and M gone" \
    'doc["redundancy"] == "mirror" and doc["k"] is None and doc["m"] is None'
  check "erasure-k left accounts.ini" bash -c "! grep -q erasure-k '$ini'"
}

test_encryption() {
  local pass="pp-$RANDOM$RANDOM-first" salt="pp-$RANDOM$RANDOM-second"
  local other="pp-$RANDOM$RANDOM-other"

  run enc-show0 "" encryption show --json
  expect_rc enc-show0 0 "encryption show --json: exit 0"
  json_check enc-show0 "by default: off, nothing in the keyring" \
    'doc == {"encryption": "off", "filename_encryption": None, "passphrase_in_keyring": False, "salt_in_keyring": False}'

  run enc-empty "" encryption enable
  expect_rc enc-empty 2 "encryption enable with an empty passphrase: exit 2"
  check "… nothing went into the keyring" bash -c '! keyring_lookup passphrase'
  run enc-badnames "$pass" encryption enable --filenames obfuscate
  expect_rc enc-badnames 2 "encryption enable --filenames obfuscate: exit 2"

  run enc-on "$pass"$'\n'"$salt" encryption enable
  expect_rc enc-on 0 "encryption enable (passphrase and second passphrase on stdin): exit 0"
  check "… warns that a lost passphrase cannot be recovered" \
    grep -q 'cannot be recovered by anyone' "$T/log/enc-on.err"
  check "the keyring holds the passphrase" test "$(keyring_lookup passphrase)" = "$pass"
  check "the keyring holds the second passphrase" test "$(keyring_lookup salt)" = "$salt"
  run enc-show1 "" encryption show --json
  json_check enc-show1 "show --json: rclone-crypt, file names standard, both in the keyring" \
    'doc == {"encryption": "rclone-crypt", "filename_encryption": "standard", "passphrase_in_keyring": True, "salt_in_keyring": True}'
  run enc-text "" encryption show
  check "show (text): says the passphrase is in the keyring" \
    grep -q 'passphrase: in the keyring' "$T/log/enc-text.out"
  nowhere_but_keyring "$pass" "the passphrase is in no file under config/state/cache, nor in any output"
  nowhere_but_keyring "$salt" "the second passphrase is in no file under config/state/cache, nor in any output"

  run enc-other "$other" encryption enable
  expect_rc enc-other 1 "enable with another passphrase: refused (exit 1)"
  check "… says objects encrypted with the old one could no longer be read" \
    grep -q 'could no longer be read' "$T/log/enc-other.err"
  check "… and the keyring keeps the old passphrase" test "$(keyring_lookup passphrase)" = "$pass"

  run enc-same "$pass"$'\n'"$salt" encryption enable --filenames off
  expect_rc enc-same 0 "enable again with the same passphrases and --filenames off: exit 0"
  run enc-show2 "" encryption show --json
  json_check enc-show2 "show --json: file names off" 'doc["filename_encryption"] == "off"'

  run enc-replace "$other" encryption enable --replace-passphrase
  expect_rc enc-replace 0 "enable --replace-passphrase: exit 0"
  check "the keyring holds the new passphrase" test "$(keyring_lookup passphrase)" = "$other"
  check "no second passphrase any more (none given)" bash -c '! keyring_lookup salt'
  nowhere_but_keyring "$other" "the new passphrase is in no file under config/state/cache"

  run enc-off "" encryption disable
  expect_rc enc-off 0 "encryption disable: exit 0"
  check "… says the passphrase stays in the keyring for existing objects" \
    grep -q 'stays in the keyring' "$T/log/enc-off.out"
  run enc-show3 "" encryption show --json
  json_check enc-show3 "show --json: off, the passphrase still in the keyring" \
    'doc == {"encryption": "off", "filename_encryption": None, "passphrase_in_keyring": True, "salt_in_keyring": False}'
  check "the keyring still holds the passphrase" test "$(keyring_lookup passphrase)" = "$other"
}

with_keyring() {
  tap_keyring_inner
  S3_SK=$OCTOPUS_TEST_S3RVER_SECRET_KEY SW_SK=$OCTOPUS_TEST_SWIFT_SECRET_KEY
  tap_unset_server_secrets
  local tag="cli-settings-$$"
  B0="$tag-s3" B1="$tag-a" B2="$tag-b"
  export -f keyring_lookup
  export SCHEMA

  add_services
  test_redundancy
  test_encryption

  tap_aws "$OCTOPUS_TEST_SWIFT_ENDPOINT" "$OCTOPUS_TEST_SWIFT_ACCESS_KEY" "$SW_SK" \
    delete-bucket --bucket "$B1" >/dev/null
  tap_aws "$OCTOPUS_TEST_SWIFT_ENDPOINT" "$OCTOPUS_TEST_SWIFT_ACCESS_KEY" "$SW_SK" \
    delete-bucket --bucket "$B2" >/dev/null
  tap_aws "$OCTOPUS_TEST_S3RVER_ENDPOINT" "$OCTOPUS_TEST_S3RVER_ACCESS_KEY" "$S3_SK" \
    delete-bucket --bucket "$B0" >/dev/null
}

if tap_is_inner "$@"; then
  with_keyring
  exit 0
fi

tap_require_servers
tap_require_tools dbus-run-session gnome-keyring-daemon secret-tool /usr/bin/aws

tap_init octopus-cli-settings

tap_run_in_keyring_session 300 "$CLI"

tap_finish
