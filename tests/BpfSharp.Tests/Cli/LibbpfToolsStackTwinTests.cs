using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;
using BpfSharp.Tests.Support;

namespace BpfSharp.Tests.Cli;

/// <summary>
/// The stack twins: offcputime and wakeuptime keep stacks in a stack trace map and their ids in a hash map's keys;
/// bpfsharp shows those entries with the stacks symbolised. A python process of the test's, named with prctl,
/// sleeps or reads a pipe in a known way while both observe it: the same thread, command and kernel frames on both
/// sides (each side's stack starts in its own copy of the tool's program: the same code, so the same name).
/// </summary>
public sealed partial class LibbpfToolsTwinTests
{
    [GeneratedRegex(@"^\s+-\s+(.+) \((\d+)\)$")]
    private static partial Regex OffcpuOwner();

    [GeneratedRegex(@"^\t([0-9a-f]{16}) (\S+)$")]
    private static partial Regex WakeupFrame();

    /// <summary>Starts a python script, waits for its first line (what it says once ready), and returns both.</summary>
    private static (Process Process, string FirstLine) StartPython(string script)
    {
        string python = TestKernel.RequireTool("python3");
        var psi = new ProcessStartInfo(python) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add(script);
        var p = Process.Start(psi)!;
        string? line = p.StandardOutput.ReadLine();
        if (line is null) Assert.Fail($"the python load did not start: {p.StandardError.ReadToEnd()}");
        return (p, line);
    }

    /// <summary>The entries of map <paramref name="name"/> in bpfsharp's last map display.</summary>
    private static List<JsonElement> LastMap(Twin twin, string name) =>
        [.. twin.OurJson.Last(l => l.TryGetProperty("maps", out _)).GetProperty("maps").GetProperty(name).EnumerateArray()];

    /// <summary>A stack as the tools print it without -v: one function name per frame, "[unknown]" for an unnamed user frame.</summary>
    private static IEnumerable<string> FrameNames(JsonElement entry, string member, string unknown) =>
        entry.GetProperty("stacks").GetProperty(member) is { ValueKind: JsonValueKind.Array } frames
            ? frames.EnumerateArray().Select(f => f.TryGetProperty("symbol", out var s) ? s.GetString()! : unknown)
            : [];

    [Fact]
    public void Offcputime()
    {
        // Named bsxoffcpu; on "go", 40 sleeps of 50 ms in clock_nanosleep, then "done", then it waits on its stdin.
        var (child, _) = StartPython("""
            import ctypes, sys, time
            ctypes.CDLL(None).prctl(15, b"bsxoffcpu", 0, 0, 0)
            print("ready", flush=True)
            sys.stdin.readline()
            for _ in range(40): time.sleep(0.05)
            print("done", flush=True)
            sys.stdin.readline()
            """);
        using var _child = child;
        try
        {
            string pid = child.Id.ToString();
            // Its user space sizes the stack map (--stack-storage-size, 1024 by default) and filters by targ_tgid (-p).
            using var twin = new Twin("offcputime", ["-p", pid], "", "--json", "--map-size", "stackmap=1024", "--set", $"targ_tgid={pid}");
            child.StandardInput.WriteLine("go");
            child.StandardInput.Flush();
            Assert.Equal("done", child.StandardOutput.ReadLine());
            // Stopped while the process lives: both name its user frames from its mappings.
            twin.Stop();

            // The tool: each entry's kernel then user frames, "    -  COMM (PID)", then the off-CPU time in microseconds.
            var tool = new List<(string Stack, string Comm, int Pid, long Delta)>();
            var frames = new List<string>();
            var lines = twin.ToolLines.Where(l => !l.StartsWith("stderr: ", StringComparison.Ordinal)).ToList();
            for (int i = 0; i < lines.Count; i++)
            {
                if (OffcpuOwner().Match(lines[i]) is { Success: true } m)
                {
                    tool.Add((string.Join(" <- ", frames), m.Groups[1].Value, int.Parse(m.Groups[2].Value), long.Parse(lines[++i].Trim())));
                    frames = [];
                }
                else if (lines[i].Trim().Length == 0) frames = [];
                else frames.Add(lines[i].Trim());
            }
            // bpfsharp: the info map, key {pid tgid user_stack_id kern_stack_id} → {delta comm}, with its stacks; the
            // tool leaves out the entries whose time is 0 (a thread switched out and not back in).
            var ours = LastMap(twin, "info").Where(e => e.GetProperty("value").GetProperty("delta").GetInt64() > 0)
                .Select(e => (Stack: string.Join(" <- ", FrameNames(e, "kern_stack_id", "unknown").Concat(FrameNames(e, "user_stack_id", "[unknown]"))),
                    Comm: e.GetProperty("value").GetProperty("comm").GetString()!, Pid: e.GetProperty("key").GetProperty("pid").GetInt32(),
                    Delta: e.GetProperty("value").GetProperty("delta").GetInt64()))
                .ToList();

            // The sleeps: the schedule <- do_nanosleep chain, on both sides the same frames for the same thread and command.
            var theirSleeps = tool.Where(t => t.Pid == child.Id && t.Stack.Contains("do_nanosleep", StringComparison.Ordinal)).ToList();
            var ourSleeps = ours.Where(t => t.Pid == child.Id && t.Stack.Contains("do_nanosleep", StringComparison.Ordinal)).ToList();
            Assert.True(theirSleeps.Count > 0 && ourSleeps.Count > 0, twin.Describe());
            Assert.All(theirSleeps.Concat(ourSleeps), t => Assert.Equal("bsxoffcpu", t.Comm));
            Assert.Equal(theirSleeps.Select(t => t.Stack).Order(), ourSleeps.Select(t => t.Stack).Order());
            Assert.Contains("schedule <- do_nanosleep", theirSleeps[0].Stack, StringComparison.Ordinal);
            // 40 sleeps of 50 ms: at least 2 s off the CPU, measured by each side's own clock reads.
            long theirTime = theirSleeps.Sum(t => t.Delta), ourTime = ourSleeps.Sum(t => t.Delta);
            Assert.True(theirTime >= 2_000_000 && Math.Abs(theirTime - ourTime) <= 0.05 * theirTime, $"{theirTime} µs and {ourTime} µs\n{twin.Describe()}");
        }
        finally
        {
            if (!child.HasExited) child.Kill();
        }
    }

