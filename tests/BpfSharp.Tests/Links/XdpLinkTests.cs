using BpfSharp.Links;
using BpfSharp.TestChild;
using BpfSharp.Tests.Support;

namespace BpfSharp.Tests.Links;

/// <summary>XDP links (BPF_LINK_CREATE on an interface), and their conflicts with netlink attachments.</summary>
public class XdpLinkTests
{
    [Fact]
    public void Attach_RunsOnPackets_IsListed_AndBpftoolAgrees()
    {
        TestKernel.RequireRoot();
        using var ns = TestNetns.Create();
        using var counts = TestPrograms.CounterMap();
        using var prog = NetworkTestPrograms.Xdp(counts);
        using var link = ns.Run(() => prog.AttachXdp("lo"));
        int lo = ns.IndexOf("lo");

        var xdp = Assert.IsType<XdpLink>(link);
        Assert.Equal(BpfLinkKind.Fd, link.Kind);
        Assert.Equal(BpfLinkType.Xdp, link.LinkType);
        Assert.Contains(link.Id, BpfLink.EnumerateIds());
        var info = xdp.GetInfo();
        Assert.Equal(prog.Id, info.ProgramId);
        Assert.Equal(lo, info.Ifindex);
        Assert.True(Counters.Moves(counts, () => ns.SendUdp()));

        var json = TestKernel.Bpftool(null, "link", "show", "id", link.Id.ToString());
        Assert.Equal("xdp", json.GetProperty("type").GetString());
        Assert.Equal(prog.Id, json.GetProperty("prog_id").GetUInt32());
        // bpftool 7.1 shows no ifindex for an XDP link; its net show (per namespace) names the interface and mode.
        var net = TestKernel.Bpftool(ns, "net", "show");
        var entry = Assert.Single(net[0].GetProperty("xdp").EnumerateArray());
        Assert.Equal("lo", entry.GetProperty("devname").GetString());
        Assert.Equal(lo, entry.GetProperty("ifindex").GetInt32());
        Assert.Equal("generic", entry.GetProperty("mode").GetString());
        Assert.Equal(prog.Id, entry.GetProperty("id").GetUInt32());
        Assert.Equal(prog.Id, ns.Run(() => AttachedPrograms.Xdp(lo)).ProgramId);
    }

    [Fact]
    public void Dispose_Detaches_AndIsIdempotent()
    {
        TestKernel.RequireRoot();
        using var ns = TestNetns.Create();
        using var counts = TestPrograms.CounterMap();
        using var prog = NetworkTestPrograms.Xdp(counts);
        var link = ns.Run(() => prog.AttachXdp("lo"));
        uint id = link.Id;
        link.Dispose();
        link.Dispose();
        Assert.True(Eventually.LinkGone(id));
        Assert.True(Counters.Stopped(counts, () => ns.SendUdp()));
        Assert.Null(ns.Run(() => AttachedPrograms.Xdp(ns.IndexOf("lo"))).Mode);
    }

    [Fact]
    public void Detach_LeavesIfindexZero_StopsThePacketCount_AndDisposeStillWorks()
    {
        TestKernel.RequireRoot();
        using var ns = TestNetns.Create();
        using var counts = TestPrograms.CounterMap();
        using var prog = NetworkTestPrograms.Xdp(counts);
        using var link = ns.Run(() => prog.AttachXdp("lo"));
        Assert.True(Counters.Moves(counts, () => ns.SendUdp()));

        link.Detach();

        var info = link.GetInfo();
        Assert.Equal(0, info.Ifindex);
        Assert.Equal(link.Id, info.Id);
        Assert.True(Counters.Stopped(counts, () => ns.SendUdp()));
        Assert.Contains(link.Id, BpfLink.EnumerateIds());
        link.Dispose();
    }

    [Fact]
    public void ALink_ThenANetlinkAttach_Conflict()
    {
        TestKernel.RequireRoot();
        using var ns = TestNetns.Create();
        using var counts = TestPrograms.CounterMap();
        using var prog = NetworkTestPrograms.Xdp(counts);
        using var other = NetworkTestPrograms.Xdp(counts, "t_xdp2");
        using var link = ns.Run(() => prog.AttachXdp("lo"));

        var e = Assert.Throws<BpfSharp.NetlinkException>(() => ns.Run(() => other.AttachXdpNetlink("lo", new() { ReplaceExisting = true })));
        Assert.Equal("EBUSY", e.ErrnoName);
        Assert.Contains("RTM_SETLINK", e.Message);
        Assert.Equal(prog.Id, link.GetInfo().ProgramId);
        Assert.Equal(prog.Id, ns.Run(() => AttachedPrograms.Xdp(ns.IndexOf("lo"))).ProgramId);
    }

    [Fact]
    public void ANetlinkAttach_ThenALink_Conflict_AndTheMessageNamesTheOccupant()
    {
        TestKernel.RequireRoot();
        using var ns = TestNetns.Create();
        using var counts = TestPrograms.CounterMap();
        using var prog = NetworkTestPrograms.Xdp(counts);
        using var other = NetworkTestPrograms.Xdp(counts, "t_xdp2");
        using var legacy = ns.Run(() => prog.AttachXdpNetlink("lo"));

        var e = Assert.Throws<BpfException>(() => ns.Run(() => other.AttachXdp("lo")));
        Assert.Equal("EBUSY", e.ErrnoName);
        Assert.Contains("BPF_LINK_CREATE", e.Message);
        Assert.Contains($"program id {prog.Id}", e.Message);
        Assert.Equal(prog.Id, ns.Run(() => AttachedPrograms.Xdp(ns.IndexOf("lo"))).ProgramId);
    }

