using System.Collections.Generic;

namespace BpfSharp.Generators.Skeleton;

/// <summary>BTF kinds (include/uapi/linux/btf.h).</summary>
internal enum BtfKind
{
    Void = 0, Int = 1, Ptr = 2, Array = 3, Struct = 4, Union = 5, Enum = 6, Fwd = 7, Typedef = 8, Volatile = 9,
    Const = 10, Restrict = 11, Func = 12, FuncProto = 13, Var = 14, DataSec = 15, Float = 16, DeclTag = 17,
    TypeTag = 18, Enum64 = 19,
}

/// <summary>A member of a struct or union; <see cref="BitSize"/> is non-zero for a bitfield.</summary>
internal sealed class BtfMember
{
    public BtfMember(string name, int type, int bitOffset, int bitSize)
    {
        Name = name; Type = type; BitOffset = bitOffset; BitSize = bitSize;
    }
    public string Name { get; }
    public int Type { get; }
    public int BitOffset { get; }
    public int BitSize { get; }
}

/// <summary>One BTF type. Fields not used by a kind are zero or empty.</summary>
internal sealed class BtfType
{
    public int Id { get; set; }
    public BtfKind Kind { get; set; }
    public string Name { get; set; } = "";
    /// <summary>Size in bytes (int, struct, union, enum, float, datasec).</summary>
    public int Size { get; set; }
    /// <summary>The referenced type (ptr, typedef, modifiers, var, func, array element).</summary>
    public int Type { get; set; }
    public bool KindFlag { get; set; }
    /// <summary>Int: bit width, and whether signed, a char or a bool.</summary>
    public int IntBits { get; set; }
    public bool IntSigned { get; set; }
    public bool IntBool { get; set; }
    public bool IntChar { get; set; }
    public int ArrayLength { get; set; }
    public List<BtfMember> Members { get; } = new List<BtfMember>();
    public List<(string Name, long Value)> Enumerators { get; } = new List<(string, long)>();
    /// <summary>Datasec: its variables (type id of the VAR, offset, size).</summary>
    public List<(int Var, int Offset, int Size)> Variables { get; } = new List<(int, int, int)>();
}
