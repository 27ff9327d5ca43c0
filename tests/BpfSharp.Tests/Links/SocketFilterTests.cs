using System.Net;
using System.Net.Sockets;
using BpfSharp.Links;
using BpfSharp.TestChild;
using BpfSharp.Tests.Support;

namespace BpfSharp.Tests.Links;

/// <summary>Socket filters (SO_ATTACH_BPF): the socket holds the program.</summary>
public class SocketFilterTests
{
    private static BpfProgram Filter(BpfMap counts, int keep) =>
        NetworkTestPrograms.Load(BpfProgramType.SocketFilter, counts, keep, name: "t_filter");

    /// <summary>A UDP socket bound to the namespace's loopback, and how many of <paramref name="count"/> datagrams it receives.</summary>
    private static int Deliver(TestNetns ns, Socket receiver, int count = 3) => ns.Run(() =>
    {
        using var sender = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        for (int i = 0; i < count; i++) sender.SendTo(new byte[16], receiver.LocalEndPoint!);
        Thread.Sleep(50);
        int received = 0;
        var buffer = new byte[64];
        while (receiver.Available > 0)
        {
            receiver.Receive(buffer);
            received++;
        }
        return received;
    });

    private static Socket Receiver(TestNetns ns) => ns.Run(() =>
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return socket;
    });

    [Fact]
    public void Attach_SeesTheSocketsPackets_AndDisposeDetaches()
    {
        TestKernel.RequireRoot();
        using var ns = TestNetns.Create();
        using var receiver = Receiver(ns);
        using var counts = TestPrograms.CounterMap();
        using var prog = Filter(counts, 0xFFFF);
        var attachment = prog.AttachSocketFilter(receiver);
        Assert.Equal(BpfLinkKind.SocketOption, attachment.Kind);
        Assert.Equal(prog.Id, attachment.GetInfo().ProgramId);
        Assert.Null(attachment.Handle);

        long before = Counters.Read(counts);
        Assert.Equal(3, Deliver(ns, receiver));
        Assert.Equal(before + 3, Counters.Read(counts));

        attachment.Dispose();
        attachment.Dispose();
        Assert.Equal(3, Deliver(ns, receiver));
        Assert.Equal(before + 3, Counters.Read(counts));
    }

    [Fact]
    public void AFilterReturningZero_DropsEverything_UntilDetached()
    {
        TestKernel.RequireRoot();
        using var ns = TestNetns.Create();
        using var receiver = Receiver(ns);
        using var counts = TestPrograms.CounterMap();
        using var prog = Filter(counts, 0);
        using var attachment = prog.AttachSocketFilter(receiver);
        Assert.Equal(0, Deliver(ns, receiver));
        Assert.True(Counters.Read(counts) >= 3);
        attachment.Detach();
        Assert.Equal(3, Deliver(ns, receiver));
    }

    [Fact]
    public void Disconnect_LeavesItOnTheSocket_AndAClosedSocketDoesNotMakeDisposeThrow()
    {
        TestKernel.RequireRoot();
        using var ns = TestNetns.Create();
        using var counts = TestPrograms.CounterMap();
        using var prog = Filter(counts, 0);
        using (var receiver = Receiver(ns))
        {
            var attachment = prog.AttachSocketFilter(receiver);
            attachment.Disconnect();
            attachment.Dispose();
            Assert.Equal(0, Deliver(ns, receiver));
        }
        var closed = Receiver(ns);
        var orphan = prog.AttachSocketFilter(closed);
        closed.Dispose();
        orphan.Dispose();
        using var another = Receiver(ns);
        using var pinless = prog.AttachSocketFilter(another);
        Assert.Throws<NotSupportedException>(() => pinless.Pin("/sys/fs/bpf/never"));
        Assert.Throws<NotSupportedException>(() => pinless.Update(prog));
    }
}
