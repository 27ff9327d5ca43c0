using System.Collections;
using System.Numerics;
using System.Text;

namespace BpfSharp.Tracing;

/// <summary>
/// The kernel's symbol table as <c>/proc/kallsyms</c> lists it, parsed once into a compact index: the file's bytes,
/// one small record per line and a hash table over the names. Strings are made only for the symbols asked for.
/// </summary>
/// <remarks>
/// Names are not unique: static functions of different files (and modules) can share one. Lookups by name prefer
/// vmlinux's symbol over a module's, then the first in file order. An instance is immutable and thread-safe; the
/// kernel's table changes when modules load, so <see cref="Load"/> reads a fresh copy when that matters.
/// </remarks>
public sealed partial class KernelSymbols : IReadOnlyList<KernelSymbol>
{
    /// <summary>Where the kernel lists its symbols.</summary>
    public const string KallsymsPath = "/proc/kallsyms";

    private const short NoModule = -1;

    private static readonly Lazy<KernelSymbols> SystemSymbols = new(() => Load(), LazyThreadSafetyMode.ExecutionAndPublication);

    private readonly byte[] _text;
    private readonly Entry[] _entries;
    private readonly string[] _modules;
    // Chain heads by name hash, as entry index + 1 (0: empty); Entry.Next continues the chain in file order.
    private readonly int[] _buckets;
    // Entry indexes in address order, built on the first lookup by address (kallsyms is not sorted across modules).
    private int[]? _byAddress;

    private struct Entry
    {
        public ulong Address;
        public int NameStart;
        public int Next;
        public ushort NameLength;
        public short Module;
        public byte Type;
    }

    private KernelSymbols(byte[] text, Entry[] entries, string[] modules)
    {
        _text = text;
        _entries = entries;
        _modules = modules;
        _buckets = new int[(int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(entries.Length, 16))];
        int mask = _buckets.Length - 1;
        for (int i = entries.Length - 1; i >= 0; i--)
        {
            int bucket = (int)(Hash(NameOf(i)) & (uint)mask);
            _entries[i].Next = _buckets[bucket];
            _buckets[bucket] = i + 1;
        }
        for (int i = 0; i < entries.Length && !HasAddresses; i++)
            HasAddresses = entries[i].Address != 0;
    }

    /// <summary>The running kernel's symbols, read from <c>/proc/kallsyms</c> on first use and then kept.</summary>
    /// <exception cref="IOException">/proc/kallsyms cannot be read.</exception>
    public static KernelSymbols Current => SystemSymbols.Value;

    /// <summary>Reads and parses a kallsyms file now (by default the running kernel's).</summary>
    /// <exception cref="BpfFormatException">A line is not in the kallsyms format.</exception>
    public static KernelSymbols Load(string path = KallsymsPath) => Parse(File.ReadAllBytes(path), path);

