using System.Diagnostics;
using System.Runtime.InteropServices;

namespace BpfSharp.Tests.Support;

/// <summary>
/// Gates for tests that need the real kernel. Without root they skip, unless BPFSHARP_REQUIRE_KERNEL=1
/// (CI), where missing privilege is a failure: a CI run must never pass by skipping the kernel.
/// </summary>
public static partial class TestKernel
{
    [LibraryImport("libc")]
    private static partial uint geteuid();

    public static bool IsRequired => Environment.GetEnvironmentVariable("BPFSHARP_REQUIRE_KERNEL") == "1";

    /// <summary>Call first in every test that talks to the kernel.</summary>
    public static void RequireRoot()
    {
        if (geteuid() == 0) return;
        const string why = "needs root (or CAP_BPF + CAP_PERFMON) to use bpf(2)";
        if (IsRequired) Assert.Fail($"BPFSHARP_REQUIRE_KERNEL=1 but the test {why}");
        Assert.Skip(why);
    }

    /// <summary>Skips (or fails where kernel tests are required) when a tool the test uses as a witness is missing.</summary>
    public static string RequireTool(string name)
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Concat(["/usr/sbin", "/sbin"]))
        {
            var path = Path.Combine(dir, name);
            if (File.Exists(path)) return path;
        }
        if (IsRequired) Assert.Fail($"{name} is not installed (the test command installs it)");
        Assert.Skip($"{name} is not installed");
        return "";
    }

    /// <summary>Runs a command and returns its standard output; a non-zero exit fails the test.</summary>
    public static string Run(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0) Assert.Fail($"{file} {string.Join(' ', args)} exited {p.ExitCode}: {stderr}");
        return stdout.Result;
    }
}

public static partial class TestKernel
{
    /// <summary>Runs a clean-up command, ignoring its failure (what it removes may be gone already).</summary>
    public static void TryRun(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        p.StandardOutput.ReadToEnd();
        p.StandardError.ReadToEnd();
        p.WaitForExit();
    }

    /// <summary>bpftool's JSON answer, run in <paramref name="netns"/> when given (bpftool net show is per namespace).</summary>
    public static System.Text.Json.JsonElement Bpftool(TestNetns? netns, params string[] args)
    {
        string bpftool = RequireTool("bpftool");
        string output = netns is null ? Run(bpftool, [.. args, "-j"]) : netns.Exec(bpftool, [.. args, "-j"]);
        return System.Text.Json.JsonDocument.Parse(output).RootElement.Clone();
    }
}

public static partial class TestKernel
{
    /// <summary>Skips (with the probe's reason) when the running kernel lacks <paramref name="feature"/>.</summary>
    public static void Require(BpfFeature feature)
    {
        if (!feature.IsSupported) Assert.Skip($"{feature.Name}: {feature.MissingReason}");
    }
}
