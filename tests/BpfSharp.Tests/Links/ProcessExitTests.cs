using BpfSharp.Links;
using BpfSharp.Tests.Support;
using BpfSharp.Tracing;

namespace BpfSharp.Tests.Links;

/// <summary>
/// DESIGN.md §1, "after the process exits": a child process attaches, pins or not, disconnects or not, and
/// exits normally or is SIGKILLed; then the system's link list and the program's counter tell what survived.
/// </summary>
public class ProcessExitTests
{
    public static TheoryData<string, bool, bool, bool, bool> Matrix => new()
    {
        // kind, pinned, disconnected, killed, survives
        { "raw_tp", false, false, false, false },
        { "raw_tp", false, true, false, false },
        { "raw_tp", false, false, true, false },
        { "raw_tp", false, true, true, false },
        { "raw_tp", true, false, false, true },
        { "raw_tp", true, true, false, true },
        { "raw_tp", true, false, true, true },
        { "raw_tp", true, true, true, true },
        { "perf_event", false, false, false, false },
        { "perf_event", false, true, true, false },
        { "perf_event", true, false, false, true },
        { "perf_event", true, true, true, true },
        { "perf_ioctl", false, false, false, false },
        { "perf_ioctl", false, true, false, false },
        { "perf_ioctl", false, true, true, false },
        { "tracepoint", false, false, false, false },
        { "tracepoint", false, true, true, false },
        { "tracepoint", true, false, false, true },
        { "tracepoint", true, true, true, true },
        { "uprobe", false, false, true, false },
        { "uprobe", true, true, true, true },
        { "uprobe_tracefs", false, false, false, false },
        { "uprobe_tracefs", true, false, false, true },
        { "tp_btf", false, false, false, false },
        { "tp_btf", false, true, true, false },
        { "tp_btf", true, false, false, true },
        { "tp_btf", true, true, true, true },
        { "iter", false, false, false, false },
        { "iter", false, true, true, false },
        { "iter", true, false, false, true },
        { "iter", true, true, true, true },
        { "uprobe_multi", false, false, false, false },
        { "uprobe_multi", false, true, true, false },
        { "uprobe_multi", true, false, false, true },
        { "uprobe_multi", true, true, true, true },
        // Kinds this host refuses; they run in the 6.1 guest.
        { "kprobe", false, false, false, false },
        { "kprobe", false, true, true, false },
        { "kprobe", true, false, false, true },
        { "kprobe", true, true, true, true },
        { "kprobe_tracefs", false, true, false, false },
        { "kprobe_tracefs", true, false, true, true },
        { "fentry", false, false, false, false },
        { "fentry", false, true, true, false },
        { "fentry", true, false, false, true },
        { "fentry", true, true, true, true },
        { "lsm", false, false, false, false },
        { "lsm", false, true, true, false },
        { "lsm", true, false, false, true },
        { "lsm", true, true, true, true },
        // Neither this host nor the 6.1 guest has kprobe.multi (fprobe): these skip with the probe's reason.
        { "kprobe_multi", false, false, false, false },
        { "kprobe_multi", false, true, true, false },
        { "kprobe_multi", true, false, false, true },
        { "kprobe_multi", true, true, true, true },
    };

