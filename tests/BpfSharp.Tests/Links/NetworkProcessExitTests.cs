using BpfSharp.Links;
using BpfSharp.Tests.Support;

namespace BpfSharp.Tests.Links;

/// <summary>
/// DESIGN.md §1, "after the process exits", for the networking and cgroup rows: a child attaches to a cgroup or
/// to <c>lo</c> of a namespace created here, pins or not, disconnects or not, exits normally or is killed; then
/// the hook's own listing and the program's counter say what survived. Legacy attachments (BPF_PROG_ATTACH,
/// netlink) live in their target and survive any exit that skipped Dispose; fd links survive only when pinned.
/// </summary>
public class NetworkProcessExitTests
{
    public static TheoryData<string, bool, bool, bool, bool> Matrix => new()
    {
        // kind, pinned, disconnected, killed, survives
        { "cgroup_legacy", false, false, false, false },
        { "cgroup_legacy", false, true, false, true },
        { "cgroup_legacy", false, false, true, true },
        { "cgroup_legacy", false, true, true, true },
        { "xdp_netlink", false, false, false, false },
        { "xdp_netlink", false, true, false, true },
        { "xdp_netlink", false, false, true, true },
        { "tc_filter", false, false, false, false },
        { "tc_filter", false, true, false, true },
        { "tc_filter", false, false, true, true },
        { "cgroup_link", false, false, false, false },
        { "cgroup_link", false, true, false, false },
        { "cgroup_link", false, true, true, false },
        { "cgroup_link", true, false, false, true },
        { "cgroup_link", true, true, true, true },
        { "xdp_link", false, false, false, false },
        { "xdp_link", false, true, true, false },
        { "xdp_link", true, false, false, true },
        { "xdp_link", true, true, true, true },
        { "tcx_link", false, true, false, false },
        { "tcx_link", false, false, true, false },
        { "tcx_link", true, false, false, true },
        { "tcx_link", true, true, true, true },
        { "netns_link", false, false, false, false },
        { "netns_link", false, true, true, false },
        { "netns_link", true, false, false, true },
        { "netns_link", true, true, true, true },
        { "netfilter_link", false, false, false, false },
        { "netfilter_link", false, true, true, false },
        { "netfilter_link", true, false, false, true },
        { "netfilter_link", true, true, true, true },
        // No socket is in the child's sockmap, so its program never runs: the link and program lists tell.
        { "sockmap_link", false, false, false, false },
        { "sockmap_link", false, true, true, false },
        { "sockmap_link", true, false, false, true },
        { "sockmap_link", true, true, true, true },
        // A legacy sockmap attachment lives in the map, and this map is the child's: it goes with the process
        // even when disconnected or killed (unlike the legacy attachments above, whose targets outlive it), unless
        // the map is pinned ("pinned" pins the map for this kind).
        { "sockmap_legacy", false, true, false, false },
        { "sockmap_legacy", false, false, true, false },
        { "sockmap_legacy", true, true, false, true },
        { "sockmap_legacy", true, false, true, true },
    };

    [Theory]
    [MemberData(nameof(Matrix))]
    public void WhatSurvivesTheChild(string kind, bool pinned, bool disconnected, bool killed, bool survives)
    {
        TestKernel.RequireRoot();
        if (kind == "tcx_link") TestKernel.RequireFeature(BpfFeatures.Tcx);
        if (kind == "netfilter_link") TestKernel.RequireFeature(BpfFeatures.Netfilter);
        if (kind == "sockmap_link") TestKernel.RequireFeature(BpfFeatures.SockmapLinks);
        bool isSockmap = kind.StartsWith("sockmap", StringComparison.Ordinal);
        bool isCgroup = kind.StartsWith("cgroup", StringComparison.Ordinal);
        bool isLink = kind.EndsWith("_link", StringComparison.Ordinal);
        using var ns = TestNetns.Create();
        using var cgroup = new TestCgroup();
        using var dir = new TempBpfFsDir();
        string? pin = pinned ? dir["link"] : null;
        var ids = ChildProcess.Run(kind, pin, disconnected, killed, isCgroup ? cgroup.Path : kind == "netns_link" ? ns.Path : ns.Name);
        try
        {
            Assert.Equal(isLink, ids.Link != 0);
            Action exercise = isCgroup ? () => cgroup.CreateSocketInside(ns) : () => ns.SendUdp();
            bool onHook = survives ? HookRuns(kind, ns, cgroup, ids.Program, pin) : !Eventually.Holds(() => !HookRuns(kind, ns, cgroup, ids.Program, pin));
            bool programLoaded = survives ? BpfProgram.EnumerateIds().Contains(ids.Program) : !Eventually.ProgramGone(ids.Program);
            bool runs = Counters.MovesById(ids.Map, exercise);
            Assert.Equal(survives, onHook);
            Assert.Equal(survives, programLoaded);
            if (!isSockmap) Assert.Equal(survives, runs);
            if (isLink) Assert.Equal(survives, BpfLink.EnumerateIds().Contains(ids.Link));
            if (survives && pin is not null && isLink)
            {
                using var link = BpfLink.OpenPinned(pin);
                Assert.Equal(ids.Link, link.Id);
                Assert.Equal(ids.Program, link.GetInfo().ProgramId);
            }
        }
        finally
        {
            if (pin is not null && File.Exists(pin)) File.Delete(pin);
            // What the child left in the cgroup or the namespace goes with them.
            cgroup.Remove();
            ns.Dispose();
        }
        if (survives) Assert.True(Eventually.ProgramGone(ids.Program));
    }

