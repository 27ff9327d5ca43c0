using BpfSharp.Interop;
using BpfSharp.Links;
using BpfSharp.TestChild;
using BpfSharp.Tests.Support;

namespace BpfSharp.Tests.Links;

/// <summary>
/// An attach makes no bpf(2) call after the kernel attached: a BPF LSM program may deny every later call
/// (libbpf's lsm/bpf example does), and a failure then would throw with the attachment left behind. The
/// kernel's own syscall tracepoint records the commands each attach makes on the test thread; the attaching
/// command must be the last.
/// </summary>
public class AttachCallOrderTests
{
    /// <param name="netns">Where to attach (the witness records the thread that attaches), or the test's own namespace.</param>
    private static void AssertAttachIsTheLastCall(BpfCommand attach, Func<BpfLink> attachNow, TestNetns? netns = null)
    {
        using var witness = new BpfCallWitness();
        BpfLink? link = null;
        try
        {
            IReadOnlyList<BpfCommand> Record() => witness.Record(() => link = attachNow());
            var commands = netns is null ? Record() : netns.Run(Record);
            Assert.Contains(attach, commands);
            Assert.Equal(attach, commands[^1]);
            // The link is whole without asking the kernel anything: its kind and (lazily) its id.
            Assert.NotEqual(0u, link!.Id);
        }
        finally
        {
            link?.Dispose();
        }
    }

    [Fact]
    public void TpBtf_AttachTrace()
    {
        TestKernel.RequireRoot();
        using var counts = TestPrograms.CounterMap();
        using var prog = TestPrograms.Load(BpfProgramType.Tracing, counts, BpfAttachType.TraceRawTp, "sys_enter");
        AssertAttachIsTheLastCall(BpfCommand.BPF_RAW_TRACEPOINT_OPEN, () => prog.AttachTrace());
        using var link = prog.AttachTrace();
        Assert.Equal(BpfLinkType.RawTracepoint, Assert.IsType<RawTracepointLink>(link).LinkType);
    }

    [Fact]
    public void TpBtf_AttachTraceWithACookie()
    {
        TestKernel.RequireRoot();
        using var counts = TestPrograms.CounterMap();
        using var prog = TestPrograms.Load(BpfProgramType.Tracing, counts, BpfAttachType.TraceRawTp, "sys_enter");
        AssertAttachIsTheLastCall(BpfCommand.BPF_LINK_CREATE, () => prog.AttachTrace(cookie: 7));
        using var link = prog.AttachTrace(cookie: 7);
        Assert.Equal(BpfLinkType.RawTracepoint, Assert.IsType<RawTracepointLink>(link).LinkType);
    }

    [Fact]
    public void RawTracepoint()
    {
        TestKernel.RequireRoot();
        using var counts = TestPrograms.CounterMap();
        using var prog = TestPrograms.Load(BpfProgramType.RawTracepoint, counts);
        AssertAttachIsTheLastCall(BpfCommand.BPF_RAW_TRACEPOINT_OPEN, () => prog.AttachRawTracepoint("sys_enter"));
    }

    [Fact]
    public void Iterator()
    {
        TestKernel.RequireRoot();
        using var counts = TestPrograms.CounterMap();
        using var prog = TestPrograms.Load(BpfProgramType.Tracing, counts, BpfAttachType.TraceIter, "task");
        AssertAttachIsTheLastCall(BpfCommand.BPF_LINK_CREATE, () => prog.AttachIter());
    }

    [Fact]
    public void PerfLinkOnATracepoint()
    {
        TestKernel.RequireRoot();
        TestKernel.RequireFeature(BpfFeatures.PerfLinks);
        using var counts = TestPrograms.CounterMap();
        using var prog = TestPrograms.Load(BpfProgramType.Tracepoint, counts);
        AssertAttachIsTheLastCall(BpfCommand.BPF_LINK_CREATE, () => prog.AttachTracepoint("syscalls", "sys_enter_getppid"));
    }

    [Fact]
    public void CgroupLink()
    {
        TestKernel.RequireRoot();
        using var cgroup = new TestCgroup();
        using var counts = TestPrograms.CounterMap();
        using var prog = TestPrograms.Load(BpfProgramType.CgroupSock, counts, BpfAttachType.CgroupInetSockCreate, returnValue: 1);
        AssertAttachIsTheLastCall(BpfCommand.BPF_LINK_CREATE, () => prog.AttachCgroup(cgroup.Path));
    }

    [Fact]
    public void XdpLink()
    {
        TestKernel.RequireRoot();
        using var ns = TestNetns.Create();
        using var counts = TestPrograms.CounterMap();
        using var prog = NetworkTestPrograms.Xdp(counts);
        AssertAttachIsTheLastCall(BpfCommand.BPF_LINK_CREATE, () => prog.AttachXdp("lo"), ns);
    }

    [Fact]
    public void TcxLink()
    {
        TestKernel.RequireRoot();
        TestKernel.RequireFeature(BpfFeatures.Tcx);
        using var ns = TestNetns.Create();
        using var counts = TestPrograms.CounterMap();
        using var prog = NetworkTestPrograms.SchedCls(counts);
        AssertAttachIsTheLastCall(BpfCommand.BPF_LINK_CREATE, () => prog.AttachTcx("lo", TcDirection.Ingress), ns);
    }

    [Fact]
    public void SockmapLink()
    {
        TestKernel.RequireRoot();
        TestKernel.RequireFeature(BpfFeatures.SockmapLinks);
        using var sockmap = BpfMap.Create(BpfMapType.SockMap, 4, 4, 1);
        using var counts = TestPrograms.CounterMap();
        using var prog = NetworkTestPrograms.Load(BpfProgramType.SkMsg, counts, NetworkTestPrograms.SkPass, BpfAttachType.SkMsgVerdict);
        AssertAttachIsTheLastCall(BpfCommand.BPF_LINK_CREATE, () => prog.AttachSockmap(sockmap));
    }
}