    [Theory]
    [MemberData(nameof(Matrix))]
    public void WhatSurvivesTheChild(string kind, bool pinned, bool disconnected, bool killed, bool survives)
    {
        TestKernel.RequireRoot();
        if (kind == "kprobe") TestKernel.RequireFeature(BpfFeatures.KprobePmu);
        if (kind == "kprobe_tracefs") TestKernel.RequireFeature(BpfFeatures.KprobeEvents);
        if (kind == "fentry") TestKernel.RequireFeature(BpfFeatures.Fentry);
        if (kind == "lsm") TestKernel.RequireFeature(BpfFeatures.Lsm);
        if (kind is "tp_btf" or "iter") TestKernel.RequireFeature(BpfFeatures.ProgramType(BpfProgramType.Tracing));
        if (kind == "uprobe_multi") TestKernel.RequireFeature(BpfFeatures.UprobeMulti);
        if (kind == "kprobe_multi") TestKernel.RequireFeature(BpfFeatures.KprobeMulti);
        using var dir = new TempBpfFsDir();
        string? pin = pinned ? dir["link"] : null;
        var ids = ChildProcess.Run(kind, pin, disconnected, killed);
        try
        {
            // What did not survive may take a moment to be freed by the kernel.
            bool listed = ids.Link != 0 && (survives ? BpfLink.EnumerateIds().Contains(ids.Link) : !Eventually.LinkGone(ids.Link));
            bool programLoaded = survives ? BpfProgram.EnumerateIds().Contains(ids.Program) : !Eventually.ProgramGone(ids.Program);
            Action? exercise = kind switch
            {
                _ when kind.StartsWith("perf", StringComparison.Ordinal) => () => Thread.Sleep(150),
                // The child's fentry is on do_unlinkat, which unlink(2) of a missing file enters.
                "fentry" => () => { for (int i = 0; i < 10; i++) File.Delete($"/tmp/bpfsharp-exit-nothing-{i}"); },
                "lsm" => () => File.ReadAllBytes("/proc/self/stat"),
                // A pinned iterator runs when its pin is read (an unpinned one has nothing left to read).
                "iter" => () => { if (pin is not null && File.Exists(pin)) File.ReadAllBytes(pin); },
                _ => null,
            };
            bool runs = Counters.MovesById(ids.Map, exercise);
            Assert.Equal(survives, listed || kind == "perf_ioctl" && programLoaded);
            Assert.Equal(survives, programLoaded);
            Assert.Equal(survives, runs);
            if (survives)
            {
                using var link = BpfLink.OpenPinned(pin!);
                Assert.Equal(ids.Link, link.Id);
                Assert.Equal(ids.Program, link.GetInfo().ProgramId);
            }
        }
        finally
        {
            if (pin is not null && File.Exists(pin)) File.Delete(pin);
            // A tracefs event of a child whose link was pinned is freed with the link, then removable.
            Eventually.Holds(() => { TraceFs.RemoveStaleProbeEvents(); return !StaleEventsOf(ids).Any(); });
        }
        if (survives)
        {
            // Removing the pin was the last reference: the attachment is gone.
            Assert.True(Eventually.LinkGone(ids.Link));
            Assert.True(Eventually.ProgramGone(ids.Program));
        }
    }

    private static IEnumerable<ProbeEventInfo> StaleEventsOf(ChildProcess.Ids ids) =>
        TraceFs.ListProbeEvents().Where(e => e.OwnerPid is int pid && pid != Environment.ProcessId && !Directory.Exists($"/proc/{pid}"));

    /// <summary>A killed child leaves its tracefs uprobe event behind (as libbpf would forever); RemoveStaleProbeEvents removes it.</summary>
    [Fact]
    public void KilledChild_LeavesAStaleUprobeEvent_ThatRemoveStaleProbeEventsRemoves()
    {
        TestKernel.RequireRoot();
        var before = TraceFs.ListProbeEvents().Select(e => e.Definition).ToHashSet();
        var ids = ChildProcess.Run("uprobe_tracefs", pin: null, disconnect: true, kill: true);
        var left = TraceFs.ListProbeEvents().Where(e => !before.Contains(e.Definition)).ToList();
        try
        {
            var stale = Assert.Single(left);
            Assert.Equal(ProbeEventKind.Uprobe, stale.Kind);
            Assert.NotEqual(Environment.ProcessId, stale.OwnerPid);
            Assert.Contains(stale.OwnerPid!.Value.ToString(), stale.Category);
            Assert.True(Eventually.Holds(() => TraceFs.RemoveStaleProbeEvents().Any(r => r.Definition == stale.Definition)));
            Assert.DoesNotContain(TraceFs.ListProbeEvents(), e => e.Definition == stale.Definition);
        }
        finally
        {
            Eventually.Holds(() => { TraceFs.RemoveStaleProbeEvents(); return !StaleEventsOf(ids).Any(); });
        }
    }

    [Fact]
    public void PinningAnIoctlAttachment_FailsInTheChild()
    {
        TestKernel.RequireRoot();
        using var dir = new TempBpfFsDir();
        var e = Assert.ThrowsAny<Exception>(() => ChildProcess.Run("perf_ioctl", dir["x"], disconnect: false, kill: false));
        Assert.Contains("NotSupportedException", e.Message);
        Assert.False(File.Exists(dir["x"]));
    }
}
