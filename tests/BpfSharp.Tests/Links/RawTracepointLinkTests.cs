using System.Runtime.CompilerServices;
using System.Text.Json;
using BpfSharp.Btf;
using BpfSharp.Links;
using BpfSharp.TestChild;
using BpfSharp.Tests.Support;

namespace BpfSharp.Tests.Links;

public class RawTracepointLinkTests
{
    [Fact]
    public void Attach_Runs_IsListed_AndBpftoolAgrees()
    {
        TestKernel.RequireRoot();
        string bpftool = TestKernel.RequireTool("bpftool");
        using var counts = TestPrograms.CounterMap();
        using var prog = TestPrograms.Load(BpfProgramType.RawTracepoint, counts);
        using var link = prog.AttachRawTracepoint("sys_enter");

        Assert.Equal(BpfLinkKind.Fd, link.Kind);
        Assert.Equal(BpfLinkType.RawTracepoint, link.LinkType);
        Assert.True(Counters.Moves(counts));
        Assert.Contains(link.Id, BpfLink.EnumerateIds());

        var info = Assert.IsType<RawTracepointLinkInfo>(link.GetInfo());
        Assert.Equal("sys_enter", info.TracepointName);
        Assert.Equal(prog.Id, info.ProgramId);

        var json = JsonDocument.Parse(TestKernel.Run(bpftool, "link", "show", "id", link.Id.ToString(), "-j")).RootElement;
        Assert.Equal("raw_tracepoint", json.GetProperty("type").GetString());
        Assert.Equal("sys_enter", json.GetProperty("tp_name").GetString());
        Assert.Equal(prog.Id, json.GetProperty("prog_id").GetUInt32());
    }

    [Fact]
    public void Dispose_Detaches_AndIsIdempotent()
    {
        TestKernel.RequireRoot();
        using var counts = TestPrograms.CounterMap();
        using var prog = TestPrograms.Load(BpfProgramType.RawTracepoint, counts);
        var link = prog.AttachRawTracepoint("sys_enter");
        uint id = link.Id;
        link.Dispose();
        link.Dispose();
        Assert.True(link.IsDisposed);
        Assert.True(Eventually.LinkGone(id));
        Assert.True(Counters.Stopped(counts));
    }

    [Fact]
    public void Detach_IsNotSupportedForRawTracepoints_AndNamesTheKind()
    {
        TestKernel.RequireRoot();
        using var counts = TestPrograms.CounterMap();
        using var prog = TestPrograms.Load(BpfProgramType.RawTracepoint, counts);
        using var link = prog.AttachRawTracepoint("sys_enter");
        var e = Assert.Throws<NotSupportedException>(link.Detach);
        Assert.Contains("RawTracepoint", e.Message);
        Assert.True(Counters.Moves(counts));
    }

    [Fact]
    public void UnknownTracepoint_FailsWithTheNameAndErrno()
    {
        TestKernel.RequireRoot();
        using var counts = TestPrograms.CounterMap();
        using var prog = TestPrograms.Load(BpfProgramType.RawTracepoint, counts);
        var e = Assert.Throws<BpfException>(() => prog.AttachRawTracepoint("no_such_tracepoint_here"));
        Assert.Equal("ENOENT", e.ErrnoName);
        Assert.Contains("no_such_tracepoint_here", e.Message);
    }

    [Fact]
    public void Cookie_IsSeenByTheProgram()
    {
        TestKernel.RequireRoot();
        TestKernel.RequireFeature(BpfFeatures.RawTracepointCookies);
        using var counts = TestPrograms.CounterMap();
        using var prog = BpfProgram.Load(BpfProgramType.RawTracepoint, TestPrograms.CountingCookie(counts));
        using var link = prog.AttachRawTracepoint("sys_enter", cookie: 1000);
        Counters.MakeSyscalls();
        long total = Counters.Read(counts);
        Assert.True(total > 0 && total % 1000 == 0, $"counter {total}");
        // The kernel reports the cookie in the link's info only where its bpf_link_info has the field (later
        // than the cookies themselves: Debian's 6.12 has cookies without it); its own BTF says which.
        ulong reported = KernelLinkInfoHasRawTracepointCookie() ? 1000UL : 0UL;
        Assert.Equal(reported, Assert.IsType<RawTracepointLinkInfo>(link.GetInfo()).Cookie);
    }

    private static bool KernelLinkInfoHasRawTracepointCookie()
    {
        var btf = BtfSpec.LoadKernel();
        var info = btf.Find<BtfStruct>("bpf_link_info");
        var kinds = info.Members.Select(m => btf.SkipModifiers(btf[m.TypeId])).OfType<BtfUnion>().Single();
        var rawTp = Assert.IsType<BtfStruct>(btf.SkipModifiers(btf[kinds.Members.Single(m => m.Name == "raw_tracepoint").TypeId]));
        return rawTp.Members.Any(m => m.Name == "cookie");
    }

    /// <summary>Before 6.10 (the 6.1 guest) a cookie is refused up front, naming the feature, not with a bare EINVAL.</summary>
    [Fact]
    public void Cookie_WhereTheKernelLacksIt_ThrowsNotSupported()
    {
        TestKernel.RequireRoot();
        Assert.SkipWhen(BpfFeatures.RawTracepointCookies.IsSupported, "this kernel has raw tracepoint cookies");
        using var counts = TestPrograms.CounterMap();
        using var prog = TestPrograms.Load(BpfProgramType.RawTracepoint, counts);
        var e = Assert.Throws<BpfFeatureNotSupportedException>(() => prog.AttachRawTracepoint("sys_enter", cookie: 1));
        Assert.Equal(BpfFeatures.RawTracepointCookies.Name, e.Feature);
        using var plain = prog.AttachRawTracepoint("sys_enter");
        Assert.True(Counters.Moves(counts));
    }

