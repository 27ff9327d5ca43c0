using BpfSharp.Tests.Support;

namespace BpfSharp.Tests.Cli;

/// <summary>
/// <c>bpfsharp run --attach PROGRAM=WHERE</c> given what it cannot use: one line naming the option and the value,
/// exit code 1, nothing attached. (Its real attachments are proven by the javagc, gethostlatency and runqlen twins,
/// kprobes and fentry by the file system tools' and ksnoop's twins in the guests.)
/// </summary>
public sealed class CliRunAttachTests
{
    [Theory]
    [InlineData("on_usdt", "expected PROGRAM=WHERE")]
    [InlineData("on_usdt=tp:sched:sched_switch", "unknown kind 'tp'")]
    [InlineData("on_usdt=fentry:", "fentry:FUNCTION")]
    [InlineData("on_usdt=fentry:vfs_read", "is a Kprobe program, not fentry")]
    [InlineData("on_usdt=kprobe:", "kprobe:FUNCTION[+OFFSET]")]
    [InlineData("on_usdt=kretprobe:/bin/true:main", "kretprobe:FUNCTION")]
    [InlineData("on_usdt=kprobe:vfs_read+x1", "offset 'x1' is not a number")]
    [InlineData("on_usdt=usdt:bpfsharp", "usdt:[BINARY]:PROVIDER:NAME")]
    [InlineData("on_usdt=uprobe:/bin/true", "uprobe:BINARY:FUNCTION")]
    [InlineData("on_usdt=uprobe:/bin/true:main+zz", "offset 'zz' is not a number")]
    [InlineData("nosuch=uprobe:/bin/true:main", "has no loaded program nosuch")]
    [InlineData("on_usdt=usdt::bpfsharp:args", "give --pid")]
    [InlineData("on_usdt=kretprobe:vfs_read+4", "a kretprobe takes no offset")]
    [InlineData("on_usdt=perf:cpu-clock", "perf:EVENT:HZ")]
    [InlineData("on_usdt=perf:cpu-clock:0", "perf:EVENT:HZ")]
    [InlineData("on_usdt=perf:cycles:99", "unknown software event 'cycles'")]
    public void BadPlace_OneLineNamingIt(string value, string expected)
    {
        var r = BpfSharpTool.Run("run", BpfSharpTool.Fixture("usdt.bpf.o"), "--attach", value, "-d", "1s");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains(expected, r.Stderr, StringComparison.Ordinal);
        Assert.Contains("--attach", r.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("attached on_usdt", r.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void PerfPlace_OneLinkOnEachOnlineCpu()
    {
        // cpufreq's do_sample is a perf_event program its user space attaches to cpu-clock on each CPU, as runqlen's is.
        TestKernel.RequireRoot();
        string exe = TestKernel.RequireTool("cpufreq");
        var dir = Directory.CreateTempSubdirectory($"bpfsharp-perf-place-{Environment.ProcessId}-").FullName;
        try
        {
            BpfSharpTool.Ok("object", "extract", exe, "-o", dir);
            var r = BpfSharpTool.Run("run", Path.Combine(dir, "cpufreq.bpf.o"), "--program", "do_sample", "--attach", "do_sample=perf:cpu-clock:99", "-d", "1s");
            Assert.True(r.ExitCode == 0, r.Stderr);
            int attached = r.Stderr.Split('\n').Count(l => l.Contains("attached do_sample (perf:cpu-clock:99): link ", StringComparison.Ordinal));
            Assert.Equal(OnlineCpus(), attached);
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    /// <summary>How many CPUs /sys/devices/system/cpu/online lists ("0-3,6").</summary>
    private static int OnlineCpus() =>
        File.ReadAllText("/sys/devices/system/cpu/online").Trim().Split(',')
            .Sum(r => r.Split('-') is [var a, var b] ? int.Parse(b) - int.Parse(a) + 1 : 1);
}
