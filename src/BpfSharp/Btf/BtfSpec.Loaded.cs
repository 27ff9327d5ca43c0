using System.Text;
using BpfSharp.Interop;

namespace BpfSharp.Btf;

public sealed partial class BtfSpec
{
    /// <summary>
    /// The BTF object with kernel id <paramref name="id"/> (a program's or map's <c>btf_id</c>, or a kernel module's):
    /// its blob read back from the kernel. A kernel module's BTF is split BTF and is parsed on top of the kernel's.
    /// </summary>
    /// <exception cref="BpfException">No BTF object has that id (ENOENT), or the caller lacks the privilege.</exception>
    public static unsafe BtfSpec LoadFromKernelId(uint id)
    {
        using var fd = BtfObjects.OpenById(id);
        var name = new byte[256];
        BpfBtfInfoRaw info;
        fixed (byte* p = name)
        {
            info = new BpfBtfInfoRaw { name = (ulong)p, name_len = (uint)name.Length };
            Bpf.GetInfo(fd, ref info, "BTF");
        }
        var data = BtfObjects.ReadData(fd);
        int end = Array.IndexOf(name, (byte)0);
        string btfName = Encoding.UTF8.GetString(name, 0, end < 0 ? name.Length : end);
        bool isModule = info.kernel_btf != 0 && btfName != VmlinuxName;
        return BtfParser.Parse(data, isModule ? LoadKernel() : null);
    }
}
