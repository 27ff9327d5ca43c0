using System.Buffers.Binary;
using BpfSharp.Elf;
using Xunit;

namespace BpfSharp.Tests.Elf;

/// <summary>One deliberate defect at a time, each reported as a <see cref="BpfFormatException"/> saying what is wrong.</summary>
public class ElfMalformedTests
{
    private static (byte[] Bytes, ElfFile Original) Fixture(string name)
    {
        byte[] bytes = File.ReadAllBytes(ElfTestFiles.Fixture(name));
        return (bytes, ElfFile.Parse(bytes.ToArray(), name));
    }

    private static BpfFormatException Fails(byte[] bytes, string? name = "broken.o")
    {
        return Assert.Throws<BpfFormatException>(() =>
        {
            ElfFile elf = ElfFile.Parse(bytes, name);
            ElfMutation.ReadEverything(elf);
        });
    }

    private static int Section(ElfFile elf, string name) => elf.FindSection(name)!.Index;

    private static void SetSectionField(byte[] bytes, ElfFile elf, string section, string field, ulong value)
    {
        ElfMutation.Field f = ElfMutation.SectionFields.Single(x => x.Name == field);
        ElfMutation.Write(bytes, ElfMutation.SectionHeaderOffset(elf, Section(elf, section)) + f.Offset, f.Size, value);
    }

    private static void SetHeaderField(byte[] bytes, string field, ulong value)
    {
        ElfMutation.Field f = ElfMutation.HeaderFields.Single(x => x.Name == field);
        ElfMutation.Write(bytes, f.Offset, f.Size, value);
    }

    [Fact]
    public void ErrorsNameTheFile()
    {
        BpfFormatException named = Fails([0x7f, (byte)'E', (byte)'L'], "prog.o");
        Assert.Equal("ELF prog.o", named.Operation);
        Assert.StartsWith("ELF prog.o: truncated", named.Message);
        BpfFormatException anonymous = Fails([], null);
        Assert.Equal("ELF", anonymous.Operation);
        Assert.Equal(Errno.None, anonymous.Errno);
    }

    [Theory]
    [InlineData(4, 1, "32-bit ELF")]
    [InlineData(4, 0, "invalid ELF class 0")]
    [InlineData(4, 9, "invalid ELF class 9")]
    [InlineData(5, 2, "big-endian")]
    [InlineData(5, 3, "invalid ELF data encoding")]
    [InlineData(6, 2, "EI_VERSION")]
    [InlineData(0, 0x7e, "not an ELF file")]
    [InlineData(3, (byte)'G', "not an ELF file")]
    public void IdentificationIsChecked(int offset, byte value, string message)
    {
        (byte[] bytes, _) = Fixture("programs.bpf.o");
        bytes[offset] = value;
        Assert.Contains(message, Fails(bytes).Message);
    }

    [Theory]
    [InlineData("e_version", 0UL, "e_version")]
    [InlineData("e_shoff", 0x7fff_ffffUL, "past the end")]
    [InlineData("e_shoff", ulong.MaxValue - 8, "past the end")]
    [InlineData("e_shoff", 8UL, "overlaps the ELF header")]
    [InlineData("e_shnum", 0xfeffUL, "extends past the end")]
    [InlineData("e_shentsize", 40UL, "e_shentsize")]
    [InlineData("e_shstrndx", 0xfff0UL, "e_shstrndx")]
    [InlineData("e_shstrndx", 2UL, "not a string table")]
    public void HeaderFieldsAreChecked(string field, ulong value, string message)
    {
        (byte[] bytes, _) = Fixture("programs.bpf.o");
        SetHeaderField(bytes, field, value);
        Assert.Contains(message, Fails(bytes).Message);
    }

    [Fact]
    public void ExtendedSectionCountIsOutOfRange()
    {
        // e_shnum 0 defers to section 0's sh_size, which here claims far more headers than the file holds.
        (byte[] bytes, ElfFile elf) = Fixture("programs.bpf.o");
        SetHeaderField(bytes, "e_shnum", 0);
        ElfMutation.Write(bytes, ElfMutation.SectionHeaderOffset(elf, 0) + 32, 8, ulong.MaxValue);
        Assert.Contains("extends past the end", Fails(bytes).Message);
    }

