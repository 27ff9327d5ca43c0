#!/usr/bin/env bash
# Lists the tests that ran on no kernel at all: skipped in every result file given (the host's and each guest's),
# or skipped in some and absent from the others, with each run's reason. CI prints it after the runs; it should
# hold only what needs hardware (XDP offload, hardware perf counters) or a feature no CI kernel has (sched_ext).
# Usage: scripts/skipped-everywhere.sh LABEL=RESULTS.xml...   (bash, grep, sed and awk only)
set -uo pipefail
list=$(mktemp); trap 'rm -f "$list"' EXIT
[ $# -gt 0 ] || { echo "usage: skipped-everywhere.sh LABEL=RESULTS.xml..." >&2; exit 2; }

# One line per test and run: LABEL<TAB>RESULT<TAB>NAME<TAB>REASON (xunit v3 writes each test as one tag).
rows() {
  local label=$1 path=$2
  [ -r "$path" ] || return 0
  grep -o '<test [^>]*>\(<reason><!\[CDATA\[[^]]*\]\]></reason>\|<reason>[^<]*</reason>\)\?' "$path" |
    sed -n 's/.* name="\([^"]*\)" result="\([A-Za-z]*\)".*/\2\t\1\t&/p' |
    sed 's/\t<test .*<reason>\(<!\[CDATA\[\)\?\([^]<]*\).*/\t\2/; s/\t<test .*//' |
    sed "s/^/$label\t/"
}

for arg in "$@"; do rows "${arg%%=*}" "${arg#*=}"; done |
  sed 's/\\&quot;/"/g; s/&quot;/"/g; s/&lt;/</g; s/&gt;/>/g; s/&amp;/\&/g' |
  awk -F'\t' '
    { ran[$3] = ran[$3] || ($2 != "Skip" && $2 != "NotRun"); if ($2 == "Skip") why[$3] = why[$3] "; " $1 ": " $4 }
    END { for (t in why) if (!ran[t]) print "skipped everywhere: " t " (" substr(why[t], 3) ")" }' | sort > "$list"
cat "$list"
echo "skipped on every kernel: $(wc -l < "$list") tests"