    /// <summary>The kernel selftests' raw_tp pinning scenario.</summary>
    [Fact]
    public void Pinned_SurvivesDispose_ReopensFromPin_AndStopsAfterUnpinAndLastClose()
    {
        TestKernel.RequireRoot();
        using var dir = new TempBpfFsDir();
        using var counts = TestPrograms.CounterMap();
        using var prog = TestPrograms.Load(BpfProgramType.RawTracepoint, counts);
        var link = prog.AttachRawTracepoint("sys_enter");
        uint id = link.Id;
        link.Pin(dir["links/raw"]);
        Assert.Equal(dir["links/raw"], link.PinPath);
        link.Dispose();

        // The pin holds the link: still attached, still firing.
        Assert.Contains(id, BpfLink.EnumerateIds());
        Assert.True(Counters.Moves(counts));

        using (var reopened = BpfLink.OpenPinned(dir["links/raw"]))
        {
            Assert.IsType<RawTracepointLink>(reopened);
            Assert.Equal(id, reopened.Id);
            reopened.Unpin();
            Assert.False(File.Exists(dir["links/raw"]));
            // Unpinned, but our open fd holds it.
            Assert.True(Counters.Moves(counts));
        }
        // The last reference is gone.
        Assert.True(Eventually.LinkGone(id));
        Assert.True(Counters.Stopped(counts));
    }

    [Fact]
    public void Pin_OutsideBpfFs_IsRefused()
    {
        TestKernel.RequireRoot();
        using var counts = TestPrograms.CounterMap();
        using var prog = TestPrograms.Load(BpfProgramType.RawTracepoint, counts);
        using var link = prog.AttachRawTracepoint("sys_enter");
        var e = Assert.Throws<BpfException>(() => link.Pin("/tmp/bpfsharp-not-bpffs/link"));
        Assert.Contains("not on a BPF filesystem", e.Message);
        Assert.False(Directory.Exists("/tmp/bpfsharp-not-bpffs"));
    }

    [Fact]
    public void FromId_TypesTheLinkAndSharesIt()
    {
        TestKernel.RequireRoot();
        using var counts = TestPrograms.CounterMap();
        using var prog = TestPrograms.Load(BpfProgramType.RawTracepoint, counts);
        using var link = prog.AttachRawTracepoint("sys_enter");
        using var other = BpfLink.FromId(link.Id);
        Assert.IsType<RawTracepointLink>(other);
        other.Dispose();
        // Closing another fd of the link does not detach it while ours is open.
        Assert.True(Counters.Moves(counts));
    }

    [Fact]
    public void Update_ReplacesTheProgram_AndCompareAndSwapChecksTheOldOne()
    {
        TestKernel.RequireRoot();
        using var countsA = TestPrograms.CounterMap("t_a");
        using var countsB = TestPrograms.CounterMap("t_b");
        using var progA = TestPrograms.Load(BpfProgramType.RawTracepoint, countsA, name: "t_a");
        using var progB = TestPrograms.Load(BpfProgramType.RawTracepoint, countsB, name: "t_b");
        using var link = prog_attach(progA);
        // Raw tracepoint links have no update operation in the kernel.
        var e = Assert.Throws<BpfException>(() => link.Update(progB));
        Assert.Contains(e.ErrnoName, new[] { "EOPNOTSUPP", "EINVAL", "ENOTSUPP" });
        Assert.True(Counters.Moves(countsA));

        static RawTracepointLink prog_attach(BpfProgram p) => p.AttachRawTracepoint("sys_enter");
    }

    [Fact]
    public void Finalizing_AnUndisposedLink_DetachesIt()
    {
        TestKernel.RequireRoot();
        using var counts = TestPrograms.CounterMap();
        using var prog = TestPrograms.Load(BpfProgramType.RawTracepoint, counts);
        uint id = AttachAndDrop(prog, disconnect: false);
        GcFully();
        Assert.True(Eventually.LinkGone(id));
        Assert.True(Counters.Stopped(counts));
    }

    [Fact]
    public void Finalizing_ADisconnectedLink_LeavesItAttached()
    {
        TestKernel.RequireRoot();
        using var counts = TestPrograms.CounterMap();
        using var prog = TestPrograms.Load(BpfProgramType.RawTracepoint, counts);
        uint id = AttachAndDrop(prog, disconnect: true);
        try
        {
            GcFully();
            Assert.Contains(id, BpfLink.EnumerateIds());
            Assert.True(Counters.Moves(counts));
            Assert.Single(LinkFds.Find(id));
        }
        finally
        {
            LinkFds.CloseAll(id);
        }
        Assert.True(Eventually.LinkGone(id));
    }

    [Fact]
    public void DisposeAfterDisconnect_KeepsTheAttachmentAndTheFd()
    {
        TestKernel.RequireRoot();
        using var counts = TestPrograms.CounterMap();
        using var prog = TestPrograms.Load(BpfProgramType.RawTracepoint, counts);
        var link = prog.AttachRawTracepoint("sys_enter");
        uint id = link.Id;
        link.Disconnect();
        Assert.True(link.IsDisconnected);
        link.Dispose();
        Assert.False(link.Handle!.IsClosed);
        Assert.Contains(id, BpfLink.EnumerateIds());
        Assert.True(Counters.Moves(counts));
        link.Handle.Dispose();
        Assert.True(Eventually.LinkGone(id));
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static uint AttachAndDrop(BpfProgram prog, bool disconnect)
    {
        var link = prog.AttachRawTracepoint("sys_enter");
        if (disconnect) link.Disconnect();
        return link.Id;
    }

    internal static void GcFully()
    {
        for (int i = 0; i < 3; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }
    }
}
