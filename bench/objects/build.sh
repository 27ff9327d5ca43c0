#!/usr/bin/env bash
# Rebuilds the benchmark objects (bench/objects/*.bpf.c -> *.bpf.o) with the fixtures' reproducible build:
# clang-19 -g -O2 -target bpf -mcpu=v3, from the source's directory (see scripts/build-fixtures.sh).
set -euo pipefail
cd "$(dirname "$0")/../.."
exec scripts/build-fixtures.sh bench/objects/*.bpf.c
