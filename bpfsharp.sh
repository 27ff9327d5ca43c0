#!/usr/bin/env bash
# Runs the bpfsharp tool from this tree: ./bpfsharp.sh COMMAND... (./bpfsharp.sh --help lists them); the README's
# main job is ./bpfsharp.sh run examples/execsnoop/execsnoop.bpf.o. Needs root (or CAP_BPF + CAP_PERFMON).
#
# The tool is a native executable (NativeAOT) in artifacts/bpfsharp/. It is built (after the machine set-up, which
# installs what is missing) only when it is missing or a source it is made of changed since; otherwise this script
# costs one `find` and execs the executable, so a call costs what the executable costs.
#   ./bpfsharp.sh --build            build when needed, print the executable's path
#   ./bpfsharp.sh --install [DIR]    build when needed, copy it to DIR/bpfsharp (default /usr/local/bin)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="$here/artifacts/bpfsharp"
bin="$out/bpfsharp"
stamp="$out/built-from-sources"

# What the executable is made of; bin/ and obj/ are build outputs. Directories are listed too: adding or deleting a
# file changes its directory's time.
sources=("$here/src/BpfSharp" "$here/src/BpfSharp.Cli" "$here/src/BpfSharp.Generators/Skeleton"
         "$here/Directory.Build.props" "$here/Directory.Build.targets" "$here/bpfsharp.sh")

stale() {
  [ -x "$bin" ] && [ -f "$stamp" ] || return 0
  [ -n "$(find "${sources[@]}" \( -name bin -o -name obj \) -prune -o -newer "$stamp" -print -quit)" ]
}

# bpffs and tracefs are mounted by the set-up; a reboot unmounts them, so look (without starting a process).
mounts_missing() {
  local bpf=0 tracefs=0 _dev mnt type _rest
  while read -r _dev mnt type _rest; do
    [ "$mnt" = /sys/fs/bpf ] && [ "$type" = bpf ] && bpf=1
    [ "$mnt" = /sys/kernel/tracing ] && [ "$type" = tracefs ] && tracefs=1
  done </proc/self/mounts
  [ $bpf = 0 ] || [ $tracefs = 0 ]
}

build() {
  mkdir -p "$out"
  exec 9>"$out/.lock"
  flock 9                               # one build at a time; a second caller finds it done
  stale || return 0
  "$here/scripts/setup-machine.sh" >&2    # stdout is the executable's path (--build)
  local rid
  case "$(uname -m)" in
    x86_64) rid=linux-x64 ;;
    aarch64) rid=linux-arm64 ;;
    *) echo "bpfsharp.sh: no NativeAOT runtime identifier for $(uname -m)" >&2; exit 1 ;;
  esac
  echo "bpfsharp.sh: building the native bpfsharp (sources changed since the last build)" >&2
  local started="$out/.build-started"
  touch "$started"                      # a source edited during the build makes the next call build again
  dotnet publish "$here/src/BpfSharp.Cli" -c Release -r "$rid" -p:PublishAot=true -p:CppCompilerAndLinker=clang-19 \
    -o "$out/publish" -nologo -clp:ErrorsOnly -v:q >&2
  cp -f "$out/publish/BpfSharp.Cli" "$bin.new"
  mv -f "$bin.new" "$bin"
  mv -f "$started" "$stamp"
  exec 9>&-
}

case "${1:-}" in
  --build)
    stale && build
    echo "$bin"
    exit 0 ;;
  --install)
    stale && build
    dir="${2:-/usr/local/bin}"
    install -m 0755 "$bin" "$dir/bpfsharp"
    echo "bpfsharp.sh: installed $dir/bpfsharp" >&2
    exit 0 ;;
esac

if stale; then
  build
elif mounts_missing; then
  "$here/scripts/setup-machine.sh" >&2    # stdout is the command's own output
fi
exec "$bin" "$@"
