using System.Globalization;
using BpfSharp.Elf;

namespace BpfSharp.Tracing;

/// <summary>
/// One site of a USDT probe (<c>DTRACE_PROBE</c>/<c>STAP_PROBE</c>) resolved to the file offsets a uprobe takes:
/// the probe's <c>nop</c>, and the semaphore the kernel increments while the probe is attached (the uprobe's
/// reference counter, <c>ref_ctr_offset</c>), so that the program only computes the probe's arguments when traced;
/// and its arguments, decoded for the file's architecture.
/// </summary>
public sealed class UsdtTarget
{
    private readonly IReadOnlyList<UsdtArgument>? _arguments;
    private readonly string? _argumentError;
    private readonly Dictionary<string, ulong> _symbols;

    private UsdtTarget(string binaryPath, ElfFile elf, UsdtProbe probe, ulong fileOffset, ulong semaphoreOffset)
    {
        BinaryPath = binaryPath;
        Probe = probe;
        FileOffset = fileOffset;
        SemaphoreOffset = semaphoreOffset;
        Machine = elf.Header.Machine;
        IsSharedObject = elf.Header.Type == ElfType.SharedObject;
        _symbols = new(StringComparer.Ordinal);
        try
        {
            _arguments = UsdtArgumentParser.Parse(probe.Arguments, Machine, $"{probe.Provider}:{probe.Name} in {binaryPath}");
            // A RIP-relative or absolute operand names a symbol: its address, relative to the probe's, is fixed wherever the file is loaded.
            foreach (var a in _arguments.Where(a => a.Symbol is not null))
                _symbols[a.Symbol!] = elf.TryFindSymbol(a.Symbol!, out var sym) ? sym.Value
                    : throw new UsdtArgumentException($"{probe.Provider}:{probe.Name} in {binaryPath}", a.Text, $"symbol {a.Symbol} is not in the file's symbol tables");
        }
        catch (UsdtArgumentException e)
        {
            _arguments = null;
            _argumentError = e.Message;
        }
    }

    /// <summary>The absolute path of the file holding the probe.</summary>
    public string BinaryPath { get; }

    /// <summary>The probe's note: provider, name, addresses and argument specification.</summary>
    public UsdtProbe Probe { get; }

    /// <summary>The probe's provider.</summary>
    public string Provider => Probe.Provider;

    /// <summary>The probe's name.</summary>
    public string Name => Probe.Name;

    /// <summary>The argument specification, e.g. <c>-4@%edi 8@-16(%rbp)</c>.</summary>
    public string Arguments => Probe.Arguments;

    /// <summary>The probe site's virtual address in the file (adjusted for prelinking).</summary>
    public ulong Address => Probe.Address;

    /// <summary>The file offset of the probe site.</summary>
    public ulong FileOffset { get; }

    /// <summary>The file offset of the probe's semaphore (the uprobe's reference counter offset), or 0 without one.</summary>
    public ulong SemaphoreOffset { get; }

    /// <summary>The file's architecture, which decides the argument syntax and registers.</summary>
    public ElfMachine Machine { get; }

    /// <summary>
    /// Whether the file is position-independent (<c>ET_DYN</c>: a shared library or a PIE): its runtime addresses
    /// depend on where each process maps it.
    /// </summary>
    public bool IsSharedObject { get; }

    /// <summary>The decoded arguments.</summary>
    /// <exception cref="UsdtArgumentException">An argument is in a form the BPF side cannot read (the message names it).</exception>
    public IReadOnlyList<UsdtArgument> ParsedArguments =>
        _arguments ?? throw new UsdtArgumentException($"{Provider}:{Name} in {BinaryPath}", Arguments, _argumentError!);

    /// <summary>Why the arguments cannot be decoded, or null when they can.</summary>
    public string? ArgumentError => _argumentError;

    /// <summary>
    /// The displacement the BPF side adds to the argument's register: the operand's own for most, and for a symbol
    /// its distance from the probe site, since the kernel reports the probe's address as the instruction pointer.
    /// </summary>
    internal long Displacement(UsdtArgument argument) => argument.Symbol is { } symbol
        ? unchecked((long)(_symbols[symbol] - Address) + argument.Value)
        : argument.Value;

