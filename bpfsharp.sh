#!/usr/bin/env bash
# Builds (when needed) and runs the bpfsharp tool: ./bpfsharp.sh COMMAND... (./bpfsharp.sh --help lists them);
# the README's main job is ./bpfsharp.sh run examples/execsnoop/execsnoop.bpf.o. Installs what it needs first;
# needs root (or CAP_BPF + CAP_PERFMON).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
"$here/scripts/setup-machine.sh"
dotnet build "$here/src/BpfSharp.Cli" -c Release -nologo -clp:ErrorsOnly -v:q >/dev/null
exec "$here/src/BpfSharp.Cli/bin/Release/net10.0/BpfSharp.Cli" "$@"