    [Fact]
    public void OneLink_CannotReplaceAnother()
    {
        TestKernel.RequireRoot();
        using var ns = TestNetns.Create();
        using var counts = TestPrograms.CounterMap();
        using var prog = NetworkTestPrograms.Xdp(counts);
        using var other = NetworkTestPrograms.Xdp(counts, "t_xdp2");
        using var link = ns.Run(() => prog.AttachXdp("lo"));

        var e = Assert.Throws<BpfException>(() => ns.Run(() => other.AttachXdp("lo")));
        Assert.Equal("EBUSY", e.ErrnoName);
        Assert.Equal(prog.Id, link.GetInfo().ProgramId);
    }

    [Fact]
    public void Update_SwapsTheProgram_AndCompareAndSwapChecksTheOldOne()
    {
        TestKernel.RequireRoot();
        using var ns = TestNetns.Create();
        using var counts = TestPrograms.CounterMap();
        using var counts2 = TestPrograms.CounterMap();
        using var prog = NetworkTestPrograms.Xdp(counts);
        using var next = NetworkTestPrograms.Xdp(counts2, "t_xdp2");
        using var link = ns.Run(() => prog.AttachXdp("lo"));

        var e = Assert.Throws<BpfException>(() => link.Update(next, expectedOld: next));
        Assert.Equal("EPERM", e.ErrnoName);
        link.Update(next, expectedOld: prog);
        Assert.Equal(next.Id, link.GetInfo().ProgramId);
        Assert.True(Counters.Moves(counts2, () => ns.SendUdp()));
        Assert.True(Counters.Stopped(counts, () => ns.SendUdp()));
    }

    [Fact]
    public void UpdateToAProgramOfTheWrongType_FailsClearly()
    {
        TestKernel.RequireRoot();
        using var ns = TestNetns.Create();
        using var counts = TestPrograms.CounterMap();
        using var prog = NetworkTestPrograms.Xdp(counts);
        using var cls = NetworkTestPrograms.SchedCls(counts);
        using var link = ns.Run(() => prog.AttachXdp("lo"));

        var e = Assert.Throws<BpfException>(() => link.Update(cls));
        Assert.Equal("EINVAL", e.ErrnoName);
        Assert.Contains("BPF_LINK_UPDATE", e.Message);
        Assert.Contains("XdpLink", e.Message);
        Assert.Equal(prog.Id, link.GetInfo().ProgramId);
    }

    [Fact]
    public void OnAVethPair_TheProgramSeesThePeersPackets_AndDeletingTheInterfaceDetachesIt()
    {
        TestKernel.RequireRoot();
        var (near, far) = TestNetns.CreateVethPair();
        using var nearNs = near;
        using var farNs = far;
        using var counts = TestPrograms.CounterMap();
        using var prog = NetworkTestPrograms.Xdp(counts);
        using var link = near.Run(() => prog.AttachXdp("veth0"));
        Assert.Equal(near.IndexOf("veth0"), link.GetInfo().Ifindex);
        Assert.True(Counters.Moves(counts, () => far.SendUdp(TestNetns.NearAddress)));

        near.Ip("link", "del", "veth0");

        Assert.True(Eventually.Holds(() => link.GetInfo().Ifindex == 0));
        uint id = link.Id;
        link.Dispose();
        Assert.True(Eventually.LinkGone(id));
    }

    [Fact]
    public void Pin_KeepsItAttachedAfterDispose_AndOpenPinnedTypesIt()
    {
        TestKernel.RequireRoot();
        using var ns = TestNetns.Create();
        using var dir = new TempBpfFsDir();
        using var counts = TestPrograms.CounterMap();
        using var prog = NetworkTestPrograms.Xdp(counts);
        uint id;
        using (var link = ns.Run(() => prog.AttachXdp("lo")))
        {
            id = link.Id;
            link.Pin(dir["xdp"]);
        }
        Assert.True(Counters.Moves(counts, () => ns.SendUdp()));
        using (var pinned = BpfLink.OpenPinned(dir["xdp"]))
        {
            var xdp = Assert.IsType<XdpLink>(pinned);
            Assert.Equal(id, xdp.Id);
            Assert.Equal(ns.IndexOf("lo"), xdp.GetInfo().Ifindex);
            pinned.Unpin();
        }
        Assert.True(Eventually.LinkGone(id));
        Assert.True(Counters.Stopped(counts, () => ns.SendUdp()));
    }

    [Fact]
    public void Disconnect_LeavesTheFdOpenAndTheProgramAttached()
    {
        TestKernel.RequireRoot();
        using var ns = TestNetns.Create();
        using var counts = TestPrograms.CounterMap();
        using var prog = NetworkTestPrograms.Xdp(counts);
        var link = ns.Run(() => prog.AttachXdp("lo"));
        uint id = link.Id;
        link.Disconnect();
        link.Dispose();
        try
        {
            Assert.Single(LinkFds.Find(id));
            Assert.True(Counters.Moves(counts, () => ns.SendUdp()));
        }
        finally
        {
            LinkFds.CloseAll(id);
        }
        Assert.True(Eventually.LinkGone(id));
    }
}
