using System.Text;

namespace BpfSharp.Btf;

/// <summary>
/// The string section of a BTF blob being written: each distinct string once, offset 0 the empty string. For split
/// BTF a string the base already holds is referred to at the base's offset (the kernel resolves offsets below the
/// base's string length in the base), and the own section's offsets continue after the base's.
/// </summary>
internal sealed class BtfStringTable
{
    private readonly Dictionary<string, int> _offsets = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int>? _baseOffsets;
    private readonly MemoryStream _bytes = new();
    private readonly int _start;

    /// <param name="baseSpec">The base of split BTF, or null.</param>
    /// <param name="keep">
    /// A spec (on the same base) whose own string section is written first, unchanged, so that string offsets
    /// recorded elsewhere (line info in an object's <c>.BTF.ext</c>) stay valid.
    /// </param>
    public BtfStringTable(BtfSpec? baseSpec, BtfSpec? keep = null)
    {
        if (baseSpec is not null)
        {
            _start = baseSpec.StringsEnd;
            _baseOffsets = IndexStrings(baseSpec);
        }
        if (keep is not null)
        {
            if (keep.Base != baseSpec) throw new ArgumentException("the strings kept must be on the same base", nameof(keep));
            _bytes.Write(keep.OwnStrings);
            IndexOwn(keep, _offsets);
            // Where a split blob's own section has no empty string, the base's offset 0 serves.
            if (baseSpec is null) _offsets.TryAdd("", 0);
        }
        else if (baseSpec is null)
        {
            _bytes.WriteByte(0);
            _offsets[""] = 0;
        }
    }

    /// <summary>The offset of <paramref name="s"/>, adding it on first use.</summary>
    public int Add(string s)
    {
        if (_baseOffsets is not null && _baseOffsets.TryGetValue(s, out int inBase)) return inBase;
        if (_offsets.TryGetValue(s, out int offset)) return offset;
        if (s.Contains('\0')) throw new ArgumentException($"a BTF name cannot contain NUL: '{s.Replace("\0", "\\0")}'");
        offset = _start + (int)_bytes.Length;
        var bytes = Encoding.UTF8.GetBytes(s);
        _bytes.Write(bytes);
        _bytes.WriteByte(0);
        _offsets[s] = offset;
        return offset;
    }

    public int Length => (int)_bytes.Length;

    public void CopyTo(Span<byte> destination) => _bytes.GetBuffer().AsSpan(0, Length).CopyTo(destination);

    /// <summary>Every string of a spec and its bases, at its first (lowest) offset.</summary>
    private static Dictionary<string, int> IndexStrings(BtfSpec spec)
    {
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        var chain = new List<BtfSpec>();
        for (var s = spec; s is not null; s = s.Base) chain.Add(s);
        // The lowest offset wins, so the deepest base is indexed first.
        for (int k = chain.Count - 1; k >= 0; k--) IndexOwn(chain[k], index);
        return index;
    }

    private static void IndexOwn(BtfSpec spec, Dictionary<string, int> index)
    {
        var own = spec.OwnStrings;
        int at = 0;
        while (at < own.Length)
        {
            int end = own[at..].IndexOf((byte)0);
            index.TryAdd(Encoding.UTF8.GetString(own.Slice(at, end)), spec.StringBase + at);
            at += end + 1;
        }
    }
}
