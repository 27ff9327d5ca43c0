using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Threading.Channels;
using BpfSharp.Events;
using BpfSharp.Links;

namespace BpfSharp.Hosting;

/// <summary>
/// What <see cref="BpfServiceCollectionExtensions.AddBpfObject"/> hosts: the object, its changes before load,
/// where its programs attach, who receives its events, and whether its attachments outlive the host.
/// </summary>
public sealed class BpfHostedObjectOptions
{
    private readonly List<Action<BpfObject>> _beforeLoad = [];
    private readonly Dictionary<string, List<Func<CancellationToken, RecordHandler>>> _handlers = [];
    private readonly Dictionary<string, Func<BpfProgram, BpfLink>> _attachers = [];
    private readonly List<Action> _completions = [];
    private readonly HashSet<string> _loadOnly = new(StringComparer.Ordinal);

    /// <summary>The BPF object file (clang's <c>.bpf.o</c>). Either this or <see cref="ObjectStream"/>.</summary>
    public string? ObjectPath { get; set; }

    /// <summary>Opens the object's bytes (an embedded resource, a generated skeleton's bytes); read once at each start.</summary>
    public Func<Stream>? ObjectStream { get; set; }

    /// <summary>The object's name (prefix of its global data maps); by default the name given to AddBpfObject.</summary>
    public string? ObjectName { get; set; }

    /// <summary>
    /// The programs to load and attach; empty: every program the object loads by default. Programs outside
    /// this set are not loaded.
    /// </summary>
    public ISet<string> Programs { get; } = new HashSet<string>(StringComparer.Ordinal);

    /// <summary>
    /// The bpffs directory of this object's pins: maps are pinned under <c>maps/</c> and reused by the next
    /// start when their layout matches (refused, naming the map, when it does not); with
    /// <see cref="KeepAttached"/> links are pinned under <c>links/</c>. A start finds the links pinned there
    /// and replaces their programs instead of attaching again. A stop without KeepAttached removes them all.
    /// </summary>
    public string? PinRoot { get; set; }

    /// <summary>
    /// On stop, leave every attachment in place (pinned under <see cref="PinRoot"/>, which is then required,
    /// and disconnected) so that the next start upgrades it without a moment without a program. Default:
    /// stop detaches.
    /// </summary>
    public bool KeepAttached { get; set; }

    /// <summary>Count program runs and run time while the host runs (BPF_ENABLE_STATS; machine-wide while on), for the metrics.</summary>
    public bool EnableRunTimeStatistics { get; set; }

    /// <summary>When set, the <c>bpf.map.entries</c> metric counts each map's entries at most this often (a key walk of the map).</summary>
    public TimeSpan? MapEntrySampleInterval { get; set; }

    /// <summary>Options of the perf buffer readers (the lost-sample callback is the host's own).</summary>
    public PerfBufferOptions? PerfBuffer { get; set; }

    /// <summary>The verifier log level for every program (0: a log only on failure).</summary>
    public uint LogLevel { get; set; }

    /// <summary>Sets a global variable (<c>const volatile</c> in <c>.rodata</c>, or <c>.data</c>/<c>.bss</c>) before load.</summary>
    public BpfHostedObjectOptions SetVariable<T>(string name, T value) where T : unmanaged
    {
        _beforeLoad.Add(obj => Lookup(obj.Variables, name, "variable", obj).Set(value));
        return this;
    }

    /// <summary>Changes a map's <c>max_entries</c> before load (for a ring buffer: its size in bytes).</summary>
    public BpfHostedObjectOptions SetMaxEntries(string map, int maxEntries)
    {
        _beforeLoad.Add(obj => Lookup(obj.Maps, map, "map", obj).MaxEntries = maxEntries);
        return this;
    }

    /// <summary>Any other change to the opened object before load.</summary>
    public BpfHostedObjectOptions Configure(Action<BpfObject> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        _beforeLoad.Add(configure);
        return this;
    }

    /// <summary>
    /// Attaches <paramref name="program"/> with <paramref name="attach"/> instead of where its section name
    /// says (an XDP program needs an interface, a cgroup program a cgroup).
    /// </summary>
    public BpfHostedObjectOptions AttachWith(string program, Func<BpfProgram, BpfLink> attach)
    {
        ArgumentNullException.ThrowIfNull(attach);
        _attachers[program] = attach;
        return this;
    }

    /// <summary>Loads <paramref name="program"/> without attaching it (a tail call target, a program the application attaches itself).</summary>
    public BpfHostedObjectOptions LoadOnly(string program)
    {
        _loadOnly.Add(program);
        return this;
    }

    /// <summary>
    /// Hands each record of the ring buffer or perf buffer <paramref name="map"/> to <paramref name="handler"/>,
    /// on that map's reader thread; the span is valid only during the call.
    /// </summary>
    public BpfHostedObjectOptions OnRecord(string map, RecordHandler handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        return AddHandler(map, _ => handler);
    }

    private BpfHostedObjectOptions AddHandler(string map, Func<CancellationToken, RecordHandler> create)
    {
        if (!_handlers.TryGetValue(map, out var list)) _handlers[map] = list = [];
        list.Add(create);
        return this;
    }

    /// <summary>
    /// Writes each record of <paramref name="map"/>, read as a <typeparamref name="T"/>, to <paramref name="writer"/>;
    /// a full bounded channel makes the reader thread wait (the kernel's buffer then fills, as without a reader).
    /// The host completes the writer when it stops.
    /// </summary>
    public BpfHostedObjectOptions ToChannel<T>(string map, ChannelWriter<T> writer) where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(writer);
        _completions.Add(() => writer.TryComplete());
        return AddHandler(map, stop => record =>
        {
            if (record.Length < Unsafe.SizeOf<T>())
                throw new BpfFormatException($"record of map {map}", $"{record.Length} bytes are fewer than a {typeof(T).Name} ({Unsafe.SizeOf<T>()} bytes)");
            var value = MemoryMarshal.Read<T>(record);
            // A stop cancels the wait: the record is then dropped, as the kernel would have dropped it without a reader.
            while (!writer.TryWrite(value))
                if (!writer.WaitToWriteAsync(stop).AsTask().GetAwaiter().GetResult()) return;
        });
    }

    /// <summary>Reads the object from an embedded resource of <paramref name="assembly"/>.</summary>
    public BpfHostedObjectOptions FromEmbeddedResource(Assembly assembly, string resourceName)
    {
        ArgumentNullException.ThrowIfNull(assembly);
        ObjectStream = () => assembly.GetManifestResourceStream(resourceName)
            ?? throw new FileNotFoundException($"assembly {assembly.GetName().Name} has no embedded resource {resourceName}");
        return this;
    }

    internal IReadOnlyList<Action<BpfObject>> BeforeLoad => _beforeLoad;
    internal IReadOnlyDictionary<string, List<Func<CancellationToken, RecordHandler>>> Handlers => _handlers;
    internal IReadOnlyDictionary<string, Func<BpfProgram, BpfLink>> Attachers => _attachers;
    internal IReadOnlyList<Action> Completions => _completions;
    internal IReadOnlySet<string> LoadOnlyPrograms => _loadOnly;

    private static T Lookup<T>(IReadOnlyDictionary<string, T> items, string name, string what, BpfObject obj) =>
        items.TryGetValue(name, out var item) ? item
            : throw new ArgumentException($"BPF object {obj.Name} has no {what} named {name}", nameof(name));
}
