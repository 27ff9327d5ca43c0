#!/usr/bin/env bash
# Prints 'tests: N passed, N failed, N skipped' from xunit v3 XML result files (their counts joined), with
# nothing but bash, grep and sed: a fresh CI machine need not have python.
# With --label NAME the line reads 'NAME: passed N, failed N, skipped N' instead: CI prints the guest kernel's
# counts that way before the joined line, in another shape so that the run's output holds exactly one line of the
# form CI reads (the last). Assembly-level errors (a failing fixture such as the fd-leak check, a crash
# in cleanup) count as failures, a missing or unreadable file as one failure. Exits 1 when anything failed or no
# test ran.
set -uo pipefail

label=tests
if [ $# -ge 2 ] && [ "$1" = --label ]; then label=$2; shift 2; fi
[ "$label" != tests ] || [ $# -gt 0 ] || { echo "usage: summarize-results.sh [--label NAME] RESULTS.xml..." >&2; exit 2; }

attr() { # attr NAME TAG: the value of NAME="..." in the tag, 0 when absent
  local v
  v=$(printf '%s' "$2" | sed -n "s/.* $1=\"\\([0-9]*\\)\".*/\\1/p")
  echo "${v:-0}"
}

passed=0 failed=0 skipped=0
for path in "$@"; do
  if [ ! -r "$path" ] || ! grep -q '<assembly ' "$path"; then
    # On standard output, so that it comes before the summary line in any capture of both streams.
    echo "summary: cannot read test results from $path"
    failed=$((failed + 1))
    continue
  fi
  while IFS= read -r tag; do
    passed=$((passed + $(attr passed "$tag")))
    failed=$((failed + $(attr failed "$tag") + $(attr errors "$tag")))
    skipped=$((skipped + $(attr skipped "$tag") + $(attr not-run "$tag")))
  done < <(grep -o '<assembly [^>]*>' "$path")
done

if [ "$label" = tests ]; then
  echo "tests: $passed passed, $failed failed, $skipped skipped"
else
  echo "$label: passed $passed, failed $failed, skipped $skipped"
fi
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
