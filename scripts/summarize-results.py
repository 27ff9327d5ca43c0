#!/usr/bin/env python3
"""Prints 'tests: N passed, N failed, N skipped' from xunit v3 XML result files (their counts joined).

With --label NAME the line reads 'NAME: N passed, N failed, N skipped' instead (CI prints the guest
kernel's counts that way before the joined line). Assembly-level errors (a failing fixture such as the
fd-leak check, a crash in cleanup) count as failures. Exits 1 when anything failed or no test ran."""
import sys
import xml.etree.ElementTree as ET

args = sys.argv[1:]
label = "tests"
if len(args) >= 2 and args[0] == "--label":
    label, args = args[1], args[2:]

passed = failed = skipped = 0
for path in args:
    try:
        root = ET.parse(path).getroot()
    except (OSError, ET.ParseError) as e:
        print(f"summary: cannot read {path}: {e}", file=sys.stderr)
        failed += 1
        continue
    for asm in root.iter("assembly"):
        passed += int(asm.get("passed", 0))
        failed += int(asm.get("failed", 0)) + int(asm.get("errors", 0))
        skipped += int(asm.get("skipped", 0)) + int(asm.get("not-run", 0))
    for err in root.iter("error"):
        failure = err.find("failure")
        msg = failure.findtext("message") if failure is not None else ""
        print(f"error ({err.get('type')} {err.get('name') or ''}): {msg}", file=sys.stderr)

print(f"{label}: {passed} passed, {failed} failed, {skipped} skipped")
sys.exit(1 if failed or passed == 0 else 0)