    /// <summary>
    /// Every site of USDT probe <paramref name="provider"/>:<paramref name="name"/> in <paramref name="binary"/>
    /// (a probe expanded in several places, e.g. inlined, has several), found by <see cref="BinaryLocator.Resolve"/>.
    /// </summary>
    /// <exception cref="BpfException">The binary has no such probe, or an address maps to no file offset.</exception>
    public static IReadOnlyList<UsdtTarget> Resolve(string binary, string provider, string name, int pid = 0)
    {
        ArgumentException.ThrowIfNullOrEmpty(provider);
        ArgumentException.ThrowIfNullOrEmpty(name);
        string path = BinaryLocator.Resolve(binary, pid);
        var targets = ResolveAll(path).Where(t => t.Provider == provider && t.Name == name).ToList();
        if (targets.Count == 0)
            throw new BpfException($"USDT {provider}:{name}", $"no such probe in {path} ({ElfFile.Open(path).UsdtProbes.Count} USDT probes in its .note.stapsdt)");
        return targets;
    }

    /// <summary>Every site of every USDT probe in the file at <paramref name="path"/> (none when it has no <c>.note.stapsdt</c>).</summary>
    /// <exception cref="BpfException">A probe or semaphore address maps to no suitable segment.</exception>
    public static IReadOnlyList<UsdtTarget> ResolveAll(string path)
    {
        ElfFile elf = ElfFile.Open(path);
        var targets = new List<UsdtTarget>();
        foreach (UsdtProbe probe in elf.UsdtProbes)
        {
            string what = $"USDT {probe.Provider}:{probe.Name} in {path}";
            if (!elf.TryVirtualAddressToFileOffset(probe.Address, out ulong offset))
                throw new BpfException(what, $"the probe address 0x{probe.Address:x} is not in an executable segment");
            ulong semaphore = 0;
            // The semaphore is a 16-bit counter in .probes, a data segment: any loaded segment maps it.
            if (probe.SemaphoreAddress != 0)
            {
                if (elf.FindLoadSegment(probe.SemaphoreAddress, executableOnly: false) is not { IsExecutable: false })
                    throw new BpfException(what, $"the semaphore address 0x{probe.SemaphoreAddress:x} is not in a file-backed data segment");
                elf.TryVirtualAddressToFileOffset(probe.SemaphoreAddress, out semaphore, executableOnly: false);
            }
            targets.Add(new UsdtTarget(path, elf, probe, offset, semaphore));
        }
        return targets;
    }

    /// <summary>
    /// The files process <paramref name="pid"/> runs or has mapped (its executable first) that hold USDT probe
    /// <paramref name="provider"/>:<paramref name="name"/>, with their sites.
    /// </summary>
    /// <exception cref="BpfException">No mapped file has the probe.</exception>
    public static IReadOnlyList<IReadOnlyList<UsdtTarget>> ResolveInProcess(int pid, string provider, string name)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(pid);
        var found = new List<IReadOnlyList<UsdtTarget>>();
        foreach (string path in MappedFiles(pid))
        {
            IReadOnlyList<UsdtTarget> all;
            try { all = ResolveAll(path); }
            catch (Exception e) when (e is BpfFormatException or IOException or UnauthorizedAccessException) { continue; }
            var sites = all.Where(t => t.Provider == provider && t.Name == name).ToList();
            if (sites.Count > 0) found.Add(sites);
        }
        if (found.Count == 0)
            throw new BpfException($"USDT {provider}:{name}", $"no file process {pid} has mapped holds the probe");
        return found;
    }

    /// <summary>The ELF files process <paramref name="pid"/> has mapped executable, its main executable first, as paths this process can open.</summary>
    public static IReadOnlyList<string> MappedFiles(int pid)
    {
        string p = pid.ToString(CultureInfo.InvariantCulture);
        var files = new List<string>();
        void Add(string path)
        {
            // A file in another mount namespace is reached through the process's root.
            string reachable = File.Exists($"/proc/{p}/root{path}") ? $"/proc/{p}/root{path}" : path;
            if (!files.Contains(reachable)) files.Add(reachable);
        }
        string exe;
        try { exe = new FileInfo($"/proc/{p}/exe").LinkTarget ?? throw new BpfException($"USDT in process {pid}", "/proc/PID/exe is not a link"); }
        catch (IOException e) { throw new BpfException($"USDT in process {pid}", $"the process cannot be inspected: {e.Message}"); }
        Add(exe);
        foreach (var m in ProcessMaps.Read(pid).Where(m => m.Executable))
            Add(m.Path);
        return files;
    }

    /// <summary>The binary, provider, name, file offset and semaphore.</summary>
    public override string ToString() =>
        $"{BinaryPath}:{Provider}:{Name} (file offset 0x{FileOffset:x}{(SemaphoreOffset == 0 ? "" : $", semaphore 0x{SemaphoreOffset:x}")})";
}
