using System.CommandLine;
using BpfSharp.Cli;
using BpfSharp.Cli.Commands;

// The bpfsharp tool: run a BPF object and watch its events, and manage the system's programs, maps and links.
var root = new RootCommand("bpfsharp: run BPF objects and watch their events; inspect and manage the system's BPF programs, maps, links and BTF.")
{
    RunCommand.Create(),
    UnloadCommand.Create(),
    ProgCommand.Create(),
    MapCommand.Create(),
    LinkCommand.Create(),
    NetCommand.Create(),
    CgroupCommand.Create(),
    StructOpsCommand.Create(),
    PerfCommand.Create(),
    IterCommand.Create(),
    ObjectCommand.Create(),
    BtfCommand.Create(),
    GenCommand.Create(),
    FeatureCommand.Create(),
    UsdtCommand.Create(),
};
return root.Parse(Selectors.Rewrite(GlobalOptions.Extract(args))).Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
