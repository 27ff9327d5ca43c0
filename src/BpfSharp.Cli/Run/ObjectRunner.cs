using System.Runtime.InteropServices;
using BpfSharp.Btf;
using BpfSharp.Cli.Output;
using BpfSharp.Events;
using BpfSharp.Links;

namespace BpfSharp.Cli.Run;

internal sealed record RunOptions(string File, string[] Programs, string? PinDir, bool Keep, string? EventType,
    TimeSpan? Duration, TimeSpan? Interval, bool Json, string? Interface = null, string? Types = null,
    IReadOnlyDictionary<string, string>? Histograms = null, string[]? Settings = null, string[]? MapSizes = null, string[]? SkippedPrograms = null, string? Binary = null,
    string[]? Attachments = null, int ProcessId = -1, string[]? MapEntries = null, string[]? StackKeys = null);

/// <summary>One <c>run</c>: the object, its links, its event readers and the way out.</summary>
internal sealed class ObjectRunner(RunOptions options)
{
    private readonly List<(string Program, BpfLink Link)> _links = [];
    private readonly List<string> _pins = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly List<EventReader> _readers = [];
    private readonly Lock _outputLock = new();
    private MapDisplay? _maps;

    public int Run()
    {
        if (!File.Exists(options.File)) throw new CliError($"{options.File}: no such file");
        if (options.Keep && options.PinDir is null) throw new CliError("--keep needs --pin DIR: without a pin the kernel detaches the links when the tool exits");
        if (options.PinDir is { } dir && !BpfFs.IsBpfFs(ExistingAncestor(dir)))
            throw new CliError($"--pin {dir}: not on a BPF filesystem (mount one with 'mount -t bpf bpf /sys/fs/bpf')");

        using var obj = OpenAndLoad();
        var eventTypes = ChooseEventTypes(obj);
        using var cancelRegistration = HandleSignals();
        bool completed = false;
        try
        {
            MapEntries.Apply(obj, options.MapEntries ?? []);
            foreach (var name in options.StackKeys ?? []) StackReferences.RequireStackKeyed(obj, name);
            Attach(obj);
            if (options.PinDir is { } pinDir) Pin(obj, pinDir);
            OpenReaders(obj);
            Status(_readers.Count > 0
                ? $"attached {_links.Count} {(_links.Count == 1 ? "program" : "programs")}; printing events{(options.Duration is { } d ? $" for {Units.Duration(d)}" : "")}, Ctrl+C to stop"
                : $"attached {_links.Count} {(_links.Count == 1 ? "program" : "programs")}; no event maps{(options.Duration is null ? ", Ctrl+C to stop" : "")}");
            _maps = new MapDisplay(obj, options.Json, _outputLock, options.Histograms ?? new Dictionary<string, string>(), options.StackKeys ?? [], Status);
            var records = new RecordPrinter(obj, eventTypes, options.Json, _outputLock, Status);
            Loop(obj, records);
            _maps!.Show();
            foreach (var perf in _readers.OfType<PerfBufferReader>())
                if (perf.LostSamples > 0) Status($"{perf.LostSamples} records of {perf.Map.Name} were lost (the kernel found its perf ring full)");
            if (records.Undecoded > 0) Status($"{records.Undecoded} records were shown in hex");
            completed = true;
        }
        finally
        {
            foreach (var reader in _readers) reader.Dispose();
            // A run that failed half-way leaves nothing behind, --keep or not.
            Finish(keep: options.Keep && completed);
        }
        return 0;
    }

    private static string ExistingAncestor(string dir)
    {
        string full = Path.GetFullPath(dir);
        while (!Directory.Exists(full)) full = Path.GetDirectoryName(full) ?? "/";
        return full;
    }

    /// <summary>Opens, configures and loads the object; when a load fails and the object offers alternative programs, the next set.</summary>
    private BpfObject OpenAndLoad()
    {
        var setup = new ObjectSetup(options);
        for (int attempt = 0; ; attempt++)
        {
            var obj = BpfObject.Open(options.File);
            try
            {
                var left = setup.Apply(obj, attempt);
                // Progress for what can take a while: on a terminal only.
                if (!Console.IsErrorRedirected) Status($"loading {obj.Programs.Values.Count(p => p.Autoload)} programs and {obj.Maps.Count} maps of {obj.Name}...");
                if (left.Count > 0) Status($"alternative programs not loaded: {string.Join(", ", left)} (--program NAME chooses)");
                obj.Load();
                return obj;
            }
            catch (BpfException e) when (options.Programs.Length == 0 && ObjectSetup.HasAlternative(obj, attempt))
            {
                Status($"{e.Message.Split('\n')[0]}; trying the object's alternative programs");
                obj.Dispose();
            }
            catch
            {
                obj.Dispose();
                throw;
            }
        }
    }

