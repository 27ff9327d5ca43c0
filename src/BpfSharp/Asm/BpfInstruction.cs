using System.Runtime.InteropServices;

namespace BpfSharp.Asm;

/// <summary>
/// One eBPF instruction slot, laid out exactly like the kernel's <c>struct bpf_insn</c>:
/// <c>u8 code; u8 dst_reg:4, src_reg:4; s16 off; s32 imm</c>, in host byte order. A program is an
/// array of these, passed to the kernel as is. The 64-bit immediate load takes two slots: the
/// second holds only the upper 32 bits in its <see cref="Immediate"/>.
/// </summary>
[StructLayout(LayoutKind.Sequential, Size = 8)]
public readonly struct BpfInstruction : IEquatable<BpfInstruction>
{
    /// <summary>The size of one instruction slot in bytes.</summary>
    public const int EncodedSize = 8;

    private readonly byte _opCode;
    // The C bit-field puts dst_reg in the low nibble on little-endian hosts, the high one on big-endian.
    private readonly byte _registers;
    private readonly short _offset;
    private readonly int _immediate;

    /// <summary>An instruction from its fields; <paramref name="dst"/> and <paramref name="src"/> must fit in four bits.</summary>
    public BpfInstruction(byte opCode, BpfRegister dst, BpfRegister src, short offset, int immediate)
    {
        _opCode = opCode;
        _registers = Pack(CheckNibble(dst, nameof(dst)), CheckNibble(src, nameof(src)));
        _offset = offset;
        _immediate = immediate;
    }

    /// <summary>The opcode byte: class, then size and mode (loads, stores) or operation and source (ALU, jumps).</summary>
    public byte OpCode { get => _opCode; init => _opCode = value; }

    /// <summary>The destination register (a 4-bit field).</summary>
    public BpfRegister Dst
    {
        get => (BpfRegister)(BitConverter.IsLittleEndian ? _registers & 0x0f : _registers >> 4);
        init => _registers = Pack(CheckNibble(value, nameof(Dst)), (byte)Src);
    }

    /// <summary>
    /// The source register (a 4-bit field). A 64-bit immediate load keeps an <see cref="Imm64Source"/>
    /// here and a call a <see cref="CallSource"/>.
    /// </summary>
    public BpfRegister Src
    {
        get => (BpfRegister)(BitConverter.IsLittleEndian ? _registers >> 4 : _registers & 0x0f);
        init => _registers = Pack((byte)Dst, CheckNibble(value, nameof(Src)));
    }

    /// <summary>The signed 16-bit offset: a memory displacement, a jump distance, or an operation variant.</summary>
    public short Offset { get => _offset; init => _offset = value; }

    /// <summary>The signed 32-bit immediate.</summary>
    public int Immediate { get => _immediate; init => _immediate = value; }

    /// <summary>The instruction class (the low three bits of <see cref="OpCode"/>).</summary>
    public BpfClass Class => (BpfClass)(_opCode & 0x07);

    /// <summary>The access width, meaningful for the load and store classes.</summary>
    public BpfSize MemorySize => (BpfSize)(_opCode & 0x18);

    /// <summary>The addressing mode, meaningful for the load and store classes.</summary>
    public BpfMode Mode => (BpfMode)(_opCode & 0xe0);

    /// <summary>The operand source, meaningful for the ALU and jump classes.</summary>
    public BpfSource Source => (BpfSource)(_opCode & 0x08);

    /// <summary>The arithmetic operation, meaningful for the ALU classes.</summary>
    public AluOp AluOp => (AluOp)(_opCode & 0xf0);

    /// <summary>The jump operation, meaningful for the jump classes.</summary>
    public JumpOp JumpOp => (JumpOp)(_opCode & 0xf0);

    /// <summary>Whether this is the first slot of a two-slot 64-bit immediate load.</summary>
    public bool IsLoadImm64 => _opCode == BpfOpCode.LoadImm64;

    /// <summary>Whether this is a call of any kind (helper, bpf-to-bpf or kfunc).</summary>
    public bool IsCall => _opCode == BpfOpCode.Call;

    /// <summary>Whether this is a bpf-to-bpf call, whose immediate is relative to the next instruction.</summary>
    public bool IsFunctionCall => _opCode == BpfOpCode.Call && (CallSource)Src == CallSource.Function;

    /// <summary>The instruction in the kernel verifier's notation, e.g. <c>r1 = *(u32 *)(r10 -4)</c>; see <see cref="Disassemble"/>.</summary>
    /// <remarks>
    /// A lone first slot of a 64-bit immediate load cannot see its second slot, so only its low
    /// 32 bits are shown, marked <c>(first half)</c>; <see cref="Disassemble"/> shows both.
    /// </remarks>
    public override string ToString() => BpfDisassembler.Format(this);

    /// <summary>
    /// One numbered line per instruction in the verifier's log format, e.g. <c>0: (b7) r0 = 0</c>.
    /// Numbers count slots, so a 64-bit immediate load (which takes two) is followed by a line two higher.
    /// Dialect: the kernel's, except that relative jumps print as <c>goto +3</c>, helper calls by
    /// number (<c>call 1</c>) and 64-bit constants with llvm's <c>ll</c> suffix; map references print
    /// as <c>map[fd:5]</c> or <c>map[fd:5][0]+16</c>. With <paramref name="translated"/>, the program is the kernel's
    /// translation (<see cref="BpfProgram.GetTranslatedInstructions"/>): map references print as <c>map[id:12]</c> and
    /// calls into the program by the offset the kernel keeps in the off field.
    /// </summary>
    public static string Disassemble(ReadOnlySpan<BpfInstruction> program, bool translated = false) =>
        BpfDisassembler.Disassemble(program, translated);

    /// <summary>The program's bytes, as the kernel reads them; no copy is made.</summary>
    public static ReadOnlySpan<byte> AsBytes(ReadOnlySpan<BpfInstruction> program) => MemoryMarshal.AsBytes(program);

    /// <summary>Instructions over raw bytes (an ELF section, say); no copy is made.</summary>
    /// <exception cref="ArgumentException">The length is not a multiple of 8.</exception>
    public static ReadOnlySpan<BpfInstruction> FromBytes(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length % EncodedSize != 0)
            throw new ArgumentException($"{bytes.Length} bytes is not a whole number of 8-byte instructions.", nameof(bytes));
        return MemoryMarshal.Cast<byte, BpfInstruction>(bytes);
    }

    /// <summary>Whether both instructions have the same opcode, registers, offset and immediate.</summary>
    public bool Equals(BpfInstruction other) =>
        _opCode == other._opCode && _registers == other._registers && _offset == other._offset && _immediate == other._immediate;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is BpfInstruction other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(_opCode, _registers, _offset, _immediate);

    /// <summary>Whether both instructions have the same opcode, registers, offset and immediate.</summary>
    public static bool operator ==(BpfInstruction left, BpfInstruction right) => left.Equals(right);

    /// <summary>Whether the instructions differ in opcode, registers, offset or immediate.</summary>
    public static bool operator !=(BpfInstruction left, BpfInstruction right) => !left.Equals(right);

    private static byte Pack(byte dst, byte src) =>
        (byte)(BitConverter.IsLittleEndian ? dst | src << 4 : dst << 4 | src);

    private static byte CheckNibble(BpfRegister register, string name) =>
        (byte)register <= 0x0f
            ? (byte)register
            : throw new ArgumentOutOfRangeException(name, (byte)register, "A register field holds 4 bits (0-15).");
}
