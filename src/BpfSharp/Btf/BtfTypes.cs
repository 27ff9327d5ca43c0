using System.Collections.Immutable;

namespace BpfSharp.Btf;

/// <summary>
/// One BTF type. Instances are immutable, created on first access by <see cref="BtfSpec"/> and cached there;
/// match on the sealed kinds (<see cref="BtfStruct"/>, <see cref="BtfInt"/>...) or on <see cref="Kind"/>.
/// </summary>
public abstract class BtfType
{
    private protected BtfType(BtfSpec spec, int id, string name)
    {
        Spec = spec;
        Id = id;
        Name = name;
    }

    /// <summary>The spec that holds this type (the base spec for a base type reached through a split spec).</summary>
    public BtfSpec Spec { get; }

    /// <summary>The type id: 0 is void, ids count from 1 in the type section, a split spec's continue its base's.</summary>
    public int Id { get; }

    /// <summary>The name, empty for an anonymous type. For a tag this is the tag's value.</summary>
    public string Name { get; }

    /// <summary>The type's kind: which <see cref="BtfType"/> subclass this is.</summary>
    public abstract BtfKind Kind { get; }

    /// <summary>Whether the type has no name (an anonymous struct, union or enum, a pointer, an array...).</summary>
    public bool IsAnonymous => Name.Length == 0;

    /// <summary>In bpftool's raw style: <c>[13723] STRUCT 'bpf_map_info'</c>.</summary>
    public override string ToString() => $"[{Id}] {Kind.ToKernelName()} '{(IsAnonymous ? "(anon)" : Name)}'";
}

/// <summary>Type id 0: <c>void</c>, the target of <c>void *</c> and the return type of a function returning nothing.</summary>
public sealed class BtfVoid : BtfType
{
    internal BtfVoid(BtfSpec spec) : base(spec, 0, "") { }

    /// <inheritdoc/>
    public override BtfKind Kind => BtfKind.Void;
}

/// <summary>An integer type (<c>BTF_KIND_INT</c>), including <c>char</c> and <c>_Bool</c>.</summary>
public sealed class BtfInt : BtfType
{
    internal BtfInt(BtfSpec spec, int id, string name, int size, BtfIntEncoding encoding, int bitOffset, int bits)
        : base(spec, id, name)
    {
        Size = size;
        Encoding = encoding;
        BitOffset = bitOffset;
        Bits = bits;
    }

    /// <inheritdoc/>
    public override BtfKind Kind => BtfKind.Int;

    /// <summary>Storage size in bytes: 1, 2, 4, 8 or 16.</summary>
    public int Size { get; }

    /// <summary>Whether the integer is signed, a char or a bool.</summary>
    public BtfIntEncoding Encoding { get; }

    /// <summary>Offset of the value's bits in its storage; 0 except in old-style bitfield encodings.</summary>
    public int BitOffset { get; }

    /// <summary>Number of value bits (at most <see cref="Size"/> × 8).</summary>
    public int Bits { get; }

    /// <summary>Whether the integer is signed (<see cref="BtfIntEncoding.Signed"/>).</summary>
    public bool IsSigned => (Encoding & BtfIntEncoding.Signed) != 0;

    /// <summary>Whether the integer is a character type (<see cref="BtfIntEncoding.Char"/>).</summary>
    public bool IsChar => (Encoding & BtfIntEncoding.Char) != 0;

    /// <summary>Whether the integer is a boolean (<see cref="BtfIntEncoding.Bool"/>).</summary>
    public bool IsBool => (Encoding & BtfIntEncoding.Bool) != 0;
}

/// <summary>A floating-point type (<c>BTF_KIND_FLOAT</c>).</summary>
public sealed class BtfFloat : BtfType
{
    internal BtfFloat(BtfSpec spec, int id, string name, int size) : base(spec, id, name) => Size = size;

    /// <inheritdoc/>
    public override BtfKind Kind => BtfKind.Float;

    /// <summary>Size in bytes: 2, 4, 8, 12 or 16.</summary>
    public int Size { get; }
}

/// <summary>A pointer (<c>BTF_KIND_PTR</c>); its size is <see cref="BtfSpec.PointerSize"/>.</summary>
public sealed class BtfPointer : BtfType
{
    internal BtfPointer(BtfSpec spec, int id, string name, int targetId) : base(spec, id, name) => TargetId = targetId;

    /// <inheritdoc/>
    public override BtfKind Kind => BtfKind.Pointer;

    /// <summary>The pointee; 0 for <c>void *</c>.</summary>
    public int TargetId { get; }

