# SPDX-License-Identifier: GPL-3.0-or-later
# ui-walk.sh — what the GUI walks share (sourced after tests/common/tap.sh): a throwaway
# profile, the stand-in notification daemon, the app, real pointer and keyboard input.
#
# No window manager: every window sits at (0,0) and keys go to the window under the pointer.
# GTK 4.8 gives AT-SPI extents relative to the window, so a click lands at the window's
# position (xdotool) plus the centre AT-SPI reports for the widget.
# Env from meson: OCTOPUS_APP, DRAG_SOURCE, NOTIFICATION_RECORDER, ATSPI (octopus-atspi.py).

# Under ASan with fast_unwind_on_malloc=0 (the CI setting) every malloc unwinds slowly: GTK
# then answers the AT-SPI registry so late that it never lists the app, and the XDND exchange
# between the GTK processes crawls.  Memory errors are still caught with fast unwinding.
# octopus-cli keeps the slow unwinder: LeakSanitizer's suppressions match by caller, which the
# fast one cannot see through Debian's GLib (no frame pointers), and the CLI exits normally.
CLI_ASAN_OPTIONS=${ASAN_OPTIONS:-}
export ASAN_OPTIONS="${ASAN_OPTIONS:-}${ASAN_OPTIONS:+:}fast_unwind_on_malloc=1"
octopus_cli() { ASAN_OPTIONS=$CLI_ASAN_OPTIONS "$OCTOPUS_CLI" "$@"; }

APP_PID="" SRC_PID="" REC_PID="" MORE_PIDS=""   # MORE_PIDS: a test's own helpers
ui_walk_cleanup() {
  local pid
  for pid in $MORE_PIDS; do kill "$pid" 2>/dev/null || true; done
  [ -n "$SRC_PID" ] && kill "$SRC_PID" 2>/dev/null || true
  [ -n "$REC_PID" ] && kill "$REC_PID" 2>/dev/null || true
  [ -n "$APP_PID" ] && kill "$APP_PID" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$W"
}

# ui_walk_init NAME: $W, a fresh profile (config, cache, state) in it, cleaned up at exit.
ui_walk_init() {
  W=$(mktemp -d "${TMPDIR:-/tmp}/octopus-$1.XXXXXX")
  trap ui_walk_cleanup EXIT
  tap_init "octopus-$1" "$W"
  export XDG_CONFIG_HOME="$W/config" XDG_CACHE_HOME="$W/cache" XDG_STATE_HOME="$W/state"
  mkdir -p "$XDG_CONFIG_HOME" "$XDG_CACHE_HOME" "$XDG_STATE_HOME"
}

atspi() { /usr/bin/python3 "$ATSPI" "$@"; }
fail() {
  not_ok "$*" "app log:"
  sed 's/^/# /' "$W/app.log" | grep -v DEBUG | tail -30
  [ -n "${OCTOPUS_E2E_DUMP:-}" ] && atspi dump > "$OCTOPUS_E2E_DUMP" 2>&1
  exit 1
}
action() {  # action NAME [GVARIANT-PARAMS]: activates a window action over D-Bus
  gdbus call --session --dest io.github.octopus_rais.Octopus \
    --object-path /io/github/octopus_rais/Octopus/window/1 \
    --method org.gtk.Actions.Activate "$1" "${2:-[]}" '{}' >/dev/null
}
# wait_until CMD...: polls CMD until it succeeds (3 minutes at most: ASan on 2 cores is slow).
wait_until() {
  local i
  for ((i = 0; i < 1800; i++)); do "$@" && return 0; sleep 0.1; done
  return 1
}

# start_app: a stand-in notification daemon (a desktop always has one; GIO warns without),
# then the app with GLib warnings fatal, until it prints READY.
start_app() {
  /usr/bin/python3 "$NOTIFICATION_RECORDER" "$W/notifications.log" > "$W/rec.log" 2>&1 &
  REC_PID=$!
  wait_until grep -qs 'RECORDER READY' "$W/rec.log" || fail "the notification recorder did not start"
  G_DEBUG=fatal-warnings G_MESSAGES_DEBUG=octopus "$OCTOPUS_APP" > "$W/app.log" 2>&1 &
  APP_PID=$!
  wait_until grep -qs '^READY$' "$W/app.log" || fail "the app did not print READY"
}

