#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# check-ui-files.sh DIR... — well-formedness of every GtkBuilder .ui file under the DIRs, found at
# run time so new files are covered without touching meson.
# (gtk4-builder-tool validate cannot check libadwaita templates; the UI tests instantiate them.)
set -uo pipefail
[ $# -gt 0 ] || { echo "usage: check-ui-files.sh DIR..." >&2; exit 2; }
count=0
status=0
for dir in "$@"; do
  while IFS= read -r -d '' f; do
    count=$((count + 1))
    xmllint --noout "$f" || status=1
  done < <(find "$dir" -type f -name '*.ui' -print0 2>/dev/null | sort -z)
done
echo "checked $count .ui files under $*"
exit "$status"