    /// <summary>Whether the hook lists the child's program, asking the hook itself (not the link list).</summary>
    private static bool HookRuns(string kind, TestNetns ns, TestCgroup cgroup, uint programId, string? pin) => kind switch
    {
        "cgroup_legacy" or "cgroup_link" => AttachedPrograms.Cgroup(cgroup.Path, BpfAttachType.CgroupInetSockCreate).Programs.Any(p => p.ProgramId == programId),
        "xdp_netlink" or "xdp_link" => ns.Run(() => AttachedPrograms.Xdp(ns.IndexOf("lo"))).ProgramId == programId,
        "tc_filter" => ns.Run(() => AttachedPrograms.TcFilters(ns.IndexOf("lo"), TcDirection.Ingress)).Any(f => f.ProgramId == programId),
        "tcx_link" => ns.Run(() => AttachedPrograms.Tcx(ns.IndexOf("lo"), TcDirection.Ingress)).Programs.Any(p => p.ProgramId == programId),
        "netns_link" => AttachedPrograms.NetworkNamespace(ns.Path, BpfAttachType.SkLookup).Programs.Any(p => p.ProgramId == programId),
        // Netfilter hooks have no query of their own: the kernel's link list is their listing.
        "netfilter_link" => LinkRuns(programId, BpfLinkType.Netfilter),
        "sockmap_link" => LinkRuns(programId, BpfLinkType.Sockmap),
        // The map's own query where the map is pinned; otherwise, with the child gone, only the map could hold the program.
        "sockmap_legacy" => pin is not null && File.Exists(pin)
            ? SockmapRuns(pin, programId)
            : BpfProgram.EnumerateIds().Contains(programId),
        _ => throw new ArgumentException(kind),
    };

    private static bool SockmapRuns(string mapPin, uint programId)
    {
        using var map = BpfMap.OpenPinned(mapPin);
        return AttachedPrograms.Sockmap(map, BpfAttachType.SkSkbVerdict).Programs.Any(p => p.ProgramId == programId);
    }

    private static bool LinkRuns(uint programId, BpfLinkType type)
    {
        foreach (uint id in BpfLink.EnumerateIds())
        {
            try
            {
                using var link = BpfLink.FromId(id);
                var info = link.GetInfo();
                if (info.Type == type && info.ProgramId == programId) return true;
            }
            catch (BpfException e) when (e.Errno == Errno.ENOENT)
            {
                // Gone between listing and opening.
            }
        }
        return false;
    }

    public static TheoryData<string, bool, bool, bool, bool> StructOpsMatrix => new()
    {
        // kind, pinned, disconnected, killed, survives
        { "struct_ops_link", false, false, false, false },
        { "struct_ops_link", false, true, true, false },
        { "struct_ops_link", true, false, false, true },
        { "struct_ops_link", true, true, true, true },
        // Registered by a map update, the kernel holds the map until the element is deleted: as a legacy
        // attachment, it survives any exit that skipped Dispose.
        { "struct_ops_legacy", false, false, false, false },
        { "struct_ops_legacy", false, true, false, true },
        { "struct_ops_legacy", false, false, true, true },
    };

    /// <summary>
    /// The same for struct_ops: a child registers the fixtures' TCP congestion control "bpfsharp_fx"; the kernel's
    /// list of congestion controls and its map and link lists say what survived.
    /// </summary>
    [Theory]
    [MemberData(nameof(StructOpsMatrix))]
    public void StructOps_WhatSurvivesTheChild(string kind, bool pinned, bool disconnected, bool killed, bool survives)
    {
        TestKernel.RequireRoot();
        bool isLink = kind == "struct_ops_link";
        if (isLink) TestKernel.RequireFeature(BpfFeatures.StructOpsLinks);
        using var dir = new TempBpfFsDir();
        string? pin = pinned ? dir["link"] : null;
        string fixture = Objects.ObjectLoadTests.Fixture(isLink ? "struct_ops.bpf.o" : "struct_ops_update.bpf.o");
        var ids = ChildProcess.Run(kind, pin, disconnected, killed, fixture);
        try
        {
            Assert.Equal(isLink, ids.Link != 0);
            bool registered = survives ? CongestionControlRegistered() : !Eventually.Holds(() => !CongestionControlRegistered());
            bool mapLives = survives ? BpfMap.EnumerateIds().Contains(ids.Map) : !Eventually.Holds(() => !BpfMap.EnumerateIds().Contains(ids.Map));
            Assert.Equal(survives, registered);
            Assert.Equal(survives, mapLives);
            if (isLink) Assert.Equal(survives, BpfLink.EnumerateIds().Contains(ids.Link));
        }
        finally
        {
            // Unregister what survived: remove the link's pin, or delete the map's element (the legacy way).
            if (pin is not null && File.Exists(pin)) File.Delete(pin);
            if (!isLink && BpfMap.EnumerateIds().Contains(ids.Map))
            {
                using var map = BpfMap.FromId(ids.Map);
                map.Delete(0u);
            }
        }
        Assert.True(Eventually.Holds(() => !CongestionControlRegistered()), "bpfsharp_fx unregistered");
        Assert.True(Eventually.Holds(() => !BpfMap.EnumerateIds().Contains(ids.Map)), "the struct_ops map freed");
    }

    private static bool CongestionControlRegistered() => CongestionControls.IsRegistered("bpfsharp_fx");
}
