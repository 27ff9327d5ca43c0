using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using BpfSharp.Tests.Support;
using static BpfSharp.Tests.Cli.LibbpfToolsTwinTests;

namespace BpfSharp.Tests.Cli;

/// <summary>
/// Twins (as in <see cref="LibbpfToolsTwinTests"/>) of the libbpf-tools that watch files, the VFS and the slab
/// allocator through kprobes (and numamove through fentry): they run only where the kernel has kprobes (the CI
/// guests). The load is a python process of the test's own that waits for a line before it starts, so that both
/// sides filter by its pid where the tool can (-p, a .rodata pid) and see all of its work.
/// </summary>
public sealed class LibbpfToolsKprobeFileTwinTests
{
    /// <summary>A python process that runs <paramref name="script"/> once a line arrives on its standard input.</summary>
    private sealed class Load : IDisposable
    {
        private readonly Process _process;

        public Load(string script, params string[] args)
        {
            string python = TestKernel.RequireTool("python3");
            var psi = new ProcessStartInfo(python) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var a in (string[])["-c", "import sys\nsys.stdin.readline()\n" + script, .. args]) psi.ArgumentList.Add(a);
            _process = Process.Start(psi)!;
        }

        public int Pid => _process.Id;

        /// <summary>Starts the work and waits for its end.</summary>
        public void Run()
        {
            _process.StandardInput.WriteLine("go");
            _process.StandardInput.Close();
            var stderr = _process.StandardError.ReadToEndAsync();
            _ = _process.StandardOutput.ReadToEndAsync();
            Assert.True(_process.WaitForExit(60_000), "the python load did not finish in 60 s");
            Assert.True(_process.ExitCode == 0, $"the python load exited {_process.ExitCode}: {stderr.Result}");
        }

