using BpfSharp.Links;
using BpfSharp.TestChild;
using BpfSharp.Tests.Support;

namespace BpfSharp.Tests.Links;

/// <summary>XDP set through rtnetlink (IFLA_XDP), the legacy row of DESIGN.md §1.</summary>
public class XdpNetlinkTests
{
    private static readonly XdpNetlinkAttachOptions Netlink = new();

    [Fact]
    public void Attach_RunsOnPackets_AndTheInterfaceAndBpftoolShowIt()
    {
        TestKernel.RequireRoot();
        using var ns = TestNetns.Create();
        using var counts = TestPrograms.CounterMap();
        using var prog = NetworkTestPrograms.Xdp(counts);
        using var attachment = ns.Run(() => prog.AttachXdpNetlink("lo", new() { Mode = XdpMode.Generic }));
        int lo = ns.IndexOf("lo");

        var xdp = Assert.IsType<XdpNetlinkAttachment>(attachment);
        Assert.Equal(BpfLinkKind.Netlink, xdp.Kind);
        Assert.Null(xdp.Handle);
        Assert.Equal(BpfLinkType.Unspec, xdp.LinkType);
        Assert.Equal((uint)0, xdp.Id);
        var info = xdp.GetInfo();
        Assert.Equal(prog.Id, info.ProgramId);
        Assert.Equal(lo, info.Ifindex);
        Assert.Equal(XdpMode.Generic, info.Mode);
        var state = ns.Run(() => AttachedPrograms.Xdp(lo));
        Assert.Equal(XdpMode.Generic, state.Mode);
        Assert.Equal(prog.Id, state.GenericProgramId);
        var entry = Assert.Single(TestKernel.Bpftool(ns, "net", "show")[0].GetProperty("xdp").EnumerateArray());
        Assert.Equal(prog.Id, entry.GetProperty("id").GetUInt32());
        Assert.Equal("generic", entry.GetProperty("mode").GetString());
        Assert.True(Counters.Moves(counts, () => ns.SendUdp()));
    }

    [Fact]
    public void Dispose_RemovesTheProgram_AndIsIdempotent()
    {
        TestKernel.RequireRoot();
        using var ns = TestNetns.Create();
        using var counts = TestPrograms.CounterMap();
        using var prog = NetworkTestPrograms.Xdp(counts);
        var attachment = ns.Run(() => prog.AttachXdpNetlink("lo", Netlink));
        attachment.Dispose();
        attachment.Dispose();
        Assert.Null(ns.Run(() => AttachedPrograms.Xdp(ns.IndexOf("lo"))).Mode);
        Assert.True(Counters.Stopped(counts, () => ns.SendUdp()));
    }

    [Fact]
    public void Detach_RemovesIt_InfoShowsProgramZero_AndDisposeAfterwardsDoesNotThrow()
    {
        TestKernel.RequireRoot();
        using var ns = TestNetns.Create();
        using var counts = TestPrograms.CounterMap();
        using var prog = NetworkTestPrograms.Xdp(counts);
        var attachment = ns.Run(() => prog.AttachXdpNetlink("lo", Netlink));
        attachment.Detach();
        Assert.Equal((uint)0, attachment.GetInfo().ProgramId);
        Assert.True(Counters.Stopped(counts, () => ns.SendUdp()));
        attachment.Dispose();
    }

    [Fact]
    public void Disconnect_LeavesTheProgramOnTheInterface_WithoutAnyFd()
    {
        TestKernel.RequireRoot();
        using var ns = TestNetns.Create();
        using var counts = TestPrograms.CounterMap();
        using var prog = NetworkTestPrograms.Xdp(counts);
        var attachment = ns.Run(() => prog.AttachXdpNetlink("lo", Netlink));
        attachment.Disconnect();
        attachment.Dispose();
        Assert.True(attachment.IsDisconnected);
        Assert.Equal(prog.Id, ns.Run(() => AttachedPrograms.Xdp(ns.IndexOf("lo"))).ProgramId);
        Assert.True(Counters.Moves(counts, () => ns.SendUdp()));
        // Nothing of ours holds it: removing it is the interface's business (here: deleting the namespace).
        ns.Ip("link", "set", "dev", "lo", "xdp", "off");
        Assert.Null(ns.Run(() => AttachedPrograms.Xdp(ns.IndexOf("lo"))).Mode);
    }

    [Fact]
    public void Pin_IsNotSupported()
    {
        TestKernel.RequireRoot();
        using var ns = TestNetns.Create();
        using var dir = new TempBpfFsDir();
        using var counts = TestPrograms.CounterMap();
        using var prog = NetworkTestPrograms.Xdp(counts);
        using var attachment = ns.Run(() => prog.AttachXdpNetlink("lo", Netlink));
        Assert.Throws<NotSupportedException>(() => attachment.Pin(dir["x"]));
        Assert.False(File.Exists(dir["x"]));
    }

