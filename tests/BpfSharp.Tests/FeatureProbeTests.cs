using BpfSharp.Tests.Support;
using BpfSharp.Tracing;

namespace BpfSharp.Tests;

/// <summary>
/// Feature probes must be honest both ways. Only in a CI guest, whose kernel build is known, is a version an
/// expectation; on any other machine the kernel may be patched to refuse what its version has (this project's
/// development host refuses arenas, trampolines and LSM programs), so there a probe's answer is checked against an
/// independent witness: bpftool's own probe where bpftool knows the feature, an end-to-end use otherwise, and a
/// missing feature must name the errno the kernel gave.
/// </summary>
public class FeatureProbeTests
{
    private const string ErrnoName = @"\bE[A-Z0-9]+\b";

    /// <summary>Each type with the kernel that introduced it and bpftool's name for it (null: bpftool 7.1 does not probe it alike).</summary>
    [Theory]
    [InlineData(BpfProgramType.SocketFilter, "3.19", "socket_filter")]
    [InlineData(BpfProgramType.Xdp, "4.8", "xdp")]
    [InlineData(BpfProgramType.RawTracepoint, "4.17", "raw_tracepoint")]
    [InlineData(BpfProgramType.Tracepoint, "4.7", "tracepoint")]
    [InlineData(BpfProgramType.PerfEvent, "4.9", "perf_event")]
    [InlineData(BpfProgramType.CgroupSkb, "4.10", "cgroup_skb")]
    [InlineData(BpfProgramType.CgroupSockAddr, "4.17", "cgroup_sock_addr")]
    [InlineData(BpfProgramType.SkLookup, "5.9", "sk_lookup")]
    [InlineData(BpfProgramType.Syscall, "5.14", "syscall")]
    [InlineData(BpfProgramType.Netfilter, "6.4", null)]
    // bpftool probes tracing by loading an fentry program: a kernel that refuses trampolines but has the type
    // (this host) answers no there. The end-to-end witness below loads a tp_btf program instead.
    [InlineData(BpfProgramType.Tracing, "5.5", null)]
    [InlineData(BpfProgramType.StructOps, "5.6", "struct_ops")]
    public void ProgramTypes_ProbeAgreesWithTheKernel(BpfProgramType type, string introduced, string? bpftoolName)
    {
        TestKernel.RequireRoot();
        var feature = BpfFeatures.ProgramType(type);
        if (CheckedAgainstTheGuestsVersion(feature, introduced)) return;
        if (bpftoolName is not null)
            Assert.True(BpftoolProbe.HasProgramType(bpftoolName) == feature.IsSupported, $"bpftool and {feature} disagree");
        else
            Assert.True(LoadsEndToEnd(type) == feature.IsSupported, $"a real {type} program and {feature} disagree");
    }

    /// <summary>
    /// In a CI guest the version decides, exactly; anywhere else (false) the caller asks an independent witness,
    /// and a missing feature must at least name the errno the kernel gave.
    /// </summary>
    private static bool CheckedAgainstTheGuestsVersion(BpfFeature feature, string introduced)
    {
        if (TestKernel.GuestKernel is not null)
        {
            Assert.True(feature.IsSupported == (TestKernel.Version >= Version.Parse(introduced)), $"{feature} on {TestKernel.Version}");
            return true;
        }
        if (!feature.IsSupported) Assert.Matches(ErrnoName, feature.MissingReason);
        return false;
    }

    /// <summary>A real program of the type, loaded with what the type needs (the test's own choice, not the probe's).</summary>
    private static bool LoadsEndToEnd(BpfProgramType type)
    {
        var (attachType, target, ret) = type switch
        {
            BpfProgramType.Tracing => ((BpfAttachType?)BpfAttachType.TraceRawTp, "sched_switch", 0),
            BpfProgramType.Netfilter => (BpfAttachType.Netfilter, null, 1 /* NF_ACCEPT */),
            _ => throw new ArgumentOutOfRangeException(nameof(type), type, "no end-to-end witness for this type"),
        };
        var insns = new BpfSharp.Asm.BpfAssembler().Mov64(BpfSharp.Asm.BpfRegister.R0, ret).Exit().Build();
        try
        {
            using var prog = BpfProgram.Load(type, insns, new() { ExpectedAttachType = attachType, AttachTarget = target });
            return true;
        }
        catch (BpfException)
        {
            return false;
        }
    }

    [Fact]
    public void AnUnknownProgramType_IsReportedMissing_WithTheErrno()
    {
        TestKernel.RequireRoot();
        var feature = BpfFeatures.ProgramType((BpfProgramType)999);
        Assert.False(feature.IsSupported);
        Assert.Contains("EINVAL", feature.MissingReason);
        var e = Assert.Throws<BpfFeatureNotSupportedException>(feature.ThrowIfUnsupported);
        Assert.IsAssignableFrom<NotSupportedException>(e);
        Assert.Contains("program type 999", e.Message);
    }

