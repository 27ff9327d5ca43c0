using System.Globalization;
using BpfSharp.Interop;
using BpfSharp.Tests.Elf;
using BpfSharp.Tests.Support;
using BpfSharp.Tracing;

namespace BpfSharp.Tests.Tracing;

/// <summary>Legacy uprobe events through tracefs uprobe_events, checked by reading the control file and events/.</summary>
public class UprobeEventTests
{
    [Fact]
    public void UprobeEventOnReadlineAppearsWithThePidAndDisposeRemovesIt()
    {
        TestKernel.RequireRoot();
        TracingTestSupport.RequireUprobeEvents();
        ulong offset = TracingTestSupport.BashReadlineOffset();
        TracingTestSupport.LeavesNoEvents(() =>
        {
            string pid = Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
            ProbeEvent ev;
            using (ev = TraceFs.CreateUprobeEvent(TracingTestSupport.Bash, offset, label: "readline"))
            {
                Assert.Equal(ProbeEventKind.Uprobe, ev.Kind);
                Assert.False(ev.IsRetprobe);
                Assert.Equal("bpfsharp_" + pid, ev.Category);
                Assert.StartsWith("readline_", ev.Name, StringComparison.Ordinal);

                // The kernel lists it with the owner's pid in its name and the offset we asked for.
                string line = Assert.Single(TracingTestSupport.ControlFileLines("uprobe_events"), l => l.Contains($"{ev.Category}/{ev.Name} ", StringComparison.Ordinal));
                Assert.Equal($"p:bpfsharp_{pid}/{ev.Name} {TracingTestSupport.Bash}:0x{offset:x16}", line);
                string idFile = Path.Combine(TraceFs.MountPoint, "events", ev.Category, ev.Name, "id");
                Assert.True(File.Exists(idFile));
                Assert.Equal(int.Parse(File.ReadAllText(idFile).Trim(), CultureInfo.InvariantCulture), ev.Id);
                Assert.Equal(ev.Id, TraceFs.GetTracepointId(ev.Category, ev.Name));
                Assert.Contains(TraceFs.ListProbeEvents(), e => e.Category == ev.Category && e.Name == ev.Name && e.OwnerPid == Environment.ProcessId);
            }
            Assert.True(ev.IsRemoved);
            Assert.DoesNotContain(TracingTestSupport.ControlFileLines("uprobe_events"), l => l.Contains(ev.Name, StringComparison.Ordinal));
            Assert.False(Directory.Exists(Path.Combine(TraceFs.MountPoint, "events", ev.Category, ev.Name)));
            ev.Dispose(); // idempotent
        });
    }

    [Fact]
    public void RetprobeAndReferenceCounterAreWrittenTheWayTheKernelReadsThem()
    {
        TestKernel.RequireRoot();
        TracingTestSupport.RequireUprobeEvents();
        // The USDT fixture's work_start probe has a semaphore: its file offset is the reference counter offset.
        string fixture = ElfTestFiles.Fixture("usdt");
        UsdtTarget site = Assert.Single(UsdtTarget.Resolve(fixture, "demo", "work_start"));
        ulong offset = TracingTestSupport.BashReadlineOffset();
        TracingTestSupport.LeavesNoEvents(() =>
        {
            using ProbeEvent ret = TraceFs.CreateUprobeEvent(TracingTestSupport.Bash, offset, retprobe: true);
            using ProbeEvent usdt = TraceFs.CreateUprobeEvent(fixture, site.FileOffset, referenceCounterOffset: site.SemaphoreOffset, label: "demo:work_start");
            string[] lines = TracingTestSupport.ControlFileLines("uprobe_events");
            Assert.True(ret.IsRetprobe);
            Assert.Contains($"r:{ret.Category}/{ret.Name} {TracingTestSupport.Bash}:0x{offset:x16}", lines);
            Assert.StartsWith("bash_0x", ret.Name, StringComparison.Ordinal);
            Assert.StartsWith("demo_work_start_", usdt.Name, StringComparison.Ordinal);
            Assert.Contains($"p:{usdt.Category}/{usdt.Name} {fixture}:0x{site.FileOffset:x16}(0x{site.SemaphoreOffset:x})", lines);
            Assert.NotEqual(ret.Id, usdt.Id);
        });
    }

    [Fact]
    public void FailedCreationLeavesNothingAndSaysWhy()
    {
        TestKernel.RequireRoot();
        TracingTestSupport.RequireUprobeEvents();
        ulong offset = TracingTestSupport.BashReadlineOffset();
        TracingTestSupport.LeavesNoEvents(() =>
        {
            // The kernel refuses a file that does not exist, and explains in error_log.
            var missing = Assert.Throws<BpfException>(() => TraceFs.CreateUprobeEvent("/nonexistent/bpfsharp-test", 0x10));
            Assert.Equal(Errno.ENOENT, missing.Errno);
            Assert.Contains("/nonexistent/bpfsharp-test", missing.Message, StringComparison.Ordinal);
            Assert.Contains("create uprobe event", missing.Message, StringComparison.Ordinal);

            // ...and a directory.
            var directory = Assert.Throws<BpfException>(() => TraceFs.CreateUprobeEvent("/usr/bin", 0x10));
            Assert.Equal(Errno.EINVAL, directory.Errno);

            // An offset past the end of the file: the kernel would accept the definition and fail only when the
            // probe is opened, so it is refused before anything is written.
            long size = new FileInfo(TracingTestSupport.Bash).Length;
            Assert.Throws<ArgumentOutOfRangeException>(() => TraceFs.CreateUprobeEvent(TracingTestSupport.Bash, (ulong)size + 0x1000));

            // A path tracefs cannot express.
            Assert.Throws<ArgumentException>(() => TraceFs.CreateUprobeEvent("/tmp/a b", 0));

            // Other processes may add events meanwhile: only this process's group is checked.
            Assert.Empty(TracingTestSupport.OwnEventLines());
            Assert.False(Directory.Exists(Path.Combine(TraceFs.MountPoint, "events", TraceFs.OwnProbeGroup)));
        });
    }