    /// <summary>The pointee type (<see cref="BtfVoid"/> for id 0).</summary>
    public BtfType Target => Spec[TargetId];
}

/// <summary>An array (<c>BTF_KIND_ARRAY</c>); multi-dimensional arrays are arrays of arrays.</summary>
public sealed class BtfArray : BtfType
{
    internal BtfArray(BtfSpec spec, int id, string name, int elementTypeId, int indexTypeId, int length)
        : base(spec, id, name)
    {
        ElementTypeId = elementTypeId;
        IndexTypeId = indexTypeId;
        Length = length;
    }

    /// <inheritdoc/>
    public override BtfKind Kind => BtfKind.Array;

    /// <summary>The element type's id.</summary>
    public int ElementTypeId { get; }

    /// <summary>The index type the compiler recorded (an int); carries no layout information.</summary>
    public int IndexTypeId { get; }

    /// <summary>Number of elements; 0 for a flexible array member.</summary>
    public int Length { get; }

    /// <summary>The element type.</summary>
    public BtfType ElementType => Spec[ElementTypeId];
}

/// <summary>A struct or a union: a size and members at bit offsets.</summary>
public abstract class BtfComposite : BtfType
{
    private protected BtfComposite(BtfSpec spec, int id, string name, int size, ImmutableArray<BtfMember> members,
        bool hasBitfieldOffsets) : base(spec, id, name)
    {
        Size = size;
        Members = members;
        HasBitfieldOffsets = hasBitfieldOffsets;
    }

    /// <summary>Size in bytes.</summary>
    public int Size { get; }

    /// <summary>The members in declaration order, anonymous nested structs and unions included as unnamed members.</summary>
    public ImmutableArray<BtfMember> Members { get; }

    /// <summary>
    /// The kind_flag: member offsets carry a bitfield size in their top 8 bits and a bit offset in the low 24.
    /// Without it a member's offset is a plain 32-bit bit offset.
    /// </summary>
    public bool HasBitfieldOffsets { get; }

    /// <summary>Finds a direct member by name (anonymous members are not searched; see <see cref="BtfSpec.FindMember(int, string)"/>).</summary>
    public bool TryGetMember(string name, out BtfMember member)
    {
        foreach (var m in Members)
        {
            if (m.Name == name)
            {
                member = m;
                return true;
            }
        }
        member = default;
        return false;
    }
}

/// <summary>A struct (<c>BTF_KIND_STRUCT</c>).</summary>
public sealed class BtfStruct : BtfComposite
{
    internal BtfStruct(BtfSpec spec, int id, string name, int size, ImmutableArray<BtfMember> members, bool kindFlag)
        : base(spec, id, name, size, members, kindFlag) { }

    /// <inheritdoc/>
    public override BtfKind Kind => BtfKind.Struct;
}

/// <summary>A union (<c>BTF_KIND_UNION</c>).</summary>
public sealed class BtfUnion : BtfComposite
{
    internal BtfUnion(BtfSpec spec, int id, string name, int size, ImmutableArray<BtfMember> members, bool kindFlag)
        : base(spec, id, name, size, members, kindFlag) { }

    /// <inheritdoc/>
    public override BtfKind Kind => BtfKind.Union;
}

/// <summary>An enum: <c>BTF_KIND_ENUM</c> (32-bit values) or <c>BTF_KIND_ENUM64</c> (64-bit values).</summary>
public sealed class BtfEnum : BtfType
{
    internal BtfEnum(BtfSpec spec, int id, string name, bool is64, int size, bool isSigned,
        ImmutableArray<BtfEnumValue> values) : base(spec, id, name)
    {
        Is64Bit = is64;
        Size = size;
        IsSigned = isSigned;
        Values = values;
    }

    /// <inheritdoc/>
    public override BtfKind Kind => Is64Bit ? BtfKind.Enum64 : BtfKind.Enum;

    /// <summary>Whether this is an <c>ENUM64</c>, whose values are stored in 64 bits.</summary>
    public bool Is64Bit { get; }

    /// <summary>Size of the enum type in bytes: 1, 2, 4 or 8.</summary>
    public int Size { get; }

    /// <summary>The kind_flag: values are signed (otherwise unsigned).</summary>
    public bool IsSigned { get; }

    /// <summary>The enumerators, in declaration order.</summary>
    public ImmutableArray<BtfEnumValue> Values { get; }