    [Fact]
    public void Wakeuptime()
    {
        // bsxwaker writes a byte 20 times, 50 ms apart, to a pipe that its child bsxwakee reads: each write wakes the reader.
        var (child, first) = StartPython("""
            import ctypes, os, sys, time
            libc = ctypes.CDLL(None)
            r, w = os.pipe()
            pid = os.fork()
            if pid == 0:
                libc.prctl(15, b"bsxwakee", 0, 0, 0)
                os.close(w)
                while os.read(r, 1): pass
                os._exit(0)
            libc.prctl(15, b"bsxwaker", 0, 0, 0)
            print(pid, flush=True)
            sys.stdin.readline()
            time.sleep(0.05)
            for _ in range(20):
                os.write(w, b"x")
                time.sleep(0.05)
            print("done", flush=True)
            sys.stdin.readline()
            os.close(w)
            os.waitpid(pid, 0)
            """);
        using var _child = child;
        try
        {
            string wakee = first.Trim();
            using var twin = new Twin("wakeuptime", ["-p", wakee], "Tracing", "--json", "--map-size", "stackmap=1024", "--set", $"targ_pid={wakee}");
            child.StandardInput.WriteLine("go");
            child.StandardInput.Flush();
            Assert.Equal("done", child.StandardOutput.ReadLine());
            twin.Stop();

            // The tool: "target: COMM", the waker's kernel frames "ADDRESS NAME", "waker: COMM", the blocked time in µs.
            var tool = new List<(string Target, string Waker, string Stack, long Time)>();
            var lines = twin.ToolLines;
            for (int i = 0; i < lines.Count; i++)
            {
                if (!lines[i].StartsWith("\ttarget:", StringComparison.Ordinal)) continue;
                string target = lines[i]["\ttarget:".Length..].Trim();
                var frames = new List<string>();
                for (i++; i < lines.Count && WakeupFrame().Match(lines[i]) is { Success: true } f; i++) frames.Add(f.Groups[2].Value);
                string waker = lines[i].Trim()["waker:".Length..].Trim();
                tool.Add((target, waker, string.Join(" <- ", frames), long.Parse(lines[++i].Trim())));
            }
            // bpfsharp: the counts map, key {waker target w_k_stack_id} → blocked time in ns.
            var ours = LastMap(twin, "counts").Select(e => (Target: e.GetProperty("key").GetProperty("target").GetString()!,
                Waker: e.GetProperty("key").GetProperty("waker").GetString()!, Stack: string.Join(" <- ", FrameNames(e, "w_k_stack_id", "unknown")),
                Time: e.GetProperty("value").GetInt64() / 1000)).ToList();

            var theirs = tool.Where(t => t.Target == "bsxwakee" && t.Waker == "bsxwaker").ToList();
            var mine = ours.Where(t => t.Target == "bsxwakee" && t.Waker == "bsxwaker").ToList();
            Assert.True(theirs.Count > 0 && mine.Count > 0, twin.Describe());
            // The writer's stack at each wake-up: its write through the pipe to try_to_wake_up, the same on both sides.
            Assert.Equal(theirs.Select(t => t.Stack).Order(), mine.Select(t => t.Stack).Order());
            Assert.Contains(theirs, t => t.Stack.Contains("try_to_wake_up", StringComparison.Ordinal) && t.Stack.Contains("pipe_write", StringComparison.Ordinal));
            long theirTime = theirs.Sum(t => t.Time), ourTime = mine.Sum(t => t.Time);
            Assert.True(theirTime >= 900_000 && Math.Abs(theirTime - ourTime) <= 0.05 * theirTime, $"{theirTime} µs and {ourTime} µs\n{twin.Describe()}");
        }
        finally
        {
            if (!child.HasExited) child.Kill(entireProcessTree: true);
        }
    }
}
