using BpfSharp.Tests.Support;
using BpfSharp.Tracing;

namespace BpfSharp.Tests;

/// <summary>Feature probes must be honest both ways: features this kernel (6.x) has are reported, absent ones are not.</summary>
public class FeatureProbeTests
{
    /// <summary>Each type with the kernel that introduced it: supported from there on, reported missing before.</summary>
    [Theory]
    [InlineData(BpfProgramType.SocketFilter, "3.19")]
    [InlineData(BpfProgramType.Xdp, "4.8")]
    [InlineData(BpfProgramType.RawTracepoint, "4.17")]
    [InlineData(BpfProgramType.Tracepoint, "4.7")]
    [InlineData(BpfProgramType.PerfEvent, "4.9")]
    [InlineData(BpfProgramType.CgroupSkb, "4.10")]
    [InlineData(BpfProgramType.CgroupSockAddr, "4.17")]
    [InlineData(BpfProgramType.SkLookup, "5.9")]
    [InlineData(BpfProgramType.Syscall, "5.14")]
    [InlineData(BpfProgramType.Netfilter, "6.4")]
    [InlineData(BpfProgramType.Tracing, "5.5")]
    [InlineData(BpfProgramType.StructOps, "5.6")]
    public void ProgramTypes_AreSupportedExactlyFromTheirKernel(BpfProgramType type, string introduced)
    {
        TestKernel.RequireRoot();
        var feature = BpfFeatures.ProgramType(type);
        Assert.True(feature.IsSupported == (TestKernel.Version >= Version.Parse(introduced)), $"{feature} on {TestKernel.Version}");
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

    [Theory]
    [InlineData(BpfMapType.Hash, "3.19")]
    [InlineData(BpfMapType.RingBuf, "5.8")]
    [InlineData(BpfMapType.UserRingBuf, "6.1")]
    [InlineData(BpfMapType.BloomFilter, "5.16")]
    [InlineData(BpfMapType.HashOfMaps, "4.12")]
    [InlineData(BpfMapType.TaskStorage, "5.11")]
    [InlineData(BpfMapType.StructOps, "5.6")]
    [InlineData(BpfMapType.Arena, "6.9")]
    public void MapTypes_AreSupportedExactlyFromTheirKernel(BpfMapType type, string introduced)
    {
        TestKernel.RequireRoot();
        var feature = BpfFeatures.MapType(type);
        Assert.True(feature.IsSupported == (TestKernel.Version >= Version.Parse(introduced)), $"{feature} on {TestKernel.Version}");
    }

    [Fact]
    public void AnUnknownMapType_IsReportedMissing()
    {
        TestKernel.RequireRoot();
        Assert.False(BpfFeatures.MapType((BpfMapType)999).IsSupported);
    }

    [Fact]
    public void LinkFeaturesOfThisKernel_AreSupported()
    {
        TestKernel.RequireRoot();
        Assert.True(BpfFeatures.BpfLinks.IsSupported, BpfFeatures.BpfLinks.ToString());
        Assert.True(BpfProgram.PerfLinks.IsSupported, BpfProgram.PerfLinks.ToString());
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
    /// In the CI guest (BPFSHARP_GUEST_KERNEL=6.1, Debian's stock kernel) every feature that kernel is known
    /// to have must be reported, and those it is known to lack must not: a probe that errs either way fails.
    /// </summary>
    [Fact]
    public void GuestKernel_ProbesReportWhatItIsKnownToHave()
    {
        TestKernel.RequireRoot();
        Assert.SkipWhen(TestKernel.GuestKernel is null, "runs in the CI guest kernel (BPFSHARP_GUEST_KERNEL)");
        Assert.Equal(TestKernel.GuestKernel, $"{TestKernel.Version.Major}.{TestKernel.Version.Minor}");
        var present = new[]
        {
            BpfFeatures.BpfLinks, BpfProgram.PerfLinks, BpfFeatures.ProgramType(BpfProgramType.Tracing),
            TracingFeatures.KprobePmu, TracingFeatures.KprobeEvents, TracingFeatures.UprobePmu, TracingFeatures.UprobeEvents,
            BpfFeatures.Fentry, BpfFeatures.Lsm, BpfFeatures.ProgramType(BpfProgramType.Lsm),
            BpfFeatures.ProgramType(BpfProgramType.Ext), BpfFeatures.ProgramType(BpfProgramType.Kprobe),
        };
        foreach (var feature in present) Assert.True(feature.IsSupported, $"the guest has it: {feature}");
        // Every feature the tests' gates expect in the guest is among those checked here.
        Assert.Subset(present.Select(f => f.Name).ToHashSet(), TestKernel.GuestFeatures(TestKernel.GuestKernel!).ToHashSet());
        // Debian builds 6.1 without fprobe; uprobe.multi and raw_tp cookies came later.
        var absent = new[] { BpfProgram.KprobeMulti, BpfProgram.UprobeMulti, BpfProgram.RawTracepointCookies };
        foreach (var feature in absent) Assert.False(feature.IsSupported, $"the guest lacks it: {feature}");
    }

    [Fact]
    public void ProbesAreCached()
    {
        TestKernel.RequireRoot();
        Assert.Same(BpfFeatures.ProgramType(BpfProgramType.Xdp), BpfFeatures.ProgramType(BpfProgramType.Xdp));
    }
}
