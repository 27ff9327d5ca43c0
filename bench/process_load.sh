#!/usr/bin/env bash
# One process per object, BpfSharp's NativeAOT tool (`bpfsharp object load`) against a libbpf loader
# (bench/native/load-object), over the compatibility-corpus objects that both load (as compare.sh's
# compat_corpus_open_load). Publishes the tool with NativeAOT into bench/aot first (minutes). Needs root.
#
# Usage: sudo bench/process_load.sh [--rounds N] [--json FILE]    (BENCH_COMPAT_CORPUS=libbpf-tools: that corpus only)
set -euo pipefail
# Corpus objects pin maps by name (LIBBPF_PIN_BY_NAME, both loaders): the run gets a bpffs of its own in a
# private mount namespace, so nothing is left in /sys/fs/bpf and nothing there is reused.
if [ -z "${BENCH_PRIVATE_BPFFS:-}" ]; then
  exec unshare --mount --propagation private -- env BENCH_PRIVATE_BPFFS=1 \
    sh -c 'mount -t bpf bpf /sys/fs/bpf && exec "$0" "$@"' "$0" "$@"
fi
cd "$(dirname "$0")/.."

make -s -C bench/native
if [ ! -x bench/aot/BpfSharp.Cli ] || [ -n "$(find src/BpfSharp src/BpfSharp.Cli -name '*.cs' -newer bench/aot/BpfSharp.Cli | head -1)" ]; then
  echo "process_load: publishing the tool with NativeAOT into bench/aot" >&2
  dotnet publish src/BpfSharp.Cli -c Release -r linux-x64 -p:PublishAot=true -p:CppCompilerAndLinker=clang-19 \
    -o bench/aot -nologo -clp:ErrorsOnly -v:q >&2
fi
list="${TMPDIR:-/tmp}/bench-process-$$"
trap 'rm -f "$list" "$list.all"' EXIT
python3 compat/compat.py objects --both-load ${BENCH_COMPAT_CORPUS:+--corpus $BENCH_COMPAT_CORPUS} >"$list.all"
bench/native/bench-native --loadable <"$list.all" >"$list"
python3 bench/process_load.py --bpfsharp bench/aot/BpfSharp.Cli --loader bench/native/load-object --list "$list" "$@"
