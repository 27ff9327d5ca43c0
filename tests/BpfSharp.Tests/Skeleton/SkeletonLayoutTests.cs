using System.Runtime.InteropServices;
using BpfSharp.Btf;

namespace BpfSharp.Tests.Skeleton;

/// <summary>
/// The types the skeleton generator wrote into this assembly (from Skeleton/Fixtures/layout.bpf.c, compiled by
/// clang through BpfSharp.Build at build time) have the layout the object's BTF gives (<see cref="LayoutChecker"/>).
/// </summary>
public sealed class SkeletonLayoutTests
{
    private static readonly BtfSpec s_btf = LoadBtf();

    private static BtfSpec LoadBtf()
    {
        using var obj = BpfObject.Open(Path.Combine(AppContext.BaseDirectory, LayoutSkeleton.ObjectFileName));
        return obj.Btf!;
    }

    public static TheoryData<string, Type> Roots() => new()
    {
        { "layout_value", typeof(LayoutSkeleton.LayoutValue) },
        { "record", typeof(LayoutSkeleton.Record) },
        { "packed_rec", typeof(LayoutSkeleton.PackedRec) },
        { "bits", typeof(LayoutSkeleton.Bits) },
        { "number", typeof(LayoutSkeleton.Number) },
    };

    [Theory]
    [MemberData(nameof(Roots))]
    public void EveryFieldSitsAtItsBtfOffset(string cName, Type type)
    {
        var btfType = s_btf.Types.OfType<BtfComposite>().Single(t => t.Name == cName);
        new LayoutChecker(s_btf).CheckComposite(btfType, type, cName);
    }

    [Fact]
    public void TwoDimensionalArrayKeepsRowMajorOrder()
    {
        var value = new LayoutSkeleton.LayoutValue();
        value.grid[1][2] = 0x01020304;
        var bytes = MemoryMarshal.AsBytes(new Span<LayoutSkeleton.LayoutValue>(ref value));
        var grid = s_btf.Find<BtfStruct>("layout_value").Members.Single(m => m.Name == "grid");
        // int grid[3][5]: element [1][2] is the 7th int.
        Assert.Equal(0x01020304, BitConverter.ToInt32(bytes[(grid.ByteOffset + (1 * 5 + 2) * 4)..]));
    }

    [Fact]
    public void CharArraysReadAndWriteAsText()
    {
        var record = new LayoutSkeleton.Record { CommString = "a-command-longer-than-16" };
        Assert.Equal("a-command-longe", record.CommString); // 15 bytes and the NUL
        Assert.Equal(0, record.comm[15]);
        record.CommString = "sh";
        Assert.Equal("sh", record.CommString);
        Assert.Equal(0, record.comm[2]);
    }

    [Fact]
    public void SignedBitfieldsSignExtend()
    {
        var bits = new LayoutSkeleton.Bits { negative = -3, color = LayoutSkeleton.Color.BLUE, low = 7 };
        Assert.Equal(-3, bits.negative);
        Assert.Equal(LayoutSkeleton.Color.BLUE, bits.color);
        Assert.Equal(7u, bits.low);
        Assert.Equal(0u, bits.mid);
    }
}
