using BpfSharp;
using BpfSharp.Links;
using BpfSharp.TestChild;

// usage: BpfSharp.TestChild KIND PIN|- DISCONNECT(0|1) EXIT(normal|kill)
// Prints "ids LINK PROG MAP" once attached; with EXIT=kill it then waits for SIGKILL.
if (args.Length != 4)
{
    Console.Error.WriteLine("usage: BpfSharp.TestChild KIND PIN|- DISCONNECT EXIT");
    return 2;
}
string kind = args[0], pin = args[1];
bool disconnect = args[2] == "1", waitForKill = args[3] == "kill";

using var counts = TestPrograms.CounterMap();
using var prog = kind switch
{
    "raw_tp" => TestPrograms.Load(BpfProgramType.RawTracepoint, counts),
    "perf_event" => TestPrograms.Load(BpfProgramType.PerfEvent, counts),
    "perf_ioctl" => TestPrograms.Load(BpfProgramType.PerfEvent, counts),
    "tracepoint" => TestPrograms.Load(BpfProgramType.Tracepoint, counts),
    "uprobe" or "uprobe_tracefs" or "kprobe" or "kprobe_tracefs" => TestPrograms.Load(BpfProgramType.Kprobe, counts),
    "fentry" => BpfProgram.Load(BpfProgramType.Tracing, TestPrograms.Counting(counts), new()
    {
        Name = "t_count",
        ExpectedAttachType = BpfAttachType.TraceFentry,
        // Syscall wrappers are not in every kernel's BTF (6.1 has none); do_unlinkat is.
        AttachTarget = "do_unlinkat",
    }),
    _ => throw new ArgumentException($"unknown kind {kind}"),
};
BpfLink link = kind switch
{
    "raw_tp" => prog.AttachRawTracepoint("sys_enter"),
    "perf_event" => prog.AttachPerfEvent(PerfEvents.OpenSoftware(SoftwarePerfEvent.CpuClock, cpu: 0, frequency: 1000)),
    "perf_ioctl" => prog.AttachPerfEvent(PerfEvents.OpenSoftware(SoftwarePerfEvent.CpuClock, cpu: 0, frequency: 1000), new() { UseIoctl = true }),
    "tracepoint" => prog.AttachTracepoint("syscalls", "sys_enter_getppid"),
    // Every process's getppid in libc: the parent's calls show whether the probe still fires.
    "uprobe" => prog.AttachUprobe("libc.so.6", "getppid"),
    "uprobe_tracefs" => prog.AttachUprobe("libc.so.6", "getppid", new() { Mode = ProbeAttachMode.TraceFs }),
    "kprobe" => prog.AttachKsyscall("getppid", new() { Mode = ProbeAttachMode.Pmu }),
    "kprobe_tracefs" => prog.AttachKsyscall("getppid", new() { Mode = ProbeAttachMode.TraceFs }),
    "fentry" => prog.AttachTrace(),
    _ => throw new ArgumentException(kind),
};
if (pin != "-") link.Pin(pin);
if (disconnect) link.Disconnect();
Console.WriteLine($"ids {(link.Handle is null ? 0 : link.Id)} {prog.Id} {counts.Id}");
Console.Out.Flush();
if (waitForKill)
{
    Thread.Sleep(Timeout.Infinite);
}
link.Dispose();
return 0;
