#!/bin/bash
# check-ui-files.sh DIR — well-formedness of every GtkBuilder .ui file under DIR, found at run time.
# (gtk4-builder-tool validate cannot check libadwaita templates; the UI tests instantiate them.)
set -uo pipefail
dir=${1:?usage: check-ui-files.sh DIR}
count=0
status=0
while IFS= read -r -d '' f; do
  count=$((count + 1))
  xmllint --noout "$f" || status=1
done < <(find "$dir" -type f -name '*.ui' -print0 2>/dev/null | sort -z)
echo "checked $count .ui files under $dir"
exit "$status"
