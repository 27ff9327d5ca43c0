#!/usr/bin/env bash
# Profiles one workload on both sides with perf (software cpu-clock sampling; works in VMs without a PMU) and
# prints, for each, the share of samples per DSO and the hottest user-mode symbols: what each library spends
# around the system calls. Run bench/compare.sh (or build both harnesses) first.
#
# Usage: sudo bench/profile.sh WORKLOAD [REPEATS]    (REPEATS: runs of the workload in one process, default 20)
set -euo pipefail
cd "$(dirname "$0")/.."
workload=${1:?usage: bench/profile.sh WORKLOAD [REPEATS]}
repeats=${2:-20}
out=$(mktemp -d /tmp/bpfsharp-profile.XXXXXX)
args=$(for _ in $(seq "$repeats"); do printf '%s ' "$workload"; done)

# The JIT's code is named through /tmp/perf-PID.map; W^X double mapping would hide it from perf.
export DOTNET_PerfMapEnabled=1 DOTNET_EnableWriteXorExecute=0
# shellcheck disable=SC2086
perf record -q -F 4999 -o "$out/libbpf.data" -- bench/native/bench-native $args > "$out/libbpf.json"
# shellcheck disable=SC2086
perf record -q -F 4999 -o "$out/bpfsharp.data" -- bench/BpfSharp.Benchmarks/bin/Release/net10.0/BpfSharp.Benchmarks $args > "$out/bpfsharp.json"

for side in libbpf bpfsharp; do
  echo "== $side: $workload x $repeats ($(sed -n 's/.*"value":\([0-9.e+]*\).*"unit":.*/\1/p;s/.*"unit":"\([^"]*\)","value":\([0-9.e+]*\).*/\2 \1/p' "$out/$side.json" | sort -n | awk '{a[NR]=$0} END {print "median " a[int((NR+1)/2)]}'))"
  perf report -i "$out/$side.data" --no-children --sort dso --stdio 2>/dev/null | grep '%' | head -8 || true
  echo "-- hottest user-mode symbols"
  perf report -i "$out/$side.data" --no-children --sort dso,sym --stdio 2>/dev/null | grep '%' | grep -v '\[k\]' | head -10 || true
  # A process with more than one thread takes a reference on the file in every fd lookup (fdget) and drops
  # it after (fput); a single-threaded one skips both. Every .NET process has several threads.
  echo "-- the kernel's fd lookup (fdget, and fput: multi-threaded processes only)"
  perf report -i "$out/$side.data" --no-children --sort sym --stdio 2>/dev/null | grep -E '\[k\] (fdget|fput|__fget[a-z_]*)$' || true
done
rm -rf "$out"
