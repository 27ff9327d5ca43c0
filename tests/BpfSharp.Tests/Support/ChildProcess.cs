using System.Diagnostics;

namespace BpfSharp.Tests.Support;

/// <summary>
/// Runs BpfSharp.TestChild: it attaches a counting program of the given kind, pins or not, disconnects
/// or not, prints the ids, then exits normally or is SIGKILLed here.
/// </summary>
public static class ChildProcess
{
    public sealed record Ids(uint Link, uint Program, uint Map);

    /// <param name="target">The cgroup directory or network namespace name the kind attaches to, if it needs one.</param>
    public static Ids Run(string kind, string? pin, bool disconnect, bool kill, string? target = null)
    {
        string dll = Path.Combine(AppContext.BaseDirectory, "BpfSharp.TestChild.dll");
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { dll, kind, pin ?? "-", disconnect ? "1" : "0", kill ? "kill" : "normal" }) psi.ArgumentList.Add(a);
        if (target is not null) psi.ArgumentList.Add(target);
        using var p = Process.Start(psi)!;
        var stderr = p.StandardError.ReadToEndAsync();
        string? line = p.StandardOutput.ReadLine();
        if (kill && line is not null)
        {
            p.Kill();
        }
        if (!p.WaitForExit(30_000))
        {
            p.Kill();
            Assert.Fail("the child process did not finish");
        }
        if (line is null || !line.StartsWith("ids ", StringComparison.Ordinal))
            Assert.Fail($"the child failed (exit {p.ExitCode}): {stderr.Result}");
        if (!kill) Assert.True(p.ExitCode == 0, $"the child exited {p.ExitCode}: {stderr.Result}");
        var parts = line.Split(' ');
        return new Ids(uint.Parse(parts[1]), uint.Parse(parts[2]), uint.Parse(parts[3]));
    }
}