    /// <summary>Finds the value of the enumerator named <paramref name="name"/>; false when there is none.</summary>
    public bool TryGetValue(string name, out long value)
    {
        foreach (var v in Values)
        {
            if (v.Name == name)
            {
                value = v.Value;
                return true;
            }
        }
        value = 0;
        return false;
    }
}

/// <summary>A forward declaration (<c>BTF_KIND_FWD</c>): <c>struct foo;</c> or, with the kind_flag, <c>union foo;</c>.</summary>
public sealed class BtfForward : BtfType
{
    internal BtfForward(BtfSpec spec, int id, string name, bool isUnion) : base(spec, id, name) => IsUnion = isUnion;

    /// <inheritdoc/>
    public override BtfKind Kind => BtfKind.Forward;

    /// <summary>The kind_flag: the declaration is <c>union foo;</c> rather than <c>struct foo;</c>.</summary>
    public bool IsUnion { get; }

    /// <summary><see cref="BtfKind.Union"/> or <see cref="BtfKind.Struct"/>: the kind a definition would have.</summary>
    public BtfKind TargetKind => IsUnion ? BtfKind.Union : BtfKind.Struct;
}

/// <summary>A typedef: a name for another type.</summary>
public sealed class BtfTypedef : BtfType
{
    internal BtfTypedef(BtfSpec spec, int id, string name, int targetId) : base(spec, id, name) => TargetId = targetId;

    /// <inheritdoc/>
    public override BtfKind Kind => BtfKind.Typedef;

    /// <summary>The id of the type the typedef names.</summary>
    public int TargetId { get; }

    /// <summary>The type the typedef names.</summary>
    public BtfType Target => Spec[TargetId];
}

/// <summary>A qualifier or type tag that wraps another type without changing its layout.</summary>
public abstract class BtfModifier : BtfType
{
    private protected BtfModifier(BtfSpec spec, int id, string name, int targetId) : base(spec, id, name) =>
        TargetId = targetId;

    /// <summary>The wrapped type; 0 for <c>const void</c> and the like.</summary>
    public int TargetId { get; }

    /// <summary>The wrapped type (<see cref="BtfVoid"/> for id 0).</summary>
    public BtfType Target => Spec[TargetId];
}

/// <summary>The <c>const</c> qualifier (<c>BTF_KIND_CONST</c>).</summary>
public sealed class BtfConst : BtfModifier
{
    internal BtfConst(BtfSpec spec, int id, string name, int targetId) : base(spec, id, name, targetId) { }

    /// <inheritdoc/>
    public override BtfKind Kind => BtfKind.Const;
}

/// <summary>The <c>volatile</c> qualifier (<c>BTF_KIND_VOLATILE</c>).</summary>
public sealed class BtfVolatile : BtfModifier
{
    internal BtfVolatile(BtfSpec spec, int id, string name, int targetId) : base(spec, id, name, targetId) { }

    /// <inheritdoc/>
    public override BtfKind Kind => BtfKind.Volatile;
}

/// <summary>The <c>restrict</c> qualifier (<c>BTF_KIND_RESTRICT</c>).</summary>
public sealed class BtfRestrict : BtfModifier
{
    internal BtfRestrict(BtfSpec spec, int id, string name, int targetId) : base(spec, id, name, targetId) { }

    /// <inheritdoc/>
    public override BtfKind Kind => BtfKind.Restrict;
}

/// <summary>A type tag (<c>__user</c>, <c>__rcu</c>, <c>address_space(1)</c>...): <see cref="BtfType.Name"/> is its value.</summary>
public sealed class BtfTypeTag : BtfModifier
{
    internal BtfTypeTag(BtfSpec spec, int id, string name, int targetId, bool isAttribute)
        : base(spec, id, name, targetId) => IsAttribute = isAttribute;

    /// <inheritdoc/>
    public override BtfKind Kind => BtfKind.TypeTag;

    /// <summary>The tag's text (the same as <see cref="BtfType.Name"/>).</summary>
    public string Value => Name;

    /// <summary>The kind_flag: the tag is a plain <c>__attribute__((...))</c> text rather than a <c>btf_type_tag</c>.</summary>
    public bool IsAttribute { get; }
}

/// <summary>A declaration tag on a type, a member or parameter of it, a function or a variable.</summary>
public sealed class BtfDeclTag : BtfType
{
    internal BtfDeclTag(BtfSpec spec, int id, string name, int targetId, int componentIndex, bool isAttribute)
        : base(spec, id, name)
    {
        TargetId = targetId;
        ComponentIndex = componentIndex;
        IsAttribute = isAttribute;
    }

