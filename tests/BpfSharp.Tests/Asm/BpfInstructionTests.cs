using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using BpfSharp.Asm;
using Xunit;
using static BpfSharp.Asm.BpfRegister;
using static BpfSharp.Tests.Asm.AsmTestHelpers;

namespace BpfSharp.Tests.Asm;

public sealed class BpfInstructionTests
{
    [Fact]
    public void IsEightBytesLikeStructBpfInsn()
    {
        Assert.Equal(8, Unsafe.SizeOf<BpfInstruction>());
        Assert.Equal(8, Marshal.SizeOf<BpfInstruction>());
        Assert.Equal(8, BpfInstruction.EncodedSize);
    }

    [Fact]
    public void FieldsLandWhereTheKernelReadsThem()
    {
        // code, then dst in the low nibble and src in the high one, then s16 off and s32 imm, little-endian.
        var insn = new BpfInstruction(0x61, R1, R10, -4, 0x12345678);
        Assert.Equal("61 a1 fc ff 78 56 34 12", Hex([insn]));
    }

    [Fact]
    public void SpecExampleEncodesAsDocumented()
    {
        // The instruction-set document's own example: {ADD, K, ALU64} r1 += 0x11223344.
        var insn = new BpfInstruction(0x07, R1, R0, 0, 0x11223344);
        Assert.Equal("07 01 00 00 44 33 22 11", Hex([insn]));
        Assert.Equal("r1 += 287454020", insn.ToString());
    }

    [Fact]
    public void PropertiesReadBackTheFields()
    {
        var insn = new BpfInstruction(0x7b, R10, R3, -16, 42);
        Assert.Equal(0x7b, insn.OpCode);
        Assert.Equal(R10, insn.Dst);
        Assert.Equal(R3, insn.Src);
        Assert.Equal(-16, insn.Offset);
        Assert.Equal(42, insn.Immediate);
        Assert.Equal(BpfClass.Stx, insn.Class);
        Assert.Equal(BpfMode.Mem, insn.Mode);
        Assert.Equal(BpfSize.DW, insn.MemorySize);
    }

    [Fact]
    public void DecodesAluAndJumpFields()
    {
        var alu = Parse("cc 21 00 00 00 00 00 00")[0]; // w1 s>>= w2
        Assert.Equal(BpfClass.Alu, alu.Class);
        Assert.Equal(AluOp.Arsh, alu.AluOp);
        Assert.Equal(BpfSource.Register, alu.Source);

        var jump = Parse("c6 01 01 00 ff ff ff ff")[0]; // if w1 s< -1 goto +1
        Assert.Equal(BpfClass.Jmp32, jump.Class);
        Assert.Equal(JumpOp.SLt, jump.JumpOp);
        Assert.Equal(BpfSource.Immediate, jump.Source);
    }

    [Fact]
    public void WithChangesOneFieldOnly()
    {
        var insn = new BpfInstruction(0x18, R1, (BpfRegister)Imm64Source.MapFd, 0, -1);
        var patched = insn with { Immediate = 7 };
        Assert.Equal("18 11 00 00 07 00 00 00", Hex([patched]));

        var moved = insn with { Dst = R9 };
        Assert.Equal(R9, moved.Dst);
        Assert.Equal((BpfRegister)Imm64Source.MapFd, moved.Src);

        var resourced = insn with { Src = R0 };
        Assert.Equal(R1, resourced.Dst);
        Assert.Equal(R0, resourced.Src);
    }

    [Fact]
    public void RejectsRegistersWiderThanTheNibble()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new BpfInstruction(0xb7, (BpfRegister)16, R0, 0, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new BpfInstruction(0xb7, R0, (BpfRegister)200, 0, 0));
        var insn = new BpfInstruction(0xb7, R0, R0, 0, 0);
        Assert.Throws<ArgumentOutOfRangeException>(() => insn with { Src = (BpfRegister)16 });
        // 11-15 are not registers but fit the field; the kernel rejects them, not the encoding.
        Assert.Equal((BpfRegister)15, new BpfInstruction(0xb7, (BpfRegister)15, R0, 0, 0).Dst);
    }

    [Fact]
    public void BytesRoundTripWithoutCopying()
    {
        byte[] bytes = [0xb7, 0x00, 0x00, 0x00, 0x2a, 0x00, 0x00, 0x00, 0x95, 0, 0, 0, 0, 0, 0, 0];
        var program = BpfInstruction.FromBytes(bytes);
        Assert.Equal(2, program.Length);
        Assert.Equal("r0 = 42", program[0].ToString());
        Assert.Equal("exit", program[1].ToString());
        Assert.True(BpfInstruction.AsBytes(program).SequenceEqual(bytes));
    }

    [Fact]
    public void FromBytesRejectsAPartialInstruction()
    {
        Assert.Throws<ArgumentException>(() => BpfInstruction.FromBytes(new byte[12]).Length);
    }

    [Fact]
    public void EqualityComparesAllFields()
    {
        var a = new BpfInstruction(0x85, R0, R0, 0, 1);
        Assert.Equal(a, new BpfInstruction(0x85, R0, R0, 0, 1));
        Assert.True(a == new BpfInstruction(0x85, R0, R0, 0, 1));
        Assert.True(a != (a with { Immediate = 2 }));
        Assert.True(a != (a with { Offset = 1 }));
        Assert.True(a != (a with { Src = R1 }));
        Assert.Equal(a.GetHashCode(), new BpfInstruction(0x85, R0, R0, 0, 1).GetHashCode());
    }

    [Fact]
    public void RecognisesTheInstructionsALoaderPatches()
    {
        var program = new BpfAssembler()
            .LoadMapFd(R1, 3)
            .CallFunction("f")
            .Call(BpfHelper.MapLookupElem)
            .Label("f").Exit()
            .Build();
        Assert.True(program[0].IsLoadImm64);
        Assert.False(program[1].IsLoadImm64);
        Assert.True(program[2].IsCall);
        Assert.True(program[2].IsFunctionCall);
        Assert.True(program[3].IsCall);
        Assert.False(program[3].IsFunctionCall);
        Assert.False(program[4].IsCall);
    }
}
