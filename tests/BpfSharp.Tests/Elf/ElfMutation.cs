using System.Buffers.Binary;
using BpfSharp.Elf;

namespace BpfSharp.Tests.Elf;

/// <summary>Where the fields of a fixture's ELF records are, so that tests can corrupt them one at a time.</summary>
internal static class ElfMutation
{
    public readonly record struct Field(int Offset, int Size, string Name);

    // Elf64_Ehdr fields after e_ident.
    public static readonly Field[] HeaderFields =
    [
        new(16, 2, "e_type"), new(18, 2, "e_machine"), new(20, 4, "e_version"), new(24, 8, "e_entry"),
        new(32, 8, "e_phoff"), new(40, 8, "e_shoff"), new(48, 4, "e_flags"), new(52, 2, "e_ehsize"),
        new(54, 2, "e_phentsize"), new(56, 2, "e_phnum"), new(58, 2, "e_shentsize"), new(60, 2, "e_shnum"),
        new(62, 2, "e_shstrndx"),
    ];

    // Elf64_Shdr.
    public static readonly Field[] SectionFields =
    [
        new(0, 4, "sh_name"), new(4, 4, "sh_type"), new(8, 8, "sh_flags"), new(16, 8, "sh_addr"),
        new(24, 8, "sh_offset"), new(32, 8, "sh_size"), new(40, 4, "sh_link"), new(44, 4, "sh_info"),
        new(48, 8, "sh_addralign"), new(56, 8, "sh_entsize"),
    ];

    // Elf64_Phdr.
    public static readonly Field[] ProgramHeaderFields =
    [
        new(0, 4, "p_type"), new(4, 4, "p_flags"), new(8, 8, "p_offset"), new(16, 8, "p_vaddr"),
        new(24, 8, "p_paddr"), new(32, 8, "p_filesz"), new(40, 8, "p_memsz"), new(48, 8, "p_align"),
    ];

    // Elf64_Sym.
    public static readonly Field[] SymbolFields =
    [
        new(0, 4, "st_name"), new(4, 1, "st_info"), new(5, 1, "st_other"), new(6, 2, "st_shndx"),
        new(8, 8, "st_value"), new(16, 8, "st_size"),
    ];

    // Elf64_Rela (Elf64_Rel is its first two fields).
    public static readonly Field[] RelocationFields = [new(0, 8, "r_offset"), new(8, 8, "r_info"), new(16, 8, "r_addend")];

    /// <summary>Values that break naive bounds arithmetic: zero, one, sign boundaries, all-ones, the file length.</summary>
    public static ulong[] ExtremeValues(int fileLength) =>
    [
        0, 1, 2, 3, 7, 8, 16, 24, 56, 64, 0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0xfeff, 0xff00, 0xfff1, 0xfffe, 0xffff,
        0x7fff_ffff, 0x8000_0000, 0xffff_fffe, 0xffff_ffff, 0x1_0000_0000, 0x7fff_ffff_ffff_ffff, 0x8000_0000_0000_0000,
        ulong.MaxValue - 63, ulong.MaxValue, (ulong)fileLength - 1, (ulong)fileLength, (ulong)fileLength + 1,
    ];

    public static void Write(byte[] bytes, int offset, int size, ulong value)
    {
        Span<byte> target = bytes.AsSpan(offset, size);
        switch (size)
        {
            case 1: target[0] = (byte)value; break;
            case 2: BinaryPrimitives.WriteUInt16LittleEndian(target, (ushort)value); break;
            case 4: BinaryPrimitives.WriteUInt32LittleEndian(target, (uint)value); break;
            default: BinaryPrimitives.WriteUInt64LittleEndian(target, value); break;
        }
    }

    public static int SectionHeaderOffset(ElfFile elf, int index) => checked((int)elf.Header.SectionHeaderOffset + index * 64);

    public static int ProgramHeaderOffset(ElfFile elf, int index) => checked((int)elf.Header.ProgramHeaderOffset + index * 56);

    /// <summary>
    /// Reads everything the reader can decode, the way the loader and the uprobe code would, so that a
    /// malformed structure is reached wherever it hides.
    /// </summary>
    public static void ReadEverything(ElfFile elf)
    {
        long total = 0;
        foreach (ElfSection s in elf.Sections)
        {
            total += s.Data.Length + s.Name.Length;
            if (s.Type == ElfSectionType.Note)
                total += elf.ReadNotes(s).Count;
        }
        foreach (ElfRelocationTable table in elf.RelocationTables)
            total += table.Entries.Count;
        foreach (ElfSymbol s in elf.Symbols.Concat(elf.DynamicSymbols))
        {
            total += s.Name.Length;
            if (elf.TryVirtualAddressToFileOffset(s.Value, out ulong offset, executableOnly: false))
                total += (long)(offset & 1);
        }
        foreach (UsdtProbe probe in elf.UsdtProbes)
        {
            if (elf.TryVirtualAddressToFileOffset(probe.Address, out ulong offset))
                total += (long)(offset & 1);
        }
        foreach (ElfSection s in elf.Sections)
        {
            if (s.IsRelocation)
                total += elf.FindRelocationsFor(s) is null ? 0 : 1;
        }
        elf.TryFindFunction("main", out _);
        elf.TryFindFunction("memcpy@GLIBC_2.2.5", out _);
        elf.TryFindSymbol("counts", out _);
        total += elf.FindFunctions("*a*").Count;
        GC.KeepAlive(total);
    }
}
