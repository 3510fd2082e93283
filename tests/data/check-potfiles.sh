#!/bin/bash
# check-potfiles.sh SRCROOT — test 'potfiles-complete'.
# Fails naming every file under src/ (.c, .h, .ui) that has translatable strings but is not
# listed in po/POTFILES.in (or po/POTFILES.skip), and every POTFILES.in entry that does not
# exist (xgettext would abort on it when the catalogue is regenerated).
set -euo pipefail
root=${1:?usage: check-potfiles.sh SRCROOT}
cd "$root"

listed() { grep -hv -e '^[[:space:]]*#' -e '^[[:space:]]*$' "$@" 2>/dev/null | sed 's/[[:space:]]*$//' || true; }
mapfile -t in_potfiles < <(listed po/POTFILES.in)
mapfile -t skipped < <(listed po/POTFILES.skip)
known=$(printf '%s\n' "${in_potfiles[@]}" "${skipped[@]}")

status=0
# \b keeps identifiers that merely end in an underscore (foo_(…)) from matching.
pattern='(\b_\(|\bN_\(|\bC_\(|\bNC_\(|ngettext[[:space:]]*\(|translatable="yes")'
while IFS= read -r -d '' f; do
  f=${f#./}
  if grep -qE "$pattern" "$f" && ! grep -qxF "$f" <<<"$known"; then
    echo "missing from po/POTFILES.in: $f"
    status=1
  fi
done < <(find src -type f \( -name '*.c' -o -name '*.h' -o -name '*.ui' \) -print0 | sort -z)

for f in "${in_potfiles[@]}"; do
  if [ ! -f "$f" ]; then
    echo "listed in po/POTFILES.in but does not exist: $f"
    status=1
  fi
done

if [ "$status" -eq 0 ]; then
  echo "po/POTFILES.in lists all ${#in_potfiles[@]} files with translatable strings"
fi
exit "$status"
