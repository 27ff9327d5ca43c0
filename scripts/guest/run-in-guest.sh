#!/usr/bin/env bash
# Runs a command as root inside a Debian 12 guest kernel (6.1 or 6.12) under qemu (software emulation) and
# returns its exit code; its output streams to stdout. The guest sees the host's / read-only (writes land in a tmpfs that
# vanishes with the guest), the current directory's path, and read-write the folders given with --share
# (at the same paths). The guest has no network, only loopback.
#
# Usage: run-in-guest.sh [--kernel 6.1|6.12] [--share DIR]... [--env NAME=VALUE]... [--timeout SECONDS] [--cpus N] [--numa] [--] CMD [ARG]...
# The kernel series defaults to $BPFSHARP_GUEST_SERIES, else 6.1. The guest has as many CPUs as the host
# unless --cpus says otherwise, and one NUMA node unless --numa gives it two (below).
# Exit code: the command's; 124 when the timeout struck; 125 when the guest failed before the command ended.
# Needs root (qemu's 9p passthrough of /); the first run prepares the kernel (prepare.sh).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
log() { echo "guest: $*" >&2; }

shares=() envs=() timeout=1800 cpus=$(nproc) numa=0
while [ $# -gt 0 ]; do
  case $1 in
    --share) shares+=("$(cd "$2" && pwd)"); shift 2 ;;
    --env) envs+=("$2"); shift 2 ;;
    --timeout) timeout=$2; shift 2 ;;
    --cpus) cpus=$2; shift 2 ;;
    --numa) numa=1; shift ;;
    --kernel) export BPFSHARP_GUEST_SERIES=$2; shift 2 ;;
    --) shift; break ;;
    -*) log "unknown option $1"; exit 2 ;;
    *) break ;;
  esac
done
[ $# -gt 0 ] || { log "usage: run-in-guest.sh [--kernel SERIES] [--share DIR]... [--env NAME=VALUE]... [--timeout S] CMD..."; exit 2; }
for s in "${shares[@]}"; do
  # Paths travel on the kernel command line, split at spaces and commas.
  [[ $s != *[[:space:],]* ]] || { log "share paths cannot contain spaces or commas: $s"; exit 2; }
done

kdir=$("$here/prepare.sh")
kver=$(cat "$kdir/kernel-version")

ctl=$(mktemp -d /tmp/bpfsharp-guest.XXXXXX)
qemu_pid='' watchdog_pid=''
cleanup() {
  # Every path out (success, failure, timeout, Ctrl-C) stops the guest and removes the control folder.
  [ -z "$watchdog_pid" ] || kill "$watchdog_pid" 2>/dev/null || true
  if [ -n "$qemu_pid" ] && kill -0 "$qemu_pid" 2>/dev/null; then
    kill "$qemu_pid" 2>/dev/null || true
    sleep 1
    kill -9 "$qemu_pid" 2>/dev/null || true
  fi
  rm -rf "$ctl"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# The command script runs in the guest's chroot: the caller's directory, a small clean environment plus
# --env, then the command itself.
{
  echo 'export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8'
  for name in DOTNET_ROOT DOTNET_CLI_TELEMETRY_OPTOUT DOTNET_NOLOGO; do
    [ -z "${!name:-}" ] || printf 'export %s=%q\n' "$name" "${!name}"
  done
  for e in "${envs[@]}"; do printf 'export %q\n' "$e"; done
  printf 'cd %q || exit 125\n' "$PWD"
  printf 'exec'; printf ' %q' "$@"; echo
} >"$ctl/cmd.sh"

args=(-accel tcg,thread=multi -cpu max -smp "$cpus" -m 2G
  -display none -vga none -monitor none -no-reboot -nic none
  -serial "file:$ctl/console.log"
  -device virtio-serial-pci -chardev stdio,id=out,signal=off -device virtconsole,chardev=out
  -kernel "$kdir/vmlinux" -initrd "$kdir/initramfs.cpio.gz"
  -virtfs "local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap"
  -virtfs "local,path=$ctl,mount_tag=ctl,security_model=none,multidevs=remap")
i=0
for s in "${shares[@]}"; do
  args+=(-virtfs "local,path=$s,mount_tag=rw$i,security_model=none,multidevs=remap")
  i=$((i + 1))
done
rw=$(IFS=,; echo "${shares[*]}")
# panic=-1 with -no-reboot ends qemu if init dies.
append="console=ttyS0 quiet panic=-1 mitigations=off bpfsharp.ctl=$ctl bpfsharp.modules=$(cat "$kdir/modules-dir")"
if [ $numa = 1 ]; then
  # Two NUMA nodes of 1G each, every CPU on node 0 and node 1 memory only: a page placed on node 1 is misplaced for
  # every task, which NUMA balancing's tests (numamove) need. NUMA balancing itself stays off (numa_balancing=disable)
  # so that no other test meets its hinting faults; a test that wants it turns kernel.numa_balancing on and back.
  args+=(-object memory-backend-ram,id=node0-ram,size=1G -object memory-backend-ram,id=node1-ram,size=1G
    -numa "node,nodeid=0,cpus=0-$((cpus - 1)),memdev=node0-ram" -numa node,nodeid=1,memdev=node1-ram)
  append+=" numa_balancing=disable"
fi
[ -z "$rw" ] || append+=" bpfsharp.rw=$rw"
args+=(-append "$append")

log "booting $kver (timeout ${timeout}s): $*"
start=$SECONDS
# The guest's tty turns \n into \r\n; strip the \r. qemu's "TCG doesn't support requested feature"
# warnings for -cpu max are noise.
qemu-system-x86_64 "${args[@]}" </dev/null \
  > >(sed -u 's/\r$//') 2> >(grep -v "TCG doesn't support requested feature" >&2) &
qemu_pid=$!
# The watchdog marks the timeout before stopping qemu, so the exit code can tell a timeout apart.
# Stopping it early (TERM) also stops its sleep, so nothing is left behind.
(
  trap 'kill "$nap" 2>/dev/null; exit 0' TERM
  sleep "$timeout" & nap=$!; wait "$nap"
  touch "$ctl/timed-out"; kill "$qemu_pid"
  sleep 10 & nap=$!; wait "$nap"
  kill -9 "$qemu_pid"
) 2>/dev/null &
watchdog_pid=$!
set +e
wait "$qemu_pid"
qemu_status=$?
set -e
kill "$watchdog_pid" 2>/dev/null || true
qemu_pid='' watchdog_pid=''
log "guest ended after $((SECONDS - start))s"
if [ -f "$ctl/timed-out" ]; then
  log "timed out after ${timeout}s; the end of its console:"
  tail -n 20 "$ctl/console.log" >&2 || true
  exit 124
fi
if [ -f "$ctl/rc" ]; then
  exit "$(cat "$ctl/rc")"
fi
log "the guest stopped before the command finished (qemu exit $qemu_status); its console:"
tail -n 40 "$ctl/console.log" >&2 || true
exit 125
