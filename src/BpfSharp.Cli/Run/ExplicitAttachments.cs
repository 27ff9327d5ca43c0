using BpfSharp.Links;

namespace BpfSharp.Cli.Run;

/// <summary>
/// <c>--attach PROGRAM=WHERE</c>: where a program goes when its section does not say, or says something else than
/// the tool's user space does. libbpf-tools attach some programs themselves: javagc's <c>usdt</c> sections name no
/// probe (the tool attaches them to libjvm.so's hotspot probes of one process), gethostlatency's and funclatency's
/// <c>kprobe/dummy_*</c> sections become uprobes on a library function, fsdist's and fsslower's become kprobes on
/// the chosen file system's functions (ext4_file_read_iter), ksnoop's <c>kprobe/foo</c> goes to the function it is
/// asked to trace, and runqlen's <c>perf_event</c> program samples a software clock on every CPU.
/// WHERE is <c>usdt:[BINARY]:PROVIDER:NAME</c>, <c>uprobe:BINARY:FUNCTION[+OFFSET]</c>,
/// <c>uretprobe:BINARY:FUNCTION</c>, <c>kprobe:FUNCTION[+OFFSET]</c>, <c>kretprobe:FUNCTION</c>,
/// <c>fentry:FUNCTION</c> or <c>fexit:FUNCTION</c> (a tracing program's target is part of its load: set before it,
/// see <see cref="IsLoadTarget"/>), or <c>perf:EVENT:HZ</c> (a software event sampled HZ times a second on each
/// online CPU); with <c>--pid</c> only that process is traced by uprobes (and a usdt probe without BINARY is looked
/// up in every file the process has mapped); a kprobe fires for every process.
/// </summary>
internal sealed record ExplicitAttachment(string Program, string Kind, string Binary, string Function, ulong Offset, string Provider, string Name)
{
    /// <summary>Each program's places, in the order given (gethostlatency's one entry program goes to three functions).</summary>
    public static Dictionary<string, List<ExplicitAttachment>> Parse(IEnumerable<string> values)
    {
        var result = new Dictionary<string, List<ExplicitAttachment>>(StringComparer.Ordinal);
        foreach (var value in values)
        {
            var a = ParseOne(value);
            if (!result.TryGetValue(a.Program, out var list)) result[a.Program] = list = [];
            list.Add(a);
        }
        return result;
    }

    private static ExplicitAttachment ParseOne(string value)
    {
        int eq = value.IndexOf('=');
        if (eq <= 0) throw new CliError($"--attach {value}: expected PROGRAM=WHERE (usdt:[BINARY]:PROVIDER:NAME, uprobe:BINARY:FUNCTION, uretprobe:BINARY:FUNCTION, kprobe:FUNCTION, kretprobe:FUNCTION, fentry:FUNCTION, fexit:FUNCTION, perf:EVENT:HZ)");
        string program = value[..eq], where = value[(eq + 1)..];
        int colon = where.IndexOf(':');
        string kind = colon < 0 ? where : where[..colon], rest = colon < 0 ? "" : where[(colon + 1)..];
        switch (kind)
        {
            case "usdt":
            {
                // The binary may hold colons of its own only in principle; provider and name never do.
                var parts = rest.Split(':');
                if (parts.Length < 3 || parts[^1].Length == 0 || parts[^2].Length == 0)
                    throw new CliError($"--attach {value}: a usdt target is usdt:[BINARY]:PROVIDER:NAME (usdt::hotspot:gc__begin with --pid looks in the process's files)");
                return new(program, kind, string.Join(':', parts[..^2]), "", 0, parts[^2], parts[^1]);
            }
            case "uprobe" or "uretprobe":
            {
                int last = rest.LastIndexOf(':');
                if (last <= 0 || last == rest.Length - 1)
                    throw new CliError($"--attach {value}: a {kind} target is {kind}:BINARY:FUNCTION[+OFFSET]");
                string function = rest[(last + 1)..];
                ulong offset = 0;
                int plus = function.IndexOf('+');
                if (plus >= 0)
                {
                    string off = function[(plus + 1)..];
                    if (!TryParseOffset(off, out offset)) throw new CliError($"--attach {value}: offset '{off}' is not a number");
                    function = function[..plus];
                }
                return new(program, kind, rest[..last], function, offset, "", "");
            }
            case "kprobe" or "kretprobe":
            {
                string function = rest;
                ulong offset = 0;
                int plus = rest.IndexOf('+');
                if (plus >= 0)
                {
                    function = rest[..plus];
                    if (kind == "kretprobe" || !TryParseOffset(rest[(plus + 1)..], out offset))
                        throw new CliError($"--attach {value}: {(kind == "kretprobe" ? "a kretprobe takes no offset" : $"offset '{rest[(plus + 1)..]}' is not a number")}");
                }
                if (function.Length == 0 || function.Contains(':'))
                    throw new CliError($"--attach {value}: a {kind} target is {kind}:FUNCTION{(kind == "kprobe" ? "[+OFFSET]" : "")}");
                return new(program, kind, "", function, offset, "", "");
            }
            case "fentry" or "fexit":
                if (rest.Length == 0 || rest.Contains(':') || rest.Contains('+'))
                    throw new CliError($"--attach {value}: a {kind} target is {kind}:FUNCTION");
                return new(program, kind, "", rest, 0, "", "");
            case "perf":
            {
                var parts = rest.Split(':');
                if (parts.Length != 2 || !ulong.TryParse(parts[1], out ulong hz) || hz == 0)
                    throw new CliError($"--attach {value}: a perf target is perf:EVENT:HZ (runqlen samples perf:cpu-clock:99)");
                if (!SoftwareEvents.TryGetValue(parts[0], out var @event))
                    throw new CliError($"--attach {value}: unknown software event '{parts[0]}' ({string.Join(", ", SoftwareEvents.Keys)})");
                return new(program, kind, "", parts[0], hz, "", "") { Event = @event };
            }
            default:
                throw new CliError($"--attach {value}: unknown kind '{kind}' (usdt, uprobe, uretprobe, kprobe, kretprobe, fentry, fexit, perf)");
        }
    }

