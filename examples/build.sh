#!/usr/bin/env bash
# Rebuilds the examples' BPF objects (examples/*/*.bpf.c → .bpf.o beside each source) with clang-19
# -g -O2 -target bpf, reproducibly, through the same script as the test fixtures (scripts/build-fixtures.sh),
# so that scripts/check-fixtures.sh can verify the committed objects.
#
# The examples need no vmlinux.h: they declare the few kernel types they read, with preserve_access_index
# where the layout varies between kernels (CO-RE). To write against the whole kernel instead, generate one
# with `bpfsharp btf dump --vmlinux --format c -o vmlinux.h` (or bpftool btf dump file
# /sys/kernel/btf/vmlinux format c) and include it.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd -P)
mapfile -t sources < <(cd "$root" && find examples -name '*.bpf.c' -type f | sort)
exec "$root/scripts/build-fixtures.sh" "${sources[@]}"
