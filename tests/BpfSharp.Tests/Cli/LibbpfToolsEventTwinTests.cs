using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using BpfSharp.Tests.Support;

namespace BpfSharp.Tests.Cli;

/// <summary>
/// More twins of <see cref="LibbpfToolsTwinTests"/>: the event tools that run on this kernel (kill signals, TCP
/// state changes and lifetimes, mounts, name lookups, run-queue delays, Java GCs). Record layouts are the tools'
/// headers (libbpf-tools 0.26), given with --types as a user would; programs the tools' user space attaches itself
/// are placed with --attach.
/// </summary>
public sealed partial class LibbpfToolsTwinTests
{
    [Fact]
    public void Killsnoop()
    {
        // killsnoop is sigsnoop traced at the kill syscalls (the name selects them): its twin leaves signal_generate out.
        using var twin = new Twin("killsnoop", [], "RESULT", "--json", "--no-program", "sig_trace", "--types",
            "struct event { __u32 pid; __u32 tpid; int sig; int ret; char comm[16]; };");
        using var target = Process.Start("sleep", "20")!;
        int killer = RunToEnd("/bin/kill", "-USR1", target.Id.ToString());
        int missing = RunToEnd("/bin/sh", "-c", "kill -TERM 2147483000 2>/dev/null");
        target.WaitForExit();
        Thread.Sleep(300);
        twin.Stop();
        // TIME PID COMM SIG TPID RESULT
        foreach (var (pid, tpid, sig) in new[] { (killer, target.Id, 10), (missing, 2147483000, 15) })
        {
            var tool = twin.ToolLines.Select(Columns).Where(c => c.Length == 6 && c[1] == pid.ToString() && c[4] == tpid.ToString()).ToList();
            var ours = twin.OurEvents.Where(e => e.GetProperty("pid").GetInt32() == pid && e.GetProperty("tpid").GetInt64() == tpid).ToList();
            Assert.True(tool.Count == 1 && ours.Count == 1, twin.Describe());
            Assert.Equal(sig, int.Parse(tool[0][3]));
            Assert.Equal(sig, ours[0].GetProperty("sig").GetInt32());
            Assert.Equal(tool[0][2], ours[0].GetProperty("comm").GetString());
            Assert.Equal(int.Parse(tool[0][5]), ours[0].GetProperty("ret").GetInt32());
        }
        Assert.Equal(-3, twin.OurEvents.Single(e => e.GetProperty("pid").GetInt32() == missing).GetProperty("ret").GetInt32()); // ESRCH
    }

    /// <summary>A loopback connection made by a python process: sends 1,000 bytes, gets 300 back, closes.</summary>
    internal static (int Pid, int ListenPort, int ClientPort) LoopbackConnection()
    {
        string python = TestKernel.RequireTool("python3");
        const string script = """
            import socket, os
            s = socket.socket(); s.bind(('127.0.0.1', 0)); s.listen()
            c = socket.create_connection(('127.0.0.1', s.getsockname()[1])); a, _ = s.accept()
            c.sendall(b'x' * 1000); n = 0
            while n < 1000: n += len(a.recv(4096))
            a.sendall(b'y' * 300); n = 0
            while n < 300: n += len(c.recv(4096))
            print(s.getsockname()[1], c.getsockname()[1], flush=True)
            c.close(); a.close(); s.close()
            """;
        var psi = new ProcessStartInfo(python) { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add(script);
        using var p = Process.Start(psi)!;
        string line = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, p.StandardError.ReadToEnd());
        var ports = Columns(line.Trim());
        return (p.Id, int.Parse(ports[0]), int.Parse(ports[1]));
    }

    private const string TcpstatesEvent = "struct event { __u32 saddr[4]; __u32 daddr[4]; __u64 skaddr; __u64 ts_us; __u64 delta_us; __u32 pid; int oldstate; int newstate; __u16 family; __u16 sport; __u16 dport; char task[16]; } __attribute__((aligned(16)));";

