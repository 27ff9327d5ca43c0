using BpfSharp.Links;
using BpfSharp.TestChild;
using BpfSharp.Tests.Support;

namespace BpfSharp.Tests.Links;

/// <summary>Legacy cgroup attachment (BPF_PROG_ATTACH): the cgroup holds the program, no fd does.</summary>
public class CgroupProgramAttachTests
{
    private static ProgramAttachment Attach(BpfProgram prog, TestCgroup cgroup, CgroupAttachMode mode, BpfProgram? replace = null) =>
        prog.AttachCgroupProgram(cgroup.Path, mode, options: new() { Replace = replace });

    private static uint[] Attached(TestCgroup cgroup) =>
        AttachedPrograms.Cgroup(cgroup.Path, BpfAttachType.CgroupInetSockCreate).Programs.Select(p => p.ProgramId).ToArray();

    [Fact]
    public void Multi_RunsEveryProgram_InAttachOrder_AndBpftoolAgrees()
    {
        TestKernel.RequireRoot();
        using var ns = TestNetns.Create();
        using var cgroup = new TestCgroup();
        using var counts = TestPrograms.CounterMap();
        using var counts2 = TestPrograms.CounterMap();
        using var a = CgroupLinkTests.SockCreate(counts, "t_a");
        using var b = CgroupLinkTests.SockCreate(counts2, "t_b");
        using var first = Attach(a, cgroup, CgroupAttachMode.Multi);
        using var second = Attach(b, cgroup, CgroupAttachMode.Multi);

        var attachment = Assert.IsType<ProgramAttachment>(first);
        Assert.Equal(BpfLinkKind.ProgramAttach, attachment.Kind);
        Assert.Null(attachment.Handle);
        Assert.Equal((uint)0, attachment.Id);
        Assert.Equal(CgroupAttach.BPF_F_ALLOW_MULTI, attachment.AttachFlags);
        var info = attachment.GetInfo();
        Assert.True(info.IsAttached);
        Assert.Equal(a.Id, info.ProgramId);
        Assert.Equal(BpfAttachType.CgroupInetSockCreate, info.AttachType);
        Assert.Equal([a.Id, b.Id], Attached(cgroup));
        Assert.Equal(CgroupAttach.BPF_F_ALLOW_MULTI, AttachedPrograms.Cgroup(cgroup.Path, BpfAttachType.CgroupInetSockCreate).AttachFlags);

        var shown = TestKernel.Bpftool(null, "cgroup", "show", cgroup.Path).EnumerateArray().ToList();
        Assert.Equal([a.Id, b.Id], shown.Select(e => e.GetProperty("id").GetUInt32()));
        Assert.All(shown, e => Assert.Equal("multi", e.GetProperty("attach_flags").GetString()));

        long before = Counters.Read(counts), before2 = Counters.Read(counts2);
        cgroup.CreateSocketInside(ns);
        Assert.NotEqual(before, Counters.Read(counts));
        Assert.NotEqual(before2, Counters.Read(counts2));
    }

    [Fact]
    public void Dispose_DetachesOnlyItsOwnProgram()
    {
        TestKernel.RequireRoot();
        using var ns = TestNetns.Create();
        using var cgroup = new TestCgroup();
        using var counts = TestPrograms.CounterMap();
        using var counts2 = TestPrograms.CounterMap();
        using var a = CgroupLinkTests.SockCreate(counts, "t_a");
        using var b = CgroupLinkTests.SockCreate(counts2, "t_b");
        var first = Attach(a, cgroup, CgroupAttachMode.Multi);
        using var second = Attach(b, cgroup, CgroupAttachMode.Multi);
        first.Dispose();
        first.Dispose();
        Assert.Equal([b.Id], Attached(cgroup));
        Assert.False(Counters.Moves(counts, () => cgroup.CreateSocketInside(ns)));
        Assert.True(Counters.Moves(counts2, () => cgroup.CreateSocketInside(ns)));
    }

    [Fact]
    public void Detach_ThenGetInfo_SaysNotAttached_AndDisposeIsQuiet()
    {
        TestKernel.RequireRoot();
        using var cgroup = new TestCgroup();
        using var counts = TestPrograms.CounterMap();
        using var a = CgroupLinkTests.SockCreate(counts);
        var attachment = Attach(a, cgroup, CgroupAttachMode.Override);
        attachment.Detach();
        Assert.False(attachment.GetInfo().IsAttached);
        Assert.Empty(Attached(cgroup));
        attachment.Dispose();
    }

