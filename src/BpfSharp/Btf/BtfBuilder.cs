using System.Buffers.Binary;

namespace BpfSharp.Btf;

/// <summary>
/// Builds BTF in code and writes it as a raw blob, the format of <c>/sys/kernel/btf/vmlinux</c> and of
/// <c>BPF_BTF_LOAD</c>: types added one by one (each <c>Add...</c> returns the new type's id), or copied from a
/// parsed <see cref="BtfSpec"/>, then <see cref="Build"/>. With a base spec the result is split BTF: ids continue
/// the base's and names the base already has are referred to there.
/// </summary>
/// <remarks>
/// A type may refer to an id not added yet (a struct holding a pointer to itself), so ids are checked by
/// <see cref="Build"/>, not when added. The string table is always deduplicated; identical types are merged only
/// when asked (<see cref="Deduplicate"/>), because that renumbers them.
/// </remarks>
public sealed class BtfBuilder
{
    private const int HeaderLength = 24;
    private readonly List<BtfRecord> _records = [];

    /// <param name="baseSpec">Write split BTF on this base (a kernel module's BTF on vmlinux); null for a base blob.</param>
    public BtfBuilder(BtfSpec? baseSpec = null)
    {
        Base = baseSpec;
        FirstTypeId = baseSpec?.Count ?? 1;
    }

    /// <summary>The base the blob is split on, or null.</summary>
    public BtfSpec? Base { get; }

    /// <summary>The id of the first type added: 1, or <c>Base.Count</c> for split BTF.</summary>
    public int FirstTypeId { get; }

    /// <summary>One past the last id: the id the next added type gets.</summary>
    public int Count => FirstTypeId + _records.Count;

