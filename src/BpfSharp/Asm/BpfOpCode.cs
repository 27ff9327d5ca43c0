namespace BpfSharp.Asm;

/// <summary>Builds opcode bytes from their fields, and names the opcodes a loader looks for.</summary>
public static class BpfOpCode
{
    /// <summary><c>BPF_LD | BPF_IMM | BPF_DW</c>: the 64-bit immediate load, which takes two instruction slots.</summary>
    public const byte LoadImm64 = (byte)BpfClass.Ld | (byte)BpfMode.Imm | (byte)BpfSize.DW;

    /// <summary><c>BPF_JMP | BPF_CALL</c>: a helper, bpf-to-bpf or kfunc call.</summary>
    public const byte Call = (byte)BpfClass.Jmp | (byte)JumpOp.Call;

    /// <summary><c>BPF_JMP | BPF_EXIT</c>.</summary>
    public const byte Exit = (byte)BpfClass.Jmp | (byte)JumpOp.Exit;

    /// <summary><c>BPF_JMP | BPF_JA</c>: <c>goto</c> by the 16-bit offset.</summary>
    public const byte Goto = (byte)BpfClass.Jmp | (byte)JumpOp.Ja;

    /// <summary><c>BPF_JMP32 | BPF_JA</c>: <c>gotol</c> by the 32-bit immediate (ISA v4, Linux 6.6).</summary>
    public const byte GotoLong = (byte)BpfClass.Jmp32 | (byte)JumpOp.Ja;

    /// <summary>An arithmetic opcode; <paramref name="cls"/> must be <see cref="BpfClass.Alu"/> or <see cref="BpfClass.Alu64"/>.</summary>
    public static byte Alu(BpfClass cls, AluOp op, BpfSource source)
    {
        if (cls is not (BpfClass.Alu or BpfClass.Alu64))
            throw new ArgumentOutOfRangeException(nameof(cls), cls, "An ALU opcode needs the Alu or Alu64 class.");
        return (byte)((byte)cls | (byte)op | (byte)source);
    }

    /// <summary>A jump opcode; <paramref name="cls"/> must be <see cref="BpfClass.Jmp"/> or <see cref="BpfClass.Jmp32"/>.</summary>
    public static byte Jump(BpfClass cls, JumpOp op, BpfSource source)
    {
        if (cls is not (BpfClass.Jmp or BpfClass.Jmp32))
            throw new ArgumentOutOfRangeException(nameof(cls), cls, "A jump opcode needs the Jmp or Jmp32 class.");
        return (byte)((byte)cls | (byte)op | (byte)source);
    }

    /// <summary>A load or store opcode; <paramref name="cls"/> must be Ld, Ldx, St or Stx.</summary>
    public static byte Memory(BpfClass cls, BpfMode mode, BpfSize size)
    {
        if (cls is not (BpfClass.Ld or BpfClass.Ldx or BpfClass.St or BpfClass.Stx))
            throw new ArgumentOutOfRangeException(nameof(cls), cls, "A load or store opcode needs the Ld, Ldx, St or Stx class.");
        return (byte)((byte)cls | (byte)mode | (byte)size);
    }

    /// <summary>The number of bytes a <see cref="BpfSize"/> accesses.</summary>
    public static int Bytes(BpfSize size) => size switch
    {
        BpfSize.B => 1,
        BpfSize.H => 2,
        BpfSize.W => 4,
        _ => 8,
    };
}
