using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.RegularExpressions;
using BpfSharp.Tests.Support;

namespace BpfSharp.Tests.Cli;

/// <summary>
/// Debian's libbpf-tools (installed by set-up) beside <c>bpfsharp run</c> on the object each tool embeds: both run
/// at once while the test starts known processes, opens known files or makes known system calls, and what each
/// printed is compared field by field. The record layouts the tools keep in their headers (not in the object's
/// BTF) are given with --types, as a user would.
/// </summary>
public sealed partial class LibbpfToolsTwinTests
{
    [GeneratedRegex(@"^\s*(\d+) -> (\d+)\s+: (\d+)\s+\|")]
    private static partial Regex HistogramRow();

    /// <summary>A packaged tool and its bpfsharp twin, both attached.</summary>
    internal sealed class Twin : IDisposable
    {
        private readonly Process _tool = null!;
        private readonly List<string> _toolLines = [];
        private readonly Process _ours = null!;
        private readonly Func<string> _oursStdout;
        private readonly BpfSharpTool.ToolStderr _oursStderr;
        private readonly string _dir;

        public Twin(string tool, string[] toolArgs, string ready, params string[] runArgs)
        {
            TestKernel.RequireRoot();
            string exe = TestKernel.RequireTool(tool);
            _dir = Directory.CreateTempSubdirectory($"bpfsharp-twin-{Environment.ProcessId}-").FullName;
            // A constructor that fails has no Dispose: what it started (bpfsharp, the tool) and its folder go here.
            try
            {
                BpfSharpTool.Ok("object", "extract", exe, "-o", _dir);
                string obj = Path.Combine(_dir, $"{Path.GetFileName(exe)}.bpf.o");
                (_ours, _, _oursStdout, _oursStderr) = BpfSharpTool.StartAttached(["run", obj, .. runArgs]);

                // Line-buffered: the tools print through stdio, which a pipe would otherwise hold until exit.
                var psi = new ProcessStartInfo("stdbuf") { RedirectStandardOutput = true, RedirectStandardError = true };
                foreach (var a in (string[])["-oL", exe, .. toolArgs]) psi.ArgumentList.Add(a);
                _tool = Process.Start(psi)!;
                var readyLine = new TaskCompletionSource();
                _tool.OutputDataReceived += (_, e) =>
                {
                    if (e.Data is null) return;
                    lock (_toolLines) _toolLines.Add(e.Data);
                    if (e.Data.Contains(ready, StringComparison.Ordinal)) readyLine.TrySetResult();
                };
                _tool.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (_toolLines) _toolLines.Add("stderr: " + e.Data); };
                _tool.BeginOutputReadLine();
                _tool.BeginErrorReadLine();
                // A tool that prints nothing until it stops (offcputime) is attached once it holds a BPF link.
                var patience = TestKernel.Patience(30);
                if (ready.Length == 0 ? !HoldsLink(_tool, patience) : !readyLine.Task.Wait(patience))
                    Assert.Fail($"{tool} did not {(ready.Length == 0 ? "attach" : $"print '{ready}' (attached)")} in {patience.TotalSeconds} s:\n{string.Join('\n', ToolLines)}");
                // Some tools (execsnoop) print their header before they open their perf buffer: events until then are lost.
                Thread.Sleep(500);
            }
            catch
            {
                foreach (var p in new[] { _tool, _ours })
                {
                    if (p is not null && !p.HasExited) p.Kill(entireProcessTree: true);
                    p?.Dispose();
                }
                Directory.Delete(_dir, recursive: true);
                throw;
            }
        }

        private static bool HoldsLink(Process p, TimeSpan timeout)
        {
            var deadline = DateTime.UtcNow + timeout;
            while (DateTime.UtcNow < deadline && !p.HasExited)
            {
                try
                {
                    if (Directory.EnumerateFileSystemEntries($"/proc/{p.Id}/fd").Any(fd => new FileInfo(fd).LinkTarget == "anon_inode:bpf_link"))
                        return true;
                }
                catch (IOException) { /* an fd closed while listed */ }
                Thread.Sleep(50);
            }
            return false;
        }

        /// <summary>How many of the tool's fds are <paramref name="target"/> (<c>anon_inode:bpf-prog</c>: the programs it loaded).</summary>
        public int ToolHolds(string target) =>
            Directory.EnumerateFileSystemEntries($"/proc/{_tool.Id}/fd").Count(fd => new FileInfo(fd).LinkTarget == target);

