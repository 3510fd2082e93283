#!/bin/bash
# check-po.sh [--strict] PO... — test 'po-de-complete'.
# Always fails on `msgfmt --check` errors (bad format strings, broken headers, syntax).
# With --strict it also fails on fuzzy or untranslated messages.
set -uo pipefail
strict=0
if [ "${1:-}" = "--strict" ]; then strict=1; shift; fi
[ $# -gt 0 ] || { echo "usage: check-po.sh [--strict] PO..." >&2; exit 2; }

status=0
for po in "$@"; do
  # msgfmt prints its statistics on stderr, e.g. "30 translated messages, 1 fuzzy translation, 1 untranslated message."
  if ! stats=$(LC_ALL=C msgfmt --check --statistics -o /dev/null "$po" 2>&1); then
    echo "$po: msgfmt --check failed:"
    echo "$stats"
    status=1
    continue
  fi
  echo "$(basename "$po"): $stats"
  if [ "$strict" -eq 1 ] && grep -qE '(fuzzy|untranslated)' <<<"$stats"; then
    echo "$po: has fuzzy or untranslated messages"
    status=1
  fi
done
exit "$status"
