using System.Globalization;
using BpfSharp.Tests.Support;
using BpfSharp.Tracing;

namespace BpfSharp.Tests.Tracing;

/// <summary>
/// Legacy kprobe events. This machine's kernel has neither kprobe_events nor the kprobe PMU; there the tests check
/// the report and skip the rest with the feature's reason (they run on kernels with kprobes).
/// </summary>
public class KprobeEventTests
{
    [Fact]
    public void KprobeEventsFeatureMatchesTraceFs()
    {
        TestKernel.RequireRoot();
        TracingTestSupport.RequireTraceFs();
        bool present = File.Exists(Path.Combine(TraceFs.MountPoint, "kprobe_events"));
        Assert.Equal(present, BpfFeatures.KprobeEvents.IsSupported);
        if (present)
            return;
        Assert.Contains("kprobe_events does not exist", BpfFeatures.KprobeEvents.MissingReason, StringComparison.Ordinal);
        var e = Assert.Throws<BpfFeatureNotSupportedException>(() => TraceFs.CreateKprobeEvent("bpf_prog_load"));
        Assert.Equal("tracefs kprobe_events", e.Feature);
        Assert.Contains("CONFIG_KPROBE_EVENTS", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void KprobeAndKretprobeEventsOnASyscall()
    {
        TestKernel.RequireRoot();
        TracingTestSupport.RequireTraceFs();
        Assert.SkipUnless(BpfFeatures.KprobeEvents.IsSupported, BpfFeatures.KprobeEvents.MissingReason ?? "");
        string function = KernelSymbols.Current.SyscallFunctionName("getpid");
        TracingTestSupport.LeavesNoEvents(() =>
        {
            string pid = Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
            using ProbeEvent entry = TraceFs.CreateKprobeEvent(function);
            using ProbeEvent exit = TraceFs.CreateKprobeEvent(function, retprobe: true, maxActive: 8);
            string[] lines = TracingTestSupport.ControlFileLines("kprobe_events");
            Assert.Equal(ProbeEventKind.Kprobe, entry.Kind);
            Assert.Contains(lines, l => l.StartsWith($"p:bpfsharp_{pid}/{entry.Name} {function}", StringComparison.Ordinal));
            Assert.Contains(lines, l => l.StartsWith($"r8:bpfsharp_{pid}/{exit.Name} {function}", StringComparison.Ordinal));
            Assert.Equal(entry.Id, TraceFs.GetTracepointId(entry.Category, entry.Name));
            using (TracingTestSupport.OpenTracepointPerfEvent(exit.Id))
                Assert.Throws<BpfException>(exit.Dispose);
        });
    }

    [Fact]
    public void KprobeOnAnUnknownSymbolFailsAndLeavesNothing()
    {
        TestKernel.RequireRoot();
        TracingTestSupport.RequireTraceFs();
        Assert.SkipUnless(BpfFeatures.KprobeEvents.IsSupported, BpfFeatures.KprobeEvents.MissingReason ?? "");
        TracingTestSupport.LeavesNoEvents(() =>
        {
            var e = Assert.Throws<BpfException>(() => TraceFs.CreateKprobeEvent("bpfsharp_no_such_function"));
            Assert.Contains("bpfsharp_no_such_function", e.Message, StringComparison.Ordinal);
        });
    }

    [Fact]
    public void KprobeArgumentsAreCheckedFirst()
    {
        Assert.Throws<ArgumentException>(() => TraceFs.CreateKprobeEvent("a b"));
        Assert.Throws<ArgumentException>(() => TraceFs.CreateKprobeEvent("-:x"));
        Assert.Throws<ArgumentException>(() => TraceFs.CreateKprobeEvent("do_sys_open", maxActive: 4));
        Assert.Throws<ArgumentOutOfRangeException>(() => TraceFs.CreateKprobeEvent("do_sys_open", retprobe: true, maxActive: -1));
    }
}
