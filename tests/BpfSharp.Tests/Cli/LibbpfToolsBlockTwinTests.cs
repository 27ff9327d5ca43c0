using System.Diagnostics;
using System.Text.RegularExpressions;
using BpfSharp.Tests.Support;

namespace BpfSharp.Tests.Cli;

/// <summary>
/// The block I/O twins: biolatency and bitesize, over direct writes to a loop device of the test's own (so that no
/// other I/O of the machine is counted: both sides filter by that disk or by the writer's command).
/// </summary>
public sealed partial class LibbpfToolsTwinTests
{
    [GeneratedRegex(@"^(?:Process Name = (.*)|\s*key \{comm=""(.*)""\})$")]
    private static partial Regex CommHeader();

    /// <summary>A loop device over a temporary (sparse) file of <paramref name="size"/> bytes; detached and deleted on dispose.</summary>
    internal sealed class LoopDevice : IDisposable
    {
        private readonly string _file;

        public LoopDevice(long size = 16 << 20)
        {
            string losetup = TestKernel.RequireTool("losetup");
            _file = Path.Combine("/var/tmp", $"bsx-twins-loop-{Guid.NewGuid():N}");
            using (var f = File.Create(_file)) f.SetLength(size);
            Path_ = TestKernel.Run(losetup, "--find", "--show", "--direct-io=off", _file).Trim();
            Name = System.IO.Path.GetFileName(Path_);
            Numbers = File.ReadAllText($"/sys/class/block/{Name}/dev").Trim();
            var dev = Numbers.Split(':');
            // The kernel's dev_t, as block tracepoints report it: major << 20 | minor.
            KernelDev = (uint.Parse(dev[0]) << 20) | uint.Parse(dev[1]);
        }

        public string Path_ { get; }

        public string Name { get; }

        /// <summary>"MAJOR:MINOR", as sysfs writes and takes it.</summary>
        public string Numbers { get; }

        public uint KernelDev { get; }

        public void Dispose()
        {
            TestKernel.TryRun("losetup", "-d", Path_);
            File.Delete(_file);
        }
    }

    /// <summary>Writes <paramref name="count"/> blocks of <paramref name="blockSize"/> bytes to the device, bypassing the page cache.</summary>
    private static int DirectWrites(string command, string device, int blockSize, int count)
    {
        int pid = RunToEnd(command, "if=/dev/zero", $"of={device}", $"bs={blockSize}", $"count={count}", "oflag=direct");
        Assert.True(LastStderr.Contains($"{count}+0 records out", StringComparison.Ordinal), LastStderr);
        return pid;
    }

    [Fact]
    public void Biolatency()
    {
        TestKernel.RequireRoot();
        using var loop = new LoopDevice();
        using var twin = new Twin("biolatency", ["-d", loop.Name], "Tracing", "--hist", "hists=usecs",
            "--set", "filter_dev=true", "--set", $"targ_dev={loop.KernelDev}");
        DirectWrites("/bin/dd", loop.Path_, 4096, 200);
        Thread.Sleep(300);
        twin.Stop();
        var theirs = Histogram(twin.ToolLines);
        var ours = Histogram(twin.OursStdout.Split('\n'));
        // Only the test's writes reach its loop device: the same requests on both sides, each timed by each side's
        // own clock reads, so that one near a slot's edge may land in the next slot on one side.
        Assert.True(theirs.Values.Sum() >= 200, twin.Describe());
        Assert.Equal(theirs.Values.Sum(), ours.Values.Sum());
        AssertLatencySlotsAlike(theirs, ours, twin.Describe);
    }

    [Fact]
    public void Bitesize()
    {
        TestKernel.RequireRoot();
        using var loop = new LoopDevice();
        string dd = Distinctive("/bin/dd");
        try
        {
            using var twin = new Twin("bitesize", [], "Tracing", "--hist", "hists=kbytes");
            DirectWrites(dd, loop.Path_, 4096, 100);
            DirectWrites(dd, loop.Path_, 65536, 30);
            Thread.Sleep(300);
            twin.Stop();
            // One histogram per command; the copy of dd has a command of its own: 100 requests of 4 KiB, 30 of 64 KiB.
            string comm = Path.GetFileName(dd);
            var theirs = Histogram(HistogramOf(twin.ToolLines, comm));
            var ours = Histogram(HistogramOf(twin.OursStdout.Split('\n'), comm));
            Assert.True(theirs.GetValueOrDefault(4ul) == 100 && theirs.GetValueOrDefault(64ul) == 30, twin.Describe());
            Assert.Equal(theirs.Where(kv => kv.Value > 0).OrderBy(kv => kv.Key), ours.Where(kv => kv.Value > 0).OrderBy(kv => kv.Key));
        }
        finally { File.Delete(dd); }
    }

    /// <summary>The rows of one command's histogram: after its header ("Process Name = X" or "key {comm="X"}"), up to the next.</summary>
    private static IEnumerable<string> HistogramOf(IEnumerable<string> lines, string comm)
    {
        bool inside = false;
        foreach (var line in lines)
        {
            var m = CommHeader().Match(line);
            if (m.Success) inside = (m.Groups[1].Success ? m.Groups[1].Value : m.Groups[2].Value) == comm;
            else if (inside) yield return line;
        }
    }

    [Fact]
    public void Biopattern()
    {
        TestKernel.RequireRoot();
        using var loop = new LoopDevice();
        // The tool prints (and clears) its counters every second; the twin shows the map once, on exit.
        using var twin = new Twin("biopattern", ["-d", loop.Name, "1"], "DISK", "--json", "--set", "filter_dev=true", "--set", $"targ_dev={loop.KernelDev}");
        // 100 sequential writes, then 10 elsewhere: one jump.
        RunToEnd("/bin/dd", "if=/dev/zero", $"of={loop.Path_}", "bs=4096", "count=100", "oflag=direct");
        RunToEnd("/bin/dd", "if=/dev/zero", $"of={loop.Path_}", "bs=4096", "count=10", "seek=1000", "oflag=direct");
        Thread.Sleep(2500);
        twin.Stop();
        // DISK %RND %SEQ COUNT KBYTES, one line per second with I/O
        var tool = twin.ToolLines.Select(Columns).Where(c => c.Length == 5 && c[0] == loop.Name).ToList();
        var counters = twin.OurJson.Last(l => l.TryGetProperty("maps", out _)).GetProperty("maps").GetProperty("counters").EnumerateArray()
            .Single(e => e.GetProperty("key").GetUInt32() == loop.KernelDev).GetProperty("value");
        long sequential = counters.GetProperty("sequential").GetInt64(), random = counters.GetProperty("random").GetInt64();
        Assert.True(tool.Count >= 1 && tool.Sum(c => long.Parse(c[3])) >= 100, twin.Describe());
        Assert.Equal(tool.Sum(c => long.Parse(c[3])), sequential + random);
        Assert.Equal(tool.Sum(c => long.Parse(c[4])), counters.GetProperty("bytes").GetInt64() / 1024);
        Assert.InRange(random, 1, 3); // the jump (and perhaps the first request of each dd)
    }
}
