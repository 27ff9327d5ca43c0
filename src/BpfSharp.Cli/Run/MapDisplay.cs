using BpfSharp.Btf;
using BpfSharp.Cli.Output;

namespace BpfSharp.Cli.Run;

/// <summary>
/// The object's maps other than event buffers and read-only data, decoded through their BTF; log2 histograms
/// (<c>--hist MAP</c>) drawn as the tools draw them. A map user space cannot read is skipped with a note, once.
/// </summary>
internal sealed class MapDisplay(BpfObject obj, bool json, Lock outputLock, IReadOnlyDictionary<string, string> histograms,
    IReadOnlyCollection<string> stackKeyed, Action<string> status)
{
    private readonly HashSet<string> _skipped = [];
    private readonly StackSymbolizer _symbolizer = new();
    private readonly HashSet<int> _goneNoted = [];

    /// <summary>Why user space cannot list a map of this type, or null when it can.</summary>
    private static string? Unreadable(BpfMapType type) => type switch
    {
        BpfMapType.CgroupArray => "a cgroup array holds cgroup fds the kernel does not hand back",
        BpfMapType.ProgArray => "a program array's values are program fds the kernel does not hand back",
        BpfMapType.ArrayOfMaps or BpfMapType.HashOfMaps => "a map of maps holds map fds the kernel does not hand back",
        BpfMapType.Queue or BpfMapType.Stack => "reading a queue or stack removes its elements",
        BpfMapType.BloomFilter => "a bloom filter cannot be listed",
        BpfMapType.SockMap or BpfMapType.SockHash or BpfMapType.ReuseportSockArray or BpfMapType.XskMap => "its values are sockets",
        BpfMapType.SkStorage or BpfMapType.InodeStorage or BpfMapType.TaskStorage or BpfMapType.CgrpStorage => "local storage is read through its owner's fd",
        _ => null,
    };

    private StackReferences? StacksOf(BpfObjectMap m) => StackReferences.Of(obj, m, _symbolizer, stackKeyed.Contains(m.Name));

    public void Show()
    {
        var shown = new List<(BpfObjectMap Map, List<(byte[] Key, byte[] Value)> Entries)>();
        foreach (var m in obj.Maps.Values)
        {
            if (m.Map is null || m.IsReadOnly || m.Type is BpfMapType.RingBuf or BpfMapType.UserRingBuf or BpfMapType.PerfEventArray) continue;
            // usdt.bpf.h's spec tables are BpfSharp's bookkeeping for bpf_usdt_arg(), not the tool's data.
            if (m.Name is "__bpf_usdt_specs" or "__bpf_usdt_ip_to_spec_id") continue;
            if (m.Type is BpfMapType.StackTrace)
            {
                // Its stacks are shown, symbolised, with the entries whose keys hold their ids.
                var referrers = obj.Maps.Values.Where(r => r != m && r.Map is not null && StacksOf(r) is not null).Select(r => r.Name).ToList();
                Skip(m, referrers.Count > 0 && StackReferences.StackMap(obj) == m
                    ? $"its stacks are shown with the entries of {string.Join(", ", referrers)}"
                    : "stack traces are shown, symbolised, only with the entries of a map whose key holds their ids (a member named *stack_id, or a map named with --stack-keys)");
                continue;
            }
            if (Unreadable(m.Type) is { } why)
            {
                Skip(m, why);
                continue;
            }
            try { shown.Add((m, MapEntryFormatter.ReadEntries(m.Map).ToList())); }
            catch (BpfException e) { Skip(m, e.Message); }
        }
        if (shown.Count == 0) return;
        lock (outputLock)
        {
            if (json) WriteJson(shown);
            else WriteText(shown);
        }
        foreach (int pid in _symbolizer.Gone.Where(_goneNoted.Add))
            status($"user stack addresses of pid {pid} are shown unnamed: the process has exited (its mappings are gone)");
    }

    private void Skip(BpfObjectMap m, string why)
    {
        if (_skipped.Add(m.Name)) status($"map {m.Name} ({KernelNames.Of(m.Type)}) is not shown: {why}");
    }

    private void WriteJson(List<(BpfObjectMap Map, List<(byte[] Key, byte[] Value)> Entries)> shown)
    {
        using var stdout = Console.OpenStandardOutput();
        using (var w = JsonOutput.CreateLineWriter(stdout))
        {
            w.WriteStartObject();
            w.WriteString("time", DateTime.Now.ToString("O"));
            w.WriteStartObject("maps");
            foreach (var (m, entries) in shown)
            {
                var formatter = new MapEntryFormatter(m.Map!, m.Map!.GetInfo());
                w.WriteStartArray(m.Name);
                var stacks = StacksOf(m);
                foreach (var (k, v) in entries) formatter.WriteEntry(w, k, v, stacks is null ? null : jw => stacks.WriteJson(jw, k));
                w.WriteEndArray();
            }
            w.WriteEndObject();
            w.WriteEndObject();
        }
        stdout.Write("\n"u8);
    }

    private void WriteText(List<(BpfObjectMap Map, List<(byte[] Key, byte[] Value)> Entries)> shown)
    {
        Console.WriteLine($"-- maps at {DateTime.Now:HH:mm:ss} --");
        foreach (var (m, entries) in shown)
        {
            var formatter = new MapEntryFormatter(m.Map!, m.Map!.GetInfo());
            Console.WriteLine($"{m.Name} ({KernelNames.Of(m.Type)}, {entries.Count} {(entries.Count == 1 ? "element" : "elements")}):");
            if (histograms.TryGetValue(m.Name, out var unit) && DrawHistograms(m, entries, formatter, unit)) continue;
            if (entries.Count == 1 && VariableHistograms.Draw(obj, m, entries[0].Value, histograms, Console.Out)) continue;
            var stacks = StacksOf(m);
            foreach (var (k, v) in entries.Take(64))
            {
                Console.WriteLine("  " + formatter.EntryText(k, v));
                stacks?.WriteText(Console.Out, k);
            }
            if (entries.Count > 64) Console.WriteLine($"  ... {entries.Count - 64} more (bpfsharp map dump {m.Map!.Id})");
        }
    }

    /// <summary>
    /// An array of integer counts is one histogram (index = slot); a map whose value holds an integer array (the
    /// tools' <c>struct hist { u32 slots[]; ... }</c>) is one histogram per key, its other fields as a heading.
    /// </summary>
    private bool DrawHistograms(BpfObjectMap m, List<(byte[] Key, byte[] Value)> entries, MapEntryFormatter formatter, string unit)
    {
        var btf = obj.Btf;
        int valueType = btf is null ? -1 : MapTypes.ValueTypeId(btf, m.Name) ?? -1;
        if (!formatter.IsPerCpu && m.Type is BpfMapType.Array && m.ValueSize is 4 or 8)
        {
            var counts = new ulong[entries.Count];
            foreach (var (k, v) in entries) counts[BitConverter.ToUInt32(k)] = m.ValueSize == 4 ? BitConverter.ToUInt32(v) : BitConverter.ToUInt64(v);
            Log2Histogram.Write(Console.Out, counts, unit);
            return true;
        }
        if (btf is null || valueType < 0 || formatter.IsPerCpu || btf[btf.SkipModifiers(valueType)] is not BtfStruct value) return false;
        var slots = value.Members.FirstOrDefault(x => btf[btf.SkipModifiers(x.TypeId)] is BtfArray a && btf[btf.SkipModifiers(a.ElementTypeId)] is BtfInt { Size: 4 or 8 });
        if (slots.Name is null) return false;
        var array = (BtfArray)btf[btf.SkipModifiers(slots.TypeId)];
        int size = ((BtfInt)btf[btf.SkipModifiers(array.ElementTypeId)]).Size;
        var valueFormatter = new BtfValueFormatter(btf);
        foreach (var (k, v) in entries)
        {
            var counts = new ulong[array.Length];
            for (int i = 0; i < counts.Length; i++)
            {
                int at = slots.ByteOffset + i * size;
                counts[i] = size == 4 ? BitConverter.ToUInt32(v, at) : BitConverter.ToUInt64(v, at);
            }
            var others = value.Members.Where(x => x.Name != slots.Name).Select(x => $"{x.Name}={valueFormatter.FormatText(x.TypeId, v.AsSpan(x.ByteOffset, btf.SizeOf(x.TypeId)))}");
            Console.WriteLine($"  key {formatter.KeyText(k)} {string.Join(" ", others)}".TrimEnd());
            Log2Histogram.Write(Console.Out, counts, unit);
        }
        return true;
    }
}
