# SPDX-License-Identifier: GPL-3.0-or-later
# shellcheck shell=bash
# tests/common/tap.sh — sourced by the shell tests: TAP output, the skip rules, and the private
# D-Bus session with an unlocked throwaway gnome-keyring the CLI tests run in.
#
#   . "$(dirname "$(readlink -f "$0")")/../common/tap.sh"
#
# The count of test points lives in a file ($T/count, $T/failed), so a script that re-runs
# itself inside dbus-run-session (tap_run_in_keyring_session) numbers on from the outer run.
# $T is the test's temporary directory: tap_init makes it and exports it as OCTOPUS_TAP_TMP,
# where the inner run finds it again.
#
# Skips: meson (1.0) counts exit 77 of a TAP test as an ERROR, so a test that cannot run
# prints the plan "1..0 # SKIP reason" and exits 0 (tap_skip).

T=${OCTOPUS_TAP_TMP:-}

# ---- test points ----------------------------------------------------------------------------

ok() { # DESCRIPTION
  local n=$(( $(cat "$T/count") + 1 ))
  echo "$n" > "$T/count"
  echo "ok $n - $1"
}
not_ok() { # DESCRIPTION [DIAGNOSTIC LINE...]
  local n=$(( $(cat "$T/count") + 1 ))
  echo "$n" > "$T/count"
  echo "not ok $n - $1"
  echo x >> "$T/failed"
  shift
  local l
  # Every line of a diagnostic behind "# ": an output of several lines must stay valid TAP.
  for l in "$@"; do printf '%s\n' "$l" | sed 's/^/# /'; done
}
check() { # DESCRIPTION COMMAND... : ok when COMMAND succeeds; its stderr is the diagnostic
  local d=$1; shift
  if "$@" 2>"$T/log/check.err"; then ok "$d"; else not_ok "$d" "$(cat "$T/log/check.err")"; fi
}

# run NAME STDIN ARGS... : $CLI with STDIN on its standard input, under `timeout
# $TAP_RUN_TIMEOUT` (120 s); stdout, stderr and exit status in $T/log/NAME.{out,err,rc}.
run() {
  local name=$1 input=$2; shift 2
  printf '%s\n' "$input" | timeout "${TAP_RUN_TIMEOUT:-120}" "${CLI:?}" "$@" \
    >"$T/log/$name.out" 2>"$T/log/$name.err"
  echo $? > "$T/log/$name.rc"
}
rc()  { cat "$T/log/$1.rc"; }
out() { cat "$T/log/$1.out"; }
err() { cat "$T/log/$1.err"; }
expect_rc() { # NAME RC DESCRIPTION : what `run NAME` exited with
  if [ "$(rc "$1")" = "$2" ]; then ok "$3"
  else not_ok "$3" "exit status $(rc "$1"), expected $2" "stdout: $(out "$1")" \
              "stderr: $(err "$1")"; fi
}

# ---- the servers, read behind Octopus's back --------------------------------------------------

# tap_aws ENDPOINT ACCESS SECRET ARGS... : Debian's awscli `s3api ARGS` against one server, the
# credentials only in its own environment; its errors go to $T/log/aws.err.
tap_aws() {
  local endpoint=$1 access=$2 secret=$3; shift 3
  AWS_ACCESS_KEY_ID=$access AWS_SECRET_ACCESS_KEY=$secret AWS_DEFAULT_REGION=us-east-1 \
    AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null \
    timeout 120 /usr/bin/aws --endpoint-url "$endpoint" s3api "$@" 2>>"$T/log/aws.err"
}
# tap_copy_md5 ENDPOINT ACCESS SECRET BUCKET KEY : the MD5 of the copy read back, or "none".
tap_copy_md5() {
  rm -f "$T/dl.bin"
  tap_aws "$1" "$2" "$3" get-object --bucket "$4" --key "$5" "$T/dl.bin" >/dev/null \
    || { echo none; return; }
  md5sum "$T/dl.bin" | cut -d' ' -f1
}

# The harness's secrets must not reach the CLI's environment (the leak checks look for them
# there, and one secret may be the prefix of another): every OCTOPUS_TEST_*SECRET_KEY* variable
# is unset, whichever servers, accounts and users the harness has.  Copy them first.
# tap_kill_hard PID: SIGKILL for PID's children first, then PID.  A command started as
# `timeout N CMD &` has $! = timeout's pid: killing only that would leave CMD running.
tap_kill_hard() {
  pkill -KILL -P "$1" 2>/dev/null
  kill -KILL "$1" 2>/dev/null
}

