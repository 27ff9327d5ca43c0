#!/usr/bin/env bash
# Compiles the BPF C fixtures (tests/BpfSharp.Tests/Objects/Fixtures/*.bpf.c and examples/**/*.bpf.c)
# into the .bpf.o beside each source, reproducibly: the same clang gives byte-identical objects on every
# run and in every checkout directory (each file is compiled from its own directory under a relative
# name, the directory is mapped to "." in the debug info, and nothing records a time or a path).
#
# Usage: scripts/build-fixtures.sh [--out DIR] [SOURCE.bpf.c...]
#   --out DIR   write the objects under DIR (mirroring the repository layout) instead of beside the sources
#   SOURCE...   build only these sources (paths relative to the repository root or absolute)
# Environment: CLANG (default clang-19).
set -euo pipefail
export LC_ALL=C

root=$(cd "$(dirname "$0")/.." && pwd -P)
cd "$root"

out=""
sources=()
while [ $# -gt 0 ]; do
  case "$1" in
    --out) out=$(mkdir -p "$2" && cd "$2" && pwd -P); shift 2 ;;
    -h|--help) sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "build-fixtures: unknown option $1" >&2; exit 2 ;;
    *) src=$(realpath -m --relative-to="$root" "$1"); sources+=("$src"); shift ;;
  esac
done

if [ ${#sources[@]} -eq 0 ]; then
  mapfile -t sources < <(
    { find tests/BpfSharp.Tests/Objects/Fixtures tests/BpfSharp.Tests/Objects/Fixtures/linker tests/BpfSharp.Tests/Skeleton/Fixtures -maxdepth 1 -name '*.bpf.c' -type f
      [ -d examples ] && find examples -name '*.bpf.c' -type f; } | sed 's|^\./||' | sort)
fi
if [ ${#sources[@]} -eq 0 ]; then
  echo "build-fixtures: no *.bpf.c sources found" >&2
  exit 1
fi

clang=${CLANG:-clang-19}
command -v "$clang" >/dev/null 2>&1 || { echo "build-fixtures: $clang not found (scripts/setup-machine.sh installs it)" >&2; exit 1; }

# <linux/bpf.h> includes <asm/types.h>, which Debian/Ubuntu keep in the multiarch directory.
includes=()
if [ ! -e /usr/include/asm/types.h ]; then
  multiarch=$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || echo "$(uname -m)-linux-gnu")
  if [ -e "/usr/include/$multiarch/asm/types.h" ]; then
    includes+=("-I/usr/include/$multiarch")
  else
    echo "build-fixtures: <asm/types.h> not found (install linux-libc-dev)" >&2
    exit 1
  fi
fi
[ -e /usr/include/bpf/bpf_helpers.h ] || { echo "build-fixtures: <bpf/bpf_helpers.h> not found (install libbpf-dev)" >&2; exit 1; }

flags=(-g -O2 -target bpf -mcpu=v3 -Wall "${includes[@]}")

for src in "${sources[@]}"; do
  [ -f "$src" ] || { echo "build-fixtures: $src: no such file" >&2; exit 1; }
  dir=$(dirname "$src")
  name=$(basename "$src" .c)
  if [ -n "$out" ]; then
    mkdir -p "$out/$dir"
    obj="$out/$dir/$name.o"
  else
    obj="$root/$dir/$name.o"
  fi
  # Compile from the source's own directory under its bare name: the debug info and BTF line info then
  # name "maps.bpf.c" and the compilation directory ".", whatever the checkout path.
  srcdir="$root/$dir"
  (cd "$srcdir" && "$clang" "${flags[@]}" -ffile-prefix-map="$srcdir"=. -fdebug-prefix-map="$srcdir"=. \
      -c "$name.c" -o "$obj")
  echo "  CC  $dir/$name.o"
done
