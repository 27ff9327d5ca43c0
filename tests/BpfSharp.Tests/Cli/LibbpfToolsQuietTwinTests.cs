using System.Diagnostics;
using BpfSharp.Tests.Support;

namespace BpfSharp.Tests.Cli;

/// <summary>
/// Twins of tools that may print nothing to compare with, for a reason the test checks and says: statsnoop
/// (libbpf-tools 0.26 enables none of its programs) and drsnoop (direct reclaim needs the whole machine short of
/// memory). Where the tool does print, both sides are compared as the other twins are.
/// </summary>
public sealed partial class LibbpfToolsTwinTests
{
    private const string StatsnoopEvent = "struct event { __u64 ts_ns; __u32 pid; int ret; char comm[16]; char pathname[255]; };";

    [Fact]
    public void Statsnoop()
    {
        string missing = Path.Combine(Path.GetTempPath(), $"bsx-stat-{Guid.NewGuid():N}");
        using var twin = new Twin("statsnoop", [], "PATH", "--json", "--types", StatsnoopEvent);
        int programs = twin.ToolHolds("anon_inode:bpf-prog");
        int pid = RunToEnd("/usr/bin/stat", missing);
        Thread.Sleep(300);
        twin.Stop();
        // bpfsharp: the stat of the missing path (statx, or newfstatat on older coreutils) by that pid, ENOENT.
        var ours = twin.OurEvents.Where(e => e.GetProperty("pathname").GetString() == missing).ToList();
        Assert.True(ours.Count >= 1, twin.Describe());
        Assert.All(ours, e => Assert.Equal(pid, e.GetProperty("pid").GetInt32()));
        Assert.All(ours, e => Assert.Equal(-2, e.GetProperty("ret").GetInt32()));
        // PID COMM RET ERR PATH
        var tool = twin.ToolLines.Select(Columns).Where(c => c.Length == 5 && c[4] == missing).ToList();
        if (tool.Count == 0 && programs == 0)
            Assert.Skip("statsnoop (libbpf-tools 0.26) loaded no program (it held no bpf-prog fd while tracing): it enables each only when " +
                "/sys/kernel/debug/tracing/events/syscalls/<name>/format exists, a path without the sys_enter_ prefix that no kernel has, " +
                $"so it printed nothing; bpfsharp on its object showed the stat of {missing} by pid {pid}");
        Assert.Equal(ours.Count, tool.Count);
        Assert.All(tool, c => Assert.Equal(pid.ToString(), c[0]));
        Assert.All(tool, c => Assert.Equal("-1", c[2]));
        Assert.All(tool, c => Assert.Equal("2", c[3]));
    }

    private const string DrsnoopEvent = "struct event { char task[16]; __u64 delta_ns; __u64 nr_reclaimed; __u64 nr_free_pages; pid_t pid; };";

    /// <summary>The kernel's count of direct reclaims (each entry into the allocator's reclaim: /proc/vmstat allocstall_*).</summary>
    private static long AllocStalls() =>
        File.ReadAllLines("/proc/vmstat").Where(l => l.StartsWith("allocstall_", StringComparison.Ordinal)).Sum(l => long.Parse(Columns(l)[1]));

    /// <summary>
    /// A memory cgroup of the test's own (named after <paramref name="tool"/>) limited to <paramref name="bytes"/>, with
    /// swap limited too when <paramref name="withoutSwap"/> (v1 or v2), removed on dispose.
    /// </summary>
    internal sealed class MemoryCgroup : IDisposable
    {
        public MemoryCgroup(string tool, long bytes, bool withoutSwap = false)
        {
            string name = $"bsx-twins-{tool}-{Environment.ProcessId}";
            if (File.Exists("/sys/fs/cgroup/memory/memory.limit_in_bytes"))
            {
                Path_ = Path.Combine("/sys/fs/cgroup/memory", name);
                Directory.CreateDirectory(Path_);
                File.WriteAllText(Path.Combine(Path_, "memory.limit_in_bytes"), bytes.ToString());
                string memsw = Path.Combine(Path_, "memory.memsw.limit_in_bytes");
                if (withoutSwap && File.Exists(memsw)) File.WriteAllText(memsw, bytes.ToString());
                return;
            }
            string root = TestCgroup.Root;
            if (!File.ReadAllText(Path.Combine(root, "cgroup.controllers")).Split(' ', '\n').Contains("memory"))
                Assert.Skip($"no memory controller in {root}");
            File.WriteAllText(Path.Combine(root, "cgroup.subtree_control"), "+memory");
            Path_ = Path.Combine(root, name);
            Directory.CreateDirectory(Path_);
            File.WriteAllText(Path.Combine(Path_, "memory.max"), bytes.ToString());
            string swap = Path.Combine(Path_, "memory.swap.max");
            if (withoutSwap && File.Exists(swap)) File.WriteAllText(swap, "0");
        }