    /// <summary>A builder holding a copy of every type <paramref name="spec"/> itself defines (ids unchanged), split on its base when it has one.</summary>
    /// <param name="keepStrings">
    /// Write <paramref name="spec"/>'s string section first, byte for byte, so that string offsets recorded outside
    /// the BTF (an object's line info) stay valid; new names are added after it.
    /// </param>
    public static BtfBuilder From(BtfSpec spec, bool keepStrings = false)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var builder = new BtfBuilder(spec.Base) { _keepStringsOf = keepStrings ? spec : null };
        for (int id = spec.FirstTypeId; id < spec.Count; id++)
            builder._records.Add(BtfRecord.From(spec[id]));
        return builder;
    }

    /// <summary>An empty builder on <paramref name="spec"/>'s base whose string section starts as <paramref name="spec"/>'s, unchanged (see <see cref="From"/>).</summary>
    public static BtfBuilder WithStringsOf(BtfSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return new BtfBuilder(spec.Base) { _keepStringsOf = spec };
    }

    private BtfSpec? _keepStringsOf;

    /// <summary>
    /// Copies a parsed type; the ids it refers to are passed through <paramref name="mapId"/> (unchanged when null),
    /// for copying types from another spec into this builder's numbering.
    /// </summary>
    public int Add(BtfType type, Func<int, int>? mapId = null)
    {
        ArgumentNullException.ThrowIfNull(type);
        var record = BtfRecord.From(type);
        if (mapId is not null) record.RemapIds(mapId);
        return Append(record);
    }

    /// <param name="bits">Value bits; 0 means the whole storage (<paramref name="size"/> × 8).</param>
    public int AddInt(string name, int size, BtfIntEncoding encoding = BtfIntEncoding.None, int bits = 0, int bitOffset = 0)
    {
        if (size is not (1 or 2 or 4 or 8 or 16)) throw new ArgumentOutOfRangeException(nameof(size), size, "an INT is 1, 2, 4, 8 or 16 bytes");
        if (bits == 0) bits = size * 8;
        if (bits < 0 || bitOffset < 0 || bits + bitOffset > size * 8)
            throw new ArgumentOutOfRangeException(nameof(bits), bits, $"{bits} bits at bit {bitOffset} do not fit {size} bytes");
        return Append(new(BtfKind.Int, name, false, 0, (uint)size, [((uint)encoding << 24) | ((uint)bitOffset << 16) | (uint)bits]));
    }

    /// <summary>A <c>FLOAT</c> of <paramref name="size"/> bytes (Linux 5.13).</summary>
    public int AddFloat(string name, int size) => Append(new(BtfKind.Float, name, false, 0, (uint)size, []));

    /// <param name="targetId">The pointee; 0 for <c>void *</c>.</param>
    public int AddPointer(int targetId) => Append(new(BtfKind.Pointer, "", false, 0, (uint)targetId, []));

    /// <param name="indexTypeId">An integer type (the kernel checks it is an INT); compilers use <c>unsigned int</c> or a synthetic <c>__ARRAY_SIZE_TYPE__</c>.</param>
    public int AddArray(int elementTypeId, int indexTypeId, int length) =>
        Append(new(BtfKind.Array, "", false, 0, 0, [(uint)elementTypeId, (uint)indexTypeId, (uint)length]));

    /// <param name="bitfieldOffsets">Store offsets with a bitfield size (the kind_flag); forced on when a member is a bitfield.</param>
    public int AddStruct(string name, int size, IReadOnlyList<BtfMember> members, bool bitfieldOffsets = false) =>
        Append(BtfRecord.Composite(BtfKind.Struct, name, size, members, bitfieldOffsets || members.Any(m => m.IsBitfield)));

    /// <summary>A <c>UNION</c>; <paramref name="bitfieldOffsets"/> as for <see cref="AddStruct"/>.</summary>
    public int AddUnion(string name, int size, IReadOnlyList<BtfMember> members, bool bitfieldOffsets = false) =>
        Append(BtfRecord.Composite(BtfKind.Union, name, size, members, bitfieldOffsets || members.Any(m => m.IsBitfield)));

    /// <summary>An <c>ENUM</c>: values must fit 32 bits (signed or unsigned as <paramref name="isSigned"/> says).</summary>
    public int AddEnum(string name, int size, IReadOnlyList<BtfEnumValue> values, bool isSigned = false) =>
        Append(BtfRecord.Enum(name, size, isSigned, is64: false, values));

    /// <summary>An <c>ENUM64</c> (Linux 6.0).</summary>
    public int AddEnum64(string name, int size, IReadOnlyList<BtfEnumValue> values, bool isSigned = false) =>
        Append(BtfRecord.Enum(name, size, isSigned, is64: true, values));

    /// <summary>A <c>FWD</c>: <c>struct name;</c>, or <c>union name;</c> with <paramref name="isUnion"/>.</summary>
    public int AddForward(string name, bool isUnion = false) => Append(new(BtfKind.Forward, name, isUnion, 0, 0, []));

    /// <summary>A <c>TYPEDEF</c> naming <paramref name="targetId"/>.</summary>
    public int AddTypedef(string name, int targetId) => Append(new(BtfKind.Typedef, name, false, 0, (uint)targetId, []));

    /// <summary>A <c>VOLATILE</c> qualifier on <paramref name="targetId"/>.</summary>
    public int AddVolatile(int targetId) => Append(new(BtfKind.Volatile, "", false, 0, (uint)targetId, []));

    /// <summary>A <c>CONST</c> qualifier on <paramref name="targetId"/>.</summary>
    public int AddConst(int targetId) => Append(new(BtfKind.Const, "", false, 0, (uint)targetId, []));

    /// <summary>A <c>RESTRICT</c> qualifier on <paramref name="targetId"/>.</summary>
    public int AddRestrict(int targetId) => Append(new(BtfKind.Restrict, "", false, 0, (uint)targetId, []));

    /// <summary>A <c>TYPE_TAG</c> (Linux 5.17); <paramref name="isAttribute"/> sets the kind_flag (a plain attribute, 6.6).</summary>
    public int AddTypeTag(string value, int targetId, bool isAttribute = false) =>
        Append(new(BtfKind.TypeTag, value, isAttribute, 0, (uint)targetId, []));

    /// <summary>A <c>DECL_TAG</c> (Linux 5.16) on a whole declaration (<paramref name="componentIndex"/> −1) or one member or parameter.</summary>
    public int AddDeclTag(string value, int targetId, int componentIndex = -1, bool isAttribute = false) =>
        Append(new(BtfKind.DeclTag, value, isAttribute, 0, (uint)targetId, [(uint)componentIndex]));

    /// <summary>A <c>FUNC</c> named <paramref name="name"/> with the signature <paramref name="protoId"/> (a <c>FUNC_PROTO</c>).</summary>
    public int AddFunc(string name, int protoId, BtfLinkage linkage = BtfLinkage.Static) =>
        Append(new(BtfKind.Func, name, false, (int)linkage, (uint)protoId, []));

    /// <param name="returnTypeId">0 for <c>void</c>.</param>
    public int AddFuncProto(int returnTypeId, IReadOnlyList<BtfParam> parameters, bool isVariadic = false) =>
        Append(BtfRecord.FuncProto("", returnTypeId, parameters, isVariadic));

    /// <summary>A <c>VAR</c> of type <paramref name="typeId"/>, to be listed by a <c>DATASEC</c>.</summary>
    public int AddVar(string name, int typeId, BtfLinkage linkage = BtfLinkage.Global) =>
        Append(new(BtfKind.Var, name, false, 0, (uint)typeId, [(uint)linkage]));

    /// <summary>A <c>DATASEC</c> of <paramref name="size"/> bytes placing <paramref name="variables"/> (VARs) at their offsets.</summary>
    public int AddDataSec(string name, int size, IReadOnlyList<BtfVarSecInfo> variables) =>
        Append(BtfRecord.DataSec(name, size, variables));

    private int Append(BtfRecord record)
    {
        _records.Add(record);
        return Count - 1;
    }

    /// <summary>The records, for the deduplicator and the sanitiser (index 0 is <see cref="FirstTypeId"/>).</summary>
    internal List<BtfRecord> Records => _records;

    /// <summary>
    /// Merges identical types: two types are identical when kind, name, flags, sizes, values and member names agree
    /// and the types they refer to are identical in turn, cycles included (a list node pointing to itself and an
    /// identical copy of it are one type). Of each group the lowest id stays; for split BTF a type identical to a base
    /// type becomes that base type. A forward declaration is not merged with its definition.
    /// </summary>
    /// <returns>The new id of every old id (index = old id, 0 to <see cref="Count"/> − 1 before the call).</returns>
    public int[] Deduplicate()
    {
        var map = BtfDeduplicator.Run(this);
        var kept = new List<BtfRecord>();
        for (int i = 0; i < _records.Count; i++)
            if (map[FirstTypeId + i] == FirstTypeId + kept.Count) kept.Add(_records[i]);
        foreach (var r in kept) r.RemapIds(id => (uint)id < (uint)map.Length ? map[id] : id);
        _records.Clear();
        _records.AddRange(kept);
        return map;
    }

    /// <summary>Serialises the types: header, type section, string section (little-endian, as the kernel reads it).</summary>
    /// <exception cref="InvalidOperationException">A type refers to an id that does not exist.</exception>
    public byte[] Build()
    {
        var strings = new BtfStringTable(Base, _keepStringsOf);
        int typeLength = 0;
        var nameOffsets = new int[_records.Count];
        var itemNameOffsets = new int[_records.Count][];
        for (int i = 0; i < _records.Count; i++)
        {
            var r = _records[i];
            foreach (int target in r.References())
            {
                if ((uint)target >= (uint)Count)
                    throw new InvalidOperationException($"type {FirstTypeId + i} ({r.Kind.ToKernelName()} '{r.Name}') refers to type {target}; ids run from 0 to {Count - 1}");
            }
            nameOffsets[i] = strings.Add(r.Name);
            if (r.ItemNames is { } names)
            {
                var offsets = itemNameOffsets[i] = new int[names.Length];
                for (int k = 0; k < names.Length; k++) offsets[k] = strings.Add(names[k]);
            }
            typeLength += r.ByteSize;
        }

        var blob = new byte[HeaderLength + typeLength + strings.Length];
        var span = blob.AsSpan();
        BinaryPrimitives.WriteUInt16LittleEndian(span, BtfHeader.Magic);
        span[2] = BtfHeader.Version;
        span[3] = 0; // flags
        BinaryPrimitives.WriteUInt32LittleEndian(span[4..], HeaderLength);
        BinaryPrimitives.WriteUInt32LittleEndian(span[8..], 0);
        BinaryPrimitives.WriteUInt32LittleEndian(span[12..], (uint)typeLength);
        BinaryPrimitives.WriteUInt32LittleEndian(span[16..], (uint)typeLength);
        BinaryPrimitives.WriteUInt32LittleEndian(span[20..], (uint)strings.Length);

        int at = HeaderLength;
        for (int i = 0; i < _records.Count; i++)
        {
            var r = _records[i];
            BinaryPrimitives.WriteUInt32LittleEndian(span[at..], (uint)nameOffsets[i]);
            BinaryPrimitives.WriteUInt32LittleEndian(span[(at + 4)..], r.Info);
            BinaryPrimitives.WriteUInt32LittleEndian(span[(at + 8)..], r.SizeOrType);
            at += 12;
            int stride = BtfRecord.ItemWords(r.Kind);
            for (int k = 0; k < r.Words.Length; k++, at += 4)
            {
                // The first word of each named item is its name.
                uint word = r.ItemNames is not null && k % stride == 0 ? (uint)itemNameOffsets[i][k / stride] : r.Words[k];
                BinaryPrimitives.WriteUInt32LittleEndian(span[at..], word);
            }
        }
        strings.CopyTo(span[at..]);
        return blob;
    }

    /// <summary>Builds and parses the result (on <see cref="Base"/>).</summary>
    public BtfSpec ToSpec() => BtfSpec.Parse(Build(), Base);

    /// <summary>Builds and writes the blob to <paramref name="path"/> (a raw BTF file, as bpftool reads with <c>btf dump file</c>).</summary>
    public void WriteTo(string path) => File.WriteAllBytes(path, Build());
}
