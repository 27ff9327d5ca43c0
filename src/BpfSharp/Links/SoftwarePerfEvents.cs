using BpfSharp.Interop;

namespace BpfSharp.Links;

/// <summary>The kernel's software perf events (<c>enum perf_sw_ids</c>).</summary>
public enum SoftwarePerfEvent : ulong
{
    CpuClock = 0,
    TaskClock = 1,
    PageFaults = 2,
    ContextSwitches = 3,
    CpuMigrations = 4,
    PageFaultsMin = 5,
    PageFaultsMaj = 6,
    AlignmentFaults = 7,
    EmulationFaults = 8,
    Dummy = 9,
    BpfOutput = 10,
    CgroupSwitches = 11,
}

/// <summary>Opening perf events for perf_event programs.</summary>
public static class PerfEvents
{
    /// <summary>
    /// Opens a software event on one CPU (all processes), disabled until a program is attached; it fires
    /// <paramref name="frequency"/> times a second, or with <paramref name="period"/> given, every that many events.
    /// </summary>
    public static SafeFdHandle OpenSoftware(SoftwarePerfEvent @event, int cpu, ulong frequency = 0, ulong period = 0, int pid = -1)
    {
        if ((frequency == 0) == (period == 0)) throw new ArgumentException("give either a frequency or a period");
        var attr = new PerfEventAttr
        {
            type = PerfEvent.PERF_TYPE_SOFTWARE,
            config = (ulong)@event,
            sample_period = frequency != 0 ? frequency : period,
            flags = PerfEventAttrFlags.Disabled | (frequency != 0 ? PerfEventAttrFlags.Freq : 0),
        };
        return PerfEvent.Open(ref attr, pid, cpu, $"software event {@event} on CPU {cpu}");
    }

    /// <summary>
    /// Attaches <paramref name="program"/> to the software event on every online CPU, one link per CPU.
    /// If any CPU fails, the links already made are disposed before the exception propagates.
    /// </summary>
    public static IReadOnlyList<BpfLink> AttachSoftwareOnEachCpu(BpfProgram program, SoftwarePerfEvent @event, ulong frequency = 0, ulong period = 0)
    {
        var links = new List<BpfLink>();
        try
        {
            foreach (int cpu in Cpus.Online())
                links.Add(program.AttachPerfEvent(OpenSoftware(@event, cpu, frequency, period)));
            return links;
        }
        catch
        {
            foreach (var l in links) l.Dispose();
            throw;
        }
    }
}