    [Fact]
    public void EventInUseByAPerfEventCannotBeRemovedUntilThePerfEventCloses()
    {
        TestKernel.RequireRoot();
        TracingTestSupport.RequireUprobeEvents();
        ulong offset = TracingTestSupport.BashReadlineOffset();
        TracingTestSupport.LeavesNoEvents(() =>
        {
            ProbeEvent ev = TraceFs.CreateUprobeEvent(TracingTestSupport.Bash, offset, label: "busy");
            try
            {
                using (TracingTestSupport.OpenTracepointPerfEvent(ev.Id))
                {
                    var busy = Assert.Throws<BpfException>(ev.Dispose);
                    Assert.Equal(Errno.EBUSY, busy.Errno);
                    Assert.Contains("close the perf event", busy.Message, StringComparison.Ordinal);
                    Assert.False(ev.IsRemoved);
                    Assert.Contains(TracingTestSupport.ControlFileLines("uprobe_events"), l => l.Contains(ev.Name, StringComparison.Ordinal));
                }
                ev.Dispose();
                Assert.True(ev.IsRemoved);
            }
            finally
            {
                if (!ev.IsRemoved)
                    ev.Dispose();
            }
        });
    }

    [Fact]
    public void EventRemovedBySomeoneElseDisposesQuietly()
    {
        TestKernel.RequireRoot();
        TracingTestSupport.RequireUprobeEvents();
        ulong offset = TracingTestSupport.BashReadlineOffset();
        TracingTestSupport.LeavesNoEvents(() =>
        {
            ProbeEvent ev = TraceFs.CreateUprobeEvent(TracingTestSupport.Bash, offset);
            File.AppendAllText(Path.Combine(TraceFs.MountPoint, "uprobe_events"), $"-:{ev.Category}/{ev.Name}\n");
            ev.Dispose();
            Assert.True(ev.IsRemoved);
        });
    }

    [Fact]
    public void EachEventGetsItsOwnName()
    {
        TestKernel.RequireRoot();
        TracingTestSupport.RequireUprobeEvents();
        ulong offset = TracingTestSupport.BashReadlineOffset();
        TracingTestSupport.LeavesNoEvents(() =>
        {
            using ProbeEvent a = TraceFs.CreateUprobeEvent(TracingTestSupport.Bash, offset, label: "same");
            using ProbeEvent b = TraceFs.CreateUprobeEvent(TracingTestSupport.Bash, offset, label: "same");
            Assert.NotEqual(a.Name, b.Name);
            Assert.NotEqual(a.Id, b.Id);
        });
    }

    [Theory]
    [InlineData("readline", 0, "readline_0")]
    [InlineData("demo:work_start", 7, "demo_work_start_7")]
    [InlineData("libc.so.6_0x9a0c0", 12, "libc_so_6_0x9a0c0_12")]
    [InlineData("9p_thing", 1, "_9p_thing_1")]
    [InlineData("", 3, "__3")]
    [InlineData("_Z3fooPKc", 2, "_Z3fooPKc_2")]
    public void EventNamesAreSanitised(string label, int counter, string expected) =>
        Assert.Equal(expected, TraceFs.EventName(label, counter));

    [Fact]
    public void EventNamesStayWithinTheKernelLimit()
    {
        string name = TraceFs.EventName(new string('x', 200) + ".isra.0", 123456);
        Assert.Equal(TraceFs.MaxEventNameLength, name.Length);
        Assert.EndsWith("_123456", name, StringComparison.Ordinal);
        Assert.True(TraceFs.OwnProbeGroup.Length <= TraceFs.MaxEventNameLength);
    }

    [Theory]
    [InlineData("p:bpfsharp_4242/readline_0 /usr/bin/bash:0x00000000000c6c20", true, "bpfsharp_4242", "readline_0", false, 4242)]
    [InlineData("r:uprobes/foo /bin/bash:0x0000000000001000", true, "uprobes", "foo", true, null)]
    [InlineData("r16:kprobes/bar do_sys_open+0", true, "kprobes", "bar", true, null)]
    [InlineData("p:bpfsharp_0/x /b:0x1", true, "bpfsharp_0", "x", false, null)]
    [InlineData("p:bpfsharp_012/x /b:0x1", true, "bpfsharp_012", "x", false, null)]
    [InlineData("p:bpfsharp_12x/x /b:0x1", true, "bpfsharp_12x", "x", false, null)]
    [InlineData("e:eprobes/x sched.sched_switch", false, null, null, false, null)]
    [InlineData("garbage", false, null, null, false, null)]
    [InlineData("p:noslash /b:0x1", false, null, null, false, null)]
    public void ListedDefinitionsParse(string line, bool parses, string? category, string? name, bool retprobe, int? owner)
    {
        ProbeEventInfo? info = ProbeEventInfo.TryParse(ProbeEventKind.Uprobe, line);
        Assert.Equal(parses, info is not null);
        if (info is null)
            return;
        Assert.Equal(category, info.Category);
        Assert.Equal(name, info.Name);
        Assert.Equal(retprobe, info.IsRetprobe);
        Assert.Equal(owner, info.OwnerPid);
        Assert.Equal(line, info.Definition);
    }
}