# click NAME [WINDOW] [point-spin]: a real left click on the centre of the widget named NAME
# (with point-spin: the spin button NAME, on its text rather than its buttons).
click() {
  local title=${2:-Octopus} at wx wy
  at=$(atspi "${3:-point}" "$1" "$title") || fail "no “$1” on screen in the window “$title”"
  eval "$(xdotool search --sync --onlyvisible --name "^$title\$" getwindowgeometry --shell | grep -E '^[XY]=')"
  wx=$X wy=$Y
  set -- $at
  xdotool mousemove --sync $((wx + $1)) $((wy + $2)) click 1
}
# scroll_to NAME WINDOW [point-spin]: turns the mouse wheel over WINDOW until the widget NAME
# is inside it (a long Preferences page puts rows below the fold; a click there hits nothing).
scroll_to() {
  local at i wx wy ww wh
  for ((i = 0; i < 30; i++)); do
    at=$(atspi "${3:-point}" "$1" "$2") || fail "no “$1” in the window “$2”"
    eval "$(xdotool search --sync --onlyvisible --name "^$2\$" getwindowgeometry --shell |
            grep -E '^(X|Y|WIDTH|HEIGHT)=')"
    wx=$X wy=$Y ww=$WIDTH wh=$HEIGHT
    set -- "$1" "$2" "${3:-point}" $at
    [ "$5" -gt 40 ] && [ "$5" -lt $((wh - 20)) ] && return 0
    xdotool mousemove $((wx + ww / 2)) $((wy + wh / 2))
    if [ "$5" -ge $((wh - 20)) ]; then xdotool click 5; else xdotool click 4; fi
    sleep 0.1   # let the page move before the next look
  done
  fail "could not scroll “$1” into the window “$2”"
}
# type_into ENTRY TEXT [WINDOW]: click into the entry, replace what it holds with TEXT by keyboard.
type_into() {
  click "$1" "${3:-Preferences}"
  xdotool key ctrl+a BackSpace
  xdotool type --delay 15 -- "$2"
  local got
  got=$(atspi text "$1" "${3:-Preferences}") || fail "cannot read the entry “$1” back"
  # A password entry shows dots, never the secret.
  [ "$got" = "$2" ] || [[ "$1" == Secret* ]] || fail "the entry “$1” holds “$got”, not “$2”"
}

# drop_files FILE...: a real drag from another X client (the drag-source helper) onto the window.
# Moves in steps so GTK sees the 8 px threshold pass and the XDND position messages flow;
# releases only once the app has accepted the drop (the helper prints DRAG ACCEPTED).
drop_files() {
  local wid x i
  "$DRAG_SOURCE" "$@" > "$W/src.log" 2>&1 &
  SRC_PID=$!
  wait_until grep -qs 'SOURCE READY' "$W/src.log" || fail "the drag source did not start"
  wid=$(xdotool search --sync --name '^DragSource$' | head -1)
  xdotool windowmove --sync "$wid" 1040 100           # off the app's window
  xdotool mousemove --sync 1140 175 mousedown 1
  for x in 1130 1110 1070 1000 900 750 600 450 400; do xdotool mousemove "$x" 300; sleep 0.05; done
  for i in $(seq 600); do           # up to a minute: ASan builds answer slowly
    grep -q 'DRAG ACCEPTED' "$W/src.log" && break
    xdotool mousemove 400 $((300 + i % 2)); sleep 0.1   # XDND sends positions on motion only
  done
  grep -q 'DRAG ACCEPTED' "$W/src.log" || fail "the window did not accept the drag"
  xdotool mouseup 1
}
# end_drag: ends the drag source once the drop has been read (the target reads after the drop).
end_drag() {
  kill "$SRC_PID" 2>/dev/null || true; wait "$SRC_PID" 2>/dev/null || true; SRC_PID=""
}
