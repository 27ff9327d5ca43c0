using BpfSharp.Btf;

namespace BpfSharp.Cli.Run;

/// <summary>
/// Which struct a ring or perf buffer record is. Named with <c>--event-type</c> (from the object's BTF or from
/// <c>--types</c>), or found in the object's own types, most telling first: the event map's declared value type;
/// a struct named like the map (<c>events</c> → <c>event</c>) or <c>event</c>; a struct the object's map values or
/// global variables hold (never a map's key type). A kernel struct the object only reads (through CO-RE, or a program's context) is never a
/// candidate: its size may equal a record's by chance. A candidate must fit the record: the same size (perf
/// records are padded to 8 bytes), or shorter when the struct ends in a buffer the program fills in part
/// (execsnoop sends <c>struct event</c> up to its last argument). A struct the user gave (<c>--event-type</c>, or
/// declared with <c>--types</c>) may also be cut inside an earlier buffer (ksnoop's <c>struct trace</c> stops in <c>buf</c>, before what only its user
/// space fills); a guessed one may not, lest a struct fit a record by chance.
/// </summary>
internal sealed class EventTypes
{
    private readonly List<BtfStruct>? _given;
    private readonly BtfSpec? _btf;
    private readonly Dictionary<string, List<BtfStruct>[]> _tiers = [];
    private readonly List<BtfStruct> _owned;
    private readonly HashSet<int> _kernel;

    private EventTypes(List<BtfStruct>? given, BtfSpec? btf, List<BtfStruct> owned, HashSet<int> kernel)
    {
        _given = given;
        _btf = btf;
        _owned = owned;
        _kernel = kernel;
    }

    /// <summary>The struct <paramref name="name"/> of <paramref name="btf"/>: every record that fits it is decoded with it.</summary>
    public static EventTypes Named(BtfSpec btf, string name, string source)
    {
        var matches = btf.Types.OfType<BtfStruct>().Where(s => s.Name == name).ToList();
        if (matches.Count == 0)
        {
            var known = string.Join(", ", btf.Types.OfType<BtfStruct>().Where(s => !s.IsAnonymous).Select(s => s.Name).Distinct().Take(20));
            throw new CliError($"--event-type {name}: {source} has no struct {name} (it has: {(known.Length == 0 ? "none" : known)})");
        }
        return new EventTypes([matches[0]], btf, [], []);
    }

    /// <summary>
    /// The structs of <c>--types</c> declarations: the only one, or among several the one named like the map or
    /// <c>event</c> (a header declares helper structs too, and one of those may have a record's size by chance).
    /// </summary>
    public static EventTypes Declared(BtfSpec btf, IEnumerable<string> structs) =>
        new(structs.Select(n => btf.Types.OfType<BtfStruct>().First(s => s.Name == n)).ToList(), btf, [], []);

    public static EventTypes Guess(BpfObject obj)
    {
        if (obj.Btf is not { } btf) return new EventTypes(null, null, [], []);
        var kernel = KernelTypes(obj, btf);
        var owned = new List<BtfStruct>();
        var seen = new HashSet<int>();
        foreach (var id in HeldTypes(obj, btf))
            if (StructBehind(btf, id) is { } s && !kernel.Contains(s.Id) && !s.IsAnonymous
                && !s.Name.Contains("___", StringComparison.Ordinal) && s.Members.Length > 0 && seen.Add(s.Id))
                owned.Add(s);
        return new EventTypes(null, btf, owned, kernel);
    }

    /// <summary>A one-line description of what was looked for, for the hint shown with hex records.</summary>
    public string Describe(string map)
    {
        var all = Tiers(map).SelectMany(t => t).Distinct().ToList();
        if (_given is { Count: > 1 } && all.Count == 0)
            return $"--types declares {string.Join(", ", _given.Select(s => s.Name))}, none named {map} or event: --event-type NAME chooses";
        return all.Count == 0 ? "the object's BTF names no struct for it" : $"candidates {string.Join(", ", all.Select(s => $"{s.Name} ({s.Size} bytes)"))} do not fit";
    }

    /// <summary>
    /// The struct a record of <paramref name="length"/> bytes from <paramref name="map"/> is, or null when none fits
    /// or two fit equally; <paramref name="padded"/> allows up to 7 bytes of padding after it (perf buffer records).
    /// </summary>
    public BtfStruct? For(string map, int length, bool padded)
    {
        foreach (var tier in Tiers(map))
        {
            // A struct the user gave may be sent cut inside any of its buffers (ksnoop's trace stops in buf, before
            // members only its user space fills); a guessed one only inside its last, lest a struct fit by chance.
            bool given = _given is not null;
            var fitting = tier.Where(s => Fits(s, length, padded) || (given && EndsInsideABuffer(s, length))).ToList();
            if (fitting.Count == 1) return fitting[0];
            if (fitting.Count > 1) return fitting.Count(s => s.Size == length) == 1 ? fitting.Single(s => s.Size == length) : null;
        }
        return null;
    }

