using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using BpfSharp.Btf;
using BtfMember = BpfSharp.Btf.BtfMember;

namespace BpfSharp.Tests.Skeleton;

/// <summary>
/// Checks a type the skeleton generator wrote against the BTF it came from, as measured at run time: its
/// <c>Unsafe.SizeOf</c>, and each field, set to all-ones bytes (a bitfield property to all-ones bits), lands exactly
/// where the BTF puts the member, down every nested struct, union and array. The BTF is read by the library's own
/// parser, not the generator's.
/// </summary>
internal sealed class LayoutChecker(BtfSpec btf)
{
    /// <summary>Every C# struct checked (roots, nested members, array elements), for a test to see none was missed.</summary>
    public HashSet<Type> Checked { get; } = [];

    /// <summary>How many members (fields and bitfields) were compared.</summary>
    public int Members { get; private set; }

    public void CheckComposite(BtfComposite btfType, Type type, string path)
    {
        Checked.Add(type);
        Assert.True(btfType.Size == SizeOf(type), $"{path}: C# size {SizeOf(type)}, BTF size {btfType.Size}");
        foreach (var (member, bitOffset) in Flatten(btfType, 0))
        {
            string where = $"{path}.{member.Name}";
            var memberType = btf.SkipModifiers(btf[member.TypeId]);
            int size = btf.SizeOf(memberType);
            if (member.IsBitfield || bitOffset % 8 != 0)
            {
                var property = type.GetProperty(member.Name) ?? throw new Xunit.Sdk.XunitException($"{where}: no bitfield property");
                CheckBitfield(type, property, bitOffset, member.IsBitfield ? member.BitfieldSize : size * 8, where);
                Members++;
                continue;
            }
            if (size == 0)
                continue; // a flexible array or an empty struct takes no bytes and has no C# field
            var field = type.GetField(member.Name) ?? throw new Xunit.Sdk.XunitException($"{where}: no field");
            Assert.True(size == SizeOf(field.FieldType), $"{where}: C# size {SizeOf(field.FieldType)}, BTF size {size}");
            var bytes = BytesWithFieldSet(type, field);
            for (int i = 0; i < bytes.Length; i++)
            {
                bool inField = i >= bitOffset / 8 && i < bitOffset / 8 + size;
                Assert.True(bytes[i] == (inField ? 0xFF : 0), $"{where}: byte {i} is {bytes[i]:x2} (BTF puts the field at {bitOffset / 8}, {size} bytes)");
            }
            Members++;
            if (memberType is BtfComposite nested)
                CheckComposite(nested, field.FieldType, where);
            CheckArray(memberType, field.FieldType, where);
        }
    }

    /// <summary>Arrays: the element's size (and the element struct's layout) match, down every dimension.</summary>
    public void CheckArray(BtfType btfType, Type type, string where)
    {
        if (btfType is not BtfArray array) return;
        Checked.Add(type);
        var element = btf.SkipModifiers(array.ElementType);
        var elementField = type.GetFields(BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public).Single();
        Assert.Equal(btf.SizeOf(element), SizeOf(elementField.FieldType));
        Assert.Equal(array.Length * btf.SizeOf(element), SizeOf(type));
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
    private IEnumerable<(BtfMember Member, int BitOffset)> Flatten(BtfComposite composite, int baseBits)
    {
        foreach (var m in composite.Members)
        {
            if (m.IsAnonymous && btf.SkipModifiers(btf[m.TypeId]) is BtfComposite anonymous)
            {
                foreach (var inner in Flatten(anonymous, baseBits + m.BitOffset)) yield return inner;
            }
            else
                yield return (m, baseBits + m.BitOffset);
        }
    }

    public static int SizeOf(Type t) => (int)typeof(Unsafe).GetMethod(nameof(Unsafe.SizeOf))!.MakeGenericMethod(t).Invoke(null, null)!;

    private static byte[] BytesWithFieldSet(Type type, FieldInfo field)
    {
        object box = Activator.CreateInstance(type)!;
        field.SetValue(box, Invoke(nameof(AllOnes), field.FieldType));
        return BytesOf(type, box);
    }

    private static byte[] BytesOf(Type type, object box) => (byte[])Invoke(nameof(Bytes), type, box);

    private static object Invoke(string method, Type t, params object[] args) =>
        typeof(LayoutChecker).GetMethod(method, BindingFlags.NonPublic | BindingFlags.Static)!.MakeGenericMethod(t).Invoke(null, args)!;

    private static object AllOnes<T>() where T : unmanaged
    {
        T value = default;
        MemoryMarshal.AsBytes(new Span<T>(ref value)).Fill(0xFF);
        return value;
    }

    private static byte[] Bytes<T>(object box) where T : unmanaged => MemoryMarshal.AsBytes(new Span<T>(ref Unsafe.Unbox<T>(box))).ToArray();
}