    [Fact]
    public void ExtendedNumberingIsFollowed()
    {
        // The escapes written the way a file with 65280+ sections would, for a small file: still readable.
        (byte[] bytes, ElfFile elf) = Fixture("programs.bpf.o");
        int nameTable = elf.Header.SectionNameTableIndex;
        SetHeaderField(bytes, "e_shnum", 0);
        SetHeaderField(bytes, "e_shstrndx", 0xffff);
        ElfMutation.Write(bytes, ElfMutation.SectionHeaderOffset(elf, 0) + 32, 8, (ulong)elf.Sections.Count);
        ElfMutation.Write(bytes, ElfMutation.SectionHeaderOffset(elf, 0) + 40, 4, (ulong)nameTable);
        ElfFile extended = ElfFile.Parse(bytes);
        Assert.Equal(elf.Sections.Select(s => s.Name), extended.Sections.Select(s => s.Name));
        Assert.Equal(nameTable, extended.Header.SectionNameTableIndex);
    }

    [Theory]
    [InlineData("xdp", "sh_offset", ulong.MaxValue, "extends past the end")]
    [InlineData("xdp", "sh_size", ulong.MaxValue - 0x40, "extends past the end")]
    [InlineData("xdp", "sh_size", 0x1_0000_0000UL, "extends past the end")]
    [InlineData("xdp", "sh_offset", 0x10UL, "overlaps the ELF header")]
    [InlineData("xdp", "sh_name", 0xffffffUL, "name offset 16777215 is outside")]
    [InlineData(".symtab", "sh_entsize", 0UL, "sh_entsize is 0")]
    [InlineData(".symtab", "sh_entsize", 16UL, "sh_entsize is 16")]
    [InlineData(".symtab", "sh_size", 0x10UL, "not a multiple")]
    [InlineData(".symtab", "sh_link", 0UL, "is not a section index")]
    [InlineData(".symtab", "sh_link", 4000UL, "is not a section index")]
    [InlineData(".symtab", "sh_link", 2UL, "not a string table")]
    [InlineData(".relxdp", "sh_entsize", 0UL, "sh_entsize is 0")]
    [InlineData(".relxdp", "sh_entsize", 24UL, "sh_entsize is 24")]
    [InlineData(".relxdp", "sh_size", 0x18UL, "not a multiple")]
    [InlineData(".relxdp", "sh_link", 2UL, "not a symbol table")]
    [InlineData(".relxdp", "sh_link", 999UL, "is not a section index")]
    [InlineData(".relxdp", "sh_info", 999UL, "sh_info (target section) 999 is not a section index")]
    [InlineData(".relxdp", "sh_info", 0UL, "sh_info (target section) 0 is not a section index")]
    [InlineData(".relxdp", "sh_info", 33UL, "which relocations cannot patch")]
    public void SectionFieldsAreChecked(string section, string field, ulong value, string message)
    {
        (byte[] bytes, ElfFile elf) = Fixture("programs.bpf.o");
        SetSectionField(bytes, elf, section, field, value);
        Assert.Contains(message, Fails(bytes).Message);
    }

    [Fact]
    public void OverlappingSectionsAreRefusedInObjects()
    {
        (byte[] bytes, ElfFile elf) = Fixture("programs.bpf.o");
        SetSectionField(bytes, elf, ".data", "sh_offset", elf.FindSection("xdp")!.Offset + 8);
        Assert.Contains("overlaps section", Fails(bytes).Message);
    }

    [Fact]
    public void UnterminatedNameIsRefused()
    {
        // The string table ends in the NUL of its last name; without it that name runs off the table.
        (byte[] bytes, ElfFile elf) = Fixture("programs.bpf.o");
        ElfSection strtab = elf.SectionNameTable!;
        bytes[(int)(strtab.Offset + strtab.Size - 1)] = (byte)'x';
        Assert.Contains("not NUL-terminated", Fails(bytes).Message);
    }

