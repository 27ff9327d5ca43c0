using BpfSharp.Links;
using BpfSharp.TestChild;
using BpfSharp.Tests.Support;

namespace BpfSharp.Tests.Links;

/// <summary>Failures of the networking and cgroup attaches name the operation, the target and the errno.</summary>
public class NetworkAttachErrorTests
{
    [Fact]
    public void AnUnknownInterface_NamesIt()
    {
        TestKernel.RequireRoot();
        using var ns = TestNetns.Create();
        using var counts = TestPrograms.CounterMap();
        using var prog = NetworkTestPrograms.Xdp(counts);
        var e = Assert.Throws<BpfException>(() => ns.Run(() => prog.AttachXdp("bpfsharp-none")));
        Assert.Equal("ENODEV", e.ErrnoName);
        Assert.Contains("if_nametoindex", e.Message);
        Assert.Contains("bpfsharp-none", e.Message);
    }

    [Fact]
    public void AnUnknownIfindex_NamesTheOperationAndTheIndex()
    {
        TestKernel.RequireRoot();
        TestKernel.RequireFeature(BpfFeatures.Tcx);
        using var ns = TestNetns.Create();
        using var counts = TestPrograms.CounterMap();
        using var prog = NetworkTestPrograms.SchedCls(counts);
        var e = Assert.Throws<BpfException>(() => ns.Run(() => prog.AttachTcx(9999, TcDirection.Ingress)));
        Assert.Equal("ENODEV", e.ErrnoName);
        Assert.Contains("BPF_LINK_CREATE", e.Message);
        Assert.Contains("ifindex 9999", e.Message);
    }

    [Fact]
    public void AMissingCgroup_NamesThePath()
    {
        TestKernel.RequireRoot();
        using var counts = TestPrograms.CounterMap();
        using var prog = CgroupLinkTests.SockCreate(counts);
        string path = Path.Combine(TestCgroup.Root, $"bpfsharp-missing-{Guid.NewGuid():N}");
        var e = Assert.Throws<BpfException>(() => prog.AttachCgroup(path));
        Assert.Equal("ENOENT", e.ErrnoName);
        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void ANamespaceFileOfAnotherKind_IsRefusedClearly()
    {
        TestKernel.RequireRoot();
        using var counts = TestPrograms.CounterMap();
        using var prog = NetworkTestPrograms.Load(BpfProgramType.SkLookup, counts, NetworkTestPrograms.SkPass, BpfAttachType.SkLookup);
        var e = Assert.Throws<BpfException>(() => prog.AttachNetns("/proc/self/ns/mnt"));
        Assert.Contains("not a network namespace", e.Message);
        var notNs = Assert.Throws<BpfException>(() => prog.AttachNetns("/proc/self/status"));
        Assert.Contains("not a namespace file", notNs.Message);
    }

    [Fact]
    public void AProgramOfTheWrongType_ForTheHook_FailsWithTheKernelsErrno()
    {
        TestKernel.RequireRoot();
        using var ns = TestNetns.Create();
        using var counts = TestPrograms.CounterMap();
        using var cls = NetworkTestPrograms.SchedCls(counts);
        var e = Assert.Throws<BpfException>(() => ns.Run(() => cls.AttachXdp("lo")));
        Assert.Equal("EINVAL", e.ErrnoName);
        Assert.Contains("BPF_LINK_CREATE", e.Message);
        Assert.Contains("XDP of ifindex", e.Message);
    }
}