tap_unset_server_secrets() {
  local v
  for v in $(compgen -v OCTOPUS_TEST_); do
    case $v in *SECRET_KEY*) unset "$v" ;; esac
  done
}

# ---- plan, skips, set-up ----------------------------------------------------------------------

tap_skip() { # REASON : this test cannot run here
  echo "1..0 # SKIP $1"
  exit 0
}
tap_bail() { # REASON : it should have run and cannot: one failed test point
  echo "1..1"
  echo "not ok 1 - $1"
  exit 1
}
# Skips without the real servers in the environment (. DIR/env), or fails when
# OCTOPUS_TEST_REQUIRE_SERVERS is set (CI: a run without servers must not pass silently).
tap_require_servers() {
  if [ -n "${OCTOPUS_TEST_S3RVER_ENDPOINT:-}" ] && [ -n "${OCTOPUS_TEST_SWIFT_ENDPOINT:-}" ]; then
    return 0
  fi
  if [ -n "${OCTOPUS_TEST_REQUIRE_SERVERS:-}" ] && [ "$OCTOPUS_TEST_REQUIRE_SERVERS" != 0 ]; then
    tap_bail "OCTOPUS_TEST_REQUIRE_SERVERS is set but the servers are not in the environment"
  fi
  tap_skip "no test servers (start tests/servers/octopus-test-servers and . DIR/env)"
}
tap_require_display() { # a GUI test: skips without a display and a session bus
  if [ -z "${DISPLAY:-}" ] || [ -z "${DBUS_SESSION_BUS_ADDRESS:-}" ]; then
    tap_skip "no display or session bus (run under tools/run-headless)"
  fi
}
tap_require_tools() { # TOOL... : each must be installed
  local tool
  for tool in "$@"; do
    command -v "$tool" >/dev/null || tap_bail "$tool is not installed"
  done
}
# tap_init PREFIX [DIR]: $T = DIR, or a new temporary directory removed at exit; the counters
# and $T/log in it.  A later `trap … EXIT` of the caller must remove $T itself.
tap_init() {
  if [ -n "${2:-}" ]; then
    T=$2
  else
    T=$(mktemp -d "${TMPDIR:-/tmp}/$1.XXXXXX")
    trap 'rm -rf "$T"' EXIT
  fi
  mkdir -p "$T/log"
  echo 0 > "$T/count"
  : > "$T/failed"
  export OCTOPUS_TAP_TMP=$T
}
# The plan, after the last test point; the exit status says whether all passed.
tap_finish() {
  echo "1..$(cat "$T/count")"
  [ ! -s "$T/failed" ]
}

# ---- the private session with the unlocked keyring --------------------------------------------

# tap_run_in_keyring_session TIMEOUT ARGS... : runs "$0" ARGS... --inner under dbus-run-session
# (a private session bus; the keyring is started inside, see tap_keyring_inner).  The script
# answers --inner as its second argument by calling its own `with_keyring`.
tap_run_in_keyring_session() {
  local seconds=$1; shift
  timeout "$seconds" dbus-run-session -- "$0" "$@" --inner \
    2> >(grep -v -e 'Failed to set fd limit' >&2)
  [ $? -eq 0 ] || not_ok "the keyring session ran to its end"
}
tap_is_inner() { [ "${1:-}" != "" ] && [ "${2:-}" = "--inner" ]; }

# Inside the session: XDG dirs and HOME under $T/k, no display (gnome-keyring could raise
# an unlock prompt), and a throwaway gnome-keyring unlocked with the password "test".
tap_keyring_inner() {
  export XDG_RUNTIME_DIR="$T/k/run" XDG_DATA_HOME="$T/k/data" XDG_CONFIG_HOME="$T/k/config"
  export XDG_CACHE_HOME="$T/k/cache" XDG_STATE_HOME="$T/k/state" HOME="$T/k/home"
  unset DISPLAY WAYLAND_DISPLAY
  mkdir -p -m 700 "$XDG_RUNTIME_DIR" "$XDG_DATA_HOME" "$XDG_CONFIG_HOME" "$XDG_CACHE_HOME" \
    "$XDG_STATE_HOME" "$HOME"
  eval "$(printf test | timeout 10 gnome-keyring-daemon --unlock --components=secrets)"
}
