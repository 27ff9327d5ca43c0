using BpfSharp.Links;
using BpfSharp.TestChild;
using BpfSharp.Tests.Support;
using BpfSharp.Tracing;

namespace BpfSharp.Tests.Links;

/// <summary>
/// kprobe and kretprobe links on a kernel function, both ways of creating the probe (the kprobe PMU and a
/// tracefs kprobe event), through the link contract: Dispose, Disconnect, Pin. This host's kernel has no
/// kprobes (they skip here); the Debian 6.1 guest has them, where a missing kprobe fails instead.
/// </summary>
public class KprobeLinkTests
{
    private const string Function = "do_unlinkat";

    /// <summary>unlink(2) of a missing file still enters do_unlinkat.</summary>
    private static void Unlink()
    {
        for (int i = 0; i < 20; i++) File.Delete($"/tmp/bpfsharp-kprobe-nothing-{i}");
    }

    private static List<ProbeEventInfo> OurKprobeEvents() =>
        TraceFs.ListProbeEvents().Where(e => e.Kind == ProbeEventKind.Kprobe && e.OwnerPid == Environment.ProcessId).ToList();

    private static void RequireMode(ProbeAttachMode mode) =>
        TestKernel.RequireFeature(mode == ProbeAttachMode.Pmu ? BpfFeatures.KprobePmu : BpfFeatures.KprobeEvents);

    /// <summary>
    /// The kprobes feature is either mechanism, as found on disk; where neither exists an attach names the feature and
    /// what the probes found (the PMU directory, the tracefs file), never a kernel version.
    /// </summary>
    [Fact]
    public void Kprobes_AreProbed_AndTheirAbsenceIsNamedByTheProbe()
    {
        TestKernel.RequireRoot();
        bool pmu = Directory.Exists("/sys/bus/event_source/devices/kprobe");
        bool events = TraceFs.IsAvailable && File.Exists(Path.Combine(TraceFs.MountPoint, "kprobe_events"));
        Assert.Equal(pmu || events, BpfFeatures.Kprobes.IsSupported);
        if (BpfFeatures.Kprobes.IsSupported) return;

        using var counts = TestPrograms.CounterMap();
        using var prog = TestPrograms.Load(BpfProgramType.Kprobe, counts);
        var e = Assert.Throws<BpfFeatureNotSupportedException>(() => prog.AttachKprobe(Function));
        Assert.Equal(BpfFeatures.Kprobes.Name, e.Feature);
        Assert.Contains("/sys/bus/event_source/devices/kprobe does not exist", e.Message);
        Assert.Contains("kprobe_events", e.Message);
        Assert.DoesNotContain("Linux", e.Message);
        Assert.DoesNotContain("4.17", e.Message);
    }

    [Theory]
    [InlineData(ProbeAttachMode.Pmu, false)]
    [InlineData(ProbeAttachMode.Pmu, true)]
    [InlineData(ProbeAttachMode.TraceFs, false)]
    [InlineData(ProbeAttachMode.TraceFs, true)]
    public void KprobeAndKretprobe_Run_AndDisposeDetachesAndRemovesTheProbeEvent(ProbeAttachMode mode, bool retprobe)
    {
        TestKernel.RequireRoot();
        RequireMode(mode);
        using var counts = TestPrograms.CounterMap();
        using var prog = TestPrograms.Load(BpfProgramType.Kprobe, counts);
        var link = prog.AttachKprobe(Function, new() { Mode = mode, Retprobe = retprobe });
        try
        {
            Assert.IsType<PerfEventLink>(link);
            Assert.Equal(BpfLinkKind.PerfEvent, link.Kind);
            Assert.Contains(link.Id, BpfLink.EnumerateIds());
            Assert.True(Counters.Moves(counts, Unlink));
            var info = Assert.IsType<PerfEventLinkInfo>(link.GetInfo());
            if (PerfLinkInfos.HasEvent(info, retprobe ? PerfEventLinkKind.Kretprobe : PerfEventLinkKind.Kprobe))
                Assert.Equal(Function, info.Name);
            // Only the tracefs way leaves a kprobe event, named with our pid.
            var events = OurKprobeEvents();
            Assert.Equal(mode == ProbeAttachMode.TraceFs ? 1 : 0, events.Count);
            if (events.Count == 1) Assert.Equal(retprobe, events[0].IsRetprobe);
            Assert.Throws<NotSupportedException>(link.Detach);
        }
        finally
        {
            link.Dispose();
        }
        Assert.True(Counters.Stopped(counts, Unlink));
        Assert.Empty(OurKprobeEvents());
        link.Dispose(); // idempotent
    }

