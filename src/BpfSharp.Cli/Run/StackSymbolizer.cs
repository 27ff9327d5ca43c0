using System.Globalization;
using BpfSharp.Elf;
using BpfSharp.Tracing;

namespace BpfSharp.Cli.Run;

/// <summary>One frame of a stack trace: its address and, when known, the function and the file it is in.</summary>
/// <param name="Symbol">The function, or null when no symbol covers the address.</param>
/// <param name="Offset">The distance from the function's start.</param>
/// <param name="Where">The kernel module (<c>bpf</c> for BPF programs) or the mapped file, null for vmlinux.</param>
internal readonly record struct StackFrame(ulong Address, string? Symbol, ulong Offset, string? Where)
{
    public override string ToString()
    {
        string name = Symbol is null ? $"0x{Address:x}" : Offset == 0 ? Symbol : $"{Symbol}+0x{Offset:x}";
        return Where is null ? name : $"{name} [{Where}]";
    }
}

/// <summary>
/// Names the addresses of stack traces: kernel addresses (the top half of the address space) through
/// <c>/proc/kallsyms</c>, user addresses through the mappings of the process (<c>/proc/PID/maps</c>) and the ELF
/// symbol tables (<c>.symtab</c>, else <c>.dynsym</c>) of the mapped files. A process that has exited leaves its
/// addresses unnamed, each said once through <see cref="Gone"/>. Mappings and files are read once per run: a
/// process that maps a library later is not seen.
/// </summary>
internal sealed class StackSymbolizer
{
    private readonly Lazy<KernelSymbols?> _kernel = new(() =>
    {
        try { return KernelSymbols.Load() is { HasAddresses: true } k ? k : null; }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or BpfException) { return null; }
    });
    private readonly Dictionary<int, List<Mapping>?> _processes = [];
    private readonly Dictionary<string, FileSymbols?> _files = [];
    private readonly HashSet<int> _gone = [];

    /// <summary>Processes whose user addresses could not be named because they have exited (or cannot be read).</summary>
    public IReadOnlyCollection<int> Gone => _gone;

    /// <summary>Whether <paramref name="address"/> is the kernel's: the top half of a 64-bit address space.</summary>
    public static bool IsKernel(ulong address) => (long)address < 0;

    /// <summary>
    /// The frame of <paramref name="address"/>; a user address is looked up in process <paramref name="pid"/>
    /// (null: unknown, left unnamed).
    /// </summary>
    public StackFrame Symbolize(ulong address, int? pid)
    {
        if (IsKernel(address))
        {
            return _kernel.Value is { } k && k.TryFindContaining(address, out var symbol, out ulong offset)
                ? new StackFrame(address, symbol.Name, offset, symbol.Module)
                : new StackFrame(address, null, 0, null);
        }
        if (pid is not { } p || Mappings(p) is not { } maps) return new StackFrame(address, null, 0, null);
        foreach (var m in maps)
        {
            if (address < m.Start || address >= m.End) continue;
            ulong fileOffset = address - m.Start + m.Offset;
            if (Symbols(p, m) is { } file && file.Find(fileOffset) is { } found)
                return new StackFrame(address, found.Name, found.Offset, m.Path);
            return new StackFrame(address, null, 0, m.Path);
        }
        return new StackFrame(address, null, 0, null);
    }

    private List<Mapping>? Mappings(int pid)
    {
        if (_processes.TryGetValue(pid, out var known)) return known;
        List<Mapping>? maps = null;
        try
        {
            maps = [];
            foreach (var line in File.ReadLines($"/proc/{pid}/maps"))
            {
                // "start-end perms offset dev inode   path"
                var f = line.Split(' ', 6, StringSplitOptions.RemoveEmptyEntries);
                if (f.Length < 6 || f[1].Length < 3 || f[1][2] != 'x' || !f[5].StartsWith('/')) continue;
                int dash = f[0].IndexOf('-');
                maps.Add(new Mapping(f[5], ulong.Parse(f[0].AsSpan(0, dash), NumberStyles.HexNumber, CultureInfo.InvariantCulture),
                    ulong.Parse(f[0].AsSpan(dash + 1), NumberStyles.HexNumber, CultureInfo.InvariantCulture),
                    ulong.Parse(f[2], NumberStyles.HexNumber, CultureInfo.InvariantCulture)));
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            maps = null;
            _gone.Add(pid);
        }
        _processes[pid] = maps;
        return maps;
    }

    /// <summary>The symbols of a mapped file, read through the process's own view of it (its mount namespace, or a deleted file).</summary>
    private FileSymbols? Symbols(int pid, Mapping m)
    {
        if (_files.TryGetValue(m.Path, out var known)) return known;
        FileSymbols? symbols = null;
        foreach (var path in new[] { $"/proc/{pid}/map_files/{m.Start:x}-{m.End:x}", m.Path })
        {
            try
            {
                symbols = new FileSymbols(ElfFile.Open(path));
                break;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or BpfException) { }
        }
        // A path is the same file in every process of one mount namespace: shared, as the tools' caches do.
        _files[m.Path] = symbols;
        return symbols;
    }

    private readonly record struct Mapping(string Path, ulong Start, ulong End, ulong Offset);

    /// <summary>A file's functions by address, and its loadable segments to turn a file offset into one.</summary>
    private sealed class FileSymbols
    {
        private readonly (ulong Start, ulong Size, string Name)[] _functions;
        private readonly ElfProgramHeader[] _segments;

        public FileSymbols(ElfFile elf)
        {
            _segments = elf.ProgramHeaders.Where(h => h.Type == ElfSegmentType.Load).ToArray();
            // The full table when the file has one; a stripped file still has its exported functions.
            var table = elf.Symbols.Any(s => s.IsFunction && !s.IsUndefined) ? elf.Symbols : elf.DynamicSymbols;
            _functions = table.Where(s => s.IsFunction && !s.IsUndefined && s.Value != 0)
                .Select(s => (s.Value, s.Size, s.Name)).OrderBy(f => f.Value).ThenBy(f => f.Name, StringComparer.Ordinal).ToArray();
        }

        /// <summary>The function at a file offset, or null when none covers it.</summary>
        public (string Name, ulong Offset)? Find(ulong fileOffset)
        {
            var segment = _segments.FirstOrDefault(h => fileOffset >= h.Offset && fileOffset - h.Offset < h.FileSize);
            if (segment is null) return null;
            ulong address = fileOffset - segment.Offset + segment.VirtualAddress;
            int low = 0, high = _functions.Length - 1;
            while (low <= high)
            {
                int mid = (low + high) >>> 1;
                if (_functions[mid].Start <= address) low = mid + 1;
                else high = mid - 1;
            }
            // The last function starting at or below the address; it must reach it (a size of 0 is taken as unknown).
            for (int at = high; at >= 0 && at > high - 8; at--)
            {
                var f = _functions[at];
                if (f.Size == 0 ? at == high : address - f.Start < f.Size) return (f.Name, address - f.Start);
            }
            return null;
        }
    }
}
