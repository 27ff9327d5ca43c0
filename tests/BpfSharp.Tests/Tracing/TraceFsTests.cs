using BpfSharp.Interop;
using BpfSharp.Tests.Support;
using BpfSharp.Tracing;

namespace BpfSharp.Tests.Tracing;

public class TraceFsTests
{
    [Fact]
    public void MountPointIsTheMountedTraceFs()
    {
        TestKernel.RequireRoot();
        TracingTestSupport.RequireTraceFs();
        Assert.True(TraceFs.IsAvailable);
        Assert.Contains(TraceFs.MountPoint, TraceFs.MountPointCandidates);
        // /proc/mounts is the witness: a tracefs (or, on old kernels, debugfs) is mounted there.
        string[] mounts = File.ReadAllLines("/proc/mounts");
        Assert.Contains(mounts, l => l.Split(' ') is [_, var at, "tracefs" or "debugfs", ..] && TraceFs.MountPoint.StartsWith(at, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("syscalls", "sys_enter_openat")]
    [InlineData("sched", "sched_process_exec")]
    public void TracepointIdIsTheOneInItsIdFile(string category, string name)
    {
        TestKernel.RequireRoot();
        TracingTestSupport.RequireTraceFs();
        string idFile = Path.Combine(TraceFs.MountPoint, "events", category, name, "id");
        Assert.SkipUnless(File.Exists(idFile), $"this kernel has no {category}/{name} tracepoint");
        int expected = int.Parse(File.ReadAllText(idFile).Trim(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(expected, TraceFs.GetTracepointId(category, name));
        Assert.True(TraceFs.TracepointExists(category, name));
    }

    [Fact]
    public void MissingTracepointIsAClearError()
    {
        TestKernel.RequireRoot();
        TracingTestSupport.RequireTraceFs();
        var e = Assert.Throws<BpfException>(() => TraceFs.GetTracepointId("syscalls", "sys_enter_no_such_call"));
        Assert.Equal(Errno.ENOENT, e.Errno);
        Assert.Contains("syscalls/sys_enter_no_such_call", e.Message, StringComparison.Ordinal);
        Assert.Contains("ENOENT", e.Message, StringComparison.Ordinal);
        Assert.Throws<BpfException>(() => TraceFs.GetTracepointId("no_such_category", "x"));
        Assert.False(TraceFs.TracepointExists("sched", "no_such_event"));
    }

    [Theory]
    [InlineData("..", "x")]
    [InlineData(".", "sched")]
    [InlineData("sched/../sched", "sched_process_exec")]
    [InlineData("sched", "../sched/sched_process_exec")]
    [InlineData("sched", "a b")]
    [InlineData("", "x")]
    [InlineData("sched", "x\0y")]
    public void NamesThatCouldLeaveTheEventsDirectoryAreRefused(string category, string name)
    {
        // Refused before tracefs is touched, so no kernel or root is needed.
        Assert.Throws<ArgumentException>(() => TraceFs.GetTracepointId(category, name));
        Assert.Throws<ArgumentException>(() => TraceFs.TracepointExists(category, name));
    }
}
