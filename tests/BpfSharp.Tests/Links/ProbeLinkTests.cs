using System.Runtime.InteropServices;
using System.Text.Json;
using BpfSharp.Links;
using BpfSharp.TestChild;
using BpfSharp.Tests.Support;
using BpfSharp.Tracing;

namespace BpfSharp.Tests.Links;

public partial class ProbeLinkTests
{
    [LibraryImport("libc")]
    private static partial int getppid();

    private static void CallGetppid()
    {
        for (int i = 0; i < 50; i++) getppid();
    }

    private static List<string> OurUprobeEvents() =>
        TraceFs.ListProbeEvents().Where(e => e.OwnerPid == Environment.ProcessId).Select(e => e.Definition).ToList();

    [Fact]
    public void Tracepoint_PerfLink_Runs_AndBpftoolNamesIt()
    {
        TestKernel.RequireRoot();
        string bpftool = TestKernel.RequireTool("bpftool");
        using var counts = TestPrograms.CounterMap();
        using var prog = TestPrograms.Load(BpfProgramType.Tracepoint, counts);
        using var link = prog.AttachTracepoint("syscalls", "sys_enter_getppid");
        Assert.IsType<PerfEventLink>(link);
        Assert.True(Counters.Moves(counts, CallGetppid));
        var info = Assert.IsType<PerfEventLinkInfo>(link.GetInfo());
        if (PerfLinkInfos.HasEvent(info, PerfEventLinkKind.Tracepoint)) Assert.Equal("sys_enter_getppid", info.Name);
        var json = JsonDocument.Parse(TestKernel.Run(bpftool, "link", "show", "id", link.Id.ToString(), "-j")).RootElement;
        Assert.Equal("perf_event", json.GetProperty("type").GetString());
        Assert.Equal(prog.Id, json.GetProperty("prog_id").GetUInt32());
        // bpftool 7.3 and later print the perf event's details; older ones only the common fields.
        if (json.TryGetProperty("tracepoint", out var tp)) Assert.Equal("sys_enter_getppid", tp.GetString());
        link.Dispose();
        Assert.True(Counters.Stopped(counts, CallGetppid));
    }

    [Fact]
    public void Tracepoint_IoctlAttach_RunsAndDetaches()
    {
        TestKernel.RequireRoot();
        using var counts = TestPrograms.CounterMap();
        using var prog = TestPrograms.Load(BpfProgramType.Tracepoint, counts);
        var link = prog.AttachTracepoint("syscalls", "sys_enter_getppid", new() { UseIoctl = true });
        Assert.IsType<PerfEventIoctlLink>(link);
        Assert.True(Counters.Moves(counts, CallGetppid));
        link.Detach();
        Assert.True(Counters.Stopped(counts, CallGetppid));
        link.Dispose();
    }

    [Fact]
    public void Tracepoint_CookieReachesTheProgram()
    {
        TestKernel.RequireRoot();
        using var counts = TestPrograms.CounterMap();
        using var prog = BpfProgram.Load(BpfProgramType.Tracepoint, TestPrograms.CountingCookie(counts));
        using var link = prog.AttachTracepoint("syscalls", "sys_enter_getppid", new() { Cookie = 7 });
        CallGetppid();
        long total = Counters.Read(counts);
        Assert.True(total >= 7 * 50 && total % 7 == 0, $"counter {total}");
    }

    [Fact]
    public void MissingTracepoint_FailsClearly_AndOpensNothing()
    {
        TestKernel.RequireRoot();
        using var counts = TestPrograms.CounterMap();
        using var prog = TestPrograms.Load(BpfProgramType.Tracepoint, counts);
        var e = Assert.Throws<BpfException>(() => prog.AttachTracepoint("syscalls", "sys_enter_nothing_like_this"));
        Assert.Contains("sys_enter_nothing_like_this", e.Message);
    }