    [Fact]
    public void Exclusive_ASecondExclusiveAttachReplacesTheFirst_AndMultiIsRefused()
    {
        TestKernel.RequireRoot();
        using var cgroup = new TestCgroup();
        using var counts = TestPrograms.CounterMap();
        using var a = CgroupLinkTests.SockCreate(counts, "t_a");
        using var b = CgroupLinkTests.SockCreate(counts, "t_b");
        using var first = Attach(a, cgroup, CgroupAttachMode.Exclusive);
        var e = Assert.Throws<BpfException>(() => Attach(b, cgroup, CgroupAttachMode.Multi));
        Assert.Equal("EPERM", e.ErrnoName);
        Assert.Contains("BPF_PROG_ATTACH", e.Message);
        Assert.Contains(cgroup.Path, e.Message);

        using var second = Attach(b, cgroup, CgroupAttachMode.Exclusive);
        Assert.Equal([b.Id], Attached(cgroup));
        // The first program is gone already: disposing its attachment is not an error, and leaves the second.
        first.Dispose();
        Assert.Equal([b.Id], Attached(cgroup));
    }

    [Fact]
    public void Replace_SwapsOneOfTheMultiPrograms_InPlace()
    {
        TestKernel.RequireRoot();
        using var cgroup = new TestCgroup();
        using var counts = TestPrograms.CounterMap();
        using var a = CgroupLinkTests.SockCreate(counts, "t_a");
        using var b = CgroupLinkTests.SockCreate(counts, "t_b");
        using var c = CgroupLinkTests.SockCreate(counts, "t_c");
        using var first = Attach(a, cgroup, CgroupAttachMode.Multi);
        using var second = Attach(b, cgroup, CgroupAttachMode.Multi);
        using var replacing = Attach(c, cgroup, CgroupAttachMode.Multi, replace: a);
        Assert.Equal([c.Id, b.Id], Attached(cgroup));

        var e = Assert.Throws<BpfException>(() => Attach(a, cgroup, CgroupAttachMode.Multi, replace: a));
        Assert.Equal("ENOENT", e.ErrnoName);
        Assert.Throws<ArgumentException>(() => Attach(a, cgroup, CgroupAttachMode.Override, replace: b));
    }

    [Fact]
    public void Update_ReplacesTheProgram()
    {
        TestKernel.RequireRoot();
        using var ns = TestNetns.Create();
        using var cgroup = new TestCgroup();
        using var counts = TestPrograms.CounterMap();
        using var counts2 = TestPrograms.CounterMap();
        using var a = CgroupLinkTests.SockCreate(counts, "t_a");
        using var b = CgroupLinkTests.SockCreate(counts2, "t_b");
        using var attachment = Attach(a, cgroup, CgroupAttachMode.Multi);
        attachment.Update(b);
        Assert.Equal(b.Id, attachment.ProgramId);
        Assert.Equal([b.Id], Attached(cgroup));
        Assert.True(Counters.Moves(counts2, () => cgroup.CreateSocketInside(ns)));
        Assert.False(Counters.Moves(counts, () => cgroup.CreateSocketInside(ns)));
        attachment.Dispose();
        Assert.Empty(Attached(cgroup));
    }

    [Fact]
    public void Disconnect_LeavesTheProgramAttached_AndPinIsNotSupported()
    {
        TestKernel.RequireRoot();
        using var ns = TestNetns.Create();
        using var cgroup = new TestCgroup();
        using var dir = new TempBpfFsDir();
        using var counts = TestPrograms.CounterMap();
        using var a = CgroupLinkTests.SockCreate(counts);
        var attachment = Attach(a, cgroup, CgroupAttachMode.Multi);
        Assert.Throws<NotSupportedException>(() => attachment.Pin(dir["x"]));
        attachment.Disconnect();
        attachment.Dispose();
        Assert.Equal([a.Id], Attached(cgroup));
        Assert.True(Counters.Moves(counts, () => cgroup.CreateSocketInside(ns)));
        // Removing the cgroup is what ends it now (TestCgroup's Dispose).
    }

    [Fact]
    public void RemovedCgroup_DisposeDoesNotThrow()
    {
        TestKernel.RequireRoot();
        using var cgroup = new TestCgroup();
        using var counts = TestPrograms.CounterMap();
        using var a = CgroupLinkTests.SockCreate(counts);
        var attachment = Attach(a, cgroup, CgroupAttachMode.Multi);
        cgroup.Remove();
        attachment.Dispose();
        attachment.Dispose();
    }
}
