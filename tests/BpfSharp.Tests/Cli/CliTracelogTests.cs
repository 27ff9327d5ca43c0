using BpfSharp.Tests.Objects;
using BpfSharp.Tests.Support;

namespace BpfSharp.Tests.Cli;

/// <summary><c>bpfsharp prog tracelog stdout|stderr PROG</c>: a program's streams, consumed as they are printed.</summary>
public sealed class CliTracelogTests
{
    [Fact]
    public void Tracelog_PrintsWhatTheProgramPrinted_AndConsumesIt()
    {
        TestKernel.RequireRoot();
        TestKernel.RequireFeature(BpfFeatures.Streams);
        TestKernel.RequireFeature(BpfFeatures.StreamPrinting);
        using var obj = BpfObject.Open(ObjectLoadTests.Fixture("streams.bpf.o"));
        obj.Load();
        var prog = obj.Programs["say_hello"].Program!;
        prog.TestRun(new BpfTestRunOptions());

        Assert.Equal("warning 7\n", BpfSharpTool.Ok("prog", "tracelog", "stderr", prog.Id.ToString()).Stdout);
        Assert.Equal("hello 42 from bpfsharp 2a\n", BpfSharpTool.Ok("prog", "tracelog", "stdout", prog.Id.ToString()).Stdout);
        Assert.Equal("", BpfSharpTool.Ok("prog", "tracelog", "stdout", prog.Id.ToString()).Stdout);
    }

    [Fact]
    public void Tracelog_OfASilentProgram_PrintsNothing()
    {
        TestKernel.RequireRoot();
        TestKernel.RequireFeature(BpfFeatures.Streams);
        var insns = new BpfSharp.Asm.BpfAssembler().Mov64(BpfSharp.Asm.BpfRegister.R0, 0).Exit().Build();
        using var prog = BpfProgram.Load(BpfProgramType.SocketFilter, insns, new BpfProgramLoadOptions { Name = "t_silent" });
        Assert.Equal("", BpfSharpTool.Ok("prog", "tracelog", "stderr", prog.Id.ToString()).Stdout);
    }

    [Fact]
    public void Tracelog_OfAStreamThatIsNone_IsAUsageError()
    {
        var r = BpfSharpTool.Run("prog", "tracelog", "stdin", "1");
        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains("stdin", r.Stderr);
    }
}
