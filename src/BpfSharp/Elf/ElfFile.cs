using System.Buffers.Binary;
using System.Text;

namespace BpfSharp.Elf;

/// <summary>
/// A parsed ELF64 little-endian file: a BPF object from <c>clang -target bpf -c</c>, or an executable or
/// shared library whose symbols a uprobe attaches to. Parsing checks every offset and size against the buffer;
/// malformed input throws <see cref="BpfFormatException"/>. Section and segment data are slices of the original
/// buffer, which must not change while the <see cref="ElfFile"/> is in use.
/// </summary>
/// <remarks>
/// The header, section headers, section names and program headers are read and checked by
/// <see cref="Parse"/>. Symbol tables, relocations and notes are decoded on first use (and then cached), so a
/// malformed symbol table is reported by the member that reads it. An instance is safe to share between threads.
/// </remarks>
public sealed partial class ElfFile
{
    // Record sizes fixed by the ELF64 format.
    private const int IdentSize = 16;
    private const int FileHeaderSize = 64;
    private const int SectionHeaderSize = 64;
    private const int ProgramHeaderSize = 56;

    private readonly ReadOnlyMemory<byte> _image;
    private readonly ElfSection[] _sections;
    private readonly ElfProgramHeader[] _programHeaders;
    private readonly string _what;

    /// <summary>Reads the whole file at <paramref name="path"/> and parses it.</summary>
    /// <exception cref="BpfFormatException">The file is not a well-formed ELF64 little-endian file.</exception>
    public static ElfFile Open(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        return new ElfFile(Interop.FileBytes.ReadAll(path, $"ELF {path}"), path);
    }

    /// <summary>Parses an ELF image held in memory; <paramref name="fileName"/> only names it in error messages.</summary>
    /// <exception cref="BpfFormatException">The image is not a well-formed ELF64 little-endian file.</exception>
    public static ElfFile Parse(ReadOnlyMemory<byte> image, string? fileName = null) => new(image, fileName);

    /// <summary>The name given to <see cref="Open"/> or <see cref="Parse"/>, if any.</summary>
    public string? FileName { get; }

    /// <summary>The whole image the file was parsed from.</summary>
    public ReadOnlyMemory<byte> Image => _image;

    /// <summary>The ELF header (<c>Elf32_Ehdr</c>/<c>Elf64_Ehdr</c>).</summary>
    public ElfHeader Header { get; }

    /// <summary>All sections in header-table order, so that <c>Sections[i].Index == i</c>; entry 0 is the null section.</summary>
    public IReadOnlyList<ElfSection> Sections => _sections;

    /// <summary>The program headers (segments); empty for a relocatable object.</summary>
    public IReadOnlyList<ElfProgramHeader> ProgramHeaders => _programHeaders;

    /// <summary>The section name string table (<c>.shstrtab</c>, or <c>.strtab</c> in clang's objects), if any.</summary>
    public ElfSection? SectionNameTable => Header.SectionNameTableIndex == 0 ? null : _sections[Header.SectionNameTableIndex];

