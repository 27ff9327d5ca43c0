using BpfSharp.Btf;

namespace BpfSharp.Cli.Run;

/// <summary>
/// What a tool's user space decides before load, given on the command line: <c>--set VAR=VALUE</c> for its
/// configuration in <c>.rodata</c>, <c>--map-size NAME=N</c>, and which programs load. An object often offers
/// alternatives for one event (runqlat: tp_btf and raw_tp programs for each scheduler tracepoint, of which its
/// user space loads one set); unless programs are named, one per event loads, the first kind that loads here.
/// </summary>
internal sealed class ObjectSetup(RunOptions options)
{
    /// <summary>Kinds of the same event, most capable first: BTF-typed hooks, then raw ones, then the older kinds.</summary>
    private static readonly string[] Preference = ["tp_btf", "fentry", "fexit", "raw_tp", "raw_tracepoint", "tp", "tracepoint", "kprobe", "kretprobe"];

    /// <summary>Applies the options to a freshly opened object; <paramref name="attempt"/> picks the alternatives (0: the preferred ones).</summary>
    /// <returns>The programs left out as alternatives, empty when the object has none (no other attempt is possible).</returns>
    public List<string> Apply(BpfObject obj, int attempt)
    {
        foreach (var setting in options.Settings ?? []) Set(obj, setting);
        foreach (var size in options.MapSizes ?? []) SetMapSize(obj, size);
        // A stack trace map's value is an array of addresses whose length the tool's user space sets (offcputime's
        // --perf-max-stack-depth): left at 0, it holds as many frames as the kernel records.
        foreach (var m in obj.Maps.Values.Where(m => m.Type == BpfMapType.StackTrace && m.ValueSize == 0))
            m.ValueSize = PerfMaxStack() * 8;
        // A tool's user space sizes some maps at run time (cpudist's start and hists: pid_max); the kernel refuses 0 (EINVAL).
        var unsized = obj.Maps.Values.Where(m => m.MaxEntries == 0 && !m.IsGlobalData && m.Type is not (BpfMapType.PerfEventArray
            or BpfMapType.SkStorage or BpfMapType.InodeStorage or BpfMapType.TaskStorage or BpfMapType.CgrpStorage or BpfMapType.CgroupStorage
            or BpfMapType.PerCpuCgroupStorage)).Select(m => m.Name).ToList();
        if (unsized.Count > 0)
            throw new CliError($"{obj.Name} leaves the size of {string.Join(", ", unsized)} to its user space (max_entries 0): give {(unsized.Count == 1 ? "it" : "each")} with --map-size NAME=N");
        foreach (var name in options.Programs.Concat(options.SkippedPrograms ?? []))
            if (!obj.Programs.ContainsKey(name))
                throw new CliError($"--program {name}: {obj.Name} has no such program (it has {string.Join(", ", obj.Programs.Keys)})");
        // fentry/fexit places given with --attach are the programs' load-time targets (fsdist's fentry/dummy_* programs).
        foreach (var (program, places) in ExplicitAttachment.Parse(options.Attachments ?? []))
        {
            if (places.FirstOrDefault(a => a.IsLoadTarget) is not { } place) continue;
            if (places.Count > 1) throw new CliError($"--attach {program}={place.Kind}:...: a tracing program has one target (it is part of its load)");
            if (!obj.Programs.TryGetValue(program, out var p)) continue; // said after load, with the loaded programs
            if (p.Type != BpfProgramType.Tracing)
                throw new CliError($"--attach {program}={place.Kind}:{place.Function}: {program} ({p.SectionName}) is a {p.Type} program, not {place.Kind}");
            p.AttachTarget = place.Function;
        }
        if (options.Programs.Length > 0)
        {
            foreach (var p in obj.Programs.Values) p.Autoload = options.Programs.Contains(p.Name);
            return [];
        }
        foreach (var name in options.SkippedPrograms ?? []) obj.Programs[name].Autoload = false;
        var left = new List<string>();
        foreach (var group in obj.Programs.Values.Where(p => p.Autoload).GroupBy(p => Event(p.SectionName)).Where(g => g.Key is not null && g.Count() > 1))
        {
            var ranked = group.OrderBy(p => Rank(p.SectionName)).ToList();
            var chosen = ranked[Math.Min(attempt, ranked.Count - 1)];
            foreach (var p in ranked.Where(p => p != chosen))
            {
                p.Autoload = false;
                left.Add(p.Name);
            }
        }
        return left;
    }

