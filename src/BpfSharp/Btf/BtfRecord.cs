namespace BpfSharp.Btf;

/// <summary>
/// One type as <see cref="BtfBuilder"/> holds it before serialising: the fields of <c>struct btf_type</c> and the
/// words that follow it, with names still as text (the string table is made at the end, deduplicated). Which words
/// are type ids depends on the kind only, so renumbering and deduplication need no per-kind code.
/// </summary>
internal sealed class BtfRecord
{
    public BtfRecord(BtfKind kind, string name, bool kindFlag, int vlen, uint sizeOrType, uint[] words, string[]? itemNames = null)
    {
        Kind = kind;
        Name = name;
        KindFlag = kindFlag;
        Vlen = vlen;
        SizeOrType = sizeOrType;
        Words = words;
        ItemNames = itemNames;
    }

    public BtfKind Kind { get; }
    public string Name { get; }
    public bool KindFlag { get; }
    /// <summary>The info word's low 16 bits: the item count, or a FUNC's linkage.</summary>
    public int Vlen { get; }
    /// <summary>A size, or a type id for the kinds where <see cref="SizeOrTypeIsId"/>.</summary>
    public uint SizeOrType { get; set; }
    /// <summary>The words after <c>struct btf_type</c>; an item's name word is 0 here, its text is in <see cref="ItemNames"/>.</summary>
    public uint[] Words { get; }
    /// <summary>The names of members, enumerators or parameters, one per item; null for kinds whose items have none.</summary>
    public string[]? ItemNames { get; }

    public uint Info => ((uint)Kind << 24) | (KindFlag ? 0x8000_0000u : 0) | (uint)(Vlen & 0xffff);

    public int ByteSize => 12 + Words.Length * 4;

    public bool SizeOrTypeIsId => SizeOrTypeIsIdFor(Kind);

    public static bool SizeOrTypeIsIdFor(BtfKind kind) => kind is BtfKind.Pointer or BtfKind.Typedef or BtfKind.Volatile
        or BtfKind.Const or BtfKind.Restrict or BtfKind.TypeTag or BtfKind.Func or BtfKind.FuncProto or BtfKind.Var
        or BtfKind.DeclTag;

    /// <summary>Words per item (member, enumerator, parameter, section entry), 0 for kinds without items.</summary>
    public static int ItemWords(BtfKind kind) => kind switch
    {
        BtfKind.Struct or BtfKind.Union or BtfKind.Enum64 or BtfKind.DataSec => 3,
        BtfKind.Enum or BtfKind.FuncProto => 2,
        _ => 0,
    };

    /// <summary>Words after the header that do not repeat per item.</summary>
    public static int FixedWords(BtfKind kind) => kind switch
    {
        BtfKind.Int or BtfKind.Var or BtfKind.DeclTag => 1,
        BtfKind.Array => 3,
        _ => 0,
    };

    public static bool HasItemNames(BtfKind kind) =>
        kind is BtfKind.Struct or BtfKind.Union or BtfKind.Enum or BtfKind.Enum64 or BtfKind.FuncProto;

    /// <summary>Whether word <paramref name="index"/> after the header holds a type id.</summary>
    public bool IsIdWord(int index) => Kind switch
    {
        BtfKind.Array => index < 2, // element type, index type
        BtfKind.Struct or BtfKind.Union => index % 3 == 1,
        BtfKind.FuncProto => index % 2 == 1,
        BtfKind.DataSec => index % 3 == 0,
        _ => false,
    };

    /// <summary>Every type id this record refers to, in record order.</summary>
    public IEnumerable<int> References()
    {
        if (SizeOrTypeIsId) yield return (int)SizeOrType;
        for (int i = 0; i < Words.Length; i++)
            if (IsIdWord(i)) yield return (int)Words[i];
    }

    /// <summary>Rewrites every type id through <paramref name="map"/>.</summary>
    public void RemapIds(Func<int, int> map)
    {
        if (SizeOrTypeIsId) SizeOrType = (uint)map((int)SizeOrType);
        for (int i = 0; i < Words.Length; i++)
            if (IsIdWord(i)) Words[i] = (uint)map((int)Words[i]);
    }

    public BtfRecord Clone() =>
        new(Kind, Name, KindFlag, Vlen, SizeOrType, (uint[])Words.Clone(), (string[]?)ItemNames?.Clone());

