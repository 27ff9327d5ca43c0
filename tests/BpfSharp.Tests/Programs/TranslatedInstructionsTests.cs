using BpfSharp.Asm;
using BpfSharp.Tests.Support;
using BpfSharp.TestChild;
using static BpfSharp.Asm.BpfRegister;

namespace BpfSharp.Tests.Programs;

/// <summary><see cref="BpfProgram.GetTranslatedInstructions"/>: the program as the kernel keeps it after verification.</summary>
public sealed class TranslatedInstructionsTests
{
    [Fact]
    public void AProgramTheVerifierLeavesAlone_ComesBackAsLoaded()
    {
        TestKernel.RequireRoot();
        // Straight-line code: the verifier removes branches it can decide (dead code), so there are none.
        var insns = new BpfAssembler()
            .Mov64(R0, 7)
            .Add64(R0, 35)
            .Mov64(R2, R0)
            .Mul64(R2, 3)
            .Exit()
            .Build();
        using var prog = BpfProgram.Load(BpfProgramType.SocketFilter, insns, new BpfProgramLoadOptions { Name = "t_xlated" });
        Assert.Equal(insns, prog.GetTranslatedInstructions());
    }

    [Fact]
    public void MapReferences_CarryTheMapsId_AndTheDisassemblyNamesIt()
    {
        TestKernel.RequireRoot();
        using var counts = TestPrograms.CounterMap();
        using var prog = TestPrograms.Load(BpfProgramType.SocketFilter, counts);
        var translated = prog.GetTranslatedInstructions();
        // The fd the program was loaded with is replaced by the map's id, as the kernel's dump shows it.
        var load = Assert.Single(translated, i => i.IsLoadImm64 && i.Src != 0);
        Assert.Equal((int)counts.Id, load.Immediate);
        Assert.Contains($"= map[id:{counts.Id}]", BpfInstruction.Disassemble(translated, translated: true));
        Assert.Contains($"= map[fd:{counts.Id}]", BpfInstruction.Disassemble(translated));
    }

    [Fact]
    public void JitedFunctions_AreTheProgramThenItsSubprograms_NamedInKallsyms()
    {
        TestKernel.RequireRoot();
        using var obj = BpfObject.Open(Objects.ObjectLoadTests.Fixture("subprogs.bpf.o"));
        obj.Load();
        var prog = obj.Programs["xdp_two"].Program!;
        var addresses = prog.GetJitedFunctionAddresses();
        Assert.True(addresses.Length >= 2, "xdp_two calls subprograms");
        // Symbols of programs loaded after the table was read are not in it: read it afresh.
        var symbols = BpfSharp.Tracing.KernelSymbols.Load();
        var names = addresses.Select(a => symbols.TryFindByAddress(a, out var s) ? s.Name : $"0x{a:x}").ToList();
        string tag = prog.GetInfo().Tag;
        Assert.Equal($"bpf_prog_{tag}_xdp_two", names[0]);
        Assert.All(names, n => Assert.StartsWith("bpf_prog_", n));
        Assert.Contains(names, n => n.EndsWith("_nested", StringComparison.Ordinal));
    }
}
