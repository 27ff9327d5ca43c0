using BpfSharp.Asm;
using Xunit;
using static BpfSharp.Asm.BpfRegister;
using static BpfSharp.Tests.Asm.AsmTestHelpers;

namespace BpfSharp.Tests.Asm;

public sealed class BpfAssemblerTests
{
    [Fact]
    public void MapLookupProgram()
    {
        const int mapFd = 5;
        var program = new BpfAssembler()
            .Mov64(R0, 0)
            .LoadMapFd(R1, mapFd)
            .Mov64(R2, R10).Add64(R2, -4)
            .Call(BpfHelper.MapLookupElem)
            .JumpIf(JumpOp.Eq, R0, 0, "out")
            .Load(R1, R0, 0, BpfSize.DW)
            .Label("out").Exit()
            .Build();

        Assert.Equal(
            """
            0: (b7) r0 = 0
            1: (18) r1 = map[fd:5]
            3: (bf) r2 = r10
            4: (07) r2 += -4
            5: (85) call 1
            6: (15) if r0 == 0x0 goto +1
            7: (79) r1 = *(u64 *)(r0 +0)
            8: (95) exit

            """, BpfInstruction.Disassemble(program));
        Assert.Equal(9, program.Length);
        Assert.Equal("18 11 00 00 05 00 00 00 00 00 00 00 00 00 00 00", Hex(program.AsSpan(1, 2)));
        Assert.Equal("15 00 01 00 00 00 00 00", Hex(program.AsSpan(6, 1)));
    }

    [Fact]
    public void ForwardJumpCountsBothSlotsOfALoadImm64()
    {
        var program = new BpfAssembler()
            .JumpIf(JumpOp.Ne, R1, R2, "skip")  // 0
            .LoadImm64(R3, 0x1122334455667788)   // 1, 2
            .Mov64(R0, 1)                         // 3
            .Label("skip").Exit()                 // 4
            .Build();
        Assert.Equal(3, program[0].Offset);
    }

    [Fact]
    public void BackwardJumpCountsBothSlotsOfALoadImm64()
    {
        var program = new BpfAssembler()
            .Label("top").Mov64(R1, 0)            // 0
            .LoadImm64(R2, -1)                    // 1, 2
            .Add64(R1, 1)                         // 3
            .JumpIf(JumpOp.Lt, R1, 10, "top")     // 4: back to 0 is 0 - (4 + 1)
            .Exit()
            .Build();
        Assert.Equal(-5, program[4].Offset);
        Assert.Equal("if r1 < 0xa goto -5", program[4].ToString());
    }

    [Fact]
    public void JumpToItselfIsMinusOne()
    {
        var program = new BpfAssembler().Label("spin").Jump("spin").Exit().Build();
        Assert.Equal(-1, program[0].Offset);
    }

    [Fact]
    public void SeveralLabelsMayNameOnePosition()
    {
        var program = new BpfAssembler()
            .Jump("a").Jump("b")
            .Label("a").Label("b").Exit()
            .Build();
        Assert.Equal(1, program[0].Offset);
        Assert.Equal(0, program[1].Offset);
    }

    [Fact]
    public void BpfToBpfCallPutsTheDistanceInTheImmediate()
    {
        var program = new BpfAssembler()
            .Mov64(R1, 1)                // 0
            .CallFunction("double")      // 1: callee at 4, so imm = 4 - 2
            .Exit()                      // 2
            .Label("unused").Exit()      // 3
            .Label("double")
            .Mov64(R0, R1).Add64(R0, R1) // 4, 5
            .Exit()
            .Build();

        Assert.Equal("85 10 00 00 02 00 00 00", Hex(program.AsSpan(1, 1)));
        Assert.Equal("call pc+2", program[1].ToString());
        Assert.Equal(0, program[1].Offset);
    }

    [Fact]
    public void BackwardBpfToBpfCall()
    {
        var program = new BpfAssembler()
            .Label("f").Mov64(R0, 7).Exit() // 0, 1
            .CallFunction("f")               // 2: 0 - 3
            .Exit()
            .Build();
        Assert.Equal(-3, program[2].Immediate);
        Assert.Equal("call pc-3", program[2].ToString());
    }

    [Fact]
    public void LoadFunctionPointsAtACallback()
    {
        var program = new BpfAssembler()
            .LoadFunction(R2, "callback") // 0, 1: callee at 3, so imm = 3 - 1
            .Exit()                       // 2
            .Label("callback").Mov64(R0, 0).Exit()
            .Build();
        Assert.Equal("18 42 00 00 02 00 00 00 00 00 00 00 00 00 00 00", Hex(program.AsSpan(0, 2)));
        Assert.StartsWith("0: (18) r2 = func[pc+2]\n2: (95) exit", BpfInstruction.Disassemble(program));
    }

    [Fact]
    public void LongJumpUsesTheImmediate()
    {
        var asm = new BpfAssembler().JumpLong("far");
        Pad(asm, 70000);
        var program = asm.Label("far").Exit().Build();
        // gotol +70000: {JA, K, JMP32} with the distance in imm (0x11170) and offset 0.
        Assert.Equal("06 00 00 00 70 11 01 00", Hex(program.AsSpan(0, 1)));
        Assert.Equal("gotol +70000", program[0].ToString());
    }