    [Fact]
    public void SymbolSectionIndexOutOfRangeIsRefused()
    {
        (byte[] bytes, ElfFile elf) = Fixture("programs.bpf.o");
        ElfSymbol xdp = elf.Symbols.Single(s => s.Name == "xdp_count");
        int entry = (int)elf.SymbolTableSection!.Offset + xdp.Index * 24;
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(entry + 6), 0x1234);
        Assert.Contains("section index 4660 is out of range", Fails(bytes).Message);

        // SHN_XINDEX without a SHT_SYMTAB_SHNDX section to hold the real index.
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(entry + 6), 0xffff);
        Assert.Contains("SHN_XINDEX", Fails(bytes).Message);
    }

    [Fact]
    public void SymbolNameOutsideStringTableIsRefused()
    {
        (byte[] bytes, ElfFile elf) = Fixture("externs.bpf.o");
        int entry = (int)elf.SymbolTableSection!.Offset + 3 * 24;
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(entry), 0xffff_fff0);
        Assert.Contains("is outside", Fails(bytes).Message);
    }

    [Fact]
    public void RelocationEntriesAreChecked()
    {
        (byte[] bytes, ElfFile elf) = Fixture("programs.bpf.o");
        int entry = (int)elf.FindSection(".relxdp")!.Offset;
        byte[] original = bytes.ToArray();

        BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(entry + 8), (0xffffUL << 32) | 1);
        Assert.Contains("refers to symbol 65535", Fails(bytes).Message);

        bytes = original.ToArray();
        BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(entry), 0x10000);
        Assert.Contains("lies outside section 4 (xdp)", Fails(bytes).Message);
    }

    [Theory]
    [InlineData("e_phentsize", 32UL, "e_phentsize")]
    [InlineData("e_phnum", 0xfffeUL, "extends past the end")]
    [InlineData("e_phoff", ulong.MaxValue, "extends past the end")]
    [InlineData("e_phoff", 0UL, "overlaps the ELF header")]
    public void ProgramHeaderTableIsChecked(string field, ulong value, string message)
    {
        (byte[] bytes, _) = Fixture("usdt");
        SetHeaderField(bytes, field, value);
        Assert.Contains(message, Fails(bytes).Message);
    }

    [Fact]
    public void SegmentsAreChecked()
    {
        (byte[] bytes, ElfFile elf) = Fixture("usdt");
        byte[] original = bytes.ToArray();
        ElfProgramHeader load = elf.ProgramHeaders.First(p => p.Type == ElfSegmentType.Load);
        int at = ElfMutation.ProgramHeaderOffset(elf, load.Index);

        BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(at + 32), ulong.MaxValue); // p_filesz
        Assert.Contains("extends past the end", Fails(bytes).Message);

        bytes = original.ToArray();
        BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(at + 16), ulong.MaxValue - 4); // p_vaddr
        Assert.Contains("wraps around", Fails(bytes).Message);

        bytes = original.ToArray();
        BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(at + 40), 0); // p_memsz < p_filesz
        Assert.Contains("exceeds memory size", Fails(bytes).Message);
    }

    [Fact]
    public void NotesAreChecked()
    {
        (byte[] bytes, ElfFile elf) = Fixture("usdt");
        byte[] original = bytes.ToArray();
        int note = (int)elf.FindSection(".note.stapsdt")!.Offset;

        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(note + 4), 0xffff_ffff); // descsz
        Assert.Contains("extends past the end of the section", Fails(bytes).Message);

        bytes = original.ToArray();
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(note + 4), 16); // too short for pc, base, semaphore
        Assert.Contains("(.note.stapsdt)", Fails(bytes).Message);

        // The last note's descriptor cut to 16 bytes, the section ending right after it.
        bytes = original.ToArray();
        ElfNote last = elf.ReadNotes(elf.FindSection(".note.stapsdt")!)[^1];
        int lastNote = note + (int)elf.FindSection(".note.stapsdt")!.Size - 12 - 8 - last.Descriptor.Length;
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(lastNote + 4), 16);
        SetSectionField(bytes, elf, ".note.stapsdt", "sh_size", elf.FindSection(".note.stapsdt")!.Size - (ulong)last.Descriptor.Length + 16);
        Assert.Contains("USDT note 1 has a 16-byte descriptor, shorter than its three addresses", Fails(bytes).Message);

        bytes = original.ToArray();
        bytes[note + 12 + 7] = (byte)'!'; // the NUL of "stapsdt"
        Assert.Contains("not NUL-terminated", Fails(bytes).Message);
    }

    [Fact]
    public void SymbolVersionsAreChecked()
    {
        (byte[] bytes, ElfFile elf) = Fixture("usdt");
        byte[] original = bytes.ToArray();
        ElfSection versym = elf.FindSection(ElfSectionType.GnuVersionSymbols)!;
        SetSectionField(bytes, elf, versym.Name, "sh_size", versym.Size - 2);
        Assert.Contains("does not hold one version index", Fails(bytes).Message);

        bytes = original.ToArray();
        int undefinedVersioned = elf.DynamicSymbols.First(s => s.Version is not null).Index;
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan((int)versym.Offset + undefinedVersioned * 2), 0x7777);
        Assert.Contains("version index 30583", Fails(bytes).Message);

        bytes = original.ToArray();
        ElfSection verneed = elf.FindSection(ElfSectionType.GnuVersionNeeds)!;
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan((int)verneed.Offset + 8), 0xffff_0000); // vn_aux
        Assert.Contains("lies outside the section", Fails(bytes).Message);
    }

    [Fact]
    public void PrelinkedUsdtAddressesMoveWithStapsdtBase()
    {
        // Prelink moves .stapsdt.base; the notes keep the link-time base, so probes shift by the difference.
        (byte[] bytes, ElfFile elf) = Fixture("usdt");
        SetSectionField(bytes, elf, ".stapsdt.base", "sh_addr", elf.FindSection(".stapsdt.base")!.Address + 0x10000);
        ElfFile moved = ElfFile.Parse(bytes);
        for (int i = 0; i < elf.UsdtProbes.Count; i++)
        {
            Assert.Equal(elf.UsdtProbes[i].Address + 0x10000, moved.UsdtProbes[i].Address);
            Assert.Equal(elf.UsdtProbes[i].Base, moved.UsdtProbes[i].Base);
            ulong semaphore = elf.UsdtProbes[i].SemaphoreAddress;
            Assert.Equal(semaphore == 0 ? 0 : semaphore + 0x10000, moved.UsdtProbes[i].SemaphoreAddress);
        }
    }

    [Fact]
    public void ExtendedSymbolSectionIndexIsFollowed()
    {
        // Rewrite .debug_str into a SHT_SYMTAB_SHNDX section for .symtab and give xdp_count st_shndx SHN_XINDEX;
        // as a shared object, so that the relocation and overlap rules of relocatable objects do not interfere.
        (byte[] bytes, ElfFile elf) = Fixture("programs.bpf.o");
        ElfSection symtab = elf.SymbolTableSection!;
        ElfSection holder = elf.FindSection(".debug_str")!;
        ElfSymbol xdp = elf.Symbols.Single(s => s.Name == "xdp_count");
        SetHeaderField(bytes, "e_type", (ulong)ElfType.SharedObject);
        SetSectionField(bytes, elf, ".debug_str", "sh_type", (ulong)ElfSectionType.SymbolTableSectionIndices);
        SetSectionField(bytes, elf, ".debug_str", "sh_link", (ulong)symtab.Index);
        SetSectionField(bytes, elf, ".debug_str", "sh_entsize", 4);
        SetSectionField(bytes, elf, ".debug_str", "sh_size", (ulong)elf.Symbols.Count * 4);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan((int)holder.Offset + xdp.Index * 4), (uint)xdp.Section!.Index);
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan((int)symtab.Offset + xdp.Index * 24 + 6), 0xffff);

        ElfSymbol extended = ElfFile.Parse(bytes).Symbols[xdp.Index];
        Assert.Equal((uint)xdp.Section.Index, extended.SectionIndex);
        Assert.Equal("xdp", extended.Section!.Name);

        // The same entry pointing past the section table.
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan((int)holder.Offset + xdp.Index * 4), 70000);
        Assert.Contains("section index 70000 is out of range", Fails(bytes).Message);
    }
}
