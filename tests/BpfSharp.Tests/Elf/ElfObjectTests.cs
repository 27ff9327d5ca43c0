using System.Runtime.InteropServices;
using System.Text.Json;
using BpfSharp.Elf;
using Xunit;

namespace BpfSharp.Tests.Elf;

/// <summary>The clang-built BPF objects, checked by hand and against llvm-readelf's view of the same files.</summary>
public class ElfObjectTests
{
    // R_BPF_64_64 (ld_imm64 of a map or global) and R_BPF_64_32 (a call to a global function).
    private const uint RBpf6464 = 1;
    private const uint RBpf6432 = 10;

    private static ElfFile Load(string name) => ElfFile.Open(ElfTestFiles.Fixture(name));

    [Fact]
    public void HeaderDescribesARelocatableBpfObject()
    {
        ElfFile elf = Load("programs.bpf.o");
        Assert.Equal(ElfClass.Elf64, elf.Header.Class);
        Assert.Equal(ElfDataEncoding.LittleEndian, elf.Header.DataEncoding);
        Assert.Equal(ElfType.Relocatable, elf.Header.Type);
        Assert.Equal(ElfMachine.Bpf, elf.Header.Machine);
        Assert.Equal(0UL, elf.Header.Entry);
        Assert.Empty(elf.ProgramHeaders);
        Assert.Equal(elf.Sections.Count, elf.Header.SectionHeaderCount);
        Assert.Equal(ElfSectionType.StringTable, elf.SectionNameTable!.Type);
    }

    [Fact]
    public void ProgramSectionsAndDataSectionsAreFound()
    {
        ElfFile elf = Load("programs.bpf.o");
        ElfSection xdp = elf.FindSection("xdp")!;
        Assert.Equal(ElfSectionType.ProgBits, xdp.Type);
        Assert.Equal(ElfSectionFlags.Alloc | ElfSectionFlags.ExecInstr, xdp.Flags);
        Assert.Equal(0, xdp.Data.Length % 8); // whole BPF instructions
        Assert.NotNull(elf.FindSection("tracepoint/syscalls/sys_enter_write"));
        Assert.Equal("GPL\0"u8.ToArray(), elf.FindSection("license")!.Data.ToArray());
        Assert.Equal(ElfSectionType.NoBits, elf.FindSection(".bss")!.Type);
        Assert.True(elf.FindSection(".bss")!.Data.IsEmpty);
        Assert.Equal(8UL, elf.FindSection(".bss")!.Size);
        Assert.Equal(BitConverter.GetBytes(42u), elf.FindSection(".data")!.Data.ToArray());
        Assert.Null(elf.FindSection("no such section"));
    }

    [Fact]
    public void SectionDataIsASliceOfTheParsedBuffer()
    {
        byte[] bytes = File.ReadAllBytes(ElfTestFiles.Fixture("programs.bpf.o"));
        ElfFile elf = ElfFile.Parse(bytes, "programs.bpf.o");
        foreach (ElfSection section in elf.Sections)
        {
            if (section.Data.IsEmpty)
                continue;
            Assert.True(MemoryMarshal.TryGetArray(section.Data, out ArraySegment<byte> segment));
            Assert.Same(bytes, segment.Array);
            Assert.Equal((int)section.Offset, segment.Offset);
            Assert.Equal((int)section.Size, segment.Count);
        }
    }

    [Fact]
    public void SymbolsCoverFunctionsMapsAndGlobals()
    {
        ElfFile elf = Load("programs.bpf.o");
        Assert.Equal(ElfSymbolType.NoType, elf.Symbols[0].Type);
        Assert.Equal("", elf.Symbols[0].Name);

        Assert.True(elf.TryFindFunction("xdp_count", out ElfSymbol? xdp));
        Assert.Equal(ElfSymbolBinding.Global, xdp.Binding);
        Assert.Equal("xdp", xdp.Section!.Name);
        Assert.Equal(xdp.Section.Size, xdp.Size);

        Assert.True(elf.TryFindFunction("scale", out ElfSymbol? scale));
        Assert.Equal(ElfSymbolBinding.Local, scale.Binding);
        Assert.Equal(".text", scale.Section!.Name);
        Assert.True(elf.TryFindFunction("global_helper", out ElfSymbol? helper));
        Assert.Equal(ElfSymbolBinding.Global, helper.Binding);

        Assert.True(elf.TryFindSymbol("counts", out ElfSymbol? counts));
        Assert.Equal(ElfSymbolType.Object, counts.Type);
        Assert.Equal(".maps", counts.Section!.Name);
        Assert.False(elf.TryFindFunction("counts", out _));
        Assert.True(elf.TryFindSymbol("hits", out ElfSymbol? hits));
        Assert.Equal(".bss", hits.Section!.Name);

        ElfSymbol file = elf.Symbols.Single(s => s.Type == ElfSymbolType.File);
        Assert.True(file.IsAbsolute);
        Assert.Null(file.Section);
        Assert.Equal("programs.bpf.c", file.Name);
        Assert.Empty(elf.DynamicSymbols);
    }

