using BpfSharp.Interop;

namespace BpfSharp.Btf;

public sealed partial class BtfSpec
{
    /// <summary>
    /// The BTF object with kernel id <paramref name="id"/> (a program's or map's <c>btf_id</c>, or a kernel module's):
    /// its blob read back from the kernel. A kernel module's BTF is split BTF and is parsed on top of the kernel's.
    /// </summary>
    /// <exception cref="BpfException">No BTF object has that id (ENOENT), or the caller lacks the privilege.</exception>
    public static BtfSpec LoadFromKernelId(uint id)
    {
        using var fd = BtfObjects.OpenById(id);
        var info = BtfObjectInfo.Read(fd);
        var data = BtfObjects.ReadData(fd);
        bool isModule = info.IsKernel && info.Name != VmlinuxName;
        return BtfParser.Parse(data, isModule ? LoadKernel() : null);
    }
}
