using System.CommandLine;

namespace BpfSharp.Cli.Commands;

/// <summary>
/// <c>prog load OBJ PATH</c> and <c>prog loadall OBJ PATH</c> with bpftool's keywords (<c>type TYPE</c>,
/// <c>map {idx IDX | name NAME} MAP</c>, <c>pinmaps DIR</c>, <c>autoattach</c>, <c>kernel_btf FILE</c>): load an
/// object and pin what it loaded in bpffs, where it outlives the tool. <c>load</c> loads every program but pins only
/// the first at PATH; <c>loadall</c> pins each at PATH/NAME. With <c>autoattach</c> a program whose section says
/// where is attached and its link pinned instead (a program that cannot be is pinned itself, as bpftool does).
/// </summary>
internal static class ProgLoadCommand
{
    private const string Usage = "type TYPE | map {idx IDX | name NAME} MAP | pinmaps DIR | autoattach | kernel_btf FILE";

    public static Command Load() => Create("load", firstOnly: true,
        "Load an object and pin its first program at PATH (bpftool's prog load; keywords: " + Usage + ")");

    public static Command LoadAll() => Create("loadall", firstOnly: false,
        "Load an object and pin every program at PATH/NAME (bpftool's prog loadall; keywords: " + Usage + ")");

    private sealed record MapReuse(int Index, string? Name, string Map);

    private sealed record Request(BpfProgramType? Type, BpfAttachType? AttachType, List<MapReuse> Maps, string? PinMaps, bool AutoAttach, string? KernelBtf);

    private static Command Create(string verb, bool firstOnly, string description)
    {
        var obj = new Argument<string>("OBJ") { Description = "A compiled BPF object (clang -target bpf)" };
        var path = new Argument<string>("PATH") { Description = firstOnly ? "Where to pin the first program in bpffs" : "A bpffs directory: each program is pinned at PATH/NAME" };
        var rest = new Argument<string[]>("KEYWORDS") { Description = Usage, Arity = ArgumentArity.ZeroOrMore };
        var command = new Command(verb, description) { obj, path, rest };
        command.SetGuardedAction(r =>
        {
            string file = r.GetValue(obj)!, where = r.GetValue(path)!;
            var request = Parse(r.GetValue(rest) ?? []);
            if (!File.Exists(file)) throw new CliError($"{file}: no such file");
            RequireBpfFs(where, "PATH");
            if (request.PinMaps is { } dir) RequireBpfFs(dir, "pinmaps");
            Run(file, where, firstOnly, request);
            if (GlobalOptions.Json) Console.WriteLine("null");
            return 0;
        });
        return command;
    }

    private static void RequireBpfFs(string path, string what)
    {
        if (!BpfFsPaths.IsOnBpfFs(path)) throw new CliError($"{what} {path}: not in bpffs (pins live on a bpf filesystem such as /sys/fs/bpf)");
    }

    private static Request Parse(string[] words)
    {
        BpfProgramType? type = null;
        BpfAttachType? attachType = null;
        var maps = new List<MapReuse>();
        string? pinMaps = null, kernelBtf = null;
        bool autoAttach = false;
        for (int i = 0; i < words.Length; i++)
        {
            string Next(string what) => ++i < words.Length ? words[i] : throw new CliError($"{what}: a value is missing");
            switch (words[i])
            {
                case "type":
                    if (type is not null) throw new CliError("type: program type already specified");
                    (type, attachType) = ProgramType(Next("type"));
                    break;
                case "map":
                    string how = Next("map");
                    var (kind, value) = Selectors.Parse(how);
                    MapReuse reuse = (kind, value) switch
                    {
                        ("", "idx") => new MapReuse(ByteParser.TryInteger(Next("map idx"), out ulong idx) && idx <= int.MaxValue
                            ? (int)idx : throw new CliError($"map idx {words[i]}: not an index"), null, ""),
                        ("name", _) => new MapReuse(-1, value, ""),
                        _ => throw new CliError($"map: expected 'idx' or 'name', got '{Selectors.Describe(how)}'"),
                    };
                    maps.Add(reuse with { Map = Next("map " + (reuse.Name is null ? "idx" : "name")) });
                    break;
                case "pinmaps":
                    pinMaps = Next("pinmaps");
                    break;
                case "autoattach":
                    autoAttach = true;
                    break;
                case "kernel_btf":
                    kernelBtf = Next("kernel_btf");
                    break;
                case "offload_dev" or "xdpmeta_dev" or "dev":
                    throw new CliError($"{words[i]}: device-bound programs are not supported by bpfsharp");
                default:
                    throw new CliError($"expected no more arguments, 'type', 'map', 'pinmaps', 'autoattach' or 'kernel_btf', got '{Selectors.Describe(words[i])}'");
            }
        }
        return new Request(type, attachType, maps, pinMaps, autoAttach, kernelBtf);
    }

