#!/usr/bin/env bash
# CI check: rebuilds every BPF fixture (scripts/build-fixtures.sh) into a temporary directory and fails
# when a committed .bpf.o differs from its fresh build, is missing, or has no source left.
# Usage: scripts/check-fixtures.sh      Fix a failure with: scripts/build-fixtures.sh, then commit.
set -euo pipefail
export LC_ALL=C
root=$(cd "$(dirname "$0")/.." && pwd -P)
cd "$root"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
scripts/build-fixtures.sh --out "$tmp" >/dev/null

status=0
while IFS= read -r src; do
  obj="${src%.c}.o"
  if [ ! -f "$obj" ]; then
    echo "check-fixtures: $obj is missing (run scripts/build-fixtures.sh and commit it)" >&2
    status=1
  elif ! cmp -s "$obj" "$tmp/$obj"; then
    echo "check-fixtures: $obj differs from a fresh build of $src (run scripts/build-fixtures.sh and commit it)" >&2
    status=1
  fi
done < <(cd "$tmp" && find . -name '*.bpf.o' -type f | sed 's|^\./||; s|\.o$|.c|' | sort)

# Objects whose source is gone.
while IFS= read -r obj; do
  [ -f "${obj%.o}.c" ] || { echo "check-fixtures: $obj has no source ${obj%.o}.c" >&2; status=1; }
done < <({ find tests/BpfSharp.Tests/Objects/Fixtures -maxdepth 1 -name '*.bpf.o' -type f
           [ -d examples ] && find examples -name '*.bpf.o' -type f; } | sort)

if [ $status -eq 0 ]; then
  echo "check-fixtures: every BPF fixture object matches its source"
else
  echo "check-fixtures: built with: $("${CLANG:-clang-19}" --version | head -1)" >&2
fi
exit $status
