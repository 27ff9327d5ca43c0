using System.Runtime.InteropServices;
using BpfSharp.Links;
using BpfSharp.TestChild;
using BpfSharp.Tests.Support;

namespace BpfSharp.Tests.Links;

public partial class AutoAttachTests
{
    [LibraryImport("libc")]
    private static partial int getppid();

    private static void CallGetppid()
    {
        for (int i = 0; i < 50; i++) getppid();
    }

    [Theory]
    [InlineData("raw_tp/sys_enter", BpfProgramType.RawTracepoint, typeof(RawTracepointLink))]
    [InlineData("raw_tracepoint/sys_enter", BpfProgramType.RawTracepoint, typeof(RawTracepointLink))]
    [InlineData("tp/syscalls/sys_enter_getppid", BpfProgramType.Tracepoint, typeof(PerfEventLink))]
    [InlineData("tracepoint/syscalls/sys_enter_getppid", BpfProgramType.Tracepoint, typeof(PerfEventLink))]
    [InlineData("uprobe/libc.so.6:getppid", BpfProgramType.Kprobe, typeof(PerfEventLink))]
    [InlineData("uretprobe/libc.so.6:getppid", BpfProgramType.Kprobe, typeof(PerfEventLink))]
    public void SectionName_PicksTheAttachKind_AndTheProgramRuns(string section, BpfProgramType type, Type linkType)
    {
        TestKernel.RequireRoot();
        using var counts = TestPrograms.CounterMap();
        using var prog = TestPrograms.Load(type, counts);
        prog.SectionName = section;
        using var link = prog.Attach();
        Assert.IsType(linkType, link);
        Assert.True(Counters.Moves(counts, CallGetppid));
    }

    [Fact]
    public void TpBtfSection_AttachesToItsLoadTarget()
    {
        TestKernel.RequireRoot();
        using var counts = TestPrograms.CounterMap();
        using var prog = BpfProgram.Load(BpfProgramType.Tracing, TestPrograms.Counting(counts), new()
        {
            ExpectedAttachType = BpfAttachType.TraceRawTp,
            AttachTarget = "sys_enter",
        });
        prog.SectionName = "tp_btf/sys_enter";
        using var link = prog.Attach();
        Assert.True(Counters.Moves(counts, CallGetppid));
    }

    [Theory]
    [InlineData("xdp", "does not say where to attach; attach it with AttachXdp(interface)")]
    [InlineData("perf_event", "does not say where to attach; attach it with AttachPerfEvent(perfEventFd)")]
    [InlineData("cgroup_skb/ingress", "attach it with AttachCgroup(cgroupPath)")]
    [InlineData("usdt", "names no target to attach to; attach it with AttachUsdt(")]
    [InlineData("raw_tp", "names no target")]
    [InlineData("uprobe/nocolon", "BINARY:SYMBOL")]
    [InlineData("no_such_section", "not one BpfSharp knows")]
    public void SectionsThatDoNotSayWhere_ThrowClearly(string section, string message)
    {
        TestKernel.RequireRoot();
        using var counts = TestPrograms.CounterMap();
        using var prog = TestPrograms.Load(BpfProgramType.Kprobe, counts);
        prog.SectionName = section;
        var e = Assert.Throws<InvalidOperationException>(() => prog.Attach());
        Assert.Contains(message, e.Message);
    }

    [Theory]
    [InlineData("uprobe.multi/libc.so.6:getpp*", "uprobe.multi", "libc.so.6:getpp*")]
    [InlineData("uprobe/libc.so.6:getppid", "uprobe", "libc.so.6:getppid")]
    [InlineData("?kprobe/do_unlinkat", "kprobe", "do_unlinkat")]
    [InlineData("cgroup_skb/ingress", "cgroup_skb/ingress", "")]
    [InlineData("xdp.frags", "xdp.frags", "")]
    [InlineData("fentry.s/do_unlinkat", "fentry.s", "do_unlinkat")]
    public void SectionTable_MatchesTheLongestRow(string section, string prefix, string target)
    {
        Assert.True(SectionDefinitions.TryMatch(section, out var def, out var t));
        Assert.Equal(prefix, def.Prefix);
        Assert.Equal(target, t);
    }
}

/// <summary>Attach() for the networking and cgroup sections: the typed method to use when the name carries no target.</summary>
public class NetworkSectionAutoAttachTests
{
    [Theory]
    [InlineData("xdp", BpfProgramType.Xdp, "AttachXdp(interface)")]
    [InlineData("tcx/ingress", BpfProgramType.SchedCls, "AttachTcx(interface, direction)")]
    [InlineData("tc", BpfProgramType.SchedCls, "AttachTcFilter")]
    [InlineData("netkit/peer", BpfProgramType.SchedCls, "AttachNetkit")]
    [InlineData("cgroup/sock_create", BpfProgramType.CgroupSock, "AttachCgroup(cgroupPath)")]
    [InlineData("cgroup_skb/egress", BpfProgramType.CgroupSkb, "AttachCgroup(cgroupPath)")]
    [InlineData("netfilter", BpfProgramType.Netfilter, "AttachNetfilter(family, hook, priority)")]
    [InlineData("sk_msg", BpfProgramType.SkMsg, "AttachSockmap(map)")]
    [InlineData("socket", BpfProgramType.SocketFilter, "AttachSocketFilter(socket)")]
    public void SectionsWithoutATarget_NameTheMethodThatTakesOne(string section, BpfProgramType type, string method)
    {
        TestKernel.RequireRoot();
        TestKernel.RequireFeature(BpfFeatures.ProgramType(type));
        using var counts = TestPrograms.CounterMap();
        var attachType = SectionDefinitions.TryMatch(section, out var def, out _) ? def.AttachType : null;
        using var prog = BpfProgram.Load(type, TestPrograms.Counting(counts, 1), new() { ExpectedAttachType = attachType });
        prog.SectionName = section;
        var e = Assert.Throws<InvalidOperationException>(() => prog.Attach());
        Assert.Contains(method, e.Message);
    }

    [Theory]
    [InlineData("sk_lookup", BpfProgramType.SkLookup, BpfAttachType.SkLookup)]
    [InlineData("flow_dissector", BpfProgramType.FlowDissector, BpfAttachType.FlowDissector)]
    public void NamespaceSections_AttachToTheCallingThreadsNamespace(string section, BpfProgramType type, BpfAttachType attachType)
    {
        TestKernel.RequireRoot();
        using var ns = TestNetns.Create();
        using var counts = TestPrograms.CounterMap();
        using var prog = BpfProgram.Load(type, TestPrograms.Counting(counts, 1), new() { ExpectedAttachType = attachType });
        prog.SectionName = section;
        using var link = ns.Run(() => prog.Attach());
        var info = Assert.IsType<NetnsLinkInfo>(link.GetInfo());
        Assert.Equal(ns.Inode(), (ulong)info.NetnsInode);
        Assert.Equal(attachType, info.AttachType);
    }
}
