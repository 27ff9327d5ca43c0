using BpfSharp.Links;
using BpfSharp.TestChild;
using BpfSharp.Tests.Support;

namespace BpfSharp.Tests.Links;

/// <summary>tcx links (Linux 6.6): ordered multi-program hooks at an interface's ingress and egress.</summary>
public class TcxLinkTests
{
    private static uint[] Order(TestNetns ns, TcDirection direction = TcDirection.Ingress) =>
        ns.Run(() => AttachedPrograms.Tcx(ns.IndexOf("lo"), direction)).Programs.Select(p => p.ProgramId).ToArray();

    [Fact]
    public void Attach_RunsOnPackets_IsListed_AndBpftoolAgrees()
    {
        TestKernel.RequireRoot();
        TestKernel.RequireFeature(BpfFeatures.Tcx);
        using var ns = TestNetns.Create();
        using var counts = TestPrograms.CounterMap();
        using var prog = NetworkTestPrograms.SchedCls(counts);
        using var link = ns.Run(() => prog.AttachTcx("lo", TcDirection.Ingress));

        var tcx = Assert.IsType<TcxLink>(link);
        Assert.Equal(BpfLinkType.Tcx, link.LinkType);
        var info = tcx.GetInfo();
        Assert.Equal(ns.IndexOf("lo"), info.Ifindex);
        Assert.Equal(BpfAttachType.TcxIngress, info.AttachType);
        Assert.Equal(prog.Id, info.ProgramId);
        var listed = Assert.Single(ns.Run(() => AttachedPrograms.Tcx(ns.IndexOf("lo"), TcDirection.Ingress)).Programs);
        Assert.Equal(prog.Id, listed.ProgramId);
        Assert.Equal(link.Id, listed.LinkId);
        Assert.Empty(Order(ns, TcDirection.Egress));
        Assert.True(Counters.Moves(counts, () => ns.SendUdp()));

        // bpftool 7.1 predates tcx: it lists the link with its program and a numeric type (11 = BPF_LINK_TYPE_TCX).
        var json = TestKernel.Bpftool(null, "link", "show", "id", link.Id.ToString());
        Assert.Equal(prog.Id, json.GetProperty("prog_id").GetUInt32());
        Assert.Contains(json.GetProperty("type").ToString(), new[] { "tcx", "11" });
    }

    [Fact]
    public void Egress_SeesSentPackets()
    {
        TestKernel.RequireRoot();
        TestKernel.RequireFeature(BpfFeatures.Tcx);
        using var ns = TestNetns.Create();
        using var counts = TestPrograms.CounterMap();
        using var prog = NetworkTestPrograms.SchedCls(counts);
        using var link = ns.Run(() => prog.AttachTcx("lo", TcDirection.Egress));
        Assert.Equal(BpfAttachType.TcxEgress, link.GetInfo().AttachType);
        Assert.True(Counters.Moves(counts, () => ns.SendUdp()));
    }

    [Fact]
    public void Ordering_FirstLastBeforeAfter_AndRevisions()
    {
        TestKernel.RequireRoot();
        TestKernel.RequireFeature(BpfFeatures.Tcx);
        using var ns = TestNetns.Create();
        using var counts = TestPrograms.CounterMap();
        using var a = NetworkTestPrograms.SchedCls(counts, name: "t_a");
        using var b = NetworkTestPrograms.SchedCls(counts, name: "t_b");
        using var c = NetworkTestPrograms.SchedCls(counts, name: "t_c");
        using var d = NetworkTestPrograms.SchedCls(counts, name: "t_d");
        using var e = NetworkTestPrograms.SchedCls(counts, name: "t_e");
        int lo = ns.IndexOf("lo");
        ulong revision0 = ns.Run(() => AttachedPrograms.Tcx(lo, TcDirection.Ingress)).Revision;

        using var la = ns.Run(() => a.AttachTcx(lo, TcDirection.Ingress));
        using var lb = ns.Run(() => b.AttachTcx(lo, TcDirection.Ingress, new() { Position = AttachPosition.First }));
        using var lc = ns.Run(() => c.AttachTcx(lo, TcDirection.Ingress, new() { Position = AttachPosition.After(la) }));
        using var ld = ns.Run(() => d.AttachTcx(lo, TcDirection.Ingress, new() { Position = AttachPosition.BeforeProgramId(a.Id) }));
        Assert.Equal([b.Id, d.Id, a.Id, c.Id], Order(ns));

        var state = ns.Run(() => AttachedPrograms.Tcx(lo, TcDirection.Ingress));
        Assert.Equal(revision0 + 4, state.Revision);
        Assert.Equal([lb.Id, ld.Id, la.Id, lc.Id], state.Programs.Select(p => p.LinkId));

        // A stale revision is refused; the current one is accepted.
        var stale = Assert.Throws<BpfException>(() => ns.Run(() => e.AttachTcx(lo, TcDirection.Ingress, new() { ExpectedRevision = revision0 + 1 })));
        Assert.Equal("ESTALE", stale.ErrnoName);
        using var le = ns.Run(() => e.AttachTcx(lo, TcDirection.Ingress, new() { Position = AttachPosition.Before(lc), ExpectedRevision = state.Revision }));
        Assert.Equal([b.Id, d.Id, a.Id, e.Id, c.Id], Order(ns));

        // Relative to a program that is not on the hook: ENOENT.
        using var stranger = NetworkTestPrograms.SchedCls(counts, name: "t_x");
        var missing = Assert.Throws<BpfException>(() => ns.Run(() => stranger.AttachTcx(lo, TcDirection.Ingress, new() { Position = AttachPosition.After(stranger) })));
        Assert.Equal("ENOENT", missing.ErrnoName);

        ld.Dispose();
        Assert.Equal([b.Id, a.Id, e.Id, c.Id], Order(ns));
    }

