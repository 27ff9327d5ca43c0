using System.Diagnostics;
using System.Diagnostics.Metrics;
using BpfSharp.Interop;
using BpfSharp.Links;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace BpfSharp.Hosting;

/// <summary>
/// A BPF object inside a .NET host: loads it while the host starts (<see cref="StartingAsync"/>, so a verifier
/// rejection stops the host before other services run), attaches its programs and starts one reader thread per
/// ring or perf buffer map that has handlers (<see cref="StartAsync"/>), and on <see cref="StopAsync"/> stops the
/// readers and detaches, or with <see cref="BpfHostedObjectOptions.KeepAttached"/> leaves every attachment pinned
/// for the next version to take over without a gap.
/// </summary>
public sealed class BpfHostedObject : IHostedLifecycleService, IDisposable
{
    private readonly BpfHostedObjectOptions _options;
    private readonly ILogger _logger;
    private readonly BpfMetrics? _metrics;
    private readonly Lock _state = new();
    private BpfObject? _object;
    private List<HostedLink> _links = [];
    private List<EventPump> _pumps = [];
    private SafeFdHandle? _statistics;
    private volatile bool _reportRuns;
    private readonly List<string> _mapPins = [];
    private readonly Dictionary<string, (DateTime At, long Count)> _entrySamples = [];

    /// <summary>A hosted object named <paramref name="name"/> (AddBpfObject creates it).</summary>
    public BpfHostedObject(string name, BpfHostedObjectOptions options, ILogger<BpfHostedObject> logger, BpfMetrics? metrics = null)
    {
        Name = name;
        _options = options;
        _logger = logger;
        _metrics = metrics;
    }

    /// <summary>The name given to AddBpfObject.</summary>
    public string Name { get; }

    /// <summary>The loaded object, from the host's start to its stop; null otherwise.</summary>
    public BpfObject? Object => _object;

    /// <summary>The links this host holds, by program name (empty before start and after stop).</summary>
    public IReadOnlyDictionary<string, BpfLink> Links
    {
        get { lock (_state) return _links.ToDictionary(l => l.Program, l => l.Link); }
    }

    /// <summary>Records read so far from each map that has handlers.</summary>
    public IReadOnlyDictionary<string, long> RecordsRead
    {
        get { lock (_state) return _pumps.ToDictionary(p => p.MapName, p => p.Records); }
    }

    private string ObjectName => _options.ObjectName ?? Name;
    private string? LinkDirectory => _options.PinRoot is { } root ? Path.Combine(root, "links") : null;
    private string? MapDirectory => _options.PinRoot is { } root ? Path.Combine(root, "maps") : null;

    /// <summary>Loads the object (before any hosted service starts, on hosts with <see cref="IHostedLifecycleService"/>).</summary>
    public Task StartingAsync(CancellationToken cancellationToken)
    {
        Load();
        return Task.CompletedTask;
    }

