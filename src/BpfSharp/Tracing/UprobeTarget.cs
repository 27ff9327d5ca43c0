using System.Globalization;
using BpfSharp.Elf;

namespace BpfSharp.Tracing;

/// <summary>
/// A place a uprobe can be put: a function (plus an offset into it) of an executable or shared library, resolved
/// to the file offset the kernel takes (<c>uprobe_events</c> <c>PATH:0xOFFSET</c>, the uprobe PMU's
/// <c>config2</c>, a uprobe_multi link's offsets).
/// </summary>
public sealed class UprobeTarget
{
    private UprobeTarget(string binaryPath, string symbol, ulong symbolOffset, ulong address, ulong fileOffset)
    {
        BinaryPath = binaryPath;
        Symbol = symbol;
        SymbolOffset = symbolOffset;
        Address = address;
        FileOffset = fileOffset;
    }

    /// <summary>The absolute path of the file the probe goes into.</summary>
    public string BinaryPath { get; }

    /// <summary>The function's name as the symbol table spells it (without a version).</summary>
    public string Symbol { get; }

    /// <summary>The offset into the function (<c>malloc+0x10</c>), usually 0.</summary>
    public ulong SymbolOffset { get; }

    /// <summary>The virtual address of the probed instruction as linked (symbol value + offset).</summary>
    public ulong Address { get; }

    /// <summary>Where the probed instruction is in the file: the offset the kernel wants.</summary>
    public ulong FileOffset { get; }

    /// <summary>
    /// Resolves <paramref name="symbol"/> in <paramref name="binary"/>: a function name, optionally with a version
    /// (<c>memcpy@GLIBC_2.2.5</c>) and an offset (<c>malloc+0x10</c>, <c>malloc+16</c>), looked up in
    /// <c>.symtab</c> first, then <c>.dynsym</c>. The binary is found by <see cref="BinaryLocator.Resolve"/>.
    /// </summary>
    /// <remarks>
    /// For an <c>STT_GNU_IFUNC</c> symbol (glibc's <c>memcpy</c>, <c>strlen</c>...) the address is the resolver's,
    /// which runs once at load; probe the implementation (e.g. <c>__memcpy_avx_unaligned</c>) to see the calls.
    /// </remarks>
    /// <exception cref="FileNotFoundException">The binary was not found.</exception>
    /// <exception cref="BpfException">The binary defines no such function, or its address is not in an executable segment.</exception>
    /// <exception cref="BpfFormatException">The binary is not a well-formed ELF64 file.</exception>
    public static UprobeTarget Resolve(string binary, string symbol, int pid = 0)
    {
        ArgumentException.ThrowIfNullOrEmpty(symbol);
        string path = BinaryLocator.Resolve(binary, pid);
        return Resolve(ElfFile.Open(path), path, symbol);
    }

    /// <summary>Resolves <paramref name="symbol"/> in an already opened file found at <paramref name="path"/>.</summary>
    public static UprobeTarget Resolve(ElfFile elf, string path, string symbol)
    {
        ArgumentNullException.ThrowIfNull(elf);
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentException.ThrowIfNullOrEmpty(symbol);
        (string name, ulong offset) = SplitOffset(symbol);
        if (!elf.TryFindFunction(name, out ElfSymbol? found))
            throw new BpfException($"uprobe target {path}", $"no function \"{name}\" in its symbol tables (.symtab, .dynsym)");
        ulong address = found.Value + offset;
        if (!elf.TryVirtualAddressToFileOffset(address, out ulong fileOffset))
            throw new BpfException($"uprobe target {path}", $"{symbol} (address 0x{address:x}) is not in an executable segment of the file");
        return new UprobeTarget(path, found.Name, offset, address, fileOffset);
    }

    /// <summary>
    /// The functions of <paramref name="binary"/> whose names match a glob <paramref name="pattern"/>, one per
    /// address (aliases such as <c>malloc</c> and <c>__libc_malloc</c> share one: the global name is kept), in
    /// file-offset order: the offsets of a uprobe_multi link.
    /// </summary>
    /// <exception cref="BpfException">No function matches.</exception>
    public static IReadOnlyList<UprobeTarget> ResolvePattern(string binary, string pattern, int pid = 0)
    {
        ArgumentException.ThrowIfNullOrEmpty(pattern);
        string path = BinaryLocator.Resolve(binary, pid);
        ElfFile elf = ElfFile.Open(path);
        var byAddress = new Dictionary<ulong, ElfSymbol>();
        foreach (ElfSymbol s in elf.FindFunctions(pattern))
        {
            // A function outside the executable segments (an absolute or odd symbol) is nothing to probe.
            if (!elf.TryVirtualAddressToFileOffset(s.Value, out _))
                continue;
            if (!byAddress.TryGetValue(s.Value, out ElfSymbol? kept) || Rank(s) < Rank(kept))
                byAddress[s.Value] = s;
        }
        if (byAddress.Count == 0)
            throw new BpfException($"uprobe target {path}", $"no function matches \"{pattern}\"");
        var targets = new List<UprobeTarget>(byAddress.Count);
        foreach (ElfSymbol s in byAddress.Values)
        {
            elf.TryVirtualAddressToFileOffset(s.Value, out ulong fileOffset);
            targets.Add(new UprobeTarget(path, s.Name, 0, s.Value, fileOffset));
        }
        targets.Sort((a, b) => a.FileOffset.CompareTo(b.FileOffset));
        return targets;

        static int Rank(ElfSymbol s) => s.Binding switch
        {
            ElfSymbolBinding.Global => 0,
            ElfSymbolBinding.Weak or ElfSymbolBinding.GnuUnique => 1,
            _ => 2,
        };
    }

    // "name+0x10" or "name+16"; a '+' not followed by a number stays part of the name.
    private static (string Name, ulong Offset) SplitOffset(string symbol)
    {
        int plus = symbol.LastIndexOf('+');
        if (plus <= 0)
            return (symbol, 0);
        ReadOnlySpan<char> number = symbol.AsSpan(plus + 1);
        bool parsed = number.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
            ? ulong.TryParse(number[2..], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out ulong offset)
            : ulong.TryParse(number, NumberStyles.None, CultureInfo.InvariantCulture, out offset);
        return parsed ? (symbol[..plus], offset) : (symbol, 0);
    }

    /// <summary>The binary, symbol and file offset.</summary>
    public override string ToString() =>
        SymbolOffset == 0 ? $"{BinaryPath}:{Symbol} (file offset 0x{FileOffset:x})" : $"{BinaryPath}:{Symbol}+0x{SymbolOffset:x} (file offset 0x{FileOffset:x})";
}
