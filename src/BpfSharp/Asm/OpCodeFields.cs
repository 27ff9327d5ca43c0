namespace BpfSharp.Asm;

// An opcode byte is built from fields whose meaning depends on its class (the low three bits):
//   ALU, ALU64, JMP, JMP32:  | operation:4 | source:1 | class:3 |
//   LD, LDX, ST, STX:        | mode:3 | size:2 | class:3 |
// Each enum below holds its field already shifted into place, so an opcode is the OR of them.

/// <summary>The instruction class: the low three bits of every opcode (<c>BPF_CLASS</c>).</summary>
public enum BpfClass : byte
{
    /// <summary><c>BPF_LD</c>: 64-bit immediates and the legacy packet loads.</summary>
    Ld = 0x00,
    /// <summary><c>BPF_LDX</c>: load from memory into a register.</summary>
    Ldx = 0x01,
    /// <summary><c>BPF_ST</c>: store an immediate to memory.</summary>
    St = 0x02,
    /// <summary><c>BPF_STX</c>: store a register to memory, and the atomic operations.</summary>
    Stx = 0x03,
    /// <summary><c>BPF_ALU</c>: 32-bit arithmetic; the upper half of the destination is zeroed.</summary>
    Alu = 0x04,
    /// <summary><c>BPF_JMP</c>: 64-bit comparisons, calls and exit.</summary>
    Jmp = 0x05,
    /// <summary><c>BPF_JMP32</c>: comparisons of the lower 32 bits, and the long jump <c>gotol</c>.</summary>
    Jmp32 = 0x06,
    /// <summary><c>BPF_ALU64</c>: 64-bit arithmetic.</summary>
    Alu64 = 0x07,
}

/// <summary>The access width of a load or store (<c>BPF_SIZE</c>, bits 3-4).</summary>
public enum BpfSize : byte
{
    /// <summary><c>BPF_W</c>: 4 bytes.</summary>
    W = 0x00,
    /// <summary><c>BPF_H</c>: 2 bytes.</summary>
    H = 0x08,
    /// <summary><c>BPF_B</c>: 1 byte.</summary>
    B = 0x10,
    /// <summary><c>BPF_DW</c>: 8 bytes.</summary>
    DW = 0x18,
}

/// <summary>The addressing mode of a load or store (<c>BPF_MODE</c>, bits 5-7).</summary>
public enum BpfMode : byte
{
    /// <summary><c>BPF_IMM</c>: with <see cref="BpfSize.DW"/> and <see cref="BpfClass.Ld"/>, the two-slot 64-bit immediate load.</summary>
    Imm = 0x00,
    /// <summary><c>BPF_ABS</c>: legacy packet load at a constant offset (socket filters only).</summary>
    Abs = 0x20,
    /// <summary><c>BPF_IND</c>: legacy packet load at a register plus a constant offset.</summary>
    Ind = 0x40,
    /// <summary><c>BPF_MEM</c>: an ordinary load or store.</summary>
    Mem = 0x60,
    /// <summary><c>BPF_MEMSX</c>: a sign-extending load (ISA v4, Linux 6.6).</summary>
    MemSx = 0x80,
    /// <summary><c>BPF_ATOMIC</c>: an atomic operation, chosen by the immediate (see <see cref="AtomicOp"/>).</summary>
    Atomic = 0xc0,
}

/// <summary>Where an ALU or jump instruction takes its second operand from (<c>BPF_SRC</c>, bit 3).</summary>
public enum BpfSource : byte
{
    /// <summary><c>BPF_K</c>: the 32-bit immediate.</summary>
    Immediate = 0x00,
    /// <summary><c>BPF_X</c>: the source register.</summary>
    Register = 0x08,
}

/// <summary>
/// The byte order a 32-bit-class <c>BPF_END</c> instruction converts to, held in the source bit.
/// (The 64-bit-class <c>BPF_END</c> swaps unconditionally and keeps the bit clear.)
/// </summary>
public enum BpfByteOrder : byte
{
    /// <summary><c>BPF_TO_LE</c>: a no-op truncation on little-endian hosts.</summary>
    LittleEndian = 0x00,
    /// <summary><c>BPF_TO_BE</c>: a byte swap on little-endian hosts.</summary>
    BigEndian = 0x08,
}
