using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;

namespace BpfSharp.Elf;

public sealed partial class ElfFile
{
    private const int SymbolSize = 24;

    // Decoded symbol tables, by the index of their section.
    private readonly ElfSymbol[]?[] _symbolCache;

    /// <summary>The static symbol table (<c>SHT_SYMTAB</c>, <c>.symtab</c>), or null when the file is stripped.</summary>
    public ElfSection? SymbolTableSection => FindSection(ElfSectionType.SymbolTable);

    /// <summary>The dynamic symbol table (<c>SHT_DYNSYM</c>, <c>.dynsym</c>), or null.</summary>
    public ElfSection? DynamicSymbolTableSection => FindSection(ElfSectionType.DynamicSymbolTable);

    /// <summary>
    /// The entries of <c>.symtab</c>, including the null symbol at index 0 (so that a relocation's symbol index
    /// indexes this list); empty when the file has no symbol table.
    /// </summary>
    /// <exception cref="BpfFormatException">The symbol table is malformed.</exception>
    public IReadOnlyList<ElfSymbol> Symbols => SymbolTableSection is { } s ? SymbolsOf(s) : [];

    /// <summary>The entries of <c>.dynsym</c> with their GNU versions, including the null symbol; empty when there is none.</summary>
    /// <exception cref="BpfFormatException">The dynamic symbol table or its version sections are malformed.</exception>
    public IReadOnlyList<ElfSymbol> DynamicSymbols => DynamicSymbolTableSection is { } s ? SymbolsOf(s) : [];

    /// <summary>The entries of a <c>SHT_SYMTAB</c> or <c>SHT_DYNSYM</c> section of this file.</summary>
    /// <exception cref="BpfFormatException">The symbol table is malformed.</exception>
    public IReadOnlyList<ElfSymbol> GetSymbols(ElfSection symbolTable)
    {
        CheckOwnSection(symbolTable);
        if (symbolTable.Type is not (ElfSectionType.SymbolTable or ElfSectionType.DynamicSymbolTable))
            throw new ArgumentException($"{Describe(symbolTable)} is a {symbolTable.Type} section, not a symbol table", nameof(symbolTable));
        return SymbolsOf(symbolTable);
    }

    /// <summary>
    /// Finds a defined symbol (any type) by name, in <c>.symtab</c> first, then in <c>.dynsym</c>. See
    /// <see cref="TryFindFunction"/> for the rules on duplicates and versions.
    /// </summary>
    public bool TryFindSymbol(string name, [MaybeNullWhen(false)] out ElfSymbol symbol) =>
        TryFind(name, functionsOnly: false, out symbol);

    /// <summary>
    /// Finds a defined function symbol (<c>STT_FUNC</c> or <c>STT_GNU_IFUNC</c>) by name, in <c>.symtab</c> first,
    /// then in <c>.dynsym</c>. Among several symbols of that name a global one wins over a weak one, and a weak one
    /// over a local one. A plain name in <c>.dynsym</c> prefers the default version (<c>memcpy@@GLIBC_2.14</c>
    /// over the hidden <c>memcpy@GLIBC_2.2.5</c>); <c>name@VERSION</c> asks for that version, <c>name@@VERSION</c>
    /// for it only as the default.
    /// </summary>
    /// <exception cref="BpfFormatException">A symbol table the search reads is malformed.</exception>
    public bool TryFindFunction(string name, [MaybeNullWhen(false)] out ElfSymbol symbol) =>
        TryFind(name, functionsOnly: true, out symbol);

