using System.Net.Sockets;
using BpfSharp.Links;
using BpfSharp.TestChild;
using BpfSharp.Tests.Support;

namespace BpfSharp.Tests.Links;

/// <summary>cgroup links (BPF_LINK_CREATE on a cgroup v2 directory), proven by sockets created inside the cgroup.</summary>
public class CgroupLinkTests
{
    internal static BpfProgram SockCreate(BpfMap counts, string name = "t_sock") =>
        NetworkTestPrograms.Load(BpfProgramType.CgroupSock, counts, NetworkTestPrograms.CgroupAllow, BpfAttachType.CgroupInetSockCreate, name);

    [Fact]
    public void Link_RunsForSocketsOfTheCgroupOnly_AndBpftoolAgrees()
    {
        TestKernel.RequireRoot();
        using var ns = TestNetns.Create();
        using var cgroup = new TestCgroup();
        using var counts = TestPrograms.CounterMap();
        using var prog = SockCreate(counts);
        using var link = prog.AttachCgroup(cgroup.Path);

        var cg = Assert.IsType<CgroupLink>(link);
        Assert.Equal(BpfLinkKind.Fd, link.Kind);
        Assert.Contains(link.Id, BpfLink.EnumerateIds());
        var info = cg.GetInfo();
        Assert.Equal(cgroup.Id, info.CgroupId);
        Assert.Equal(BpfAttachType.CgroupInetSockCreate, info.AttachType);
        Assert.Equal(prog.Id, info.ProgramId);

        Assert.True(Counters.Moves(counts, () => cgroup.CreateSocketInside(ns)));
        // This process is not in the cgroup: its sockets do not count.
        Assert.False(Counters.Moves(counts, () => ns.Run(() => new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp).Dispose())));

        var listed = AttachedPrograms.Cgroup(cgroup.Path, BpfAttachType.CgroupInetSockCreate);
        var entry = Assert.Single(listed.Programs);
        Assert.Equal(prog.Id, entry.ProgramId);