    [Fact]
    public void JumpsAtTheEdgesOfTheOffsetRange()
    {
        var forward = new BpfAssembler().Jump("end");
        Pad(forward, short.MaxValue);
        Assert.Equal(short.MaxValue, forward.Label("end").Exit().Build()[0].Offset);

        var backward = new BpfAssembler().Label("start");
        Pad(backward, short.MaxValue);
        var program = backward.Jump("start").Exit().Build();
        Assert.Equal(short.MinValue, program[short.MaxValue].Offset);
    }

    [Fact]
    public void JumpBeyondTheOffsetRangeIsRefused()
    {
        var forward = new BpfAssembler().Jump("end");
        Pad(forward, short.MaxValue + 1);
        forward.Label("end").Exit();
        var error = Assert.Throws<BpfException>(() => forward.Build());
        Assert.Contains("\"end\"", error.Message);
        Assert.Contains("32768", error.Message);

        var backward = new BpfAssembler().Label("start");
        Pad(backward, short.MaxValue + 1);
        backward.JumpIf32(JumpOp.Eq, R1, 0, "start").Exit();
        Assert.Throws<BpfException>(() => backward.Build());
    }

    [Fact]
    public void UnknownLabelIsNamed()
    {
        var asm = new BpfAssembler().Mov64(R0, 0).JumpIf(JumpOp.Gt, R1, R2, "nowhere").Exit();
        var error = Assert.Throws<BpfException>(() => asm.Build());
        Assert.Contains("\"nowhere\"", error.Message);
        Assert.Contains("instruction 1", error.Message);
        Assert.Equal(Errno.None, error.Errno);
    }

    [Fact]
    public void UnknownCallTargetIsNamed()
    {
        var asm = new BpfAssembler().CallFunction("missing").Exit();
        Assert.Contains("\"missing\"", Assert.Throws<BpfException>(() => asm.Build()).Message);
    }

    [Fact]
    public void DuplicateLabelIsRefused()
    {
        var asm = new BpfAssembler().Label("x").Mov64(R0, 0);
        var error = Assert.Throws<ArgumentException>(() => asm.Label("x"));
        Assert.Contains("\"x\"", error.Message);
    }

    [Fact]
    public void LabelAtTheEndIsRefused()
    {
        var asm = new BpfAssembler().Jump("end").Exit().Label("end");
        Assert.Contains("end of the program", Assert.Throws<BpfException>(() => asm.Build()).Message);
    }

    [Fact]
    public void EmptyLabelIsRefused()
    {
        Assert.Throws<ArgumentException>(() => new BpfAssembler().Label(""));
        Assert.Throws<ArgumentException>(() => new BpfAssembler().Jump(""));
    }

    [Fact]
    public void BuildCanBeRepeatedAndContinued()
    {
        var asm = new BpfAssembler().Jump("end").Label("end").Mov64(R0, 0);
        var first = asm.Build();
        Assert.Equal(first, asm.Build());
        asm.Exit();
        Assert.Equal(3, asm.Count);
        Assert.Equal(3, asm.Build().Length);
        Assert.Equal(2, first.Length);
    }

    [Fact]
    public void CountIncludesSecondSlots()
    {
        var asm = new BpfAssembler().LoadImm64(R1, 1).LoadMapValue(R2, 3, 8).Exit();
        Assert.Equal(5, asm.Count);
    }

    [Fact]
    public void RawAppendsAsGiven()
    {
        var insn = new BpfInstruction(0xff, R3, R4, 5, 6);
        Assert.Equal([insn], new BpfAssembler().Raw(insn).Build());
    }

    [Fact]
    public void RefusesWhatTheIsaDoesNotDefine()
    {
        var asm = new BpfAssembler();
        Assert.Throws<ArgumentOutOfRangeException>(() => asm.ByteSwap(R1, 8));
        Assert.Throws<ArgumentOutOfRangeException>(() => asm.ToBigEndian(R1, 24));
        Assert.Throws<ArgumentOutOfRangeException>(() => asm.MovSx64(R1, R2, 64));
        Assert.Throws<ArgumentOutOfRangeException>(() => asm.MovSx32(R1, R2, 32));
        Assert.Throws<ArgumentOutOfRangeException>(() => asm.LoadSignExtend(R1, R2, 0, BpfSize.DW));
        Assert.Throws<ArgumentOutOfRangeException>(() => asm.LoadAbsolute(BpfSize.DW, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => asm.LoadIndirect(BpfSize.DW, R1, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => asm.AtomicAdd(R1, 0, R2, BpfSize.B));
        Assert.Throws<ArgumentOutOfRangeException>(() => asm.AtomicCompareExchange(R1, 0, R2, BpfSize.H));
        Assert.Throws<ArgumentOutOfRangeException>(() => asm.JumpIf(JumpOp.Call, R1, 0, "x"));
        Assert.Throws<ArgumentOutOfRangeException>(() => asm.JumpIf32(JumpOp.Ja, R1, R2, "x"));
        Assert.Throws<ArgumentOutOfRangeException>(() => asm.Mov64((BpfRegister)16, 0));
        Assert.Equal(0, asm.Count);
    }
}
