using System.Text.Json;
using BpfSharp.Interop;
using BpfSharp.Links;
using BpfSharp.TestChild;
using BpfSharp.Tests.Support;

namespace BpfSharp.Tests.Links;

public class PerfEventLinkTests
{
    private static SafeFdHandle CpuClock(int cpu = 0) => PerfEvents.OpenSoftware(SoftwarePerfEvent.CpuClock, cpu, frequency: 1000);

    private static void Wait() => Thread.Sleep(150);

    [Fact]
    public void SoftwareEvent_PerfLink_RunsIsListedAndBpftoolAgrees()
    {
        TestKernel.RequireRoot();
        string bpftool = TestKernel.RequireTool("bpftool");
        using var counts = TestPrograms.CounterMap();
        using var prog = TestPrograms.Load(BpfProgramType.PerfEvent, counts);
        using var link = prog.AttachPerfEvent(CpuClock());
        Assert.IsType<PerfEventLink>(link);
        Assert.Equal(BpfLinkKind.PerfEvent, link.Kind);
        Assert.True(Counters.Moves(counts, Wait));
        Assert.Contains(link.Id, BpfLink.EnumerateIds());

        var info = Assert.IsType<PerfEventLinkInfo>(link.GetInfo());
        if (PerfLinkInfos.HasEvent(info, PerfEventLinkKind.Event))
        {
            // Kernels since 6.16 move cpu-clock to a PMU of its own, whose dynamic type the kernel reports here.
            Assert.True(info.EventType == PerfEvent.PERF_TYPE_SOFTWARE || info.EventType >= 6, $"event type {info.EventType}");
            Assert.Equal((ulong)SoftwarePerfEvent.CpuClock, info.EventConfig);
        }

        var json = JsonDocument.Parse(TestKernel.Run(bpftool, "link", "show", "id", link.Id.ToString(), "-j")).RootElement;
        Assert.Equal("perf_event", json.GetProperty("type").GetString());
        Assert.Equal(prog.Id, json.GetProperty("prog_id").GetUInt32());
    }

    [Fact]
    public void Dispose_ClosesTheLinkAndTheEvent()
    {
        TestKernel.RequireRoot();
        using var counts = TestPrograms.CounterMap();
        using var prog = TestPrograms.Load(BpfProgramType.PerfEvent, counts);
        var link = (PerfEventLink)prog.AttachPerfEvent(CpuClock());
        uint id = link.Id;
        var perf = link.PerfEventHandle!;
        link.Dispose();
        Assert.True(perf.IsClosed);
        Assert.True(link.Handle!.IsClosed);
        Assert.True(Eventually.LinkGone(id));
        Assert.True(Counters.Stopped(counts, Wait));
        Assert.Throws<NotSupportedException>(link.Detach);
    }

    /// <summary>Selftests: closing a perf link stops the program while the perf event stays open.</summary>
    [Fact]
    public void ClosingTheLinkFd_StopsTheProgram_WhileThePerfEventStaysOpen()
    {
        TestKernel.RequireRoot();
        using var counts = TestPrograms.CounterMap();
        using var prog = TestPrograms.Load(BpfProgramType.PerfEvent, counts);
        var link = (PerfEventLink)prog.AttachPerfEvent(CpuClock());
        try
        {
            Assert.True(Counters.Moves(counts, Wait));
            link.Handle!.Dispose();
            Assert.False(link.PerfEventHandle!.IsClosed);
            Assert.True(Counters.Stopped(counts, Wait));
        }
        finally
        {
            link.Dispose();
        }
        Assert.True(link.PerfEventHandle!.IsClosed);
    }