    /// <summary>
    /// The defined function symbols whose names match a glob <paramref name="pattern"/> (<c>*</c> matches any run
    /// of characters, <c>?</c> one character), from <c>.symtab</c> then <c>.dynsym</c>, one per name: a name found
    /// in <c>.symtab</c> is not repeated from <c>.dynsym</c>, and in <c>.dynsym</c> the default version wins.
    /// </summary>
    /// <exception cref="BpfFormatException">A symbol table is malformed.</exception>
    public IReadOnlyList<ElfSymbol> FindFunctions(string pattern)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        var found = new List<ElfSymbol>();
        var names = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (IReadOnlyList<ElfSymbol> table in new[] { Symbols, DynamicSymbols })
        {
            var fromThisTable = new HashSet<string>(StringComparer.Ordinal);
            foreach (ElfSymbol symbol in table)
            {
                if (!symbol.IsFunction || symbol.IsUndefined || !Glob.IsMatch(pattern, symbol.Name))
                    continue;
                if (names.TryGetValue(symbol.Name, out int at))
                {
                    // Only a hidden version from the same table gives way to the default one.
                    if (fromThisTable.Contains(symbol.Name) && found[at].IsVersionHidden && !symbol.IsVersionHidden)
                        found[at] = symbol;
                    continue;
                }
                names.Add(symbol.Name, found.Count);
                fromThisTable.Add(symbol.Name);
                found.Add(symbol);
            }
        }
        return found;
    }

    private bool TryFind(string name, bool functionsOnly, [MaybeNullWhen(false)] out ElfSymbol symbol)
    {
        ArgumentNullException.ThrowIfNull(name);
        symbol = Best(Symbols, name, version: null, defaultOnly: false, functionsOnly);
        if (symbol is not null)
            return true;

        // "name@@VER" asks for the default version, "name@VER" for that version whether hidden or not.
        string baseName = name;
        string? version = null;
        bool defaultOnly = false;
        int at = name.IndexOf('@');
        if (at > 0)
        {
            baseName = name[..at];
            defaultOnly = at + 1 < name.Length && name[at + 1] == '@';
            version = name[(at + (defaultOnly ? 2 : 1))..];
        }
        symbol = Best(DynamicSymbols, baseName, version, defaultOnly, functionsOnly);
        return symbol is not null;
    }

    private static ElfSymbol? Best(IReadOnlyList<ElfSymbol> table, string name, string? version, bool defaultOnly, bool functionsOnly)
    {
        ElfSymbol? best = null;
        int bestRank = int.MaxValue;
        foreach (ElfSymbol s in table)
        {
            if (s.IsUndefined || s.Name != name || (functionsOnly && !s.IsFunction))
                continue;
            if (version is not null && (s.Version != version || (defaultOnly && s.IsVersionHidden)))
                continue;
            int rank = (s.IsVersionHidden ? 10 : 0) + s.Binding switch
            {
                ElfSymbolBinding.Global => 0,
                ElfSymbolBinding.Weak or ElfSymbolBinding.GnuUnique => 1,
                _ => 2,
            };
            if (rank < bestRank)
            {
                best = s;
                bestRank = rank;
            }
        }
        return best;
    }

    private ElfSymbol[] SymbolsOf(ElfSection table)
    {
        ElfSymbol[]? symbols = Volatile.Read(ref _symbolCache[table.Index]);
        if (symbols is null)
        {
            // Decoding is pure, so racing threads produce equal arrays; keep whichever was stored first.
            symbols = ParseSymbols(table);
            symbols = Interlocked.CompareExchange(ref _symbolCache[table.Index], symbols, null) ?? symbols;
        }
        return symbols;
    }

    private ElfSymbol[] ParseSymbols(ElfSection table)
    {
        if (table.EntrySize != SymbolSize)
            throw Malformed($"{Describe(table)}: sh_entsize is {table.EntrySize}, an ELF64 symbol is {SymbolSize} bytes");
        if (table.Size % SymbolSize != 0)
            throw Malformed($"{Describe(table)}: size 0x{table.Size:x} is not a multiple of the {SymbolSize}-byte symbol size");
        ElfSection strings = LinkedSection(table, table.Link, "sh_link (string table)");
        if (strings.Type != ElfSectionType.StringTable)
            throw Malformed($"{Describe(table)}: sh_link {table.Link} names a {strings.Type} section, not a string table");

        ReadOnlySpan<byte> data = table.Data.Span;
        int count = data.Length / SymbolSize;
        ReadOnlySpan<byte> extended = ExtendedSectionIndices(table);
        SymbolVersion[]? versions = table.Type == ElfSectionType.DynamicSymbolTable ? ReadSymbolVersions(table, count) : null;
        string stringsName = Describe(strings);
        ReadOnlySpan<byte> stringData = strings.Data.Span;

        var symbols = new ElfSymbol[count];
        for (int i = 0; i < count; i++)
        {
            ReadOnlySpan<byte> e = data.Slice(i * SymbolSize, SymbolSize);
            uint nameOffset = BinaryPrimitives.ReadUInt32LittleEndian(e);
            byte info = e[4];
            byte other = e[5];
            uint shndx = BinaryPrimitives.ReadUInt16LittleEndian(e[6..]);
            string name = ReadString(stringData, nameOffset, stringsName, "symbol", i);

            // Reserved values (SHN_ABS, SHN_COMMON...) name no section; SHN_XINDEX defers to SHT_SYMTAB_SHNDX,
            // whose entries are always real indices.
            bool isSectionIndex = shndx is not ElfSectionIndex.Undefined and < ElfSectionIndex.LowReserve;
            if (shndx == ElfSectionIndex.ExtendedIndex)
            {
                if ((ulong)i * 4 + 4 > (ulong)extended.Length)
                    throw Malformed($"symbol {i} ({name}) in {Describe(table)} has st_shndx SHN_XINDEX but no SHT_SYMTAB_SHNDX entry holds its section index");
                shndx = BinaryPrimitives.ReadUInt32LittleEndian(extended[(i * 4)..]);
                isSectionIndex = shndx != ElfSectionIndex.Undefined;
            }
            ElfSection? section = null;
            if (isSectionIndex)
            {
                if (shndx >= (uint)_sections.Length)
                    throw Malformed($"symbol {i} ({name}) in {Describe(table)}: section index {shndx} is out of range (the file has {_sections.Length} sections)");
                section = _sections[shndx];
            }

            SymbolVersion version = versions is null ? default : versions[i];
            symbols[i] = new ElfSymbol
            {
                Index = i,
                Name = name,
                NameOffset = nameOffset,
                Binding = (ElfSymbolBinding)(info >> 4),
                Type = (ElfSymbolType)(info & 0xf),
                Other = other,
                Visibility = (ElfSymbolVisibility)(other & 0x3),
                SectionIndex = shndx,
                Section = section,
                Value = BinaryPrimitives.ReadUInt64LittleEndian(e[8..]),
                Size = BinaryPrimitives.ReadUInt64LittleEndian(e[16..]),
                Version = version.Name,
                IsVersionHidden = version.Hidden,
            };
        }
        return symbols;
    }

    // The SHT_SYMTAB_SHNDX section that extends `table` (its sh_link names the table), as 32-bit entries.
    private ReadOnlySpan<byte> ExtendedSectionIndices(ElfSection table)
    {
        foreach (ElfSection s in _sections)
        {
            if (s.Type != ElfSectionType.SymbolTableSectionIndices || s.Link != (uint)table.Index)
                continue;
            if (s.EntrySize != 4)
                throw Malformed($"{Describe(s)}: sh_entsize is {s.EntrySize}, an extended section index is 4 bytes");
            return s.Data.Span;
        }
        return [];
    }
}
