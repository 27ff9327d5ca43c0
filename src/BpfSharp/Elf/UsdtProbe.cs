namespace BpfSharp.Elf;

/// <summary>
/// A USDT (SystemTap SDT) probe site read from <c>.note.stapsdt</c>. Addresses are virtual addresses of the
/// file as linked, already corrected by the difference between the note's recorded base and the actual address of
/// <c>.stapsdt.base</c> (non-zero only after the file was prelinked).
/// </summary>
public sealed class UsdtProbe
{
    internal UsdtProbe() { }

    /// <summary>The probe's provider (the first argument of <c>DTRACE_PROBE</c>).</summary>
    public string Provider { get; internal init; } = "";
    /// <summary>The probe's name.</summary>
    public string Name { get; internal init; } = "";
    /// <summary>The probe site (the <c>nop</c> the uprobe replaces), adjusted for prelinking.</summary>
    public ulong Address { get; internal init; }
    /// <summary>The address of <c>.stapsdt.base</c> the note recorded at link time.</summary>
    public ulong Base { get; internal init; }
    /// <summary>The address of the probe's 16-bit semaphore (adjusted for prelinking), or 0 when it has none.</summary>
    public ulong SemaphoreAddress { get; internal init; }
    /// <summary>The argument specification, e.g. <c>-4@%edi 8@-16(%rbp)</c>, in the architecture's assembler syntax.</summary>
    public string Arguments { get; internal init; } = "";

    /// <summary>The probe's provider, name, address and argument string.</summary>
    public override string ToString() => $"{Provider}:{Name} at 0x{Address:x} ({Arguments})";
}
