using System.Diagnostics;
using System.Numerics;
using System.Text.Json;
using System.Text.RegularExpressions;
using BpfSharp.Tests.Support;
using static BpfSharp.Tests.Cli.LibbpfToolsTwinTests;

namespace BpfSharp.Tests.Cli;

/// <summary>
/// The file system latency twins: fsdist and fsslower (and their aliases ext4dist, xfsslower...) beside
/// <c>bpfsharp run</c> on their embedded object, over a file system of the test's own (mkfs on a loop device,
/// mounted on a temporary directory) while one known process opens, writes, fsyncs and reads one file there. The
/// tools choose at run time which file system functions their <c>fentry/dummy_*</c> programs go to where the kernel
/// has BPF trampolines (their <c>kprobe/dummy_*</c> programs otherwise); the twin places them there with
/// <c>--attach</c>. Kprobes and fentry: these run in the CI guests only.
/// </summary>
public sealed partial class LibbpfToolsKprobeFsTwinTests
{
    [GeneratedRegex(@"^(?:operation = '(\w+)'|\s*hists\[(\d+)\])$")]
    private static partial Regex OperationHeader();

    /// <summary>The test's file: whole blocks, then a short tail, so that sizes and offsets differ.</summary>
    private const int Blocks = 24, BlockSize = 4096, Tail = 100;

    /// <summary>fsslower's record (libbpf-tools 0.26, fsslower.h): not in the object's BTF (a local of the program).</summary>
    private const string FsslowerEvent =
        "enum fs_file_op { F_READ, F_WRITE, F_OPEN, F_FSYNC, F_MAX_OP }; "
        + "struct event { __u64 delta_us; __u64 end_ns; __s64 offset; __s64 size; pid_t pid; enum fs_file_op op; char file[32]; char task[16]; };";

    /// <summary>The functions the tools choose for each file system (read, write, open, fsync, getattr), as their user space does.</summary>
    private static readonly Dictionary<string, string?[]> Functions = new()
    {
        ["ext4"] = ["ext4_file_read_iter", "ext4_file_write_iter", "ext4_file_open", "ext4_sync_file", "ext4_file_getattr"],
        ["xfs"] = ["xfs_file_read_iter", "xfs_file_write_iter", "xfs_file_open", "xfs_file_fsync", null],
        ["btrfs"] = ["btrfs_file_read_iter", "btrfs_file_write_iter", "btrfs_file_open", "btrfs_sync_file", null],
    };

    /// <summary>The objects' program name stems, in the order of <see cref="Functions"/>.</summary>
    private static readonly string[] Stems = ["file_read", "file_write", "file_open", "file_sync", "getattr"];

    /// <summary>fsdist's operations, by index of its hists array (fsdist.h's enum fs_file_op).</summary>
    private static readonly string[] Operations = ["read", "write", "open", "fsync", "getattr"];

    /// <summary>
    /// The object's programs for <paramref name="fs"/>, placed where the tool places them: its fentry/fexit pairs
    /// (<paramref name="fentry"/>: what the tool loads where the kernel has BPF trampolines) or its kprobe/kretprobe
    /// pairs (its fallback). fsslower has no getattr programs; xfs and btrfs have no getattr function.
    /// </summary>
    private static string[] PlacedPrograms(string fs, bool fentry, bool getattr)
    {
        var args = new List<string>();
        for (int op = 0; op < Stems.Length; op++)
        {
            if (Functions[fs][op] is not { } function || (Stems[op] == "getattr" && !getattr)) continue;
            var (entry, exit) = fentry ? ($"{Stems[op]}_fentry", $"{Stems[op]}_fexit") : ($"{Stems[op]}_entry", $"{Stems[op]}_exit");
            args.AddRange(["--program", entry, "--program", exit,
                "--attach", $"{entry}={(fentry ? "fentry" : "kprobe")}:{function}", "--attach", $"{exit}={(fentry ? "fexit" : "kretprobe")}:{function}"]);
        }
        return [.. args];
    }

