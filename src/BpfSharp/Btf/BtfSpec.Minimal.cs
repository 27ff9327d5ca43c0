namespace BpfSharp.Btf;

public sealed partial class BtfSpec
{
    /// <summary>
    /// The part of a kernel's BTF that the CO-RE relocations of <paramref name="objects"/> need, as
    /// <c>bpftool gen min_core_btf</c> makes it: for a shipped agent, a file of a few kilobytes per kernel
    /// instead of the kernel's full BTF (BTFHub's use). Every relocation resolves against the result to the same
    /// offsets, sizes, existence answers and enum values as against <paramref name="fullKernelBtf"/>; pass the result
    /// as <see cref="BpfObjectOptions.KernelBtf"/> on a kernel without <c>/sys/kernel/btf/vmlinux</c>.
    /// </summary>
    /// <remarks>
    /// Kept: each struct or union a field access goes through, with only the members accessed (and the anonymous
    /// members around them) at their offsets and its size unchanged; a type a type relocation names, whole where
    /// <c>bpf_core_type_matches</c> compares its members; an enum an enum relocation reads. A struct or union reached
    /// only through a pointer is kept without members. Type ids are renumbered, so <c>bpf_core_type_id_kernel</c>
    /// answers, typed ksyms, kfuncs and struct_ops (which need the kernel's own ids) still need the full BTF.
    /// </remarks>
    /// <exception cref="BpfException">A relocation's candidates disagree, as loading against the full BTF would report.</exception>
    public static BtfSpec MinimalFor(IEnumerable<BpfObject> objects, BtfSpec fullKernelBtf)
    {
        ArgumentNullException.ThrowIfNull(objects);
        ArgumentNullException.ThrowIfNull(fullKernelBtf);
        var collector = new BtfMinimalCollector(fullKernelBtf);
        foreach (var obj in objects)
        {
            if (obj.Btf is not { } local || obj.BtfExt is not { } ext) continue;
            var relocator = new CoreRelocator(local, [fullKernelBtf]) { OnMatch = collector.Record };
            foreach (var relocations in ext.CoreRelocations.Values)
                foreach (var relocation in relocations)
                    relocator.Relocate(relocation);
        }
        return collector.Build().ToSpec();
    }
}

/// <summary>Collects what the relocations matched in a kernel's BTF and writes just that (<see cref="BtfSpec.MinimalFor"/>).</summary>
internal sealed class BtfMinimalCollector(BtfSpec full)
{
    // Of each struct or union kept, the members kept (by index); one without entries is written without members.
    private readonly Dictionary<int, SortedSet<int>> _members = [];
    private readonly HashSet<int> _roots = [];

    public void Record(BtfSpec spec, int targetId, CoreRelocationKind kind, CoreAccessPath? path)
    {
        if (spec != full) return;
        _roots.Add(targetId);
        if (kind == CoreRelocationKind.TypeMatches)
            KeepAllMembers(targetId, []);
        if (path is null) return;

        int current = path.Accessors[0].TypeId;
        for (int k = 1; k < path.Accessors.Count; k++)
        {
            var step = path.Accessors[k];
            if (!step.IsMember)
            {
                current = step.TypeId; // an array element, modifiers already skipped
                continue;
            }
            // The member may sit in anonymous structs and unions inside the type the step started from.
            KeepAnonymousChain(current, step.TypeId);
            Members(step.TypeId).Add(step.Index);
            current = full.SkipModifiers(((BtfComposite)full[step.TypeId]).Members[step.Index].TypeId);
        }
    }

    private SortedSet<int> Members(int compositeId)
    {
        if (!_members.TryGetValue(compositeId, out var set)) _members[compositeId] = set = [];
        return set;
    }

    /// <summary>Keeps the anonymous members leading from <paramref name="from"/> down to <paramref name="to"/>.</summary>
    private bool KeepAnonymousChain(int from, int to)
    {
        from = full.SkipModifiers(from);
        if (from == to) return true;
        if (full[from] is not BtfComposite c) return false;
        for (int i = 0; i < c.Members.Length; i++)
        {
            if (!c.Members[i].IsAnonymous || !KeepAnonymousChain(c.Members[i].TypeId, to)) continue;
            Members(from).Add(i);
            return true;
        }
        return false;
    }

    /// <summary><c>bpf_core_type_matches</c> compares every member, down to what is behind pointers.</summary>
    private void KeepAllMembers(int id, HashSet<int> seen)
    {
        id = full.SkipModifiers(id);
        while (full[id] is BtfArray a) id = full.SkipModifiers(a.ElementTypeId);
        if (full[id] is not BtfComposite c || !seen.Add(id)) return;
        var set = Members(id);
        for (int i = 0; i < c.Members.Length; i++)
        {
            set.Add(i);
            KeepAllMembers(c.Members[i].TypeId, seen);
        }
    }

    /// <summary>Everything kept, renumbered in the full BTF's order.</summary>
    public BtfBuilder Build()
    {
        // Closure: a kept struct or union brings its kept members' types, any other type everything it names.
        var kept = new HashSet<int>();
        var pending = new Stack<int>(_roots.Concat(_members.Keys));
        while (pending.Count > 0)
        {
            int id = pending.Pop();
            if (id == 0 || !kept.Add(id)) continue;
            var t = full[id];
            if (t is BtfComposite c)
            {
                if (_members.TryGetValue(id, out var set))
                    foreach (int i in set) pending.Push(c.Members[i].TypeId);
                continue;
            }
            foreach (int r in BtfRecord.From(t).References()) pending.Push(r);
        }

        var order = kept.Order().ToArray();
        var newIds = new Dictionary<int, int> { [0] = 0 };
        for (int i = 0; i < order.Length; i++) newIds[order[i]] = i + 1;
        var b = new BtfBuilder();
        foreach (int id in order)
        {
            var t = full[id];
            if (t is BtfComposite c)
            {
                var members = _members.TryGetValue(id, out var set)
                    ? set.Select(i => c.Members[i] with { TypeId = newIds[c.Members[i].TypeId] }).ToArray()
                    : [];
                if (c is BtfStruct) b.AddStruct(c.Name, c.Size, members, c.HasBitfieldOffsets);
                else b.AddUnion(c.Name, c.Size, members, c.HasBitfieldOffsets);
                continue;
            }
            b.Add(t, old => newIds[old]);
        }
        return b;
    }
}
