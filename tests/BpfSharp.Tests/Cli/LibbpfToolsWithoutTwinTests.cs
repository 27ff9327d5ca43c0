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
        // run on a CI kernel have twins: in LibbpfToolsTwinTests on the host, in the LibbpfToolsKprobe* classes in the guests;
        // mdflush's is LibbpfToolsKprobeMdTwinTests, over a RAID1 array of its own.)
        { "biosnoop", [] }, { "biostacks", [] }, { "biotop", [] }, { "cachestat", [] }, { "cpufreq", [] },
        { "llcstat", [] }, { "readahead", [] },
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
        var start = PackagedToolStart.Try(tool, args.Select(a => a == "SELF" ? Environment.ProcessId.ToString() : a));
        // Its own words: "failed to create kprobe ...", "failed to find kernel BTF type ID ...", "Permission denied" (fentry).
        Assert.True(start.Started || start.ExitCode != 0 || start.Said.Length > 0, $"{tool} exited 0 at once and said nothing");
        start.SkipUnlessStarted();
        // Every tool that runs on a CI kernel has a twin (issue 25): one that starts here and has none is a failure.
        Assert.Fail($"{tool} RUNS on this kernel and has no bpfsharp twin (it said: {start.Said})");
    }
}
