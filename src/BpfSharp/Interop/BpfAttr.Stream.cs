using System.Runtime.InteropServices;

namespace BpfSharp.Interop;

[KernelStruct("bpf_attr", Member = "prog_stream_read")]
[StructLayout(LayoutKind.Sequential)]
internal struct ProgStreamReadAttr
{
    public ulong stream_buf;
    public uint stream_buf_len;
    public uint stream_id;
    public uint prog_fd;
}
