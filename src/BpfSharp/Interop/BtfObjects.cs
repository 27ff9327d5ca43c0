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

internal static unsafe class BtfLoader
{
    /// <summary>BPF_BTF_LOAD; a rejection is retried with a log so the error says why.</summary>
    public static SafeFdHandle Load(ReadOnlySpan<byte> blob, string what, BpfToken? token = null)
    {
        using var tokenUse = token is null ? null : new HandleRefs();
        fixed (byte* p = blob)
        {
            var attr = new BtfLoadAttr { btf = (ulong)p, btf_size = (uint)blob.Length };
            if (tokenUse is not null)
            {
                attr.btf_token_fd = (int)tokenUse.Add(token!.Handle);
                attr.btf_flags = BpfToken.TokenFdFlag;
            }
            int r = Bpf.TryCall(BpfCommand.BPF_BTF_LOAD, ref attr);
            if (r >= 0) return new SafeFdHandle(r);
            var log = new byte[1 << 20];
            fixed (byte* l = log)
            {
                attr.btf_log_buf = (ulong)l;
                attr.btf_log_size = (uint)log.Length;
                attr.btf_log_level = 1;
                r = Bpf.TryCall(BpfCommand.BPF_BTF_LOAD, ref attr);
                if (r >= 0) return new SafeFdHandle(r);
            }
            int end = Array.IndexOf(log, (byte)0);
            string text = System.Text.Encoding.UTF8.GetString(log, 0, end < 0 ? log.Length : end);
            throw new BpfVerifierException("BPF_BTF_LOAD", -r, what, text);
        }
    }
}
