using BpfSharp.Btf;
using BpfSharp.Tests.Btf;

namespace BpfSharp.Tests.Objects;

/// <summary>
/// CO-RE relocations of a type the kernel does not have, against the kernel's own BTF: every type-based kind answers
/// 0 and is not poisoned (libbpf's rule, which the kernel selftest test_core_reloc_type_based relies on: it stores
/// bpf_core_type_size() of absent types unconditionally); a field read of such a type stays poisoned.
/// </summary>
public class CoreMissingTypeTests
{
    private static (CoreRelocator Relocator, int Absent, int TypeAccess, int FieldAccess) Setup()
    {
        var b = new BtfBlobBuilder();
        int i32 = b.Int("int", 4, BtfIntEncoding.Signed);
        int absent = b.Struct("bpfsharp_type_no_kernel_has", 12, ("x", i32, 0), ("y", i32, 32), ("z", i32, 64));
        int typeAccess = b.Str("0");
        int fieldAccess = b.Str("0:1");
        var local = BtfSpec.Parse(b.Build());
        var kernel = BtfSpec.LoadKernel();
        Assert.False(kernel.TryFind<BtfStruct>("bpfsharp_type_no_kernel_has", out _));
        return (new CoreRelocator(local, [kernel]), absent, typeAccess, fieldAccess);
    }

    [Theory]
    [InlineData(CoreRelocationKind.TypeIdTarget)]
    [InlineData(CoreRelocationKind.TypeExists)]
    [InlineData(CoreRelocationKind.TypeMatches)]
    [InlineData(CoreRelocationKind.TypeSize)]
    public void TypeBasedRelocationOfAnAbsentType_AnswersZero_NotPoisoned(CoreRelocationKind kind)
    {
        var (relocator, absent, typeAccess, _) = Setup();
        var result = relocator.Relocate(new BtfCoreRelocation(0, absent, typeAccess, (int)kind));
        Assert.False(result.Poison, result.Description);
        Assert.Equal(0UL, result.TargetValue);
        if (kind == CoreRelocationKind.TypeSize) Assert.Equal(12UL, result.LocalValue);
    }

    [Fact]
    public void FieldReadOfAnAbsentType_IsPoisoned()
    {
        var (relocator, absent, _, fieldAccess) = Setup();
        var result = relocator.Relocate(new BtfCoreRelocation(0, absent, fieldAccess, (int)CoreRelocationKind.FieldByteOffset));
        Assert.True(result.Poison);
        Assert.Equal(4UL, result.LocalValue);
    }
}
