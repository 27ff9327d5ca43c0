namespace BpfSharp.Elf;

/// <summary>The section type (<c>sh_type</c>). Values not listed here are kept as their number.</summary>
public enum ElfSectionType : uint
{
    Null = 0,
    ProgBits = 1,
    SymbolTable = 2,
    StringTable = 3,
    /// <summary><c>SHT_RELA</c>: relocations with explicit addends.</summary>
    Rela = 4,
    Hash = 5,
    Dynamic = 6,
    Note = 7,
    /// <summary><c>SHT_NOBITS</c>: occupies no file space (<c>.bss</c>); its size is the size in memory.</summary>
    NoBits = 8,
    /// <summary><c>SHT_REL</c>: relocations whose addend is stored in the bytes they patch (BPF uses these).</summary>
    Rel = 9,
    ShLib = 10,
    DynamicSymbolTable = 11,
    InitArray = 14,
    FiniArray = 15,
    PreInitArray = 16,
    Group = 17,
    /// <summary><c>SHT_SYMTAB_SHNDX</c>: the full section indices of symbols whose <c>st_shndx</c> is <c>SHN_XINDEX</c>.</summary>
    SymbolTableSectionIndices = 18,
    Relr = 19,
    LlvmAddrsig = 0x6fff4c03,
    GnuAttributes = 0x6ffffff5,
    GnuHash = 0x6ffffff6,
    /// <summary><c>SHT_GNU_verdef</c>: the symbol versions this object defines.</summary>
    GnuVersionDefinitions = 0x6ffffffd,
    /// <summary><c>SHT_GNU_verneed</c>: the symbol versions this object needs from its dependencies.</summary>
    GnuVersionNeeds = 0x6ffffffe,
    /// <summary><c>SHT_GNU_versym</c>: one version index per dynamic symbol.</summary>
    GnuVersionSymbols = 0x6fffffff,
}

/// <summary>Section attribute flags (<c>sh_flags</c>).</summary>
[Flags]
public enum ElfSectionFlags : ulong
{
    None = 0,
    Write = 0x1,
    Alloc = 0x2,
    ExecInstr = 0x4,
    Merge = 0x10,
    Strings = 0x20,
    /// <summary><c>SHF_INFO_LINK</c>: <c>sh_info</c> holds a section index.</summary>
    InfoLink = 0x40,
    LinkOrder = 0x80,
    OsNonConforming = 0x100,
    Group = 0x200,
    Tls = 0x400,
    Compressed = 0x800,
    Exclude = 0x8000_0000,
}

/// <summary>Reserved values of a symbol's section index (<c>st_shndx</c>).</summary>
public static class ElfSectionIndex
{
    /// <summary><c>SHN_UNDEF</c>: the symbol is referenced here and defined elsewhere.</summary>
    public const uint Undefined = 0;
    /// <summary><c>SHN_LORESERVE</c>: indices from here up are not section indices.</summary>
    public const uint LowReserve = 0xff00;
    /// <summary><c>SHN_ABS</c>: the value is absolute, not relative to a section.</summary>
    public const uint Absolute = 0xfff1;
    /// <summary><c>SHN_COMMON</c>: an unallocated common block; the value is its alignment.</summary>
    public const uint Common = 0xfff2;
    /// <summary><c>SHN_XINDEX</c>: the real index is in the <c>SHT_SYMTAB_SHNDX</c> section.</summary>
    public const uint ExtendedIndex = 0xffff;
}

/// <summary>
/// One section header (<c>Elf64_Shdr</c>) with its name resolved and its bytes as a slice of the file.
/// </summary>
public sealed class ElfSection
{
    internal ElfSection() { }

    /// <summary>The index in the section header table (section 0 is the null section).</summary>
    public int Index { get; internal init; }
    public string Name { get; internal init; } = "";
    /// <summary><c>sh_name</c>: the offset of the name in the section name string table.</summary>
    public uint NameOffset { get; internal init; }
    public ElfSectionType Type { get; internal init; }
    public ElfSectionFlags Flags { get; internal init; }
    /// <summary><c>sh_addr</c>: the virtual address in a linked file, 0 in a relocatable object.</summary>
    public ulong Address { get; internal init; }
    /// <summary><c>sh_offset</c>: where the section's bytes start in the file.</summary>
    public ulong Offset { get; internal init; }
    /// <summary><c>sh_size</c>: the size in the file, or in memory for <see cref="ElfSectionType.NoBits"/>.</summary>
    public ulong Size { get; internal init; }
    /// <summary><c>sh_link</c>: a section index whose meaning depends on the type (a symbol table's string table...).</summary>
    public uint Link { get; internal init; }
    /// <summary><c>sh_info</c>: for relocations the section they apply to, for symbol tables one past the last local symbol.</summary>
    public uint Info { get; internal init; }
    public ulong Alignment { get; internal init; }
    /// <summary><c>sh_entsize</c>: the size of one entry for tables of fixed-size entries, else 0.</summary>
    public ulong EntrySize { get; internal init; }

    /// <summary>
    /// The section's bytes, a slice of the buffer the file was parsed from (no copy). Empty for
    /// <see cref="ElfSectionType.NoBits"/> and <see cref="ElfSectionType.Null"/> sections.
    /// </summary>
    public ReadOnlyMemory<byte> Data { get; internal init; }

    /// <summary>Whether the section holds <c>SHT_REL</c> or <c>SHT_RELA</c> relocations.</summary>
    public bool IsRelocation => Type is ElfSectionType.Rel or ElfSectionType.Rela;

    public override string ToString() => $"[{Index}] {Name} ({Type})";
}