        public void Dispose()
        {
            if (!_process.HasExited) _process.Kill();
            _process.Dispose();
        }
    }

    /// <summary>
    /// Where the kernel lacks <paramref name="function"/>, the one the tool probes, the tool is started to hear
    /// why: the test skips with what it said (or goes on, should it start anyway). Its twin is compared only where
    /// the tool itself runs; where the function is there, a tool that does not start fails the twin.
    /// </summary>
    private static void RequireToolStarts(string tool, string function, params string[] args)
    {
        TestKernel.RequireRoot();
        if (File.ReadLines("/proc/kallsyms").Any(l => Columns(l) is [_, _, var name] && name == function)) return;
        PackagedToolStart.Try(tool, args).SkipUnlessStarted();
    }

    /// <summary>The entries of map <paramref name="name"/> in bpfsharp's last map display (at its exit).</summary>
    private static List<JsonElement> LastMap(Twin twin, string name) =>
        [.. twin.OurJson.Last(l => l.TryGetProperty("maps", out _)).GetProperty("maps").GetProperty(name).EnumerateArray()];

    private static double Seconds(string s) => double.Parse(s, CultureInfo.InvariantCulture);

    // libbpf-tools 0.26's filelife.h (later versions moved delta_ns and tgid first).
    private const string FilelifeEvent = "struct event { char file[32]; char task[16]; __u64 delta_ns; pid_t tgid; };";

    [Fact]
    public void Filelife()
    {
        TestKernel.RequireFeature(BpfFeatures.Kprobes);
        string dir = Directory.CreateTempSubdirectory($"bsx-filelife-{Environment.ProcessId}-").FullName;
        // Names of at most 31 characters: the event keeps DNAME_INLINE_LEN (32) bytes of the name.
        string stem = $"bsx{Guid.NewGuid():N}"[..15];
        string opened = stem + "-open", made = stem + "-mknod";
        try
        {
            // One file created by open(O_CREAT) (vfs_open, security_inode_create), one by mknod (vfs_create); each
            // deleted after a known time.
            using var load = new Load("""
                import os, stat, time
                d, opened, made = sys.argv[1:]
                os.close(os.open(os.path.join(d, opened), os.O_CREAT | os.O_WRONLY, 0o600)); time.sleep(0.3); os.unlink(os.path.join(d, opened))
                os.mknod(os.path.join(d, made), 0o600 | stat.S_IFREG); time.sleep(0.6); os.unlink(os.path.join(d, made))
                """, dir, opened, made);
            using var twin = new Twin("filelife", ["-p", load.Pid.ToString()], "FILE", "--json", "--set", $"targ_tgid={load.Pid}", "--types", FilelifeEvent);
            load.Run();
            Thread.Sleep(300);
            twin.Stop();
            // TIME PID COMM AGE(s) FILE; the name may be empty (see below). A file may be there twice: on an overlay
            // (the CI guests' /tmp) the upper layer's file is created and unlinked through the same functions.
            var tool = twin.ToolLines.Select(Columns).Where(c => c.Length >= 4 && c[1] == load.Pid.ToString())
                .Select(c => (Name: c.Length >= 5 ? c[4] : "", Comm: c[2], Age: Seconds(c[3]))).OrderBy(t => t.Name, StringComparer.Ordinal).ThenBy(t => t.Age).ToList();
            var ours = twin.OurEvents.Where(e => e.GetProperty("tgid").GetInt32() == load.Pid)
                .Select(e => (Name: e.GetProperty("file").GetString()!, Comm: e.GetProperty("task").GetString()!, Age: e.GetProperty("delta_ns").GetInt64() / 1e9))
                .OrderBy(t => t.Name, StringComparer.Ordinal).ThenBy(t => t.Age).ToList();
            Assert.True(tool.Count >= 2 && tool.Count == ours.Count, twin.Describe());
            TestContext.Current.TestOutputHelper?.WriteLine(string.Join("\n", tool.Zip(ours, (t, o) => $"'{t.Name}' {t.Comm}: tool {t.Age:0.00} s, bpfsharp {o.Age:0.000000} s")));
            for (int i = 0; i < tool.Count; i++)
            {
                Assert.Equal(tool[i].Name, ours[i].Name);
                Assert.Equal(tool[i].Comm, ours[i].Comm);
                // Each side times the file by its own probes at the same calls, microseconds apart, and the tool
                // prints %.2f seconds; but a guest's CPU is a thread of a loaded host, which may be preempted
                // between the two sides' probes (seen: 19 ms apart).
                Assert.True(Math.Abs(tool[i].Age - ours[i].Age) <= 0.05, $"{tool[i].Name}: ages {tool[i].Age} and {ours[i].Age}\n{twin.Describe()}");
            }
            // The 0.26 object picks vfs_unlink's argument positions by a CO-RE check of renamedata's old_mnt_userns,
            // which 6.3 renamed old_mnt_idmap: where the kernel's BTF lacks the member it looks the dentry up at the
            // directory's place and reads the name from there (both sides print the same empty names).
            bool toolReadsTheName = BpfSharp.Btf.BtfSpec.LoadKernel().TryFind<BpfSharp.Btf.BtfStruct>("renamedata", out var renamedata)
                && renamedata.TryGetMember("old_mnt_userns", out _);
            if (!tool.Any(t => t.Name == opened || t.Name == made) && !toolReadsTheName) return;
            Assert.True(tool.Any(t => t.Name == opened) && tool.Any(t => t.Name == made), $"the tool did not print {opened} and {made}\n{twin.Describe()}");
            Assert.All(tool.Where(t => t.Name == opened), t => Assert.InRange(t.Age, 0.29, 5));
            Assert.All(tool.Where(t => t.Name == made), t => Assert.InRange(t.Age, 0.59, 5));
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    [Fact]
    public void Filetop()
    {
        TestKernel.RequireFeature(BpfFeatures.Kprobes);
        string file = Path.Combine(Path.GetTempPath(), $"bsx{Guid.NewGuid():N}"[..15] + "-top");
        try
        {
            // 37 writes of 1,000 bytes, then 74 reads of 500 bytes, by one thread, into a file of the test's own.
            using var load = new Load("""
                import os
                fd = os.open(sys.argv[1], os.O_CREAT | os.O_RDWR, 0o600)
                for _ in range(37): os.write(fd, b'x' * 1000)
                os.lseek(fd, 0, 0)
                for _ in range(74): os.read(fd, 500)
                os.close(fd)
                """, file);
            // One screen, not cleared, printed when SIGINT ends its 99 s interval; every row of the load's pid.
            using var twin = new Twin("filetop", ["-C", "-r", "10240", "-p", load.Pid.ToString(), "99", "1"], "",
                "--json", "--set", $"target_pid={load.Pid}");
            load.Run();
            Thread.Sleep(300);
            twin.Stop();
            string name = Path.GetFileName(file);
            // TID COMM READS WRITES R_Kb W_Kb T FILE
            var tool = twin.ToolLines.Select(Columns).Where(c => c.Length == 8 && c[7] == name).ToList();
            var ours = LastMap(twin, "entries").Where(e => e.GetProperty("value").GetProperty("filename").GetString() == name).ToList();
            Assert.True(tool.Count == 1 && ours.Count == 1, twin.Describe());
            var key = ours[0].GetProperty("key");
            var value = ours[0].GetProperty("value");
            Assert.Equal(load.Pid, key.GetProperty("pid").GetInt32());
            Assert.Equal(load.Pid.ToString(), tool[0][0]);
            Assert.Equal(load.Pid, value.GetProperty("tid").GetInt32());
            Assert.Equal(tool[0][1], value.GetProperty("comm").GetString());
            Assert.Equal(["74", "37", "36", "36", "R"], tool[0][2..7]);
            Assert.Equal(74, value.GetProperty("reads").GetInt64());
            Assert.Equal(37, value.GetProperty("writes").GetInt64());
            Assert.Equal(37_000, value.GetProperty("read_bytes").GetInt64());
            Assert.Equal(37_000, value.GetProperty("write_bytes").GetInt64());
            Assert.Equal('R', (char)value.GetProperty("type").GetInt32());
            Assert.Equal(ulong.Parse(TestKernel.Run("stat", "-c", "%i", file).Trim()), key.GetProperty("inode").GetUInt64());
            // The load's other files (python's own reads) are rows of both, with the same counts.
            var toolRows = twin.ToolLines.Select(Columns).Where(c => c.Length == 8 && c[0] == load.Pid.ToString())
                .Select(c => $"{c[7]} {c[2]} {c[3]} {c[4]} {c[5]}").Order();
            var ourRows = LastMap(twin, "entries").Select(e => e.GetProperty("value"))
                .Select(v => $"{v.GetProperty("filename").GetString()} {v.GetProperty("reads")} {v.GetProperty("writes")} " +
                    $"{v.GetProperty("read_bytes").GetInt64() / 1024} {v.GetProperty("write_bytes").GetInt64() / 1024}").Order();
            Assert.Equal(toolRows, ourRows);
        }
        finally { File.Delete(file); }
    }

    [Fact]
    public void Vfsstat()
    {
        TestKernel.RequireFeature(BpfFeatures.Kprobes);
        string dir = Directory.CreateTempSubdirectory($"bsx-vfsstat-{Environment.ProcessId}-").FullName;
        try
        {
            // Known numbers of each call, far above what the rest of the machine makes meanwhile: reads 3,000, writes
            // 2,000, opens 1,000 (each of a file that exists, and three more), creates 100 (mknod of a regular file),
            // and fsyncs 150, which neither side counts on the CI kernels (both 0: there the fsync system call does
            // not enter vfs_fsync through its symbol).
            using var load = new Load("""
                import os, stat
                d = sys.argv[1]
                z = os.open('/dev/zero', os.O_RDONLY); n = os.open('/dev/null', os.O_WRONLY)
                for _ in range(3000): os.read(z, 1)
                for _ in range(2000): os.write(n, b'x')
                f = os.open(os.path.join(d, 'synced'), os.O_CREAT | os.O_WRONLY, 0o600)
                for _ in range(150): os.fsync(f)
                for _ in range(1000): os.close(os.open(os.path.join(d, 'synced'), os.O_RDONLY))
                for i in range(100): os.mknod(os.path.join(d, str(i)), 0o600 | stat.S_IFREG)
                """, dir);
            int[] made = [3000, 2000, 0, 1003, 100];
            // The tool prints each second's counts (on SIGINT it dies without printing the last part); bpfsharp
            // shows its counters every 200 ms: its count from its last display before the load to its last before
            // the test stops both, beside the tool's sum over its lines until the first printed after the load. Both
            // windows hold the load; each has up to a second of the rest of the machine that the other has not (a
            // burst of 32 opens was seen). The tool's fentry programs (it prefers those) and bpfsharp's kprobes
            // count the same calls.
            using var twin = new Twin("vfsstat", ["1"], "READ/s", "--json", "--interval", "200ms",
                "--program", "kprobe_vfs_read", "--program", "kprobe_vfs_write", "--program", "kprobe_vfs_fsync",
                "--program", "kprobe_vfs_open", "--program", "kprobe_vfs_create");
            var started = DateTimeOffset.Now;
            load.Run();
            int printed = twin.ToolLines.Count;
            Assert.True(Eventually.Holds(() => twin.ToolLines.Count >= printed + 1, 10_000), twin.Describe());
            // Stopping runs kill twice (each a process with its opens and reads) after the tool has died: bpfsharp's
            // window ends with its last display before that.
            var stopping = DateTimeOffset.Now;
            twin.Stop();
            // TIME: READ/s WRITE/s FSYNC/s OPEN/s CREATE/s
            var lines = twin.ToolLines.Select(Columns).Where(c => c.Length == 6 && c[0].EndsWith(':')).ToList();
            var tool = Enumerable.Range(0, 5).Select(i => lines.Sum(c => long.Parse(c[i + 1]))).ToArray();
            var displays = twin.OurJson.Where(l => l.TryGetProperty("maps", out _)).ToList();
            long[] Stats(JsonElement display) => [.. display.GetProperty("maps").GetProperty("vfsstat.bss").EnumerateArray().Single()
                .GetProperty("value").GetProperty("stats").EnumerateArray().Select(v => v.GetInt64())];
            DateTimeOffset Time(JsonElement display) => DateTimeOffset.Parse(display.GetProperty("time").GetString()!, CultureInfo.InvariantCulture);
            var before = displays.LastOrDefault(d => Time(d) < started);
            var after = displays.LastOrDefault(d => Time(d) < stopping);
            Assert.True(before.ValueKind == JsonValueKind.Object && Time(after) > started, $"bpfsharp showed no counters before and after the load\n{twin.Describe()}");
            var ours = Stats(after).Zip(Stats(before), (end, start) => end - start).ToArray();
            string[] names = ["read", "write", "fsync", "open", "create"];
            TestContext.Current.TestOutputHelper?.WriteLine(string.Join(", ", names.Select((n, i) => $"{n}: tool {tool[i]}, bpfsharp {ours[i]}, load {made[i]}")));
            for (int i = 0; i < 5; i++)
            {
                Assert.True(tool[i] >= made[i] && ours[i] >= made[i], $"{names[i]}: the tool counted {tool[i]}, bpfsharp {ours[i]}, the load made {made[i]}\n{twin.Describe()}");
                Assert.True(Math.Abs(ours[i] - tool[i]) <= Math.Max(40, made[i] / 10),
                    $"{names[i]}: the tool counted {tool[i]}, bpfsharp {ours[i]}\n{twin.Describe()}");
            }
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    [Fact]
    public void Slabratetop()
    {
        TestKernel.RequireFeature(BpfFeatures.Kprobes);
        // On 6.12 kmem_cache_alloc is a macro over kmem_cache_alloc_noprof: the tool's kprobe has no function.
        RequireToolStarts("slabratetop", "kmem_cache_alloc", "-C", "99", "1");
        string dir = Directory.CreateTempSubdirectory($"bsx-slab-{Environment.ProcessId}-").FullName;
        try
        {
            // 200 files created, opened and deleted: path names, open files, credentials from the slab caches.
            using var load = new Load("""
                import os
                d = sys.argv[1]
                for i in range(200):
                    p = os.path.join(d, str(i)); os.close(os.open(p, os.O_CREAT | os.O_WRONLY, 0o600)); os.unlink(p)
                """, dir);
            using var twin = new Twin("slabratetop", ["-C", "-r", "10240", "-p", load.Pid.ToString(), "99", "1"], "",
                "--json", "--set", $"target_pid={load.Pid}");
            load.Run();
            Thread.Sleep(300);
            twin.Stop();
            // CACHE ALLOCS BYTES, every cache the load's pid allocated from.
            int header = twin.ToolLines.ToList().FindIndex(l => Columns(l) is ["CACHE", "ALLOCS", "BYTES"]);
            Assert.True(header >= 0, twin.Describe());
            var tool = twin.ToolLines.Skip(header + 1).Select(Columns).Where(c => c.Length == 3).Select(c => $"{c[0]} {c[1]} {c[2]}").Order().ToList();
            var ours = LastMap(twin, "slab_entries").Select(e => e.GetProperty("value"))
                .Select(v => $"{v.GetProperty("name").GetString()} {v.GetProperty("count")} {v.GetProperty("size")}").Order().ToList();
            Assert.True(tool.Count > 0, twin.Describe());
            Assert.Equal(tool, ours);
            // The files: allocations per file from the caches of path names and open files.
            long Allocs(string cache) => LastMap(twin, "slab_entries").Select(e => e.GetProperty("value"))
                .Where(v => v.GetProperty("name").GetString() == cache).Sum(v => v.GetProperty("count").GetInt64());
            // (On 6.1 dentries come from kmem_cache_alloc_lru, which the tool does not trace: getname's names_cache,
            // for the open and the unlink, and the open files' filp are kmem_cache_alloc's.)
            Assert.True(Allocs("names_cache") >= 400 && Allocs("filp") >= 200, twin.Describe());
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    [Fact]
    public void Numamove()
    {
        TestKernel.RequireFeature(BpfFeatures.Kprobes);
        // fentry/fexit on migrate_misplaced_page, which 6.12 no longer has (migrate_misplaced_folio).
        RequireToolStarts("numamove", "migrate_misplaced_page");
        using var twin = new Twin("numamove", [], "NUMA_migrations", "--json");
        // The tool prints each second's count and latency, and once more when SIGINT ends its sleep.
        int printed = twin.ToolLines.Count;
        Assert.True(Eventually.Holds(() => twin.ToolLines.Count >= printed + 2, 10_000), twin.Describe());
        twin.Stop();
        // TIME NUMA_migrations NUMA_migrations_ms
        var lines = twin.ToolLines.Select(Columns).Where(c => c.Length == 3 && long.TryParse(c[1], out _)).ToList();
        long toolMigrations = lines.Sum(c => long.Parse(c[1]));
        var bss = LastMap(twin, "numamove.bss").Single().GetProperty("value");
        long ourMigrations = bss.GetProperty("num").GetInt64();
        int nodes = Directory.Exists("/sys/devices/system/node") ? Directory.EnumerateDirectories("/sys/devices/system/node", "node*").Count() : 1;
        if (toolMigrations == 0 && ourMigrations == 0 && nodes < 2)
            Assert.Skip($"this machine has {nodes} NUMA node: no page is NUMA-misplaced, and neither numamove nor bpfsharp on its object " +
                $"counted a migration ({lines.Count} lines of the tool; bpfsharp's num={ourMigrations}, latency={bss.GetProperty("latency")})");
        // Both count every migration while attached; bpfsharp's window holds the tool's.
        Assert.True(ourMigrations >= toolMigrations, twin.Describe());
    }
}
