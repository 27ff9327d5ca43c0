using System.Collections.Immutable;
using System.Text;

namespace BpfSharp.Btf;

/// <summary>
/// A parsed BTF blob: the types of a compiled object's <c>.BTF</c> section, of the kernel
/// (<see cref="LoadKernel"/>), or of a kernel module on top of the kernel's (<see cref="LoadKernelModule"/>).
/// </summary>
/// <remarks>
/// Parsing checks the whole blob and indexes it; type objects are created from the raw records on first access and
/// cached, so a spec is cheap to load even with the kernel's 100k+ types. A spec is immutable and safe to share
/// between threads.
/// <para>
/// Type ids: 0 is <c>void</c>; the blob's types are numbered from 1 in order. A split spec (a module's BTF) continues
/// its <see cref="Base"/>: its first type is <c>Base.Count</c>, and its string offsets continue the base's strings,
/// so ids and names of both resolve through the split spec.
/// </para>
/// </remarks>
public sealed partial class BtfSpec
{
    private readonly int[] _offsets;
    private readonly byte[] _kinds;
    private readonly int[] _sizes;
    private readonly byte[] _alignments;
    private readonly BtfBlob _blob;
    private readonly BtfTypeCache _types;
    private readonly int _stringStart;
    private readonly int _stringLength;
    private readonly BtfVoid _void;
    private BtfNameIndex? _nameIndex;
    private int _nameLookups; // names asked while there is no index (BtfNameScan)

    internal BtfSpec(BtfBlob blob, BtfHeader header, BtfSpec? baseSpec, int[] offsets, byte[] kinds, int count,
        int[] sizes, byte[] alignments, int pointerSize)
    {
        _blob = blob;
        Base = baseSpec;
        _offsets = offsets;
        _kinds = kinds;
        _sizes = sizes;
        _alignments = alignments;
        _stringStart = header.StringStart;
        _stringLength = header.StringLength;
        FirstTypeId = baseSpec?.Count ?? 1;
        Count = FirstTypeId + count;
        StringBase = baseSpec?.StringsEnd ?? 0;
        PointerSize = pointerSize;
        _void = baseSpec?._void ?? new BtfVoid(this);
        _types = new BtfTypeCache(count);
    }

    /// <summary>
    /// Parses a BTF blob (the data is copied); with <paramref name="baseSpec"/>, as split BTF whose type ids and string
    /// offsets continue those of the base.
    /// </summary>
    /// <exception cref="BpfFormatException">The blob is malformed.</exception>
    public static BtfSpec Parse(ReadOnlySpan<byte> data, BtfSpec? baseSpec = null) =>
        BtfParser.Parse(data.ToArray(), baseSpec);

    /// <summary>Reads and parses a raw BTF file (such as <c>/sys/kernel/btf/vmlinux</c>), optionally as split BTF.</summary>
    /// <exception cref="BpfFormatException">The file is not valid BTF.</exception>
    public static BtfSpec Load(string path, BtfSpec? baseSpec = null) =>
        BtfParser.Parse(Interop.FileBytes.ReadAll(path, "BTF"), baseSpec);

    /// <summary>The spec this split spec extends, or null for a base spec.</summary>
    public BtfSpec? Base { get; }

    /// <summary>Number of type ids, void and the base's included: valid ids are 0 to <c>Count - 1</c>.</summary>
    public int Count { get; }

    /// <summary>The first id this spec's own blob defines: 1, or <c>Base.Count</c> for split BTF.</summary>
    public int FirstTypeId { get; }

    /// <summary>
    /// Size of a pointer in bytes, which BTF does not record: the size of the blob's <c>long</c> (for split BTF, the
    /// base's pointer size), else 8.
    /// </summary>
    public int PointerSize { get; }

    /// <summary>The raw blob this spec was parsed from (valid as long as the spec: see <see cref="BtfBlob"/>).</summary>
    internal ReadOnlySpan<byte> Data => _blob.Span;

    /// <summary>Whether the blob is the kernel's BTF file mapped rather than a copy in managed memory.</summary>
    internal bool IsMapped => _blob.IsMapped;

    /// <summary>String offsets below this belong to the base.</summary>
    internal int StringBase { get; }

    /// <summary>One past the last string offset of this spec (and of its bases).</summary>
    internal int StringsEnd => StringBase + _stringLength;

    /// <summary>This spec's own string section (its offsets start at <see cref="StringBase"/>).</summary>
    internal ReadOnlySpan<byte> OwnStrings => _blob.Span.Slice(_stringStart, _stringLength);

    /// <summary>The type with id <paramref name="id"/>; 0 is <see cref="BtfVoid"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">No type has that id.</exception>
    public BtfType this[int id]
    {
        get
        {
            CheckId(id);
            if (id == 0)
                return _void;
            var owner = OwnerOf(id);
            return owner._types.GetOrAdd(id - owner.FirstTypeId, id, owner);
        }
    }

