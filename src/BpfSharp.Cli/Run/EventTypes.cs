using BpfSharp.Btf;

namespace BpfSharp.Cli.Run;

/// <summary>
/// Which struct of an object's BTF its event records are. Named <c>--event-type</c>, or guessed: the named
/// structs the object defines for itself, that is, not kernel types it reads through CO-RE (flavoured
/// <c>name___x</c> or relocated), not program contexts (pointee of a program's parameter) and not members of
/// another candidate. A record then takes the one candidate left, or the one whose size matches it.
/// </summary>
internal sealed class EventTypes
{
    private readonly List<BtfStruct> _candidates;

    private EventTypes(List<BtfStruct> candidates) => _candidates = candidates;

    public IReadOnlyList<BtfStruct> Candidates => _candidates;

    public static EventTypes Named(BtfSpec btf, string name)
    {
        var matches = btf.Types.OfType<BtfStruct>().Where(s => s.Name == name).ToList();
        if (matches.Count == 0)
        {
            var known = string.Join(", ", btf.Types.OfType<BtfStruct>().Where(s => !s.IsAnonymous).Select(s => s.Name).Distinct().Take(20));
            throw new CliError($"--event-type {name}: the object's BTF has no struct {name} (it has: {(known.Length == 0 ? "none" : known)})");
        }
        return new EventTypes([matches[0]]);
    }

    public static EventTypes Guess(BtfSpec? btf, IReadOnlySet<int> coreRelocatedTypes, IReadOnlySet<string> programNames)
    {
        if (btf is null) return new EventTypes([]);
        var excluded = new HashSet<int>(coreRelocatedTypes);
        foreach (var t in btf.Types)
        {
            // A program's parameter is its context (a tracepoint record, pt_regs), never an event.
            if (t is BtfFunc f && programNames.Contains(f.Name))
                foreach (var p in f.Proto.Parameters) ExcludePointee(btf, p.TypeId, excluded);
        }
        var candidates = btf.Types.OfType<BtfStruct>()
            .Where(s => !s.IsAnonymous && !s.Name.Contains("___", StringComparison.Ordinal) && s.Members.Length > 0 && !excluded.Contains(s.Id))
            .ToList();
        // A struct nested in another candidate is part of that event, not an event itself.
        var nested = new HashSet<int>();
        foreach (var s in candidates)
            foreach (var m in s.Members)
                if (btf[Resolve(btf, m.TypeId)] is BtfStruct inner) nested.Add(inner.Id);
        candidates.RemoveAll(s => nested.Contains(s.Id));
        return new EventTypes(candidates);
    }

    private static void ExcludePointee(BtfSpec btf, int id, HashSet<int> excluded)
    {
        id = Resolve(btf, id);
        if (btf[id] is BtfPointer p) excluded.Add(Resolve(btf, p.TargetId));
    }

    private static int Resolve(BtfSpec btf, int id)
    {
        for (int guard = 0; guard < 32; guard++)
        {
            switch (btf[id])
            {
                case BtfTypedef td: id = td.TargetId; break;
                case BtfModifier m: id = m.TargetId; break;
                case BtfArray a: id = a.ElementTypeId; break;
                default: return id;
            }
        }
        return id;
    }

    /// <summary>
    /// The struct a record of <paramref name="length"/> bytes is; <paramref name="padded"/> allows up to 7 bytes of
    /// padding after it (perf buffer records).
    /// </summary>
    public BtfStruct? For(int length, bool padded)
    {
        if (_candidates.Count == 1) return _candidates[0];
        BtfStruct? match = null;
        foreach (var s in _candidates)
        {
            bool fits = padded ? length >= s.Size && length - s.Size < 8 : length == s.Size;
            if (!fits) continue;
            if (match is not null) return null; // two candidates fit: do not guess
            match = s;
        }
        return match;
    }
}