    /// <summary>Whether a record of <paramref name="length"/> bytes can be <paramref name="s"/>.</summary>
    public static bool Fits(BtfStruct s, int length, bool padded)
    {
        if (length == s.Size || (padded && length > s.Size && length - s.Size < 8)) return true;
        // Shorter: only when the struct ends in an array the record reaches into (a buffer sent in part).
        if (length > s.Size || s.Members.Length == 0) return false;
        var last = s.Members[^1];
        return s.Spec[s.Spec.SkipModifiers(last.TypeId)] is BtfArray && length >= last.ByteOffset;
    }

    /// <summary>
    /// Whether a record of <paramref name="length"/> bytes, shorter than <paramref name="s"/>, stops inside one of its
    /// array members (or at either end of one): a buffer sent as far as it was filled, the members after it unsent.
    /// </summary>
    public static bool EndsInsideABuffer(BtfStruct s, int length) =>
        length < s.Size && s.Members.Any(m => !m.IsBitfield && s.Spec[s.Spec.SkipModifiers(m.TypeId)] is BtfArray
                                              && s.Spec.TryGetSize(m.TypeId, out int size) && m.ByteOffset <= length && length <= m.ByteOffset + size);

    private List<BtfStruct>[] Tiers(string map)
    {
        if (_tiers.TryGetValue(map, out var tiers)) return tiers;
        if (_given is not null)
        {
            tiers = [_given.Count == 1 ? _given : _given.Where(s => RecordNames(map).Contains(s.Name)).ToList()];
            _tiers[map] = tiers;
            return tiers;
        }
        var declared = new List<BtfStruct>();
        var named = new List<BtfStruct>();
        if (_btf is not null)
        {
            if (MapTypes.ValueTypeId(_btf, map) is int v && StructBehind(_btf, v) is { } s) declared.Add(s);
            var names = RecordNames(map);
            named.AddRange(_btf.Types.OfType<BtfStruct>().Where(t => names.Contains(t.Name) && t.Members.Length > 0 && !_kernel.Contains(t.Id)));
        }
        tiers = [declared, named, _owned];
        _tiers[map] = tiers;
        return tiers;
    }

    /// <summary>The names a record struct of <paramref name="map"/> goes by: the map's, its singular (<c>events</c> → <c>event</c>), <c>event</c>.</summary>
    private static string[] RecordNames(string map) => [map, map.EndsWith('s') ? map[..^1] : map, "event"];

    /// <summary>
    /// Types the object's map values and global variables hold (a record is built in one of those: a per-CPU heap
    /// map's value, a global buffer). Map keys are left out: a key struct says how something is counted, never what
    /// is sent, and its size can equal a record's (padded perf records by up to 7 bytes).
    /// </summary>
    private static IEnumerable<int> HeldTypes(BpfObject obj, BtfSpec btf)
    {
        foreach (var v in obj.Variables.Values) yield return v.TypeId;
        foreach (var m in obj.Maps.Values)
            if (MapTypes.ValueTypeId(btf, m.Name) is int v) yield return v;
    }

    /// <summary>The struct behind typedefs, qualifiers, pointers and arrays (<c>const struct event *const</c>), if any.</summary>
    private static BtfStruct? StructBehind(BtfSpec btf, int id)
    {
        for (int guard = 0; guard < 32; guard++)
        {
            switch (btf[btf.SkipModifiers(id)])
            {
                case BtfPointer p: id = p.TargetId; break;
                case BtfArray a: id = a.ElementTypeId; break;
                case BtfStruct s: return s;
                default: return null;
            }
        }
        return null;
    }

    /// <summary>
    /// Structs of the kernel's that the object reads: CO-RE relocation targets, program contexts (a program's
    /// parameter), and every struct reachable from those through members and pointers (task_struct brings hundreds).
    /// </summary>
    private static HashSet<int> KernelTypes(BpfObject obj, BtfSpec btf)
    {
        var roots = new List<int>();
        if (obj.Elf.FindSection(".BTF.ext") is { } ext)
            roots.AddRange(BtfExt.Parse(ext.Data.Span, btf).CoreRelocations.Values.SelectMany(v => v).Select(c => c.TypeId));
        foreach (var f in btf.Types.OfType<BtfFunc>())
            if (obj.Programs.ContainsKey(f.Name))
                roots.AddRange(f.Proto.Parameters.Select(p => p.TypeId));
        var kernel = new HashSet<int>();
        var work = new Stack<int>(roots);
        while (work.Count > 0)
        {
            int id = btf.SkipModifiers(work.Pop());
            switch (btf[id])
            {
                case BtfPointer p: work.Push(p.TargetId); break;
                case BtfArray a: work.Push(a.ElementTypeId); break;
                case BtfComposite c when kernel.Add(c.Id):
                    foreach (var m in c.Members) work.Push(m.TypeId);
                    break;
            }
        }
        return kernel;
    }
}
