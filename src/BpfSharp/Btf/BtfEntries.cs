namespace BpfSharp.Btf;

/// <summary>
/// A member of a struct or union (<c>struct btf_member</c>). An anonymous member (a nested anonymous struct or union)
/// has an empty <see cref="Name"/>.
/// </summary>
/// <param name="Name">The member's name, empty for an anonymous member.</param>
/// <param name="TypeId">The member's declared type.</param>
/// <param name="BitOffset">Offset of the member from the start of its struct or union, in bits.</param>
/// <param name="BitfieldSize">Width of a bitfield in bits; 0 when the member is not a bitfield.</param>
public readonly record struct BtfMember(string Name, int TypeId, int BitOffset, int BitfieldSize)
{
    /// <summary>Offset in whole bytes (a bitfield's offset rounded down).</summary>
    public int ByteOffset => BitOffset / 8;

    /// <summary>Whether the member is a bitfield (<see cref="BitfieldSize"/> is not 0).</summary>
    public bool IsBitfield => BitfieldSize != 0;

    /// <summary>Whether the member is a nested anonymous struct or union.</summary>
    public bool IsAnonymous => Name.Length == 0;
}

/// <summary>One enumerator of an enum (<c>struct btf_enum</c> or <c>struct btf_enum64</c>).</summary>
/// <param name="Name">The enumerator's name.</param>
/// <param name="Value">
/// Its value; an unsigned 64-bit value above <see cref="long.MaxValue"/> is stored as the same 64 bits
/// (read <see cref="UnsignedValue"/>).
/// </param>
public readonly record struct BtfEnumValue(string Name, long Value)
{
    /// <see cref="Value"/> as the unsigned 64-bit value it may stand for.
    public ulong UnsignedValue => unchecked((ulong)Value);
}

/// <summary>A parameter of a function prototype (<c>struct btf_param</c>); unnamed parameters have an empty name.</summary>
public readonly record struct BtfParam(string Name, int TypeId);

/// <summary>A variable (or, in an object's <c>.ksyms</c>, a function) placed in a data section (<c>struct btf_var_secinfo</c>).</summary>
/// <param name="TypeId">The <see cref="BtfVar"/> (or <see cref="BtfFunc"/>) placed there.</param>
/// <param name="Offset">Byte offset in the section.</param>
/// <param name="Size">Size in bytes.</param>
public readonly record struct BtfVarSecInfo(int TypeId, int Offset, int Size);

/// <summary>
/// Where <see cref="BtfSpec.FindMember(int, string)"/> found a member: its type and its offset from the start of the
/// outermost struct or union searched, with the offsets of every enclosing (named or anonymous) member added.
/// </summary>
/// <param name="Name">The member's name (the last component of the path).</param>
/// <param name="TypeId">The member's declared type.</param>
/// <param name="BitOffset">Cumulative offset in bits from the start of the outermost type.</param>
/// <param name="BitfieldSize">Width of a bitfield in bits; 0 when the member is not a bitfield.</param>
/// <param name="ContainerTypeId">The struct or union that declares the member directly.</param>
/// <param name="MemberIndex">The member's index in <paramref name="ContainerTypeId"/>'s members.</param>
public readonly record struct BtfMemberLocation(
    string Name, int TypeId, long BitOffset, int BitfieldSize, int ContainerTypeId, int MemberIndex)
{
    /// <summary>Cumulative offset in whole bytes (a bitfield's offset rounded down).</summary>
    public long ByteOffset => BitOffset / 8;

    /// <summary>Whether the member is a bitfield (<see cref="BitfieldSize"/> is not 0).</summary>
    public bool IsBitfield => BitfieldSize != 0;
}