    [Fact]
    public void UndefinedCommonWeakAndHiddenSymbols()
    {
        ElfFile elf = Load("externs.bpf.o");
        ElfSymbol kconfig = elf.Symbols.Single(s => s.Name == "LINUX_KERNEL_VERSION");
        Assert.True(kconfig.IsUndefined);
        Assert.Null(kconfig.Section);
        Assert.False(elf.TryFindSymbol("LINUX_KERNEL_VERSION", out _)); // lookups return definitions only

        ElfSymbol weakExtern = elf.Symbols.Single(s => s.Name == "bpf_ext_counter");
        Assert.True(weakExtern.IsUndefined);
        Assert.Equal(ElfSymbolBinding.Weak, weakExtern.Binding);

        ElfSymbol common = elf.Symbols.Single(s => s.Name == "shared_counter");
        Assert.True(common.IsCommon);
        Assert.Equal(ElfSectionIndex.Common, common.SectionIndex);
        Assert.Equal(4UL, common.Value); // the alignment

        Assert.True(elf.TryFindSymbol("tunable", out ElfSymbol? tunable));
        Assert.Equal(ElfSymbolBinding.Weak, tunable.Binding);
        Assert.True(elf.TryFindSymbol("hidden_total", out ElfSymbol? hidden));
        Assert.Equal(ElfSymbolVisibility.Hidden, hidden.Visibility);
        Assert.True(elf.TryFindSymbol("local_state", out ElfSymbol? local));
        Assert.Equal(ElfSymbolBinding.Local, local.Binding);
    }

    [Fact]
    public void RelocationsNameTheirTargetsAndSymbols()
    {
        ElfFile elf = Load("programs.bpf.o");
        ElfSection xdp = elf.FindSection("xdp")!;
        ElfRelocationTable table = elf.FindRelocationsFor(xdp)!;
        Assert.Equal(".relxdp", table.Section.Name);
        Assert.Same(xdp, table.Target);
        Assert.Same(elf.SymbolTableSection, table.SymbolTable);
        Assert.False(table.HasAddends);
        Assert.Equal(["counts", "counts", "hits", "mode"], table.Entries.Select(r => r.Symbol!.Name));
        Assert.All(table.Entries, r => Assert.Equal(RBpf6464, r.Type));
        Assert.All(table.Entries, r => Assert.Equal(0, r.Addend));
        // Each patches an ld_imm64 instruction (opcode 0x18: BPF_LD | BPF_IMM | BPF_DW).
        Assert.All(table.Entries, r => Assert.Equal(0x18, xdp.Data.Span[(int)r.Offset]));

        ElfRelocationTable tracepoint = elf.FindRelocationsFor(elf.FindSection("tracepoint/syscalls/sys_enter_write")!)!;
        ElfRelocation call = tracepoint.Entries.Single(r => r.Type == RBpf6432);
        Assert.Equal("global_helper", call.Symbol!.Name);

        ElfRelocationTable text = elf.FindRelocationsFor(elf.FindSection(".text")!)!;
        Assert.Equal("limit", Assert.Single(text.Entries).Symbol!.Name);
        Assert.Null(elf.FindRelocationsFor(elf.FindSection(".maps")!));

        Assert.Same(table, elf.Relocations(table.Section));
        Assert.Equal(elf.Sections.Count(s => s.IsRelocation), elf.RelocationTables.Count);
        Assert.Throws<ArgumentException>(() => elf.Relocations(xdp));
    }

    [Fact]
    public void SectionsOfAnotherFileAreRefused()
    {
        ElfFile a = Load("programs.bpf.o");
        ElfFile b = Load("programs.bpf.o");
        Assert.Throws<ArgumentException>(() => a.Relocations(b.FindSection(".relxdp")!));
        Assert.Throws<ArgumentException>(() => a.GetSymbols(b.SymbolTableSection!));
    }

    [Theory]
    [InlineData("programs.bpf.o")]
    [InlineData("externs.bpf.o")]
    [InlineData("usdt.o")]
    public void SectionsMatchLlvmReadelf(string fixture)
    {
        ElfFile elf = Load(fixture);
        JsonElement witness = ReadelfJson(fixture);
        JsonElement[] sections = witness.GetProperty("Sections").EnumerateArray().Select(e => e.GetProperty("Section")).ToArray();
        Assert.Equal(sections.Length, elf.Sections.Count);
        foreach (JsonElement w in sections)
        {
            ElfSection s = elf.Sections[w.GetProperty("Index").GetInt32()];
            Assert.Equal(w.GetProperty("Name").GetProperty("Name").GetString(), s.Name);
            Assert.Equal(w.GetProperty("Name").GetProperty("Value").GetUInt32(), s.NameOffset);
            Assert.Equal(w.GetProperty("Type").GetProperty("Value").GetUInt32(), (uint)s.Type);
            Assert.Equal(w.GetProperty("Flags").GetProperty("Value").GetUInt64(), (ulong)s.Flags);
            Assert.Equal(w.GetProperty("Address").GetUInt64(), s.Address);
            Assert.Equal(w.GetProperty("Offset").GetUInt64(), s.Offset);
            Assert.Equal(w.GetProperty("Size").GetUInt64(), s.Size);
            Assert.Equal(w.GetProperty("Link").GetUInt32(), s.Link);
            Assert.Equal(w.GetProperty("Info").GetUInt32(), s.Info);
            Assert.Equal(w.GetProperty("AddressAlignment").GetUInt64(), s.Alignment);
            Assert.Equal(w.GetProperty("EntrySize").GetUInt64(), s.EntrySize);
        }
    }

