using BpfSharp.Btf;
using BpfSharp.Tests.Btf;
using BpfSharp.Tests.Support;

namespace BpfSharp.Tests.Objects;

/// <summary>
/// An object whose BTF the kernel refuses loads without it, as with libbpf ("BTF is optional, ignoring"): the
/// fixture btf_refused.bpf.o declares an enum it never defines, which clang writes as an ENUM of size 0.
/// </summary>
public class RefusedObjectBtfTests
{
    [Fact]
    public void ADeclaredOnlyEnum_IsReadAsClangWritesIt_AndAnEnumWithValuesStillNeedsASize()
    {
        var b = new BtfBlobBuilder();
        int declared = b.Enum("declared_only", 0, false);
        var spec = BtfSpec.Parse(b.Build());
        var e = Assert.IsType<BtfEnum>(spec[declared]);
        Assert.Equal(("declared_only", 0), (e.Name, e.Values.Length));

        var withValues = new BtfBlobBuilder();
        withValues.Enum("e", 0, false, ("A", 1));
        Assert.Contains("invalid size", Assert.ThrowsAny<BpfFormatException>(() => BtfSpec.Parse(withValues.Build())).Message);
    }

    [Fact]
    public void AnObjectWhoseBtfTheKernelRefuses_LoadsWithoutIt_AndRuns()
    {
        TestKernel.RequireRoot();
        // The witness: the kernel refuses a declared-only enum in any BTF.
        var b = new BtfBlobBuilder();
        b.Enum("declared_only", 0, false);
        var refused = Assert.ThrowsAny<BpfException>(() => global::BpfSharp.Interop.BtfLoader.Load(b.Build(), "declared-only enum").Dispose());
        Assert.Equal(Errno.EINVAL, refused.Errno);

        using var obj = BpfObject.Open(ObjectLoadTests.Fixture("btf_refused.bpf.o"));
        Assert.Contains(obj.Btf!.Types, t => t is BtfEnum { Name: "bpfsharp_declared_only" });
        obj.Load();
        var prog = obj.Programs["pass"].Program!;
        Assert.Equal(0u, prog.GetInfo().BtfId);
        Assert.Equal(2u /* XDP_PASS, from the .data map */, prog.TestRun(new byte[64]));
    }
}
