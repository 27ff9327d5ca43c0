using BpfSharp.Links;
using BpfSharp.TestChild;
using BpfSharp.Tests.Support;

namespace BpfSharp.Tests.Links;

/// <summary>netfilter links (Linux 6.4): a BPF program as a netfilter hook of the attaching thread's namespace.</summary>
public class NetfilterLinkTests
{
    private static BpfProgram Load(BpfMap counts, string name = "t_nf") =>
        NetworkTestPrograms.Load(BpfProgramType.Netfilter, counts, NetworkTestPrograms.NfAccept, BpfAttachType.Netfilter, name);

    [Fact]
    public void Attach_RunsOnTheNamespacesPackets_AndReportsFamilyHookPriority()
    {
        TestKernel.RequireRoot();
        TestKernel.RequireFeature(BpfFeatures.Netfilter);
        using var ns = TestNetns.Create();
        using var other = TestNetns.Create();
        using var counts = TestPrograms.CounterMap();
        using var prog = Load(counts);
        using var link = ns.Run(() => prog.AttachNetfilter(NetfilterProtocolFamily.IPv4, NetfilterHook.LocalOut, -128));

        var nf = Assert.IsType<NetfilterLink>(link);
        Assert.Equal(BpfLinkType.Netfilter, nf.LinkType);
        var info = nf.GetInfo();
        Assert.Equal((2u, 3u, -128, 0u), (info.ProtocolFamily, info.Hook, info.Priority, info.Flags));
        Assert.Equal(prog.Id, info.ProgramId);
        Assert.True(Counters.Moves(counts, () => ns.SendUdp()));
        // Another namespace's packets do not pass this namespace's hooks.
        Assert.False(Counters.Moves(counts, () => other.SendUdp()));

        var json = TestKernel.Bpftool(null, "link", "show", "id", link.Id.ToString());
        Assert.Equal(prog.Id, json.GetProperty("prog_id").GetUInt32());
    }

    [Fact]
    public void Defrag_IsReportedInTheFlags()
    {
        TestKernel.RequireRoot();
        TestKernel.RequireFeature(BpfFeatures.Netfilter);
        using var ns = TestNetns.Create();
        using var counts = TestPrograms.CounterMap();
        using var prog = Load(counts);
        using var link = ns.Run(() => prog.AttachNetfilter(NetfilterProtocolFamily.IPv4, NetfilterHook.PreRouting, -100, new() { Defrag = true }));
        Assert.Equal(1u, ((NetfilterLink)link).GetInfo().Flags);
        Assert.True(Counters.Moves(counts, () => ns.SendUdp()));

        var e = Assert.Throws<BpfException>(() => ns.Run(() => prog.AttachNetfilter(NetfilterProtocolFamily.IPv4, NetfilterHook.PreRouting, -500, new() { Defrag = true })));
        Assert.Equal("ERANGE", e.ErrnoName);
        Assert.Contains("-400", e.Message);
    }

    [Fact]
    public void ABadHookNumber_FailsWithAClearMessage()
    {
        TestKernel.RequireRoot();
        TestKernel.RequireFeature(BpfFeatures.Netfilter);
        using var ns = TestNetns.Create();
        using var counts = TestPrograms.CounterMap();
        using var prog = Load(counts);
        var e = Assert.Throws<BpfException>(() => ns.Run(() => prog.AttachNetfilter(NetfilterProtocolFamily.IPv4, (NetfilterHook)42, 0)));
        Assert.Equal("EPROTO", e.ErrnoName);
        Assert.Contains("BPF_LINK_CREATE", e.Message);
        Assert.Contains("42 is not a netfilter hook", e.Message);

        var family = Assert.Throws<BpfException>(() => ns.Run(() => prog.AttachNetfilter((NetfilterProtocolFamily)7, NetfilterHook.LocalIn, 0)));
        Assert.Equal("EAFNOSUPPORT", family.ErrnoName);
        Assert.Contains("IPv4 and IPv6", family.Message);

        var priority = Assert.Throws<BpfException>(() => ns.Run(() => prog.AttachNetfilter(NetfilterProtocolFamily.IPv6, NetfilterHook.LocalIn, int.MinValue)));
        Assert.Equal("ERANGE", priority.ErrnoName);
        Assert.Contains("reserved", priority.Message);
    }

    [Fact]
    public void Detach_StopsIt_AndDisposeDetachesToo()
    {
        TestKernel.RequireRoot();
        TestKernel.RequireFeature(BpfFeatures.Netfilter);
        using var ns = TestNetns.Create();
        using var counts = TestPrograms.CounterMap();
        using var counts2 = TestPrograms.CounterMap();
        using var a = Load(counts, "t_a");
        using var b = Load(counts2, "t_b");
        using var detached = ns.Run(() => a.AttachNetfilter(NetfilterProtocolFamily.IPv4, NetfilterHook.LocalIn, 10));
        var disposed = ns.Run(() => b.AttachNetfilter(NetfilterProtocolFamily.IPv4, NetfilterHook.LocalIn, 20));
        uint id = disposed.Id;
        Assert.True(Counters.Moves(counts, () => ns.SendUdp()));
        Assert.True(Counters.Moves(counts2, () => ns.SendUdp()));

        detached.Detach();
        disposed.Dispose();
        Assert.Contains(detached.Id, BpfLink.EnumerateIds());
        Assert.True(Eventually.LinkGone(id));
        Assert.True(Counters.Stopped(counts, () => ns.SendUdp()));
        Assert.True(Counters.Stopped(counts2, () => ns.SendUdp()));
    }

    [Fact]
    public void TheNamespaceGoingAway_DisposeDoesNotThrow()
    {
        TestKernel.RequireRoot();
        TestKernel.RequireFeature(BpfFeatures.Netfilter);
        var ns = TestNetns.Create();
        using var counts = TestPrograms.CounterMap();
        using var prog = Load(counts);
        BpfLink link;
        try
        {
            link = ns.Run(() => prog.AttachNetfilter(NetfilterProtocolFamily.IPv4, NetfilterHook.LocalOut, 5));
        }
        finally
        {
            ns.Dispose();
        }
        link.Detach();
        link.Dispose();
    }
}