    private ElfFile(ReadOnlyMemory<byte> image, string? fileName)
    {
        _image = image;
        FileName = fileName;
        _what = fileName is null ? "ELF" : $"ELF {fileName}";
        ReadOnlySpan<byte> file = image.Span;

        CheckIdentification(file);
        if (file.Length < FileHeaderSize)
            throw Malformed($"truncated: {file.Length} bytes, shorter than the {FileHeaderSize}-byte ELF64 header");
        ReadOnlySpan<byte> eh = file[..FileHeaderSize];

        uint version = BinaryPrimitives.ReadUInt32LittleEndian(eh[20..]);
        if (version != 1)
            throw Malformed($"e_version is {version}, expected 1 (EV_CURRENT)");
        ulong phoff = BinaryPrimitives.ReadUInt64LittleEndian(eh[32..]);
        ulong shoff = BinaryPrimitives.ReadUInt64LittleEndian(eh[40..]);
        ushort phentsize = BinaryPrimitives.ReadUInt16LittleEndian(eh[54..]);
        ushort phnum = BinaryPrimitives.ReadUInt16LittleEndian(eh[56..]);
        ushort shentsize = BinaryPrimitives.ReadUInt16LittleEndian(eh[58..]);
        ushort shnum = BinaryPrimitives.ReadUInt16LittleEndian(eh[60..]);
        ushort shstrndx = BinaryPrimitives.ReadUInt16LittleEndian(eh[62..]);
        var type = (ElfType)BinaryPrimitives.ReadUInt16LittleEndian(eh[16..]);

        ReadOnlySpan<byte> table = LocateSectionHeaders(file, shoff, shentsize, shnum, shstrndx, out int sectionCount, out int nameTableIndex);
        int programHeaderCount = ResolveProgramHeaderCount(table, phnum);

        Header = new ElfHeader
        {
            Class = ElfClass.Elf64,
            DataEncoding = ElfDataEncoding.LittleEndian,
            OsAbi = eh[7],
            AbiVersion = eh[8],
            Type = type,
            Machine = (ElfMachine)BinaryPrimitives.ReadUInt16LittleEndian(eh[18..]),
            Version = version,
            Entry = BinaryPrimitives.ReadUInt64LittleEndian(eh[24..]),
            ProgramHeaderOffset = phoff,
            SectionHeaderOffset = shoff,
            Flags = BinaryPrimitives.ReadUInt32LittleEndian(eh[48..]),
            HeaderSize = BinaryPrimitives.ReadUInt16LittleEndian(eh[52..]),
            ProgramHeaderEntrySize = phentsize,
            ProgramHeaderCount = programHeaderCount,
            SectionHeaderEntrySize = shentsize,
            SectionHeaderCount = sectionCount,
            SectionNameTableIndex = nameTableIndex,
        };

        _sections = ReadSections(table, sectionCount, nameTableIndex);
        if (type == ElfType.Relocatable)
            CheckSectionsDoNotOverlap(shoff, sectionCount);
        _programHeaders = ReadProgramHeaders(file, phoff, phentsize, programHeaderCount);
        _symbolCache = new ElfSymbol[]?[sectionCount];
        _relocationCache = new ElfRelocationTable?[sectionCount];
    }

    /// <summary>The first section called <paramref name="name"/>, or null.</summary>
    public ElfSection? FindSection(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        foreach (ElfSection section in _sections)
        {
            if (section.Name == name)
                return section;
        }
        return null;
    }

    /// <summary>The first section of the given type, or null.</summary>
    public ElfSection? FindSection(ElfSectionType type)
    {
        foreach (ElfSection section in _sections)
        {
            if (section.Type == type)
                return section;
        }
        return null;
    }

    /// <summary>The NUL-terminated string at <paramref name="offset"/> of a <c>SHT_STRTAB</c> section of this file.</summary>
    /// <exception cref="BpfFormatException">The offset is outside the table or the string is not terminated.</exception>
    public string ReadString(ElfSection stringTable, uint offset)
    {
        CheckOwnSection(stringTable);
        if (stringTable.Type != ElfSectionType.StringTable)
            throw new ArgumentException($"{Describe(stringTable)} is a {stringTable.Type} section, not a string table", nameof(stringTable));
        return ReadString(stringTable, offset, "string", offset);
    }

    /// <summary>
    /// Converts a virtual address (a symbol's value in an executable or shared library) to the file offset a
    /// uprobe needs: <c>address - p_vaddr + p_offset</c> of the executable <c>PT_LOAD</c> segment holding it.
    /// </summary>
    /// <exception cref="BpfException">No executable segment maps the address from the file.</exception>
    public ulong VirtualAddressToFileOffset(ulong address)
    {
        if (TryVirtualAddressToFileOffset(address, out ulong offset))
            return offset;
        throw new BpfException(_what, $"address 0x{address:x} is not in the file-backed part of an executable PT_LOAD segment");
    }

