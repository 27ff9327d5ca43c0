namespace BpfSharp.Btf;

/// <summary>
/// The kind of a BTF type: bits 24-28 of <c>btf_type.info</c> (<c>BTF_KIND_*</c> in <c>include/uapi/linux/btf.h</c>).
/// </summary>
public enum BtfKind : byte
{
    /// <summary>Type id 0, <c>void</c>; never stored in the type section.</summary>
    Void = 0,
    /// <c>BTF_KIND_INT</c>: an integer, char or bool.
    Int = 1,
    /// <summary><c>BTF_KIND_PTR</c>.</summary>
    Pointer = 2,
    /// <c>BTF_KIND_ARRAY</c>: an array of an element type.
    Array = 3,
    /// <c>BTF_KIND_STRUCT</c>: a struct and its members.
    Struct = 4,
    /// <c>BTF_KIND_UNION</c>: a union and its members.
    Union = 5,
    /// <c>BTF_KIND_ENUM</c>: an enum of values up to 32 bits.
    Enum = 6,
    /// <summary><c>BTF_KIND_FWD</c>: a forward declaration of a struct or union.</summary>
    Forward = 7,
    /// <c>BTF_KIND_TYPEDEF</c>: a name for another type.
    Typedef = 8,
    /// <c>BTF_KIND_VOLATILE</c>: the <c>volatile</c> qualifier.
    Volatile = 9,
    /// <c>BTF_KIND_CONST</c>: the <c>const</c> qualifier.
    Const = 10,
    /// <c>BTF_KIND_RESTRICT</c>: the <c>restrict</c> qualifier.
    Restrict = 11,
    /// <summary>A function (its name and linkage); its signature is a <see cref="FuncProto"/>.</summary>
    Func = 12,
    /// <summary>A function signature: return type and parameters.</summary>
    FuncProto = 13,
    /// <summary>A global or static variable, listed by a <see cref="DataSec"/>.</summary>
    Var = 14,
    /// <summary>An ELF data section (<c>.data</c>, <c>.bss</c>, <c>.data..percpu</c>...) and the variables in it.</summary>
    DataSec = 15,
    /// <c>BTF_KIND_FLOAT</c>: a floating-point type.
    Float = 16,
    /// <summary><c>__attribute__((btf_decl_tag("...")))</c> on a declaration or one of its members/parameters.</summary>
    DeclTag = 17,
    /// <summary><c>__attribute__((btf_type_tag("...")))</c> on a pointee type (<c>__user</c>, <c>__rcu</c>...).</summary>
    TypeTag = 18,
    /// <summary>An enum whose values are 64-bit.</summary>
    Enum64 = 19,
}

/// <summary>Linkage of a <see cref="BtfFunc"/> (stored in its vlen) or a <see cref="BtfVar"/>.</summary>
public enum BtfLinkage
{
    /// <summary><c>static</c>: local to its compilation unit.</summary>
    Static = 0,
    /// <summary>Global and defined here (<c>BTF_FUNC_GLOBAL</c>, <c>BTF_VAR_GLOBAL_ALLOCATED</c>).</summary>
    Global = 1,
    /// <summary>Declared here, defined elsewhere (<c>BTF_FUNC_EXTERN</c>, <c>BTF_VAR_GLOBAL_EXTERN</c>).</summary>
    Extern = 2,
}

/// <summary>Encoding flags of a <see cref="BtfInt"/> (<c>BTF_INT_SIGNED</c>, <c>BTF_INT_CHAR</c>, <c>BTF_INT_BOOL</c>).</summary>
[Flags]
public enum BtfIntEncoding : byte
{
    /// <summary>A plain unsigned integer.</summary>
    None = 0,
    /// <c>BTF_INT_SIGNED</c>: the integer is signed.
    Signed = 1,
    /// <c>BTF_INT_CHAR</c>: a character type (printed as a character).
    Char = 2,
    /// <c>BTF_INT_BOOL</c>: a boolean.
    Bool = 4,
}

internal static class BtfKindNames
{
    /// <summary>The kernel's spelling of a kind, as bpftool and verifier messages print it.</summary>
    public static string ToKernelName(this BtfKind kind) => kind switch
    {
        BtfKind.Void => "VOID",
        BtfKind.Int => "INT",
        BtfKind.Pointer => "PTR",
        BtfKind.Array => "ARRAY",
        BtfKind.Struct => "STRUCT",
        BtfKind.Union => "UNION",
        BtfKind.Enum => "ENUM",
        BtfKind.Forward => "FWD",
        BtfKind.Typedef => "TYPEDEF",
        BtfKind.Volatile => "VOLATILE",
        BtfKind.Const => "CONST",
        BtfKind.Restrict => "RESTRICT",
        BtfKind.Func => "FUNC",
        BtfKind.FuncProto => "FUNC_PROTO",
        BtfKind.Var => "VAR",
        BtfKind.DataSec => "DATASEC",
        BtfKind.Float => "FLOAT",
        BtfKind.DeclTag => "DECL_TAG",
        BtfKind.TypeTag => "TYPE_TAG",
        BtfKind.Enum64 => "ENUM64",
        _ => "UNKNOWN(" + (int)kind + ")",
    };
}
