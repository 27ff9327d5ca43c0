#!/usr/bin/env bash
# Builds the native programs the USDT tests probe (tests/BpfSharp.Tests/Tracing/Fixtures/usdt/) into
# artifacts/native-fixtures/: usdt_app_O0 and usdt_app_O2 (the same probes compiled at -O0 and -O2, so the
# notes carry every argument form gcc emits: stack slots, registers, constants, RIP-relative globals,
# base+index*scale, %fs thread-locals), usdt_app_nopie (-O2, fixed addresses), libusdt_fixture.so (a probe in a shared library) and usdt_throw
# (a C++ program whose throws fire libstdc++'s libstdcxx:throw), usdt_libbpf_specs (libbpf's spec values, a witness),
# usdt_selftest_target_O0/_O2 and usdt_libbpf_values (the kernel selftests' test_usdt programs, attached by libbpf). Needs gcc, g++ and <sys/sdt.h>
# (systemtap-sdt-dev; scripts/setup-machine.sh installs them). Rebuilds only what is older than its sources.
# Usage: scripts/build-native-fixtures.sh
set -euo pipefail
export LC_ALL=C
root=$(cd "$(dirname "$0")/.." && pwd -P)
src="$root/tests/BpfSharp.Tests/Tracing/Fixtures/usdt"
out="$root/artifacts/native-fixtures"
mkdir -p "$out"

for tool in gcc g++; do
  command -v "$tool" >/dev/null 2>&1 || { echo "build-native-fixtures: $tool not found (scripts/setup-machine.sh installs it)" >&2; exit 1; }
done
echo '#include <sys/sdt.h>' | gcc -E - >/dev/null 2>&1 || { echo "build-native-fixtures: <sys/sdt.h> not found (install systemtap-sdt-dev)" >&2; exit 1; }

stale() { local target=$1; shift; [ ! -e "$target" ] || [ -n "$(find "$@" -newer "$target" 2>/dev/null)" ] || [ "$0" -nt "$target" ]; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

if stale "$out/libusdt_fixture.so" "$src/usdt_lib.c"; then
  gcc -O2 -g -fPIC -shared "$src/usdt_lib.c" -o "$tmp/libusdt_fixture.so"
  mv "$tmp/libusdt_fixture.so" "$out/"
  echo "  CC  artifacts/native-fixtures/libusdt_fixture.so"
fi
for opt in O0 O2; do
  if stale "$out/usdt_app_$opt" "$src/usdt_app.c" "$src/usdt_guarded.c" "$out/libusdt_fixture.so"; then
    # A PIE (Debian's default) linked to the library beside it.
    gcc -"$opt" -g -fPIE -pie "$src/usdt_app.c" "$src/usdt_guarded.c" -L"$out" -lusdt_fixture -Wl,-rpath,'$ORIGIN' -o "$tmp/usdt_app_$opt"
    mv "$tmp/usdt_app_$opt" "$out/"
    echo "  CC  artifacts/native-fixtures/usdt_app_$opt"
  fi
done
# A fixed-address (non-PIE) build: its probe addresses are the linked ones in every process.
if stale "$out/usdt_app_nopie" "$src/usdt_app.c" "$src/usdt_guarded.c" "$out/libusdt_fixture.so"; then
  gcc -O2 -g -fno-pie -no-pie "$src/usdt_app.c" "$src/usdt_guarded.c" -L"$out" -lusdt_fixture -Wl,-rpath,'$ORIGIN' -o "$tmp/usdt_app_nopie"
  mv "$tmp/usdt_app_nopie" "$out/"
  echo "  CC  artifacts/native-fixtures/usdt_app_nopie"
fi
# The libbpf witness (libbpf-dev): what libbpf writes into the spec map for the same probe.
if stale "$out/usdt_libbpf_specs" "$src/usdt_libbpf_specs.c"; then
  gcc -O2 -g "$src/usdt_libbpf_specs.c" -lbpf -o "$tmp/usdt_libbpf_specs"
  mv "$tmp/usdt_libbpf_specs" "$out/"
  echo "  CC  artifacts/native-fixtures/usdt_libbpf_specs"
fi
# The kernel selftests' USDT target (test:usdt0/usdt3/usdt12) at -O0 (stack slots, sub-registers) and -O2
# (constants, an indexed operand), and the libbpf loader that records what libbpf's attachment reads from it.
for opt in O0 O2; do
  if stale "$out/usdt_selftest_target_$opt" "$src/usdt_selftest_target.c"; then
    gcc -"$opt" -g -fPIE -pie "$src/usdt_selftest_target.c" -o "$tmp/usdt_selftest_target_$opt"
    mv "$tmp/usdt_selftest_target_$opt" "$out/"
    echo "  CC  artifacts/native-fixtures/usdt_selftest_target_$opt"
  fi
done
if stale "$out/usdt_libbpf_values" "$src/usdt_libbpf_values.c"; then
  gcc -O2 -g "$src/usdt_libbpf_values.c" -lbpf -o "$tmp/usdt_libbpf_values"
  mv "$tmp/usdt_libbpf_values" "$out/"
  echo "  CC  artifacts/native-fixtures/usdt_libbpf_values"
fi
if stale "$out/usdt_throw" "$src/usdt_throw.cpp"; then
  g++ -O2 -g "$src/usdt_throw.cpp" -o "$tmp/usdt_throw"
  mv "$tmp/usdt_throw" "$out/"
  echo "  CXX artifacts/native-fixtures/usdt_throw"
fi