        public string Path_ { get; } = "";

        /// <summary>How often the cgroup's usage hit its limit (v1 memory.failcnt, v2 memory.events max): each hit reclaims.</summary>
        public long LimitHits()
        {
            string failcnt = Path.Combine(Path_, "memory.failcnt");
            if (File.Exists(failcnt)) return long.Parse(File.ReadAllText(failcnt).Trim());
            return File.ReadAllLines(Path.Combine(Path_, "memory.events")).Select(Columns).Where(c => c[0] == "max").Sum(c => long.Parse(c[1]));
        }

        /// <summary>How many of the cgroup's processes the OOM killer ended (v2 memory.events, v1 memory.oom_control).</summary>
        public long OomKills()
        {
            string events = Path.Combine(Path_, File.Exists(Path.Combine(Path_, "memory.events")) ? "memory.events" : "memory.oom_control");
            return File.ReadAllLines(events).Select(Columns).Where(c => c[0] == "oom_kill").Sum(c => long.Parse(c[1]));
        }

        public void Dispose()
        {
            if (Path_.Length == 0) return;
            Eventually.Holds(() =>
            {
                try { Directory.Delete(Path_); return true; }
                catch (IOException) { return !Directory.Exists(Path_); }
            });
        }
    }

    [Fact]
    public void Drsnoop()
    {
        TestKernel.RequireRoot();
        string file = Path.Combine("/var/tmp", $"bsx-twins-drsnoop-{Guid.NewGuid():N}");
        using var twin = new Twin("drsnoop", [], "PAGES", "--json", "--types", DrsnoopEvent);
        long stallsBefore = AllocStalls();
        int pid;
        long hits;
        using (var cgroup = new MemoryCgroup("drsnoop", 32 << 20))
        {
            try
            {
                // A writer of 256 MiB through the page cache in a cgroup of 32 MiB: its pages are reclaimed as it writes.
                var psi = new ProcessStartInfo("/bin/sh") { RedirectStandardOutput = true, RedirectStandardError = true };
                foreach (var a in (string[])["-c", $"echo $$ > {cgroup.Path_}/cgroup.procs && exec dd if=/dev/zero of={file} bs=1M count=256"]) psi.ArgumentList.Add(a);
                using var p = Process.Start(psi)!;
                string err = p.StandardError.ReadToEnd();
                p.WaitForExit();
                // Under a loaded host the cgroup may not reclaim as fast as dd dirties pages: the OOM killer ending
                // dd is memory pressure too (CI saw it: dd killed, nothing on stderr).
                Assert.True(p.ExitCode == 0 || cgroup.OomKills() > 0, $"dd exited {p.ExitCode}: {err}");
                pid = p.Id;
            }
            finally { File.Delete(file); }
            hits = cgroup.LimitHits();
        }
        long stalls = AllocStalls() - stallsBefore;
        Thread.Sleep(300);
        twin.Stop();
        // TIME COMM TID LAT(ms) PAGES
        var tool = twin.ToolLines.Select(Columns).Where(c => c.Length == 5 && c[1] == "dd" && c[2] == pid.ToString()).ToList();
        var ours = twin.OurEvents.Where(e => e.GetProperty("pid").GetInt32() == pid).ToList();
        if (stalls == 0)
        {
            // No direct reclaim at all: neither side may have seen one.
            Assert.True(tool.Count == 0 && ours.Count == 0, twin.Describe());
            // The load did press on its limit: the kernel reclaimed the cgroup's pages, by memcg reclaim.
            Assert.True(hits > 0, "the cgroup never reached its limit: the load made no memory pressure");
            Assert.Skip($"the kernel entered no direct reclaim (/proc/vmstat allocstall_* unchanged) while the test's cgroup, limited to 32 MiB, " +
                $"wrote 256 MiB through the page cache and hit its limit {hits} times: a memory cgroup's limit is reclaimed by the memcg reclaim " +
                "(mm_vmscan_memcg_reclaim_*), and direct reclaim needs the whole machine short of memory, which a test on a shared host must not make; " +
                "neither side printed an event");
        }
        Assert.Equal(tool.Count, ours.Count);
        Assert.Equal(tool.Select(c => long.Parse(c[4])).Order(), ours.Select(e => e.GetProperty("nr_reclaimed").GetInt64()).Order());
    }
}