        public IReadOnlyList<string> ToolLines
        {
            get { lock (_toolLines) return [.. _toolLines]; }
        }

        public string OursStdout { get; private set; } = "";

        public IEnumerable<JsonElement> OurJson => OursStdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement);

        /// <summary>The JSON lines bpfsharp has printed so far, while it runs (a line still being written left out).</summary>
        public IReadOnlyList<JsonElement> OurJsonSoFar()
        {
            string printed = _oursStdout();
            return [.. printed[..(printed.LastIndexOf('\n') + 1)].Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement)];
        }

        public IEnumerable<JsonElement> OurEvents => OurJson.Where(l => l.TryGetProperty("event", out _)).Select(l => l.GetProperty("event"));

        /// <summary>Stops both at the same moment (the tools print their summary on SIGINT; bpfsharp on SIGTERM too).</summary>
        public void Stop()
        {
            TestKernel.Run("kill", "-INT", _tool.Id.ToString());
            TestKernel.Run("kill", "-TERM", _ours.Id.ToString());
            Assert.True(_tool.WaitForExit(TestKernel.Patience(30)), "the tool did not stop on SIGINT");
            _tool.WaitForExit();
            Assert.True(_ours.WaitForExit(TestKernel.Patience(30)), "bpfsharp did not stop on SIGTERM");
            OursStdout = _oursStdout();
            Assert.True(_ours.ExitCode == 0, $"bpfsharp exited {_ours.ExitCode}: {_oursStderr}");
        }

        public string Describe() => $"tool:\n{string.Join('\n', ToolLines)}\nbpfsharp:\n{OursStdout}\n{_oursStderr}";

        public void Dispose()
        {
            foreach (var p in new[] { _tool, _ours })
            {
                if (!p.HasExited) p.Kill(entireProcessTree: true);
                p.Dispose();
            }
            Directory.Delete(_dir, recursive: true);
        }
    }

    /// <summary>A copy of <paramref name="source"/> under a name of its own, so that its command is recognisable.</summary>
    internal static string Distinctive(string source)
    {
        string path = Path.Combine(Path.GetTempPath(), $"bsx{Guid.NewGuid():N}"[..15]);
        File.Copy(source, path);
        return path;
    }

    internal static int RunToEnd(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stderr = p.StandardError.ReadToEndAsync();
        _ = p.StandardOutput.ReadToEndAsync();
        p.WaitForExit();
        LastStderr = stderr.Result;
        return p.Id;
    }

    /// <summary>What the last <see cref="RunToEnd"/> printed on standard error (for failure messages).</summary>
    internal static string LastStderr { get; set; } = "";

    internal static string[] Columns(string line) => line.Split(' ', StringSplitOptions.RemoveEmptyEntries);

    /// <summary>Whether the running kernel has <paramref name="function"/>, its own or a loaded module's ("ADDRESS T NAME\t[MODULE]").</summary>
    internal static bool InKallsyms(string function) =>
        File.ReadLines("/proc/kallsyms").Any(l => l.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries) is [_, _, var name, ..] && name == function);

    [Fact]
    public void Execsnoop()
    {
        string command = Distinctive("/bin/true");
        try
        {
            using var twin = new Twin("execsnoop", [], "PCOMM", "--json");
            int pid = RunToEnd(command, "alpha", "beta");
            Thread.Sleep(300);
            twin.Stop();
            string name = Path.GetFileName(command);
            // PCOMM PID PPID RET ARGS
            var tool = twin.ToolLines.Select(Columns).Where(c => c.Length >= 5 && c[0] == name).ToList();
            var ours = twin.OurEvents.Where(e => e.GetProperty("comm").GetString() == name).ToList();
            Assert.True(tool.Count == 1 && ours.Count == 1, twin.Describe());
            Assert.Equal(pid, int.Parse(tool[0][1]));
            Assert.Equal(pid, ours[0].GetProperty("pid").GetInt32());
            Assert.Equal(int.Parse(tool[0][2]), ours[0].GetProperty("ppid").GetInt32());
            Assert.Equal(Environment.ProcessId, ours[0].GetProperty("ppid").GetInt32());
            Assert.Equal(int.Parse(tool[0][3]), ours[0].GetProperty("retval").GetInt32());
            Assert.Equal([command, "alpha", "beta"], tool[0][4..]);
            // struct event (7,720 bytes) arrives cut after its last argument: decoded from the object's own BTF,
            // its args buffer as every string the program put there, not the first only.
            Assert.Equal(3, ours[0].GetProperty("args_count").GetInt32());
            Assert.Equal(tool[0][4..], ours[0].GetProperty("args").EnumerateArray().Select(a => a.GetString()!));
        }
        finally { File.Delete(command); }
    }

    private const string OpensnoopEvent = "struct event { __u64 ts; pid_t pid; uid_t uid; int ret; int flags; __u64 callers[2]; char comm[16]; char fname[255]; };";

    [Fact]
    public void Opensnoop()
    {
        string present = Path.Combine(Path.GetTempPath(), $"bsx-open-{Guid.NewGuid():N}");
        string missing = present + "-missing";
        File.WriteAllText(present, "x");
        try
        {
            using var twin = new Twin("opensnoop", [], "PATH", "--json", "--types", OpensnoopEvent);
            int opened = RunToEnd("/bin/cat", present);
            int failed = RunToEnd("/bin/cat", missing);
            Thread.Sleep(300);
            twin.Stop();
            foreach (var (path, pid) in new[] { (present, opened), (missing, failed) })
            {
                // PID COMM FD ERR PATH
                var tool = twin.ToolLines.Select(Columns).Where(c => c.Length == 5 && c[4] == path).ToList();
                var ours = twin.OurEvents.Where(e => e.GetProperty("fname").GetString() == path).ToList();
                Assert.True(tool.Count == 1 && ours.Count == 1, twin.Describe());
                Assert.Equal(pid, int.Parse(tool[0][0]));
                Assert.Equal(pid, ours[0].GetProperty("pid").GetInt32());
                Assert.Equal(tool[0][1], ours[0].GetProperty("comm").GetString());
                int ret = ours[0].GetProperty("ret").GetInt32();
                Assert.Equal(int.Parse(tool[0][2]), ret >= 0 ? ret : -1);
                Assert.Equal(int.Parse(tool[0][3]), ret >= 0 ? 0 : -ret);
            }
            Assert.Equal("2", twin.ToolLines.Select(Columns).Single(c => c.Length == 5 && c[4] == missing)[3]); // ENOENT
        }
        finally { File.Delete(present); }
    }

    [Fact]
    public void Exitsnoop()
    {
        using var twin = new Twin("exitsnoop", [], "PCOMM", "--json", "--types",
            "struct event { __u64 start_time; __u64 exit_time; __u32 pid; __u32 tid; __u32 ppid; __u32 sig; int exit_code; char comm[16]; };");
        string sh = Distinctive("/bin/sh");
        try
        {
            int three = RunToEnd(sh, "-c", "exit 3");
            int zero = RunToEnd(sh, "-c", "exit 0");
            Thread.Sleep(300);
            twin.Stop();
            foreach (var (pid, code) in new[] { (three, 3), (zero, 0) })
            {
                // PCOMM PID PPID TID AGE(s) EXIT_CODE ("0", "code 3", "signal 9 (Killed)")
                var tool = twin.ToolLines.Select(Columns).Where(c => c.Length >= 6 && c[1] == pid.ToString()).ToList();
                var ours = twin.OurEvents.Where(e => e.GetProperty("pid").GetInt32() == pid).ToList();
                Assert.True(tool.Count == 1 && ours.Count == 1, twin.Describe());
                Assert.Equal(Path.GetFileName(sh), tool[0][0]);
                Assert.Equal(tool[0][0], ours[0].GetProperty("comm").GetString());
                Assert.Equal(int.Parse(tool[0][2]), ours[0].GetProperty("ppid").GetInt32());
                Assert.Equal(int.Parse(tool[0][3]), ours[0].GetProperty("tid").GetInt32());
                Assert.Equal(code == 0 ? "0" : $"code {code}", string.Join(' ', tool[0][5..]));
                Assert.Equal(code, ours[0].GetProperty("exit_code").GetInt32());
                Assert.Equal(0, ours[0].GetProperty("sig").GetInt32());
            }
        }
        finally { File.Delete(sh); }
    }

    [Fact]
    public void Runqlat() => CompareHistograms("runqlat");

    [Fact]
    public void Cpudist()
    {
        // Its user space sizes the start and hists maps at pid_max; the object says 0.
        string pidMax = File.ReadAllText("/proc/sys/kernel/pid_max").Trim();
        CompareHistograms("cpudist", "--map-size", $"start={pidMax}", "--map-size", $"hists={pidMax}");
    }

    /// <summary>
    /// A log2 histogram tool (runqlat: run-queue latency, cpudist: on-CPU time) and its twin over the same load, the
    /// slots within the noise of two observers. Both count only one process (-p, targ_tgid in .rodata), which
    /// starts its load once both are attached: a shell that waits for a line, then becomes a program sleeping a
    /// millisecond at a time (each wake-up waits for a CPU, each run is a slice of CPU time).
    /// </summary>
    private static void CompareHistograms(string tool, params string[] runArgs)
    {
        string python = TestKernel.RequireTool("python3");
        var psi = new ProcessStartInfo("/bin/sh") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in (string[])["-c", $"read go; exec {python} -c 'import time\nfor _ in range(1500): time.sleep(0.001)'"]) psi.ArgumentList.Add(a);
        using var child = Process.Start(psi)!;
        try
        {
            string pid = child.Id.ToString();
            using var twin = new Twin(tool, ["-p", pid], "Tracing", ["--hist", "hists=usecs", "--set", $"targ_tgid={pid}", .. runArgs]);
            child.StandardInput.WriteLine("go");
            child.StandardInput.Close();
            Assert.True(child.WaitForExit(30_000), "the load did not finish");
            Thread.Sleep(200);
            twin.Stop();
            var theirs = Histogram(twin.ToolLines);
            var ours = Histogram(twin.OursStdout.Split('\n'));
            Assert.True(theirs.Count > 0 && ours.Count > 0, twin.Describe());
            double toolTotal = theirs.Values.Sum(), ourTotal = ours.Values.Sum();
            // runqlat counts thousands here; cpudist, filtered by pid, only some (8 to 90 in runs on this host).
            Assert.True(toolTotal > 0, $"nothing counted: the load did not run\n{twin.Describe()}");
            // Two observers of the same process: a few events differ where one had stopped and the other not.
            double noise = Math.Max(2, 0.05 * toolTotal);
            Assert.True(Math.Abs(toolTotal - ourTotal) <= noise, $"totals {toolTotal} and {ourTotal}\n{twin.Describe()}");
            AssertLatencySlotsAlike(theirs, ours, twin.Describe);
        }
        finally
        {
            if (!child.HasExited) child.Kill();
        }
    }

    /// <summary>
    /// Two latency histograms of the same events. Each side times an event with its own clock reads, at hooks where
    /// the other's program runs too (one after the other): an event near a slot's edge lands on either side of it,
    /// more of them the more the events crowd one edge and the busier the machine. Each slot within a tenth of the
    /// events, or 3 (biolatency on a loaded host: 13 of 200 writes crossed the 16 µs edge one way; a slot shifted,
    /// or counts read from the wrong place, move far more).
    /// </summary>
    internal static void AssertLatencySlotsAlike(Dictionary<ulong, double> theirs, Dictionary<ulong, double> ours, Func<string> describe)
    {
        double noise = Math.Max(3, 0.1 * theirs.Values.Sum());
        foreach (var slot in theirs.Keys.Union(ours.Keys))
            Assert.True(Math.Abs(theirs.GetValueOrDefault(slot) - ours.GetValueOrDefault(slot)) <= noise,
                $"slot {slot}: {theirs.GetValueOrDefault(slot)} counted by the tool, {ours.GetValueOrDefault(slot)} by bpfsharp\n{describe()}");
    }

    /// <summary>Slot low bound → count, from a histogram drawn as print_log2_hist draws it.</summary>
    internal static Dictionary<ulong, double> Histogram(IEnumerable<string> lines) =>
        lines.Select(l => HistogramRow().Match(l)).Where(m => m.Success)
            .ToDictionary(m => ulong.Parse(m.Groups[1].Value), m => double.Parse(m.Groups[3].Value));

    [Fact]
    public void Syscount()
    {
        // A shell that waits for a line, then becomes dd: a known pid making a known number of reads and writes.
        var psi = new ProcessStartInfo("/bin/sh") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in (string[])["-c", "read go; exec dd if=/dev/zero of=/dev/null bs=1 count=3000"]) psi.ArgumentList.Add(a);
        using var child = Process.Start(psi)!;
        try
        {
            using var twin = new Twin("syscount", ["-p", child.Id.ToString()], "Tracing", "--json", "--set", $"filter_pid={child.Id}");
            child.StandardInput.WriteLine("go");
            child.StandardInput.Close();
            child.WaitForExit();
            Thread.Sleep(300);
            twin.Stop();
            // SYSCALL COUNT, by name; bpfsharp shows the map: syscall number → {count ...}.
            var tool = twin.ToolLines.Select(Columns).Where(c => c.Length == 2 && long.TryParse(c[1], out _)).ToDictionary(c => c[0], c => long.Parse(c[1]));
            var data = twin.OurJson.Last(l => l.TryGetProperty("maps", out _)).GetProperty("maps").GetProperty("data").EnumerateArray()
                .ToDictionary(e => e.GetProperty("key").GetInt32(), e => e.GetProperty("value").GetProperty("count").GetInt64());
            var numbers = RuntimeInformation.ProcessArchitecture == Architecture.Arm64
                ? new Dictionary<string, int> { ["read"] = 63, ["write"] = 64 }
                : new Dictionary<string, int> { ["read"] = 0, ["write"] = 1 };
            foreach (var (name, nr) in numbers)
            {
                Assert.True(tool.TryGetValue(name, out long count) && count >= 3000, $"{name}\n{twin.Describe()}");
                Assert.Equal(count, data.GetValueOrDefault(nr));
            }
            // The tool lists its top 10: the same counts as bpfsharp's ten largest.
            Assert.Equal(tool.Values.OrderDescending(), data.Values.OrderDescending().Take(tool.Count));
        }
        finally
        {
            if (!child.HasExited) child.Kill();
        }
    }

    [Fact]
    public void Bashreadline()
    {
        string bash = TestKernel.RequireTool("bash");
        string script = TestKernel.RequireTool("script");
        using var twin = new Twin("bashreadline", [], "COMMAND", "--json", "--binary", bash, "--types", "struct str_t { __u32 pid; char str[80]; };");
        string line = $"echo bsx-{Guid.NewGuid():N}"[..20];
        // readline reads only from a terminal: script gives the shell one.
        var psi = new ProcessStartInfo(script) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in (string[])["-qfc", $"{bash} --norc --noprofile -i", "/dev/null"]) psi.ArgumentList.Add(a);
        using (var p = Process.Start(psi)!)
        {
            p.StandardInput.WriteLine(line);
            p.StandardInput.WriteLine("exit");
            p.StandardInput.Flush();
            _ = p.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
            Assert.True(p.WaitForExit(20_000), "the interactive shell did not exit");
        }
        Thread.Sleep(300);
        twin.Stop();
        // TIME PID COMMAND
        var tool = twin.ToolLines.Where(l => l.EndsWith(line, StringComparison.Ordinal)).Select(Columns).ToList();
        var ours = twin.OurEvents.Where(e => e.GetProperty("str").GetString() == line).ToList();
        Assert.True(tool.Count == 1 && ours.Count == 1, twin.Describe());
        Assert.Equal(int.Parse(tool[0][1]), ours[0].GetProperty("pid").GetInt32());
    }

    [Fact]
    public void Sigsnoop()
    {
        // The tool traces signal_generate unless asked for the kill syscalls: its twin loads that program only.
        using var twin = new Twin("sigsnoop", [], "RESULT", "--json", "--program", "sig_trace", "--types",
            "struct event { __u32 pid; __u32 tpid; int sig; int ret; char comm[16]; };");
        using var target = Process.Start("sleep", "20")!;
        int killer = RunToEnd("/bin/kill", "-TERM", target.Id.ToString());
        target.WaitForExit();
        Thread.Sleep(300);
        twin.Stop();
        // TIME PID COMM SIG TPID RESULT
        var tool = twin.ToolLines.Select(Columns).Where(c => c.Length == 6 && c[4] == target.Id.ToString() && c[3] == "15").ToList();
        var ours = twin.OurEvents.Where(e => e.GetProperty("tpid").GetInt32() == target.Id && e.GetProperty("sig").GetInt32() == 15).ToList();
        Assert.True(tool.Count == 1 && ours.Count == 1, twin.Describe());
        Assert.Equal(killer, int.Parse(tool[0][1]));
        Assert.Equal(killer, ours[0].GetProperty("pid").GetInt32());
        Assert.Equal(tool[0][2], ours[0].GetProperty("comm").GetString());
        Assert.Equal(int.Parse(tool[0][5]), ours[0].GetProperty("ret").GetInt32());
    }
}
