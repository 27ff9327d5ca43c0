namespace BpfSharp.Btf;

/// <summary>
/// Finds identical types by partition refinement (as a DFA is minimised): types start grouped by what their own
/// record says (kind, name, flags, sizes, values, member names), and a group is split until every two types in it
/// refer, position by position, to types of the same group. What is left are the largest sets of types that no
/// walk through the type graph can tell apart, so identical cyclic structures merge too.
/// </summary>
internal static class BtfDeduplicator
{
    /// <summary>The new id of every id of <paramref name="builder"/> (base ids map to themselves).</summary>
    public static int[] Run(BtfBuilder builder)
    {
        int count = builder.Count, first = builder.FirstTypeId;
        var records = new BtfRecord?[count];
        // Base types take part so that a split type identical to one of them becomes it.
        for (int id = 1; id < first; id++) records[id] = BtfRecord.From(builder.Base![id]);
        for (int id = first; id < count; id++) records[id] = builder.Records[id - first];

        var classes = new int[count];
        var local = new Dictionary<BtfRecord, int>(LocalContent.Instance);
        for (int id = 1; id < count; id++)
        {
            if (!local.TryGetValue(records[id]!, out int c)) local[records[id]!] = c = local.Count + 1;
            classes[id] = c; // void alone is class 0
        }
        int classCount = local.Count + 1;

        while (true)
        {
            var refined = new Dictionary<int[], int>(IntArrayComparer.Instance);
            var next = new int[count];
            for (int id = 1; id < count; id++)
            {
                var r = records[id]!;
                var key = new int[1 + r.References().Count()];
                key[0] = classes[id];
                int k = 1;
                // A reference out of range is left for Build to report; here it only has to be told apart.
                foreach (int target in r.References())
                    key[k++] = (uint)target < (uint)count ? classes[target] : -target - 1;
                if (!refined.TryGetValue(key, out int c)) refined[key] = c = refined.Count + 1;
                next[id] = c;
            }
            classes = next;
            if (refined.Count + 1 == classCount) break;
            classCount = refined.Count + 1;
        }

        // Of each group, the lowest id stands for all; own representatives are renumbered densely.
        var representative = new int[classCount];
        Array.Fill(representative, -1);
        var map = new int[count];
        int nextId = first;
        for (int id = 1; id < count; id++)
        {
            ref int rep = ref representative[classes[id]];
            if (id < first)
            {
                map[id] = id;
                if (rep < 0) rep = id;
            }
            else if (rep < 0)
            {
                rep = id;
                map[id] = nextId++;
            }
            else
            {
                map[id] = map[rep];
            }
        }
        return map;
    }

    /// <summary>Equality of what a record says itself, type ids left out.</summary>
    private sealed class LocalContent : IEqualityComparer<BtfRecord>
    {
        public static readonly LocalContent Instance = new();

        public bool Equals(BtfRecord? a, BtfRecord? b)
        {
            if (a!.Kind != b!.Kind || a.Name != b.Name || a.KindFlag != b.KindFlag || a.Vlen != b.Vlen
                || a.Words.Length != b.Words.Length)
                return false;
            if (!a.SizeOrTypeIsId && a.SizeOrType != b.SizeOrType) return false;
            for (int i = 0; i < a.Words.Length; i++)
                if (!a.IsIdWord(i) && a.Words[i] != b.Words[i]) return false;
            return a.ItemNames is null || a.ItemNames.AsSpan().SequenceEqual(b.ItemNames);
        }

        public int GetHashCode(BtfRecord r)
        {
            var h = new HashCode();
            h.Add(r.Kind);
            h.Add(r.Name);
            h.Add(r.Vlen);
            if (!r.SizeOrTypeIsId) h.Add(r.SizeOrType);
            for (int i = 0; i < r.Words.Length; i++)
                if (!r.IsIdWord(i)) h.Add(r.Words[i]);
            if (r.ItemNames is { Length: > 0 } names) h.Add(names[0]);
            return h.ToHashCode();
        }
    }

    private sealed class IntArrayComparer : IEqualityComparer<int[]>
    {
        public static readonly IntArrayComparer Instance = new();

        public bool Equals(int[]? a, int[]? b) => a.AsSpan().SequenceEqual(b);

        public int GetHashCode(int[] a)
        {
            var h = new HashCode();
            foreach (int x in a) h.Add(x);
            return h.ToHashCode();
        }
    }
}