    [Fact]
    public void ASecondAttach_FailsWithEBUSY_UnlessItReplaces()
    {
        TestKernel.RequireRoot();
        using var ns = TestNetns.Create();
        using var counts = TestPrograms.CounterMap();
        using var a = NetworkTestPrograms.Xdp(counts, "t_a");
        using var b = NetworkTestPrograms.Xdp(counts, "t_b");
        using var first = ns.Run(() => a.AttachXdpNetlink("lo", Netlink));
        var e = Assert.Throws<BpfSharp.NetlinkException>(() => ns.Run(() => b.AttachXdpNetlink("lo", Netlink)));
        Assert.Equal("EBUSY", e.ErrnoName);
        Assert.Contains("RTM_SETLINK IFLA_XDP", e.Message);

        using var second = ns.Run(() => b.AttachXdpNetlink("lo", new() { ReplaceExisting = true }));
        Assert.Equal(b.Id, ns.Run(() => AttachedPrograms.Xdp(ns.IndexOf("lo"))).ProgramId);
        // The first attachment's program was replaced: disposing it leaves the second one alone.
        first.Dispose();
        Assert.Equal(b.Id, ns.Run(() => AttachedPrograms.Xdp(ns.IndexOf("lo"))).ProgramId);
    }

    [Fact]
    public void ExpectedProgram_ReplacesOnlyWhenItIsTheOneAttached()
    {
        TestKernel.RequireRoot();
        using var ns = TestNetns.Create();
        using var counts = TestPrograms.CounterMap();
        using var a = NetworkTestPrograms.Xdp(counts, "t_a");
        using var b = NetworkTestPrograms.Xdp(counts, "t_b");
        using var c = NetworkTestPrograms.Xdp(counts, "t_c");
        using var first = ns.Run(() => a.AttachXdpNetlink("lo", Netlink));
        using var second = ns.Run(() => b.AttachXdpNetlink("lo", new() { ExpectedProgram = a }));
        Assert.Equal(b.Id, ns.Run(() => AttachedPrograms.Xdp(ns.IndexOf("lo"))).ProgramId);

        var e = Assert.Throws<BpfSharp.NetlinkException>(() => ns.Run(() => c.AttachXdpNetlink("lo", new() { ExpectedProgram = a })));
        Assert.Equal("EEXIST", e.ErrnoName);
        Assert.Equal(b.Id, ns.Run(() => AttachedPrograms.Xdp(ns.IndexOf("lo"))).ProgramId);
    }

    [Fact]
    public void Update_SwapsTheProgram_AndComparesWithTheExpectedOne()
    {
        TestKernel.RequireRoot();
        using var ns = TestNetns.Create();
        using var counts = TestPrograms.CounterMap();
        using var counts2 = TestPrograms.CounterMap();
        using var a = NetworkTestPrograms.Xdp(counts, "t_a");
        using var b = NetworkTestPrograms.Xdp(counts2, "t_b");
        using var attachment = ns.Run(() => a.AttachXdpNetlink("lo", Netlink));
        var e = Assert.Throws<BpfSharp.NetlinkException>(() => attachment.Update(b, expectedOld: b));
        Assert.Equal("EEXIST", e.ErrnoName);
        attachment.Update(b);
        Assert.Equal(b.Id, attachment.ProgramId);
        Assert.Equal(b.Id, attachment.GetInfo().ProgramId);
        Assert.True(Counters.Moves(counts2, () => ns.SendUdp()));
        attachment.Dispose();
        Assert.Null(ns.Run(() => AttachedPrograms.Xdp(ns.IndexOf("lo"))).Mode);
    }

    [Fact]
    public void NativeMode_FailsOnLoopback_AndWorksOnVeth()
    {
        TestKernel.RequireRoot();
        var (near, far) = TestNetns.CreateVethPair();
        using var nearNs = near;
        using var farNs = far;
        using var counts = TestPrograms.CounterMap();
        using var prog = NetworkTestPrograms.Xdp(counts);
        var e = Assert.ThrowsAny<BpfException>(() => near.Run(() => prog.AttachXdpNetlink("lo", new() { Mode = XdpMode.Native })));
        Assert.Contains("RTM_SETLINK", e.Message);

        using var attachment = near.Run(() => prog.AttachXdpNetlink("veth0", new() { Mode = XdpMode.Native }));
        var state = near.Run(() => AttachedPrograms.Xdp(near.IndexOf("veth0")));
        Assert.Equal(XdpMode.Native, state.Mode);
        Assert.Equal(prog.Id, state.NativeProgramId);
        Assert.True(Counters.Moves(counts, () => far.SendUdp(TestNetns.NearAddress)));
    }

    [Fact]
    public void DeletingTheInterface_EndsIt_AndDisposeDoesNotThrow()
    {
        TestKernel.RequireRoot();
        var (near, far) = TestNetns.CreateVethPair();
        using var nearNs = near;
        using var farNs = far;
        using var counts = TestPrograms.CounterMap();
        using var prog = NetworkTestPrograms.Xdp(counts);
        var attachment = near.Run(() => prog.AttachXdpNetlink("veth0", Netlink));
        near.Ip("link", "del", "veth0");
        Assert.Equal((uint)0, attachment.GetInfo().ProgramId);
        attachment.Dispose();
        attachment.Dispose();
    }
}