    /// <summary>The type with id <paramref name="id"/>, or false when no type has that id.</summary>
    public bool TryGetType(int id, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out BtfType? type)
    {
        if ((uint)id >= (uint)Count)
        {
            type = null;
            return false;
        }
        type = this[id];
        return true;
    }

    /// <summary>Every type, in id order, void excluded and the base's included.</summary>
    public IEnumerable<BtfType> Types
    {
        get
        {
            for (int id = 1; id < Count; id++)
                yield return this[id];
        }
    }

    /// <summary>The kind of a type, read without creating the type object.</summary>
    public BtfKind GetKind(int id)
    {
        CheckId(id);
        return KindOf(id);
    }

    /// <summary>The name of a type (empty when anonymous), read without creating the type object.</summary>
    public string GetName(int id)
    {
        CheckId(id);
        if (id == 0)
            return "";
        var owner = OwnerOf(id);
        return GetString((int)owner._blob.Read32(owner._offsets[id - owner.FirstTypeId]));
    }

    /// <summary>The string at <paramref name="offset"/> in the string section (a split spec's offsets continue its base's).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The offset is outside the string section.</exception>
    public string GetString(int offset)
    {
        var bytes = GetStringBytes(offset);
        return bytes.Length == 0 ? "" : Encoding.UTF8.GetString(bytes);
    }

    /// <summary>The bytes of the string at <paramref name="offset"/>, without the terminating NUL.</summary>
    internal ReadOnlySpan<byte> GetStringBytes(int offset)
    {
        if ((uint)offset >= (uint)StringsEnd)
            throw new ArgumentOutOfRangeException(nameof(offset), offset, $"string offsets end at {StringsEnd}");
        if (offset < StringBase)
            return Base!.GetStringBytes(offset);
        // The parser checked that the section ends with NUL, so a terminator is always found.
        var rest = _blob.Span.Slice(_stringStart + offset - StringBase, _stringLength - (offset - StringBase));
        return rest[..rest.IndexOf((byte)0)];
    }

    private void CheckId(int id)
    {
        if ((uint)id >= (uint)Count)
            throw new ArgumentOutOfRangeException(nameof(id), id, $"type ids run from 0 to {Count - 1}");
    }

    /// <summary>The spec (this or a base) whose blob defines <paramref name="id"/> (1 or more).</summary>
    private BtfSpec OwnerOf(int id)
    {
        var spec = this;
        while (id < spec.FirstTypeId)
            spec = spec.Base!;
        return spec;
    }

    /// <summary>The kind of a valid id, unchecked.</summary>
    internal BtfKind KindOf(int id)
    {
        if (id == 0)
            return BtfKind.Void;
        var owner = OwnerOf(id);
        return (BtfKind)owner._kinds[id - owner.FirstTypeId];
    }

    /// <summary>Where the record of a type of this spec's own blob starts in <see cref="Data"/> (for in-place fix-ups).</summary>
    internal int RecordOffset(int id)
    {
        if (id < FirstTypeId || id >= Count) throw new ArgumentOutOfRangeException(nameof(id));
        return _offsets[id - FirstTypeId];
    }

    /// <summary>The u32 at <paramref name="offset"/> in a valid id's record (4: info, 8: size or type, 12: INT data).</summary>
    internal uint ReadWord(int id, int offset)
    {
        var owner = OwnerOf(id);
        return owner._blob.Read32(owner._offsets[id - owner.FirstTypeId] + offset);
    }

    /// <summary>The raw size-or-type word of a valid id (1 or more); ids in it were range-checked by the parser.</summary>
    internal int GetSizeOrType(int id) => (int)ReadWord(id, 8);

    /// <summary>The resolved size of a type, or <see cref="BtfParser.NoSize"/>.</summary>
    internal int SizeOrNone(int id)
    {
        if (id == 0)
            return BtfParser.NoSize;
        var owner = OwnerOf(id);
        return owner._sizes[id - owner.FirstTypeId];
    }

    /// <summary>The alignment the parser computed, or 0 for a type without one.</summary>
    internal int AlignmentOrNone(int id)
    {
        if (id == 0)
            return 0;
        var owner = OwnerOf(id);
        return owner._alignments[id - owner.FirstTypeId];
    }

    /// <summary>
    /// A new object for type <paramref name="id"/> (1 or more), not cached: for walks over every type (the C
    /// header of the kernel's BTF) that would otherwise keep an object per type for the life of the spec.
    /// </summary>
    internal BtfType CreateUncached(int id) => OwnerOf(id).Create(id);

