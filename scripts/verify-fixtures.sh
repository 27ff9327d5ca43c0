#!/usr/bin/env bash
# Loads every BPF fixture with the distribution's libbpf and checks the results documented in
# tests/BpfSharp.Tests/Objects/Fixtures/README.md against the running kernel (needs root). A witness
# for the fixtures' documentation, independent of BpfSharp; leaves nothing loaded or pinned.
# Usage: sudo scripts/verify-fixtures.sh   (VERIFY_VERBOSE=1 for libbpf's log and map names)
set -euo pipefail
[ "$(id -u)" = 0 ] || { echo "verify-fixtures: needs root (it loads BPF programs)" >&2; exit 1; }
root=$(cd "$(dirname "$0")/.." && pwd -P)
fixtures="$root/tests/BpfSharp.Tests/Objects/Fixtures"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
multiarch=$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || echo "$(uname -m)-linux-gnu")
cc -O1 -g -Wall -I"/usr/include/$multiarch" -o "$tmp/verify" "$root/scripts/verify-fixtures.c" -lbpf -lelf -lz
# libbpf 1.1 predates SEC(".struct_ops.link"): register a ".struct_ops" build of the same source.
(cd "$fixtures" && clang-19 -g -O2 -target bpf -mcpu=v3 -I"/usr/include/$multiarch" \
  '-DSTRUCT_OPS_SECTION=".struct_ops"' -c struct_ops.bpf.c -o "$tmp/struct_ops_legacy.bpf.o")
"$tmp/verify" "$fixtures" "$tmp/struct_ops_legacy.bpf.o"
