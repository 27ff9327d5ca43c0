namespace BpfSharp.Asm;

// Arithmetic. The 64-bit forms (ALU64) sign-extend a 32-bit immediate to 64 bits; the 32-bit
// forms (ALU) work on the low halves and zero the upper half of the destination.
public sealed partial class BpfAssembler
{
    /// <summary><c>dst op= imm</c> on 64 bits, for any <see cref="AluOp"/> (the named methods below are clearer).</summary>
    public BpfAssembler Alu64(AluOp op, BpfRegister dst, int imm) =>
        Emit(BpfOpCode.Alu(BpfClass.Alu64, op, BpfSource.Immediate), dst, immediate: imm);

    /// <summary><c>dst op= src</c> on 64 bits.</summary>
    public BpfAssembler Alu64(AluOp op, BpfRegister dst, BpfRegister src) =>
        Emit(BpfOpCode.Alu(BpfClass.Alu64, op, BpfSource.Register), dst, src);

    /// <summary><c>wdst op= imm</c> on 32 bits.</summary>
    public BpfAssembler Alu32(AluOp op, BpfRegister dst, int imm) =>
        Emit(BpfOpCode.Alu(BpfClass.Alu, op, BpfSource.Immediate), dst, immediate: imm);

    /// <summary><c>wdst op= wsrc</c> on 32 bits.</summary>
    public BpfAssembler Alu32(AluOp op, BpfRegister dst, BpfRegister src) =>
        Emit(BpfOpCode.Alu(BpfClass.Alu, op, BpfSource.Register), dst, src);

    /// <summary><c>dst = imm</c> on 64 bits (imm sign-extended).</summary>
    public BpfAssembler Mov64(BpfRegister dst, int imm) => Alu64(AluOp.Mov, dst, imm);
    /// <summary><c>dst = src</c> on 64 bits.</summary>
    public BpfAssembler Mov64(BpfRegister dst, BpfRegister src) => Alu64(AluOp.Mov, dst, src);
    /// <summary><c>wdst = imm</c> on 32 bits, zeroing the upper half.</summary>
    public BpfAssembler Mov32(BpfRegister dst, int imm) => Alu32(AluOp.Mov, dst, imm);
    /// <summary><c>wdst = wsrc</c> on 32 bits, zeroing the upper half.</summary>
    public BpfAssembler Mov32(BpfRegister dst, BpfRegister src) => Alu32(AluOp.Mov, dst, src);

    /// <summary><c>dst += imm</c> on 64 bits (imm sign-extended).</summary>
    public BpfAssembler Add64(BpfRegister dst, int imm) => Alu64(AluOp.Add, dst, imm);
    /// <summary><c>dst += src</c> on 64 bits.</summary>
    public BpfAssembler Add64(BpfRegister dst, BpfRegister src) => Alu64(AluOp.Add, dst, src);
    /// <summary><c>wdst += imm</c> on 32 bits, zeroing the upper half.</summary>
    public BpfAssembler Add32(BpfRegister dst, int imm) => Alu32(AluOp.Add, dst, imm);
    /// <summary><c>wdst += wsrc</c> on 32 bits, zeroing the upper half.</summary>
    public BpfAssembler Add32(BpfRegister dst, BpfRegister src) => Alu32(AluOp.Add, dst, src);

    /// <summary><c>dst -= imm</c> on 64 bits (imm sign-extended).</summary>
    public BpfAssembler Sub64(BpfRegister dst, int imm) => Alu64(AluOp.Sub, dst, imm);
    /// <summary><c>dst -= src</c> on 64 bits.</summary>
    public BpfAssembler Sub64(BpfRegister dst, BpfRegister src) => Alu64(AluOp.Sub, dst, src);
    /// <summary><c>wdst -= imm</c> on 32 bits, zeroing the upper half.</summary>
    public BpfAssembler Sub32(BpfRegister dst, int imm) => Alu32(AluOp.Sub, dst, imm);
    /// <summary><c>wdst -= wsrc</c> on 32 bits, zeroing the upper half.</summary>
    public BpfAssembler Sub32(BpfRegister dst, BpfRegister src) => Alu32(AluOp.Sub, dst, src);

    /// <summary><c>dst *= imm</c> on 64 bits (imm sign-extended).</summary>
    public BpfAssembler Mul64(BpfRegister dst, int imm) => Alu64(AluOp.Mul, dst, imm);
    /// <summary><c>dst *= src</c> on 64 bits.</summary>
    public BpfAssembler Mul64(BpfRegister dst, BpfRegister src) => Alu64(AluOp.Mul, dst, src);
    /// <summary><c>wdst *= imm</c> on 32 bits, zeroing the upper half.</summary>
    public BpfAssembler Mul32(BpfRegister dst, int imm) => Alu32(AluOp.Mul, dst, imm);
    /// <summary><c>wdst *= wsrc</c> on 32 bits, zeroing the upper half.</summary>
    public BpfAssembler Mul32(BpfRegister dst, BpfRegister src) => Alu32(AluOp.Mul, dst, src);

