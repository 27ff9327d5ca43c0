using System.Buffers.Binary;
using BpfSharp.Btf;

namespace BpfSharp;

/// <summary>
/// Binds an object's struct_ops variable to the kernel's struct of the same name: the map's value is the kernel's
/// <c>struct bpf_struct_ops_NAME</c> wrapper, whose <c>data</c> member is the kernel's <c>struct NAME</c>. Members are
/// matched by name (the object may declare a partial, reordered struct); each function pointer becomes the fd of
/// the program behind it, loaded with the kernel struct as attach BTF id and the member's index as attach type.
/// </summary>
internal sealed class StructOpsBinding
{
    private readonly record struct MemberCopy(int LocalOffset, int Size, int KernelOffset);

    private readonly List<MemberCopy> _data = [];
    private readonly List<(int KernelOffset, string Program)> _functions = [];

    private StructOpsBinding(int valueTypeId, int valueSize, int kernelTypeId, int dataOffset)
    {
        ValueTypeId = valueTypeId;
        ValueSize = valueSize;
        KernelTypeId = kernelTypeId;
        DataOffset = dataOffset;
    }

    /// <summary>The kernel's <c>bpf_struct_ops_NAME</c>: the map's <c>btf_vmlinux_value_type_id</c>.</summary>
    public int ValueTypeId { get; }
    public int ValueSize { get; }

    /// <summary>The kernel's <c>struct NAME</c>: the programs' attach BTF id.</summary>
    public int KernelTypeId { get; }
    private int DataOffset { get; }

    public static StructOpsBinding Resolve(BpfObjectMap map, BtfSpec local, BtfSpec kernel,
        IReadOnlyDictionary<string, BpfObjectProgram> programs, string objectName)
    {
        BpfException Error(string message) => new($"load of object {objectName}", $"struct_ops map {map.Name}: {message}");
        var localType = (BtfStruct)local[map.StructOpsTypeId];
        string name = CoreRelocator.EssentialName(localType.Name);
        if (!kernel.TryFind<BtfStruct>(name, out var kernelType))
            throw Error($"the kernel has no struct {name}");
        if (!kernel.TryFind<BtfStruct>("bpf_struct_ops_" + name, out var wrapper) || !wrapper.TryGetMember("data", out var data))
            throw Error($"struct {name} is not a struct_ops type of this kernel (no bpf_struct_ops_{name})");
        var binding = new StructOpsBinding(wrapper.Id, wrapper.Size, kernelType.Id, data.ByteOffset);

        var initial = map.InitialData!;
        foreach (var member in localType.Members)
        {
            int size = member.IsBitfield ? 0 : local.SizeOf(member.TypeId);
            bool isFunction = IsFunctionPointer(local, member.TypeId);
            map.InitialValues.TryGetValue(member.ByteOffset, out string? program);
            int index = kernelType.Members.IndexOf(kernelType.Members.FirstOrDefault(m => m.Name == member.Name && m.Name.Length > 0));
            if (index < 0)
            {
                // A member the kernel lacks may stay in the object's struct as long as it is unset.
                if (program is null && initial.AsSpan(member.ByteOffset, size).ContainsAnyExcept((byte)0))
                    throw Error($"member {member.Name} is set, but the kernel's struct {name} has no such member");
                continue;
            }
            var kernelMember = kernelType.Members[index];
            if (member.IsBitfield || kernelMember.IsBitfield) throw Error($"bitfield member {member.Name} is not supported");
            if (isFunction != IsFunctionPointer(kernel, kernelMember.TypeId))
                throw Error($"member {member.Name} is {(isFunction ? "" : "not ")}a function pointer here but not in the kernel's struct");
            if (isFunction)
            {
                if (program is null) continue;
                var prog = programs[program];
                var attachType = (BpfAttachType)index;
                if (prog.StructOpsAttachBtfId != 0 && (prog.StructOpsAttachBtfId != kernelType.Id || prog.ExpectedAttachType != attachType))
                    throw Error($"program {program} is already bound to another struct_ops member");
                prog.StructOpsAttachBtfId = kernelType.Id;
                prog.ExpectedAttachType = attachType;
                binding._functions.Add((binding.DataOffset + kernelMember.ByteOffset, program));
            }
            else
            {
                if (size != kernel.SizeOf(kernelMember.TypeId))
                    throw Error($"member {member.Name} has {size} bytes here, {kernel.SizeOf(kernelMember.TypeId)} in the kernel");
                binding._data.Add(new MemberCopy(member.ByteOffset, size, binding.DataOffset + kernelMember.ByteOffset));
            }
        }
        return binding;
    }

    private static bool IsFunctionPointer(BtfSpec btf, int typeId) =>
        btf[btf.SkipModifiers(typeId)] is BtfPointer p && btf[btf.SkipModifiers(p.TargetId)] is BtfFuncProto;

    /// <summary>The map's value: the object's data members in the kernel's layout, the loaded programs' fds in the callbacks.</summary>
    public byte[] BuildValue(BpfObjectMap map, IReadOnlyDictionary<string, BpfObjectProgram> programs)
    {
        var value = new byte[ValueSize];
        foreach (var copy in _data)
            map.InitialData.AsSpan(copy.LocalOffset, copy.Size).CopyTo(value.AsSpan(copy.KernelOffset));
        foreach (var (offset, name) in _functions)
        {
            var program = programs[name].Program ?? throw new InvalidOperationException($"struct_ops map {map.Name} needs program {name}, which is not loaded");
            BinaryPrimitives.WriteUInt64LittleEndian(value.AsSpan(offset), (ulong)program.Handle.DangerousGetHandle());
        }
        return value;
    }
}
