using BpfSharp.Btf;
using BpfSharp.Tests.Btf;

namespace BpfSharp.Tests.Objects;

/// <summary>
/// A CO-RE relocation whose own root type is anonymous: libbpf (bpf_core_resolve_relo) refuses it with EOPNOTSUPP
/// before any candidate search, and so does BpfSharp; a named typedef of the same anonymous struct relocates, and
/// a local type id relocation needs no name at all.
/// </summary>
public class CoreAnonymousRootTests
{
    private static (CoreRelocator Relocator, int Anonymous, int Typedef, int FieldAccess) Setup()
    {
        var b = new BtfBlobBuilder();
        int i32 = b.Int("int", 4, BtfIntEncoding.Signed);
        int anonymous = b.Struct("", 8, ("a", i32, 0), ("b", i32, 32));
        int typedef = b.Typedef("bpfsharp_anon_t", anonymous);
        int fieldAccess = b.Str("0:1");
        var local = BtfSpec.Parse(b.Build());
        return (new CoreRelocator(local, [local]), anonymous, typedef, fieldAccess);
    }

    [Fact]
    public void AFieldReadOfAnAnonymousRoot_IsRefusedWithEopnotsupp()
    {
        var (relocator, anonymous, _, access) = Setup();
        var e = Assert.Throws<BpfException>(() => relocator.Relocate(new BtfCoreRelocation(0, anonymous, access, (int)CoreRelocationKind.FieldByteOffset)));
        Assert.Equal(Errno.EOPNOTSUPP, e.Errno);
        Assert.Contains("anonymous type", e.Message);
    }

    [Fact]
    public void TheSameStructThroughANamedTypedef_Relocates()
    {
        var (relocator, _, typedef, access) = Setup();
        var result = relocator.Relocate(new BtfCoreRelocation(0, typedef, access, (int)CoreRelocationKind.FieldByteOffset));
        Assert.False(result.Poison, result.Description);
        Assert.Equal((4UL, 4UL), (result.LocalValue, result.TargetValue));
    }
}
