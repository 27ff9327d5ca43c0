#!/usr/bin/env bash
# Prepares a Debian 12 guest kernel for run-in-guest.sh, once per kernel version: the kernel package
# (downloaded, extracted, never installed), its modules index, the uncompressed vmlinux and a busybox
# initramfs. Everything lives in $BPFSHARP_GUEST_CACHE (default /var/cache/bpfsharp-guest), outside the
# repository. Prints the folder of the prepared kernel on stdout.
# The kernel series comes from $BPFSHARP_GUEST_SERIES: 6.1 (default: bookworm's stock kernel, what
# linux-image-amd64 points to) or 6.12 (bookworm's security archive: the newest linux-image-6.12.*+deb12-amd64).
set -euo pipefail
series=${BPFSHARP_GUEST_SERIES:-6.1}
here=$(cd "$(dirname "$0")" && pwd)
cache=${BPFSHARP_GUEST_CACHE:-/var/cache/bpfsharp-guest}
log() { echo "guest-prepare: $*" >&2; }

[ "$(id -u)" = 0 ] || { log "needs root (apt, qemu's 9p passthrough)"; exit 1; }

missing=()
command -v qemu-system-x86_64 >/dev/null 2>&1 || missing+=(qemu-system-x86)
[ -x /bin/busybox ] && file -L /bin/busybox | grep -q 'statically linked' || missing+=(busybox-static)
command -v cpio >/dev/null 2>&1 || missing+=(cpio)
command -v depmod >/dev/null 2>&1 || missing+=(kmod)
if [ ${#missing[@]} -gt 0 ]; then
  log "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

mkdir -p "$cache"
work=$(mktemp -d "$cache/.tmp.XXXXXX")
trap 'rm -rf "$work"' EXIT

# Both series are bookworm's. On a host with other apt sources, ask a private apt state (its own sources
# list and package lists in $work) so the host's configuration is untouched.
apt_opts=()
host_version=$(apt-cache show --no-all-versions linux-image-amd64 2>/dev/null | sed -n 's/^Version: //p')
if [[ $host_version != 6.1.* ]] || ! apt-cache policy 2>/dev/null | grep -q 'bookworm-security'; then
  log "host apt is not bookworm with its security archive: using deb.debian.org in a private apt state"
  mkdir -p "$work/apt/lists/partial" "$work/apt/archives/partial"
  echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian-security bookworm-security main" >"$work/apt/sources.list"
  echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian bookworm main" >>"$work/apt/sources.list"
  apt_opts=(-o "Dir::Etc::SourceList=$work/apt/sources.list" -o Dir::Etc::SourceParts=- \
    -o "Dir::State::Lists=$work/apt/lists" -o "Dir::Cache::Archives=$work/apt/archives" \
    -o Dir::Cache::pkgcache= -o Dir::Cache::srcpkgcache= -o APT::Architecture=amd64)
  apt-get "${apt_opts[@]}" update -qq >/dev/null 2>&1
fi
case $series in
  6.1)
    package=$(apt-cache "${apt_opts[@]}" show --no-all-versions linux-image-amd64 |
      sed -n 's/^Depends:.*\(linux-image-[0-9][^ ,]*\).*/\1/p' | head -1) ;;
  6.12)
    # The unsigned image holds the same kernel as the signed one; the newest ABI wins.
    package=$(apt-cache "${apt_opts[@]}" pkgnames linux-image-6.12. |
      grep -E '^linux-image-6\.12\.[0-9]+\+deb12-amd64-unsigned$' | sort -V | tail -1) ;;
  *) log "unknown kernel series '$series' (6.1 or 6.12)"; exit 2 ;;
esac
[ -n "$package" ] || { log "cannot tell which $series kernel package to use"; exit 1; }
kver=${package#linux-image-}
kver=${kver%-unsigned}
dir="$cache/$kver"
if [ ! -f "$dir/ready" ]; then
  log "preparing $package in $dir"
  (cd "$work" && apt-get "${apt_opts[@]}" download "$package" >/dev/null 2>&1)
  dpkg-deb -x "$work"/"$package"_*.deb "$work/root"
  # Debian 12 ships modules under /lib (usr-merged at install time); depmod wants them where the index is.
  moddir="$work/root/lib/modules/$kver"
  [ -d "$moddir" ] || moddir="$work/root/usr/lib/modules/$kver"
  depmod -b "$work/root" "$kver" 2>/dev/null || depmod -b "$work/root/usr" "$kver"
  "$here/extract-vmlinux.sh" "$work/root/boot/vmlinuz-$kver" "$work/vmlinux"

  mkdir -p "$dir"
  rm -rf "${dir:?}"/*
  mv "$work/root" "$work/vmlinux" "$dir/"
  echo "$kver" >"$dir/kernel-version"
  echo "$dir/root${moddir#"$work/root"}" >"$dir/modules-dir"
  touch "$dir/ready"
fi

# The initramfs is rebuilt whenever init changes (it is cheap); the kernel above only once per version.
sum=$(cat "$here/init" "$here/prepare.sh" /bin/busybox | sha256sum | cut -c1-16)
if [ "$(cat "$dir/initramfs.sum" 2>/dev/null)" != "$sum" ]; then
  # The initramfs: static busybox, the modules init needs before the 9p root exists (in load order), init.
  ird="$work/initramfs"
  mkdir -p "$ird"/{bin,dev,proc,sys,mnt,newroot,modules}
  cp /bin/busybox "$ird/bin/busybox"
  ln -s busybox "$ird/bin/sh"
  # The modules init needs before the 9p root exists, with their dependencies first (as modprobe would
  # load them); a module built into the kernel has no insmod line.
  wanted=(virtio_pci 9pnet_virtio 9p virtio_console overlay)
  for m in "${wanted[@]}"; do
    modprobe -d "$dir/root" -S "$kver" --show-depends "$m" | sed -n 's/^insmod \([^ ]*\).*/\1/p'
  done | awk '!seen[$0]++' | while read -r ko; do
    name=$(basename "$ko"); name=${name%%.ko*}
    case $ko in
      *.xz) xz -dc "$ko" >"$ird/modules/$name.ko" ;;
      *.zst) zstd -qdc "$ko" >"$ird/modules/$name.ko" ;;
      *) cp "$ko" "$ird/modules/$name.ko" ;;
    esac
    echo "$name" >>"$ird/modules/order"
  done
  cp "$here/init" "$ird/init"
  chmod +x "$ird/init"
  (cd "$ird" && find . | cpio -o -H newc --quiet | gzip -1) >"$dir/initramfs.cpio.gz.new"

  mv "$dir/initramfs.cpio.gz.new" "$dir/initramfs.cpio.gz"
  echo "$sum" >"$dir/initramfs.sum"
fi
echo "$dir"
