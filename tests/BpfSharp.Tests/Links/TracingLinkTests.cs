using System.Text.Json;
using BpfSharp.Asm;
using BpfSharp.Btf;
using BpfSharp.Links;
using BpfSharp.TestChild;
using BpfSharp.Tests.Support;
using static BpfSharp.Asm.BpfRegister;

namespace BpfSharp.Tests.Links;

public class TracingLinkTests
{
    private static BpfProgram LoadTracing(BpfMap counts, BpfAttachType attachType, string target) =>
        BpfProgram.Load(BpfProgramType.Tracing, TestPrograms.Counting(counts), new()
        {
            Name = "t_trace",
            ExpectedAttachType = attachType,
            AttachTarget = target,
        });

    [Fact]
    public void TpBtf_AttachesByBtfTarget_Runs_AndIsARawTracepointLink()
    {
        TestKernel.RequireRoot();
        string bpftool = TestKernel.RequireTool("bpftool");
        using var counts = TestPrograms.CounterMap();
        using var prog = LoadTracing(counts, BpfAttachType.TraceRawTp, "sys_enter");
        Assert.True(BtfSpec.LoadKernel().TryFindId("btf_trace_sys_enter", BtfKind.Typedef, out int btfId));
        Assert.Equal((uint)btfId, prog.AttachBtfId);

        using var link = prog.AttachTrace();
        Assert.IsType<RawTracepointLink>(link);
        Assert.True(Counters.Moves(counts));
        var info = Assert.IsType<RawTracepointLinkInfo>(link.GetInfo());
        Assert.Equal("sys_enter", info.TracepointName);
        var json = JsonDocument.Parse(TestKernel.Run(bpftool, "link", "show", "id", link.Id.ToString(), "-j")).RootElement;
        Assert.Equal("raw_tracepoint", json.GetProperty("type").GetString());

        link.Dispose();
        Assert.True(Counters.Stopped(counts));
    }

    [Fact]
    public void UnknownTarget_FailsBeforeTheKernel_NamingIt()
    {
        TestKernel.RequireRoot();
        using var counts = TestPrograms.CounterMap();
        var e = Assert.Throws<BpfException>(() => LoadTracing(counts, BpfAttachType.TraceRawTp, "no_such_tp"));
        Assert.Contains("btf_trace_no_such_tp", e.Message);
        Assert.Equal("ESRCH", e.ErrnoName);
    }

    /// <summary>libbpf's answer for a trampoline target the kernel's BTF lacks is ESRCH: code tests it by errno.</summary>
    [Theory]
    [InlineData(BpfAttachType.TraceFentry)]
    [InlineData(BpfAttachType.TraceFexit)]
    [InlineData(BpfAttachType.ModifyReturn)]
    public void MissingTrampolineTarget_IsEsrch(BpfAttachType attachType)
    {
        TestKernel.RequireRoot();
        using var counts = TestPrograms.CounterMap();
        var e = Assert.Throws<BpfException>(() => LoadTracing(counts, attachType, "bpfsharp_no_such_function"));
        Assert.Equal((Errno.ESRCH, "ESRCH"), (e.Errno, e.ErrnoName));
        Assert.Contains("bpfsharp_no_such_function", e.Message);
    }

    public static TheoryData<BpfAttachType, string> TrampolineKinds => new()
    {
        { BpfAttachType.TraceFentry, "do_unlinkat" },
        { BpfAttachType.TraceFexit, "do_unlinkat" },
        // security_* functions accept fmod_ret on every kernel; bpf_modify_return_test needs error injection,
        // which Debian's 6.1 lacks. Returning 0 lets the open proceed.
        { BpfAttachType.ModifyReturn, "security_file_open" },
    };