    /// <summary>
    /// Converts a virtual address to a file offset through the <c>PT_LOAD</c> segment whose file-backed part holds
    /// it; with <paramref name="executableOnly"/> false any loaded segment counts (a USDT semaphore is in data).
    /// </summary>
    public bool TryVirtualAddressToFileOffset(ulong address, out ulong fileOffset, bool executableOnly = true)
    {
        ElfProgramHeader? segment = FindLoadSegment(address, executableOnly);
        // Offset + FileSize was checked against the file length, so this cannot overflow.
        fileOffset = segment is null ? 0 : address - segment.VirtualAddress + segment.Offset;
        return segment is not null;
    }

    /// <summary>The first <c>PT_LOAD</c> segment whose file-backed part holds <paramref name="address"/>, or null.</summary>
    public ElfProgramHeader? FindLoadSegment(ulong address, bool executableOnly = true)
    {
        foreach (ElfProgramHeader segment in _programHeaders)
        {
            if (segment.Type == ElfSegmentType.Load && (!executableOnly || segment.IsExecutable) && segment.ContainsFileBacked(address))
                return segment;
        }
        return null;
    }

    /// <summary>The file's name, type, machine and section and segment counts.</summary>
    public override string ToString() => $"{_what}: {Header.Type} {Header.Machine}, {_sections.Length} sections, {_programHeaders.Length} segments";

    private void CheckIdentification(ReadOnlySpan<byte> file)
    {
        if (file.Length < IdentSize)
            throw Malformed($"truncated: {file.Length} bytes, shorter than the {IdentSize}-byte ELF identification");
        if (file[0] != 0x7f || file[1] != (byte)'E' || file[2] != (byte)'L' || file[3] != (byte)'F')
            throw Malformed("not an ELF file (the magic bytes are not 7f 45 4c 46)");
        switch ((ElfClass)file[4])
        {
            case ElfClass.Elf64: break;
            case ElfClass.Elf32: throw Malformed("32-bit ELF (ELFCLASS32) is not supported; only ELF64 is");
            default: throw Malformed($"invalid ELF class {file[4]}");
        }
        switch ((ElfDataEncoding)file[5])
        {
            case ElfDataEncoding.LittleEndian: break;
            case ElfDataEncoding.BigEndian: throw Malformed("big-endian ELF (ELFDATA2MSB) is not supported; only little-endian is");
            default: throw Malformed($"invalid ELF data encoding {file[5]}");
        }
        if (file[6] != 1)
            throw Malformed($"e_ident[EI_VERSION] is {file[6]}, expected 1 (EV_CURRENT)");
    }

    // Returns the section header table and the real section count and name table index. When e_shnum is 0 the
    // count is in section 0's sh_size; when e_shstrndx is SHN_XINDEX the index is in section 0's sh_link.
    private ReadOnlySpan<byte> LocateSectionHeaders(ReadOnlySpan<byte> file, ulong shoff, ushort shentsize, ushort shnum,
        ushort shstrndx, out int sectionCount, out int nameTableIndex)
    {
        sectionCount = 0;
        nameTableIndex = 0;
        if (shoff == 0)
        {
            if (shnum != 0 || shstrndx != 0)
                throw Malformed($"e_shoff is 0 (no section header table) but e_shnum is {shnum} and e_shstrndx {shstrndx}");
            return [];
        }
        if (shentsize != SectionHeaderSize)
            throw Malformed($"e_shentsize is {shentsize}, an ELF64 section header is {SectionHeaderSize} bytes");
        if (shoff < FileHeaderSize)
            throw Malformed($"the section header table at offset 0x{shoff:x} overlaps the ELF header");
        if (!Fits(shoff, SectionHeaderSize, file.Length))
            throw Malformed($"the section header table at offset 0x{shoff:x} lies past the end of the file ({file.Length} bytes)");

        ReadOnlySpan<byte> first = file.Slice((int)shoff, SectionHeaderSize);
        ulong count = shnum != 0 ? shnum : BinaryPrimitives.ReadUInt64LittleEndian(first[32..]);
        if (count == 0)
            throw Malformed("e_shnum is 0 and section 0's sh_size does not hold the section count");
        if (count > ((ulong)file.Length - shoff) / SectionHeaderSize)
            throw Malformed($"the section header table ({count} entries at offset 0x{shoff:x}) extends past the end of the file ({file.Length} bytes)");
        sectionCount = (int)count;

        uint index = shstrndx == ElfSectionIndex.ExtendedIndex ? BinaryPrimitives.ReadUInt32LittleEndian(first[40..]) : shstrndx;
        if (index >= count)
            throw Malformed($"e_shstrndx {index} is not a section index (the file has {count} sections)");
        nameTableIndex = (int)index;
        return file.Slice((int)shoff, sectionCount * SectionHeaderSize);
    }

