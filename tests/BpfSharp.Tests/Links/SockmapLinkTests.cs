using System.Net;
using System.Net.Sockets;
using BpfSharp.Links;
using BpfSharp.TestChild;
using BpfSharp.Tests.Support;

namespace BpfSharp.Tests.Links;

/// <summary>sk_msg / sk_skb programs on a sockmap: links (Linux 6.10) and BPF_PROG_ATTACH.</summary>
public class SockmapLinkTests
{
    private static BpfMap SockMap() => BpfMap.Create(BpfMapType.SockMap, 4, 4, 2, new BpfMapCreateOptions { Name = "t_sockmap" });

    private static BpfProgram SkMsg(BpfMap counts, string name = "t_msg") =>
        NetworkTestPrograms.Load(BpfProgramType.SkMsg, counts, NetworkTestPrograms.SkPass, BpfAttachType.SkMsgVerdict, name);

    /// <summary>A TCP connection over the namespace's loopback; the client socket goes into the map, then sends.</summary>
    private static void SendThroughTheMap(TestNetns ns, BpfMap sockmap) => ns.Run(() =>
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen();
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        client.Connect(listener.LocalEndPoint!);
        using var server = listener.Accept();
        sockmap.Update(0, (int)client.SafeHandle.DangerousGetHandle());
        for (int i = 0; i < 3; i++) client.Send(new byte[32]);
        var buffer = new byte[256];
        int received = 0;
        while (received < 96) received += server.Receive(buffer);
        sockmap.Delete(0);
    });

    [Fact]
    public void Link_RunsForTheMapsSockets_AndReportsMapAndAttachType()
    {
        TestKernel.RequireRoot();
        TestKernel.RequireFeature(BpfFeatures.SockmapLinks);
        using var ns = TestNetns.Create();
        using var sockmap = SockMap();
        using var counts = TestPrograms.CounterMap();
        using var prog = SkMsg(counts);
        using var link = prog.AttachSockmap(sockmap);

        var sm = Assert.IsType<SockmapLink>(link);
        var info = sm.GetInfo();
        Assert.Equal(sockmap.Id, info.MapId);
        Assert.Equal(BpfAttachType.SkMsgVerdict, info.AttachType);
        Assert.Equal(prog.Id, info.ProgramId);
        Assert.Equal(prog.Id, Assert.Single(AttachedPrograms.Sockmap(sockmap, BpfAttachType.SkMsgVerdict).Programs).ProgramId);
        Assert.True(Counters.Moves(counts, () => SendThroughTheMap(ns, sockmap)));
        Assert.Equal(prog.Id, TestKernel.Bpftool(null, "link", "show", "id", link.Id.ToString()).GetProperty("prog_id").GetUInt32());
    }

    [Fact]
    public void Detach_LeavesMapIdZero_AndALegacyAttachConflictsWithALink()
    {
        TestKernel.RequireRoot();
        TestKernel.RequireFeature(BpfFeatures.SockmapLinks);
        using var sockmap = SockMap();
        using var counts = TestPrograms.CounterMap();
        using var prog = SkMsg(counts);
        using var other = SkMsg(counts, "t_msg2");
        using var link = prog.AttachSockmap(sockmap);

        var e = Assert.Throws<BpfException>(() => other.AttachSockmapProgram(sockmap));
        Assert.Equal("EBUSY", e.ErrnoName);
        Assert.Contains("BPF_PROG_ATTACH", e.Message);

        link.Detach();
        Assert.Equal(0u, link.GetInfo().MapId);
        Assert.Empty(AttachedPrograms.Sockmap(sockmap, BpfAttachType.SkMsgVerdict).Programs);
    }

    [Fact]
    public void ProgramAttach_RunsUntilDisposed_AndDisconnectLeavesItInTheMap()
    {
        TestKernel.RequireRoot();
        using var ns = TestNetns.Create();
        using var sockmap = SockMap();
        using var counts = TestPrograms.CounterMap();
        using var prog = SkMsg(counts);
        var attachment = prog.AttachSockmapProgram(sockmap);
        Assert.Equal(BpfLinkKind.ProgramAttach, attachment.Kind);
        Assert.True(attachment.GetInfo().IsAttached);
        Assert.True(Counters.Moves(counts, () => SendThroughTheMap(ns, sockmap)));
        attachment.Dispose();
        Assert.Empty(AttachedPrograms.Sockmap(sockmap, BpfAttachType.SkMsgVerdict).Programs);
        Assert.False(Counters.Moves(counts, () => SendThroughTheMap(ns, sockmap)));

        var disconnected = prog.AttachSockmapProgram(sockmap);
        disconnected.Disconnect();
        disconnected.Dispose();
        Assert.Single(AttachedPrograms.Sockmap(sockmap, BpfAttachType.SkMsgVerdict).Programs);
    }
}
