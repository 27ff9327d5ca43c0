#!/usr/bin/env bash
# Lists each failed test with the run it failed in and the first line of its message, so that the end of CI's
# output (often all a reader gets) names what failed. Assembly-level errors are counted by summarize-results.sh.
# A run without results (a guest's suite that timed out or whose guest died) is named too, with what its output
# log says of why: guest-6.1-results.xml's is guest-6.1-output.log, beside it (scripts/guest/test-in-guest.sh).
# Usage: scripts/failed-tests.sh LABEL=RESULTS.xml...   (bash, grep, awk and sed only)
set -uo pipefail
[ $# -gt 0 ] || { echo "usage: failed-tests.sh LABEL=RESULTS.xml..." >&2; exit 2; }
for arg in "$@"; do
  label=${arg%%=*} path=${arg#*=}
  if [ ! -r "$path" ]; then
    log=${path%-results.xml}-output.log
    echo "failed on $label: no results in $path"
    [ -r "$log" ] || continue
    # The guest's words on how it ended, the last tests named as running long, then the end of the console.
    { grep -E '^guest: (timed out|the guest stopped)' "$log" | tail -n 2
      grep -o "\[Long Running Test\] .*" "$log" | tail -n 3
      sed -n '/^guest: \(timed out\|the guest stopped\)/,$p' "$log" | grep -v '^guest: ' | tail -n 8
    } | sed "s/^/failed on $label:   /"
    continue
  fi
  # xunit v3 writes each test as one <test ...> tag; a failed one holds <failure><message>...</message>.
  awk -v label="$label" 'BEGIN { RS = "<test " }
    NR > 1 && /^[^>]* result="Fail"/ {
      name = $0; sub(/^[^>]* name="/, "", name); sub(/".*/, "", name)
      message = ""
      if (match($0, /<message>/)) {
        message = substr($0, RSTART + RLENGTH); sub(/^<!\[CDATA\[/, "", message)
        sub(/(\]\]>)?<\/message>.*/, "", message); sub(/\n.*/, "", message)
      }
      print "failed on " label ": " name ": " substr(message, 1, 240)
    }' "$path"
done | sed 's/\\&quot;/"/g; s/&quot;/"/g; s/&lt;/</g; s/&gt;/>/g; s/&apos;/'"'"'/g; s/&amp;/\&/g'
