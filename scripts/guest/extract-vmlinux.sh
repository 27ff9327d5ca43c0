#!/usr/bin/env bash
# Writes the uncompressed ELF kernel hidden in a bzImage: booting it saves the guest from decompressing
# itself under software emulation (seconds per boot). Finds each compression format's magic bytes in the
# image, decompresses from there and keeps the first result that is an ELF file.
# Usage: extract-vmlinux.sh BZIMAGE OUTPUT
set -euo pipefail
image=$1 out=$2
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT

try() { # try MAGIC(as grep -P bytes) DECOMPRESSOR...
  local magic=$1; shift
  local offset
  for offset in $(LC_ALL=C grep -aboP "$magic" "$image" | cut -d: -f1); do
    # The payload is followed by other data: decompressors complain about trailing garbage, so only the
    # ELF header of the output counts, not the exit status.
    tail -c +"$((offset + 1))" "$image" | "$@" >"$tmp" 2>/dev/null || true
    if [ "$(head -c 4 "$tmp" | od -An -tx1 | tr -d ' \n')" = 7f454c46 ]; then
      mv "$tmp" "$out"
      return 0
    fi
  done
  return 1
}

try '\xfd\x37\x7a\x58\x5a\x00' xz -dc ||
  try '\x1f\x8b\x08' gzip -dc ||
  try '\x28\xb5\x2f\xfd' zstd -dc ||
  try '\x5d\x00\x00\x00' xz -F lzma -dc ||
  try 'BZh' bzip2 -dc ||
  { echo "extract-vmlinux: no compressed ELF kernel found in $image" >&2; exit 1; }