    /// <summary>Unsigned <c>dst /= imm</c>; division by zero yields 0.</summary>
    public BpfAssembler Div64(BpfRegister dst, int imm) => Alu64(AluOp.Div, dst, imm);
    /// <summary>Unsigned <c>dst /= src</c> on 64 bits.</summary>
    public BpfAssembler Div64(BpfRegister dst, BpfRegister src) => Alu64(AluOp.Div, dst, src);
    /// <summary>Unsigned <c>wdst /= imm</c> on 32 bits, zeroing the upper half.</summary>
    public BpfAssembler Div32(BpfRegister dst, int imm) => Alu32(AluOp.Div, dst, imm);
    /// <summary>Unsigned <c>wdst /= wsrc</c> on 32 bits, zeroing the upper half.</summary>
    public BpfAssembler Div32(BpfRegister dst, BpfRegister src) => Alu32(AluOp.Div, dst, src);

    /// <summary>Unsigned <c>dst %= imm</c>; modulo by zero leaves dst unchanged.</summary>
    public BpfAssembler Mod64(BpfRegister dst, int imm) => Alu64(AluOp.Mod, dst, imm);
    /// <summary>Unsigned <c>dst %= src</c> on 64 bits.</summary>
    public BpfAssembler Mod64(BpfRegister dst, BpfRegister src) => Alu64(AluOp.Mod, dst, src);
    /// <summary>Unsigned <c>wdst %= imm</c> on 32 bits, zeroing the upper half.</summary>
    public BpfAssembler Mod32(BpfRegister dst, int imm) => Alu32(AluOp.Mod, dst, imm);
    /// <summary>Unsigned <c>wdst %= wsrc</c> on 32 bits, zeroing the upper half.</summary>
    public BpfAssembler Mod32(BpfRegister dst, BpfRegister src) => Alu32(AluOp.Mod, dst, src);

    /// <summary><c>dst |= imm</c> on 64 bits (imm sign-extended).</summary>
    public BpfAssembler Or64(BpfRegister dst, int imm) => Alu64(AluOp.Or, dst, imm);
    /// <summary><c>dst |= src</c> on 64 bits.</summary>
    public BpfAssembler Or64(BpfRegister dst, BpfRegister src) => Alu64(AluOp.Or, dst, src);
    /// <summary><c>wdst |= imm</c> on 32 bits, zeroing the upper half.</summary>
    public BpfAssembler Or32(BpfRegister dst, int imm) => Alu32(AluOp.Or, dst, imm);
    /// <summary><c>wdst |= wsrc</c> on 32 bits, zeroing the upper half.</summary>
    public BpfAssembler Or32(BpfRegister dst, BpfRegister src) => Alu32(AluOp.Or, dst, src);

    /// <summary><c>dst &amp;= imm</c> on 64 bits (imm sign-extended).</summary>
    public BpfAssembler And64(BpfRegister dst, int imm) => Alu64(AluOp.And, dst, imm);
    /// <summary><c>dst &amp;= src</c> on 64 bits.</summary>
    public BpfAssembler And64(BpfRegister dst, BpfRegister src) => Alu64(AluOp.And, dst, src);
    /// <summary><c>wdst &amp;= imm</c> on 32 bits, zeroing the upper half.</summary>
    public BpfAssembler And32(BpfRegister dst, int imm) => Alu32(AluOp.And, dst, imm);
    /// <summary><c>wdst &amp;= wsrc</c> on 32 bits, zeroing the upper half.</summary>
    public BpfAssembler And32(BpfRegister dst, BpfRegister src) => Alu32(AluOp.And, dst, src);

    /// <summary><c>dst ^= imm</c> on 64 bits (imm sign-extended).</summary>
    public BpfAssembler Xor64(BpfRegister dst, int imm) => Alu64(AluOp.Xor, dst, imm);
    /// <summary><c>dst ^= src</c> on 64 bits.</summary>
    public BpfAssembler Xor64(BpfRegister dst, BpfRegister src) => Alu64(AluOp.Xor, dst, src);
    /// <summary><c>wdst ^= imm</c> on 32 bits, zeroing the upper half.</summary>
    public BpfAssembler Xor32(BpfRegister dst, int imm) => Alu32(AluOp.Xor, dst, imm);
    /// <summary><c>wdst ^= wsrc</c> on 32 bits, zeroing the upper half.</summary>
    public BpfAssembler Xor32(BpfRegister dst, BpfRegister src) => Alu32(AluOp.Xor, dst, src);