    private static readonly string[] TcpStateNames = ["", "ESTABLISHED", "SYN_SENT", "SYN_RECV", "FIN_WAIT1", "FIN_WAIT2", "TIME_WAIT", "CLOSE", "CLOSE_WAIT", "LAST_ACK", "LISTEN", "CLOSING", "NEW_SYN_RECV"];

    /// <summary>The changes as a chain: the first starts from a state no change ends in, each next from where the last ended.</summary>
    private static List<T> InStateOrder<T>(List<T> changes, Func<T, string> from, Func<T, string> to)
    {
        var left = Enumerable.Range(0, changes.Count).ToList();
        int start = left.FindIndex(i => !left.Any(j => j != i && to(changes[j]) == from(changes[i])));
        if (start < 0) return changes;
        var chain = new List<int> { left[start] };
        left.RemoveAt(start);
        for (int next; (next = left.FindIndex(i => from(changes[i]) == to(changes[chain[^1]]))) >= 0; left.RemoveAt(next))
            chain.Add(left[next]);
        chain.AddRange(left);
        return chain.Select(i => changes[i]).ToList();
    }

    [Fact]
    public void Tcpstates()
    {
        using var twin = new Twin("tcpstates", [], "SKADDR", "--json", "--types", TcpstatesEvent);
        var (pid, listen, client) = LoopbackConnection();
        Thread.Sleep(300);
        twin.Stop();
        // SKADDR PID COMM LADDR LPORT RADDR RPORT OLDSTATE -> NEWSTATE MS: every change of the client's socket.
        var tool = twin.ToolLines.Select(Columns).Where(c => c.Length == 11 && c[4] == client.ToString() && c[6] == listen.ToString()).ToList();
        var ours = twin.OurEvents.Where(e => e.GetProperty("sport").GetInt32() == client && e.GetProperty("dport").GetInt32() == listen).ToList();
        // The events come through per-CPU perf rings, which each reader drains in its own order: both are put in
        // the order of the socket's state changes (each change starts from the state the previous one ended in).
        tool = InStateOrder(tool, c => c[7], c => c[9]);
        ours = InStateOrder(ours, e => TcpStateNames[e.GetProperty("oldstate").GetInt32()], e => TcpStateNames[e.GetProperty("newstate").GetInt32()]);
        // SYN_SENT -> ESTABLISHED -> FIN_WAIT1 -> FIN_WAIT2 -> CLOSE (or TIME_WAIT): at least four.
        Assert.True(tool.Count >= 4 && tool.Count == ours.Count, twin.Describe());
        for (int i = 0; i < tool.Count; i++)
        {
            var e = ours[i];
            Assert.Equal(tool[i][0], e.GetProperty("skaddr").GetUInt64().ToString("x"));
            Assert.Equal(tool[i][7], TcpStateNames[e.GetProperty("oldstate").GetInt32()]);
            Assert.Equal(tool[i][9], TcpStateNames[e.GetProperty("newstate").GetInt32()]);
            Assert.Equal(tool[i][3], Address(e.GetProperty("saddr")));
            Assert.Equal(tool[i][5], Address(e.GetProperty("daddr")));
            Assert.Equal(int.Parse(tool[i][1]), e.GetProperty("pid").GetInt32());
            Assert.Equal(tool[i][2], e.GetProperty("task").GetString());
        }
        // Before the handshake the socket has no local port (CLOSE -> SYN_SENT shows port 0): both start at its end.
        Assert.Equal(["SYN_SENT", "ESTABLISHED"], new[] { tool[0][7], tool[0][9] });
        Assert.Contains(ours, e => e.GetProperty("pid").GetInt32() == pid);
    }

    /// <summary>An IPv4 address from its __u32[4] (network byte order in memory, read as little-endian words).</summary>
    internal static string Address(JsonElement words) =>
        new IPAddress(BitConverter.GetBytes(words[0].GetUInt32())).ToString();