    private EventTypes ChooseEventTypes(BpfObject obj)
    {
        if (options.Types is { } declarations)
        {
            var (btf, structs) = TypeDeclarations.Compile(declarations);
            return options.EventType is { } n ? EventTypes.Named(btf, n, "--types") : EventTypes.Declared(btf, structs);
        }
        return options.EventType is { } name
            ? EventTypes.Named(obj.Btf ?? throw new CliError($"--event-type {name}: {options.File} has no BTF (give the layout with --types)"), name, options.File)
            : EventTypes.Guess(obj);
    }

    private void Attach(BpfObject obj)
    {
        var given = ExplicitAttachment.Parse(options.Attachments ?? []);
        foreach (var name in given.Keys)
            if (!obj.Programs.TryGetValue(name, out var named) || named.Program is null)
                throw new CliError($"--attach {name}=...: {options.File} has no loaded program {name} (programs: {string.Join(", ", obj.Programs.Values.Where(q => q.Program is not null).Select(q => q.Name))})");
        foreach (var p in obj.Programs.Values)
        {
            if (p.Program is null) continue;
            if (given.TryGetValue(p.Name, out var places))
            {
                foreach (var place in places)
                {
                    foreach (var placed in place.Attach(p.Program, options.ProcessId))
                    {
                        _links.Add((p.Name, placed));
                        Status($"attached {p.Name} ({place}): link {(placed.Handle is null ? "-" : placed.Id.ToString())}, program {p.Program.Id}");
                    }
                }
                continue;
            }
            var link = AttachToInterface(p.Program) ?? AttachToBinary(p);
            if (link is null)
            {
                if (!SectionDefinitions.TryMatch(p.SectionName, out var def, out string target) || !def.Attacher.CanAttach(p.SectionName, target, out _))
                {
                    string hint = p.Program.Type is BpfProgramType.Xdp or BpfProgramType.SchedCls ? " (--interface IF attaches it to an interface)" : "";
                    Status($"program {p.Name} ({p.SectionName}) is loaded but not attached: its section names no attach point{hint}");
                    continue;
                }
                link = p.Attach();
            }
            _links.Add((p.Name, link));
            Status($"attached {p.Name} ({p.SectionName}): link {(link.Handle is null ? "-" : link.Id.ToString())}, program {p.Program.Id}");
        }
    }

    /// <summary>
    /// A uprobe section that names a function without its binary (bashreadline's <c>uretprobe/readline</c>: the
    /// tool's user space finds the binary): with --binary, attached there.
    /// </summary>
    private BpfLink? AttachToBinary(BpfObjectProgram p)
    {
        if (!SectionDefinitions.TryMatch(p.SectionName, out var def, out string target) || def.Attacher.Name is not ("uprobe" or "uretprobe")
            || target.Length == 0 || target.Contains(':'))
            return null;
        if (options.Binary is not { } binary)
            throw new CliError($"program {p.Name} ({p.SectionName}) names a function but not the binary it is in: give it with --binary PATH");
        return def.Attacher.Attach(p.Program!, p.SectionName, $"{binary}:{target}");
    }

    /// <summary>With --interface: XDP programs by an XDP link, tcx/tc ones by a tcx link in the section's direction.</summary>
    private BpfLink? AttachToInterface(BpfProgram program)
    {
        if (options.Interface is not { } name) return null;
        string section = program.SectionName ?? "";
        return program.Type switch
        {
            BpfProgramType.Xdp => program.AttachXdp(name),
            BpfProgramType.SchedCls => program.AttachTcx(name, section.EndsWith("egress", StringComparison.Ordinal) ? TcDirection.Egress : TcDirection.Ingress),
            _ => null,
        };
    }

