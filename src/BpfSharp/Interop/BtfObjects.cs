namespace BpfSharp.Interop;

/// <summary>BTF objects in the kernel: opening by id and reading their raw data back.</summary>
internal static unsafe class BtfObjects
{
    public static SafeFdHandle OpenById(uint id) => Bpf.OpenById(BpfCommand.BPF_BTF_GET_FD_BY_ID, id, "BTF");

    /// <summary>The raw BTF blob of a loaded BTF object (two calls: the size, then the data).</summary>
    public static byte[] ReadData(SafeFdHandle btf)
    {
        var info = Bpf.GetInfo<BpfBtfInfoRaw>(btf, "BTF");
        var data = new byte[info.btf_size];
        fixed (byte* p = data)
        {
            var withData = new BpfBtfInfoRaw { btf = (ulong)p, btf_size = (uint)data.Length };
            Bpf.GetInfo(btf, ref withData, "BTF");
        }
        return data;
    }
}
