using BpfSharp.Btf;
using BpfSharp.Elf;
using BpfSharp.Tracing;

namespace BpfSharp.Tests.Tracing;

/// <summary>USDT argument strings decoded without a kernel; register offsets checked against the kernel's struct pt_regs.</summary>
public class UsdtArgumentParserTests
{
    private static UsdtArgument X86(string text) => UsdtArgumentParser.ParseOne(text, ElfMachine.Amd64, "p:n");
    private static UsdtArgument Arm64(string text) => UsdtArgumentParser.ParseOne(text, ElfMachine.Arm64, "p:n");

    [Theory]
    [InlineData("-4@%eax", 4, true, UsdtArgumentKind.Register, 0L, "eax", 80)]
    [InlineData("8@%rdx", 8, false, UsdtArgumentKind.Register, 0L, "rdx", 96)]
    [InlineData("-1@%sil", 1, true, UsdtArgumentKind.Register, 0L, "sil", 104)]
    [InlineData("4@%r9d", 4, false, UsdtArgumentKind.Register, 0L, "r9d", 64)]
    [InlineData("8@-8(%rbp)", 8, false, UsdtArgumentKind.Memory, -8L, "rbp", 32)]
    [InlineData("8@(%rsp)", 8, false, UsdtArgumentKind.Memory, 0L, "rsp", 152)]
    [InlineData("-4@-1204(%rbp)", 4, true, UsdtArgumentKind.Memory, -1204L, "rbp", 32)]
    [InlineData("4@$5", 4, false, UsdtArgumentKind.Constant, 5L, null, 0)]
    [InlineData("-4@$-9", 4, true, UsdtArgumentKind.Constant, -9L, null, 0)]
    [InlineData("4@$-294967296", 4, false, UsdtArgumentKind.Constant, -294967296L, null, 0)]
    [InlineData("8@$0x10", 8, false, UsdtArgumentKind.Constant, 16L, null, 0)]
    public void X86_64(string text, int size, bool signed, UsdtArgumentKind kind, long value, string? register, int offset)
    {
        var a = X86(text);
        Assert.Equal((text, size, signed, kind, value, register), (a.Text, a.Size, a.IsSigned, a.Kind, a.Value, a.Register));
        if (register is not null) Assert.Equal(offset, a.RegisterOffset);
    }

    [Fact]
    public void X86_64_IndexedAndRipRelative()
    {
        var sib = X86("8@(%rax,%rdx,8)");
        Assert.Equal((UsdtArgumentKind.IndexedMemory, "rax", 80, "rdx", 96, 8, 0L), (sib.Kind, sib.Register, sib.RegisterOffset, sib.IndexRegister, sib.IndexRegisterOffset, sib.Scale, sib.Value));
        var withDisp = X86("-1@-96(%rbp,%rax)");
        Assert.Equal((UsdtArgumentKind.IndexedMemory, -96L, 1), (withDisp.Kind, withDisp.Value, withDisp.Scale));
        var rip = X86("-8@threshold(%rip)");
        Assert.Equal((UsdtArgumentKind.Memory, "rip", 128, "threshold", 0L), (rip.Kind, rip.Register, rip.RegisterOffset, rip.Symbol, rip.Value));
        var ripPlus = X86("4@table+16(%rip)");
        Assert.Equal(("table", 16L), (ripPlus.Symbol, ripPlus.Value));
        var array = X86("-8@table(,%rax,8)");
        Assert.Equal((UsdtArgumentKind.IndexedMemory, "rip", "table", "rax", 8), (array.Kind, array.Register, array.Symbol, array.IndexRegister, array.Scale));
        var absolute = X86("4@counter");
        Assert.Equal((UsdtArgumentKind.Memory, "rip", "counter"), (absolute.Kind, absolute.Register, absolute.Symbol));
    }

    [Theory]
    [InlineData("-4@[x0, 8]", 4, true, UsdtArgumentKind.Memory, 8L, "x0", 0)]
    [InlineData("-4@[sp, 96]", 4, true, UsdtArgumentKind.Memory, 96L, "sp", 248)]
    [InlineData("8@[x29]", 8, false, UsdtArgumentKind.Memory, 0L, "x29", 232)]
    [InlineData("8@[x2, #-16]", 8, false, UsdtArgumentKind.Memory, -16L, "x2", 16)]
    [InlineData("8@x1", 8, false, UsdtArgumentKind.Register, 0L, "x1", 8)]
    [InlineData("-4@w3", 4, true, UsdtArgumentKind.Register, 0L, "w3", 24)]
    [InlineData("4@5", 4, false, UsdtArgumentKind.Constant, 5L, null, 0)]
    [InlineData("-8@-9", 8, true, UsdtArgumentKind.Constant, -9L, null, 0)]
    public void Arm64Forms(string text, int size, bool signed, UsdtArgumentKind kind, long value, string? register, int offset)
    {
        var a = Arm64(text);
        Assert.Equal((size, signed, kind, value, register), (a.Size, a.IsSigned, a.Kind, a.Value, a.Register));
        if (register is not null) Assert.Equal(offset, a.RegisterOffset);
    }