    // e_phnum == PN_XNUM (0xffff) means the real count is in section 0's sh_info.
    private int ResolveProgramHeaderCount(ReadOnlySpan<byte> sectionTable, ushort phnum)
    {
        if (phnum != 0xffff)
            return phnum;
        if (sectionTable.IsEmpty)
            throw Malformed("e_phnum is PN_XNUM but there is no section 0 holding the program header count");
        uint count = BinaryPrimitives.ReadUInt32LittleEndian(sectionTable[44..]);
        if (count > int.MaxValue)
            throw Malformed($"the program header count {count} from section 0 is out of range");
        return (int)count;
    }

    private ElfSection[] ReadSections(ReadOnlySpan<byte> table, int count, int nameTableIndex)
    {
        ReadOnlySpan<byte> file = _image.Span;
        ReadOnlySpan<byte> names = [];
        if (nameTableIndex != 0)
        {
            ReadOnlySpan<byte> header = table.Slice(nameTableIndex * SectionHeaderSize, SectionHeaderSize);
            var nameTableType = (ElfSectionType)BinaryPrimitives.ReadUInt32LittleEndian(header[4..]);
            if (nameTableType != ElfSectionType.StringTable)
                throw Malformed($"the section name table (section {nameTableIndex}, e_shstrndx) is a {nameTableType} section, not a string table");
            ulong offset = BinaryPrimitives.ReadUInt64LittleEndian(header[24..]);
            ulong size = BinaryPrimitives.ReadUInt64LittleEndian(header[32..]);
            if (!Fits(offset, size, file.Length))
                throw Malformed($"the section name table (section {nameTableIndex}) at offset 0x{offset:x}, size 0x{size:x}, extends past the end of the file ({file.Length} bytes)");
            names = file.Slice((int)offset, (int)size);
        }

        var sections = new ElfSection[count];
        for (int i = 0; i < count; i++)
        {
            ReadOnlySpan<byte> h = table.Slice(i * SectionHeaderSize, SectionHeaderSize);
            uint nameOffset = BinaryPrimitives.ReadUInt32LittleEndian(h);
            var type = (ElfSectionType)BinaryPrimitives.ReadUInt32LittleEndian(h[4..]);
            ulong offset = BinaryPrimitives.ReadUInt64LittleEndian(h[24..]);
            ulong size = BinaryPrimitives.ReadUInt64LittleEndian(h[32..]);

            string name = "";
            if (nameOffset != 0 || !names.IsEmpty)
            {
                if (nameTableIndex == 0)
                    throw Malformed($"section {i} has a name (sh_name {nameOffset}) but the file has no section name table");
                name = ReadString(names, nameOffset, "the section name table", "section", i);
            }

            // SHT_NOBITS occupies no file space and section 0's fields hold extended counts, not a range.
            ReadOnlyMemory<byte> data = ReadOnlyMemory<byte>.Empty;
            if (type is not (ElfSectionType.NoBits or ElfSectionType.Null))
            {
                if (!Fits(offset, size, file.Length))
                    throw Malformed($"section {i} ({name}): data at offset 0x{offset:x}, size 0x{size:x}, extends past the end of the file ({file.Length} bytes)");
                if (size != 0 && offset < FileHeaderSize)
                    throw Malformed($"section {i} ({name}): data at offset 0x{offset:x} overlaps the ELF header");
                data = _image.Slice((int)offset, (int)size);
            }

            sections[i] = new ElfSection
            {
                Index = i,
                Name = name,
                NameOffset = nameOffset,
                Type = type,
                Flags = (ElfSectionFlags)BinaryPrimitives.ReadUInt64LittleEndian(h[8..]),
                Address = BinaryPrimitives.ReadUInt64LittleEndian(h[16..]),
                Offset = offset,
                Size = size,
                Link = BinaryPrimitives.ReadUInt32LittleEndian(h[40..]),
                Info = BinaryPrimitives.ReadUInt32LittleEndian(h[44..]),
                Alignment = BinaryPrimitives.ReadUInt64LittleEndian(h[48..]),
                EntrySize = BinaryPrimitives.ReadUInt64LittleEndian(h[56..]),
                Data = data,
            };
        }
        return sections;
    }