    private void Pin(BpfObject obj, string dir)
    {
        var seen = new Dictionary<string, int>();
        foreach (var (program, link) in _links)
        {
            // A program --attach placed several times: its second link is pinned as PROGRAM_1, and so on.
            int n = seen[program] = seen.GetValueOrDefault(program, -1) + 1;
            string path = Path.Combine(PinLayout.Links(dir), PinLayout.FileName(n == 0 ? program : $"{program}.{n}"));
            link.Pin(path);
            _pins.Add(path);
        }
        foreach (var p in obj.Programs.Values)
        {
            if (p.Program is null || _links.Any(l => l.Program == p.Name)) continue;
            string path = Path.Combine(PinLayout.Programs(dir), PinLayout.FileName(p.Name));
            p.Program.Pin(path);
            _pins.Add(path);
        }
        foreach (var m in obj.Maps.Values)
        {
            if (m.Map is null) continue;
            string path = Path.Combine(PinLayout.Maps(dir), PinLayout.FileName(m.Name));
            m.Map.Pin(path);
            _pins.Add(path);
        }
    }

    private void OpenReaders(BpfObject obj)
    {
        var rings = obj.Maps.Values.Where(m => m.Type == BpfMapType.RingBuf && m.Map is not null).ToList();
        if (rings.Count > 0) _readers.Add(new RingBufferReader(rings.Select(m => m.Map!).ToArray()));
        foreach (var m in obj.Maps.Values.Where(m => m.Type == BpfMapType.PerfEventArray && m.Map is not null))
            _readers.Add(new PerfBufferReader(m.Map!));
    }

    private IDisposable HandleSignals()
    {
        ConsoleCancelEventHandler onCancel = (_, e) =>
        {
            e.Cancel = true; // stop the loop and detach cleanly instead of dying
            Stop();
        };
        Console.CancelKeyPress += onCancel;
        var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, ctx =>
        {
            ctx.Cancel = true;
            Stop();
        });
        return new Disposer(() =>
        {
            Console.CancelKeyPress -= onCancel;
            term.Dispose();
        });
    }

    private void Stop()
    {
        _stop.Cancel();
        foreach (var reader in _readers) reader.Wake();
    }

    private void Loop(BpfObject obj, RecordPrinter records)
    {
        var started = DateTime.UtcNow;
        var nextMaps = options.Interval is { } iv ? started + iv : DateTime.MaxValue;
        while (!_stop.IsCancellationRequested)
        {
            var now = DateTime.UtcNow;
            if (options.Duration is { } d && now - started >= d) break;
            if (now >= nextMaps)
            {
                _maps!.Show();
                nextMaps = now + options.Interval!.Value;
            }
            int wait = 200;
            if (_readers.Count == 0)
            {
                _stop.Token.WaitHandle.WaitOne(wait);
                continue;
            }
            // One reader may block; several share the wait so none starves.
            int each = _readers.Count == 1 ? wait : Math.Max(1, wait / _readers.Count);
            foreach (var reader in _readers)
            {
                if (reader is RingBufferReader ring)
                    ring.Poll(each, (source, data) => records.Print(ring.Maps[source].Name, data, padded: false));
                else if (reader is PerfBufferReader perf)
                    perf.Poll(each, (_, data) => records.Print(perf.Map.Name, data, padded: true)); // perf pads records to 8 bytes
            }
        }
        // Records already in the buffers when asked to stop are still shown.
        foreach (var reader in _readers)
        {
            if (reader is RingBufferReader ring) ring.Consume((source, data) => records.Print(ring.Maps[source].Name, data, padded: false));
            else if (reader is PerfBufferReader perf) perf.Consume((_, data) => records.Print(perf.Map.Name, data, padded: true));
        }
    }

    /// <summary>Detaches and unpins, or with --keep leaves links attached and pinned.</summary>
    private void Finish(bool keep)
    {
        if (keep)
        {
            foreach (var (_, link) in _links) link.Disconnect();
            Status($"left {_links.Count} {(_links.Count == 1 ? "link" : "links")} attached, pinned under {options.PinDir}; 'bpfsharp unload {options.PinDir}' detaches them");
            return;
        }
        foreach (var (_, link) in _links) link.Dispose();
        foreach (var pin in _pins)
        {
            try { File.Delete(pin); }
            catch (IOException) { /* already gone */ }
        }
        if (options.PinDir is { } dir) Unloader.RemoveEmptyDirectories(dir);
    }

    private static void Status(string message)
    {
        // Status goes to standard error so that standard output holds only events and maps.
        Console.Error.WriteLine($"bpfsharp: {message}");
    }

    private sealed class Disposer(Action action) : IDisposable
    {
        public void Dispose() => action();
    }
}
