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

    /// <summary>
    /// The guest kernel CI runs the suite in (scripts/guest/test-in-guest.sh sets BPFSHARP_GUEST_KERNEL to 6.1
    /// or 6.12), or null on any other machine. There, the features that kernel is known to have must be found.
    /// Only there is a kernel version an expectation: a host's kernel may be patched to refuse what its version has.
    /// </summary>
    public static string? GuestKernel => Environment.GetEnvironmentVariable("BPFSHARP_GUEST_KERNEL") is { Length: > 0 } v ? v : null;

    /// <summary>
    /// A time-out that bounds a hang, never a speed: <paramref name="seconds"/> here, four times that in a CI guest,
    /// where the emulator runs each instruction tens of times slower beside another guest on a machine that may be
    /// slower than this one (a tool loading dozens of programs took 10 s there, and more in CI).
    /// </summary>
    public static TimeSpan Patience(int seconds) => TimeSpan.FromSeconds(GuestKernel is null ? seconds : 4 * seconds);

    /// <summary>Names of what the kernel offers outside the probe catalogue, for <see cref="RequireKernelHas"/>.</summary>
    public const string ModuleBtf = "module BTF (/sys/kernel/btf/<module>)";
    public const string KallsymsData = "data symbols in kallsyms (CONFIG_KALLSYMS_ALL)";
    public const string NetkitDevices = "netkit devices";

    /// <summary>
    /// What Debian's kernels (the CI guests) offer, by feature name. 6.1: BPF links, perf links, tp_btf, kprobes
    /// (PMU and tracefs), BPF trampolines and BPF LSM, module BTF, KALLSYMS_ALL; it lacks kprobe.multi (built
    /// without fprobe), uprobe.multi (6.6), netfilter programs (6.4) and arenas (6.9). 6.12 adds kprobe.multi
    /// (FPROBE), uprobe.multi, kprobe and uprobe sessions, BPF tokens, netkit, tcx, raw tracepoint cookies and arenas.
    /// </summary>
    public static IReadOnlySet<string> GuestFeatures(string guest)
    {
        string[] common =
        [
            BpfFeatures.BpfLinks.Name, BpfFeatures.PerfLinks.Name, BpfFeatures.ProgramType(BpfProgramType.Tracing).Name,
            BpfSharp.BpfFeatures.KprobePmu.Name, BpfSharp.BpfFeatures.KprobeEvents.Name,
            BpfSharp.BpfFeatures.Kprobes.Name,
            BpfFeatures.Fentry.Name, BpfFeatures.Lsm.Name, ModuleBtf, KallsymsData,
        ];
        return guest switch
        {
            "6.1" => common.ToHashSet(),
            "6.12" => common.Concat(
            [
                BpfFeatures.KprobeMulti.Name, BpfFeatures.UprobeMulti.Name, BpfFeatures.RawTracepointCookies.Name,
                BpfFeatures.KprobeSession.Name, BpfFeatures.Tokens.Name,
                BpfFeatures.Netkit.Name, BpfFeatures.Tcx.Name, NetkitDevices,
                BpfFeatures.MapType(BpfMapType.Arena).Name, BpfFeatures.ProgramType(BpfProgramType.Netfilter).Name,
            ]).ToHashSet(),
            _ => throw new InvalidOperationException($"BPFSHARP_GUEST_KERNEL={guest}: no list of that kernel's features"),
        };
    }

    /// <summary>
    /// Skips with the probe's reason when the running kernel lacks <paramref name="feature"/>; in the CI guest,
    /// where the feature is known to exist, a missing feature fails the test instead (a dishonest probe or a
    /// broken guest must not pass as a skip).
    /// </summary>
    public static void RequireFeature(BpfFeature feature)
    {
        if (feature.IsSupported) return;
        RequireKernelHas(feature.Name, false, feature.MissingReason ?? "not supported");
    }

    /// <summary>
    /// The same rule for what is not a probe of the catalogue (<see cref="ModuleBtf"/>, <see cref="KallsymsData"/>,
    /// ...): skips naming <paramref name="reason"/> when absent, fails in a guest known to have it.
    /// </summary>
    public static void RequireKernelHas(string name, bool present, string reason)
    {
        if (present) return;
        if (GuestKernel is { } guest && GuestFeatures(guest).Contains(name))
            Assert.Fail($"the {guest} guest kernel has {name}, but: {reason}");
        Assert.Skip($"{name}: {reason}");
    }

    /// <summary>The running kernel's version (major.minor.patch from its release string).</summary>
    public static Version Version { get; } = ParseRelease(File.ReadAllText("/proc/sys/kernel/osrelease"));

    private static Version ParseRelease(string release)
    {
        var parts = release.Trim().Split('.', '-', '+');
        int Part(int i) => i < parts.Length && int.TryParse(parts[i], out int n) ? n : 0;
        return new Version(Part(0), Part(1), Part(2));
    }

    /// <summary>Whether the running kernel is at least <paramref name="major"/>.<paramref name="minor"/>.</summary>
    public static bool AtLeast(int major, int minor) => Version >= new Version(major, minor);

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
