#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# check-source-style.sh SRCROOT — test 'source-style': what HACKING.md asks of every C source
# and header under src/ and tests/, checked rather than hoped for:
#   - no line longer than 100 columns (characters, not bytes: “…” counts as one);
#   - an SPDX-License-Identifier line in the first three lines;
#   - no .c file in src/ longer than 800 lines.
# Names every offending file and line.
set -uo pipefail
root=${1:?usage: check-source-style.sh SRCROOT}
cd "$root" || exit 2
status=0

mapfile -t files < <(git ls-files 'src/*.c' 'src/*.h' 'tests/*.c' 'tests/*.h' 2>/dev/null ||
                     find src tests -name '*.[ch]')
long=$(LC_ALL=C.UTF-8 awk 'length > 100 { print FILENAME ":" FNR ": " length " columns" }' \
         "${files[@]}")
if [ -n "$long" ]; then
  echo "lines over 100 columns:"; echo "$long"; status=1
fi
for f in "${files[@]}"; do
  head -3 "$f" | grep -q 'SPDX-License-Identifier:' || { echo "$f: no SPDX-License-Identifier line"; status=1; }
done
for f in "${files[@]}"; do
  case $f in src/*.c)
    n=$(wc -l < "$f")
    [ "$n" -le 800 ] || { echo "$f: $n lines (at most 800: split it along its sections)"; status=1; } ;;
  esac
done
[ $status -eq 0 ] && echo "${#files[@]} files: lines ≤ 100 columns, SPDX line, .c files in src/ ≤ 800 lines"
exit $status