    [Fact]
    public void Tcplife()
    {
        using var twin = new Twin("tcplife", [], "PID", "--json", "--types",
            "struct event { __u32 saddr[4]; __u32 daddr[4]; __u64 ts_us; __u64 span_us; __u64 rx_b; __u64 tx_b; __u32 pid; __u16 sport; __u16 dport; __u16 family; char comm[16]; } __attribute__((aligned(16)));");
        var (pid, listen, client) = LoopbackConnection();
        Thread.Sleep(300);
        twin.Stop();
        // PID COMM LADDR LPORT RADDR RPORT TX_KB RX_KB MS: one line per side of the connection.
        foreach (var (local, remote, tx, rx) in new[] { (client, listen, 1000, 300), (listen, client, 300, 1000) })
        {
            var tool = twin.ToolLines.Select(Columns).Where(c => c.Length == 9 && c[3] == local.ToString() && c[5] == remote.ToString()).ToList();
            var ours = twin.OurEvents.Where(e => e.GetProperty("sport").GetInt32() == local && e.GetProperty("dport").GetInt32() == remote).ToList();
            Assert.True(tool.Count == 1 && ours.Count == 1, twin.Describe());
            Assert.Equal(pid, int.Parse(tool[0][0]));
            Assert.Equal(pid, ours[0].GetProperty("pid").GetInt32());
            Assert.Equal(tool[0][1], ours[0].GetProperty("comm").GetString());
            Assert.Equal(tool[0][2], Address(ours[0].GetProperty("saddr")));
            Assert.Equal(tool[0][4], Address(ours[0].GetProperty("daddr")));
            // The kernel's byte counters (bytes_acked, bytes_received) count the SYN and FIN too.
            long txb = ours[0].GetProperty("tx_b").GetInt64(), rxb = ours[0].GetProperty("rx_b").GetInt64();
            Assert.InRange(txb, tx, tx + 2);
            Assert.InRange(rxb, rx, rx + 2);
            Assert.Equal(tool[0][6], (txb / 1024.0).ToString("0.00", System.Globalization.CultureInfo.InvariantCulture));
            Assert.Equal(tool[0][7], (rxb / 1024.0).ToString("0.00", System.Globalization.CultureInfo.InvariantCulture));
        }
    }

    // libbpf-tools 0.26's layout (later versions moved op up and made the call's fields a union).
    private const string MountsnoopEvent = "struct event { __u64 delta; __u64 flags; __u32 pid; __u32 tid; unsigned int mnt_ns; int ret; char comm[16]; char fs[8]; char src[4096]; char dest[4096]; char data[512]; int op; };";

    [Fact]
    public void Mountsnoop()
    {
        string unshare = TestKernel.RequireTool("unshare");
        string dir = Directory.CreateTempSubdirectory("bsx-twins-mnt-").FullName;
        try
        {
            using var twin = new Twin("mountsnoop", [], "CALL", "--json", "--types", MountsnoopEvent);
            // In a mount namespace of its own: nothing of it is left behind.
            var psi = new ProcessStartInfo(unshare) { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var a in (string[])["-m", "--propagation", "private", "/bin/sh", "-c", $"mount -t tmpfs -o size=1m bsx-twins {dir} && umount {dir}"]) psi.ArgumentList.Add(a);
            using (var p = Process.Start(psi)!)
            {
                p.WaitForExit();
                Assert.True(p.ExitCode == 0, p.StandardError.ReadToEnd());
            }
            Thread.Sleep(300);
            twin.Stop();
            // COMM PID TID MNT_NS CALL: mount("bsx-twins", DIR, "tmpfs", 0x0, "size=1m") = 0 and umount(DIR, 0x0) = 0
            var mount = twin.ToolLines.Where(l => l.Contains($"mount(\"bsx-twins\", \"{dir}\", \"tmpfs\", 0x0, \"size=1m\") = 0", StringComparison.Ordinal)).Select(Columns).ToList();
            var umount = twin.ToolLines.Where(l => l.Contains($"umount(\"{dir}\", 0x0) = 0", StringComparison.Ordinal)).Select(Columns).ToList();
            var ours = twin.OurEvents.Where(e => e.GetProperty("dest").GetString() == dir).ToList();
            Assert.True(mount.Count == 1 && umount.Count == 1 && ours.Count == 2, twin.Describe());
            foreach (var (tool, op) in new[] { (mount[0], 0), (umount[0], 1) }) // enum op { MOUNT, UMOUNT }
            {
                var e = ours.Single(x => x.GetProperty("op").GetInt32() == op);
                Assert.Equal(tool[0], e.GetProperty("comm").GetString());
                Assert.Equal(int.Parse(tool[1]), e.GetProperty("pid").GetInt32());
                Assert.Equal(int.Parse(tool[2]), e.GetProperty("tid").GetInt32());
                Assert.Equal(uint.Parse(tool[3]), e.GetProperty("mnt_ns").GetUInt32());
                Assert.Equal(0, e.GetProperty("ret").GetInt32());
                Assert.Equal(0ul, e.GetProperty("flags").GetUInt64());
            }
            var m = ours.Single(x => x.GetProperty("op").GetInt32() == 0);
            Assert.Equal("bsx-twins", m.GetProperty("src").GetString());
            Assert.Equal("tmpfs", m.GetProperty("fs").GetString());
            Assert.Equal("size=1m", m.GetProperty("data").GetString());
        }
        finally { Directory.Delete(dir); }
    }