    /// <summary>Builds the object for one of this spec's own types from its record.</summary>
    internal BtfType Create(int id)
    {
        var d = _blob;
        int p = _offsets[id - FirstTypeId];
        string name = GetString((int)d.Read32(p));
        uint info = d.Read32(p + 4);
        var kind = (BtfKind)((info >> 24) & 0x1f);
        int vlen = (int)(info & 0xffff);
        bool kindFlag = (info & 0x8000_0000) != 0;
        int sizeOrType = (int)d.Read32(p + 8);
        int q = p + BtfParser.TypeHeaderSize;

        switch (kind)
        {
            case BtfKind.Int:
            {
                uint enc = d.Read32(q);
                return new BtfInt(this, id, name, sizeOrType, (BtfIntEncoding)((enc >> 24) & 0x0f),
                    (int)((enc >> 16) & 0xff), (int)(enc & 0xff));
            }
            case BtfKind.Pointer:
                return new BtfPointer(this, id, name, sizeOrType);
            case BtfKind.Array:
                return new BtfArray(this, id, name, (int)d.Read32(q), (int)d.Read32(q + 4),
                    (int)d.Read32(q + 8));
            case BtfKind.Struct or BtfKind.Union:
            {
                var members = ImmutableArray.CreateBuilder<BtfMember>(vlen);
                for (int i = 0; i < vlen; i++, q += BtfParser.MemberSize)
                {
                    uint offset = d.Read32(q + 8);
                    // kind_flag: bitfield size in the top 8 bits, bit offset in the low 24.
                    int bitOffset = kindFlag ? (int)(offset & 0xff_ffff) : (int)offset;
                    int bitfieldSize = kindFlag ? (int)(offset >> 24) : 0;
                    members.Add(new BtfMember(GetString((int)d.Read32(q)), (int)d.Read32(q + 4),
                        bitOffset, bitfieldSize));
                }
                return kind == BtfKind.Struct
                    ? new BtfStruct(this, id, name, sizeOrType, members.MoveToImmutable(), kindFlag)
                    : new BtfUnion(this, id, name, sizeOrType, members.MoveToImmutable(), kindFlag);
            }
            case BtfKind.Enum or BtfKind.Enum64:
            {
                // kind_flag: the values are signed.
                bool is64 = kind == BtfKind.Enum64;
                var values = ImmutableArray.CreateBuilder<BtfEnumValue>(vlen);
                for (int i = 0; i < vlen; i++)
                {
                    string valueName = GetString((int)d.Read32(q));
                    uint lo = d.Read32(q + 4);
                    long value;
                    if (is64)
                    {
                        value = (long)(((ulong)d.Read32(q + 8) << 32) | lo);
                        q += BtfParser.Enum64ValueSize;
                    }
                    else
                    {
                        value = kindFlag ? (int)lo : lo;
                        q += BtfParser.EnumValueSize;
                    }
                    values.Add(new BtfEnumValue(valueName, value));
                }
                return new BtfEnum(this, id, name, is64, sizeOrType, kindFlag, values.MoveToImmutable());
            }
            case BtfKind.Forward:
                return new BtfForward(this, id, name, kindFlag);
            case BtfKind.Typedef:
                return new BtfTypedef(this, id, name, sizeOrType);
            case BtfKind.Volatile:
                return new BtfVolatile(this, id, name, sizeOrType);
            case BtfKind.Const:
                return new BtfConst(this, id, name, sizeOrType);
            case BtfKind.Restrict:
                return new BtfRestrict(this, id, name, sizeOrType);
            case BtfKind.TypeTag:
                return new BtfTypeTag(this, id, name, sizeOrType, kindFlag);
            case BtfKind.Func:
                return new BtfFunc(this, id, name, sizeOrType, (BtfLinkage)vlen);
            case BtfKind.FuncProto:
            {
                // A last parameter of type void with no name stands for "...".
                bool variadic = vlen > 0 && d.Read32(q + (vlen - 1) * BtfParser.ParamSize + 4) == 0;
                int count = variadic ? vlen - 1 : vlen;
                var parameters = ImmutableArray.CreateBuilder<BtfParam>(count);
                for (int i = 0; i < count; i++, q += BtfParser.ParamSize)
                    parameters.Add(new BtfParam(GetString((int)d.Read32(q)), (int)d.Read32(q + 4)));
                return new BtfFuncProto(this, id, name, sizeOrType, parameters.MoveToImmutable(), variadic);
            }
            case BtfKind.Var:
                return new BtfVar(this, id, name, sizeOrType, (BtfLinkage)d.Read32(q));
            case BtfKind.DataSec:
            {
                var variables = ImmutableArray.CreateBuilder<BtfVarSecInfo>(vlen);
                for (int i = 0; i < vlen; i++, q += BtfParser.VarSecInfoSize)
                {
                    variables.Add(new BtfVarSecInfo((int)d.Read32(q), (int)d.Read32(q + 4),
                        (int)d.Read32(q + 8)));
                }
                return new BtfDataSec(this, id, name, sizeOrType, variables.MoveToImmutable());
            }
            case BtfKind.Float:
                return new BtfFloat(this, id, name, sizeOrType);
            case BtfKind.DeclTag:
                return new BtfDeclTag(this, id, name, sizeOrType, (int)d.Read32(q), kindFlag);
            default:
                // The parser rejects unknown kinds.
                throw new InvalidOperationException($"type {id} has unknown kind {(int)kind}");
        }
    }
}
