using System.Runtime.InteropServices;

namespace BpfSharp.Interop;

// What BPF_OBJ_GET_INFO_BY_FD fills in. The kernel copies min(our size, its size) bytes, so older
// kernels leave the tail zero.

[KernelStruct("bpf_map_info")]
[StructLayout(LayoutKind.Sequential)]
internal struct BpfMapInfoRaw
{
    public uint type;
    public uint id;
    public uint key_size;
    public uint value_size;
    public uint max_entries;
    public uint map_flags;
    public ObjName name;
    public uint ifindex;
    public uint btf_vmlinux_value_type_id;
    public ulong netns_dev;
    public ulong netns_ino;
    public uint btf_id;
    public uint btf_key_type_id;
    public uint btf_value_type_id;
    public uint btf_vmlinux_id;
    public ulong map_extra;
}

[KernelStruct("bpf_prog_info")]
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct BpfProgInfoRaw
{
    public uint type;
    public uint id;
    public fixed byte tag[8];
    public uint jited_prog_len;
    public uint xlated_prog_len;
    public ulong jited_prog_insns;
    public ulong xlated_prog_insns;
    public ulong load_time;
    public uint created_by_uid;
    public uint nr_map_ids;
    public ulong map_ids;
    public ObjName name;
    public uint ifindex;
    /// <summary>Bit 0 is <c>gpl_compatible</c>.</summary>
    [KernelField("gpl_compatible")] public uint flags;
    public ulong netns_dev;
    public ulong netns_ino;
    public uint nr_jited_ksyms;
    public uint nr_jited_func_lens;
    public ulong jited_ksyms;
    public ulong jited_func_lens;
    public uint btf_id;
    public uint func_info_rec_size;
    public ulong func_info;
    public uint nr_func_info;
    public uint nr_line_info;
    public ulong line_info;
    public ulong jited_line_info;
    public uint nr_jited_line_info;
    public uint line_info_rec_size;
    public uint jited_line_info_rec_size;
    public uint nr_prog_tags;
    public ulong prog_tags;
    public ulong run_time_ns;
    public ulong run_cnt;
    public ulong recursion_misses;
    public uint verified_insns;
    public uint attach_btf_obj_id;
    public uint attach_btf_id;
}

[KernelStruct("bpf_btf_info")]
[StructLayout(LayoutKind.Sequential)]
internal struct BpfBtfInfoRaw
{
    public ulong btf;
    public uint btf_size;
    public uint id;
    public ulong name;
    public uint name_len;
    public uint kernel_btf;
}
