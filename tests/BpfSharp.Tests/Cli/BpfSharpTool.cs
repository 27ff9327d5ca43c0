using System.Diagnostics;
using System.Text;
using System.Text.Json;
using BpfSharp.Tests.Support;

namespace BpfSharp.Tests.Cli;

/// <summary>
/// The bpfsharp tool built beside the tests (BpfSharp.Cli.dll), run as a process with <c>dotnet</c>; or, when
/// BPFSHARP_TOOL names an executable, that one (the NativeAOT tool: the guests under emulation pay ~9 s per JIT start,
/// the native tool a fraction of a second).
/// </summary>
public static partial class BpfSharpTool
{
    [System.Text.RegularExpressions.GeneratedRegex(@"link (\d+)")]
    private static partial System.Text.RegularExpressions.Regex RunLinkId();

    /// <summary>
    /// Starts <c>bpfsharp run</c> and waits until it says it has attached; returns the process and the link ids.
    /// <c>Stdout()</c> is what it printed so far, and everything once it has exited.
    /// </summary>
    public static (Process Process, List<uint> Links, Func<string> Stdout, ToolStderr Stderr) StartAttached(params string[] args)
    {
        var p = Process.Start(BpfSharpTool.StartInfo(args))!;
        var printed = new StringBuilder();
        var reading = Task.Run(() =>
        {
            var buffer = new char[8192];
            for (int n; (n = p.StandardOutput.Read(buffer)) > 0;)
                lock (printed) printed.Append(buffer, 0, n);
        });
        string Stdout()
        {
            if (HasExited(p)) reading.Wait(TimeSpan.FromSeconds(30));
            lock (printed) return printed.ToString();
        }
        var stderr = new StringWriter();
        var links = new List<uint>();
        var deadline = DateTime.UtcNow + TestKernel.Patience(60);
        while (DateTime.UtcNow < deadline)
        {
            // Bounded by the deadline even when the tool hangs without a word.
            var next = p.StandardError.ReadLineAsync();
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero || !next.Wait(left)) break;
            string? line = next.Result;
            if (line is null) break;
            stderr.WriteLine(line);
            if (RunLinkId().Match(line) is { Success: true } m) links.Add(uint.Parse(m.Groups[1].Value));
            if (line.Contains("printing events", StringComparison.Ordinal) || line.Contains("no event maps", StringComparison.Ordinal))
            {
                var rest = Task.Run(() => p.StandardError.ReadToEnd());
                return (p, links, Stdout, new ToolStderr(p, stderr.ToString(), rest));
            }
        }
        p.Kill(entireProcessTree: true);
        Assert.Fail($"bpfsharp {string.Join(' ', args)} did not attach in {TestKernel.Patience(60).TotalSeconds} s: {stderr}");
        return default;
    }


    private static bool HasExited(Process process)
    {
        try { return process.HasExited; }
        catch (InvalidOperationException) { return true; }
    }

    /// <summary>
    /// What the tool wrote to stderr: the lines read until it attached, then the rest. Once the process has exited,
    /// <see cref="ToString"/> waits for the rest to be read (the pipe drains after the exit), so a test that checks
    /// the last lines after WaitForExit sees them.
    /// </summary>
    public sealed class ToolStderr(Process process, string untilAttached, Task<string> rest)
    {
        public override string ToString()
        {
            if (HasExited(process)) rest.Wait(TimeSpan.FromSeconds(30));
            return rest.IsCompletedSuccessfully ? untilAttached + rest.Result : untilAttached;
        }
    }

    public sealed record Result(int ExitCode, string Stdout, string Stderr)
    {
        public JsonElement Json => JsonDocument.Parse(Stdout).RootElement;

        public IEnumerable<JsonElement> JsonLines => Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement);
    }

    public static string Example(string name) => Path.Combine(AppContext.BaseDirectory, "Examples", name);

    public static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "Objects", "Fixtures", name);

    public static ProcessStartInfo StartInfo(params string[] args)
    {
        string? native = Environment.GetEnvironmentVariable("BPFSHARP_TOOL");
        var psi = new ProcessStartInfo(string.IsNullOrEmpty(native) ? "dotnet" : native)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        if (string.IsNullOrEmpty(native)) psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "BpfSharp.Cli.dll"));
        foreach (var a in args) psi.ArgumentList.Add(a);
        return psi;
    }

    /// <summary>Runs the tool to completion (killed after <paramref name="timeoutSeconds"/>).</summary>
    public static Result Run(params string[] args) => RunWithTimeout(120, args);

    public static Result RunWithTimeout(int timeoutSeconds, params string[] args) =>
        RunProcess(StartInfo(args), timeoutSeconds, $"bpfsharp {string.Join(' ', args)}");

    /// <summary>Runs a process to completion with its output captured (killed after <paramref name="timeoutSeconds"/>).</summary>
    public static Result RunProcess(ProcessStartInfo psi, int timeoutSeconds, string what)
    {
        psi.RedirectStandardOutput = true;
        psi.RedirectStandardError = true;
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(timeoutSeconds * 1000))
        {
            p.Kill(entireProcessTree: true);
            Assert.Fail($"{what} did not finish in {timeoutSeconds} s; stderr: {stderr.Result}");
        }
        p.WaitForExit();
        return new Result(p.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>Runs the tool and fails the test, with its standard error, unless it exits 0.</summary>
    public static Result Ok(params string[] args)
    {
        var r = Run(args);
        Assert.True(r.ExitCode == 0, $"bpfsharp {string.Join(' ', args)} exited {r.ExitCode}: {r.Stderr}");
        return r;
    }
}
