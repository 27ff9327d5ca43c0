using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace BpfSharp.Interop;

// The members of `union bpf_attr` used by the map commands. Field names are the kernel's, so each one
// can be checked against the running kernel's BTF (see KernelAbiTests).

[KernelStruct("bpf_attr", Containing = "map_type")]
[StructLayout(LayoutKind.Sequential)]
internal struct MapCreateAttr
{
    public uint map_type;
    public uint key_size;
    public uint value_size;
    public uint max_entries;
    public uint map_flags;
    public uint inner_map_fd;
    public uint numa_node;
    public ObjName map_name;
    public uint map_ifindex;
    public uint btf_fd;
    public uint btf_key_type_id;
    public uint btf_value_type_id;
    public uint btf_vmlinux_value_type_id;
    public ulong map_extra;
    public int value_type_btf_obj_fd;
    public int map_token_fd;
}

[KernelStruct("bpf_attr", Containing = "map_fd")]
[StructLayout(LayoutKind.Sequential)]
internal struct MapElemAttr
{
    public uint map_fd;
    private uint _pad;
    public ulong key;
    /// <summary>The value pointer; <c>next_key</c> for BPF_MAP_GET_NEXT_KEY shares its place.</summary>
    public ulong value;
    public ulong flags;
}

[KernelStruct("bpf_attr", Member = "batch")]
[StructLayout(LayoutKind.Sequential)]
internal struct MapBatchAttr
{
    public ulong in_batch;
    public ulong out_batch;
    public ulong keys;
    public ulong values;
    public uint count;
    public uint map_fd;
    public ulong elem_flags;
    public ulong flags;
}

/// <summary>A kernel object name: <c>char name[16]</c> (BPF_OBJ_NAME_LEN), NUL-terminated.</summary>
[InlineArray(16)]
internal struct ObjName
{
    private byte _first;

    public static ObjName From(string? name)
    {
        var result = default(ObjName);
        if (!string.IsNullOrEmpty(name))
        {
            Span<byte> dst = result;
            int n = System.Text.Encoding.ASCII.GetBytes(name.AsSpan(0, Math.Min(name.Length, 15)), dst);
            dst[n] = 0;
        }
        return result;
    }

    public override readonly string ToString()
    {
        ReadOnlySpan<byte> s = this;
        int end = s.IndexOf((byte)0);
        return System.Text.Encoding.ASCII.GetString(end < 0 ? s : s[..end]);
    }
}
