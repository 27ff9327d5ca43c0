using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using BpfSharp.Btf;
using BpfSharp.Interop;

namespace BpfSharp.Tests.Interop;

/// <summary>
/// Every kernel ABI struct of the library, field by field, against the running kernel's BTF: the offset and
/// size of each field must be the kernel's. A struct drifting from the kernel fails here, not in production.
/// </summary>
public class KernelAbiTests
{
    private static BtfSpec Kernel()
    {
        if (!File.Exists("/sys/kernel/btf/vmlinux")) Assert.Skip("the kernel has no BTF at /sys/kernel/btf/vmlinux");
        return BtfSpec.LoadKernel();
    }

    public static TheoryData<string> AbiStructs()
    {
        var data = new TheoryData<string>();
        foreach (var t in typeof(BpfMap).Assembly.GetTypes())
            if (t.GetCustomAttribute<KernelStructAttribute>() is not null) data.Add(t.FullName!);
        return data;
    }

    [Fact]
    public void TheAbiStructsAreFound()
    {
        // Guard against the theory silently running over nothing.
        Assert.True(AbiStructs().Count >= 20, $"only {AbiStructs().Count} ABI structs found");
    }

    [Theory]
    [MemberData(nameof(AbiStructs))]
    public void EveryFieldMatchesTheKernel(string typeName)
    {
        var spec = Kernel();
        var type = typeof(BpfMap).Assembly.GetType(typeName)!;
        var attr = type.GetCustomAttribute<KernelStructAttribute>()!;
        int containerId = FindContainer(spec, attr);
        int csharpSize = SizeOf(type);
        Assert.True(csharpSize <= spec.SizeOf(containerId),
            $"{type.Name} is {csharpSize} bytes, larger than the kernel's {spec.SizeOf(containerId)}");

        foreach (var field in type.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic))
        {
            if (field.Name.StartsWith('_')) continue; // padding
            string path = field.GetCustomAttribute<KernelFieldAttribute>()?.Path ?? field.Name;
            Assert.True(spec.TryFindMember(containerId, path, out var member), $"{type.Name}.{field.Name}: the kernel has no '{path}' in {attr.Type}");
            int offset = (int)Marshal.OffsetOf(type, field.Name);
            int size = SizeOf(field.FieldType);
            if (member.BitfieldSize != 0)
            {
                // A bitfield is mirrored by the word that holds it.
                Assert.InRange(member.BitOffset, offset * 8L, (offset + size) * 8L - member.BitfieldSize);
                continue;
            }
            Assert.True(member.BitOffset % 8 == 0, $"{path} is not byte-aligned");
            Assert.True(offset == member.BitOffset / 8, $"{type.Name}.{field.Name}: offset {offset}, kernel {member.BitOffset / 8}");
            Assert.True(size == spec.SizeOf(member.TypeId), $"{type.Name}.{field.Name}: size {size}, kernel {spec.SizeOf(member.TypeId)}");
        }
    }

    /// <summary>The struct the C# type mirrors: the named type, its named member, or its anonymous member holding a field.</summary>
    private static int FindContainer(BtfSpec spec, KernelStructAttribute attr)
    {
        var top = spec.FindAll(attr.Type).First(t => t is BtfComposite);
        if (attr.Member is not null) return spec.SkipModifiers(spec.FindMember(top, attr.Member).TypeId);
        if (attr.Containing is null) return top.Id;
        foreach (var m in ((BtfComposite)top).Members)
        {
            if (m.Name.Length != 0) continue;
            int id = spec.SkipModifiers(m.TypeId);
            if (spec[id] is BtfComposite c && c.Members.Any(x => x.Name == attr.Containing)) return id;
        }
        throw new KeyNotFoundException($"no anonymous member of {attr.Type} has '{attr.Containing}' directly");
    }

    private static int SizeOf(Type t) =>
        (int)typeof(Unsafe).GetMethod(nameof(Unsafe.SizeOf))!.MakeGenericMethod(t).Invoke(null, null)!;
}