    [Fact]
    public void Kprobe_CookieReachesTheProgram()
    {
        TestKernel.RequireRoot();
        RequireMode(ProbeAttachMode.Pmu);
        using var counts = TestPrograms.CounterMap();
        using var prog = BpfProgram.Load(BpfProgramType.Kprobe, TestPrograms.CountingCookie(counts));
        using var link = prog.AttachKprobe(Function, new() { Cookie = 9 });
        Unlink();
        long total = Counters.Read(counts);
        Assert.True(total >= 9 * 20 && total % 9 == 0, $"counter {total}");
    }

    /// <summary>Disconnect: Dispose leaves the link, the perf event and the tracefs event in place.</summary>
    [Fact]
    public void DisconnectedKprobe_StaysAttached_WithItsProbeEvent()
    {
        TestKernel.RequireRoot();
        RequireMode(ProbeAttachMode.TraceFs);
        using var counts = TestPrograms.CounterMap();
        using var prog = TestPrograms.Load(BpfProgramType.Kprobe, counts);
        var link = (PerfEventLink)prog.AttachKprobe(Function, new() { Mode = ProbeAttachMode.TraceFs });
        link.Disconnect();
        Assert.True(link.IsDisconnected);
        link.Dispose();
        try
        {
            Assert.True(Counters.Moves(counts, Unlink));
            Assert.Single(OurKprobeEvents());
            Assert.False(link.Handle!.IsClosed);
            Assert.False(link.PerfEventHandle!.IsClosed);
        }
        finally
        {
            // What a disconnected link leaves behind is the caller's: close it by hand.
            link.Handle!.Dispose();
            link.PerfEventHandle!.Dispose();
            foreach (var e in OurKprobeEvents()) TraceFs.TryRemoveProbeEvent(e.Kind, e.Category, e.Name);
        }
        Assert.True(Counters.Stopped(counts, Unlink));
        Assert.Empty(OurKprobeEvents());
    }

    /// <summary>A pinned kprobe link outlives Dispose; unpinning drops the last reference and detaches.</summary>
    [Fact]
    public void PinnedKprobe_SurvivesDispose_ReopensFromThePin_AndStopsWhenUnpinned()
    {
        TestKernel.RequireRoot();
        RequireMode(ProbeAttachMode.Pmu);
        using var dir = new TempBpfFsDir();
        using var counts = TestPrograms.CounterMap();
        using var prog = TestPrograms.Load(BpfProgramType.Kprobe, counts);
        var link = prog.AttachKprobe(Function, new() { Mode = ProbeAttachMode.Pmu });
        uint id = link.Id;
        link.Pin(dir["kprobe"]);
        link.Dispose();
        Assert.True(Counters.Moves(counts, Unlink));

        using (var pinned = BpfLink.OpenPinned(dir["kprobe"]))
        {
            Assert.Equal(id, pinned.Id);
            Assert.Equal(BpfLinkType.PerfEvent, pinned.LinkType);
            Assert.Equal(prog.Id, pinned.GetInfo().ProgramId);
            pinned.Unpin();
        }
        Assert.False(File.Exists(dir["kprobe"]));
        Assert.True(Counters.Stopped(counts, Unlink));
        Assert.DoesNotContain(id, BpfLink.EnumerateIds());
    }

    [Fact]
    public void Ksyscall_AttachesToTheSyscallWrapper()
    {
        TestKernel.RequireRoot();
        RequireMode(ProbeAttachMode.Pmu);
        using var counts = TestPrograms.CounterMap();
        using var prog = TestPrograms.Load(BpfProgramType.Kprobe, counts);
        using var link = prog.AttachKsyscall("getppid", new() { Retprobe = true });
        Assert.True(Counters.Moves(counts)); // getppid calls
        link.Dispose();
        Assert.True(Counters.Stopped(counts));
    }
}
