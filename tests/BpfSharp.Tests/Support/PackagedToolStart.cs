using System.Diagnostics;

namespace BpfSharp.Tests.Support;

/// <summary>
/// Starts a packaged libbpf tool alone to learn whether it runs on this kernel, and if not, why in its own words.
/// A twin is compared only where the tool itself runs; where it does not, its test skips with what the tool said.
/// </summary>
public static class PackagedToolStart
{
    /// <summary>What one start showed: whether the tool ran, and what it said about failing.</summary>
    public sealed record Outcome(string Tool, bool Started, int ExitCode, string Said)
    {
        /// <summary>Skips the calling test when the tool did not run, with its exit code and its words.</summary>
        public void SkipUnlessStarted()
        {
            if (!Started) Assert.Skip($"{Tool} does not run on this kernel (exit {ExitCode}): {Said}");
        }
    }

    /// <summary>
    /// Runs <paramref name="tool"/> until it prints <paramref name="ready"/> (when given), holds a BPF link, or is
    /// still running after <paramref name="within"/>; then interrupts it as a user would. A tool that exits before
    /// any of these did not start.
    /// </summary>
    public static Outcome Try(string tool, IEnumerable<string> args, string? ready = null, TimeSpan? within = null)
    {
        TestKernel.RequireRoot();
        string exe = TestKernel.RequireTool(tool);
        // Line-buffered: the tools print through stdio, which a pipe would otherwise hold until exit.
        var psi = new ProcessStartInfo("stdbuf") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        foreach (var a in (string[])["-oL", exe, .. args]) psi.ArgumentList.Add(a);
        var lines = new List<string>();
        bool printedReady = false;
        using var p = Process.Start(psi)!;
        p.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (lines)
            {
                lines.Add(e.Data);
                if (ready is not null && e.Data.Contains(ready, StringComparison.Ordinal)) printedReady = true;
            }
        };
        p.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (lines) lines.Add(e.Data); };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();

        var deadline = DateTime.UtcNow + (within ?? TestKernel.Patience(30));
        while (!p.HasExited && DateTime.UtcNow < deadline && !Volatile.Read(ref printedReady) && !HoldsBpfLink(p.Id))
            Thread.Sleep(50);
        bool started = !p.HasExited;
        if (started)
        {
            TestKernel.TryRun("kill", "-INT", p.Id.ToString());
            if (!p.WaitForExit(TestKernel.Patience(10))) p.Kill();
        }
        p.WaitForExit();
        lock (lines) return new Outcome(tool, started, p.ExitCode, WhyItFailed(lines));
    }

    private static bool HoldsBpfLink(int pid)
    {
        try { return Directory.EnumerateFileSystemEntries($"/proc/{pid}/fd").Any(fd => new FileInfo(fd).LinkTarget == "anon_inode:bpf_link"); }
        catch (IOException) { return false; /* it exited, or an fd closed while listed */ }
        catch (UnauthorizedAccessException) { return false; }
    }

    /// <summary>
    /// libbpf's failure lines ("failed to ...", "No such file", "Invalid argument") and the verifier's last word
    /// before its summary, rather than the whole verifier log; the first lines when it said none of these.
    /// </summary>
    private static string WhyItFailed(List<string> lines)
    {
        var words = lines.Where(l => l.Contains("fail", StringComparison.OrdinalIgnoreCase)
                                     || l.Contains("No such", StringComparison.Ordinal)
                                     || l.Contains("invalid", StringComparison.OrdinalIgnoreCase)).Take(3).ToList();
        int summary = lines.FindIndex(l => l.StartsWith("processed ", StringComparison.Ordinal) || l.Contains(" processed ", StringComparison.Ordinal));
        if (summary > 0) words.Insert(Math.Min(1, words.Count), lines[summary - 1]);
        return string.Join(" | ", (words.Count > 0 ? words : lines.Where(l => l.Length > 0).Take(3)).Distinct());
    }
}
