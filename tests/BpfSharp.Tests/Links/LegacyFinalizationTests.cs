using System.Runtime.CompilerServices;
using BpfSharp.Links;
using BpfSharp.TestChild;
using BpfSharp.Tests.Support;

namespace BpfSharp.Tests.Links;

/// <summary>
/// A legacy attachment (BPF_PROG_ATTACH, netlink) dropped without Dispose is destroyed by its finalizer as
/// Dispose would; a disconnected one is left attached, its fds closed by their own finalizers.
/// </summary>
public class LegacyFinalizationTests
{
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void AttachAndDrop(Func<BpfLink> attach, bool disconnect)
    {
        var link = attach();
        if (disconnect) link.Disconnect();
    }

    private static void Collect()
    {
        for (int i = 0; i < 3; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void XdpNetlinkAttachment_Collected(bool disconnect)
    {
        TestKernel.RequireRoot();
        using var ns = TestNetns.Create();
        using var counts = TestPrograms.CounterMap();
        using var prog = NetworkTestPrograms.Xdp(counts);
        AttachAndDrop(() => ns.Run(() => prog.AttachXdpNetlink("lo")), disconnect);
        Collect();
        uint attached = ns.Run(() => AttachedPrograms.Xdp(ns.IndexOf("lo"))).ProgramId;
        Assert.Equal(disconnect ? prog.Id : 0u, attached);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void CgroupProgramAttachment_Collected(bool disconnect)
    {
        TestKernel.RequireRoot();
        using var cgroup = new TestCgroup();
        using var counts = TestPrograms.CounterMap();
        using var prog = CgroupLinkTests.SockCreate(counts);
        AttachAndDrop(() => prog.AttachCgroupProgram(cgroup.Path, CgroupAttachMode.Multi), disconnect);
        Collect();
        var attached = AttachedPrograms.Cgroup(cgroup.Path, BpfAttachType.CgroupInetSockCreate).Programs.Select(p => p.ProgramId);
        Assert.Equal(disconnect, attached.Contains(prog.Id));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void TcFilterAttachment_Collected(bool disconnect)
    {
        TestKernel.RequireRoot();
        using var ns = TestNetns.Create();
        using var counts = TestPrograms.CounterMap();
        using var prog = NetworkTestPrograms.SchedCls(counts, NetworkTestPrograms.TcActOk);
        AttachAndDrop(() => ns.Run(() => prog.AttachTcFilter("lo", TcDirection.Ingress)), disconnect);
        Collect();
        var filters = ns.Run(() => AttachedPrograms.TcFilters(ns.IndexOf("lo"), TcDirection.Ingress));
        Assert.Equal(disconnect, filters.Any(f => f.ProgramId == prog.Id));
    }
}