    [Fact]
    public void Gethostlatency()
    {
        // The tool attaches its kprobe/dummy sections as uprobes on libc's resolver functions; so does its twin.
        string libc = LibcPath();
        string[] places = [.. new[] { "getaddrinfo", "gethostbyname", "gethostbyname2" }
            .SelectMany(f => new[] { "--attach", $"handle_entry=uprobe:{libc}:{f}", "--attach", $"handle_return=uretprobe:{libc}:{f}" })];
        using var twin = new Twin("gethostlatency", [], "HOST", ["--json", "--types", "struct event { __u64 time; __u32 pid; char comm[16]; char host[80]; };", .. places]);
        string host = $"bsx{Guid.NewGuid():N}"[..20] + ".invalid";
        string command = Distinctive(TestKernel.RequireTool("getent"));
        try
        {
            // getent ahosts asks getaddrinfo (a name that does not resolve); getent hosts asks gethostbyname2.
            int failed = RunToEnd(command, "ahosts", host);
            int resolved = RunToEnd(command, "hosts", "localhost");
            Thread.Sleep(300);
            twin.Stop();
            // TIME PID COMM LATms HOST
            foreach (var (name, pid) in new[] { (host, failed), ("localhost", resolved) })
            {
                // getent hosts asks once per address family: the same calls, in the same order, on both sides.
                var tool = twin.ToolLines.Select(Columns).Where(c => c.Length == 5 && c[1] == pid.ToString() && c[4] == name).ToList();
                var ours = twin.OurEvents.Where(e => e.GetProperty("pid").GetInt32() == pid && e.GetProperty("host").GetString() == name).ToList();
                Assert.True(tool.Count >= 1 && ours.Count == tool.Count, $"{LastStderr}\n{twin.Describe()}");
                for (int i = 0; i < tool.Count; i++)
                {
                    Assert.Equal(tool[i][2], ours[i].GetProperty("comm").GetString());
                    Assert.Equal(Path.GetFileName(command), ours[i].GetProperty("comm").GetString());
                    // Two observers time the same call: close, not equal.
                    double theirs = double.Parse(tool[i][3], System.Globalization.CultureInfo.InvariantCulture), mine = ours[i].GetProperty("time").GetUInt64() / 1e6;
                    Assert.True(mine > 0 && Math.Abs(theirs - mine) < Math.Max(1, theirs), $"{theirs} ms and {mine} ms\n{twin.Describe()}");
                }
            }
        }
        finally { File.Delete(command); }
    }

