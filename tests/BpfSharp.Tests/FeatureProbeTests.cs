using BpfSharp.Tests.Support;

namespace BpfSharp.Tests;

/// <summary>Feature probes must be honest both ways: features this kernel (6.x) has are reported, absent ones are not.</summary>
public class FeatureProbeTests
{
    [Theory]
    [InlineData(BpfProgramType.SocketFilter)]
    [InlineData(BpfProgramType.Xdp)]
    [InlineData(BpfProgramType.RawTracepoint)]
    [InlineData(BpfProgramType.Tracepoint)]
    [InlineData(BpfProgramType.PerfEvent)]
    [InlineData(BpfProgramType.CgroupSkb)]
    [InlineData(BpfProgramType.CgroupSockAddr)]
    [InlineData(BpfProgramType.SkLookup)]
    [InlineData(BpfProgramType.Syscall)]
    [InlineData(BpfProgramType.Netfilter)]
    [InlineData(BpfProgramType.Tracing)]
    [InlineData(BpfProgramType.StructOps)]
    public void ProgramTypesOfThisKernel_AreSupported(BpfProgramType type)
    {
        TestKernel.RequireRoot();
        var feature = BpfFeatures.ProgramType(type);
        Assert.True(feature.IsSupported, feature.ToString());
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
    [InlineData(BpfMapType.Hash)]
    [InlineData(BpfMapType.RingBuf)]
    [InlineData(BpfMapType.UserRingBuf)]
    [InlineData(BpfMapType.BloomFilter)]
    [InlineData(BpfMapType.HashOfMaps)]
    [InlineData(BpfMapType.TaskStorage)]
    [InlineData(BpfMapType.StructOps)]
    [InlineData(BpfMapType.Arena)]
    public void MapTypesOfThisKernel_AreSupported(BpfMapType type)
    {
        TestKernel.RequireRoot();
        var feature = BpfFeatures.MapType(type);
        Assert.True(feature.IsSupported, feature.ToString());
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

    [Fact]
    public void ProbesAreCached()
    {
        TestKernel.RequireRoot();
        Assert.Same(BpfFeatures.ProgramType(BpfProgramType.Xdp), BpfFeatures.ProgramType(BpfProgramType.Xdp));
    }
}
