using BpfSharp.Asm;
using Xunit;

namespace BpfSharp.Tests.Asm;

/// <summary>The opcode fields against the tables of the kernel's instruction-set document.</summary>
public sealed class OpCodeTests
{
    [Fact]
    public void ClassesAreTheLowThreeBits()
    {
        Assert.Equal([0, 1, 2, 3, 4, 5, 6, 7],
            new[] { BpfClass.Ld, BpfClass.Ldx, BpfClass.St, BpfClass.Stx, BpfClass.Alu, BpfClass.Jmp, BpfClass.Jmp32, BpfClass.Alu64 }
                .Select(c => (int)c));
    }

    [Fact]
    public void SizesAndModesMatchTheSpec()
    {
        // size: W 0, H 1, B 2, DW 3 in bits 3-4; mode: IMM 0, ABS 1, IND 2, MEM 3, MEMSX 4, ATOMIC 6 in bits 5-7.
        Assert.Equal([0 << 3, 1 << 3, 2 << 3, 3 << 3], new[] { BpfSize.W, BpfSize.H, BpfSize.B, BpfSize.DW }.Select(s => (int)s));
        Assert.Equal([0 << 5, 1 << 5, 2 << 5, 3 << 5, 4 << 5, 6 << 5],
            new[] { BpfMode.Imm, BpfMode.Abs, BpfMode.Ind, BpfMode.Mem, BpfMode.MemSx, BpfMode.Atomic }.Select(m => (int)m));
        Assert.Equal([1, 2, 4, 8], new[] { BpfSize.B, BpfSize.H, BpfSize.W, BpfSize.DW }.Select(BpfOpCode.Bytes));
    }

    [Fact]
    public void AluCodesMatchTheSpec()
    {
        AluOp[] ops = [AluOp.Add, AluOp.Sub, AluOp.Mul, AluOp.Div, AluOp.Or, AluOp.And, AluOp.Lsh, AluOp.Rsh,
            AluOp.Neg, AluOp.Mod, AluOp.Xor, AluOp.Mov, AluOp.Arsh, AluOp.End];
        Assert.Equal(Enumerable.Range(0, 14).Select(code => code << 4), ops.Select(op => (int)op));
        Assert.Equal(0, (int)BpfSource.Immediate);
        Assert.Equal(8, (int)BpfSource.Register);
        Assert.Equal(0, (int)BpfByteOrder.LittleEndian);
        Assert.Equal(8, (int)BpfByteOrder.BigEndian);
    }

    [Fact]
    public void JumpCodesMatchTheSpec()
    {
        JumpOp[] ops = [JumpOp.Ja, JumpOp.Eq, JumpOp.Gt, JumpOp.Ge, JumpOp.Set, JumpOp.Ne, JumpOp.SGt, JumpOp.SGe,
            JumpOp.Call, JumpOp.Exit, JumpOp.Lt, JumpOp.Le, JumpOp.SLt, JumpOp.SLe, JumpOp.Cond];
        Assert.Equal(Enumerable.Range(0, 15).Select(code => code << 4), ops.Select(op => (int)op));
    }

    [Fact]
    public void AtomicImmediatesMatchTheSpec()
    {
        Assert.Equal(0x00, (int)AtomicOp.Add);
        Assert.Equal(0x40, (int)AtomicOp.Or);
        Assert.Equal(0x50, (int)AtomicOp.And);
        Assert.Equal(0xa0, (int)AtomicOp.Xor);
        Assert.Equal(0x01, (int)AtomicOp.Fetch);
        Assert.Equal(0x01, (int)AtomicOp.FetchAdd);
        Assert.Equal(0x41, (int)AtomicOp.FetchOr);
        Assert.Equal(0x51, (int)AtomicOp.FetchAnd);
        Assert.Equal(0xa1, (int)AtomicOp.FetchXor);
        Assert.Equal(0xe1, (int)AtomicOp.Exchange);
        Assert.Equal(0xf1, (int)AtomicOp.CompareExchange);
        Assert.Equal(0x100, (int)AtomicOp.LoadAcquire);
        Assert.Equal(0x110, (int)AtomicOp.StoreRelease);
    }

    [Fact]
    public void PseudoSourcesMatchTheUapi()
    {
        Assert.Equal([0, 1, 2, 3, 4, 5, 6],
            new[] { Imm64Source.Value, Imm64Source.MapFd, Imm64Source.MapValue, Imm64Source.BtfId, Imm64Source.Function,
                Imm64Source.MapIndex, Imm64Source.MapIndexValue }.Select(s => (int)s));
        Assert.Equal([0, 1, 2], new[] { CallSource.Helper, CallSource.Function, CallSource.Kfunc }.Select(s => (int)s));
    }

    [Fact]
    public void NamedOpcodes()
    {
        Assert.Equal(0x18, BpfOpCode.LoadImm64);
        Assert.Equal(0x85, BpfOpCode.Call);
        Assert.Equal(0x95, BpfOpCode.Exit);
        Assert.Equal(0x05, BpfOpCode.Goto);
        Assert.Equal(0x06, BpfOpCode.GotoLong);
    }

    [Fact]
    public void ComposesOpcodesFromFields()
    {
        Assert.Equal(0xbf, BpfOpCode.Alu(BpfClass.Alu64, AluOp.Mov, BpfSource.Register));
        Assert.Equal(0xb4, BpfOpCode.Alu(BpfClass.Alu, AluOp.Mov, BpfSource.Immediate));
        Assert.Equal(0x5d, BpfOpCode.Jump(BpfClass.Jmp, JumpOp.Ne, BpfSource.Register));
        Assert.Equal(0xa6, BpfOpCode.Jump(BpfClass.Jmp32, JumpOp.Lt, BpfSource.Immediate));
        Assert.Equal(0x61, BpfOpCode.Memory(BpfClass.Ldx, BpfMode.Mem, BpfSize.W));
        Assert.Equal(0xdb, BpfOpCode.Memory(BpfClass.Stx, BpfMode.Atomic, BpfSize.DW));
        Assert.Throws<ArgumentOutOfRangeException>(() => BpfOpCode.Alu(BpfClass.Jmp, AluOp.Add, BpfSource.Immediate));
        Assert.Throws<ArgumentOutOfRangeException>(() => BpfOpCode.Jump(BpfClass.Alu64, JumpOp.Eq, BpfSource.Immediate));
        Assert.Throws<ArgumentOutOfRangeException>(() => BpfOpCode.Memory(BpfClass.Alu, BpfMode.Mem, BpfSize.W));
    }
}
