using System.Runtime.InteropServices;

namespace BpfSharp.Interop;

[KernelStruct("bpf_attr", Containing = "prog_type")]
[StructLayout(LayoutKind.Sequential)]
internal struct ProgLoadAttr
{
    public uint prog_type;
    public uint insn_cnt;
    public ulong insns;
    public ulong license;
    public uint log_level;
    public uint log_size;
    public ulong log_buf;
    public uint kern_version;
    public uint prog_flags;
    public ObjName prog_name;
    public uint prog_ifindex;
    public uint expected_attach_type;
    public uint prog_btf_fd;
    public uint func_info_rec_size;
    public ulong func_info;
    public uint func_info_cnt;
    public uint line_info_rec_size;
    public ulong line_info;
    public uint line_info_cnt;
    public uint attach_btf_id;
    /// <summary><c>attach_btf_obj_fd</c> shares this place.</summary>
    public uint attach_prog_fd;
    public uint core_relo_cnt;
    public ulong fd_array;
    public ulong core_relos;
    public uint core_relo_rec_size;
    public uint log_true_size;
    /// <summary>Read only with <c>BPF_F_TOKEN_FD</c> in <c>prog_flags</c> (Linux 6.9).</summary>
    public int prog_token_fd;
}

[KernelStruct("bpf_attr", Member = "test")]
[StructLayout(LayoutKind.Sequential)]
internal struct TestRunAttr
{
    public uint prog_fd;
    public uint retval;
    public uint data_size_in;
    public uint data_size_out;
    public ulong data_in;
    public ulong data_out;
    public uint repeat;
    public uint duration;
    public uint ctx_size_in;
    public uint ctx_size_out;
    public ulong ctx_in;
    public ulong ctx_out;
    public uint flags;
    public uint cpu;
    public uint batch_size;
}

[KernelStruct("bpf_attr", Containing = "attach_bpf_fd")]
[StructLayout(LayoutKind.Sequential)]
internal struct ProgAttachAttr
{
    /// <summary><c>target_ifindex</c> shares this place.</summary>
    public uint target_fd;
    public uint attach_bpf_fd;
    public uint attach_type;
    public uint attach_flags;
    public uint replace_bpf_fd;
    /// <summary><c>relative_id</c> shares this place.</summary>
    public uint relative_fd;
    public ulong expected_revision;
}

[KernelStruct("bpf_attr", Member = "query")]
[StructLayout(LayoutKind.Sequential)]
internal struct ProgQueryAttr
{
    public uint target_fd;
    public uint attach_type;
    public uint query_flags;
    public uint attach_flags;
    public ulong prog_ids;
    public uint prog_cnt;
    private uint _pad;
    public ulong prog_attach_flags;
    public ulong link_ids;
    public ulong link_attach_flags;
    public ulong revision;
}

[KernelStruct("bpf_attr", Member = "prog_bind_map")]
[StructLayout(LayoutKind.Sequential)]
internal struct ProgBindMapAttr
{
    public uint prog_fd;
    public uint map_fd;
    public uint flags;
}

[KernelStruct("bpf_attr", Member = "enable_stats")]
[StructLayout(LayoutKind.Sequential)]
internal struct EnableStatsAttr
{
    public uint type;
}
