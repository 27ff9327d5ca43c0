using System.Diagnostics;
using BpfSharp.Tests.Support;

namespace BpfSharp.Tests.Cli;

/// <summary>
/// The libbpf-tools without a twin in <see cref="LibbpfToolsTwinTests"/>, each started as a user would: a tool
/// that does not start on this kernel is skipped with what it said (kprobes, fentry, a missing kernel function or
/// device); one that starts fails: every tool that runs on a CI kernel (the host, the 6.1 and 6.12 guests) has a twin.
/// The reason each is left out is in the test's result, per kernel.
/// </summary>
public sealed class LibbpfToolsWithoutTwinTests
{
    public static TheoryData<string, string[]> Tools => new()
    {
        // Tools that need kprobes, fentry or hardware this host lacks: their own failure is the reason. (Those that
        // run on a CI kernel have twins: in LibbpfToolsTwinTests on the host, in the LibbpfToolsKprobe* classes in the guests.)
        { "biosnoop", [] }, { "biostacks", [] }, { "biotop", [] }, { "cachestat", [] }, { "cpufreq", [] },
        { "llcstat", [] }, { "mdflush", [] }, { "readahead", [] },
        // The file system tools have twins in LibbpfToolsKprobeFsTwinTests (ext4, xfs, btrfs on a loop device), but
        // not over NFS: that needs an NFS server in the guest (nfsd, rpc.mountd, exportfs, mount.nfs) exporting over
        // loopback, more machinery than the twin proves beyond what the other file systems prove. The guests do not
        // load the nfs module, so these do not start there.
        { "nfsdist", [] }, { "nfsslower", [] },
    };

    [Theory]
    [MemberData(nameof(Tools))]
    public void StartsOrSaysWhyNot(string tool, string[] args)
    {
        TestKernel.RequireRoot();
        string exe = TestKernel.RequireTool(tool);
        var psi = new ProcessStartInfo(exe) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        foreach (var a in args) psi.ArgumentList.Add(a == "SELF" ? Environment.ProcessId.ToString() : a);
        var output = new List<string>();
        using var p = Process.Start(psi)!;
        p.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.Add(e.Data); };
        p.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.Add(e.Data); };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        // A tool that cannot attach exits within a second; one that runs is still tracing after four.
        bool exited = p.WaitForExit(4000);
        if (!exited)
        {
            TestKernel.Run("kill", "-INT", p.Id.ToString());
            if (!p.WaitForExit(5000)) p.Kill();
        }
        p.WaitForExit();
        string said;
        lock (output)
        {
            // The lines that say what failed, rather than a verifier log.
            var failures = output.Where(l => l.Contains("fail", StringComparison.OrdinalIgnoreCase) || l.Contains("No such", StringComparison.Ordinal)).Take(2).ToList();
            said = string.Join(" | ", failures.Count > 0 ? failures : output.Where(l => l.Length > 0).Take(2));
        }
        if (exited)
        {
            // Its own words: "failed to create kprobe ...", "failed to find kernel BTF type ID ...", "Permission denied" (fentry).
            Assert.True(p.ExitCode != 0 || said.Length > 0, $"{tool} exited 0 at once and said nothing");
            Assert.Skip($"{tool} does not run on this kernel (exit {p.ExitCode}): {said}");
        }
        // Every tool that runs on a CI kernel has a twin (issue 25): one that starts here and has none is a failure.
        Assert.Fail($"{tool} RUNS on this kernel and has no bpfsharp twin (it said: {said})");
    }
}
