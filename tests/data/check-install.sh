#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# check-install.sh MESON BUILDDIR — test 'install-data'.
# Installs the build into a scratch DESTDIR and checks that the desktop integration files and
# the German catalogue land where desktops and AppStream look for them.
set -uo pipefail
meson=${1:?usage: check-install.sh MESON BUILDDIR}
builddir=${2:?usage: check-install.sh MESON BUILDDIR}
app_id=io.github.octopus_rais.Octopus

dest=$(mktemp -d)
trap 'rm -rf "$dest"' EXIT
# No --no-rebuild: `meson test --suite data` builds only what the data tests use, but install
# needs every target. The test is not parallel, so this ninja run races with nothing.
if ! out=$("$meson" install -C "$builddir" --destdir "$dest" 2>&1); then
  echo "meson install failed:"; echo "$out"; exit 1
fi

prefix=$("$meson" introspect "$builddir" --buildoptions | /usr/bin/python3 -c \
  'import json,sys; print(next(o["value"] for o in json.load(sys.stdin) if o["name"] == "prefix"))')
datadir=$("$meson" introspect "$builddir" --buildoptions | /usr/bin/python3 -c \
  'import json,sys; print(next(o["value"] for o in json.load(sys.stdin) if o["name"] == "datadir"))')
case $datadir in /*) share=$dest$datadir ;; *) share=$dest$prefix/$datadir ;; esac
bindir=$("$meson" introspect "$builddir" --buildoptions | /usr/bin/python3 -c \
  'import json,sys; print(next(o["value"] for o in json.load(sys.stdin) if o["name"] == "bindir"))')
case $bindir in /*) bin=$dest$bindir ;; *) bin=$dest$prefix/$bindir ;; esac

status=0
for f in octopus octopus-cli; do
  if [ -x "$bin/$f" ]; then echo "ok: bin/$f"; else echo "MISSING: $bin/$f"; status=1; fi
done
for f in \
  "applications/$app_id.desktop" \
  "metainfo/$app_id.metainfo.xml" \
  "icons/hicolor/scalable/apps/$app_id.svg" \
  "icons/hicolor/symbolic/apps/$app_id-symbolic.svg" \
  "glib-2.0/schemas/$app_id.gschema.xml" \
  "locale/de/LC_MESSAGES/octopus.mo"
do
  if [ -s "$share/$f" ]; then echo "ok: $f"; else echo "MISSING: $share/$f"; status=1; fi
done

# The installed desktop entry and metainfo must carry the German strings from po/de.po.
grep -q '^Comment\[de\]=' "$share/applications/$app_id.desktop" 2>/dev/null \
  || { echo "installed desktop file has no German Comment"; status=1; }
grep -q 'xml:lang="de"' "$share/metainfo/$app_id.metainfo.xml" 2>/dev/null \
  || { echo "installed metainfo has no German strings"; status=1; }
exit "$status"
