using BpfSharp.Links;
using BpfSharp.TestChild;
using BpfSharp.Tests.Support;

namespace BpfSharp.Tests.Links;

/// <summary>Classic tc: a clsact qdisc and a direct-action cls_bpf filter over rtnetlink (the netlink row of §1).</summary>
public class TcFilterTests
{
    private static IReadOnlyList<TcFilter> Filters(TestNetns ns, TcDirection direction = TcDirection.Ingress) =>
        ns.Run(() => AttachedPrograms.TcFilters(ns.IndexOf("lo"), direction));

    [Fact]
    public void Attach_RunsOnPackets_AndTcAndBpftoolShowTheFilter()
    {
        TestKernel.RequireRoot();
        using var ns = TestNetns.Create();
        using var counts = TestPrograms.CounterMap();
        using var prog = NetworkTestPrograms.SchedCls(counts, NetworkTestPrograms.TcActOk);
        using var filter = ns.Run(() => prog.AttachTcFilter("lo", TcDirection.Ingress));

        Assert.Equal(BpfLinkKind.Netlink, filter.Kind);
        Assert.Null(filter.Handle);
        Assert.True(filter.CreatedQdisc);
        Assert.NotEqual(0, filter.Priority);
        Assert.NotEqual((uint)0, filter.FilterHandle);
        var info = filter.GetInfo();
        Assert.Equal(prog.Id, info.ProgramId);
        Assert.True(info.DirectAction);
        Assert.Equal("t_cls", info.Name);
        var listed = Assert.Single(Filters(ns));
        Assert.Equal((filter.Priority, filter.FilterHandle, prog.Id), (listed.Priority, listed.Handle, listed.ProgramId));
        Assert.Empty(Filters(ns, TcDirection.Egress));
        Assert.True(Counters.Moves(counts, () => ns.SendUdp()));

        var tc = Assert.Single(TestKernel.Bpftool(ns, "net", "show")[0].GetProperty("tc").EnumerateArray());
        Assert.Equal("clsact/ingress", tc.GetProperty("kind").GetString());
        Assert.Equal(prog.Id, tc.GetProperty("id").GetUInt32());
        Assert.Contains("direct-action", ns.Exec("tc", "filter", "show", "dev", "lo", "ingress"));
    }

    [Fact]
    public void Dispose_DeletesTheFilter_AndLeavesTheQdisc()
    {
        TestKernel.RequireRoot();
        using var ns = TestNetns.Create();
        using var counts = TestPrograms.CounterMap();
        using var prog = NetworkTestPrograms.SchedCls(counts, NetworkTestPrograms.TcActOk);
        var filter = ns.Run(() => prog.AttachTcFilter("lo", TcDirection.Egress));
        Assert.True(Counters.Moves(counts, () => ns.SendUdp()));
        filter.Dispose();
        filter.Dispose();
        Assert.Empty(Filters(ns, TcDirection.Egress));
        Assert.True(Counters.Stopped(counts, () => ns.SendUdp()));
        Assert.Contains("clsact", ns.Exec("tc", "qdisc", "show", "dev", "lo"));
    }

    [Fact]
    public void AFailedAttach_RemovesTheQdiscItAdded_ButNotOneThatWasThere()
    {
        TestKernel.RequireRoot();
        using var ns = TestNetns.Create();
        using var counts = TestPrograms.CounterMap();
        // cls_bpf takes sched_cls and sched_act programs only: the kernel refuses an XDP program.
        using var xdp = NetworkTestPrograms.Xdp(counts);
        Assert.ThrowsAny<BpfException>(() => ns.Run(() => xdp.AttachTcFilter("lo", TcDirection.Ingress)));
        Assert.DoesNotContain("clsact", ns.Exec("tc", "qdisc", "show", "dev", "lo"));

        using var cls = NetworkTestPrograms.SchedCls(counts, NetworkTestPrograms.TcActOk);
        using var kept = ns.Run(() => cls.AttachTcFilter("lo", TcDirection.Egress));
        Assert.ThrowsAny<BpfException>(() => ns.Run(() => xdp.AttachTcFilter("lo", TcDirection.Ingress)));
        Assert.Contains("clsact", ns.Exec("tc", "qdisc", "show", "dev", "lo"));
        Assert.Single(Filters(ns, TcDirection.Egress));
    }

