#!/usr/bin/env bash
# Builds the libbpf and BpfSharp benchmark harnesses, runs every workload on both, alternating, for several
# rounds, and prints one table (docs/PERFORMANCE.md explains it). Needs root (or CAP_BPF + CAP_PERFMON).
#
# Usage: sudo bench/compare.sh [--rounds N] [--json FILE] [WORKLOAD...]
# Environment: BENCH_TRACEPOINT_LINKS (default 50 here: each perf tracepoint detach waits for an RCU
# tasks-trace grace period, ~35 ms), BENCH_RAW_TP_LINKS (default 1000).
set -euo pipefail
# Corpus objects pin maps by name (LIBBPF_PIN_BY_NAME, both loaders): the run gets a bpffs of its own in a
# private mount namespace, so nothing is left in /sys/fs/bpf and nothing there is reused.
if [ -z "${BENCH_PRIVATE_BPFFS:-}" ]; then
  exec unshare --mount --propagation private -- env BENCH_PRIVATE_BPFFS=1 \
    sh -c 'mount -t bpf bpf /sys/fs/bpf && exec "$0" "$@"' "$0" "$@"
fi
cd "$(dirname "$0")/.."

export BENCH_TRACEPOINT_LINKS=${BENCH_TRACEPOINT_LINKS:-50}
export BENCH_RAW_TP_LINKS=${BENCH_RAW_TP_LINKS:-1000}

echo "compare: building bench/native (libbpf) and bench/BpfSharp.Benchmarks (Release)" >&2
make -s -C bench/native
dotnet build bench/BpfSharp.Benchmarks -c Release -nologo -clp:ErrorsOnly -v:q >&2
# cli_prog_list: the native bpfsharp (built by bpfsharp.sh when its sources changed) beside bpftool.
bpfsharp_native=$(./bpfsharp.sh --build)
# cli_dotnet_floor: a NativeAOT executable that does nothing (bench/StartupFloor), the floor under cli_prog_list.
dotnet publish bench/StartupFloor -c Release -r linux-x64 -p:CppCompilerAndLinker=clang-19 -o bench/StartupFloor/bin/publish \
  -nologo -clp:ErrorsOnly -v:q >&2

# compat_corpus_open_load: every object of the compatibility corpora (compat/compat.py) that both sides loaded
# whole in its last run on this machine (test-results/compat/) and that the distribution's libbpf, which this
# harness links, also loads. BENCH_COMPAT_CORPUS=libbpf-tools limits it to that corpus (seconds, not minutes).
if python3 compat/compat.py objects --both-load ${BENCH_COMPAT_CORPUS:+--corpus $BENCH_COMPAT_CORPUS} \
    >"${TMPDIR:-/tmp}/bench-compat-$$.all" 2>/dev/null && [ -s "${TMPDIR:-/tmp}/bench-compat-$$.all" ]; then
  export BENCH_COMPAT_OBJECTS="${TMPDIR:-/tmp}/bench-compat-$$"
  bench/native/bench-native --loadable <"$BENCH_COMPAT_OBJECTS.all" >"$BENCH_COMPAT_OBJECTS"
  trap 'rm -f "$BENCH_COMPAT_OBJECTS" "$BENCH_COMPAT_OBJECTS.all"' EXIT
else
  rm -f "${TMPDIR:-/tmp}/bench-compat-$$.all"
  echo "compare: no compatibility results (sudo compat/check.sh first): compat_corpus_open_load left out" >&2
fi

python3 bench/compare.py \
  --native bench/native/bench-native \
  --dotnet bench/BpfSharp.Benchmarks/bin/Release/net10.0/BpfSharp.Benchmarks \
  --objects bench/objects --bpfsharp "$bpfsharp_native" --loader bench/native/load-object "$@"
