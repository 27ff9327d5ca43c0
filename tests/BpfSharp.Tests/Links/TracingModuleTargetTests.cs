using BpfSharp.Btf;
using BpfSharp.Links;
using BpfSharp.TestChild;
using BpfSharp.Tests.Support;

namespace BpfSharp.Tests.Links;

/// <summary>
/// fentry/fexit on a function of a loaded module (ext4_file_open, ext4 being a module in Debian's kernels): the
/// target is found in the module's split BTF and the load names that module's BTF object, as libbpf does. (The fs
/// tools' twins run such programs over a mounted file system: LibbpfToolsKprobeFsTwinTests.)
/// </summary>
public class TracingModuleTargetTests
{
    [Theory]
    [InlineData(BpfAttachType.TraceFentry)]
    [InlineData(BpfAttachType.TraceFexit)]
    public void ModuleFunction_LoadsAgainstTheModulesBtf_AndAttaches(BpfAttachType attachType)
    {
        TestKernel.RequireRoot();
        TestKernel.RequireFeature(BpfFeatures.Fentry);
        // The guests load ext4 as a module; where it is built in, its functions are the kernel's own BTF's.
        if (!File.Exists("/sys/kernel/btf/ext4")) Assert.Skip("ext4 is not a loaded module with BTF here (no /sys/kernel/btf/ext4)");
        Assert.False(BtfSpec.LoadKernel().TryFindId("ext4_file_open", BtfKind.Func, out _));
        uint ext4Btf = BtfObjectInfo.EnumerateIds().Select(BtfObjectInfo.FromId).Single(i => i.IsKernel && i.Name == "ext4").Id;
        Assert.True(BtfSpec.LoadKernelModule("ext4").TryFindId("ext4_file_open", BtfKind.Func, out int function));

        using var counts = TestPrograms.CounterMap();
        using var prog = BpfProgram.Load(BpfProgramType.Tracing, TestPrograms.Counting(counts), new()
        {
            Name = "t_module",
            ExpectedAttachType = attachType,
            AttachTarget = "ext4_file_open",
        });
        Assert.Equal((uint)function, prog.AttachBtfId);
        Assert.Equal(ext4Btf, prog.GetInfo().AttachBtfObjectId);
        using var link = prog.AttachTrace();
        var info = Assert.IsType<TracingLinkInfo>(link.GetInfo());
        Assert.Equal((attachType, ext4Btf, (uint)function), (info.AttachType, info.TargetObjectId, info.TargetBtfId));
    }
}
