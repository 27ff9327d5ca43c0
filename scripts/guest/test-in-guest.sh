#!/usr/bin/env bash
# Runs the kernel tests that matter on another kernel inside a Debian 12 guest (6.1, the stock kernel, or
# 6.12, the security archive's): every link test, the tracing (kprobe, uprobe, tracefs) tests, the
# object/CO-RE and BTF tests against the guest's own BTF, the feature probe tests, and the event readers.
# Results: test-results/guest-<series>-results.xml, and the runner's output in guest-<series>-output.log (what a
# suite that ended without results left: the tests running too long, the console's end; CI names them).
# The NUMA twin (numamove) runs in a second, short boot of its own with two NUMA nodes (results in
# guest-<series>-numa-results.xml, its output in guest-<series>-numa-output.log): a suite in a guest with two nodes
# under emulation once panicked (6.12, in __schedule), and one test's need should not risk the whole suite.
# Usage: scripts/guest/test-in-guest.sh [--kernel 6.1|6.12] [--no-build] [--numa] [xunit runner options, e.g. -class "BpfSharp.Tests.Links.*"]
# (--numa: two NUMA nodes for a selection of one's own.)
# The compatibility harness's guest part runs in a boot of its own (see .ci/run): in the tests' boot, what they
# left in the kernel and the harness's probes on the same functions met kernel races that panicked both guests.
# Runner options replace the default selection. Needs root.
set -euo pipefail
cd "$(dirname "$0")/../.."

build=1 series=${BPFSHARP_GUEST_SERIES:-6.1} numa=()
while [ $# -gt 0 ]; do
  case $1 in
    --no-build) build=0; shift ;;
    --numa) numa=(--numa); shift ;;
    --kernel) series=$2; shift 2 ;;
    *) break ;;
  esac
done
export BPFSHARP_GUEST_SERIES=$series
results=test-results/guest-$series-results.xml
exe=tests/BpfSharp.Tests/bin/Release/net10.0/BpfSharp.Tests
if [ $build = 1 ]; then
  dotnet build tests/BpfSharp.Tests -c Release -nologo -clp:ErrorsOnly -v:q
fi
[ -x "$exe" ] || { echo "guest-tests: $exe is not built" >&2; exit 1; }

numa_test=BpfSharp.Tests.Cli.LibbpfToolsKprobeFileTwinTests.Numamove
# Namespaces and classes, not test names: tests added to these folders later are picked up.
filter=(-class 'BpfSharp.Tests.Links.*' -class 'BpfSharp.Tests.Tracing.*'
  -class 'BpfSharp.Tests.Objects.*' -class 'BpfSharp.Tests.Btf.*'
  -class 'BpfSharp.Tests.FeatureProbeTests' -class 'BpfSharp.Tests.Events.*'
  # The libbpf-tools whose programs are kprobes (the host has none): their bpfsharp twins run here, and every
  # tool without a twin says whether it starts on this kernel.
  -class 'BpfSharp.Tests.Cli.LibbpfToolsKprobe*' -class 'BpfSharp.Tests.Cli.LibbpfToolsWithoutTwinTests'
  # Fuzzing and the bad-input reproducers are pure parsing, already done on the host, and time-boxed: under
  # emulation (tens of times slower) their hang budgets would measure the emulator.
  -class- '*FuzzTests' -class- '*BadInputTests' -method- "$numa_test")
numa_boot=1
[ $# -eq 0 ] || { filter=("$@"); numa_boot=0; }

kdir=$(scripts/guest/prepare.sh)
# The CLI tests run the NativeAOT tool: under emulation a JIT start of the tool costs ~9 s, the native one a
# fraction. Built here (a find when it is fresh), before the guest starts.
tool=$(./bpfsharp.sh --build)
# "6.1.0-56-amd64" -> "6.1", "6.12.118+deb12-amd64" -> "6.12": the tests know what that kernel has and fail
# where a probe denies it.
guest=$(cut -d. -f1,2 "$kdir/kernel-version")

mkdir -p test-results
# Before the tests, the modules the networking tests use (veth pairs, clsact, cls_bpf, netfilter's
# defragmentation for BPF_F_NETFILTER_IP_DEFRAG), the file system tools' twins (ext4 on a loop device) and mdflush's
# (md_mod, whose md_flush_request the tool traces, and raid1, its array's personality), since the
# guest kernel cannot load modules on demand (its modprobe path is the initramfs's). The kernel's configuration is in
# /boot already (the guest's init). A test still running after 5 minutes is named in the output, every 5 minutes:
# when a suite ends without results (its time-out), that names the test it was in.
suite() { # suite RESULTS.xml [run-in-guest option]... -- RUNNER-FILTER...
  local results=$1 guest_options=(--timeout "${BPFSHARP_GUEST_TIMEOUT:-1200}")
  shift
  while [ "$1" != -- ]; do guest_options+=("$1"); shift; done
  shift
  rm -f "$results"
  scripts/guest/run-in-guest.sh "${guest_options[@]}" --share test-results \
    --env BPFSHARP_REQUIRE_KERNEL=1 --env "BPFSHARP_GUEST_KERNEL=$guest" --env "BPFSHARP_TOOL=$tool" \
    -- \
    bash -c 'modprobe -a veth sch_ingress cls_bpf act_bpf nf_defrag_ipv4 nf_defrag_ipv6 loop ext4 xfs btrfs md_mod raid1 2>&1 | sed "s/^/guest modprobe: /"
             exec "$@"' guest-tests \
    "$exe" -noColor -longRunning 300 "$@" -result-xml "$results"
}
status=0
suite "$results" "${numa[@]}" -- "${filter[@]}" 2>&1 | tee "test-results/guest-$series-output.log" || status=1
if [ $numa_boot = 1 ]; then
  # One test: a boot and a minute or two under emulation; ten minutes bound a hang.
  suite "test-results/guest-$series-numa-results.xml" --numa --timeout 600 -- -method "$numa_test" 2>&1 |
    tee "test-results/guest-$series-numa-output.log" || status=1
fi
exit $status
