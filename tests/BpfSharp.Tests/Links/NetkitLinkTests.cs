using BpfSharp.Interop;
using BpfSharp.Links;
using BpfSharp.TestChild;
using BpfSharp.Tests.Support;

namespace BpfSharp.Tests.Links;

/// <summary>netkit links (Linux 6.7), where the kernel has netkit devices.</summary>
public class NetkitLinkTests
{
    /// <summary>Creates a netkit pair in the namespace, or skips with the kernel's reason.</summary>
    private static int CreateNetkit(TestNetns ns)
    {
        try
        {
            ns.Run(() =>
            {
                using var socket = NetlinkSocket.Open();
                // Not "nk0": the kernel names the peer from "nk%d" and registers it first, so a primary named
                // nk0 collides with its own peer (EEXIST, seen on 6.12).
                RtNetlink.CreateLink(socket, "nkprimary", "netkit");
            });
        }
        catch (BpfException e)
        {
            TestKernel.RequireKernelHas(TestKernel.NetkitDevices, false, $"this kernel cannot create a netkit device ({e.Message})");
        }
        return ns.IndexOf("nkprimary");
    }

    [Fact]
    public void Attach_ToThePrimaryAndPeer_ReportsTheSide()
    {
        TestKernel.RequireRoot();
        TestKernel.RequireFeature(BpfFeatures.Netkit);
        using var ns = TestNetns.Create();
        int nk = CreateNetkit(ns);
        using var counts = TestPrograms.CounterMap();
        using var prog = NetworkTestPrograms.SchedCls(counts);
        using var primary = ns.Run(() => prog.AttachNetkit(nk, NetkitEndpoint.Primary));
        using var peer = ns.Run(() => prog.AttachNetkit(nk, NetkitEndpoint.Peer));
        Assert.Equal((nk, BpfAttachType.NetkitPrimary), (primary.GetInfo().Ifindex, primary.GetInfo().AttachType));
        Assert.Equal(BpfAttachType.NetkitPeer, peer.GetInfo().AttachType);
        Assert.Equal(prog.Id, Assert.Single(ns.Run(() => AttachedPrograms.Netkit(nk, NetkitEndpoint.Primary)).Programs).ProgramId);
        primary.Detach();
        Assert.Equal(0, primary.GetInfo().Ifindex);
    }
}