    /// <summary>The record of a parsed type, its ids as they are in its spec.</summary>
    public static BtfRecord From(BtfType type) => type switch
    {
        BtfInt i => new(BtfKind.Int, i.Name, false, 0, (uint)i.Size,
            [((uint)i.Encoding << 24) | ((uint)i.BitOffset << 16) | (uint)i.Bits]),
        BtfFloat f => new(BtfKind.Float, f.Name, false, 0, (uint)f.Size, []),
        BtfPointer p => new(BtfKind.Pointer, p.Name, false, 0, (uint)p.TargetId, []),
        BtfArray a => new(BtfKind.Array, a.Name, false, 0, 0, [(uint)a.ElementTypeId, (uint)a.IndexTypeId, (uint)a.Length]),
        BtfComposite c => Composite(c.Kind, c.Name, c.Size, c.Members, c.HasBitfieldOffsets),
        BtfEnum e => Enum(e.Name, e.Size, e.IsSigned, e.Is64Bit, e.Values),
        BtfForward f => new(BtfKind.Forward, f.Name, f.IsUnion, 0, 0, []),
        BtfTypedef t => new(BtfKind.Typedef, t.Name, false, 0, (uint)t.TargetId, []),
        BtfTypeTag t => new(BtfKind.TypeTag, t.Name, t.IsAttribute, 0, (uint)t.TargetId, []),
        BtfModifier m => new(m.Kind, m.Name, false, 0, (uint)m.TargetId, []),
        BtfDeclTag d => new(BtfKind.DeclTag, d.Name, d.IsAttribute, 0, (uint)d.TargetId, [(uint)d.ComponentIndex]),
        BtfFunc f => new(BtfKind.Func, f.Name, false, (int)f.Linkage, (uint)f.ProtoId, []),
        BtfFuncProto p => FuncProto(p.Name, p.ReturnTypeId, p.Parameters, p.IsVariadic),
        BtfVar v => new(BtfKind.Var, v.Name, false, 0, (uint)v.TypeId, [(uint)v.Linkage]),
        BtfDataSec d => DataSec(d.Name, d.Size, d.Variables),
        _ => throw new ArgumentException($"{type} cannot be written", nameof(type)),
    };

    public static BtfRecord Composite(BtfKind kind, string name, int size, IReadOnlyList<BtfMember> members, bool bitfieldOffsets)
    {
        CheckVlen(members.Count, name);
        var words = new uint[members.Count * 3];
        var names = new string[members.Count];
        for (int i = 0; i < members.Count; i++)
        {
            var m = members[i];
            if (m.BitfieldSize != 0 && !bitfieldOffsets)
                throw new ArgumentException($"member {m.Name} of {name} is a bitfield, which needs bitfield offsets (the kind_flag)");
            if (bitfieldOffsets && (m.BitOffset > 0xff_ffff || m.BitfieldSize > 0xff))
                throw new ArgumentException($"member {m.Name} of {name}: bit offset {m.BitOffset} or bitfield size {m.BitfieldSize} does not fit the kind_flag encoding");
            names[i] = m.Name;
            words[i * 3 + 1] = (uint)m.TypeId;
            words[i * 3 + 2] = bitfieldOffsets ? ((uint)m.BitfieldSize << 24) | (uint)m.BitOffset : (uint)m.BitOffset;
        }
        return new(kind, name, bitfieldOffsets, members.Count, (uint)size, words, names);
    }

    public static BtfRecord Enum(string name, int size, bool isSigned, bool is64, IReadOnlyList<BtfEnumValue> values)
    {
        CheckVlen(values.Count, name);
        int stride = is64 ? 3 : 2;
        var words = new uint[values.Count * stride];
        var names = new string[values.Count];
        for (int i = 0; i < values.Count; i++)
        {
            var v = values[i];
            if (!is64 && (isSigned ? v.Value is < int.MinValue or > int.MaxValue : v.Value is < 0 or > uint.MaxValue))
                throw new ArgumentOutOfRangeException(nameof(values), v.Value, $"enumerator {v.Name} of {name} does not fit a 32-bit ENUM (use ENUM64)");
            names[i] = v.Name;
            words[i * stride + 1] = (uint)v.UnsignedValue;
            if (is64) words[i * stride + 2] = (uint)(v.UnsignedValue >> 32);
        }
        return new(is64 ? BtfKind.Enum64 : BtfKind.Enum, name, isSigned, values.Count, (uint)size, words, names);
    }

    public static BtfRecord FuncProto(string name, int returnTypeId, IReadOnlyList<BtfParam> parameters, bool isVariadic)
    {
        // "..." is a last, unnamed parameter of type void.
        int count = parameters.Count + (isVariadic ? 1 : 0);
        CheckVlen(count, "function prototype");
        var words = new uint[count * 2];
        var names = new string[count];
        for (int i = 0; i < parameters.Count; i++)
        {
            names[i] = parameters[i].Name;
            words[i * 2 + 1] = (uint)parameters[i].TypeId;
        }
        if (isVariadic) names[^1] = "";
        return new(BtfKind.FuncProto, name, false, count, (uint)returnTypeId, words, names);
    }

    public static BtfRecord DataSec(string name, int size, IReadOnlyList<BtfVarSecInfo> variables)
    {
        CheckVlen(variables.Count, name);
        var words = new uint[variables.Count * 3];
        for (int i = 0; i < variables.Count; i++)
        {
            words[i * 3] = (uint)variables[i].TypeId;
            words[i * 3 + 1] = (uint)variables[i].Offset;
            words[i * 3 + 2] = (uint)variables[i].Size;
        }
        return new(BtfKind.DataSec, name, false, variables.Count, (uint)size, words);
    }

    private static void CheckVlen(int count, string name)
    {
        // vlen is 16 bits of the info word.
        if (count > 0xffff) throw new ArgumentException($"{name}: {count} items, BTF allows at most 65535");
    }
}
