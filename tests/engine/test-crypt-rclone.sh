#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# test-crypt-rclone.sh OCTOPUS_CRYPT_TOOL — the encryption core against the real rclone (issue
# 21), no S3 needed: a `crypt` remote over a local folder, configured through environment
# variables, with and without the second passphrase (the salt), names `standard` and `off`.
#  - Octopus writes: the tool encrypts names and files into a folder; rclone lists the plaintext
#    names, copies every file back byte-identical, and `rclone cryptcheck` finds all matching.
#  - rclone writes: `rclone copy` through the crypt remote; the tool decrypts every name and
#    file byte-identical.
# Deterministic content at the chunk edges (0, 1, 65535, 65536, 65537, 200000 bytes).
#
# TAP on stdout.  Skips ("1..0 # SKIP") without /usr/bin/rclone.
set -uo pipefail
. "$(dirname "$(readlink -f "$0")")/../common/tap.sh"

TOOL=$(readlink -f "${1:?usage: test-crypt-rclone.sh OCTOPUS_CRYPT_TOOL}")
RCLONE=${OCTOPUS_TEST_RCLONE:-/usr/bin/rclone}  # overridable only to try the skip
[ -x "$RCLONE" ] || tap_skip "rclone is not installed ($RCLONE)"
tap_init crypt-rclone

PASS='correct horse battery staple'
SALT=''   # the second passphrase of the current round
NAMES=''  # standard or off

# The source folder: names with directories, a space and non-ASCII letters.
SRC=$T/src
/usr/bin/python3 - "$SRC" <<'PY'
import os, sys
files = {"empty": 0, "one.txt": 1, "a/b/chunk-minus-one.bin": 65535, "a/chunk.dat": 65536,
         "a/chunk plus one": 65537, "Straße/über 200k.bin": 200000}
for seed, (name, size) in enumerate(sorted(files.items())):
    path = os.path.join(sys.argv[1], name)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(bytes(((i * 131) + (i >> 9) + seed * 17) & 0xFF for i in range(size)))
PY
(cd "$SRC" && find . -type f | sed 's|^\./||' | LC_ALL=C sort) > "$T/names"

tool() { # ARGS... : the tool with the current passphrases on its standard input
  printf '%s\n%s\n' "$PASS" "$SALT" | "$TOOL" "$@"
}

# rclone REMOTE_DIR ARGS... : rclone with the crypt remote "octc:" over REMOTE_DIR
rc() {
  local dir=$1; shift
  RCLONE_CONFIG="$T/no-rclone.conf" \
    RCLONE_CONFIG_OCTC_TYPE=crypt RCLONE_CONFIG_OCTC_REMOTE="$dir" \
    RCLONE_CONFIG_OCTC_PASSWORD="$OBSCURED" RCLONE_CONFIG_OCTC_PASSWORD2="$OBSCURED2" \
    RCLONE_CONFIG_OCTC_FILENAME_ENCRYPTION="$NAMES" \
    RCLONE_CONFIG_OCTC_DIRECTORY_NAME_ENCRYPTION=true \
    timeout 120 "$RCLONE" "$@" 2>>"$T/log/rclone.err"
}

# Every stored file begins with RCLONE\0\0, and (names standard) no plaintext name shows.
check_stored() {
  local dir=$1 f bad=''
  while IFS= read -r f; do
    [ "$(head -c 8 "$f" | od -An -c | tr -d ' ')" = 'RCLONE\0\0' ] || bad="$bad $f"
  done < <(find "$dir" -type f)
  [ -z "$bad" ] || { echo "not rclone crypt objects:$bad" >&2; return 1; }
  [ "$NAMES" = off ] && return 0
  if (cd "$dir" && find .) | grep -E -e 'one|chunk|empty|Straße|über|/a$|/b$' >&2; then
    echo "plaintext names in the stored listing" >&2; return 1
  fi
}

