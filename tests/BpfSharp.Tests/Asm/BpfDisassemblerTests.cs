using System.Text.RegularExpressions;
using BpfSharp.Asm;
using Xunit;
using static BpfSharp.Asm.BpfRegister;
using static BpfSharp.Tests.Asm.AsmTestHelpers;

namespace BpfSharp.Tests.Asm;

public sealed partial class BpfDisassemblerTests
{
    // A socket filter assembled by clang-19 -mcpu=v4 and loaded into Linux 6.18; the text is the
    // verifier's log for it (bpftool -d prog load), with the register-state comments cut off.
    private const string VerifiedBytes =
        "bf 16 00 00 00 00 00 00 b7 01 00 00 05 00 00 00 bc 12 08 00 00 00 00 00 37 02 01 00 03 00 00 00 " +
        "d7 01 00 00 10 00 00 00 dc 01 00 00 20 00 00 00 7b 1a f8 ff 00 00 00 00 62 0a f0 ff fd ff ff ff " +
        "89 a2 f8 ff 00 00 00 00 b7 03 00 00 03 00 00 00 db 3a f8 ff 00 00 00 00 db 3a f8 ff 01 00 00 00 " +
        "b7 00 00 00 00 00 00 00 db 3a f8 ff f1 00 00 00 28 00 00 00 0c 00 00 00 " +
        "18 01 00 00 bc 9a 78 56 00 00 00 00 34 12 00 00 15 01 01 00 00 00 00 00 56 01 00 00 ff ff ff ff " +
        "85 00 00 00 07 00 00 00 b7 00 00 00 00 00 00 00 95 00 00 00 00 00 00 00";

    private const string VerifierLog =
        """
        0: (bf) r6 = r1
        1: (b7) r1 = 5
        2: (bc) w2 = (s8)w1
        3: (37) r2 s/= 3
        4: (d7) r1 = bswap16 r1
        5: (dc) r1 = be32 r1
        6: (7b) *(u64 *)(r10 -8) = r1
        7: (62) *(u32 *)(r10 -16) = -3
        8: (89) r2 = *(s16 *)(r10 -8)
        9: (b7) r3 = 3
        10: (db) lock *(u64 *)(r10 -8) += r3
        11: (db) r3 = atomic64_fetch_add((u64 *)(r10 -8), r3)
        12: (b7) r0 = 0
        13: (db) r0 = atomic64_cmpxchg((u64 *)(r10 -8), r0, r3)
        14: (28) r0 = *(u16 *)skb[12]
        15: (18) r1 = 0x123456789abc
        17: (15) if r1 == 0x0 goto pc+1
        18: (56) if w1 != 0xffffffff goto pc+0
        19: (85) call bpf_get_prandom_u32#7
        20: (b7) r0 = 0
        21: (95) exit

        """;

    [Fact]
    public void MatchesTheKernelVerifierLogUpToTheDocumentedDialect()
    {
        // BpfSharp's three departures: "goto +1" for "goto pc+1", helpers by id, and "ll" on constants.
        string expected = VerifierLog.Replace("goto pc", "goto ", StringComparison.Ordinal);
        expected = HelperCall().Replace(expected, "call $1");
        expected = expected.Replace("0x123456789abc", "0x123456789abc ll", StringComparison.Ordinal);

        Assert.Equal(expected, BpfInstruction.Disassemble(Parse(VerifiedBytes)));
    }

    [GeneratedRegex(@"call \w+#(\d+)")]
    private static partial Regex HelperCall();

    [Fact]
    public void NumbersCountSlots()
    {
        var program = new BpfAssembler()
            .LoadImm64(R1, 1).LoadMapValue(R2, 4, 16).LoadMapByIndex(R3, 0).LoadMapValueByIndex(R4, 1, 8)
            .LoadKernelSymbol(R5, 1234).LoadKernelSymbol(R6, 99, moduleBtfFd: 7).Exit()
            .Build();
        Assert.Equal(
            """
            0: (18) r1 = 0x1 ll
            2: (18) r2 = map[fd:4][0]+16
            4: (18) r3 = map[idx:0]
            6: (18) r4 = map[idx:1][0]+8
            8: (18) r5 = ksym[btf_id:1234]
            10: (18) r6 = ksym[btf_id:99, btf_fd:7]
            12: (95) exit

            """, BpfInstruction.Disassemble(program));
        Assert.Equal("18 22 00 00 04 00 00 00 00 00 00 00 10 00 00 00", Hex(program.AsSpan(2, 2)));
        Assert.Equal("18 53 00 00 00 00 00 00 00 00 00 00 00 00 00 00", Hex(program.AsSpan(4, 2)));
        Assert.Equal("18 64 00 00 01 00 00 00 00 00 00 00 08 00 00 00", Hex(program.AsSpan(6, 2)));
        Assert.Equal("18 35 00 00 d2 04 00 00 00 00 00 00 00 00 00 00", Hex(program.AsSpan(8, 2)));
    }

