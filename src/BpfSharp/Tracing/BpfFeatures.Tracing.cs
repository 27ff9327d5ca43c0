using BpfSharp.Tracing;

namespace BpfSharp;

/// <summary>
/// What the running kernel offers for tracepoints, kprobes and uprobes, each probed once and cached. A kernel
/// built without <c>CONFIG_KPROBE_EVENTS</c> (or <c>CONFIG_UPROBE_EVENTS</c>) has neither the PMU nor the tracefs
/// file of that kind.
/// </summary>
public static partial class BpfFeatures
{
    /// <summary>tracefs mounted at <c>/sys/kernel/tracing</c> (or reachable at <c>/sys/kernel/debug/tracing</c>).</summary>
    public static BpfFeature TraceFs { get; } = new("tracefs", "4.1", () => Tracing.TraceFs.FindMountOrNull() is null
        ? $"tracefs is not mounted at {string.Join(" or ", Tracing.TraceFs.MountPointCandidates)} (mount -t tracefs nodev /sys/kernel/tracing)"
        : null);

    /// <summary>The kprobe perf PMU (<c>/sys/bus/event_source/devices/kprobe</c>): kprobes without tracefs.</summary>
    public static BpfFeature KprobePmu { get; } = ProbePmu.Kprobe.Feature;

    /// <summary>The uprobe perf PMU (<c>/sys/bus/event_source/devices/uprobe</c>): uprobes without tracefs.</summary>
    public static BpfFeature UprobePmu { get; } = ProbePmu.Uprobe.Feature;

    /// <summary>Legacy kprobe events through tracefs <c>kprobe_events</c>.</summary>
    public static BpfFeature KprobeEvents { get; } = new("tracefs kprobe_events", "2.6.33", () => ControlFileReason("kprobe_events", "CONFIG_KPROBE_EVENTS"));

    /// <summary>Legacy uprobe events through tracefs <c>uprobe_events</c>.</summary>
    public static BpfFeature UprobeEvents { get; } = new("tracefs uprobe_events", "3.5", () => ControlFileReason("uprobe_events", "CONFIG_UPROBE_EVENTS"));

    /// <summary>Kprobes by either mechanism, the kprobe PMU or tracefs <c>kprobe_events</c>: what attaching a kprobe needs.</summary>
    public static BpfFeature Kprobes { get; } = new("kprobes", "2.6.33", () => EitherReason(KprobePmu, KprobeEvents));

    /// <summary>Uprobes by either mechanism, the uprobe PMU or tracefs <c>uprobe_events</c>: what attaching a uprobe needs.</summary>
    public static BpfFeature Uprobes { get; } = new("uprobes", "3.5", () => EitherReason(UprobePmu, UprobeEvents));

    private static string? EitherReason(BpfFeature pmu, BpfFeature events) =>
        pmu.IsSupported || events.IsSupported ? null : $"{pmu.Name}: {pmu.MissingReason}; {events.Name}: {events.MissingReason}";

    private static string? ControlFileReason(string file, string config)
    {
        if (TraceFs.MissingReason is { } noTraceFs)
            return noTraceFs;
        string path = Path.Combine(Tracing.TraceFs.MountPoint, file);
        return File.Exists(path) ? null : $"{path} does not exist (kernel built without {config})";
    }
}
