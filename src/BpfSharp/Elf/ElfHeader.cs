namespace BpfSharp.Elf;

/// <summary>The word size recorded in <c>e_ident[EI_CLASS]</c>.</summary>
public enum ElfClass : byte
{
    None = 0,
    Elf32 = 1,
    Elf64 = 2,
}

/// <summary>The byte order recorded in <c>e_ident[EI_DATA]</c>.</summary>
public enum ElfDataEncoding : byte
{
    None = 0,
    LittleEndian = 1,
    BigEndian = 2,
}

/// <summary>The object file type (<c>e_type</c>).</summary>
public enum ElfType : ushort
{
    None = 0,
    /// <summary><c>ET_REL</c>: a relocatable object, which is what <c>clang -target bpf -c</c> produces.</summary>
    Relocatable = 1,
    /// <summary><c>ET_EXEC</c>: an executable linked at a fixed address.</summary>
    Executable = 2,
    /// <summary><c>ET_DYN</c>: a shared library or a position-independent executable.</summary>
    SharedObject = 3,
    Core = 4,
}

/// <summary>
/// The ELF file header (<c>Elf64_Ehdr</c>). The counts and the section name table index are the
/// resolved values: when the header holds the escape values (<c>e_shnum == 0</c>,
/// <c>e_shstrndx == SHN_XINDEX</c>, <c>e_phnum == PN_XNUM</c>) the real ones come from section 0.
/// </summary>
public sealed class ElfHeader
{
    internal ElfHeader() { }

    public ElfClass Class { get; internal init; }
    public ElfDataEncoding DataEncoding { get; internal init; }
    /// <summary><c>e_ident[EI_OSABI]</c>: 0 for System V, 3 for GNU/Linux.</summary>
    public byte OsAbi { get; internal init; }
    public byte AbiVersion { get; internal init; }
    public ElfType Type { get; internal init; }
    public ElfMachine Machine { get; internal init; }
    /// <summary><c>e_version</c>; always 1 (<c>EV_CURRENT</c>) in a file this reader accepts.</summary>
    public uint Version { get; internal init; }
    /// <summary>The entry point's virtual address, 0 for a relocatable object.</summary>
    public ulong Entry { get; internal init; }
    public ulong ProgramHeaderOffset { get; internal init; }
    public ulong SectionHeaderOffset { get; internal init; }
    /// <summary>Processor-specific flags (<c>e_flags</c>).</summary>
    public uint Flags { get; internal init; }
    public ushort HeaderSize { get; internal init; }
    public ushort ProgramHeaderEntrySize { get; internal init; }
    public int ProgramHeaderCount { get; internal init; }
    public ushort SectionHeaderEntrySize { get; internal init; }
    public int SectionHeaderCount { get; internal init; }
    /// <summary>The index of the section name string table, 0 when the file has none.</summary>
    public int SectionNameTableIndex { get; internal init; }
}