    /// <summary>Whether another attempt would load other programs than <paramref name="attempt"/> did.</summary>
    public static bool HasAlternative(BpfObject obj, int attempt) =>
        obj.Programs.Values.GroupBy(p => Event(p.SectionName)).Any(g => g.Key is not null && g.Count() > attempt + 1);

    private static string Kind(string section) => section.Split('/')[0];

    private static int Rank(string section) => Array.IndexOf(Preference, Kind(section)) is int i and >= 0 ? i : Preference.Length;

    /// <summary>The event a section hooks, the same for its alternative kinds: "tp:sched_switch", "fn:vfs_read", "ret:vfs_read".</summary>
    private static string? Event(string section)
    {
        var parts = section.Split('/');
        if (parts.Length < 2 || parts[^1].Length == 0) return null;
        return Kind(section) switch
        {
            "tp_btf" or "raw_tp" or "raw_tracepoint" or "tp" or "tracepoint" => "tp:" + parts[^1],
            "fentry" or "kprobe" => "fn:" + parts[^1],
            "fexit" or "kretprobe" => "ret:" + parts[^1],
            _ => null,
        };
    }

    /// <summary>The most frames the kernel records in a stack (<c>kernel.perf_event_max_stack</c>, 127 by default).</summary>
    private static int PerfMaxStack()
    {
        try { return int.TryParse(File.ReadAllText("/proc/sys/kernel/perf_event_max_stack").Trim(), out int n) && n > 0 ? n : 127; }
        catch (IOException) { return 127; }
    }

    private static void Set(BpfObject obj, string setting)
    {
        var (name, text) = Split(setting, "--set", "VAR=VALUE");
        if (!obj.Variables.TryGetValue(name, out var v))
            throw new CliError($"--set {name}: {obj.Name} has no global variable {name} (it has {string.Join(", ", obj.Variables.Keys)})");
        var btf = obj.Btf!;
        ulong value;
        switch (btf[btf.SkipModifiers(v.TypeId)])
        {
            case BtfInt { IsBool: true }:
                value = text is "true" or "1" ? 1UL : text is "false" or "0" ? 0UL : throw new CliError($"--set {name}={text}: {name} is a bool (true or false)");
                break;
            case BtfEnum e when e.TryGetValue(text, out long enumerator):
                value = (ulong)enumerator;
                break;
            case BtfInt or BtfEnum when ByteParser.TryInteger(text, out value):
                break;
            default:
                throw new CliError($"--set {name}={text}: {name} is {Output.BtfTypeNames.Describe(btf, v.TypeId)}; --set takes integers, bools and enumerators");
        }
        switch (v.Size)
        {
            case 1: v.Set((byte)value); break;
            case 2: v.Set((ushort)value); break;
            case 4: v.Set((uint)value); break;
            case 8: v.Set(value); break;
            default: throw new CliError($"--set {name}: a {v.Size}-byte variable is not an integer");
        }
    }

    private static void SetMapSize(BpfObject obj, string setting)
    {
        var (name, text) = Split(setting, "--map-size", "NAME=N");
        if (!obj.Maps.TryGetValue(name, out var map))
            throw new CliError($"--map-size {name}: {obj.Name} has no map {name} (it has {string.Join(", ", obj.Maps.Keys)})");
        if (!int.TryParse(text, out int n) || n <= 0) throw new CliError($"--map-size {setting}: N must be a positive number of entries");
        map.MaxEntries = n;
    }

    private static (string Name, string Value) Split(string setting, string option, string shape)
    {
        int eq = setting.IndexOf('=');
        if (eq <= 0) throw new CliError($"{option} {setting}: expected {shape}");
        return (setting[..eq], setting[(eq + 1)..]);
    }
}
