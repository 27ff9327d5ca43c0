using System.Text;
using BpfSharp.Interop;

namespace BpfSharp.Btf;

/// <summary>
/// A BTF object the kernel holds (BPF_OBJ_GET_INFO_BY_FD on a BTF fd): the kernel's and modules' own, and those
/// loaded with programs and maps. <see cref="BtfSpec.LoadFromKernelId"/> reads its types.
/// </summary>
/// <param name="Id">The BTF object's id (a program's or map's <c>btf_id</c>).</param>
/// <param name="Name">"vmlinux", a module's name, or the name given at load ("" for most objects' BTF).</param>
/// <param name="Size">The size of its raw BTF, in bytes.</param>
/// <param name="IsKernel">The kernel's or a module's own BTF.</param>
public sealed record BtfObjectInfo(uint Id, string Name, int Size, bool IsKernel)
{
    /// <summary>The ids of every BTF object loaded now (BPF_BTF_GET_NEXT_ID), in increasing order.</summary>
    public static IEnumerable<uint> EnumerateIds() => Bpf.EnumerateIds(BpfCommand.BPF_BTF_GET_NEXT_ID);

    /// <summary>What the kernel reports about BTF object <paramref name="id"/>.</summary>
    /// <exception cref="BpfException">No BTF object has that id (ENOENT), or the caller lacks the privilege.</exception>
    public static BtfObjectInfo FromId(uint id)
    {
        using var fd = BtfObjects.OpenById(id);
        return Read(fd);
    }

    /// <summary>What the kernel reports about the BTF object open at <paramref name="fd"/>.</summary>
    internal static unsafe BtfObjectInfo Read(SafeFdHandle fd)
    {
        var name = new byte[256];
        BpfBtfInfoRaw info;
        fixed (byte* p = name)
        {
            info = new BpfBtfInfoRaw { name = (ulong)p, name_len = (uint)name.Length };
            Bpf.GetInfo(fd, ref info, "BTF");
        }
        int end = Array.IndexOf(name, (byte)0);
        return new BtfObjectInfo(info.id, Encoding.UTF8.GetString(name, 0, end < 0 ? name.Length : end), (int)info.btf_size, info.kernel_btf != 0);
    }
}