    // In a relocatable object every byte belongs to at most one section (or the headers); two sections sharing
    // bytes would let, say, a relocation section patch the code it aliases. Linked files are not held to this.
    private void CheckSectionsDoNotOverlap(ulong shoff, int sectionCount)
    {
        var ranges = new List<(ulong Start, ulong End, string What)>(sectionCount + 2)
        {
            (0, FileHeaderSize, "the ELF header"),
        };
        if (sectionCount > 0)
            ranges.Add((shoff, shoff + (ulong)sectionCount * SectionHeaderSize, "the section header table"));
        foreach (ElfSection s in _sections)
        {
            if (s.Type is not (ElfSectionType.NoBits or ElfSectionType.Null) && s.Size != 0)
                ranges.Add((s.Offset, s.Offset + s.Size, Describe(s)));
        }
        ranges.Sort((a, b) => a.Start.CompareTo(b.Start));
        for (int i = 1; i < ranges.Count; i++)
        {
            if (ranges[i].Start < ranges[i - 1].End)
                throw Malformed($"{ranges[i].What} (offset 0x{ranges[i].Start:x}) overlaps {ranges[i - 1].What} (ends at 0x{ranges[i - 1].End:x})");
        }
    }

    private ElfProgramHeader[] ReadProgramHeaders(ReadOnlySpan<byte> file, ulong phoff, ushort phentsize, int count)
    {
        if (count == 0)
            return [];
        if (phentsize != ProgramHeaderSize)
            throw Malformed($"e_phentsize is {phentsize}, an ELF64 program header is {ProgramHeaderSize} bytes");
        if (phoff < FileHeaderSize)
            throw Malformed($"the program header table at offset 0x{phoff:x} overlaps the ELF header");
        if (phoff > (ulong)file.Length || (ulong)count > ((ulong)file.Length - phoff) / ProgramHeaderSize)
            throw Malformed($"the program header table ({count} entries at offset 0x{phoff:x}) extends past the end of the file ({file.Length} bytes)");

        var headers = new ElfProgramHeader[count];
        for (int i = 0; i < count; i++)
        {
            ReadOnlySpan<byte> p = file.Slice((int)phoff + i * ProgramHeaderSize, ProgramHeaderSize);
            var type = (ElfSegmentType)BinaryPrimitives.ReadUInt32LittleEndian(p);
            ulong offset = BinaryPrimitives.ReadUInt64LittleEndian(p[8..]);
            ulong vaddr = BinaryPrimitives.ReadUInt64LittleEndian(p[16..]);
            ulong filesz = BinaryPrimitives.ReadUInt64LittleEndian(p[32..]);
            ulong memsz = BinaryPrimitives.ReadUInt64LittleEndian(p[40..]);

            ReadOnlyMemory<byte> data = ReadOnlyMemory<byte>.Empty;
            if (filesz != 0)
            {
                if (!Fits(offset, filesz, file.Length))
                    throw Malformed($"program header {i} ({type}): file range at offset 0x{offset:x}, size 0x{filesz:x}, extends past the end of the file ({file.Length} bytes)");
                data = _image.Slice((int)offset, (int)filesz);
            }
            if (memsz > ulong.MaxValue - vaddr)
                throw Malformed($"program header {i} ({type}): address 0x{vaddr:x} + size 0x{memsz:x} wraps around");
            // The loader maps p_filesz bytes and zero-fills up to p_memsz; the reverse makes no sense.
            if (type == ElfSegmentType.Load && filesz > memsz)
                throw Malformed($"program header {i} (PT_LOAD): file size 0x{filesz:x} exceeds memory size 0x{memsz:x}");

            headers[i] = new ElfProgramHeader
            {
                Index = i,
                Type = type,
                Flags = (ElfSegmentFlags)BinaryPrimitives.ReadUInt32LittleEndian(p[4..]),
                Offset = offset,
                VirtualAddress = vaddr,
                PhysicalAddress = BinaryPrimitives.ReadUInt64LittleEndian(p[24..]),
                FileSize = filesz,
                MemorySize = memsz,
                Alignment = BinaryPrimitives.ReadUInt64LittleEndian(p[48..]),
                Data = data,
            };
        }
        return headers;
    }