    /// <summary><c>dst &lt;&lt;= imm</c>; the shift count is masked to 63 (32-bit forms: 31).</summary>
    public BpfAssembler Lsh64(BpfRegister dst, int imm) => Alu64(AluOp.Lsh, dst, imm);
    /// <summary><c>dst &lt;&lt;= src</c> on 64 bits.</summary>
    public BpfAssembler Lsh64(BpfRegister dst, BpfRegister src) => Alu64(AluOp.Lsh, dst, src);
    /// <summary><c>wdst &lt;&lt;= imm</c> on 32 bits, zeroing the upper half.</summary>
    public BpfAssembler Lsh32(BpfRegister dst, int imm) => Alu32(AluOp.Lsh, dst, imm);
    /// <summary><c>wdst &lt;&lt;= wsrc</c> on 32 bits, zeroing the upper half.</summary>
    public BpfAssembler Lsh32(BpfRegister dst, BpfRegister src) => Alu32(AluOp.Lsh, dst, src);

    /// <summary>Logical <c>dst &gt;&gt;= imm</c>.</summary>
    public BpfAssembler Rsh64(BpfRegister dst, int imm) => Alu64(AluOp.Rsh, dst, imm);
    /// <summary>Logical <c>dst &gt;&gt;= src</c> on 64 bits.</summary>
    public BpfAssembler Rsh64(BpfRegister dst, BpfRegister src) => Alu64(AluOp.Rsh, dst, src);
    /// <summary>Logical <c>wdst &gt;&gt;= imm</c> on 32 bits, zeroing the upper half.</summary>
    public BpfAssembler Rsh32(BpfRegister dst, int imm) => Alu32(AluOp.Rsh, dst, imm);
    /// <summary>Logical <c>wdst &gt;&gt;= wsrc</c> on 32 bits, zeroing the upper half.</summary>
    public BpfAssembler Rsh32(BpfRegister dst, BpfRegister src) => Alu32(AluOp.Rsh, dst, src);

    /// <summary>Arithmetic <c>dst s&gt;&gt;= imm</c>, copying the sign bit in.</summary>
    public BpfAssembler Arsh64(BpfRegister dst, int imm) => Alu64(AluOp.Arsh, dst, imm);
    /// <summary>Arithmetic <c>dst s&gt;&gt;= src</c> on 64 bits.</summary>
    public BpfAssembler Arsh64(BpfRegister dst, BpfRegister src) => Alu64(AluOp.Arsh, dst, src);
    /// <summary>Arithmetic <c>wdst s&gt;&gt;= imm</c> on 32 bits, zeroing the upper half.</summary>
    public BpfAssembler Arsh32(BpfRegister dst, int imm) => Alu32(AluOp.Arsh, dst, imm);
    /// <summary>Arithmetic <c>wdst s&gt;&gt;= wsrc</c> on 32 bits, zeroing the upper half.</summary>
    public BpfAssembler Arsh32(BpfRegister dst, BpfRegister src) => Alu32(AluOp.Arsh, dst, src);

    /// <summary><c>dst = -dst</c>.</summary>
    public BpfAssembler Neg64(BpfRegister dst) => Alu64(AluOp.Neg, dst, 0);
    /// <summary><c>wdst = -wdst</c> on 32 bits, zeroing the upper half.</summary>
    public BpfAssembler Neg32(BpfRegister dst) => Alu32(AluOp.Neg, dst, 0);

    // Signed division and modulo are DIV and MOD with offset 1 (ISA v4, Linux 6.6). Signed modulo
    // truncates toward zero, as in C: -13 s% 3 == -1.

    /// <summary>Signed <c>dst s/= imm</c> (Linux 6.6).</summary>
    public BpfAssembler SDiv64(BpfRegister dst, int imm) => Emit(Op64(AluOp.Div, BpfSource.Immediate), dst, offset: 1, immediate: imm);
    /// <summary>Signed <c>dst s/= src</c> on 64 bits (Linux 6.6).</summary>
    public BpfAssembler SDiv64(BpfRegister dst, BpfRegister src) => Emit(Op64(AluOp.Div, BpfSource.Register), dst, src, offset: 1);
    /// <summary>Signed <c>wdst s/= imm</c> on 32 bits, zeroing the upper half (Linux 6.6).</summary>
    public BpfAssembler SDiv32(BpfRegister dst, int imm) => Emit(Op32(AluOp.Div, BpfSource.Immediate), dst, offset: 1, immediate: imm);
    /// <summary>Signed <c>wdst s/= wsrc</c> on 32 bits, zeroing the upper half (Linux 6.6).</summary>
    public BpfAssembler SDiv32(BpfRegister dst, BpfRegister src) => Emit(Op32(AluOp.Div, BpfSource.Register), dst, src, offset: 1);

