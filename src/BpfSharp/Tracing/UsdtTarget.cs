using BpfSharp.Elf;

namespace BpfSharp.Tracing;

/// <summary>
/// One site of a USDT probe (<c>DTRACE_PROBE</c>/<c>STAP_PROBE</c>) resolved to the file offsets a uprobe takes:
/// the probe's <c>nop</c>, and the semaphore the kernel increments while the probe is attached (the uprobe's
/// reference counter, <c>ref_ctr_offset</c>), so that the program only computes the probe's arguments when traced.
/// </summary>
public sealed class UsdtTarget
{
    private UsdtTarget(string binaryPath, UsdtProbe probe, ulong fileOffset, ulong semaphoreOffset)
    {
        BinaryPath = binaryPath;
        Probe = probe;
        FileOffset = fileOffset;
        SemaphoreOffset = semaphoreOffset;
    }

    /// <summary>The absolute path of the file holding the probe.</summary>
    public string BinaryPath { get; }

    /// <summary>The probe's note: provider, name, addresses and argument specification.</summary>
    public UsdtProbe Probe { get; }

    public string Provider => Probe.Provider;

    public string Name => Probe.Name;

    /// <summary>The argument specification, e.g. <c>-4@%edi 8@-16(%rbp)</c>.</summary>
    public string Arguments => Probe.Arguments;

    /// <summary>The file offset of the probe site.</summary>
    public ulong FileOffset { get; }

    /// <summary>The file offset of the probe's semaphore (the uprobe's reference counter offset), or 0 without one.</summary>
    public ulong SemaphoreOffset { get; }

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
        ElfFile elf = ElfFile.Open(path);
        var targets = new List<UsdtTarget>();
        foreach (UsdtProbe probe in elf.UsdtProbes)
        {
            if (probe.Provider != provider || probe.Name != name)
                continue;
            if (!elf.TryVirtualAddressToFileOffset(probe.Address, out ulong offset))
                throw new BpfException($"USDT {provider}:{name} in {path}", $"the probe address 0x{probe.Address:x} is not in an executable segment");
            ulong semaphore = 0;
            // The semaphore is a 16-bit counter in .probes, a data segment: any loaded segment maps it.
            if (probe.SemaphoreAddress != 0 && !elf.TryVirtualAddressToFileOffset(probe.SemaphoreAddress, out semaphore, executableOnly: false))
                throw new BpfException($"USDT {provider}:{name} in {path}", $"the semaphore address 0x{probe.SemaphoreAddress:x} is not in a file-backed segment");
            targets.Add(new UsdtTarget(path, probe, offset, semaphore));
        }
        if (targets.Count == 0)
            throw new BpfException($"USDT {provider}:{name}", $"no such probe in {path} ({elf.UsdtProbes.Count} USDT probes in its .note.stapsdt)");
        return targets;
    }

    public override string ToString() =>
        $"{BinaryPath}:{Provider}:{Name} (file offset 0x{FileOffset:x}{(SemaphoreOffset == 0 ? "" : $", semaphore 0x{SemaphoreOffset:x}")})";
}