    [Theory]
    [InlineData(ProbeAttachMode.Pmu)]
    [InlineData(ProbeAttachMode.TraceFs)]
    public void Uprobe_OnLibcFunction_Runs_ForThisProcess(ProbeAttachMode mode)
    {
        TestKernel.RequireRoot();
        string bpftool = TestKernel.RequireTool("bpftool");
        using var counts = TestPrograms.CounterMap();
        using var prog = TestPrograms.Load(BpfProgramType.Kprobe, counts);
        var link = prog.AttachUprobe("libc.so.6", "getppid", new() { Mode = mode, ProcessId = Environment.ProcessId });
        try
        {
            Assert.True(Counters.Moves(counts, CallGetppid));
            var info = Assert.IsType<PerfEventLinkInfo>(link.GetInfo());
            var target = UprobeTarget.Resolve("libc.so.6", "getppid", Environment.ProcessId);
            if (PerfLinkInfos.HasEvent(info, PerfEventLinkKind.Uprobe))
            {
                Assert.Equal(target.BinaryPath, info.Name);
                Assert.Equal(target.FileOffset, (ulong)info.Offset);
            }
            var json = JsonDocument.Parse(TestKernel.Run(bpftool, "link", "show", "id", link.Id.ToString(), "-j")).RootElement;
            Assert.Equal("perf_event", json.GetProperty("type").GetString());
            if (json.TryGetProperty("file", out var file)) Assert.Equal(target.BinaryPath, file.GetString());
            // Only the tracefs mode leaves a trace in uprobe_events, named with our pid.
            Assert.Equal(mode == ProbeAttachMode.TraceFs ? 1 : 0, OurUprobeEvents().Count);
        }
        finally
        {
            link.Dispose();
        }
        Assert.Empty(OurUprobeEvents());
        Assert.True(Counters.Stopped(counts, CallGetppid));
    }

    [Fact]
    public void Uretprobe_RunsOnReturn_WithACookie()
    {
        TestKernel.RequireRoot();
        using var counts = TestPrograms.CounterMap();
        using var prog = BpfProgram.Load(BpfProgramType.Kprobe, TestPrograms.CountingCookie(counts));
        using var link = prog.AttachUprobe("libc.so.6", "getppid", new() { Retprobe = true, Cookie = 3, ProcessId = Environment.ProcessId });
        CallGetppid();
        Assert.Equal(150L, Counters.Read(counts));
        PerfLinkInfos.HasEvent(Assert.IsType<PerfEventLinkInfo>(link.GetInfo()), PerfEventLinkKind.Uretprobe);
    }

    [Fact]
    public void FailedUprobeAttach_LeavesNoTracefsEvent()
    {
        TestKernel.RequireRoot();
        using var counts = TestPrograms.CounterMap();
        // An XDP program cannot attach to a probe: the attach fails after the tracefs event was made.
        using var xdp = TestPrograms.Load(BpfProgramType.Xdp, counts);
        Assert.Throws<BpfException>(() => xdp.AttachUprobe("libc.so.6", "getppid", new() { Mode = ProbeAttachMode.TraceFs }));
        Assert.Empty(OurUprobeEvents());
        var e = Assert.Throws<BpfException>(() => xdp.AttachUprobe("libc.so.6", "no_such_function_in_libc"));
        Assert.Contains("no_such_function_in_libc", e.Message);
    }

    [Fact]
    public void UprobeMulti_OnSeveralFunctions_RunsAndReportsCount()
    {
        TestKernel.RequireRoot();
        TestKernel.RequireFeature(BpfFeatures.UprobeMulti);
        using var counts = TestPrograms.CounterMap();
        using var prog = BpfProgram.Load(BpfProgramType.Kprobe, TestPrograms.Counting(counts), new()
        {
            ExpectedAttachType = BpfAttachType.TraceUprobeMulti,
        });
        using var link = prog.AttachUprobeMulti("libc.so.6", ["getppid", "getpid"], new() { ProcessId = Environment.ProcessId });
        Assert.IsType<UprobeMultiLink>(link);
        var info = Assert.IsType<UprobeMultiLinkInfo>(link.GetInfo());
        Assert.Equal(2u, info.Count);
        Assert.EndsWith("libc.so.6", info.Path);
        Assert.True(Counters.Moves(counts, CallGetppid));
        link.Dispose();
        Assert.True(Counters.Stopped(counts, CallGetppid));
    }

