namespace BpfSharp.Elf;

/// <summary>A symbol's binding (<c>ELF64_ST_BIND</c>).</summary>
public enum ElfSymbolBinding : byte
{
    /// <c>STB_LOCAL</c>: not visible outside its object file.
    Local = 0,
    /// <c>STB_GLOBAL</c>: visible to all object files.
    Global = 1,
    /// <c>STB_WEAK</c>: global, with lower precedence than a global definition.
    Weak = 2,
    /// <summary><c>STB_GNU_UNIQUE</c>.</summary>
    GnuUnique = 10,
}

/// <summary>A symbol's type (<c>ELF64_ST_TYPE</c>).</summary>
public enum ElfSymbolType : byte
{
    /// <c>STT_NOTYPE</c>: unspecified.
    NoType = 0,
    /// <c>STT_OBJECT</c>: a data object (a variable, an array).
    Object = 1,
    /// <c>STT_FUNC</c>: a function or other code.
    Function = 2,
    /// <c>STT_SECTION</c>: a section, for relocations against it.
    Section = 3,
    /// <c>STT_FILE</c>: the source file name.
    File = 4,
    /// <c>STT_COMMON</c>: an uninitialised common block.
    Common = 5,
    /// <c>STT_TLS</c>: a thread-local storage entity.
    Tls = 6,
    /// <summary><c>STT_GNU_IFUNC</c>: the address is a resolver that returns the implementation to call.</summary>
    GnuIndirectFunction = 10,
}

/// <summary>A symbol's visibility (<c>ELF64_ST_VISIBILITY</c>, the low two bits of <c>st_other</c>).</summary>
public enum ElfSymbolVisibility : byte
{
    /// <c>STV_DEFAULT</c>: visibility given by the binding.
    Default = 0,
    /// <c>STV_INTERNAL</c>: processor-specific hidden.
    Internal = 1,
    /// <c>STV_HIDDEN</c>: not visible outside its component.
    Hidden = 2,
    /// <c>STV_PROTECTED</c>: visible but not preemptible.
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
    /// <c>st_size</c>: the size of the object or function, 0 when unknown.
    public ulong Size { get; internal init; }
    /// <summary>The binding (the upper 4 bits of <c>st_info</c>).</summary>
    public ElfSymbolBinding Binding { get; internal init; }
    /// <summary>The type (the low 4 bits of <c>st_info</c>).</summary>
    public ElfSymbolType Type { get; internal init; }
    /// <summary>The visibility (the low 2 bits of <c>st_other</c>).</summary>
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

    /// <summary>Whether the symbol is undefined here (<c>SHN_UNDEF</c>): defined elsewhere.</summary>
    public bool IsUndefined => SectionIndex == ElfSectionIndex.Undefined;
    /// <summary>Whether the symbol's value is absolute (<c>SHN_ABS</c>), not relative to a section.</summary>
    public bool IsAbsolute => SectionIndex == ElfSectionIndex.Absolute;
    /// <summary>Whether the symbol is a common block (<c>SHN_COMMON</c>).</summary>
    public bool IsCommon => SectionIndex == ElfSectionIndex.Common;
    /// <summary>Whether the symbol is a function (<c>STT_FUNC</c> or <c>STT_GNU_IFUNC</c>).</summary>
    public bool IsFunction => Type is ElfSymbolType.Function or ElfSymbolType.GnuIndirectFunction;

    /// <summary>The symbol's name, value, size, binding and type.</summary>
    public override string ToString() =>
        Version is null ? $"{Name} ({Type} {Binding} 0x{Value:x})" : $"{Name}{(IsVersionHidden ? "@" : "@@")}{Version} ({Type} {Binding} 0x{Value:x})";
}
