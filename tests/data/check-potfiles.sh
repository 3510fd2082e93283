#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# check-potfiles.sh SRCROOT — test 'potfiles-complete'.
# Fails naming every file under src/ (.c, .h, .ui) that has translatable strings but is not
# listed in po/POTFILES.in (or po/POTFILES.skip), and every POTFILES.in entry that does not
# exist (xgettext would abort on it when the catalogue is regenerated).
# With --update it instead rewrites po/POTFILES.in: comments and non-src/ entries kept, the src/
# entries replaced by the files found, everything sorted.
set -euo pipefail
update=0
if [ "${1:-}" = "--update" ]; then update=1; shift; fi
root=${1:?usage: check-potfiles.sh [--update] SRCROOT}
cd "$root"

listed() { grep -hv -e '^[[:space:]]*#' -e '^[[:space:]]*$' "$@" 2>/dev/null | sed 's/[[:space:]]*$//' || true; }
mapfile -t in_potfiles < <(listed po/POTFILES.in)
mapfile -t skipped < <(listed po/POTFILES.skip)
known=$(printf '%s\n' "${in_potfiles[@]}" "${skipped[@]}")

# \b keeps identifiers that merely end in an underscore (foo_(…)) from matching.
pattern='(\b_\(|\bN_\(|\bC_\(|\bNC_\(|ngettext[[:space:]]*\(|translatable="yes")'
translatable_sources() {
  find src -type f \( -name '*.c' -o -name '*.h' -o -name '*.ui' \) -print0 | sort -z \
    | xargs -0 -r grep -lE "$pattern" || true
}

if [ "$update" -eq 1 ]; then
  {
    grep -e '^[[:space:]]*#' po/POTFILES.in || true
    { printf '%s\n' "${in_potfiles[@]}" | grep -v '^src/' || true
      translatable_sources | grep -vxF -f <(printf '%s\n' "${skipped[@]}" | grep . || echo /dev/null/none)
    } | grep . | LC_ALL=C sort -u
  } > po/POTFILES.in.new
  mv po/POTFILES.in.new po/POTFILES.in
  echo "po/POTFILES.in updated: $(grep -vc -e '^#' po/POTFILES.in) files"
  exit 0
fi

status=0
while IFS= read -r f; do
  if ! grep -qxF "$f" <<<"$known"; then
    echo "missing from po/POTFILES.in: $f"
    status=1
  fi
done < <(translatable_sources)

for f in "${in_potfiles[@]}"; do
  if [ ! -f "$f" ]; then
    echo "listed in po/POTFILES.in but does not exist: $f"
    status=1
  fi
done

if [ "$status" -ne 0 ]; then
  echo "run: tests/data/check-potfiles.sh --update .   (from the source root) to fix the list"
else
  echo "po/POTFILES.in lists all ${#in_potfiles[@]} files with translatable strings"
fi
exit "$status"
