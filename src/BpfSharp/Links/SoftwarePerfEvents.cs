using BpfSharp.Interop;

namespace BpfSharp.Links;

/// <summary>The kernel's software perf events (<c>enum perf_sw_ids</c>).</summary>
public enum SoftwarePerfEvent : ulong
{
    /// <c>PERF_COUNT_SW_CPU_CLOCK</c>: a per-CPU high-resolution timer.
    CpuClock = 0,
    /// <c>PERF_COUNT_SW_TASK_CLOCK</c>: a clock of the time the task runs.
    TaskClock = 1,
    /// <c>PERF_COUNT_SW_PAGE_FAULTS</c>: page faults.
    PageFaults = 2,
    /// <c>PERF_COUNT_SW_CONTEXT_SWITCHES</c>: context switches.
    ContextSwitches = 3,
    /// <c>PERF_COUNT_SW_CPU_MIGRATIONS</c>: moves of a task to another CPU.
    CpuMigrations = 4,
    /// <c>PERF_COUNT_SW_PAGE_FAULTS_MIN</c>: minor page faults (no I/O).
    PageFaultsMin = 5,
    /// <c>PERF_COUNT_SW_PAGE_FAULTS_MAJ</c>: major page faults (with I/O).
    PageFaultsMaj = 6,
    /// <c>PERF_COUNT_SW_ALIGNMENT_FAULTS</c>: unaligned accesses the kernel fixed up.
    AlignmentFaults = 7,
    /// <c>PERF_COUNT_SW_EMULATION_FAULTS</c>: instructions the kernel emulated.
    EmulationFaults = 8,
    /// <c>PERF_COUNT_SW_DUMMY</c>: counts nothing (a placeholder event).
    Dummy = 9,
    /// <c>PERF_COUNT_SW_BPF_OUTPUT</c>: the event <c>bpf_perf_event_output</c> writes to.
    BpfOutput = 10,
    /// <c>PERF_COUNT_SW_CGROUP_SWITCHES</c>: context switches to a task of another cgroup.
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
