using System.Runtime.InteropServices;

namespace BpfSharp.Interop;

[KernelStruct("bpf_attr", Containing = "pathname")]
[StructLayout(LayoutKind.Sequential)]
internal struct ObjPinAttr
{
    public ulong pathname;
    public uint bpf_fd;
    public uint file_flags;
    public int path_fd;
}

[KernelStruct("bpf_attr", Containing = "next_id")]
[StructLayout(LayoutKind.Sequential)]
internal struct GetIdAttr
{
    /// <summary><c>prog_id</c>, <c>map_id</c>, <c>btf_id</c> and <c>link_id</c> share this place.</summary>
    public uint start_id;
    public uint next_id;
    public uint open_flags;
}

[KernelStruct("bpf_attr", Member = "info")]
[StructLayout(LayoutKind.Sequential)]
internal struct ObjInfoAttr
{
    public uint bpf_fd;
    public uint info_len;
    public ulong info;
}

[KernelStruct("bpf_attr", Containing = "btf_log_buf")]
[StructLayout(LayoutKind.Sequential)]
internal struct BtfLoadAttr
{
    public ulong btf;
    public ulong btf_log_buf;
    public uint btf_size;
    public uint btf_log_size;
    public uint btf_log_level;
    public uint btf_log_true_size;
    public uint btf_flags;
    public int btf_token_fd;
}

[KernelStruct("bpf_attr", Member = "task_fd_query")]
[StructLayout(LayoutKind.Sequential)]
internal struct TaskFdQueryAttr
{
    public uint pid;
    public uint fd;
    public uint flags;
    public uint buf_len;
    public ulong buf;
    public uint prog_id;
    public uint fd_type;
    public ulong probe_offset;
    public ulong probe_addr;
}
