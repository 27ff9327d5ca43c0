// BpfSharp's side of the side-by-side benchmarks (bench/README.md); bench/native/bench.c is the libbpf side.
//
// Usage: BpfSharp.Benchmarks [--objects DIR] [--serve | --list | WORKLOAD...]
//   --serve   read workload names from stdin, one per line, answering each with one JSON line on stdout
//   WORKLOAD  run these (default: all) and print one JSON line each
//   --load-memory OBJECT   the memory one open + load adds to this process (LoadMemory.cs), one JSON line
// Every JSON line: {"impl":"bpfsharp","workload":...,"unit":...,"value":...,"lower_is_better":...,"ops":...,
// "alloc_per_op":...,"baseline":...}; "baseline" names the libbpf workload a BpfSharp-only variant compares with.
using BpfSharp.Benchmarks;

string objects = "bench/objects";
bool serve = false;
var names = new List<string>();
for (int i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--objects" when i + 1 < args.Length:
            objects = args[++i];
            break;
        case "--serve":
            serve = true;
            break;
        case "--load-memory" when i + 1 < args.Length:
            return LoadMemory.Run(args[++i]);
        case "--list":
            // Each workload, then the libbpf workload it compares with when that has another name.
            foreach (var w in Workloads.Available) Console.WriteLine(w.Baseline is null ? w.Name : $"{w.Name} {w.Baseline}");
            return 0;
        default:
            names.Add(args[i]);
            break;
    }
}

using var workloads = new Workloads(objects);
if (serve)
{
    while (Console.ReadLine() is { } line)
    {
        line = line.Trim();
        if (line.Length == 0) continue;
        if (!workloads.Run(line)) Console.WriteLine($"{{\"impl\":\"bpfsharp\",\"workload\":\"{line}\",\"error\":\"unknown\"}}");
    }
    return 0;
}
foreach (var name in names.Count > 0 ? names : Workloads.Available.Select(w => w.Name))
{
    if (!workloads.Run(name))
    {
        Console.Error.WriteLine($"BpfSharp.Benchmarks: unknown workload {name}");
        return 2;
    }
}
return 0;
