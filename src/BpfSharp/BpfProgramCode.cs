using BpfSharp.Asm;

namespace BpfSharp;

/// <summary>
/// A loaded program's code as the kernel reports it (BPF_OBJ_GET_INFO_BY_FD): the instructions after the verifier's
/// rewrites, the JIT's machine code split by function, and the BTF debug information that maps both back to the
/// source. What <c>bpftool prog dump</c> prints.
/// </summary>
/// <param name="Translated">The instructions the kernel runs before JIT compilation (<c>xlated_prog_insns</c>): map
/// references hold map ids, helper calls the helper's address less <c>__bpf_call_base</c>.</param>
/// <param name="Jited">The JIT's machine code, every function one after the other (empty when not JIT-compiled).</param>
/// <param name="JitedFunctionAddresses">Where each function (the program, then its subprograms) starts in kernel
/// memory; kallsyms names them <c>bpf_prog_TAG_NAME</c>. Empty when the kernel hides addresses.</param>
/// <param name="JitedFunctionLengths">The length of each function in <paramref name="Jited"/>.</param>
/// <param name="BtfId">The kernel id of the program's BTF (0 when it has none), whose strings the line records name.</param>
/// <param name="Functions">One record per function: its first instruction and its <c>BTF_KIND_FUNC</c> type.</param>
/// <param name="Lines">The source line records, by translated instruction.</param>
/// <param name="JitedLineAddresses">For each record of <paramref name="Lines"/>, where its code starts in the JIT's
/// output (empty when not JIT-compiled).</param>
public sealed record BpfProgramCode(
    BpfInstruction[] Translated,
    byte[] Jited,
    ulong[] JitedFunctionAddresses,
    uint[] JitedFunctionLengths,
    uint BtfId,
    BpfFunctionRecord[] Functions,
    BpfLineRecord[] Lines,
    ulong[] JitedLineAddresses);

/// <summary>A program's <c>bpf_func_info</c>: the function starting at instruction <paramref name="InstructionOffset"/> has BTF type <paramref name="TypeId"/>.</summary>
public readonly record struct BpfFunctionRecord(uint InstructionOffset, uint TypeId);

/// <summary>
/// A program's <c>bpf_line_info</c>: the code from instruction <paramref name="InstructionOffset"/> comes from the
/// source line whose text and file name are at the given offsets of the program's BTF strings.
/// </summary>
public readonly record struct BpfLineRecord(uint InstructionOffset, uint FileNameOffset, uint LineOffset, uint LineColumn)
{
    /// <summary>The line number (the upper 22 bits of <c>line_col</c>).</summary>
    public uint Line => LineColumn >> 10;

    /// <summary>The column (the lower 10 bits of <c>line_col</c>).</summary>
    public uint Column => LineColumn & 0x3ff;
}