    /// <summary>A fresh file system of type <paramref name="fs"/> on a loop device, mounted on a temporary directory.</summary>
    private sealed class Mounted : IDisposable
    {
        private readonly LoopDevice _loop;

        public Mounted(string fs)
        {
            string mkfs = TestKernel.RequireTool($"mkfs.{fs}");
            // mkfs.xfs refuses less than 300 MiB, mkfs.btrfs less than 109 MiB; the file is sparse.
            _loop = new LoopDevice(fs switch { "xfs" => 320L << 20, "btrfs" => 128L << 20, _ => 16L << 20 });
            try
            {
                TestKernel.Run(mkfs, "-q", fs == "ext4" ? "-F" : "-f", _loop.Path_);
                Dir = Directory.CreateTempSubdirectory($"bsx-fs-{Environment.ProcessId}-").FullName;
                TestKernel.Run("mount", "-t", fs, _loop.Path_, Dir);
            }
            catch
            {
                Dispose();
                throw;
            }
        }

        public string Dir { get; } = "";

        public void Dispose()
        {
            if (Dir.Length > 0)
            {
                TestKernel.TryRun("umount", Dir);
                Directory.Delete(Dir, recursive: true);
            }
            _loop.Dispose();
        }
    }

    /// <summary>
    /// A copy of python3 under a name of its own (its command, in the tools' comm column) that waits for a line,
    /// then writes the file in whole blocks and a tail, fsyncs it, and reads it back to its end: 2 opens,
    /// <see cref="Blocks"/> + 1 writes, 1 fsync, <see cref="Blocks"/> + 2 reads (the last one at the end of the file).
    /// </summary>
    private sealed class Load : IDisposable
    {
        private readonly Process _process;

        public Load(string file)
        {
            Command = Distinctive(TestKernel.RequireTool("python3"));
            string script = $"""
                import os
                fd = os.open('{file}', os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
                for _ in range({Blocks}): os.write(fd, b'x' * {BlockSize})
                os.write(fd, b'y' * {Tail})
                os.fsync(fd)
                os.close(fd)
                fd = os.open('{file}', os.O_RDONLY)
                for _ in range({Blocks + 2}): os.read(fd, {BlockSize})
                os.close(fd)
                """;
            var psi = new ProcessStartInfo("/bin/sh") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var a in (string[])["-c", "read go; exec \"$0\" -c \"$1\"", Command, script]) psi.ArgumentList.Add(a);
            _process = Process.Start(psi)!;
        }

        public string Command { get; }

        public int Pid => _process.Id;

        public void Run()
        {
            _process.StandardInput.WriteLine("go");
            _process.StandardInput.Close();
            var stderr = _process.StandardError.ReadToEndAsync();
            Assert.True(_process.WaitForExit(TestKernel.Patience(30)), "the load did not finish");
            Assert.True(_process.ExitCode == 0, $"the load failed: {stderr.Result}");
        }

