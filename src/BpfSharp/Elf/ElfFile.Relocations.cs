using System.Buffers.Binary;

namespace BpfSharp.Elf;

public sealed partial class ElfFile
{
    private const int RelSize = 16;
    private const int RelaSize = 24;

    // Decoded relocation sections, by the index of their section.
    private readonly ElfRelocationTable?[] _relocationCache;

    /// <summary>Every <c>SHT_REL</c> and <c>SHT_RELA</c> section, decoded, in section order.</summary>
    /// <exception cref="BpfFormatException">A relocation section or its symbol table is malformed.</exception>
    public IReadOnlyList<ElfRelocationTable> RelocationTables
    {
        get
        {
            var tables = new List<ElfRelocationTable>();
            foreach (ElfSection s in _sections)
            {
                if (s.IsRelocation)
                    tables.Add(RelocationsOf(s));
            }
            return tables;
        }
    }

    /// <summary>Decodes a relocation section (<c>SHT_REL</c> or <c>SHT_RELA</c>) of this file.</summary>
    /// <exception cref="BpfFormatException">The section, its symbol table or an entry is malformed.</exception>
    public ElfRelocationTable Relocations(ElfSection relocationSection)
    {
        CheckOwnSection(relocationSection);
        if (!relocationSection.IsRelocation)
            throw new ArgumentException($"{Describe(relocationSection)} is a {relocationSection.Type} section, not a relocation section", nameof(relocationSection));
        return RelocationsOf(relocationSection);
    }

    /// <summary>The relocations that apply to <paramref name="target"/> (the section whose <c>sh_info</c> names it), or null.</summary>
    /// <exception cref="BpfFormatException">That relocation section is malformed.</exception>
    public ElfRelocationTable? FindRelocationsFor(ElfSection target)
    {
        CheckOwnSection(target);
        foreach (ElfSection s in _sections)
        {
            if (s.IsRelocation && s.Info == (uint)target.Index && target.Index != 0)
                return RelocationsOf(s);
        }
        return null;
    }

    private ElfRelocationTable RelocationsOf(ElfSection section)
    {
        ElfRelocationTable? table = Volatile.Read(ref _relocationCache[section.Index]);
        if (table is null)
        {
            table = ParseRelocations(section);
            table = Interlocked.CompareExchange(ref _relocationCache[section.Index], table, null) ?? table;
        }
        return table;
    }

    private ElfRelocationTable ParseRelocations(ElfSection section)
    {
        bool rela = section.Type == ElfSectionType.Rela;
        int entrySize = rela ? RelaSize : RelSize;
        if (section.EntrySize != (ulong)entrySize)
            throw Malformed($"{Describe(section)}: sh_entsize is {section.EntrySize}, an ELF64 {(rela ? "Rela" : "Rel")} entry is {entrySize} bytes");
        if (section.Size % (ulong)entrySize != 0)
            throw Malformed($"{Describe(section)}: size 0x{section.Size:x} is not a multiple of the {entrySize}-byte entry size");

        // sh_link names the symbol table the entries index; 0 (seen in static executables) means none.
        ElfSection? symbolTable = null;
        ElfSymbol[] symbols = [];
        if (section.Link != 0)
        {
            symbolTable = LinkedSection(section, section.Link, "sh_link (symbol table)");
            if (symbolTable.Type is not (ElfSectionType.SymbolTable or ElfSectionType.DynamicSymbolTable))
                throw Malformed($"{Describe(section)}: sh_link {section.Link} names a {symbolTable.Type} section, not a symbol table");
            symbols = SymbolsOf(symbolTable);
        }

        // sh_info names the section the entries patch; a relocatable object must have one, while a linked file's
        // dynamic relocations (patching addresses, not a section) leave it 0.
        bool relocatable = Header.Type == ElfType.Relocatable;
        ElfSection? target = null;
        if (section.Info != 0 || relocatable)
        {
            target = LinkedSection(section, section.Info, "sh_info (target section)");
            if (relocatable && (target.IsRelocation || target.Type is ElfSectionType.SymbolTable or ElfSectionType.StringTable))
                throw Malformed($"{Describe(section)}: sh_info {section.Info} names {Describe(target)}, a {target.Type} section, which relocations cannot patch");
        }

        ReadOnlySpan<byte> data = section.Data.Span;
        int count = data.Length / entrySize;
        var entries = new ElfRelocation[count];
        for (int i = 0; i < count; i++)
        {
            ReadOnlySpan<byte> e = data.Slice(i * entrySize, entrySize);
            ulong offset = BinaryPrimitives.ReadUInt64LittleEndian(e);
            ulong info = BinaryPrimitives.ReadUInt64LittleEndian(e[8..]);
            long addend = rela ? BinaryPrimitives.ReadInt64LittleEndian(e[16..]) : 0;
            // ELF64_R_SYM is the high 32 bits of r_info, ELF64_R_TYPE the low 32.
            uint symbolIndex = (uint)(info >> 32);
            uint type = (uint)info;

            ElfSymbol? symbol = null;
            if (symbolTable is null)
            {
                if (symbolIndex != 0)
                    throw Malformed($"{Describe(section)}: relocation {i} refers to symbol {symbolIndex} but the section has no symbol table (sh_link 0)");
            }
            else
            {
                if (symbolIndex >= (uint)symbols.Length)
                    throw Malformed($"{Describe(section)}: relocation {i} refers to symbol {symbolIndex}, but {Describe(symbolTable)} has {symbols.Length} symbols");
                symbol = symbols[symbolIndex];
            }
            // In a relocatable object r_offset is an offset into the target section.
            if (relocatable && offset >= target!.Size)
                throw Malformed($"{Describe(section)}: relocation {i} at offset 0x{offset:x} lies outside {Describe(target)} (0x{target.Size:x} bytes)");

            entries[i] = new ElfRelocation(offset, type, symbolIndex, addend, symbol);
        }
        return new ElfRelocationTable(section, target, symbolTable, entries);
    }
}
