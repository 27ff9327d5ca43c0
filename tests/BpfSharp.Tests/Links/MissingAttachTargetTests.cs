using BpfSharp.Btf;
using BpfSharp.TestChild;
using BpfSharp.Tests.Support;

namespace BpfSharp.Tests.Links;

/// <summary>
/// A tracing program whose target function the kernel's BTF lacks fails with ESRCH, the errno libbpf gives, so that
/// code can tell "no such function on this kernel" from other failures; nothing reaches the kernel and no fd leaks.
/// </summary>
public class MissingAttachTargetTests
{
    [Theory]
    [InlineData(BpfProgramType.Tracing, BpfAttachType.TraceFentry)]
    [InlineData(BpfProgramType.Tracing, BpfAttachType.TraceFexit)]
    [InlineData(BpfProgramType.Lsm, BpfAttachType.LsmMac)]
    public void ATargetTheKernelLacks_FailsWithEsrch(BpfProgramType type, BpfAttachType attachType)
    {
        TestKernel.RequireRoot();
        const string target = "bpfsharp_function_no_kernel_has";
        Assert.False(BtfSpec.LoadKernel().TryFindId(target, BtfKind.Func, out _));
        using var counts = TestPrograms.CounterMap();
        BpfProgram Load() => BpfProgram.Load(type, TestPrograms.Counting(counts),
            new() { Name = "t_missing", ExpectedAttachType = attachType, AttachTarget = target });
        var before = FdLeakCheck.Snapshot();
        var e = Assert.Throws<BpfException>(Load);
        Assert.Equal(Errno.ESRCH, e.Errno);
        Assert.Equal("ESRCH", e.ErrnoName);
        Assert.Contains(target, e.Message);
        Assert.Equal(before, FdLeakCheck.Snapshot());
    }
}