    /// <summary>Before 6.6 (the 6.1 guest) uprobe.multi is refused naming the feature, not with a bare EINVAL.</summary>
    [Fact]
    public void UprobeMulti_WhereTheKernelLacksIt_ThrowsNotSupported()
    {
        TestKernel.RequireRoot();
        Assert.SkipWhen(BpfFeatures.UprobeMulti.IsSupported, "this kernel has uprobe.multi links");
        using var counts = TestPrograms.CounterMap();
        using var prog = BpfProgram.Load(BpfProgramType.Kprobe, TestPrograms.Counting(counts), new()
        {
            ExpectedAttachType = BpfAttachType.TraceUprobeMulti,
        });
        var e = Assert.Throws<BpfFeatureNotSupportedException>(() => prog.AttachUprobeMulti("libc.so.6", ["getppid"]));
        Assert.Equal(BpfFeatures.UprobeMulti.Name, e.Feature);
    }

    [Fact]
    public void Kprobe_AttachesWhereTheKernelHasKprobes()
    {
        TestKernel.RequireRoot();
        if (!ProbePmu.Kprobe.IsAvailable) TestKernel.RequireFeature(BpfFeatures.KprobeEvents);
        using var counts = TestPrograms.CounterMap();
        using var prog = TestPrograms.Load(BpfProgramType.Kprobe, counts);
        foreach (var mode in new[] { ProbeAttachMode.Pmu, ProbeAttachMode.TraceFs })
        {
            if (mode == ProbeAttachMode.Pmu && !ProbePmu.Kprobe.IsAvailable) continue;
            using var link = prog.AttachKsyscall("getppid", new() { Mode = mode });
            Assert.True(Counters.Moves(counts, CallGetppid));
            var info = Assert.IsType<PerfEventLinkInfo>(link.GetInfo());
            if (PerfLinkInfos.HasEvent(info, PerfEventLinkKind.Kprobe))
                Assert.Equal(KernelSymbols.Current.SyscallFunctionName("getppid"), info.Name);
        }
        Assert.Empty(OurUprobeEvents());
    }

    [Fact]
    public void Kprobe_WithoutKprobesInTheKernel_ThrowsNotSupported()
    {
        TestKernel.RequireRoot();
        if (ProbePmu.Kprobe.IsAvailable || BpfFeatures.KprobeEvents.IsSupported) Assert.Skip("this kernel has kprobes");
        using var counts = TestPrograms.CounterMap();
        using var prog = TestPrograms.Load(BpfProgramType.Kprobe, counts);
        var e = Assert.Throws<BpfFeatureNotSupportedException>(() => prog.AttachKprobe("do_unlinkat"));
        Assert.Contains("kprobe", e.Message);
    }

    [Fact]
    public void KprobeMulti_AttachesWhereTheKernelHasIt()
    {
        TestKernel.RequireRoot();
        TestKernel.RequireFeature(BpfFeatures.KprobeMulti);
        using var counts = TestPrograms.CounterMap();
        using var prog = BpfProgram.Load(BpfProgramType.Kprobe, TestPrograms.Counting(counts), new() { ExpectedAttachType = BpfAttachType.TraceKprobeMulti });
        using var link = prog.AttachKprobeMulti([KernelSymbols.Current.SyscallFunctionName("getppid")]);
        Assert.True(Counters.Moves(counts, CallGetppid));
        Assert.Equal(1u, Assert.IsType<KprobeMultiLinkInfo>(link.GetInfo()).Count);
    }
}