    private static string LibcPath() =>
        File.ReadLines("/proc/self/maps").Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)).Where(c => c.Length >= 6 && Path.GetFileName(c[5]).StartsWith("libc.so", StringComparison.Ordinal))
            .Select(c => c[5]).FirstOrDefault() ?? throw new InvalidOperationException("libc is not mapped in the test process");

    [Fact]
    public void Runqslower()
    {
        // A process that sleeps a millisecond at a time: each wake-up waits on the run queue. Both trace its pid
        // with the lowest threshold the tool takes (1 us), so nearly every wake-up is printed by both.
        string python = TestKernel.RequireTool("python3");
        var psi = new ProcessStartInfo("/bin/sh") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in (string[])["-c", $"read go; exec {python} -c 'import time\nfor _ in range(200): time.sleep(0.001)'"]) psi.ArgumentList.Add(a);
        using var child = Process.Start(psi)!;
        try
        {
            string pid = child.Id.ToString();
            using var twin = new Twin("runqslower", ["-p", pid, "1"], "LAT", "--json", "--set", $"targ_tgid={pid}", "--set", "min_us=1",
                "--types", "struct event { char task[16]; char prev_task[16]; __u64 delta_us; int pid; int prev_pid; };");
            child.StandardInput.WriteLine("go");
            child.StandardInput.Close();
            Assert.True(child.WaitForExit(30_000), "the load did not finish");
            Thread.Sleep(300);
            twin.Stop();
            // TIME COMM TID LAT(us)
            var tool = twin.ToolLines.Select(Columns).Where(c => c.Length == 4 && c[2] == pid).ToList();
            var ours = twin.OurEvents.Where(e => e.GetProperty("pid").GetInt32() == child.Id).ToList();
            Assert.True(tool.Count >= 20, $"the tool saw {tool.Count} wake-ups of 200\n{twin.Describe()}");
            Assert.True(Math.Abs(tool.Count - ours.Count) <= Math.Max(3, tool.Count / 20), $"{tool.Count} and {ours.Count} wake-ups\n{twin.Describe()}");
            // The same commands on both sides (the shell, then whatever it execs: a python3 launcher may come between).
            Assert.Equal(tool.Select(c => c[1]).ToHashSet(), ours.Select(e => e.GetProperty("task").GetString()!).ToHashSet());
        }
        finally
        {
            if (!child.HasExited) child.Kill();
        }
    }

    [Fact]
    public void Javagc()
    {
        // A JVM with HotSpot's probes (Debian's openjdk has them) that collects five times when told.
        string java = TestKernel.RequireTool("java");
        string dir = Directory.CreateTempSubdirectory("bsx-twins-java-").FullName;
        try
        {
            string source = Path.Combine(dir, "Collect.java");
            File.WriteAllText(source, """
                public class Collect {
                    public static void main(String[] args) throws Exception {
                        System.out.println("ready");
                        new java.io.BufferedReader(new java.io.InputStreamReader(System.in)).readLine();
                        for (int i = 0; i < 5; i++) System.gc();
                        System.out.println("done");
                    }
                }
                """);
            var psi = new ProcessStartInfo(java) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
            psi.ArgumentList.Add(source);
            using var jvm = Process.Start(psi)!;
            try
            {
                Assert.Equal("ready", jvm.StandardOutput.ReadLine());
                string pid = jvm.Id.ToString();
                // The tool attaches its four bare usdt programs to libjvm.so's hotspot probes of the one process.
                using var twin = new Twin("javagc", ["-p", pid, "-t", "0"], "GC TIME", "--json", "--pid", pid,
                    "--attach", "handle_gc_start=usdt::hotspot:gc__begin", "--attach", "handle_gc_end=usdt::hotspot:gc__end",
                    "--attach", "handle_mem_pool_gc_start=usdt::hotspot:mem__pool__gc__begin", "--attach", "handle_mem_pool_gc_end=usdt::hotspot:mem__pool__gc__end",
                    "--types", "struct data_t { __u32 cpu; __u32 pid; __u64 ts; };");
                jvm.StandardInput.WriteLine("go");
                jvm.StandardInput.Flush();
                Assert.Equal("done", jvm.StandardOutput.ReadLine());
                Thread.Sleep(300);
                twin.Stop();
                // TIME CPU PID GC TIME (us)
                var tool = twin.ToolLines.Select(Columns).Where(c => c.Length == 4 && c[2] == pid).ToList();
                var ours = twin.OurEvents.Where(e => e.GetProperty("pid").GetInt32() == jvm.Id).ToList();
                Assert.True(tool.Count >= 5 && tool.Count == ours.Count, twin.Describe());
                for (int i = 0; i < tool.Count; i++)
                {
                    Assert.Equal(int.Parse(tool[i][1]), ours[i].GetProperty("cpu").GetInt32());
                    // Each side times the collection with its own clock reads, a few microseconds apart.
                    double theirs = double.Parse(tool[i][3]), mine = ours[i].GetProperty("ts").GetUInt64() / 1000.0;
                    Assert.True(Math.Abs(theirs - mine) <= Math.Max(200, 0.1 * theirs), $"GC {i}: {theirs} us and {mine} us\n{twin.Describe()}");
                }
            }
            finally
            {
                if (!jvm.HasExited) jvm.Kill();
            }
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    [Fact]
    public void Funclatency()
    {
        // Its uprobe mode: the tool places its kprobe/dummy_* programs on libc's getpid in one process, as the twin
        // does with --attach and --pid; the histogram is a global array (hist in .bss), drawn with --hist hist.
        string python = TestKernel.RequireTool("python3");
        string libc = LibcPath();
        var psi = new ProcessStartInfo("/bin/sh") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in (string[])["-c", $"read go; exec {python} -c 'import os\nfor _ in range(2000): os.getpid()'"]) psi.ArgumentList.Add(a);
        using var child = Process.Start(psi)!;
        try
        {
            string pid = child.Id.ToString();
            using var twin = new Twin("funclatency", ["-p", pid, "c:getpid"], "Tracing", "--pid", pid, "--set", $"targ_tgid={pid}", "--hist", "hist=nsecs",
                "--attach", $"dummy_kprobe=uprobe:{libc}:getpid", "--attach", $"dummy_kretprobe=uretprobe:{libc}:getpid");
            child.StandardInput.WriteLine("go");
            child.StandardInput.Close();
            Assert.True(child.WaitForExit(30_000), "the load did not finish");
            Thread.Sleep(300);
            twin.Stop();
            var theirs = Histogram(twin.ToolLines);
            var ours = Histogram(twin.OursStdout.Split('\n'));
            // The same calls of one process: the same number; each timed by each side's own clock reads.
            Assert.True(theirs.Values.Sum() >= 2000, twin.Describe());
            Assert.Equal(theirs.Values.Sum(), ours.Values.Sum());
            AssertLatencySlotsAlike(theirs, ours, twin.Describe);
        }
        finally
        {
            if (!child.HasExited) child.Kill();
        }
    }

    [Fact]
    public void ExecsnoopText_ShowsEveryArgumentOfTheCutBuffer()
    {
        // The text form of what the Execsnoop twin checks in JSON: args=["FILE" "ARG" "" "ARG"], an empty argument kept.
        TestKernel.RequireRoot();
        string exe = TestKernel.RequireTool("execsnoop");
        string dir = Directory.CreateTempSubdirectory("bsx-twins-text-").FullName;
        string command = Distinctive("/bin/true");
        try
        {
            BpfSharpTool.Ok("object", "extract", exe, "-o", dir);
            var (p, _, stdout, stderr) = BpfSharpTool.StartAttached("run", Path.Combine(dir, "execsnoop.bpf.o"));
            using (p)
            {
                RunToEnd(command, "alpha", "", "beta gamma");
                Thread.Sleep(300);
                TestKernel.Run("kill", "-TERM", p.Id.ToString());
                Assert.True(p.WaitForExit(30_000), "bpfsharp did not stop on SIGTERM");
                string line = stdout().Split('\n').Single(l => l.Contains($"comm=\"{Path.GetFileName(command)}\"", StringComparison.Ordinal));
                Assert.EndsWith($"args=[\"{command}\" \"alpha\" \"\" \"beta gamma\"]", line);
                Assert.Contains("args_count=4 ", line);
            }
        }
        finally
        {
            File.Delete(command);
            Directory.Delete(dir, recursive: true);
        }
    }
}
