namespace BpfSharp.Elf;

/// <summary>
/// One relocation entry (<c>Elf64_Rel</c> or <c>Elf64_Rela</c>): patch the bytes at <see cref="Offset"/> of the
/// target section (or, in a linked file, at that virtual address) with a value computed from <see cref="Symbol"/>.
/// </summary>
public readonly struct ElfRelocation
{
    internal ElfRelocation(ulong offset, uint type, uint symbolIndex, long addend, ElfSymbol? symbol)
    {
        Offset = offset;
        Type = type;
        SymbolIndex = symbolIndex;
        Addend = addend;
        Symbol = symbol;
    }

    /// <summary><c>r_offset</c>: an offset into the target section in a relocatable object, a virtual address otherwise.</summary>
    public ulong Offset { get; }
    /// <summary>The machine-specific relocation type (<c>ELF64_R_TYPE</c>), e.g. <c>R_BPF_64_64</c> = 1.</summary>
    public uint Type { get; }
    /// <summary>The index of the symbol in the table's symbol table (<c>ELF64_R_SYM</c>).</summary>
    public uint SymbolIndex { get; }
    /// <summary><c>r_addend</c> for <c>SHT_RELA</c>; 0 for <c>SHT_REL</c>, whose addend is stored in the patched bytes.</summary>
    public long Addend { get; }
    /// <summary>The symbol <see cref="SymbolIndex"/> names, or null when the section has no symbol table (<c>sh_link</c> 0).</summary>
    public ElfSymbol? Symbol { get; }

    /// <summary>The relocation's offset, type, symbol and addend.</summary>
    public override string ToString() => $"0x{Offset:x} type {Type} -> {Symbol?.Name ?? SymbolIndex.ToString()}{(Addend != 0 ? $" {Addend:+#;-#}" : "")}";
}

/// <summary>A relocation section (<c>SHT_REL</c>/<c>SHT_RELA</c>) decoded, with the sections it refers to.</summary>
public sealed class ElfRelocationTable
{
    internal ElfRelocationTable(ElfSection section, ElfSection? target, ElfSection? symbolTable, ElfRelocation[] entries)
    {
        Section = section;
        Target = target;
        SymbolTable = symbolTable;
        Entries = entries;
    }

    /// <summary>The relocation section itself (<c>.rel.text</c>, <c>.relxdp</c>...).</summary>
    public ElfSection Section { get; }
    /// <summary>The section the relocations patch (<c>sh_info</c>), or null when <c>sh_info</c> is 0 (dynamic relocations).</summary>
    public ElfSection? Target { get; }
    /// <summary>The symbol table the entries index (<c>sh_link</c>), or null when <c>sh_link</c> is 0.</summary>
    public ElfSection? SymbolTable { get; }
    /// <summary>Whether entries carry explicit addends (<c>SHT_RELA</c>).</summary>
    public bool HasAddends => Section.Type == ElfSectionType.Rela;
    /// <summary>The relocation entries, in table order.</summary>
    public IReadOnlyList<ElfRelocation> Entries { get; }

    /// <summary>The section, its target and the number of entries.</summary>
    public override string ToString() => $"{Section.Name} -> {Target?.Name ?? "(none)"}: {Entries.Count} entries";
}