    [Fact]
    public void TranslatedPrograms_NameMapsById_AndTakeCallOffsetsFromTheOffField()
    {
        // As the kernel dumps a verified program: the map reference holds id 12, the call into the program keeps its
        // offset (+5) in off and the subprogram's number (2) in imm.
        BpfInstruction[] program =
        [
            new(0x18, R1, (BpfRegister)1, 0, 12), new(0x00, 0, 0, 0, 0),
            new(0x85, 0, (BpfRegister)1, 5, 2),
            new(0x95, 0, 0, 0, 0),
        ];
        Assert.Equal("0: (18) r1 = map[id:12]\n2: (85) call pc+5\n3: (95) exit\n", BpfInstruction.Disassemble(program, translated: true));
        Assert.Equal("0: (18) r1 = map[fd:12]\n2: (85) call pc+2\n3: (95) exit\n", BpfInstruction.Disassemble(program));
    }

    [Fact]
    public void LoneHalvesOfALoadImm64SayWhatTheyAre()
    {
        var program = new BpfAssembler().LoadImm64(R1, 0x1_0000_0002).Build();
        Assert.Equal("r1 = 0x2 ll (first half)", program[0].ToString());
        Assert.Equal("(second half of ld_imm64: 0x1)", program[1].ToString());
        Assert.Equal("0: (18) r1 = 0x2 ll (first half)\n", BpfInstruction.Disassemble(program.AsSpan(0, 1)));
    }

    [Fact]
    public void EmptyProgram()
    {
        Assert.Equal("", BpfInstruction.Disassemble([]));
    }

    [Fact]
    public void OrderingAtomics()
    {
        // The examples of the kernel commit that added them (Linux 6.15): a 64-bit load-acquire and a
        // 16-bit store-release, which clang 19 cannot assemble yet.
        var acquire = new BpfAssembler().LoadAcquire(R0, R1, 0, BpfSize.DW).Build();
        Assert.Equal("db 10 00 00 00 01 00 00", Hex(acquire));
        Assert.Equal("r0 = load_acquire((u64 *)(r1 +0))", acquire[0].ToString());

        var release = new BpfAssembler().StoreRelease(R1, 0, R2, BpfSize.H).Build();
        Assert.Equal("cb 21 00 00 10 01 00 00", Hex(release));
        Assert.Equal("store_release((u16 *)(r1 +0), r2)", release[0].ToString());
    }

    [Fact]
    public void Kfuncs()
    {
        var program = new BpfAssembler().CallKfunc(1234).CallKfunc(56, btfFdIndex: 2).Build();
        Assert.Equal("85 20 00 00 d2 04 00 00 85 20 02 00 38 00 00 00", Hex(program));
        Assert.Equal("call kfunc[btf_id:1234]", program[0].ToString());
        Assert.Equal("call kfunc[btf_id:56, fd_idx:2]", program[1].ToString());
    }

    [Theory]
    [InlineData("e5 00 02 00 00 00 00 00", "may_goto +2")]
    [InlineData("bf 21 01 00 01 00 00 00", "r1 = addr_space_cast(r2, 0, 1)")]
    [InlineData("06 00 00 00 fe ff ff ff", "gotol -2")]
    [InlineData("85 10 00 00 05 00 00 00", "call pc+5")]
    [InlineData("d7 03 00 00 20 00 00 00", "r3 = bswap32 r3")]
    public void NewerForms(string bytes, string text)
    {
        Assert.Equal(text, Parse(bytes)[0].ToString());
    }

    [Theory]
    [InlineData("8f 01 00 00 00 00 00 00", "unknown opcode 0x8f")]        // NEG with a register source: undefined (kernel: BUG)
    [InlineData("e4 01 00 00 00 00 00 00", "unknown opcode 0xe4")]        // ALU op 0xe does not exist
    [InlineData("f5 01 00 00 00 00 00 00", "unknown opcode 0xf5")]        // jump op 0xf does not exist
    [InlineData("99 12 00 00 00 00 00 00", "unknown opcode 0x99")]        // MEMSX DW load
    [InlineData("a3 12 00 00 00 00 00 00", "unknown opcode 0xa3")]        // STX with mode 5
    [InlineData("85 30 00 00 01 00 00 00", "unknown opcode 0x85")]        // call with source 3
    [InlineData("db 21 00 00 60 00 00 00", "unknown atomic operation 0x60 on *(u64 *)(r1 +0)")]
    [InlineData("38 00 00 00 00 00 00 00", "unknown opcode 0x38")]        // LD ABS DW
    public void UndefinedEncodingsAreNamedNotGuessed(string bytes, string text)
    {
        Assert.Equal(text, Parse(bytes)[0].ToString());
    }
}