    [Fact]
    public void EveryProgramRuns_InOrder_UntilOneDecides()
    {
        TestKernel.RequireRoot();
        TestKernel.RequireFeature(BpfFeatures.Tcx);
        using var ns = TestNetns.Create();
        using var first = TestPrograms.CounterMap();
        using var second = TestPrograms.CounterMap();
        using var a = NetworkTestPrograms.SchedCls(first, NetworkTestPrograms.TcxNext, "t_a");
        // TCX_PASS ends the chain: a program placed after it never runs.
        using var b = NetworkTestPrograms.SchedCls(second, 0, "t_b");
        using var c = NetworkTestPrograms.SchedCls(first, NetworkTestPrograms.TcxNext, "t_c");
        using var la = ns.Run(() => a.AttachTcx("lo", TcDirection.Ingress));
        using var lb = ns.Run(() => b.AttachTcx("lo", TcDirection.Ingress));
        using var lc = ns.Run(() => c.AttachTcx("lo", TcDirection.Ingress));
        long first0 = Counters.Read(first), second0 = Counters.Read(second);
        ns.SendUdp(count: 4);
        long firstRuns = Counters.Read(first) - first0, secondRuns = Counters.Read(second) - second0;
        Assert.True(secondRuns > 0);
        Assert.Equal(secondRuns, firstRuns);
    }

    [Fact]
    public void Detach_LeavesIfindexZero_AndUpdateComparesTheOldProgram()
    {
        TestKernel.RequireRoot();
        TestKernel.RequireFeature(BpfFeatures.Tcx);
        using var ns = TestNetns.Create();
        using var counts = TestPrograms.CounterMap();
        using var counts2 = TestPrograms.CounterMap();
        using var a = NetworkTestPrograms.SchedCls(counts, name: "t_a");
        using var b = NetworkTestPrograms.SchedCls(counts2, name: "t_b");
        using var link = ns.Run(() => a.AttachTcx("lo", TcDirection.Ingress));

        Assert.Equal("EPERM", Assert.Throws<BpfException>(() => link.Update(b, expectedOld: b)).ErrnoName);
        link.Update(b, expectedOld: a);
        Assert.Equal([b.Id], Order(ns));
        Assert.True(Counters.Moves(counts2, () => ns.SendUdp()));

        link.Detach();
        Assert.Equal(0, link.GetInfo().Ifindex);
        Assert.Empty(Order(ns));
        Assert.True(Counters.Stopped(counts2, () => ns.SendUdp()));
    }

    [Fact]
    public void DeletingTheInterface_DetachesTheLink_AndDisposeDoesNotThrow()
    {
        TestKernel.RequireRoot();
        TestKernel.RequireFeature(BpfFeatures.Tcx);
        var (near, far) = TestNetns.CreateVethPair();
        using var nearNs = near;
        using var farNs = far;
        using var counts = TestPrograms.CounterMap();
        using var prog = NetworkTestPrograms.SchedCls(counts);
        var link = near.Run(() => prog.AttachTcx("veth0", TcDirection.Ingress));
        uint id = link.Id;
        Assert.True(Counters.Moves(counts, () => far.SendUdp(TestNetns.NearAddress)));
        near.Ip("link", "del", "veth0");
        Assert.True(Eventually.Holds(() => link.GetInfo().Ifindex == 0));
        link.Dispose();
        Assert.True(Eventually.LinkGone(id));
    }

    [Fact]
    public void ProgramAttach_StaysWithoutAnFd_UntilDisposed()
    {
        TestKernel.RequireRoot();
        TestKernel.RequireFeature(BpfFeatures.Tcx);
        using var ns = TestNetns.Create();
        using var counts = TestPrograms.CounterMap();
        using var counts2 = TestPrograms.CounterMap();
        using var a = NetworkTestPrograms.SchedCls(counts, name: "t_a");
        using var b = NetworkTestPrograms.SchedCls(counts2, name: "t_b");
        var attachment = ns.Run(() => a.AttachTcxProgram("lo", TcDirection.Ingress));
        Assert.IsType<ProgramAttachment>(attachment);
        Assert.Equal(BpfLinkKind.ProgramAttach, attachment.Kind);
        var listed = Assert.Single(ns.Run(() => AttachedPrograms.Tcx(ns.IndexOf("lo"), TcDirection.Ingress)).Programs);
        Assert.Equal(a.Id, listed.ProgramId);
        Assert.Equal((uint)0, listed.LinkId);
        Assert.True(Counters.Moves(counts, () => ns.SendUdp()));

        attachment.Update(b);
        Assert.Equal([b.Id], Order(ns));
        attachment.Dispose();
        Assert.Empty(Order(ns));
        Assert.True(Counters.Stopped(counts2, () => ns.SendUdp()));
    }

    [Fact]
    public void ProgramAttach_OnADeletedInterface_DisposeDoesNotThrow()
    {
        TestKernel.RequireRoot();
        TestKernel.RequireFeature(BpfFeatures.Tcx);
        var (near, far) = TestNetns.CreateVethPair();
        using var nearNs = near;
        using var farNs = far;
        using var counts = TestPrograms.CounterMap();
        using var prog = NetworkTestPrograms.SchedCls(counts);
        var attachment = near.Run(() => prog.AttachTcxProgram("veth0", TcDirection.Egress));
        near.Ip("link", "del", "veth0");
        attachment.Dispose();
    }
}