    /// <summary>Each type with the kernel that introduced it and bpftool's name for it (null: bpftool 7.1 does not know it).</summary>
    [Theory]
    [InlineData(BpfMapType.Hash, "3.19", "hash")]
    [InlineData(BpfMapType.RingBuf, "5.8", "ringbuf")]
    [InlineData(BpfMapType.UserRingBuf, "6.1", "user_ringbuf")]
    [InlineData(BpfMapType.BloomFilter, "5.16", "bloom_filter")]
    [InlineData(BpfMapType.HashOfMaps, "4.12", "hash_of_maps")]
    [InlineData(BpfMapType.TaskStorage, "5.11", "task_storage")]
    [InlineData(BpfMapType.StructOps, "5.6", "struct_ops")]
    [InlineData(BpfMapType.Arena, "6.9", null)]
    public void MapTypes_ProbeAgreesWithTheKernel(BpfMapType type, string introduced, string? bpftoolName)
    {
        TestKernel.RequireRoot();
        var feature = BpfFeatures.MapType(type);
        if (CheckedAgainstTheGuestsVersion(feature, introduced)) return;
        if (bpftoolName is not null)
        {
            Assert.True(BpftoolProbe.HasMapType(bpftoolName) == feature.IsSupported, $"bpftool and {feature} disagree");
            return;
        }
        // The one type bpftool 7.1 does not know: an arena of four pages the test maps itself.
        bool created;
        try
        {
            using var arena = BpfMap.Create(type, 0, 0, 4, new() { Flags = BpfMapFlags.Mmapable });
            created = true;
        }
        catch (BpfException e)
        {
            Assert.Contains(e.ErrnoName, feature.MissingReason);
            created = false;
        }
        Assert.True(created == feature.IsSupported, $"a real arena map and {feature} disagree");
    }

    [Fact]
    public void AnUnknownMapType_IsReportedMissing()
    {
        TestKernel.RequireRoot();
        Assert.False(BpfFeatures.MapType((BpfMapType)999).IsSupported);
    }

    /// <summary>
    /// The fentry probe against an independent fentry load with another target: both must agree. (On this
    /// host trampolines are refused with EPERM; in the 6.1 guest they load.)
    /// </summary>
    [Fact]
    public void FentryProbe_AgreesWithARealFentryLoad()
    {
        TestKernel.RequireRoot();
        bool loads;
        try
        {
            var insns = new BpfSharp.Asm.BpfAssembler().Mov64(BpfSharp.Asm.BpfRegister.R0, 0).Exit().Build();
            using var prog = BpfProgram.Load(BpfProgramType.Tracing, insns, new()
            {
                ExpectedAttachType = BpfAttachType.TraceFexit,
                AttachTarget = "do_unlinkat",
            });
            loads = true;
        }
        catch (BpfVerifierException)
        {
            loads = false;
        }
        Assert.True(loads == BpfFeatures.Fentry.IsSupported, BpfFeatures.Fentry.ToString());
    }

    /// <summary>
    /// In a CI guest (BPFSHARP_GUEST_KERNEL, Debian's stock 6.1 or 6.12) every feature that kernel is known to
    /// have must be reported, and those it is known to lack must not: a probe that errs either way fails.
    /// </summary>
    [Fact]
    public void GuestKernel_ProbesReportWhatItIsKnownToHave()
    {
        TestKernel.RequireRoot();
        Assert.SkipWhen(TestKernel.GuestKernel is null, "runs in a CI guest kernel (BPFSHARP_GUEST_KERNEL)");
        string guest = TestKernel.GuestKernel!;
        Assert.Equal(guest, $"{TestKernel.Version.Major}.{TestKernel.Version.Minor}");
        var known = TestKernel.GuestFeatures(guest);
        var catalogue = BpfFeatures.All.Select(e => e.Feature).ToList();
        foreach (var feature in catalogue.Where(f => known.Contains(f.Name)))
            Assert.True(feature.IsSupported, $"the {guest} guest has it: {feature}");
        // Every probe-backed feature the tests' gates expect in the guest is among those checked here.
        var checkedNames = catalogue.Select(f => f.Name).ToHashSet();
        string[] notProbes = [TestKernel.ModuleBtf, TestKernel.KallsymsData, TestKernel.NetkitDevices];
        Assert.Subset(checkedNames, known.Except(notProbes).ToHashSet());
        // Debian builds 6.1 without fprobe; uprobe.multi, raw_tp cookies, tcx, netkit and netfilter came later.
        if (guest == "6.1")
        {
            var absent = new[] { BpfFeatures.KprobeMulti, BpfFeatures.UprobeMulti, BpfFeatures.RawTracepointCookies,
                BpfFeatures.Tcx, BpfFeatures.Netkit };
            foreach (var feature in absent) Assert.False(feature.IsSupported, $"the guest lacks it: {feature}");
        }
    }

    [Fact]
    public void ProbesAreCached()
    {
        TestKernel.RequireRoot();
        Assert.Same(BpfFeatures.ProgramType(BpfProgramType.Xdp), BpfFeatures.ProgramType(BpfProgramType.Xdp));
    }

    /// <summary>The catalogue lists every probe the library exposes, once, under a unique key.</summary>
    [Fact]
    public void TheCatalogue_ListsEveryFeatureProperty_OnceUnderAUniqueKey()
    {
        var listed = BpfFeatures.All.Select(e => e.Feature).ToHashSet(ReferenceEqualityComparer.Instance);
        var properties = typeof(BpfFeatures).GetProperties(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Static)
            .Where(p => p.PropertyType == typeof(BpfFeature)).ToList();
        Assert.NotEmpty(properties);
        foreach (var p in properties)
            Assert.True(listed.Contains(p.GetValue(null)!), $"BpfFeatures.{p.Name} is not in BpfFeatures.All");
        foreach (var t in Enum.GetValues<BpfProgramType>().Where(t => t != BpfProgramType.Unspec))
            Assert.Contains(BpfFeatures.ProgramType(t), listed);
        foreach (var t in Enum.GetValues<BpfMapType>().Where(t => t != BpfMapType.Unspec))
            Assert.Contains(BpfFeatures.MapType(t), listed);
        var keys = BpfFeatures.All.Select(e => (e.Group, e.Key)).ToList();
        Assert.Equal(keys.Count, keys.Distinct().Count());
        Assert.All(BpfFeatures.All, e => Assert.Matches("^[a-z0-9_]+$", e.Key));
    }
}