    // Whether [offset, offset + size) lies inside a buffer of `length` bytes, without overflowing.
    private static bool Fits(ulong offset, ulong size, int length) =>
        offset <= (ulong)length && size <= (ulong)length - offset;

    private string ReadString(ElfSection table, uint offset, string ownerKind, long ownerIndex) =>
        ReadString(table.Data.Span, offset, Describe(table), ownerKind, ownerIndex);

    // A string table is a sequence of NUL-terminated strings; an offset names the string starting there.
    private string ReadString(ReadOnlySpan<byte> table, uint offset, string tableName, string ownerKind, long ownerIndex)
    {
        if (offset == 0 && table.IsEmpty)
            return "";
        if (offset >= (uint)table.Length)
            throw Malformed($"{ownerKind} {ownerIndex}: name offset {offset} is outside {tableName} ({table.Length} bytes)");
        ReadOnlySpan<byte> rest = table[(int)offset..];
        int end = rest.IndexOf((byte)0);
        if (end < 0)
            throw Malformed($"{ownerKind} {ownerIndex}: the name at offset {offset} of {tableName} is not NUL-terminated");
        return end == 0 ? "" : Encoding.UTF8.GetString(rest[..end]);
    }

    private void CheckOwnSection(ElfSection section)
    {
        ArgumentNullException.ThrowIfNull(section);
        if ((uint)section.Index >= (uint)_sections.Length || !ReferenceEquals(_sections[section.Index], section))
            throw new ArgumentException($"section {section.Name} does not belong to {_what}", nameof(section));
    }

    // Looks up a section index stored in another section's header (sh_link, sh_info).
    private ElfSection LinkedSection(ElfSection owner, uint index, string field)
    {
        if (index == 0 || index >= (uint)_sections.Length)
            throw Malformed($"{Describe(owner)}: {field} {index} is not a section index (the file has {_sections.Length} sections)");
        return _sections[index];
    }

    private static string Describe(ElfSection section) =>
        section.Name.Length == 0 ? $"section {section.Index}" : $"section {section.Index} ({section.Name})";

    private BpfFormatException Malformed(string message) => new(_what, message);
}
