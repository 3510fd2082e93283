#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# check-po.sh [--strict [--srcroot DIR]] PO... — test 'po-de-complete'.
# Always fails on `msgfmt --check` errors (bad format strings, broken headers, syntax).
# With --strict it also fails on fuzzy or untranslated messages. With --srcroot as well, the
# check runs against the CURRENT sources rather than against the committed .po alone: a fresh
# template is extracted from DIR/po/POTFILES.in with xgettext (the same arguments as meson's
# `octopus-pot` target), each .po is merged with it in a scratch directory, and every source
# string without a translation fails the test, listed by name. It also fails when xgettext cut a
# msgid short (a macro such as G_GINT64_FORMAT inside _("…") ends the string there: that msgid
# can never match at run time, so the message stays English whatever the .po says).
set -uo pipefail
strict=0
srcroot=
if [ "${1:-}" = "--strict" ]; then strict=1; shift; fi
if [ "${1:-}" = "--srcroot" ]; then srcroot=${2:?--srcroot needs a directory}; shift 2; fi
[ $# -gt 0 ] || { echo "usage: check-po.sh [--strict [--srcroot DIR]] PO..." >&2; exit 2; }

# Mirrors meson's i18n.gettext(preset: 'glib') (mesonbuild/modules/i18n.py PRESET_ARGS) and the
# arguments mesonbuild/scripts/gettext.py adds. .ui, .desktop.in, .metainfo.xml.in and
# .gschema.xml go through xgettext's own ITS rules and Desktop parser, as with meson.
xgettext_args=(
  --package-name=octopus -k_ --from-code=UTF-8 --add-comments
  --keyword=_ --keyword=N_ --keyword=C_:1c,2 --keyword=NC_:1c,2
  --keyword=g_dcgettext:2 --keyword=g_dngettext:2,3 --keyword=g_dpgettext2:2c,3
  --flag=N_:1:pass-c-format --flag=C_:2:pass-c-format --flag=NC_:2:pass-c-format
  --flag=g_dngettext:2:pass-c-format --flag=g_strdup_printf:1:c-format
  --flag=g_string_printf:2:c-format --flag=g_string_append_printf:2:c-format
  --flag=g_error_new:3:c-format --flag=g_set_error:4:c-format
  --flag=g_markup_printf_escaped:1:c-format --flag=g_log:3:c-format --flag=g_print:1:c-format
  --flag=g_printerr:1:c-format --flag=g_printf:1:c-format --flag=g_fprintf:2:c-format
  --flag=g_sprintf:2:c-format --flag=g_snprintf:3:c-format
)

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
status=0

pot=
if [ "$strict" -eq 1 ] && [ -n "$srcroot" ]; then
  pot=$tmp/octopus.pot
  if ! LC_ALL=C xgettext "${xgettext_args[@]}" -D "$srcroot" -f "$srcroot/po/POTFILES.in" \
       -o "$pot" 2>"$tmp/xgettext.log"; then
    echo "xgettext failed on $srcroot/po/POTFILES.in:"
    cat "$tmp/xgettext.log"
    exit 1
  fi
  # A msgid ending in an unpaired % was cut at a macro; xgettext warns only for some of them.
  cut_short=$(LC_ALL=C msgcat --no-wrap "$pot" | awk '
    /^#: / { where = $0; sub(/^#: /, "", where) }
    /^msgid(_plural)? ".*"$/ { s = $0; sub(/^msgid(_plural)? "/, "", s); sub(/"$/, "", s)
                              gsub(/%%/, "", s); if (s ~ /%$/) print "  " where ": " $0 }')
  if [ -n "$cut_short" ]; then
    echo "msgids cut short at a macro inside _(…): they can never match at run time, so these"
    echo "messages stay English. Write %lld with a (long long) cast, or %zu for a gsize, instead"
    echo "of \"%\" G_GINT64_FORMAT / G_GSIZE_FORMAT inside _(…):"
    echo "$cut_short"
    status=1
  fi
fi

for po in "$@"; do
  name=$(basename "$po")
  # The committed file itself must compile cleanly.
  if ! stats=$(LC_ALL=C msgfmt --check --statistics -o /dev/null "$po" 2>&1); then
    echo "$po: msgfmt --check failed:"
    echo "$stats"
    status=1
    continue
  fi
  checked=$po
  if [ -n "$pot" ]; then
    # --no-fuzzy-matching: a new or changed source string must show up as untranslated, not as
    # a guess from a similar old one. The merged copy takes its c-format flags from the sources.
    checked=$tmp/$name
    if ! LC_ALL=C msgmerge --quiet --no-fuzzy-matching -o "$checked" "$po" "$pot" 2>&1; then
      echo "$po: msgmerge with the current sources failed"
      status=1
      continue
    fi
    if ! stats=$(LC_ALL=C msgfmt --check --statistics -o /dev/null "$checked" 2>&1); then
      echo "$po: msgfmt --check failed after merging the current sources:"
      echo "$stats"
      status=1
      continue
    fi
    echo "$name (merged with the current sources): $stats"
  else
    echo "$name: $stats"
  fi
  if [ "$strict" -eq 1 ] && grep -qE '(fuzzy|untranslated)' <<<"$stats"; then
    echo "$po: has fuzzy or untranslated messages; translate these (or run ninja -C BUILDDIR octopus-update-po first):"
    { LC_ALL=C msgattrib --untranslated --no-obsolete --no-wrap "$checked"
      LC_ALL=C msgattrib --only-fuzzy --no-obsolete --no-wrap "$checked"
    } | grep -E '^(#:|#,.*fuzzy|msgid )' | grep -vx 'msgid ""'
    status=1
  fi
done
exit "$status"