    /// <summary>Parses text in the kallsyms format; the array is kept, not copied, and must not change.</summary>
    /// <exception cref="BpfFormatException">A line is not in the kallsyms format.</exception>
    public static KernelSymbols Parse(byte[] text, string? fileName = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        string what = fileName ?? "kallsyms";
        ReadOnlySpan<byte> all = text;
        // About 40 bytes a line: a good first guess at the number of records.
        var entries = new List<Entry>(text.Length / 40 + 16);
        var modules = new List<string>();
        var moduleIndex = new Dictionary<string, short>(StringComparer.Ordinal);
        ReadOnlySpan<byte> lastModule = default;
        short lastModuleIndex = NoModule;

        int position = 0;
        int lineNumber = 0;
        while (position < all.Length)
        {
            lineNumber++;
            int length = all[position..].IndexOf((byte)'\n');
            if (length < 0)
                length = all.Length - position;
            ReadOnlySpan<byte> line = all.Slice(position, length);
            int lineStart = position;
            position += length + 1;
            if (line.IsEmpty)
                continue;

            // "<hex address> <type> <name>[\t[<module>]]"
            int space = line.IndexOf((byte)' ');
            if (space <= 0 || space > 16 || line.Length < space + 4 || line[space + 2] != ' ' || !TryParseHex(line[..space], out ulong address))
                throw new BpfFormatException(what, $"line {lineNumber} is not \"<address> <type> <name>\": \"{Encoding.UTF8.GetString(line[..Math.Min(line.Length, 200)])}\"");
            ReadOnlySpan<byte> rest = line[(space + 3)..];
            int tab = rest.IndexOf((byte)'\t');
            ReadOnlySpan<byte> name = tab < 0 ? rest : rest[..tab];
            if (name.IsEmpty || name.Length > ushort.MaxValue)
                throw new BpfFormatException(what, $"line {lineNumber} has no symbol name");

            short module = NoModule;
            if (tab >= 0)
            {
                ReadOnlySpan<byte> bracketed = rest[(tab + 1)..].Trim((byte)' ');
                if (bracketed.Length < 3 || bracketed[0] != '[' || bracketed[^1] != ']')
                    throw new BpfFormatException(what, $"line {lineNumber}: the module is not \"[name]\"");
                ReadOnlySpan<byte> moduleName = bracketed[1..^1];
                // A module's symbols come together: only a change of module costs a string and a dictionary lookup.
                if (moduleName.SequenceEqual(lastModule))
                {
                    module = lastModuleIndex;
                }
                else
                {
                    string moduleString = Encoding.UTF8.GetString(moduleName);
                    if (!moduleIndex.TryGetValue(moduleString, out module))
                    {
                        if (modules.Count == short.MaxValue)
                            throw new BpfFormatException(what, "more modules than the index can hold");
                        module = (short)modules.Count;
                        modules.Add(moduleString);
                        moduleIndex.Add(moduleString, module);
                    }
                    lastModule = moduleName;
                    lastModuleIndex = module;
                }
            }

            entries.Add(new Entry
            {
                Address = address,
                Type = line[space + 1],
                NameStart = lineStart + space + 3,
                NameLength = (ushort)name.Length,
                Module = module,
            });
        }
        return new KernelSymbols(text, [.. entries], [.. modules]);
    }

    /// <summary>The number of symbols (lines).</summary>
    public int Count => _entries.Length;