    /// <summary>fentry/fexit/fmod_ret: run where the kernel allows trampolines (the 6.1 guest), skip here with the probe's reason.</summary>
    [Theory]
    [MemberData(nameof(TrampolineKinds))]
    public void Trampoline_AttachesRunsAndDetaches(BpfAttachType attachType, string target)
    {
        TestKernel.RequireRoot();
        TestKernel.RequireFeature(BpfFeatures.Fentry);
        using var counts = TestPrograms.CounterMap();
        using var prog = LoadTracing(counts, attachType, target);
        using var link = prog.AttachTrace();
        var tracing = Assert.IsType<TracingLinkInfo>(Assert.IsType<TracingLink>(link).GetInfo());
        Assert.Equal(attachType, tracing.AttachType);
        Assert.Equal(prog.AttachBtfId, tracing.TargetBtfId);
        Action trigger = target == "do_unlinkat"
            // unlink(2) of a missing file still enters do_unlinkat.
            ? () => { for (int i = 0; i < 10; i++) File.Delete($"/tmp/bpfsharp-nothing-{i}"); }
            : () => File.ReadAllBytes("/proc/self/stat");
        Assert.True(Counters.Moves(counts, trigger));
        Assert.Throws<NotSupportedException>(link.Detach);
        link.Dispose();
        Assert.True(Counters.Stopped(counts, trigger));
    }

    [Fact]
    public void Lsm_AttachesAndRuns()
    {
        TestKernel.RequireRoot();
        TestKernel.RequireFeature(BpfFeatures.Lsm);
        using var counts = TestPrograms.CounterMap();
        using var prog = BpfProgram.Load(BpfProgramType.Lsm, TestPrograms.Counting(counts), new()
        {
            ExpectedAttachType = BpfAttachType.LsmMac,
            AttachTarget = "file_open",
        });
        using var link = prog.AttachTrace();
        Assert.True(Counters.Moves(counts, () => File.ReadAllBytes("/proc/self/stat")));
    }

    [Fact]
    public void TaskIterator_ListsTheThreadsOfThisProcess()
    {
        TestKernel.RequireRoot();
        var kernel = BtfSpec.LoadKernel();
        short pidOffset = (short)kernel.FindMember(kernel.Find<BtfStruct>("task_struct"), "pid").ByteOffset;
        // For each task: bpf_seq_write(meta->seq, &task->pid, 4).
        var insns = new BpfAssembler()
            .Load(R6, R1, 0, BpfSize.DW)            // ctx->meta
            .Load(R7, R1, 8, BpfSize.DW)            // ctx->task (NULL at the end of the walk)
            .JumpIf(JumpOp.Eq, R7, 0, "out")
            .Load(R2, R7, pidOffset, BpfSize.W)
            .Store(R10, -8, R2, BpfSize.W)
            .Load(R1, R6, 0, BpfSize.DW)            // meta->seq
            .Mov64(R2, R10).Add64(R2, -8)
            .Mov64(R3, 4)
            .Call(BpfHelper.SeqWrite)
            .Label("out").Mov64(R0, 0).Exit()
            .Build();
        using var prog = BpfProgram.Load(BpfProgramType.Tracing, insns, new()
        {
            ExpectedAttachType = BpfAttachType.TraceIter,
            AttachTarget = "task",
        });
        using var link = prog.AttachIter(new IterAttachOptions { ProcessId = Environment.ProcessId });
        Assert.Equal(BpfLinkType.Iter, link.LinkType);
        Assert.Equal("task", Assert.IsType<IterLinkInfo>(link.GetInfo()).Target);

        byte[] output;
        using (var stream = link.OpenIterator())
        using (var copy = new MemoryStream())
        {
            stream.CopyTo(copy);
            output = copy.ToArray();
        }
        var tids = Enumerable.Range(0, output.Length / 4).Select(i => BitConverter.ToInt32(output, i * 4)).ToList();
        Assert.Contains(Environment.ProcessId, tids);
        var ours = Directory.GetDirectories("/proc/self/task").Select(d => int.Parse(Path.GetFileName(d))).ToHashSet();
        // Threads may come and go between the walk and the listing; nearly all must match.
        Assert.True(tids.Count(ours.Contains) >= tids.Count - 2, $"walk {string.Join(',', tids)} vs /proc {string.Join(',', ours)}");
        Assert.True(tids.Count >= 2, "a .NET process has several threads");
    }
}
