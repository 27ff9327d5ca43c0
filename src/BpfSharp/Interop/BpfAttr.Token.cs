using System.Runtime.InteropServices;

namespace BpfSharp.Interop;

[KernelStruct("bpf_attr", Member = "token_create")]
[StructLayout(LayoutKind.Sequential)]
internal struct TokenCreateAttr
{
    public uint flags;
    public uint bpffs_fd;
}