        public void Dispose()
        {
            if (!_process.HasExited) _process.Kill();
            _process.Dispose();
            File.Delete(Command);
        }
    }

    public static TheoryData<string, string> Tools => new()
    {
        // The alias (ext4dist: its name chooses the file system) and the tool with -t.
        { "ext4dist", "ext4" }, { "fsdist", "ext4" }, { "xfsdist", "xfs" }, { "btrfsdist", "btrfs" },
    };

    public static TheoryData<string, string> SlowerTools => new()
    {
        { "ext4slower", "ext4" }, { "fsslower", "ext4" }, { "xfsslower", "xfs" }, { "btrfsslower", "btrfs" },
    };

    private static string[] TypeArgs(string tool, string fs) => tool.StartsWith("fs", StringComparison.Ordinal) ? ["-t", fs] : [];

    [Theory]
    [MemberData(nameof(Tools))]
    public void Fsdist(string tool, string fs)
    {
        TestKernel.RequireFeature(BpfFeatures.Kprobes);
        TestKernel.RequireRoot();
        using var mounted = new Mounted(fs);
        using var load = new Load(Path.Combine(mounted.Dir, "bsx-data"));
        string pid = load.Pid.ToString();
        // One histogram per operation in .bss (struct hist hists[MAX_OP]), drawn with --hist; both count the load's
        // process only. Latencies depend on the hook (under emulation a kprobe's trap costs more than a trampoline):
        // the twin loads the same kind as the tool, fentry/fexit (on a module's function: its BTF) where the kernel can.
        using (var twin = new Twin(tool, [.. TypeArgs(tool, fs), "-p", pid], "Tracing",
            ["--hist", "hists=usecs", "--set", $"target_pid={pid}", "--set", "in_ms=false", .. PlacedPrograms(fs, BpfFeatures.Fentry.IsSupported, getattr: true)]))
        {
            load.Run();
            Thread.Sleep(300);
            twin.Stop();
            var theirs = ByOperation(twin.ToolLines);
            var ours = ByOperation(twin.OursStdout.Split('\n'));
            var expected = new Dictionary<string, double> { ["open"] = 2, ["write"] = Blocks + 1, ["fsync"] = 1, ["read"] = Blocks + 2 };
            // The tool counts exactly the load's operations (getattr: none, the load stats nothing).
            Assert.True(expected.All(e => theirs.TryGetValue(e.Key, out var h) && h.Values.Sum() == e.Value) && theirs.Keys.All(expected.ContainsKey),
                $"the tool did not count the load's operations\n{twin.Describe()}");
            Assert.Equal(theirs.Keys.Order(), ours.Keys.Order());
            foreach (var (op, hist) in theirs)
            {
                Assert.True(hist.Values.Sum() == ours[op].Values.Sum(), $"{op}: {hist.Values.Sum()} counted by the tool, {ours[op].Values.Sum()} by bpfsharp\n{twin.Describe()}");
                // Both sides' programs run in the same trampoline, each inside the other's window: an operation of a
                // few microseconds is timed a slot apart when the other's program costs as much (under emulation it
                // does), and freshly translated code makes the first runs slower still. Paired in order of latency,
                // the i-th fastest on each side are in the same or a neighbouring slot, but for at most two or one in
                // eight (in a CI run beside two other guests, 3 of btrfs's 26 reads were two and three slots apart).
                var (toolSide, ourSide) = (Latencies(hist), Latencies(ours[op]));
                int apart = toolSide.Zip(ourSide).Count(p => Math.Abs(p.First - p.Second) > 1);
                Assert.True(apart <= Math.Max(2, toolSide.Count / 8), $"{op}: {apart} of {toolSide.Count} operations more than a slot apart\n{twin.Describe()}");
            }
        }
    }

    /// <summary>A histogram's counts as one slot index (log2 of its low bound, "0 -> 1" slot 0) per operation, fastest first.</summary>
    private static List<int> Latencies(Dictionary<ulong, double> hist) =>
        [.. hist.OrderBy(kv => kv.Key).SelectMany(kv => Enumerable.Repeat(kv.Key == 0 ? 0 : BitOperations.Log2(kv.Key), (int)kv.Value))];

    /// <summary>Each operation's histogram: the tool heads it "operation = 'read'", bpfsharp "hists[0]" (its index in fsdist.h's enum).</summary>
    private static Dictionary<string, Dictionary<ulong, double>> ByOperation(IEnumerable<string> lines)
    {
        var sections = new Dictionary<string, List<string>>();
        List<string>? current = null;
        foreach (var line in lines)
        {
            var m = OperationHeader().Match(line);
            if (m.Success) sections[m.Groups[1].Success ? m.Groups[1].Value : Operations[int.Parse(m.Groups[2].Value)]] = current = [];
            else current?.Add(line);
        }
        return sections.ToDictionary(s => s.Key, s => Histogram(s.Value));
    }

    [Theory]
    [MemberData(nameof(SlowerTools))]
    public void Fsslower(string tool, string fs)
    {
        TestKernel.RequireFeature(BpfFeatures.Kprobes);
        TestKernel.RequireRoot();
        using var mounted = new Mounted(fs);
        using var load = new Load(Path.Combine(mounted.Dir, "bsx-data"));
        string pid = load.Pid.ToString();
        // -m 0 (min_lat_ns 0): every operation, in CSV (exact offsets in bytes) on the tool's side. What an event
        // says does not depend on the hook: the twin places the tool's fallback, the kprobe programs, with --attach.
        using (var twin = new Twin(tool, [.. TypeArgs(tool, fs), "-p", pid, "-m", "0", "-c"], "ENDTIME_ns",
            ["--json", "--types", FsslowerEvent, "--set", $"target_pid={pid}", "--set", "min_lat_ns=0", .. PlacedPrograms(fs, fentry: false, getattr: false)]))
        {
            load.Run();
            Thread.Sleep(500);
            twin.Stop();
            // ENDTIME_ns,TASK,PID,TYPE,BYTES,OFFSET_b,LATENCY_us,FILE; each side in the order its operations ended.
            var theirs = twin.ToolLines.Select(l => l.Split(',')).Where(c => c.Length == 8 && c[2] == pid)
                .OrderBy(c => long.Parse(c[0])).Select(c => (Task: c[1], Op: c[3], Bytes: c[4], Offset: long.Parse(c[5]), File: c[7])).ToList();
            var ours = twin.OurEvents.Where(e => e.GetProperty("pid").GetInt32() == load.Pid).OrderBy(e => e.GetProperty("end_ns").GetUInt64())
                .Select(e => (Task: e.GetProperty("task").GetString()!, Op: Letter(e.GetProperty("op")), Bytes: Bytes(e.GetProperty("size").GetInt64()),
                    Offset: e.GetProperty("offset").GetInt64(), File: e.GetProperty("file").GetString()!)).ToList();
            Assert.True(theirs.Count == Expected().Count && theirs.Select(e => (e.Op, e.Bytes, e.Offset)).SequenceEqual(Expected()),
                $"the tool did not show the load's operations\n{twin.Describe()}");
            Assert.All(theirs, e => Assert.Equal((Path.GetFileName(load.Command), "bsx-data"), (e.Task, e.File)));
            Assert.True(theirs.SequenceEqual(ours), $"bpfsharp showed other operations than the tool\n{twin.Describe()}");
        }
    }

    /// <summary>What the load does, as fsslower shows it: type, bytes (LL_MAX: fsync's whole-file range), offset.</summary>
    private static List<(string Op, string Bytes, long Offset)> Expected()
    {
        var ops = new List<(string, string, long)> { ("O", "0", 0) };
        for (int i = 0; i < Blocks; i++) ops.Add(("W", BlockSize.ToString(), (long)i * BlockSize));
        ops.Add(("W", Tail.ToString(), (long)Blocks * BlockSize));
        ops.Add(("F", "LL_MAX", 0));
        ops.Add(("O", "0", 0));
        for (int i = 0; i < Blocks; i++) ops.Add(("R", BlockSize.ToString(), (long)i * BlockSize));
        ops.Add(("R", Tail.ToString(), (long)Blocks * BlockSize));
        ops.Add(("R", "0", (long)Blocks * BlockSize + Tail));
        return ops;
    }

    private static string Letter(JsonElement op) => op.ValueKind == JsonValueKind.Number
        ? "RWOF"[op.GetInt32()].ToString()
        : op.GetString() switch { "F_READ" => "R", "F_WRITE" => "W", "F_OPEN" => "O", "F_FSYNC" => "F", var other => other! };

    private static string Bytes(long size) => size == long.MaxValue ? "LL_MAX" : size.ToString();
}