    [Fact]
    public void PriorityAndHandle_AreKept_ADuplicateFails_AndReplaceExistingSwaps()
    {
        TestKernel.RequireRoot();
        using var ns = TestNetns.Create();
        using var counts = TestPrograms.CounterMap();
        using var a = NetworkTestPrograms.SchedCls(counts, NetworkTestPrograms.TcActOk, "t_a");
        using var b = NetworkTestPrograms.SchedCls(counts, NetworkTestPrograms.TcActOk, "t_b");
        var options = new TcFilterOptions { Priority = 7, Handle = 3 };
        using var first = ns.Run(() => a.AttachTcFilter("lo", TcDirection.Ingress, options));
        Assert.Equal((7, 3u), (first.Priority, first.FilterHandle));

        var e = Assert.Throws<BpfSharp.NetlinkException>(() => ns.Run(() => b.AttachTcFilter("lo", TcDirection.Ingress, options)));
        Assert.Equal("EEXIST", e.ErrnoName);
        Assert.Contains("RTM_NEWTFILTER", e.Message);

        using var second = ns.Run(() => b.AttachTcFilter("lo", TcDirection.Ingress, new() { Priority = 7, Handle = 3, ReplaceExisting = true }));
        Assert.False(second.CreatedQdisc);
        Assert.Equal(b.Id, Assert.Single(Filters(ns)).ProgramId);
        // The first filter now runs b: disposing the first attachment leaves b's filter alone.
        first.Dispose();
        Assert.Equal(b.Id, Assert.Single(Filters(ns)).ProgramId);
    }

    [Fact]
    public void Update_ReplacesTheProgram_AndComparesTheOldOne()
    {
        TestKernel.RequireRoot();
        using var ns = TestNetns.Create();
        using var counts = TestPrograms.CounterMap();
        using var counts2 = TestPrograms.CounterMap();
        using var a = NetworkTestPrograms.SchedCls(counts, NetworkTestPrograms.TcActOk, "t_a");
        using var b = NetworkTestPrograms.SchedCls(counts2, NetworkTestPrograms.TcActOk, "t_b");
        using var filter = ns.Run(() => a.AttachTcFilter("lo", TcDirection.Ingress));
        Assert.Equal("EPERM", Assert.Throws<BpfException>(() => filter.Update(b, expectedOld: b)).ErrnoName);
        filter.Update(b, expectedOld: a);
        Assert.Equal(b.Id, filter.GetInfo().ProgramId);
        Assert.True(Counters.Moves(counts2, () => ns.SendUdp()));
        Assert.True(Counters.Stopped(counts, () => ns.SendUdp()));
    }

    [Fact]
    public void Detach_ThenDispose_AndPinIsNotSupported()
    {
        TestKernel.RequireRoot();
        using var ns = TestNetns.Create();
        using var dir = new TempBpfFsDir();
        using var counts = TestPrograms.CounterMap();
        using var prog = NetworkTestPrograms.SchedCls(counts, NetworkTestPrograms.TcActOk);
        var filter = ns.Run(() => prog.AttachTcFilter("lo", TcDirection.Ingress));
        Assert.Throws<NotSupportedException>(() => filter.Pin(dir["x"]));
        filter.Detach();
        Assert.Equal((uint)0, filter.GetInfo().ProgramId);
        Assert.Empty(Filters(ns));
        filter.Dispose();
    }

    [Fact]
    public void Disconnect_LeavesTheFilterRunning()
    {
        TestKernel.RequireRoot();
        using var ns = TestNetns.Create();
        using var counts = TestPrograms.CounterMap();
        using var prog = NetworkTestPrograms.SchedCls(counts, NetworkTestPrograms.TcActOk);
        var filter = ns.Run(() => prog.AttachTcFilter("lo", TcDirection.Ingress));
        filter.Disconnect();
        filter.Dispose();
        Assert.Equal(prog.Id, Assert.Single(Filters(ns)).ProgramId);
        Assert.True(Counters.Moves(counts, () => ns.SendUdp()));
    }

    [Fact]
    public void QdiscOrInterfaceDeleted_DisposeDoesNotThrow()
    {
        TestKernel.RequireRoot();
        var (near, far) = TestNetns.CreateVethPair();
        using var nearNs = near;
        using var farNs = far;
        using var counts = TestPrograms.CounterMap();
        using var prog = NetworkTestPrograms.SchedCls(counts, NetworkTestPrograms.TcActOk);
        var onLo = near.Run(() => prog.AttachTcFilter("lo", TcDirection.Ingress));
        var onVeth = near.Run(() => prog.AttachTcFilter("veth0", TcDirection.Ingress));
        Assert.True(Counters.Moves(counts, () => far.SendUdp(TestNetns.NearAddress)));
        near.Exec("tc", "qdisc", "del", "dev", "lo", "clsact");
        near.Ip("link", "del", "veth0");
        Assert.Equal((uint)0, onLo.GetInfo().ProgramId);
        Assert.Equal((uint)0, onVeth.GetInfo().ProgramId);
        onLo.Dispose();
        onVeth.Dispose();
    }
}
