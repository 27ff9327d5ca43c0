using System.Runtime.InteropServices;
using BpfSharp.Interop;
using BpfSharp.Tracing;

namespace BpfSharp.Tests.Tracing;

/// <summary>Helpers shared by the tracing tests: tracefs witnesses, clean-up checks and a tracepoint perf event.</summary>
internal static class TracingTestSupport
{
    public const string Bash = "/usr/bin/bash";

    /// <summary>Skips when tracefs is not mounted (with the feature's reason).</summary>
    public static void RequireTraceFs() =>
        Assert.SkipUnless(BpfFeatures.TraceFs.IsSupported, BpfFeatures.TraceFs.MissingReason ?? "");

    public static void RequireUprobeEvents()
    {
        RequireTraceFs();
        Assert.SkipUnless(BpfFeatures.UprobeEvents.IsSupported, BpfFeatures.UprobeEvents.MissingReason ?? "");
    }

    /// <summary>The lines of a tracefs control file, read directly (the test's witness, not the library's parser).</summary>
    public static string[] ControlFileLines(string file)
    {
        string path = Path.Combine(TraceFs.MountPoint, file);
        return File.Exists(path) ? File.ReadAllLines(path).Where(l => l.Length > 0).ToArray() : [];
    }

    /// <summary>The probe event lines of this process's group, in both control files.</summary>
    public static string[] OwnEventLines() =>
        ControlFileLines("uprobe_events").Concat(ControlFileLines("kprobe_events"))
            .Where(l => l.Contains(":" + TraceFs.OwnProbeGroup + "/", StringComparison.Ordinal))
            .ToArray();

    /// <summary>
    /// Runs <paramref name="test"/>, then checks (also when it failed) that it left no event of this process in
    /// tracefs; leftovers are removed so that later tests start clean, and fail the test.
    /// </summary>
    public static void LeavesNoEvents(Action test)
    {
        string[] before = OwnEventLines();
        Assert.Empty(before);
        bool threw = true;
        try
        {
            test();
            threw = false;
        }
        finally
        {
            string[] left = OwnEventLines();
            foreach (ProbeEventInfo info in TraceFs.ListProbeEvents().Where(e => e.Category == TraceFs.OwnProbeGroup))
                TraceFs.TryRemoveProbeEvent(info.Kind, info.Category, info.Name);
            // A failing test's own exception says more than this check would.
            if (!threw)
                Assert.True(left.Length == 0, "the test left tracefs events behind: " + string.Join("; ", left));
        }
    }

    /// <summary>The file offset of bash's readline, as the ELF reader finds it (checked against nm in UprobeTargetTests).</summary>
    public static ulong BashReadlineOffset()
    {
        Assert.SkipUnless(File.Exists(Bash), "no /usr/bin/bash");
        return UprobeTarget.Resolve(Bash, "readline").FileOffset;
    }

    /// <summary>
    /// Opens a perf event on tracepoint <paramref name="id"/> (<c>PERF_TYPE_TRACEPOINT</c>, all processes, CPU 0),
    /// as a perf link would: the kernel registers the probe now and holds the event busy until the fd closes.
    /// </summary>
    public static unsafe SafeFdHandle OpenTracepointPerfEvent(int id)
    {
        const uint PerfTypeTracepoint = 2;
        const ulong PerfFlagFdCloexec = 8;
        byte* attr = stackalloc byte[128];
        new Span<byte>(attr, 128).Clear();
        *(uint*)attr = PerfTypeTracepoint;     // type
        *(uint*)(attr + 4) = 128;              // size
        *(ulong*)(attr + 8) = (ulong)id;       // config
        *(ulong*)(attr + 16) = 1;              // sample_period
        *(ulong*)(attr + 40) = 1;              // flags: disabled
        int fd = Libc.PerfEventOpen(attr, -1, 0, -1, PerfFlagFdCloexec);
        if (fd < 0)
            throw new BpfException("perf_event_open", Marshal.GetLastPInvokeError(), $"tracepoint id {id}");
        return new SafeFdHandle(fd);
    }
}