    /// <summary>bpftool's <c>type TYPE</c>: a section name as libbpf reads it, tried again with a '/' after it ("kprobe" is "kprobe/").</summary>
    private static (BpfProgramType, BpfAttachType?) ProgramType(string name)
    {
        if (SectionDefinitions.TryMatch(name, out var def, out _) || SectionDefinitions.TryMatch(name + "/", out def, out _))
            return (def.ProgramType, def.AttachType);
        throw new CliError($"type {name}: no program type is known by that name (a section name as libbpf reads it: xdp, tc, kprobe, cgroup/skb...)");
    }

    private static void Run(string file, string where, bool firstOnly, Request request)
    {
        var options = new BpfObjectOptions { KernelBtf = request.KernelBtf is { } btf ? Btf.BtfSpec.Load(btf) : null };
        using var obj = BpfObject.Open(file, options);
        foreach (var prog in obj.Programs.Values)
        {
            if (request.Type is { } t)
            {
                prog.Type = t;
                prog.ExpectedAttachType = request.AttachType;
            }
            else if (prog.Type == BpfProgramType.Unspec)
            {
                throw new CliError($"{file}: program {prog.Name}: section '{prog.SectionName}' names no program type (give 'type TYPE')");
            }
        }
        var temporaryPins = new List<string>();
        try
        {
            ReuseMaps(obj, file, where, request.Maps, temporaryPins);
            obj.Load();
        }
        finally
        {
            foreach (var pin in temporaryPins) File.Delete(pin);
        }
        var pinned = new List<string>();
        try
        {
            if (firstOnly)
            {
                var first = obj.Programs.Values.FirstOrDefault() ?? throw new CliError($"{file}: the object has no program");
                PinProgram(first, where, request.AutoAttach);
                pinned.Add(where);
            }
            else
            {
                foreach (var prog in obj.Programs.Values.Where(p => p.Program is not null))
                {
                    string at = Path.Combine(where, prog.Name);
                    PinProgram(prog, at, request.AutoAttach);
                    pinned.Add(at);
                }
            }
            if (request.PinMaps is { } dir)
            {
                // bpffs refuses '.' in names, which global data maps have: '_' stands for it, as libbpf pins them.
                foreach (var map in obj.Maps.Values.Where(m => m.Map is not null))
                    map.Map!.Pin(Path.Combine(dir, MapPinName(map)));
            }
        }
        catch
        {
            // A failed pin leaves none of the command's pins behind, as bpftool unpins.
            foreach (var pin in pinned) File.Delete(pin);
            throw;
        }
    }

    /// <summary>The name a map is pinned under in <c>pinmaps</c> (the kernel's name for global data maps, as libbpf names them).</summary>
    private static string MapPinName(BpfObjectMap map) => (map.IsGlobalData ? map.Map!.Name : map.Name).Replace('.', '_');

    private static void PinProgram(BpfObjectProgram prog, string path, bool autoAttach)
    {
        var loaded = prog.Program ?? throw new CliError($"program {prog.Name} is not loaded (its section starts with '?')");
        if (autoAttach && SectionDefinitions.TryMatch(prog.SectionName, out var def, out string target) && def.Attacher.CanAttach(prog.SectionName, target, out _))
        {
            var link = loaded.Attach();
            try
            {
                link.Pin(path);
            }
            finally
            {
                // The pin holds the attachment now; the process's own fds go when it exits.
                link.Disconnect();
                link.Dispose();
            }
            return;
        }
        if (autoAttach) Console.Error.WriteLine($"Program {prog.Name} does not support autoattach, falling back to pinning");
        loaded.Pin(path);
    }

    /// <summary>
    /// bpftool's <c>map idx IDX MAP</c> / <c>map name NAME MAP</c>: the object's map (by its index among the object's
    /// maps, or its name) is the existing MAP, not a new one. The object reuses a map pinned at the map's pin path, so an
    /// existing map given by id is pinned for the load beside PATH (bpffs refuses names with a '.') and unpinned after.
    /// </summary>
    private static void ReuseMaps(BpfObject obj, string file, string where, List<MapReuse> reuses, List<string> temporaryPins)
    {
        var maps = obj.Maps.Values.ToList();
        var taken = new HashSet<BpfObjectMap>();
        foreach (var reuse in reuses)
        {
            var target = reuse.Name is { } name
                ? maps.FirstOrDefault(m => m.Name == name) ?? throw new CliError($"{file}: unable to find map '{name}'")
                : reuse.Index < maps.Count ? maps[reuse.Index] : throw new CliError($"{file}: map idx '{reuse.Index}' not used (the object has {maps.Count} maps)");
            if (!taken.Add(target)) throw new CliError($"{file}: replacement for map {target.Name} specified more than once");
            using var existing = Targets.Map(reuse.Map);
            var (kind, value) = Selectors.Parse(reuse.Map);
            if (kind == "" && !uint.TryParse(value, out _))
            {
                target.PinPath = Path.GetFullPath(value);
                continue;
            }
            string dir = Path.GetDirectoryName(Path.GetFullPath(where.TrimEnd('/')))!;
            string pin = Path.Combine(dir, $"bpfsharp-reuse-{Environment.ProcessId}-{existing.Id}");
            existing.Pin(pin);
            temporaryPins.Add(pin);
            target.PinPath = pin;
        }
    }
}
