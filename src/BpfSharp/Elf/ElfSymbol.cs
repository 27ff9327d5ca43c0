namespace BpfSharp.Elf;

/// <summary>A symbol's binding (<c>ELF64_ST_BIND</c>).</summary>
public enum ElfSymbolBinding : byte
{
    Local = 0,
    Global = 1,
    Weak = 2,
    /// <summary><c>STB_GNU_UNIQUE</c>.</summary>
    GnuUnique = 10,
}

/// <summary>A symbol's type (<c>ELF64_ST_TYPE</c>).</summary>
public enum ElfSymbolType : byte
{
    NoType = 0,
    Object = 1,
    Function = 2,
    Section = 3,
    File = 4,
    Common = 5,
    Tls = 6,
    /// <summary><c>STT_GNU_IFUNC</c>: the address is a resolver that returns the implementation to call.</summary>
    GnuIndirectFunction = 10,
}

/// <summary>A symbol's visibility (<c>ELF64_ST_VISIBILITY</c>, the low two bits of <c>st_other</c>).</summary>
public enum ElfSymbolVisibility : byte
{
    Default = 0,
    Internal = 1,
    Hidden = 2,
    Protected = 3,
}

/// <summary>One entry of <c>.symtab</c> or <c>.dynsym</c> (<c>Elf64_Sym</c>).</summary>
public sealed class ElfSymbol
{
    internal ElfSymbol() { }

    /// <summary>The index in its symbol table; relocations refer to symbols by this index.</summary>
    public int Index { get; internal init; }
    /// <summary>The name; empty for the null symbol and usually for <see cref="ElfSymbolType.Section"/> symbols.</summary>
    public string Name { get; internal init; } = "";
    /// <summary><c>st_name</c>: the offset of the name in the table's string table.</summary>
    public uint NameOffset { get; internal init; }
    /// <summary>
    /// <c>st_value</c>: an offset into <see cref="Section"/> in a relocatable object, a virtual address in
    /// an executable or shared library, the alignment for <see cref="ElfSectionIndex.Common"/>.
    /// </summary>
    public ulong Value { get; internal init; }
    public ulong Size { get; internal init; }
    public ElfSymbolBinding Binding { get; internal init; }
    public ElfSymbolType Type { get; internal init; }
    public ElfSymbolVisibility Visibility { get; internal init; }
    /// <summary><c>st_other</c> as stored (visibility and processor-specific bits).</summary>
    public byte Other { get; internal init; }
    /// <summary>
    /// The section index, with <c>SHN_XINDEX</c> already resolved: a real index, or one of the reserved
    /// values of <see cref="ElfSectionIndex"/> (undefined, absolute, common).
    /// </summary>
    public uint SectionIndex { get; internal init; }
    /// <summary>The section the symbol is defined in, or null for undefined, absolute and common symbols.</summary>
    public ElfSection? Section { get; internal init; }

    /// <summary>
    /// The GNU symbol version name (<c>GLIBC_2.14</c>) of a dynamic symbol, or null when the symbol has none
    /// (a <c>.symtab</c> symbol, or a <c>.dynsym</c> symbol of an object without version sections).
    /// </summary>
    public string? Version { get; internal init; }
    /// <summary>
    /// Whether a versioned symbol is hidden (<c>nm</c> shows <c>name@VER</c>): an older implementation that only
    /// binaries linked against that version use. The default version (<c>name@@VER</c>) is not hidden.
    /// </summary>
    public bool IsVersionHidden { get; internal init; }

    public bool IsUndefined => SectionIndex == ElfSectionIndex.Undefined;
    public bool IsAbsolute => SectionIndex == ElfSectionIndex.Absolute;
    public bool IsCommon => SectionIndex == ElfSectionIndex.Common;
    /// <summary>Whether the symbol is a function (<c>STT_FUNC</c> or <c>STT_GNU_IFUNC</c>).</summary>
    public bool IsFunction => Type is ElfSymbolType.Function or ElfSymbolType.GnuIndirectFunction;

    public override string ToString() =>
        Version is null ? $"{Name} ({Type} {Binding} 0x{Value:x})" : $"{Name}{(IsVersionHidden ? "@" : "@@")}{Version} ({Type} {Binding} 0x{Value:x})";
}
