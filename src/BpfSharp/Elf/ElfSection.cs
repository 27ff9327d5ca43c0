namespace BpfSharp.Elf;

/// <summary>The section type (<c>sh_type</c>). Values not listed here are kept as their number.</summary>
public enum ElfSectionType : uint
{
    /// <c>SHT_NULL</c>: an inactive header (section 0).
    Null = 0,
    /// <c>SHT_PROGBITS</c>: bytes defined by the program (code, data).
    ProgBits = 1,
    /// <c>SHT_SYMTAB</c>: the symbol table.
    SymbolTable = 2,
    /// <c>SHT_STRTAB</c>: a string table.
    StringTable = 3,
    /// <summary><c>SHT_RELA</c>: relocations with explicit addends.</summary>
    Rela = 4,
    /// <c>SHT_HASH</c>: a symbol hash table.
    Hash = 5,
    /// <c>SHT_DYNAMIC</c>: dynamic linking information.
    Dynamic = 6,
    /// <c>SHT_NOTE</c>: notes.
    Note = 7,
    /// <summary><c>SHT_NOBITS</c>: occupies no file space (<c>.bss</c>); its size is the size in memory.</summary>
    NoBits = 8,
    /// <summary><c>SHT_REL</c>: relocations whose addend is stored in the bytes they patch (BPF uses these).</summary>
    Rel = 9,
    /// <c>SHT_SHLIB</c>: reserved.
    ShLib = 10,
    /// <c>SHT_DYNSYM</c>: the dynamic symbol table.
    DynamicSymbolTable = 11,
    /// <c>SHT_INIT_ARRAY</c>: constructor pointers.
    InitArray = 14,
    /// <c>SHT_FINI_ARRAY</c>: destructor pointers.
    FiniArray = 15,
    /// <c>SHT_PREINIT_ARRAY</c>: pointers called before the constructors.
    PreInitArray = 16,
    /// <c>SHT_GROUP</c>: a section group (COMDAT).
    Group = 17,
    /// <summary><c>SHT_SYMTAB_SHNDX</c>: the full section indices of symbols whose <c>st_shndx</c> is <c>SHN_XINDEX</c>.</summary>
    SymbolTableSectionIndices = 18,
    /// <c>SHT_RELR</c>: compact relative relocations.
    Relr = 19,
    /// <c>SHT_LLVM_ADDRSIG</c>: the symbols whose address is taken (for linker identical-code folding).
    LlvmAddrsig = 0x6fff4c03,
    /// <c>SHT_GNU_ATTRIBUTES</c>: GNU object attributes.
    GnuAttributes = 0x6ffffff5,
    /// <c>SHT_GNU_HASH</c>: the GNU-style symbol hash table.
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
    /// <summary>No flags.</summary>
    None = 0,
    /// <c>SHF_WRITE</c>: writable at run time.
    Write = 0x1,
    /// <c>SHF_ALLOC</c>: occupies memory at run time.
    Alloc = 0x2,
    /// <c>SHF_EXECINSTR</c>: holds executable instructions.
    ExecInstr = 0x4,
    /// <c>SHF_MERGE</c>: elements may be merged to remove duplicates.
    Merge = 0x10,
    /// <c>SHF_STRINGS</c>: holds null-terminated strings.
    Strings = 0x20,
    /// <summary><c>SHF_INFO_LINK</c>: <c>sh_info</c> holds a section index.</summary>
    InfoLink = 0x40,
    /// <c>SHF_LINK_ORDER</c>: keep the order of the section <c>sh_link</c> names.
    LinkOrder = 0x80,
    /// <c>SHF_OS_NONCONFORMING</c>: needs OS-specific processing.
    OsNonConforming = 0x100,
    /// <c>SHF_GROUP</c>: a member of a section group.
    Group = 0x200,
    /// <c>SHF_TLS</c>: holds thread-local storage.
    Tls = 0x400,
    /// <c>SHF_COMPRESSED</c>: compressed data, starting with a <c>Elf_Chdr</c>.
    Compressed = 0x800,
    /// <c>SHF_EXCLUDE</c>: left out of the link output.
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
    /// <summary>The section's name, read from the section name string table.</summary>
    public string Name { get; internal init; } = "";
    /// <summary><c>sh_name</c>: the offset of the name in the section name string table.</summary>
    public uint NameOffset { get; internal init; }
    /// <c>sh_type</c>: what the section holds.
    public ElfSectionType Type { get; internal init; }
    /// <c>sh_flags</c>: its attributes.
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
    /// <c>sh_addralign</c>: the alignment of the section's address (0 or 1: none).
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

    /// <summary>The section's index, name and type.</summary>
    public override string ToString() => $"[{Index}] {Name} ({Type})";
}
