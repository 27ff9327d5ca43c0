using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using BpfSharp.Btf;
using BtfMember = BpfSharp.Btf.BtfMember;

namespace BpfSharp.Tests.Skeleton;

/// <summary>
/// The types the skeleton generator wrote into this assembly (from Skeleton/Fixtures/layout.bpf.c, compiled by
/// clang through BpfSharp.Build at build time) have the layout the object's BTF gives, as measured at run time:
/// each field is set to all-ones bytes and the struct's bytes show exactly where it landed. The BTF is read by
/// the library's own parser, not the generator's.
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
        CheckComposite(btfType, type, cName);
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

    private static void CheckComposite(BtfComposite btfType, Type type, string path)
    {
        Assert.True(btfType.Size == SizeOf(type), $"{path}: C# size {SizeOf(type)}, BTF size {btfType.Size}");
        foreach (var (member, bitOffset) in Flatten(btfType, 0))
        {
            string where = $"{path}.{member.Name}";
            var memberType = s_btf.SkipModifiers(s_btf[member.TypeId]);
            if (member.IsBitfield || bitOffset % 8 != 0)
            {
                var property = type.GetProperty(member.Name) ?? throw new Xunit.Sdk.XunitException($"{where}: no bitfield property");
                CheckBitfield(type, property, bitOffset, member.IsBitfield ? member.BitfieldSize : s_btf.SizeOf(memberType) * 8, where);
                continue;
            }
            if (memberType is BtfArray { Length: 0 })
                continue; // a flexible array member has no C# field
            var field = type.GetField(member.Name) ?? throw new Xunit.Sdk.XunitException($"{where}: no field");
            int size = s_btf.SizeOf(memberType);
            Assert.True(size == SizeOf(field.FieldType), $"{where}: C# size {SizeOf(field.FieldType)}, BTF size {size}");
            var bytes = BytesWithFieldSet(type, field);
            for (int i = 0; i < bytes.Length; i++)
            {
                bool inField = i >= bitOffset / 8 && i < bitOffset / 8 + size;
                Assert.True(bytes[i] == (inField ? 0xFF : 0), $"{where}: byte {i} is {bytes[i]:x2} (BTF puts the field at {bitOffset / 8}, {size} bytes)");
            }
            if (memberType is BtfComposite nested)
                CheckComposite(nested, field.FieldType, where);
            CheckArray(memberType, field.FieldType, where);
        }
    }

    /// <summary>Arrays: the element's size (and the element struct's layout) match, down every dimension.</summary>
    private static void CheckArray(BtfType btfType, Type type, string where)
    {
        if (btfType is not BtfArray array) return;
        var element = s_btf.SkipModifiers(array.ElementType);
        var elementField = type.GetFields(BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public).Single();
        Assert.Equal(s_btf.SizeOf(element), SizeOf(elementField.FieldType));
        Assert.Equal(array.Length * s_btf.SizeOf(element), SizeOf(type));
        if (element is BtfComposite composite)
            CheckComposite(composite, elementField.FieldType, where + "[]");
        CheckArray(element, elementField.FieldType, where + "[]");
    }

    private static void CheckBitfield(Type type, PropertyInfo property, int bitOffset, int bitSize, string where)
    {
        object box = Activator.CreateInstance(type)!;
        ulong ones = bitSize == 64 ? ulong.MaxValue : (1UL << bitSize) - 1;
        var propertyType = property.PropertyType;
        object value = propertyType.IsEnum ? Enum.ToObject(propertyType, ones) : Convert.ChangeType(unchecked(Signed(propertyType) ? (object)(long)ones : ones), propertyType, null);
        property.SetValue(box, value);
        var bytes = BytesOf(type, box);
        for (int bit = 0; bit < bytes.Length * 8; bit++)
        {
            bool set = (bytes[bit / 8] >> (bit % 8) & 1) != 0;
            bool inField = bit >= bitOffset && bit < bitOffset + bitSize;
            Assert.True(set == inField, $"{where}: bit {bit} is {(set ? 1 : 0)} (BTF: {bitSize} bits at bit {bitOffset})");
        }
    }

    private static bool Signed(Type t) => t == typeof(int) || t == typeof(long) || t == typeof(short) || t == typeof(sbyte);

    /// <summary>Members with their bit offsets, anonymous structs and unions flattened into their parent, as C sees them.</summary>
    private static IEnumerable<(BtfMember Member, int BitOffset)> Flatten(BtfComposite composite, int baseBits)
    {
        foreach (var m in composite.Members)
        {
            if (m.IsAnonymous && s_btf.SkipModifiers(s_btf[m.TypeId]) is BtfComposite anonymous)
            {
                foreach (var inner in Flatten(anonymous, baseBits + m.BitOffset)) yield return inner;
            }
            else
                yield return (m, baseBits + m.BitOffset);
        }
    }

    private static int SizeOf(Type t) => (int)typeof(Unsafe).GetMethod(nameof(Unsafe.SizeOf))!.MakeGenericMethod(t).Invoke(null, null)!;

    private static byte[] BytesWithFieldSet(Type type, FieldInfo field)
    {
        object box = Activator.CreateInstance(type)!;
        field.SetValue(box, Invoke(nameof(AllOnes), field.FieldType));
        return BytesOf(type, box);
    }

    private static byte[] BytesOf(Type type, object box) => (byte[])Invoke(nameof(Bytes), type, box);

    private static object Invoke(string method, Type t, params object[] args) =>
        typeof(SkeletonLayoutTests).GetMethod(method, BindingFlags.NonPublic | BindingFlags.Static)!.MakeGenericMethod(t).Invoke(null, args)!;

    private static object AllOnes<T>() where T : unmanaged
    {
        T value = default;
        MemoryMarshal.AsBytes(new Span<T>(ref value)).Fill(0xFF);
        return value;
    }

    private static byte[] Bytes<T>(object box) where T : unmanaged => MemoryMarshal.AsBytes(new Span<T>(ref Unsafe.Unbox<T>(box))).ToArray();
}