    /// <summary>Signed <c>dst s%= imm</c> (Linux 6.6).</summary>
    public BpfAssembler SMod64(BpfRegister dst, int imm) => Emit(Op64(AluOp.Mod, BpfSource.Immediate), dst, offset: 1, immediate: imm);
    /// <summary>Signed <c>dst s%= src</c> on 64 bits (Linux 6.6).</summary>
    public BpfAssembler SMod64(BpfRegister dst, BpfRegister src) => Emit(Op64(AluOp.Mod, BpfSource.Register), dst, src, offset: 1);
    /// <summary>Signed <c>wdst s%= imm</c> on 32 bits, zeroing the upper half (Linux 6.6).</summary>
    public BpfAssembler SMod32(BpfRegister dst, int imm) => Emit(Op32(AluOp.Mod, BpfSource.Immediate), dst, offset: 1, immediate: imm);
    /// <summary>Signed <c>wdst s%= wsrc</c> on 32 bits, zeroing the upper half (Linux 6.6).</summary>
    public BpfAssembler SMod32(BpfRegister dst, BpfRegister src) => Emit(Op32(AluOp.Mod, BpfSource.Register), dst, src, offset: 1);

    /// <summary><c>dst = (s8/s16/s32)src</c>: move sign-extending the low <paramref name="bits"/> (8, 16 or 32) of src (Linux 6.6).</summary>
    public BpfAssembler MovSx64(BpfRegister dst, BpfRegister src, int bits)
    {
        if (bits is not (8 or 16 or 32))
            throw new ArgumentOutOfRangeException(nameof(bits), bits, "A 64-bit sign-extending move takes 8, 16 or 32 bits.");
        return Emit(Op64(AluOp.Mov, BpfSource.Register), dst, src, offset: (short)bits);
    }

    /// <summary><c>wdst = (s8/s16)wsrc</c>, zeroing the upper half (Linux 6.6).</summary>
    public BpfAssembler MovSx32(BpfRegister dst, BpfRegister src, int bits)
    {
        if (bits is not (8 or 16))
            throw new ArgumentOutOfRangeException(nameof(bits), bits, "A 32-bit sign-extending move takes 8 or 16 bits.");
        return Emit(Op32(AluOp.Mov, BpfSource.Register), dst, src, offset: (short)bits);
    }

    // Byte order. The 32-bit class converts from host order to the order in its source bit and
    // truncates to the width; the 64-bit class swaps unconditionally (Linux 6.6).

    /// <summary><c>dst = htobe16/32/64(dst)</c>: the low <paramref name="bits"/> of dst in big-endian order, zero-extended.</summary>
    public BpfAssembler ToBigEndian(BpfRegister dst, int bits) =>
        Emit((byte)((byte)BpfClass.Alu | (byte)AluOp.End | (byte)BpfByteOrder.BigEndian), dst, immediate: CheckSwapWidth(bits));

    /// <summary><c>dst = htole16/32/64(dst)</c>: on a little-endian host, a truncation to <paramref name="bits"/>.</summary>
    public BpfAssembler ToLittleEndian(BpfRegister dst, int bits) =>
        Emit((byte)((byte)BpfClass.Alu | (byte)AluOp.End | (byte)BpfByteOrder.LittleEndian), dst, immediate: CheckSwapWidth(bits));

    /// <summary><c>dst = bswap16/32/64(dst)</c> whatever the host order (Linux 6.6).</summary>
    public BpfAssembler ByteSwap(BpfRegister dst, int bits) =>
        Emit((byte)((byte)BpfClass.Alu64 | (byte)AluOp.End), dst, immediate: CheckSwapWidth(bits));

    private static int CheckSwapWidth(int bits) =>
        bits is 16 or 32 or 64 ? bits : throw new ArgumentOutOfRangeException(nameof(bits), bits, "A byte swap is 16, 32 or 64 bits wide.");

    private static byte Op64(AluOp op, BpfSource source) => BpfOpCode.Alu(BpfClass.Alu64, op, source);

    private static byte Op32(AluOp op, BpfSource source) => BpfOpCode.Alu(BpfClass.Alu, op, source);
}
