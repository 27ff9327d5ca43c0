#!/usr/bin/env bash
# CI entry point of the compatibility harness (compat/compat.py, docs/COMPATIBILITY.md): prepares what is
# missing (packages, the libbpf oracle, the corpora, the BpfSharp runner; all cached under
# /var/cache/bpfsharp-compat), then runs both sides on this kernel and compares them. Exits 1 when libbpf loads
# or attaches a program that BpfSharp does not, or BpfSharp crashes or hangs; 0 otherwise.
#
#   sudo compat/check.sh                       on the host: both corpora (prepares first; network on a cold cache)
#   compat/check.sh --guest                    inside a CI guest (no network, read-only host tree): nothing is
#                                              prepared or built; the libbpf-tools corpus and the selftests'
#                                              tracing and LSM programs unless --corpus is given
# Any other argument goes to `compat.py run` (--corpus C, --timeout S, --fresh-oracle...).
# Results and the report of this kernel: test-results/compat/<kernel>/ (compat-<kernel>.md, and results.xml
# with the counts CI's summary adds up).
set -euo pipefail
cd "$(dirname "$0")/.."
guest=0
args=()
for a in "$@"; do
  if [ "$a" = --guest ]; then guest=1; else args+=("$a"); fi
done
start=$SECONDS
out=test-results/compat/$(uname -r)
if ! command -v python3 >/dev/null 2>&1; then
  [ $guest = 0 ] || { echo "compat: python3 is missing in the guest (the host's / is its root)" >&2; exit 1; }
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3 >/dev/null
fi
if [ $guest = 1 ]; then
  # Under software emulation every program load costs tens of times more: of the selftests corpus (about 1,500
  # loads) only the program kinds a host kernel may refuse (this project's host refuses them all), so that
  # each is compared on some kernel; the whole corpus when asked for (--corpus).
  case " ${args[*]-} " in
    *" --corpus "*) ;;
    *) args+=(--corpus libbpf-tools --corpus selftests
              --only-sections selftests=fentry,fexit,fmod_ret,freplace,lsm,lsm_cgroup,kprobe,kretprobe,ksyscall,kretsyscall) ;;
  esac
  # klockstat kprobes mutex_lock, which the JIT's program freeing takes: with both sides attaching and
  # detaching it at once, Debian's 6.1 and 6.12 both panicked (kprobe_int3_handler calling a NULL handler
  # under bpf_prog_pack_free). A kernel race, not a difference between the sides; left out in the guests.
  args+=(--leave-out klockstat.bpf.o)
  status=0
  python3 compat/compat.py run --no-build --out "$out" "${args[@]}" || status=$?
else
  python3 compat/compat.py prepare
  status=0
  python3 compat/compat.py run --no-build --out "$out" ${args[@]+"${args[@]}"} || status=$?
fi
echo "compat: $((SECONDS - start))s on $(uname -r)"
exit $status