    /// <summary>Selftests: disconnect a perf link, then attach the same perf event again with another cookie.</summary>
    [Fact]
    public void DisconnectedPerfLink_EventCanBeReattachedWithAnotherCookie()
    {
        TestKernel.RequireRoot();
        using var counts = TestPrograms.CounterMap();
        using var prog = BpfProgram.Load(BpfProgramType.PerfEvent, TestPrograms.CountingCookie(counts));
        var first = (PerfEventLink)prog.AttachPerfEvent(CpuClock(), new() { Cookie = 1 });
        first.Disconnect();
        first.Dispose();
        var perf = first.PerfEventHandle!;
        Assert.False(perf.IsClosed);
        Assert.True(Counters.Moves(counts, Wait));

        // While the first link holds the event, a second attach is refused.
        var busy = Assert.Throws<BpfException>(() => prog.AttachPerfEvent(perf.Duplicate(), new() { Cookie = 100 }));
        Assert.Equal("EEXIST", busy.ErrnoName);

        first.Handle!.Dispose();
        using var second = prog.AttachPerfEvent(perf, new() { Cookie = 100 });
        long before = Counters.Read(counts);
        Wait();
        long delta = Counters.Read(counts) - before;
        Assert.True(delta > 0 && delta % 100 == 0, $"delta {delta}");
        var info = Assert.IsType<PerfEventLinkInfo>(second.GetInfo());
        if (PerfLinkInfos.HasEvent(info, PerfEventLinkKind.Event)) Assert.Equal(100UL, info.Cookie);
    }

    [Fact]
    public void IoctlAttach_RunsCannotBePinned_AndDetachStopsIt()
    {
        TestKernel.RequireRoot();
        using var dir = new TempBpfFsDir();
        using var counts = TestPrograms.CounterMap();
        using var prog = TestPrograms.Load(BpfProgramType.PerfEvent, counts);
        using var link = prog.AttachPerfEvent(CpuClock(), new() { UseIoctl = true });
        var ioctl = Assert.IsType<PerfEventIoctlLink>(link);
        Assert.Equal(BpfLinkKind.PerfEventIoctl, link.Kind);
        Assert.Null(link.Handle);
        Assert.True(Counters.Moves(counts, Wait));
        Assert.Throws<NotSupportedException>(() => link.Pin(dir["x"]));
        Assert.False(File.Exists(dir["x"]));
        Assert.Throws<NotSupportedException>(() => prog.AttachPerfEvent(CpuClock(), new() { UseIoctl = true, Cookie = 5 }));

        link.Detach();
        Assert.True(ioctl.PerfEventHandle.IsClosed);
        Assert.True(Counters.Stopped(counts, Wait));
        link.Dispose(); // after Detach: nothing left to do, no throw
    }

    [Fact]
    public void FailedAttach_ClosesThePerfEvent()
    {
        TestKernel.RequireRoot();
        using var counts = TestPrograms.CounterMap();
        // A raw_tp program cannot attach to a perf event.
        using var prog = TestPrograms.Load(BpfProgramType.RawTracepoint, counts);
        var perf = CpuClock();
        Assert.Throws<BpfException>(() => prog.AttachPerfEvent(perf));
        Assert.True(perf.IsClosed);
    }

    [Fact]
    public void AttachOnEachCpu_MakesOneLinkPerOnlineCpu()
    {
        TestKernel.RequireRoot();
        using var counts = TestPrograms.CounterMap();
        using var prog = TestPrograms.Load(BpfProgramType.PerfEvent, counts);
        var links = PerfEvents.AttachSoftwareOnEachCpu(prog, SoftwarePerfEvent.CpuClock, frequency: 500);
        try
        {
            Assert.Equal(Cpus.Online().Length, links.Count);
            Assert.True(Counters.Moves(counts, Wait));
        }
        finally
        {
            foreach (var l in links) l.Dispose();
        }
        Assert.True(Counters.Stopped(counts, Wait));
    }

    [Fact]
    public void Pinned_PerfLink_SurvivesDisposeUntilUnpinned()
    {
        TestKernel.RequireRoot();
        using var dir = new TempBpfFsDir();
        using var counts = TestPrograms.CounterMap();
        using var prog = TestPrograms.Load(BpfProgramType.PerfEvent, counts);
        var link = prog.AttachPerfEvent(CpuClock());
        uint id = link.Id;
        link.Pin(dir["perf"]);
        link.Dispose();
        // The link holds the perf event in the kernel; the pin holds the link.
        Assert.True(Counters.Moves(counts, Wait));
        using (var reopened = BpfLink.OpenPinned(dir["perf"]))
        {
            Assert.IsType<PerfEventLink>(reopened);
            Assert.Equal(id, reopened.Id);
            reopened.Unpin();
        }
        Assert.True(Counters.Stopped(counts, Wait));
    }
}