        var json = TestKernel.Bpftool(null, "link", "show", "id", link.Id.ToString());
        Assert.Equal("cgroup", json.GetProperty("type").GetString());
        Assert.Equal(cgroup.Id, json.GetProperty("cgroup_id").GetUInt64());
        Assert.Equal("cgroup_inet_sock_create", json.GetProperty("attach_type").GetString());
        var shown = Assert.Single(TestKernel.Bpftool(null, "cgroup", "show", cgroup.Path).EnumerateArray());
        Assert.Equal(prog.Id, shown.GetProperty("id").GetUInt32());
        Assert.Equal("cgroup_inet_sock_create", shown.GetProperty("attach_type").GetString());
    }

    [Fact]
    public void Dispose_Detaches()
    {
        TestKernel.RequireRoot();
        using var ns = TestNetns.Create();
        using var cgroup = new TestCgroup();
        using var counts = TestPrograms.CounterMap();
        using var prog = SockCreate(counts);
        var link = prog.AttachCgroup(cgroup.Path);
        uint id = link.Id;
        link.Dispose();
        link.Dispose();
        Assert.True(Eventually.LinkGone(id));
        Assert.Empty(AttachedPrograms.Cgroup(cgroup.Path, BpfAttachType.CgroupInetSockCreate).Programs);
        Assert.False(Counters.Moves(counts, () => cgroup.CreateSocketInside(ns)));
    }

    [Fact]
    public void Detach_LeavesCgroupIdZero_AndTheLinkObjectValid()
    {
        TestKernel.RequireRoot();
        using var ns = TestNetns.Create();
        using var cgroup = new TestCgroup();
        using var counts = TestPrograms.CounterMap();
        using var prog = SockCreate(counts);
        using var link = prog.AttachCgroup(cgroup.Path);
        link.Detach();
        var info = link.GetInfo();
        Assert.Equal((ulong)0, info.CgroupId);
        Assert.Equal(link.Id, info.Id);
        Assert.False(Counters.Moves(counts, () => cgroup.CreateSocketInside(ns)));
    }

    [Fact]
    public void Update_WithCompareAndSwap_FailsWithEPERMOnAMismatch()
    {
        TestKernel.RequireRoot();
        using var ns = TestNetns.Create();
        using var cgroup = new TestCgroup();
        using var counts = TestPrograms.CounterMap();
        using var counts2 = TestPrograms.CounterMap();
        using var a = SockCreate(counts, "t_a");
        using var b = SockCreate(counts2, "t_b");
        using var link = prog(a);
        CgroupLink prog(BpfProgram p) => p.AttachCgroup(cgroup.Path);

        var e = Assert.Throws<BpfException>(() => link.Update(b, expectedOld: b));
        Assert.Equal("EPERM", e.ErrnoName);
        Assert.Contains("BPF_LINK_UPDATE", e.Message);
        Assert.Equal(a.Id, link.GetInfo().ProgramId);

        link.Update(b, expectedOld: a);
        Assert.Equal(b.Id, link.GetInfo().ProgramId);
        Assert.True(Counters.Moves(counts2, () => cgroup.CreateSocketInside(ns)));
        Assert.False(Counters.Moves(counts, () => cgroup.CreateSocketInside(ns)));
    }

    [Fact]
    public void Link_SurvivesTheCgroupHandlesClose_DetachesWhenTheCgroupIsRemoved_AndDisposeDoesNotThrow()
    {
        TestKernel.RequireRoot();
        using var ns = TestNetns.Create();
        using var cgroup = new TestCgroup();
        using var counts = TestPrograms.CounterMap();
        using var prog = SockCreate(counts);
        CgroupLink link;
        using (var handle = CgroupAttach.Open(cgroup.Path))
        {
            link = prog.AttachCgroup(handle);
        }
        uint id = link.Id;
        try
        {
            Assert.True(Counters.Moves(counts, () => cgroup.CreateSocketInside(ns)));
            Assert.Equal(cgroup.Id, link.GetInfo().CgroupId);

            cgroup.Remove();
            Assert.False(Directory.Exists(cgroup.Path));

            // The kernel releases a removed cgroup's programs asynchronously; the link then shows cgroup id 0.
            Assert.True(Eventually.Holds(() => link.GetInfo().CgroupId == 0));
            Assert.Contains(id, BpfLink.EnumerateIds());
        }
        finally
        {
            link.Dispose();
        }
        link.Dispose();
        Assert.True(Eventually.LinkGone(id));
    }

    [Fact]
    public void Pin_KeepsItAttached_AndOpenPinnedTypesIt()
    {
        TestKernel.RequireRoot();
        using var ns = TestNetns.Create();
        using var cgroup = new TestCgroup();
        using var dir = new TempBpfFsDir();
        using var counts = TestPrograms.CounterMap();
        using var prog = SockCreate(counts);
        uint id;
        using (var link = prog.AttachCgroup(cgroup.Path))
        {
            link.Pin(dir["cg"]);
            id = link.Id;
        }
        Assert.True(Counters.Moves(counts, () => cgroup.CreateSocketInside(ns)));
        using (var pinned = BpfLink.OpenPinned(dir["cg"]))
        {
            var cg = Assert.IsType<CgroupLink>(pinned);
            Assert.Equal(cgroup.Id, cg.GetInfo().CgroupId);
            pinned.Unpin();
        }
        Assert.True(Eventually.LinkGone(id));
    }
}

/// <summary>Ordered cgroup programs (Linux 6.16): the mprog positions and revisions that tcx has, on a cgroup.</summary>
public class CgroupOrderingTests
{
    [Fact]
    public void Positions_OrderTheCgroupsPrograms_AndAStaleRevisionIsRefused()
    {
        TestKernel.RequireRoot();
        using var cgroup = new TestCgroup();
        using var counts = TestPrograms.CounterMap();
        using var a = CgroupLinkTests.SockCreate(counts, "t_a");
        using var b = CgroupLinkTests.SockCreate(counts, "t_b");
        using var c = CgroupLinkTests.SockCreate(counts, "t_c");
        ulong revision = AttachedPrograms.Cgroup(cgroup.Path, BpfAttachType.CgroupInetSockCreate).Revision;
        if (revision == 0) Assert.Skip("this kernel keeps no revision for cgroup programs (ordered cgroup attach is Linux 6.16)");

        using var la = a.AttachCgroup(cgroup.Path);
        using var lb = b.AttachCgroup(cgroup.Path, options: new() { Position = AttachPosition.First });
        using var lc = c.AttachCgroup(cgroup.Path, options: new() { Position = AttachPosition.Before(la) });
        var state = AttachedPrograms.Cgroup(cgroup.Path, BpfAttachType.CgroupInetSockCreate);
        Assert.Equal([b.Id, c.Id, a.Id], state.Programs.Select(p => p.ProgramId));
        Assert.Equal(revision + 3, state.Revision);

        using var d = CgroupLinkTests.SockCreate(counts, "t_d");
        var e = Assert.Throws<BpfException>(() => d.AttachCgroup(cgroup.Path, options: new() { ExpectedRevision = revision }));
        Assert.Equal("ESTALE", e.ErrnoName);
    }
}