    /// <summary>perf's names of the software events (<c>perf list sw</c>).</summary>
    private static readonly Dictionary<string, SoftwarePerfEvent> SoftwareEvents = new(StringComparer.Ordinal)
    {
        ["cpu-clock"] = SoftwarePerfEvent.CpuClock, ["task-clock"] = SoftwarePerfEvent.TaskClock,
        ["page-faults"] = SoftwarePerfEvent.PageFaults, ["context-switches"] = SoftwarePerfEvent.ContextSwitches,
        ["cpu-migrations"] = SoftwarePerfEvent.CpuMigrations, ["minor-faults"] = SoftwarePerfEvent.PageFaultsMin,
        ["major-faults"] = SoftwarePerfEvent.PageFaultsMaj, ["alignment-faults"] = SoftwarePerfEvent.AlignmentFaults,
        ["emulation-faults"] = SoftwarePerfEvent.EmulationFaults, ["cgroup-switches"] = SoftwarePerfEvent.CgroupSwitches,
    };

    /// <summary>The software event of a <c>perf:</c> place (its sampling frequency is <see cref="Offset"/>).</summary>
    private SoftwarePerfEvent Event { get; init; }

    private static bool TryParseOffset(string text, out ulong offset) =>
        text.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
            ? ulong.TryParse(text[2..], System.Globalization.NumberStyles.HexNumber, null, out offset)
            : ulong.TryParse(text, out offset);

    /// <summary>fentry/fexit: the function is the program's load-time target (BTF id), set before the object loads.</summary>
    public bool IsLoadTarget => Kind is "fentry" or "fexit";

    /// <summary>
    /// Attaches <paramref name="program"/> as given (a perf place: one link per online CPU); <paramref name="pid"/>
    /// is -1 for every process.
    /// </summary>
    public IReadOnlyList<BpfLink> Attach(BpfProgram program, int pid)
    {
        switch (Kind)
        {
            case "fentry" or "fexit":
                var expected = Kind == "fentry" ? BpfAttachType.TraceFentry : BpfAttachType.TraceFexit;
                if (program.Type != BpfProgramType.Tracing || program.ExpectedAttachType != expected)
                    throw new CliError($"--attach {Program}={Kind}:{Function}: {Program} is a {program.Type} program{(program.ExpectedAttachType is { } t ? $" ({t})" : "")}, not {Kind}");
                return [program.AttachTrace()];
            case "usdt" when Binary.Length == 0:
                if (pid <= 0) throw new CliError($"--attach {Program}=usdt::{Provider}:{Name}: without a binary the probe is looked up in a process: give --pid");
                return [program.AttachUsdt(pid, Provider, Name)];
            case "usdt":
                return [program.AttachUsdt(Binary, Provider, Name, new UsdtAttachOptions { ProcessId = pid })];
            case "kprobe" or "kretprobe":
                return [program.AttachKprobe(Function, new KprobeAttachOptions { Retprobe = Kind == "kretprobe", Offset = Offset })];
            case "perf":
                return PerfEvents.AttachSoftwareOnEachCpu(program, Event, frequency: Offset);
            default:
                return [program.AttachUprobe(Binary, Function, new UprobeAttachOptions { Retprobe = Kind == "uretprobe", Offset = Offset, ProcessId = pid })];
        }
    }

    public override string ToString() => Kind switch
    {
        "usdt" => $"usdt:{Binary}:{Provider}:{Name}",
        "kprobe" or "kretprobe" or "fentry" or "fexit" => $"{Kind}:{Function}{(Offset != 0 ? $"+0x{Offset:x}" : "")}",
        "perf" => $"perf:{Function}:{Offset}",
        _ => $"{Kind}:{Binary}:{Function}{(Offset != 0 ? $"+0x{Offset:x}" : "")}",
    };
}
