#!/usr/bin/env bash
# Runs BpfSharp's whole test suite on this machine, installing what it needs first.
# Usage: ./test.sh [xunit runner options, e.g. -class "BpfSharp.Tests.Maps.*"]
# Results: test-results/results.xml. Kernel tests need root; BPFSHARP_REQUIRE_KERNEL=1 makes a missing
# privilege a failure instead of a skip.
set -euo pipefail
cd "$(dirname "$0")"
scripts/setup-machine.sh
dotnet build tests/BpfSharp.Tests -c Release -nologo -clp:ErrorsOnly -v:q
mkdir -p test-results
exec tests/BpfSharp.Tests/bin/Release/net10.0/BpfSharp.Tests -noColor -result-xml test-results/results.xml "$@"
