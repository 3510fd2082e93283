#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# check-flatpak-manifest.sh MANIFEST — test 'flatpak-manifest'.
# flatpak-builder only warns about unknown keys, so any stderr output counts as a failure.
# Then checks the sandbox permissions against the agreed set.
set -uo pipefail
manifest=${1:?usage: check-flatpak-manifest.sh MANIFEST}
command -v flatpak-builder >/dev/null || { echo "flatpak-builder not installed"; exit 77; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# Run in a scratch dir: flatpak-builder may create state in the working directory.
if ! (cd "$tmp" && flatpak-builder --show-manifest "$manifest" >"$tmp/out" 2>"$tmp/err"); then
  echo "flatpak-builder --show-manifest failed:"; cat "$tmp/err"; exit 1
fi
if [ -s "$tmp/err" ]; then
  echo "flatpak-builder --show-manifest printed warnings:"; cat "$tmp/err"; exit 1
fi

/usr/bin/python3 - "$manifest" <<'PY'
import json, sys
m = json.load(open(sys.argv[1]))
want = ["--share=network", "--share=ipc", "--socket=fallback-x11", "--socket=wayland", "--device=dri"]
errors = []
if sorted(m.get("finish-args", [])) != sorted(want):
    errors.append("finish-args are %s, expected exactly %s" % (m.get("finish-args"), want))
if m.get("command") != "octopus":
    errors.append("command is %r, expected 'octopus'" % m.get("command"))
if m.get("id", m.get("app-id")) != "io.github.octopus_rais.Octopus":
    errors.append("id is %r" % m.get("id", m.get("app-id")))
app = m["modules"][-1]
if app.get("buildsystem") != "meson":
    errors.append("app module buildsystem is %r, expected 'meson'" % app.get("buildsystem"))
if {"type": "dir", "path": ".."} not in app.get("sources", []):
    errors.append("app module does not build from the source tree {type: dir, path: ..}")
for e in errors:
    print(e)
sys.exit(1 if errors else 0)
PY
