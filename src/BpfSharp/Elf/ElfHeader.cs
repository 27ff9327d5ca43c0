namespace BpfSharp.Elf;

/// <summary>The word size recorded in <c>e_ident[EI_CLASS]</c>.</summary>
public enum ElfClass : byte
{
    /// <c>ELFCLASSNONE</c>: invalid class.
    None = 0,
    /// <c>ELFCLASS32</c>: 32-bit objects.
    Elf32 = 1,
    /// <c>ELFCLASS64</c>: 64-bit objects.
    Elf64 = 2,
}

/// <summary>The byte order recorded in <c>e_ident[EI_DATA]</c>.</summary>
public enum ElfDataEncoding : byte
{
    /// <c>ELFDATANONE</c>: invalid encoding.
    None = 0,
    /// <c>ELFDATA2LSB</c>: little-endian.
    LittleEndian = 1,
    /// <c>ELFDATA2MSB</c>: big-endian.
    BigEndian = 2,
}

/// <summary>The object file type (<c>e_type</c>).</summary>
public enum ElfType : ushort
{
    /// <c>ET_NONE</c>: no file type.
    None = 0,
    /// <summary><c>ET_REL</c>: a relocatable object, which is what <c>clang -target bpf -c</c> produces.</summary>
    Relocatable = 1,
    /// <summary><c>ET_EXEC</c>: an executable linked at a fixed address.</summary>
    Executable = 2,
    /// <summary><c>ET_DYN</c>: a shared library or a position-independent executable.</summary>
    SharedObject = 3,
    /// <c>ET_CORE</c>: a core dump.
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

    /// <c>e_ident[EI_CLASS]</c>: 32- or 64-bit.
    public ElfClass Class { get; internal init; }
    /// <c>e_ident[EI_DATA]</c>: the byte order.
    public ElfDataEncoding DataEncoding { get; internal init; }
    /// <summary><c>e_ident[EI_OSABI]</c>: 0 for System V, 3 for GNU/Linux.</summary>
    public byte OsAbi { get; internal init; }
    /// <c>e_ident[EI_ABIVERSION]</c>: the version of the OS ABI.
    public byte AbiVersion { get; internal init; }
    /// <c>e_type</c>: relocatable, executable, shared object or core.
    public ElfType Type { get; internal init; }
    /// <c>e_machine</c>: the target architecture.
    public ElfMachine Machine { get; internal init; }
    /// <summary><c>e_version</c>; always 1 (<c>EV_CURRENT</c>) in a file this reader accepts.</summary>
    public uint Version { get; internal init; }
    /// <summary>The entry point's virtual address, 0 for a relocatable object.</summary>
    public ulong Entry { get; internal init; }
    /// <c>e_phoff</c>: the file offset of the program header table, 0 when there is none.
    public ulong ProgramHeaderOffset { get; internal init; }
    /// <c>e_shoff</c>: the file offset of the section header table, 0 when there is none.
    public ulong SectionHeaderOffset { get; internal init; }
    /// <summary>Processor-specific flags (<c>e_flags</c>).</summary>
    public uint Flags { get; internal init; }
    /// <c>e_ehsize</c>: the size of this header in bytes.
    public ushort HeaderSize { get; internal init; }
    /// <c>e_phentsize</c>: the size of one program header in bytes.
    public ushort ProgramHeaderEntrySize { get; internal init; }
    /// <c>e_phnum</c>: the number of program headers (<c>PN_XNUM</c> already resolved).
    public int ProgramHeaderCount { get; internal init; }
    /// <c>e_shentsize</c>: the size of one section header in bytes.
    public ushort SectionHeaderEntrySize { get; internal init; }
    /// <c>e_shnum</c>: the number of section headers (an overflow into section 0's <c>sh_size</c> already resolved).
    public int SectionHeaderCount { get; internal init; }
    /// <summary>The index of the section name string table, 0 when the file has none.</summary>
    public int SectionNameTableIndex { get; internal init; }
}
