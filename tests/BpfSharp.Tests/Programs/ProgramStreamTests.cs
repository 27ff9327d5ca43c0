using System.Runtime.InteropServices;
using System.Text;
using BpfSharp.Tests.Objects;
using BpfSharp.Tests.Support;

namespace BpfSharp.Tests.Programs;

/// <summary>
/// Program streams (Linux 6.17) with streams.bpf.c: what a program prints with the stream kfunc, and what the kernel
/// itself reports on a program's stderr, read back with BPF_PROG_STREAM_READ_BY_FD.
/// </summary>
public class ProgramStreamTests
{
    /// <param name="printing">Whether the test needs the kernel to store prints (the program's or its own reports).</param>
    private static BpfObject LoadStreams(bool printing = true)
    {
        TestKernel.RequireRoot();
        TestKernel.RequireFeature(BpfFeatures.Streams);
        if (printing) TestKernel.RequireFeature(BpfFeatures.StreamPrinting);
        var obj = BpfObject.Open(ObjectLoadTests.Fixture("streams.bpf.o"));
        obj.Load();
        return obj;
    }

    [Fact]
    public void WhatTheProgramPrints_IsReadFromItsOwnStream_Once()
    {
        using var obj = LoadStreams();
        var prog = obj.Programs["say_hello"].Program!;
        Assert.Equal("", prog.ReadStream(BpfStream.Stdout));

        Assert.Equal(0u, prog.TestRun(new BpfTestRunOptions()).ReturnValue);
        Assert.Equal("hello 42 from bpfsharp 2a\n", prog.ReadStream(BpfStream.Stdout));
        Assert.Equal("warning 7\n", prog.ReadStream(BpfStream.Stderr));
        // Reading consumed it.
        Assert.Equal("", prog.ReadStream(BpfStream.Stdout));
        Assert.Equal("", prog.ReadStream(BpfStream.Stderr));
    }

    [Fact]
    public void ASmallBuffer_ReadsThePrintsInOrder_PieceByPiece()
    {
        using var obj = LoadStreams();
        var prog = obj.Programs["say_hello"].Program!;
        prog.TestRun(new BpfTestRunOptions());
        prog.TestRun(new BpfTestRunOptions());

        var text = new StringBuilder();
        Span<byte> buffer = stackalloc byte[5];
        int n, reads = 0;
        while ((n = prog.ReadStream(BpfStream.Stdout, buffer)) > 0)
        {
            Assert.InRange(n, 1, buffer.Length);
            text.Append(Encoding.ASCII.GetString(buffer[..n]));
            reads++;
        }
        Assert.Equal("hello 42 from bpfsharp 2a\nhello 42 from bpfsharp 2a\n", text.ToString());
        Assert.True(reads >= 46 / 5, $"{reads} reads of 5 bytes for 46 bytes");
        Assert.Equal("warning 7\nwarning 7\n", prog.ReadStream(BpfStream.Stderr));
    }

    [Fact]
    public void TheKernelReportsATimedOutLoop_OnTheProgramsStderr()
    {
        using var obj = LoadStreams();
        // Only the x86-64 JIT times may_goto loops (elsewhere the loop ends silently after its count).
        if (RuntimeInformation.ProcessArchitecture != Architecture.X64)
            Assert.Skip("timed may_goto (the kernel's timeout report) exists only in the x86-64 JIT");
        var prog = obj.Programs["spin"].Program!;

        Assert.Equal(0u, prog.TestRun(new BpfTestRunOptions()).ReturnValue);
        string report = prog.ReadStream(BpfStream.Stderr);
        Assert.StartsWith("ERROR: Timeout detected for may_goto instruction\n", report);
        Assert.Matches(@"\nCPU: \d+ UID: 0 PID: " + Environment.ProcessId + @" Comm: .*\nCall trace:\n", report);
        // The call trace names the program (its JIT symbol bpf_prog_<tag>_spin) and the source line of the loop.
        Assert.Matches(@"bpf_prog_[0-9a-f]{16}_spin\+0x[0-9a-f]+/0x[0-9a-f]+\n", report);
        Assert.Contains("streams.bpf.c", report);
        Assert.Equal("", prog.ReadStream(BpfStream.Stdout));
    }

    [Fact]
    public void AProgramThatPrintedNothing_HasEmptyStreams()
    {
        TestKernel.RequireRoot();
        TestKernel.RequireFeature(BpfFeatures.Streams);
        var insns = new BpfSharp.Asm.BpfAssembler().Mov64(BpfSharp.Asm.BpfRegister.R0, 0).Exit().Build();
        using var prog = BpfProgram.Load(BpfProgramType.SocketFilter, insns, new BpfProgramLoadOptions { Name = "t_silent" });
        prog.TestRun(new byte[64]);
        Assert.Equal(0, prog.ReadStream(BpfStream.Stdout, new byte[16]));
        Assert.Equal(0, prog.ReadStream(BpfStream.Stderr, new byte[16]));
        Assert.Equal("", prog.ReadStream(BpfStream.Stderr));
    }

    [Fact]
    public void AStreamTheKernelDoesNotHave_IsENOENT_NamingTheProgram()
    {
        using var obj = LoadStreams(printing: false);
        var prog = obj.Programs["say_hello"].Program!;
        var e = Assert.Throws<BpfException>(() => prog.ReadStream((BpfStream)3, new byte[8]));
        Assert.Equal("ENOENT", e.ErrnoName);
        Assert.Contains("say_hello", e.Message);
    }

    [Fact]
    public void ADisposedProgram_CannotBeRead()
    {
        using var obj = LoadStreams(printing: false);
        var prog = obj.Programs["say_hello"].Program!;
        prog.Dispose();
        Assert.Throws<ObjectDisposedException>(() => prog.ReadStream(BpfStream.Stdout, new byte[8]));
    }
}