    /// <summary>The symbol of line <paramref name="index"/>.</summary>
    public KernelSymbol this[int index]
    {
        get
        {
            ArgumentOutOfRangeException.ThrowIfNegative(index);
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, _entries.Length);
            return Symbol(index);
        }
    }

    /// <summary>
    /// Whether the addresses are real: the kernel prints 0 for every address to readers it does not trust
    /// (<c>kptr_restrict</c>; root normally sees them).
    /// </summary>
    public bool HasAddresses { get; }

    /// <summary>The modules that have symbols in the table (including pseudo-modules such as <c>bpf</c>).</summary>
    public IReadOnlyList<string> Modules => _modules;

    /// <summary>Whether any symbol is called <paramref name="name"/>.</summary>
    public bool Exists(string name) => First(name, null, out _);

    /// <summary>
    /// The symbol called <paramref name="name"/>: vmlinux's if it has one, otherwise the first module's.
    /// </summary>
    public bool TryFind(string name, out KernelSymbol symbol)
    {
        bool found = First(name, null, out int index);
        symbol = found ? Symbol(index) : default;
        return found;
    }

    /// <summary>The symbol called <paramref name="name"/> in module <paramref name="module"/>.</summary>
    public bool TryFind(string name, string module, out KernelSymbol symbol)
    {
        ArgumentNullException.ThrowIfNull(module);
        bool found = First(name, module, out int index);
        symbol = found ? Symbol(index) : default;
        return found;
    }

    /// <summary>
    /// The symbol that starts exactly at <paramref name="address"/> (vmlinux's first when several do), for naming
    /// what an address in a dump points at. False when none does or the addresses are hidden (<see cref="HasAddresses"/>).
    /// </summary>
    public bool TryFindByAddress(ulong address, out KernelSymbol symbol)
    {
        symbol = default;
        if (!HasAddresses) return false;
        var order = AddressOrder();
        int low = FirstAtOrAbove(order, address);
        if (low >= order.Length || _entries[order[low]].Address != address) return false;
        symbol = Symbol(order[low]);
        return true;
    }

    /// <summary>
    /// The function that <paramref name="address"/> lies in: the nearest text symbol at or below it (a stack
    /// trace's return addresses point inside their functions), with the distance from its start. False when the
    /// address is below every function or the addresses are hidden (<see cref="HasAddresses"/>). The table holds
    /// no sizes, so an address past a function's end (in padding, or a region kallsyms does not list) is named
    /// after the function before it, as the kernel's own stack dumps do.
    /// </summary>
    public bool TryFindContaining(ulong address, out KernelSymbol symbol, out ulong offset)
    {
        symbol = default;
        offset = 0;
        if (!HasAddresses) return false;
        var order = AddressOrder();
        // The last entry at or below the address; among several at one address the first in file order (vmlinux).
        int at = (address == ulong.MaxValue ? order.Length : FirstAtOrAbove(order, address + 1)) - 1;
        while (at >= 0 && !IsText(_entries[order[at]].Type)) at--;
        if (at < 0) return false;
        ulong start = _entries[order[at]].Address;
        while (at > 0 && _entries[order[at - 1]].Address == start && IsText(_entries[order[at - 1]].Type)) at--;
        symbol = Symbol(order[at]);
        offset = address - start;
        return true;
    }

    // Entry indexes in address order, file order breaking ties so that vmlinux (listed first) wins.
    private int[] AddressOrder()
    {
        var order = Volatile.Read(ref _byAddress);
        if (order is null)
        {
            order = new int[_entries.Length];
            for (int i = 0; i < order.Length; i++) order[i] = i;
            Array.Sort(order, (a, b) => _entries[a].Address != _entries[b].Address ? _entries[a].Address.CompareTo(_entries[b].Address) : a.CompareTo(b));
            Volatile.Write(ref _byAddress, order);
        }
        return order;
    }

    // The position in `order` of the first entry whose address is at least `address` (order.Length when none is).
    private int FirstAtOrAbove(int[] order, ulong address)
    {
        int low = 0, high = order.Length - 1;
        while (low <= high)
        {
            int mid = (low + high) >>> 1;
            if (_entries[order[mid]].Address < address) low = mid + 1;
            else high = mid - 1;
        }
        return low;
    }

    /// <summary>The address of <paramref name="name"/> (vmlinux first, then modules).</summary>
    /// <exception cref="BpfException">No symbol has that name.</exception>
    public ulong GetAddress(string name)
    {
        if (TryFind(name, out KernelSymbol symbol))
            return symbol.Address;
        throw new BpfException("kernel symbol lookup", $"no symbol \"{name}\" in {KallsymsPath}");
    }

    /// <summary>Every symbol called <paramref name="name"/>, in file order.</summary>
    public IReadOnlyList<KernelSymbol> FindAll(string name)
    {
        var found = new List<KernelSymbol>();
        foreach (int index in Chain(name))
            found.Add(Symbol(index));
        return found;
    }

    /// <summary>
    /// The symbols whose names match a glob <paramref name="pattern"/> (<c>*</c> any run, <c>?</c> one character),
    /// in file order; only text symbols unless <paramref name="functionsOnly"/> is false.
    /// </summary>
    public IReadOnlyList<KernelSymbol> Match(string pattern, bool functionsOnly = true)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        var found = new List<KernelSymbol>();
        byte[] utf8 = Encoding.UTF8.GetBytes(pattern);
        bool literal = utf8.AsSpan().IndexOfAny((byte)'*', (byte)'?') < 0;
        if (literal)
        {
            foreach (int index in Chain(pattern))
            {
                if (!functionsOnly || IsText(_entries[index].Type))
                    found.Add(Symbol(index));
            }
            return found;
        }
        for (int i = 0; i < _entries.Length; i++)
        {
            if ((!functionsOnly || IsText(_entries[i].Type)) && GlobMatch(utf8, NameOf(i)))
                found.Add(Symbol(i));
        }
        return found;
    }

    /// <summary>The symbols in file order, as <c>/proc/kallsyms</c> lists them.</summary>
    public IEnumerator<KernelSymbol> GetEnumerator()
    {
        for (int i = 0; i < _entries.Length; i++)
            yield return Symbol(i);
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    private static bool IsText(byte type) => type is (byte)'T' or (byte)'t';

    private ReadOnlySpan<byte> NameOf(int index) => _text.AsSpan(_entries[index].NameStart, _entries[index].NameLength);

    private KernelSymbol Symbol(int index)
    {
        ref readonly Entry e = ref _entries[index];
        return new KernelSymbol(Encoding.UTF8.GetString(NameOf(index)), e.Address, (char)e.Type,
            e.Module == NoModule ? null : _modules[e.Module]);
    }

    // The entries named `name`, in file order.
    private List<int> Chain(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        Span<byte> buffer = stackalloc byte[StackNameBytes];
        ReadOnlySpan<byte> key = Encode(name, buffer);
        var indices = new List<int>();
        for (int at = NextNamed(key, -1); at >= 0; at = NextNamed(key, at))
            indices.Add(at);
        return indices;
    }

    // The preferred entry named `name`: in `module` when given, else vmlinux's before any module's.
    private bool First(string name, string? module, out int index)
    {
        ArgumentNullException.ThrowIfNull(name);
        Span<byte> buffer = stackalloc byte[StackNameBytes];
        ReadOnlySpan<byte> key = Encode(name, buffer);
        index = -1;
        for (int at = NextNamed(key, -1); at >= 0; at = NextNamed(key, at))
        {
            short m = _entries[at].Module;
            if (module is not null ? m != NoModule && _modules[m] == module : m == NoModule)
            {
                index = at;
                return true;
            }
            if (module is null && index < 0)
                index = at;
        }
        return index >= 0;
    }

    private const int StackNameBytes = 512;

    private static ReadOnlySpan<byte> Encode(string name, Span<byte> buffer)
    {
        if (Encoding.UTF8.GetMaxByteCount(name.Length) > buffer.Length)
            buffer = new byte[Encoding.UTF8.GetMaxByteCount(name.Length)];
        return buffer[..Encoding.UTF8.GetBytes(name, buffer)];
    }

    // The next entry after `after` (-1: from the start) in the hash chain of `key` whose name is `key`, or -1.
    private int NextNamed(ReadOnlySpan<byte> key, int after)
    {
        int at = after < 0 ? _buckets[(int)(Hash(key) & (uint)(_buckets.Length - 1))] : _entries[after].Next;
        for (; at != 0; at = _entries[at - 1].Next)
        {
            if (NameOf(at - 1).SequenceEqual(key))
                return at - 1;
        }
        return -1;
    }

    // FNV-1a: cheap, and good enough for identifier-like names.
    private static uint Hash(ReadOnlySpan<byte> name)
    {
        uint hash = 2166136261;
        foreach (byte b in name)
            hash = (hash ^ b) * 16777619;
        return hash;
    }

    private static bool TryParseHex(ReadOnlySpan<byte> digits, out ulong value)
    {
        value = 0;
        foreach (byte b in digits)
        {
            int digit = b switch
            {
                >= (byte)'0' and <= (byte)'9' => b - '0',
                >= (byte)'a' and <= (byte)'f' => b - 'a' + 10,
                >= (byte)'A' and <= (byte)'F' => b - 'A' + 10,
                _ => -1,
            };
            if (digit < 0)
                return false;
            value = value << 4 | (uint)digit;
        }
        return true;
    }

    /// <summary>Glob match over bytes (kallsyms names are ASCII): greedy, backtracking only to the last '*'.</summary>
    internal static bool GlobMatch(ReadOnlySpan<byte> pattern, ReadOnlySpan<byte> text)
    {
        int p = 0, t = 0, starP = -1, starT = 0;
        while (t < text.Length)
        {
            if (p < pattern.Length && pattern[p] != '*' && (pattern[p] == '?' || pattern[p] == text[t]))
            {
                p++;
                t++;
            }
            else if (p < pattern.Length && pattern[p] == '*')
            {
                starP = p++;
                starT = t;
            }
            else if (starP >= 0)
            {
                p = starP + 1;
                t = ++starT;
            }
            else
            {
                return false;
            }
        }
        while (p < pattern.Length && pattern[p] == '*')
            p++;
        return p == pattern.Length;
    }
}