    [Theory]
    [InlineData("programs.bpf.o")]
    [InlineData("externs.bpf.o")]
    [InlineData("usdt.o")]
    public void SymbolsMatchLlvmReadelf(string fixture)
    {
        ElfFile elf = Load(fixture);
        JsonElement witness = ReadelfJson(fixture);
        JsonElement[] symbols = witness.GetProperty("Symbols").EnumerateArray().Select(e => e.GetProperty("Symbol")).ToArray();
        Assert.Equal(symbols.Length, elf.Symbols.Count);
        for (int i = 0; i < symbols.Length; i++)
        {
            JsonElement w = symbols[i];
            ElfSymbol s = elf.Symbols[i];
            Assert.Equal(i, s.Index);
            Assert.Equal(w.GetProperty("Name").GetProperty("Value").GetUInt32(), s.NameOffset);
            // llvm-readelf shows a section symbol's section name in place of its empty name.
            if (s.Type != ElfSymbolType.Section)
                Assert.Equal(w.GetProperty("Name").GetProperty("Name").GetString(), s.Name);
            Assert.Equal(w.GetProperty("Value").GetUInt64(), s.Value);
            Assert.Equal(w.GetProperty("Size").GetUInt64(), s.Size);
            Assert.Equal(w.GetProperty("Binding").GetProperty("Value").GetInt32(), (int)s.Binding);
            Assert.Equal(w.GetProperty("Type").GetProperty("Value").GetInt32(), (int)s.Type);
            Assert.Equal(w.GetProperty("Other").GetProperty("Value").GetInt32(), s.Other);
            Assert.Equal(w.GetProperty("Section").GetProperty("Value").GetUInt32(), s.SectionIndex);
            if (s.Section is not null)
                Assert.Equal(w.GetProperty("Section").GetProperty("Name").GetString(), s.Section.Name);
        }
    }

    [Theory]
    [InlineData("programs.bpf.o")]
    [InlineData("externs.bpf.o")]
    [InlineData("usdt.o")]
    public void RelocationsMatchLlvmReadelf(string fixture)
    {
        ElfFile elf = Load(fixture);
        JsonElement witness = ReadelfJson(fixture);
        JsonElement[] tables = witness.GetProperty("Relocations").EnumerateArray().ToArray();
        Assert.Equal(tables.Length, elf.RelocationTables.Count);
        Assert.NotEmpty(tables);
        foreach (JsonElement w in tables)
        {
            ElfRelocationTable table = elf.Relocations(elf.Sections[w.GetProperty("SectionIndex").GetInt32()]);
            JsonElement[] relocs = w.GetProperty("Relocs").EnumerateArray().Select(e => e.GetProperty("Relocation")).ToArray();
            Assert.Equal(relocs.Length, table.Entries.Count);
            for (int i = 0; i < relocs.Length; i++)
            {
                ElfRelocation r = table.Entries[i];
                Assert.Equal(relocs[i].GetProperty("Offset").GetUInt64(), r.Offset);
                Assert.Equal(relocs[i].GetProperty("Type").GetProperty("Value").GetUInt32(), r.Type);
                Assert.Equal(relocs[i].GetProperty("Symbol").GetProperty("Value").GetUInt32(), r.SymbolIndex);
                Assert.Same(elf.Symbols[(int)r.SymbolIndex], r.Symbol);
                // llvm-readelf prints the addend as the unsigned 64-bit pattern.
                if (relocs[i].TryGetProperty("Addend", out JsonElement addend))
                    Assert.Equal(unchecked((long)addend.GetUInt64()), r.Addend);
            }
        }
    }

    [Fact]
    public void X8664ObjectHasRelaSectionsWithAddends()
    {
        ElfFile elf = Load("usdt.o");
        Assert.Equal(ElfMachine.Amd64, elf.Header.Machine);
        ElfRelocationTable text = elf.FindRelocationsFor(elf.FindSection(".text")!)!;
        Assert.True(text.HasAddends);
        ElfRelocation call = Assert.Single(text.Entries);
        Assert.Equal("demo_work", call.Symbol!.Name);
        Assert.Equal(-4, call.Addend); // PC-relative: the displacement is counted from the end of the 4-byte field
        Assert.Contains(elf.Sections, s => s.Type == ElfSectionType.Group);
    }

    private static JsonElement ReadelfJson(string fixture)
    {
        string json = ElfTestFiles.RunWitness("llvm-readelf-19", "-S", "-s", "-r", "--elf-output-style=JSON", ElfTestFiles.Fixture(fixture));
        using JsonDocument document = JsonDocument.Parse(json);
        return document.RootElement[0].Clone();
    }
}
