using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;
using BpfSharp.Tests.Support;

namespace BpfSharp.Tests.Cli;

/// <summary><c>bpfsharp run</c> on the execsnoop example: events the test triggers, Ctrl+C, --pin --keep and unload.</summary>
public sealed partial class CliRunTests
{
    [GeneratedRegex(@"link (\d+)")]
    private static partial Regex LinkId();

    /// <summary>A copy of /bin/true under a name of its own: its exec shows that name as the command.</summary>
    private static string DistinctiveCommand()
    {
        string path = Path.Combine(Path.GetTempPath(), $"bsx{Guid.NewGuid():N}"[..15]);
        File.Copy("/bin/true", path);
        return path;
    }

    [Fact]
    public void ExecsnoopShowsAProcessTheTestStarts()
    {
        TestKernel.RequireRoot();
        string command = DistinctiveCommand();
        try
        {
            var (p, links, stdout, stderr) = BpfSharpTool.StartAttached("run", BpfSharpTool.Example("execsnoop.bpf.o"), "--duration", "4", "--json");
            using (p)
            {
                Assert.Single(links);
                using var child = Process.Start(command)!;
                int childPid = child.Id;
                child.WaitForExit();
                Assert.True(p.WaitForExit(60_000), "the run did not stop after --duration");
                Assert.True(p.ExitCode == 0, $"exit {p.ExitCode}: {stderr}");
                var events = stdout().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement)
                    .Where(e => e.TryGetProperty("event", out _)).Select(e => e.GetProperty("event")).ToList();
                var ours = events.Where(e => e.GetProperty("comm").GetString() == Path.GetFileName(command)).ToList();
                Assert.True(ours.Count == 1, $"the exec of {command} is not in the output:\n{stdout()}");
                Assert.Equal(childPid, ours[0].GetProperty("pid").GetInt32());
                Assert.Equal(Environment.ProcessId, ours[0].GetProperty("ppid").GetInt32());
                Assert.Equal(0, ours[0].GetProperty("uid").GetInt32());
                Assert.Equal(command, ours[0].GetProperty("filename").GetString());
                Assert.True(Eventually.LinkGone(links[0]), "the link survived the end of the run");
            }
        }
        finally { File.Delete(command); }
    }

    /// <summary>A usdt/PATH:PROVIDER:NAME section is attached by run; sections naming no target are reported, not fatal.</summary>
    [Fact]
    public void UsdtSectionIsAttached_ItsArgumentsArrive()
    {
        TestKernel.RequireRoot();
        var (p, _, stdout, stderr) = BpfSharpTool.StartAttached("run", BpfSharpTool.Fixture("usdt.bpf.o"), "--duration", "4", "--json");
        using (p)
        {
            Assert.Contains("attached on_throw (usdt/libstdc++.so.6:libstdcxx:throw)", stderr.ToString());
            Assert.Contains("program on_usdt (usdt) is loaded but not attached", stderr.ToString());
            int pid;
            string printed;
            using (var app = new UsdtFixtures.Running("usdt_throw"))
            {
                pid = app.Pid;
                printed = Assert.Single(app.Fire(1));
            }
            Assert.True(p.WaitForExit(60_000), "the run did not stop after --duration");
            Assert.True(p.ExitCode == 0, $"exit {p.ExitCode}: {stderr}");
            // struct usdt_event is not in the object's BTF (only a pointer to it is used): records come as hex.
            var ours = stdout().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement)
                .Where(e => e.TryGetProperty("map", out var m) && m.GetString() == "usdt_events")
                .Select(e => Convert.FromHexString(e.GetProperty("data").GetString()!))
                .Where(d => BitConverter.ToInt32(d, 20) == pid).ToList();
            var record = Assert.Single(ours);
            Assert.Equal(2, BitConverter.ToInt32(record, 16));
            Assert.Equal(printed.Split(' ').Skip(1).Select(long.Parse), [BitConverter.ToInt64(record, 24), BitConverter.ToInt64(record, 32)]);
        }
    }

    [Fact]
    public void OpensnoopDecodesPerfBufferRecords()
    {
        TestKernel.RequireRoot();
        string path = Path.Combine(Path.GetTempPath(), $"bpfsharp-cli-open-{Guid.NewGuid():N}");
        var (p, _, stdout, stderr) = BpfSharpTool.StartAttached("run", BpfSharpTool.Example("opensnoop.bpf.o"), "--duration", "3", "--json");
        using (p)
        {
            File.WriteAllText(path, "x"); // openat(O_WRONLY | O_CREAT ...) from this process
            File.Delete(path);
            Assert.True(p.WaitForExit(60_000), "the run did not stop after --duration");
            Assert.True(p.ExitCode == 0, $"exit {p.ExitCode}: {stderr}");
            var ours = stdout().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement)
                .Where(e => e.TryGetProperty("event", out var ev) && ev.GetProperty("path").GetString() == path).ToList();
            Assert.True(ours.Count >= 1, $"the open of {path} is not in the output");
            Assert.Equal("opens", ours[0].GetProperty("map").GetString());
            Assert.Equal("open_event", ours[0].GetProperty("type").GetString());
            Assert.Equal(Environment.ProcessId, ours[0].GetProperty("event").GetProperty("pid").GetInt32());
            Assert.Equal("WRITE_ONLY", ours[0].GetProperty("event").GetProperty("access").GetString());
        }
    }

    [Fact]
    public void TextOutputIsOneLinePerEvent()
    {
        TestKernel.RequireRoot();
        string command = DistinctiveCommand();
        try
        {
            var (p, _, stdout, _) = BpfSharpTool.StartAttached("run", BpfSharpTool.Example("execsnoop.bpf.o"), "--duration", "3");
            using (p)
            {
                Process.Start(command)!.WaitForExit();
                p.WaitForExit(60_000);
                Assert.Contains(stdout().Split('\n'), l => l.Contains($"comm=\"{Path.GetFileName(command)}\"", StringComparison.Ordinal)
                    && l.Contains($"ppid={Environment.ProcessId} ", StringComparison.Ordinal));
            }
        }
        finally { File.Delete(command); }
    }

    [Fact]
    public void InterruptDetachesCleanly()
    {
        TestKernel.RequireRoot();
        // A shell without job control starts background commands with SIGINT ignored, and every child inherits that.
        ulong ignored = Convert.ToUInt64(File.ReadLines("/proc/self/status").First(l => l.StartsWith("SigIgn:")).Split('\t')[1], 16);
        if ((ignored & (1UL << (2 - 1))) != 0)
            Assert.Skip("this process was started with SIGINT ignored (a background job), and the tool inherits that: Ctrl+C cannot reach it");
        var (p, links, _, stderr) = BpfSharpTool.StartAttached("run", BpfSharpTool.Example("execsnoop.bpf.o"));
        using (p)
        {
            try
            {
                Assert.Contains(links[0], BpfSharp.Links.BpfLink.EnumerateIds());
                TestKernel.Run("kill", "-INT", p.Id.ToString());
                Assert.True(p.WaitForExit(30_000), "Ctrl+C did not stop the run");
                Assert.True(p.ExitCode == 0, $"exit {p.ExitCode}: {stderr}");
                Assert.True(Eventually.LinkGone(links[0]), "the link survived Ctrl+C");
            }
            finally
            {
                if (!p.HasExited) p.Kill(entireProcessTree: true);
            }
        }
    }

    [Fact]
    public void KeepLeavesPinnedLinksThatUnloadRemoves()
    {
        TestKernel.RequireRoot();
        string bpftool = TestKernel.RequireTool("bpftool");
        using var dir = new TempBpfFsDir(); // removing the directory unpins, hence detaches, whatever a failure left
        var run = BpfSharpTool.Ok("run", BpfSharpTool.Example("execsnoop.bpf.o"), "--duration", "0.2", "--pin", dir.Path, "--keep");
        uint linkId = uint.Parse(LinkId().Match(run.Stderr).Groups[1].Value);

        string linkPin = Path.Combine(dir.Path, "links", "handle_exec");
        Assert.True(File.Exists(linkPin), run.Stderr);
        Assert.True(File.Exists(Path.Combine(dir.Path, "maps", "events")));
        var pinned = JsonDocument.Parse(TestKernel.Run(bpftool, "link", "show", "pinned", linkPin, "-j")).RootElement;
        Assert.Equal(linkId, pinned.GetProperty("id").GetUInt32());
        var all = JsonDocument.Parse(TestKernel.Run(bpftool, "link", "show", "-j")).RootElement;
        Assert.Contains(all.EnumerateArray(), l => l.GetProperty("id").GetUInt32() == linkId);

        var unload = BpfSharpTool.Ok("unload", dir.Path);
        Assert.Contains("detached 1 link", unload.Stdout);
        Assert.False(Directory.Exists(dir.Path));
        Assert.True(Eventually.Holds(() => !JsonDocument.Parse(TestKernel.Run(bpftool, "link", "show", "-j")).RootElement
            .EnumerateArray().Any(l => l.GetProperty("id").GetUInt32() == linkId)), "bpftool still sees the link after unload");
    }

    [Fact]
    public void WithoutKeepThePinsGoAtExit()
    {
        TestKernel.RequireRoot();
        using var dir = new TempBpfFsDir();
        var run = BpfSharpTool.Ok("run", BpfSharpTool.Example("execsnoop.bpf.o"), "--duration", "0.2", "--pin", dir.Path);
        uint linkId = uint.Parse(LinkId().Match(run.Stderr).Groups[1].Value);
        Assert.False(Directory.Exists(dir.Path));
        Assert.True(Eventually.LinkGone(linkId));
    }

    [Fact]
    public void KeepWithoutPinIsRefused()
    {
        var r = BpfSharpTool.Run("run", BpfSharpTool.Example("execsnoop.bpf.o"), "--keep");
        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains("--keep needs --pin", r.Stderr);
    }

    [Fact]
    public void OtherMapsAreShownDecodedOnExit()
    {
        TestKernel.RequireRoot();
        // pktcount's XDP program is loaded but not attached (no interface): its map is shown, empty, by name.
        var r = BpfSharpTool.Ok("run", BpfSharpTool.Example("pktcount.bpf.o"), "--duration", "0.1", "--json");
        var maps = r.JsonLines.Single(l => l.TryGetProperty("maps", out _)).GetProperty("maps");
        Assert.Equal(0, maps.GetProperty("counts").GetArrayLength());
        Assert.Contains("not attached", r.Stderr);
    }

    [Fact]
    public void IntervalShowsTheMapsWhileRunning()
    {
        TestKernel.RequireRoot();
        var r = BpfSharpTool.Ok("run", BpfSharpTool.Fixture("globals.bpf.o"), "--duration", "1.3", "--interval", "0.4", "--json");
        var snapshots = r.JsonLines.Where(l => l.TryGetProperty("maps", out _)).ToList();
        Assert.True(snapshots.Count >= 3, $"{snapshots.Count} map snapshots in 1.3 s at 0.4 s intervals (and one at exit)");
        // Nothing runs the programs: every snapshot shows the initial values, decoded by variable name.
        Assert.All(snapshots, s => Assert.Equal(7, s.GetProperty("maps").GetProperty("globals.data").EnumerateArray().Single()
            .GetProperty("value").GetProperty("data_int").GetInt32()));
    }
}
