using System.Net;
using System.Net.Sockets;
using BpfSharp.Interop;

namespace BpfSharp.Tests.Support;

/// <summary>
/// A network namespace of the test's own (<c>ip netns add bpfsharp-net-RANDOM</c>) with <c>lo</c> up: every
/// packet a networking test sends stays inside it. Disposing deletes it, and with it every interface, qdisc
/// and attachment it holds.
/// </summary>
public sealed class TestNetns : IDisposable
{
    public string Name { get; }

    /// <summary>The namespace file, for AttachNetns and NetNamespace.Open.</summary>
    public string Path => $"/run/netns/{Name}";

    private TestNetns(string name) => Name = name;

    public static TestNetns Create()
    {
        var ns = new TestNetns($"bpfsharp-net-{Guid.NewGuid():N}"[..24]);
        TestKernel.Run("ip", "netns", "add", ns.Name);
        try
        {
            ns.Ip("link", "set", "lo", "up");
            return ns;
        }
        catch
        {
            ns.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Two namespaces joined by a veth pair: <c>veth0</c> (10.77.0.1/24) in the first, <c>veth1</c>
    /// (10.77.0.2/24) in the second, both up.
    /// </summary>
    public static (TestNetns Near, TestNetns Far) CreateVethPair()
    {
        var near = Create();
        TestNetns? far = null;
        try
        {
            far = Create();
            near.Ip("link", "add", "veth0", "type", "veth", "peer", "name", "veth1", "netns", far.Name);
            near.Ip("addr", "add", NearAddress + "/24", "dev", "veth0");
            far.Ip("addr", "add", FarAddress + "/24", "dev", "veth1");
            near.Ip("link", "set", "veth0", "up");
            far.Ip("link", "set", "veth1", "up");
            return (near, far);
        }
        catch
        {
            far?.Dispose();
            near.Dispose();
            throw;
        }
    }

    public const string NearAddress = "10.77.0.1", FarAddress = "10.77.0.2";

    /// <summary>Runs <c>ip ARGS</c> in the namespace.</summary>
    public string Ip(params string[] args) => TestKernel.Run("ip", ["-n", Name, .. args]);

    /// <summary>Runs a command in the namespace (<c>ip netns exec</c>).</summary>
    public string Exec(string file, params string[] args) => TestKernel.Run("ip", ["netns", "exec", Name, file, .. args]);

    /// <summary>Runs <paramref name="action"/> on a thread inside the namespace.</summary>
    public T Run<T>(Func<T> action)
    {
        using var ns = NetNamespace.Open(Path);
        return ns.Run(action);
    }

    public void Run(Action action) => Run(() => { action(); return 0; });

    public int IndexOf(string device) => Run(() => (int)Libc.if_nametoindex(device) is > 0 and var i ? i
        : throw new InvalidOperationException($"no interface {device} in {Name}"));

    /// <summary>The inode that identifies the namespace (what a netns link's info reports).</summary>
    public ulong Inode()
    {
        using var ns = NetNamespace.Open(Path);
        return ns.Inode;
    }

    /// <summary>Sends <paramref name="count"/> UDP datagrams from inside the namespace to <paramref name="address"/>:<paramref name="port"/>.</summary>
    public void SendUdp(string address = "127.0.0.1", int port = 9, int count = 5) => Run(() =>
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        var to = new IPEndPoint(IPAddress.Parse(address), port);
        for (int i = 0; i < count; i++)
        {
            socket.SendTo(new byte[16], to);
            Thread.Sleep(5);
        }
        Thread.Sleep(20);
    });

    public void Dispose()
    {
        if (File.Exists(Path)) TestKernel.TryRun("ip", "netns", "del", Name);
    }
}