octopus_writes() { # DIR : the tool encrypts $SRC into DIR
  local dir=$1 rel enc
  mkdir -p "$dir"
  while IFS= read -r rel; do
    enc=$(tool encrypt-name --names "$NAMES" "$rel") || return 1
    mkdir -p "$(dirname "$dir/$enc")"
    tool encrypt-file "$SRC/$rel" "$dir/$enc" || return 1
  done < "$T/names"
}

octopus_reads() { # DIR OUT : the tool decrypts every name and file of DIR into OUT
  local dir=$1 out=$2 rel plain
  while IFS= read -r rel; do
    plain=$(tool decrypt-name --names "$NAMES" "$rel") || return 1
    mkdir -p "$(dirname "$out/$plain")"
    tool decrypt-file "$dir/$rel" "$out/$plain" || return 1
  done < <(cd "$dir" && find . -type f | sed 's|^\./||')
}

round() { # LABEL
  local label=$1 dir=$T/$1
  OBSCURED=$(printf '%s' "$PASS" | "$RCLONE" obscure - 2>>"$T/log/rclone.err")
  OBSCURED2=''
  [ -z "$SALT" ] || OBSCURED2=$(printf '%s' "$SALT" | "$RCLONE" obscure - 2>>"$T/log/rclone.err")

  check "$label: the tool writes names and files" octopus_writes "$dir/by-octopus"
  check "$label: stored objects begin with RCLONE, names hidden" check_stored "$dir/by-octopus"
  rc "$dir/by-octopus" lsf -R --files-only octc: | LC_ALL=C sort > "$dir/listed"
  check "$label: rclone lists the plaintext names" diff "$T/names" "$dir/listed"
  rc "$dir/by-octopus" copy octc: "$dir/rclone-copy"
  check "$label: rclone copies every file back byte-identical" diff -r "$SRC" "$dir/rclone-copy"
  check "$label: rclone cryptcheck finds every file matching" \
    rc "$dir/by-octopus" cryptcheck "$SRC" octc:

  rc "$dir/by-rclone" copy "$SRC" octc:
  check "$label: rclone's objects begin with RCLONE, names hidden" check_stored "$dir/by-rclone"
  check "$label: the tool decrypts rclone's names and files" \
    octopus_reads "$dir/by-rclone" "$dir/octopus-copy"
  check "$label: byte-identical to the source" diff -r "$SRC" "$dir/octopus-copy"
}

SALT='' NAMES=standard round standard
SALT='pepper and salt' NAMES=standard round standard-salt
SALT='' NAMES=off round off
SALT='pepper and salt' NAMES=off round off-salt

# The refusals of the tool on rclone's objects: wrong passphrase; a cut at a chunk boundary,
# which only the expected size shows.  Nothing written either way.
SALT='' NAMES=standard
big=$(tool encrypt-name "Straße/über 200k.bin")
obj=$T/standard/by-rclone/$big
PASS='wrong' tool decrypt-file "$obj" "$T/wrong.out" 2>"$T/log/wrong.err"
if [ $? = 1 ] && grep -q 'does not authenticate' "$T/log/wrong.err" && [ ! -e "$T/wrong.out" ] \
   && [ ! -e "$T/wrong.out.part" ]; then
  ok "a wrong passphrase fails naming the chunk, and writes nothing"
else
  not_ok "a wrong passphrase fails naming the chunk, and writes nothing" "$(cat "$T/log/wrong.err")"
fi
head -c $((32 + 65552)) "$obj" > "$T/cut.bin"
tool decrypt-file --size 200000 "$T/cut.bin" "$T/cut.out" 2>"$T/log/cut.err"
if [ $? = 1 ] && grep -q 'truncated' "$T/log/cut.err" && [ ! -e "$T/cut.out" ]; then
  ok "a cut at a chunk boundary fails once the size is known, and writes nothing"
else
  not_ok "a cut at a chunk boundary fails once the size is known" "$(cat "$T/log/cut.err")"
fi

tap_finish