    /// <inheritdoc/>
    public override BtfKind Kind => BtfKind.DeclTag;

    /// <summary>The tag's text (the same as <see cref="BtfType.Name"/>).</summary>
    public string Value => Name;

    /// <summary>The tagged struct, union, function, variable or typedef.</summary>
    public int TargetId { get; }

    /// <summary>−1 when the whole target is tagged, else the index of the tagged member or parameter.</summary>
    public int ComponentIndex { get; }

    /// <summary>The kind_flag: the tag is a plain <c>__attribute__((...))</c> text rather than a <c>btf_decl_tag</c>.</summary>
    public bool IsAttribute { get; }

    /// <summary>The tagged type.</summary>
    public BtfType Target => Spec[TargetId];
}

/// <summary>A function (<c>BTF_KIND_FUNC</c>): a name and linkage for a <see cref="BtfFuncProto"/>.</summary>
public sealed class BtfFunc : BtfType
{
    internal BtfFunc(BtfSpec spec, int id, string name, int protoId, BtfLinkage linkage) : base(spec, id, name)
    {
        ProtoId = protoId;
        Linkage = linkage;
    }

    /// <inheritdoc/>
    public override BtfKind Kind => BtfKind.Func;

    /// <summary>The id of the function's <see cref="BtfFuncProto"/>.</summary>
    public int ProtoId { get; }

    /// <summary>The function's signature (the parser checks that a FUNC refers to a FUNC_PROTO).</summary>
    public BtfFuncProto Proto => (BtfFuncProto)Spec[ProtoId];

    /// <summary>Whether the function is static, global or extern (stored in the FUNC's vlen).</summary>
    public BtfLinkage Linkage { get; }
}

/// <summary>A function signature (<c>BTF_KIND_FUNC_PROTO</c>).</summary>
public sealed class BtfFuncProto : BtfType
{
    internal BtfFuncProto(BtfSpec spec, int id, string name, int returnTypeId, ImmutableArray<BtfParam> parameters,
        bool isVariadic) : base(spec, id, name)
    {
        ReturnTypeId = returnTypeId;
        Parameters = parameters;
        IsVariadic = isVariadic;
    }

    /// <inheritdoc/>
    public override BtfKind Kind => BtfKind.FuncProto;

    /// <summary>The return type; 0 for <c>void</c>.</summary>
    public int ReturnTypeId { get; }

    /// <summary>The declared parameters; the unnamed void entry that marks <c>...</c> is not included (see <see cref="IsVariadic"/>).</summary>
    public ImmutableArray<BtfParam> Parameters { get; }

    /// <summary>Whether the signature ends in <c>...</c> (a last parameter with type 0 and no name).</summary>
    public bool IsVariadic { get; }

    /// <summary>The return type (<see cref="BtfVoid"/> for id 0).</summary>
    public BtfType ReturnType => Spec[ReturnTypeId];
}

/// <summary>A variable (<c>BTF_KIND_VAR</c>), placed in a section by a <see cref="BtfDataSec"/>.</summary>
public sealed class BtfVar : BtfType
{
    internal BtfVar(BtfSpec spec, int id, string name, int typeId, BtfLinkage linkage) : base(spec, id, name)
    {
        TypeId = typeId;
        Linkage = linkage;
    }

    /// <inheritdoc/>
    public override BtfKind Kind => BtfKind.Var;

    /// <summary>The id of the variable's type.</summary>
    public int TypeId { get; }

    /// <summary>Whether the variable is static, global or extern (<c>btf_var.linkage</c>).</summary>
    public BtfLinkage Linkage { get; }

    /// <summary>The variable's type.</summary>
    public BtfType Type => Spec[TypeId];
}

/// <summary>
/// A data section (<c>BTF_KIND_DATASEC</c>) and its variables. In a compiled object, before loading, the compiler
/// leaves the size and offsets for the loader to fill in from the ELF symbols.
/// </summary>
public sealed class BtfDataSec : BtfType
{
    internal BtfDataSec(BtfSpec spec, int id, string name, int size, ImmutableArray<BtfVarSecInfo> variables)
        : base(spec, id, name)
    {
        Size = size;
        Variables = variables;
    }

    /// <inheritdoc/>
    public override BtfKind Kind => BtfKind.DataSec;

    /// <summary>The section's size in bytes (0 in an object until the loader fills it in).</summary>
    public int Size { get; }

    /// <summary>The variables in the section, with their offsets and sizes (<c>btf_var_secinfo</c>).</summary>
    public ImmutableArray<BtfVarSecInfo> Variables { get; }
}
