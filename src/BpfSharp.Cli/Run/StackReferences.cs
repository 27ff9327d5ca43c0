using System.Buffers.Binary;
using System.Text.Json;
using BpfSharp.Btf;

namespace BpfSharp.Cli.Run;

/// <summary>
/// The stack traces a map's entries refer to. Tools keep each stack once in a <c>BPF_MAP_TYPE_STACK_TRACE</c> map
/// and its id (what <c>bpf_get_stackid</c> returned) in the key of their own map, beside the thread it is of
/// (offcputime's <c>struct key_t { u32 pid; u32 tgid; int user_stack_id; int kern_stack_id; }</c>). A 32-bit
/// integer member whose name holds <c>stack_id</c> or <c>stackid</c> is such an id; the process of its user
/// addresses is the struct's <c>tgid</c> (else <c>pid</c>). A map whose whole key is a stack id (klockstat's
/// <c>stat_map</c>, keyed by a bare <c>s32</c>) says nothing of it in its types: it is named with
/// <c>--stack-keys MAP</c> (a guess could take a CPU number for a stack id). The object must have exactly one stack
/// trace map.
/// </summary>
internal sealed class StackReferences
{
    private readonly BpfMap _stacks;
    private readonly StackSymbolizer _symbolizer;
    private readonly List<(string Name, int Offset)> _ids;
    private readonly int _pidOffset;

    private StackReferences(BpfMap stacks, StackSymbolizer symbolizer, List<(string Name, int Offset)> ids, int pidOffset)
    {
        _stacks = stacks;
        _symbolizer = symbolizer;
        _ids = ids;
        _pidOffset = pidOffset;
    }

    /// <summary>The stack trace map of <paramref name="obj"/> when it has exactly one, loaded.</summary>
    public static BpfObjectMap? StackMap(BpfObject obj) =>
        obj.Maps.Values.Where(m => m.Type == BpfMapType.StackTrace && m.Map is not null).ToList() is [var only] ? only : null;

    /// <summary>
    /// The stack ids in the keys of <paramref name="map"/>, or null when its key holds none; with
    /// <paramref name="keyIsStackId"/> (<c>--stack-keys</c>), its whole key is one.
    /// </summary>
    public static StackReferences? Of(BpfObject obj, BpfObjectMap map, StackSymbolizer symbolizer, bool keyIsStackId = false)
    {
        if (keyIsStackId) return new StackReferences(RequireStackKeyed(obj, map.Name).Map!, symbolizer, [("stack", 0)], -1);
        if (obj.Btf is not { } btf || StackMap(obj) is not { } stacks || MapTypes.KeyTypeId(btf, map.Name) is not int keyType
            || btf[btf.SkipModifiers(keyType)] is not BtfStruct key)
            return null;
        var ids = key.Members.Where(m => (m.Name.Contains("stack_id", StringComparison.Ordinal) || m.Name.Contains("stackid", StringComparison.Ordinal))
                && !m.IsBitfield && btf[btf.SkipModifiers(m.TypeId)] is BtfInt { Size: 4 })
            .Select(m => (m.Name, m.ByteOffset)).ToList();
        if (ids.Count == 0) return null;
        int pid = -1;
        foreach (var name in new[] { "tgid", "pid" })
            if (pid < 0 && key.TryGetMember(name, out var m) && btf[btf.SkipModifiers(m.TypeId)] is BtfInt { Size: 4 }) pid = m.ByteOffset;
        return new StackReferences(stacks.Map!, symbolizer, ids, pid);
    }

    /// <summary>
    /// The stack trace map the keys of <paramref name="name"/> refer to (<c>--stack-keys</c>); refused unless the object
    /// has that map, its key is a 32-bit id, and there is exactly one stack trace map for it to be an id in.
    /// </summary>
    public static BpfObjectMap RequireStackKeyed(BpfObject obj, string name)
    {
        if (!obj.Maps.TryGetValue(name, out var map))
            throw new CliError($"--stack-keys {name}: {obj.Name} has no map {name} (it has {string.Join(", ", obj.Maps.Keys)})");
        if (map.KeySize != 4)
            throw new CliError($"--stack-keys {name}: its key is {map.KeySize} bytes, not a 32-bit stack id");
        var stackMaps = obj.Maps.Values.Where(m => m.Type == BpfMapType.StackTrace).Select(m => m.Name).ToList();
        return StackMap(obj) ?? throw new CliError($"--stack-keys {name}: {obj.Name} has {(stackMaps.Count == 0 ? "no stack trace map" : $"{stackMaps.Count} stack trace maps ({string.Join(", ", stackMaps)})")}, so its ids refer to none");
    }

    /// <summary>Each stack id member of <paramref name="key"/> with its frames, or why it has none.</summary>
    public IEnumerable<(string Member, List<StackFrame>? Frames, string? Missing)> Stacks(ReadOnlySpan<byte> key)
    {
        int? pid = _pidOffset >= 0 ? BinaryPrimitives.ReadInt32LittleEndian(key[_pidOffset..]) : null;
        var result = new List<(string, List<StackFrame>?, string?)>();
        var value = new byte[_stacks.ValueBufferSize];
        foreach (var (name, offset) in _ids)
        {
            int id = BinaryPrimitives.ReadInt32LittleEndian(key[offset..]);
            if (id < 0)
            {
                // bpf_get_stackid's error: -EFAULT (no user stack: a kernel thread), -EEXIST (a hash collision), -ENOMEM...
                result.Add((name, null, Enum.IsDefined((Errno)(-id)) ? $"no stack ({(Errno)(-id)})" : $"no stack ({id})"));
                continue;
            }
            if (!_stacks.TryLookup(BitConverter.GetBytes(id), value))
            {
                result.Add((name, null, $"stack {id} is no longer in {_stacks.Name}"));
                continue;
            }
            var frames = new List<StackFrame>();
            for (int at = 0; at + 8 <= value.Length; at += 8)
            {
                ulong address = BinaryPrimitives.ReadUInt64LittleEndian(value.AsSpan(at));
                if (address == 0) break;
                frames.Add(_symbolizer.Symbolize(address, pid));
            }
            result.Add((name, frames, null));
        }
        return result;
    }

    /// <summary>The stacks as text lines under an entry: "    kern_stack_id:" then one frame a line.</summary>
    public void WriteText(TextWriter o, ReadOnlySpan<byte> key)
    {
        foreach (var (member, frames, missing) in Stacks(key))
        {
            if (frames is null)
            {
                o.WriteLine($"    {member}: {missing}");
                continue;
            }
            o.WriteLine($"    {member}:");
            foreach (var f in frames) o.WriteLine($"      {f}");
        }
    }

    /// <summary>The stacks as a JSON property: <c>"stacks": {"kern_stack_id": [{"address": "0x...", "symbol": ..., "offset": ..., "where": ...}]}</c>.</summary>
    public void WriteJson(Utf8JsonWriter w, ReadOnlySpan<byte> key)
    {
        w.WriteStartObject("stacks");
        foreach (var (member, frames, missing) in Stacks(key))
        {
            if (frames is null)
            {
                w.WriteString(member, missing);
                continue;
            }
            w.WriteStartArray(member);
            foreach (var f in frames)
            {
                w.WriteStartObject();
                w.WriteString("address", $"0x{f.Address:x}");
                if (f.Symbol is not null)
                {
                    w.WriteString("symbol", f.Symbol);
                    w.WriteNumber("offset", f.Offset);
                }
                if (f.Where is not null) w.WriteString("where", f.Where);
                w.WriteEndObject();
            }
            w.WriteEndArray();
        }
        w.WriteEndObject();
    }
}
