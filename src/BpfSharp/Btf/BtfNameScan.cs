using System.Runtime.InteropServices;

namespace BpfSharp.Btf;

/// <summary>
/// Name lookups without an index, for a spec that is asked few names (relocating one object against a freshly
/// parsed vmlinux asks a handful): find where the name lies in the string sections, then the types whose name
/// offset is one of those places. Both passes are sequential over memory, about 0.35 ms on vmlinux, where
/// hashing every name into a <see cref="BtfNameIndex"/> takes about 8 ms (its reads of the names are scattered
/// over the 2 MB of strings). <see cref="BtfSpec"/> builds the index once a spec has been asked more names than
/// <see cref="LookupsBeforeIndex"/>.
/// </summary>
internal static class BtfNameScan
{
    public const int LookupsBeforeIndex = 16;

    /// <summary>
    /// Adds the offsets in <paramref name="spec"/>'s own string section whose string is exactly the name in
    /// <paramref name="terminated"/> (the name and its NUL). Every place that NUL-terminated name occurs counts, the
    /// middle of a longer string too: a blob may name a type by the tail of another string.
    /// </summary>
    public static void AddStringOffsets(BtfSpec spec, ReadOnlySpan<byte> terminated, List<int> offsets)
    {
        var strings = spec.OwnStrings;
        int position = 0;
        while (true)
        {
            int found = strings[position..].IndexOf(terminated);
            if (found < 0)
                return;
            position += found;
            offsets.Add(spec.StringBase + position);
            position++;
        }
    }

    /// <summary>
    /// The first own type (a local index) after <paramref name="after"/> named at one of <paramref name="offsets"/>, or −1.
    /// The offsets are in increasing order (sections are searched from the root base up).
    /// </summary>
    public static int Next(BtfSpec spec, List<int> offsets, int after)
    {
        var sorted = CollectionsMarshal.AsSpan(offsets);
        if (sorted.IsEmpty)
            return -1;
        int low = sorted[0], high = sorted[^1];
        int count = spec.Count - spec.FirstTypeId;
        for (int local = after + 1; local < count; local++)
        {
            int nameOffset = spec.GetLocalNameOffset(local);
            if (nameOffset >= low && nameOffset <= high && (sorted.Length == 1 || sorted.BinarySearch(nameOffset) >= 0))
                return local;
        }
        return -1;
    }
}