    /// <summary>Loads the object if <see cref="StartingAsync"/> did not, then attaches its programs and starts the event readers.</summary>
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (_object is null) Load(); // a host that does not know IHostedLifecycleService
        Run();
        return Task.CompletedTask;
    }

    /// <summary>Does nothing.</summary>
    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Does nothing.</summary>
    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Stops the readers and detaches, or with <see cref="BpfHostedObjectOptions.KeepAttached"/> leaves the attachments pinned.</summary>
    public Task StopAsync(CancellationToken cancellationToken)
    {
        Stop(_options.KeepAttached);
        return Task.CompletedTask;
    }

    /// <summary>Does nothing.</summary>
    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private void Load()
    {
        if (_options.KeepAttached && _options.PinRoot is null)
            throw new InvalidOperationException($"BPF object {Name}: KeepAttached needs a PinRoot (a bpffs directory) to pin the links in");
        var started = Stopwatch.GetTimestamp();
        var obj = Open();
        try
        {
            foreach (var change in _options.BeforeLoad) change(obj);
            SelectPrograms(obj);
            PinMaps(obj);
            obj.Load();
        }
        catch (Exception e)
        {
            BpfLog.LoadFailed(_logger, ObjectName, e.Message, (e as BpfVerifierException)?.VerifierLog ?? "", e);
            obj.Dispose();
            throw;
        }
        var elapsed = Stopwatch.GetElapsedTime(started);
        _metrics?.Loaded(elapsed, ObjectName);
        BpfLog.Loaded(_logger, ObjectName, obj.Programs.Values.Count(p => p.Program is not null), obj.Maps.Count, elapsed.TotalMilliseconds);
        _object = obj;
    }

    private BpfObject Open()
    {
        var options = new BpfObjectOptions { Name = ObjectName, LogLevel = _options.LogLevel, PinRoot = _options.PinRoot ?? BpfFs.DefaultRoot };
        if (_options.ObjectPath is { } path) return BpfObject.Open(path, options);
        if (_options.ObjectStream is not { } open)
            throw new InvalidOperationException($"BPF object {Name}: set ObjectPath or ObjectStream");
        using var stream = open();
        using var bytes = new MemoryStream();
        stream.CopyTo(bytes);
        return BpfObject.Open(bytes.ToArray(), ObjectName, options);
    }

    private void SelectPrograms(BpfObject obj)
    {
        if (_options.Programs.Count == 0) return;
        foreach (var name in _options.Programs)
            if (!obj.Programs.ContainsKey(name)) throw new ArgumentException($"BPF object {ObjectName} has no program named {name}");
        foreach (var program in obj.Programs.Values) program.Autoload = _options.Programs.Contains(program.Name);
    }

    /// <summary>
    /// Every map but read-only global data (each version's own constants) lives under PinRoot/maps, so the next
    /// version finds its state (counters, a ring buffer's unread records) where this one left it.
    /// </summary>
    private void PinMaps(BpfObject obj)
    {
        _mapPins.Clear();
        if (MapDirectory is not { } dir) return;
        foreach (var map in obj.Maps.Values)
        {
            if (map.IsReadOnly || map.Type == BpfMapType.StructOps) continue;
            // bpffs refuses '.' in names, which global data maps have.
            map.PinPath ??= Path.Combine(dir, map.Name.Replace('.', '_'));
            if (File.Exists(map.PinPath)) BpfLog.MapReused(_logger, map.Name, ObjectName, map.PinPath);
            _mapPins.Add(map.PinPath);
        }
    }

    private void Run()
    {
        var obj = _object!;
        try
        {
            if (_options.EnableRunTimeStatistics) EnableStatistics();
            var loaded = obj.Programs.Values.Where(p => p.Program is not null).ToList();
            if (LinkDirectory is { } linkDir)
                foreach (var (pin, program) in LinkUpgrade.RemoveStale(linkDir, loaded.Select(p => p.Name).ToHashSet()))
                    BpfLog.StaleDetached(_logger, pin, ObjectName, program);
            foreach (var program in loaded.Where(p => !_options.LoadOnlyPrograms.Contains(p.Name)))
                Attach(program);
            foreach (var (mapName, handlers) in _options.Handlers)
            {
                var map = obj.Maps.TryGetValue(mapName, out var m) && m.Map is not null ? m.Map
                    : throw new ArgumentException($"BPF object {ObjectName} has no map named {mapName} to read");
                var pump = new EventPump(ObjectName, mapName, map, handlers, _options.PerfBuffer, _logger,
                    n => _metrics?.RecordsRead(n, ObjectName, mapName), n => _metrics?.RecordsLost(n, ObjectName, mapName));
                lock (_state) _pumps.Add(pump);
                pump.Start();
            }
            _metrics?.Register(this);
        }
        catch
        {
            Stop(_options.KeepAttached);
            throw;
        }
    }

    /// <summary>
    /// BPF_ENABLE_STATS needs CAP_SYS_ADMIN, which a container with CAP_BPF and CAP_PERFMON lacks: the host then
    /// runs without (the kernel still counts if the node set kernel.bpf_stats_enabled), and says so.
    /// </summary>
    private void EnableStatistics()
    {
        try
        {
            _statistics = BpfProgram.EnableRunTimeStatistics();
        }
        catch (BpfException e) when (e.Errno == Errno.EPERM)
        {
            BpfLog.StatisticsRefused(_logger, ObjectName, e.Message);
        }
        _reportRuns = true;
    }

    private void Attach(BpfObjectProgram program)
    {
        var attach = _options.Attachers.GetValueOrDefault(program.Name) ?? (p => p.Attach());
        string? pinPath = LinkDirectory is { } dir ? Path.Combine(dir, program.Name) : null;
        try
        {
            var (link, outcome, oldId) = LinkUpgrade.AttachOrUpgrade(program.Name, program.Program!, attach, pinPath, _options.KeepAttached);
            lock (_state) _links.Add(link);
            string type = link.Link.Handle is null ? link.Link.Kind.ToString() : link.Link.LinkType.ToString();
            switch (outcome)
            {
                case AttachOutcome.Updated:
                    BpfLog.Updated(_logger, program.Name, ObjectName, type, link.LinkId, program.Program!.Id, oldId);
                    break;
                case AttachOutcome.Replaced:
                    BpfLog.Replaced(_logger, program.Name, ObjectName, type, link.LinkId, oldId);
                    break;
                default:
                    BpfLog.Attached(_logger, program.Name, ObjectName, type, link.LinkId);
                    break;
            }
        }
        catch (Exception e)
        {
            BpfLog.AttachFailed(_logger, program.Name, ObjectName, e);
            throw;
        }
    }

    private void Stop(bool keepAttached)
    {
        List<EventPump> pumps;
        List<HostedLink> links;
        lock (_state)
        {
            (pumps, _pumps) = (_pumps, []);
            (links, _links) = (_links, []);
        }
        _metrics?.Unregister(this);
        foreach (var pump in pumps) pump.Dispose();
        foreach (var complete in _options.Completions) complete();
        for (int i = links.Count - 1; i >= 0; i--)
        {
            if (keepAttached) Keep(links[i]);
            else Detach(links[i]);
        }
        if (!keepAttached) RemoveMapPins();
        BpfObject? obj;
        lock (_state) (obj, _object) = (_object, null); // a metrics callback in flight reads it under the lock
        _reportRuns = false;
        _statistics?.Dispose();
        _statistics = null;
        obj?.Dispose();
    }

    /// <summary>
    /// Leaves the attachment to its pin: disconnected, then the link fd closed too, so that nothing of this
    /// process keeps a link alive that the next version replaces (a host restarted inside one process would
    /// otherwise keep both versions attached until it exits).
    /// </summary>
    private void Keep(HostedLink hosted)
    {
        var link = hosted.Link;
        string kind = link.Handle is null ? link.Kind.ToString() : link.LinkType.ToString();
        link.Disconnect();
        if (hosted.PinPath is null)
        {
            BpfLog.KeptUnpinnable(_logger, hosted.Program, ObjectName, kind);
            return;
        }
        link.Handle!.Dispose();
        BpfLog.KeptAttached(_logger, hosted.Program, ObjectName, kind, hosted.LinkId, hosted.PinPath);
    }

    private void Detach(HostedLink hosted)
    {
        string kind = hosted.Link.Handle is null ? hosted.Link.Kind.ToString() : hosted.Link.LinkType.ToString();
        if (hosted.PinPath is not null) LinkUpgrade.RemovePin(hosted.PinPath);
        hosted.Link.Dispose();
        BpfLog.Detached(_logger, hosted.Program, ObjectName, kind, hosted.LinkId);
    }

    private void RemoveMapPins()
    {
        foreach (var pin in _mapPins) LinkUpgrade.RemovePin(pin);
        _mapPins.Clear();
        foreach (var dir in new[] { LinkDirectory, MapDirectory, _options.PinRoot })
            if (dir is not null && Directory.Exists(dir) && !Directory.EnumerateFileSystemEntries(dir).Any())
                Directory.Delete(dir);
    }

    /// <summary>What is wrong with the attachments: links detached behind the host's back, pins removed, readers stopped.</summary>
    internal IReadOnlyList<string> FindProblems()
    {
        List<HostedLink> links;
        List<EventPump> pumps;
        lock (_state) (links, pumps) = (_links.ToList(), _pumps.ToList());
        var problems = new List<string>();
        foreach (var hosted in links)
        {
            if (hosted.Link.Handle is null) continue; // no kernel link object to ask
            BpfLinkInfo info;
            try { info = hosted.Link.GetInfo(); }
            catch (ObjectDisposedException) { continue; } // the host is stopping
            if (AttachmentGone(info) is { } why)
                problems.Add($"program {hosted.Program}: link id {hosted.LinkId} is detached ({why})");
            else if (_options.KeepAttached && hosted.PinPath is not null && !File.Exists(hosted.PinPath))
                problems.Add($"program {hosted.Program}: the pin {hosted.PinPath} was removed, so the attachment ends with this process");
        }
        foreach (var pump in pumps)
            if (pump.Fault is { } fault) problems.Add($"the reader of map {pump.MapName} stopped: {fault.Message}");
        return problems;
    }

    /// <summary>A kernel link whose target was detached or removed reports the target as 0 (the link object itself lives on).</summary>
    private static string? AttachmentGone(BpfLinkInfo info) => info switch
    {
        XdpLinkInfo { Ifindex: 0 } => "no interface",
        TcxLinkInfo { Ifindex: 0 } => "no interface",
        NetkitLinkInfo { Ifindex: 0 } => "no interface",
        CgroupLinkInfo { CgroupId: 0 } => "no cgroup",
        NetnsLinkInfo { NetnsInode: 0 } => "no network namespace",
        SockmapLinkInfo { MapId: 0 } => "no map",
        StructOpsLinkInfo { MapId: 0 } => "no struct_ops map",
        _ => null,
    };

    internal IEnumerable<Measurement<long>> ObserveRuns() =>
        !_reportRuns ? [] : ProgramInfos().Select(p => new Measurement<long>((long)p.Info.RunCount, p.Tags));

    internal IEnumerable<Measurement<double>> ObserveRunTime() =>
        !_reportRuns ? [] : ProgramInfos().Select(p => new Measurement<double>(p.Info.RunTime.TotalSeconds, p.Tags));

    private IEnumerable<(BpfProgramInfo Info, KeyValuePair<string, object?>[] Tags)> ProgramInfos()
    {
        lock (_state)
        {
            if (_object is null) return [];
            return _object.Programs.Values.Where(p => p.Program is not null).Select(p =>
            {
                var info = p.Program!.GetInfo();
                return (info, new KeyValuePair<string, object?>[]
                {
                    new("bpf.object", ObjectName), new("bpf.program", p.Name), new("bpf.program.id", (long)info.Id),
                });
            }).ToList();
        }
    }

    internal IEnumerable<Measurement<long>> ObserveMapEntries()
    {
        if (_options.MapEntrySampleInterval is not { } interval) return [];
        lock (_state)
        {
            if (_object is null) return [];
            var now = DateTime.UtcNow;
            var result = new List<Measurement<long>>();
            foreach (var map in _object.Maps.Values)
            {
                if (map.Map is null || !HasKeys(map.Type)) continue;
                if (!_entrySamples.TryGetValue(map.Name, out var sample) || now - sample.At >= interval)
                    _entrySamples[map.Name] = sample = (now, map.Map.GetKeys().LongCount());
                result.Add(new Measurement<long>(sample.Count, new("bpf.object", ObjectName), new("bpf.map", map.Name)));
            }
            return result;
        }
    }

    /// <summary>Maps whose entries a key walk counts (not buffers, queues or arrays of programs and sockets).</summary>
    private static bool HasKeys(BpfMapType type) => type is BpfMapType.Hash or BpfMapType.PerCpuHash or BpfMapType.LruHash
        or BpfMapType.LruPerCpuHash or BpfMapType.LpmTrie or BpfMapType.HashOfMaps or BpfMapType.Array or BpfMapType.PerCpuArray;

    /// <summary>A host disposed without being stopped (its start failed, or it was never stopped) still releases the object as a stop would.</summary>
    public void Dispose()
    {
        if (_object is not null) Stop(_options.KeepAttached);
    }

    /// <summary>The object's name.</summary>
    public override string ToString() => $"hosted BPF object {Name}";
}
