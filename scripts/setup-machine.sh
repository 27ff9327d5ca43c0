#!/usr/bin/env bash
# Makes a fresh Linux machine ready for BpfSharp: the .NET SDK check, the Debian packages the tests and
# benchmarks use (clang-19 for BPF C, libbpf-dev for the C baseline, bpftool as a witness, libbpf-tools as
# twins for bpfsharp run), and the bpffs / tracefs mounts. Safe to run again: it only does what is missing.
set -euo pipefail

need_root() { [ "$(id -u)" = 0 ] || { echo "setup: $1 needs root" >&2; exit 1; }; }

if ! command -v dotnet >/dev/null 2>&1; then
  echo "setup: the .NET 10 SDK is required (https://dot.net)" >&2
  exit 1
fi

missing=()
command -v clang-19 >/dev/null 2>&1 || missing+=(clang-19)
command -v llvm-objdump-19 >/dev/null 2>&1 || missing+=(llvm-19)
[ -f /usr/include/bpf/libbpf.h ] || missing+=(libbpf-dev)
command -v bpftool >/dev/null 2>&1 || [ -x /usr/sbin/bpftool ] || missing+=(bpftool)
command -v ip >/dev/null 2>&1 || missing+=(iproute2)
# The native programs the USDT tests probe: gcc, g++ and <sys/sdt.h>.
command -v gcc >/dev/null 2>&1 || missing+=(gcc)
command -v g++ >/dev/null 2>&1 || missing+=(g++)
echo '#include <sys/sdt.h>' | cpp >/dev/null 2>&1 || missing+=(systemtap-sdt-dev)
# The tools people already run: LibbpfToolsTwinTests runs each beside bpfsharp run on its embedded object.
[ -x /usr/sbin/execsnoop ] || missing+=(libbpf-tools)
# The file systems the fs tools' twins (xfsdist, btrfsslower...) make on a loop device.
command -v mkfs.xfs >/dev/null 2>&1 || [ -x /usr/sbin/mkfs.xfs ] || missing+=(xfsprogs)
command -v mkfs.btrfs >/dev/null 2>&1 || [ -x /usr/sbin/mkfs.btrfs ] || missing+=(btrfs-progs)
if [ ${#missing[@]} -gt 0 ]; then
  need_root "installing ${missing[*]}"
  echo "setup: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if [ "$(id -u)" = 0 ]; then
  mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf
  mountpoint -q /sys/kernel/tracing || mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null || true
fi

scripts_dir=$(cd "$(dirname "$0")" && pwd -P)
"$scripts_dir/build-native-fixtures.sh"