    [Theory]
    [InlineData("-8@%fs:tls_value@tpoff", "segment")]
    [InlineData("8@%xmm0", "floating-point")]
    [InlineData("1@%ah", "second byte")]
    [InlineData("3@%eax", "size")]
    [InlineData("%eax", "SIZE@")]
    [InlineData("8@%foo", "unknown register")]
    [InlineData("8@(%rax,%rdx,3)", "scale")]
    [InlineData("8@16(%rip)", "needs a symbol")]
    [InlineData("8@$sym", "not a number")]
    [InlineData("8@16(,%rax,8)", "without a base")]
    public void X86_64_Unsupported_NameProbeAndArgument(string text, string reason)
    {
        var e = Assert.Throws<UsdtArgumentException>(() => UsdtArgumentParser.Parse($"4@$1 {text}", ElfMachine.Amd64, "prov:name in /bin/x"));
        Assert.Contains("prov:name in /bin/x", e.Message);
        Assert.Contains($"'{text}'", e.Message);
        Assert.Contains(reason, e.Message);
        Assert.Equal(text, e.Argument);
    }

    [Theory]
    [InlineData("8@[x0, x1]", "index")]
    [InlineData("8@x31", "unknown register")]
    [InlineData("8@[q0, 8]", "unknown base register")]
    public void Arm64_Unsupported(string text, string reason)
    {
        var e = Assert.Throws<UsdtArgumentException>(() => UsdtArgumentParser.Parse(text, ElfMachine.Arm64, "prov:name"));
        Assert.Contains(reason, e.Message);
        Assert.Contains("prov:name", e.Message);
    }

    [Fact]
    public void ArgumentLists()
    {
        Assert.Empty(UsdtArgumentParser.Parse("", ElfMachine.Amd64, "p"));
        Assert.Empty(UsdtArgumentParser.Parse(":", ElfMachine.Amd64, "p"));
        var args = UsdtArgumentParser.Parse("-4@-1204(%rbp) -4@%edi -8@-1216(%rbp) -8@%r8 -4@$5 -8@%r9 8@%rdx 8@%r10 -4@$-9 -2@%cx -2@%ax -1@%sil", ElfMachine.Amd64, "p");
        Assert.Equal(12, args.Count);
        // arm64 memory operands contain a space.
        Assert.Equal(["-4@[sp, 96]", "8@x1", "4@5"], UsdtArgumentParser.Parse("-4@[sp, 96] 8@x1 4@5", ElfMachine.Arm64, "p").Select(a => a.Text));
        var e = Assert.Throws<UsdtArgumentException>(() => UsdtArgumentParser.Parse(string.Join(' ', Enumerable.Repeat("8@%rax", 13)), ElfMachine.Amd64, "p"));
        Assert.Contains("13 arguments", e.Message);
        Assert.Throws<UsdtArgumentException>(() => UsdtArgumentParser.Parse("8@%rax", ElfMachine.S390, "p"));
    }

    /// <summary>The offsets usdt.bpf.h adds to the context pointer are the kernel's own struct pt_regs layout.</summary>
    [Fact]
    public void X86RegisterOffsets_MatchTheKernelsPtRegs()
    {
        if (System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture != System.Runtime.InteropServices.Architecture.X64)
            Assert.Skip("x86-64 only");
        var btf = BtfSpec.LoadKernel();
        int ptRegs = btf.FindByName("pt_regs", BtfKind.Struct).Id;
        foreach (var (name, member) in new[] { ("rax", "ax"), ("rbx", "bx"), ("rcx", "cx"), ("rdx", "dx"), ("rsi", "si"), ("rdi", "di"), ("rbp", "bp"),
                     ("rsp", "sp"), ("rip", "ip"), ("r8", "r8"), ("r9", "r9"), ("r10", "r10"), ("r11", "r11"), ("r12", "r12"), ("r13", "r13"), ("r14", "r14"), ("r15", "r15") })
            Assert.Equal(btf.FindMember(ptRegs, member).ByteOffset, UsdtArgumentParser.X86Registers[name]);
    }

    /// <summary>libbpf 1.0-1.6's header (the installed one): 16-byte argument specs, 208-byte value.</summary>
    [Fact]
    public void LegacyLayout_MatchesTheFixturesBtf()
    {
        var obj = BpfObject.Open(Path.Combine(AppContext.BaseDirectory, "Objects", "Fixtures", "usdt.bpf.o"));
        var btf = obj.Btf!;
        var layout = UsdtSpecLayout.FromBtf(btf, btf.FindByName("__bpf_usdt_spec", BtfKind.Struct).Id);
        Assert.Equal(208, layout.ValueSize);
        Assert.Equal(12, layout.MaxArguments);
        Assert.False(layout.SupportsIndexedMemory);
        Assert.Equal(UsdtSpecLayout.Legacy.ValueSize, layout.ValueSize);
    }

    /// <summary>libbpf 1.7's header: 24-byte argument specs with bitfields and the indexed kind, 304-byte value.</summary>
    [Fact]
    public void Libbpf17Layout_FromBtf()
    {
        var btf = BpfObject.Open(Path.Combine(AppContext.BaseDirectory, "Objects", "Fixtures", "usdt_sib.bpf.o")).Btf!;
        var layout = UsdtSpecLayout.FromBtf(btf, btf.FindByName("__bpf_usdt_spec", BtfKind.Struct).Id);
        Assert.Equal(304, layout.ValueSize);
        Assert.True(layout.SupportsIndexedMemory);
        var e = Assert.Throws<BpfFormatException>(() => UsdtSpecLayout.FromBtf(btf, btf.FindByName("__bpf_usdt_arg_spec", BtfKind.Struct).Id));
        Assert.Contains("__bpf_usdt_spec", e.Message);
    }
}
