namespace BpfSharp.Tracing;

/// <summary>Where a USDT argument's value is, as libbpf's <c>usdt.bpf.h</c> reads it (<c>enum __bpf_usdt_arg_type</c>).</summary>
public enum UsdtArgumentKind
{
    /// <summary>An immediate: <c>4@$5</c> (x86-64), <c>4@5</c> (arm64).</summary>
    Constant,
    /// <summary>A register's value: <c>-4@%eax</c>, <c>8@x1</c>.</summary>
    Register,
    /// <summary>Memory at a register plus a displacement: <c>8@-8(%rbp)</c>, <c>-4@[x0, 8]</c>, <c>8@sym(%rip)</c>.</summary>
    Memory,
    /// <summary>Memory at base + index × scale + displacement: <c>8@(%rax,%rdx,8)</c> (needs libbpf 1.7's usdt.bpf.h).</summary>
    IndexedMemory,
}

/// <summary>
/// One argument of a USDT probe, decoded from the note's argument string (<c>-4@-20(%rbp)</c>): its size and
/// signedness, and where the BPF side finds it in <c>struct pt_regs</c> and user memory.
/// </summary>
public sealed record UsdtArgument
{
    /// <summary>The argument's text in the note, e.g. <c>-8@(%rax,%rdx,8)</c>.</summary>
    public required string Text { get; init; }

    /// <summary>1, 2, 4 or 8 bytes.</summary>
    public required int Size { get; init; }

    /// <summary>A negative size in the note: the value is sign-extended to 64 bits.</summary>
    public required bool IsSigned { get; init; }

    /// <summary>Constant, register, memory or indexed memory.</summary>
    public required UsdtArgumentKind Kind { get; init; }

    /// <summary>The constant of a <see cref="UsdtArgumentKind.Constant"/>; the displacement of a memory operand.</summary>
    public long Value { get; init; }

    /// <summary>The (base) register as written (<c>eax</c>, <c>x0</c>, <c>rip</c>), or null for a constant.</summary>
    public string? Register { get; init; }

    /// <summary>The register's byte offset in the kernel's <c>struct pt_regs</c> for the architecture.</summary>
    public int RegisterOffset { get; init; }

    /// <summary>The index register of an <see cref="UsdtArgumentKind.IndexedMemory"/> operand.</summary>
    public string? IndexRegister { get; init; }

    /// <summary>The index register's byte offset in <c>struct pt_regs</c>.</summary>
    public int IndexRegisterOffset { get; init; }

    /// <summary>The index's scale (1, 2, 4 or 8) of an <see cref="UsdtArgumentKind.IndexedMemory"/> operand.</summary>
    public int Scale { get; init; } = 1;

    /// <summary>
    /// The symbol of a RIP-relative or absolute operand (<c>counter(%rip)</c>, <c>counter</c>): its address, plus
    /// <see cref="Value"/>, is the argument's address. It is read relative to the probe's own address, which the
    /// kernel puts in the instruction pointer, so it works wherever the file is loaded.
    /// </summary>
    public string? Symbol { get; init; }

    /// <summary>The argument as written in the note.</summary>
    public override string ToString() => Text;
}

/// <summary>A USDT argument string in a form the BPF side cannot read, or that is malformed.</summary>
public sealed class UsdtArgumentException : BpfFormatException
{
    /// <summary>The argument <paramref name="argument"/> of probe <paramref name="probe"/> cannot be used, for <paramref name="reason"/>.</summary>
    public UsdtArgumentException(string probe, string argument, string reason)
        : base($"USDT {probe}", $"argument '{argument}': {reason}")
    {
        Probe = probe;
        Argument = argument;
    }

    /// <summary>The probe, <c>provider:name</c> (and the file when known).</summary>
    public string Probe { get; }

    /// <summary>The argument's text as the note spells it.</summary>
    public string Argument { get; }
}
