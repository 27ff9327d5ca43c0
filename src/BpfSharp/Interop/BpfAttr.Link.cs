using System.Runtime.InteropServices;

namespace BpfSharp.Interop;

[KernelStruct("bpf_attr", Member = "raw_tracepoint")]
[StructLayout(LayoutKind.Sequential)]
internal struct RawTracepointOpenAttr
{
    public ulong name;
    public uint prog_fd;
    private uint _pad;
    public ulong cookie;
}

/// <summary><c>link_create</c>: a common head and, from byte 16, one union member per link kind.</summary>
[KernelStruct("bpf_attr", Member = "link_create")]
[StructLayout(LayoutKind.Explicit, Size = 64)]
internal struct LinkCreateAttr
{
    /// <summary><c>map_fd</c> (struct_ops) shares this place.</summary>
    [FieldOffset(0)] public uint prog_fd;
    /// <summary><c>target_ifindex</c> shares this place.</summary>
    [FieldOffset(4)] public uint target_fd;
    [FieldOffset(8)] public uint attach_type;
    [FieldOffset(12)] public uint flags;

    [FieldOffset(16)] public uint target_btf_id;

    [FieldOffset(16)] public ulong iter_info;
    [FieldOffset(24)] public uint iter_info_len;

    [FieldOffset(16), KernelField("perf_event.bpf_cookie")] public ulong perf_event_bpf_cookie;

    [FieldOffset(16), KernelField("kprobe_multi.flags")] public uint kprobe_multi_flags;
    [FieldOffset(20), KernelField("kprobe_multi.cnt")] public uint kprobe_multi_cnt;
    [FieldOffset(24), KernelField("kprobe_multi.syms")] public ulong kprobe_multi_syms;
    [FieldOffset(32), KernelField("kprobe_multi.addrs")] public ulong kprobe_multi_addrs;
    [FieldOffset(40), KernelField("kprobe_multi.cookies")] public ulong kprobe_multi_cookies;

    [FieldOffset(16), KernelField("tracing.target_btf_id")] public uint tracing_target_btf_id;
    [FieldOffset(24), KernelField("tracing.cookie")] public ulong tracing_cookie;

    [FieldOffset(16), KernelField("netfilter.pf")] public uint netfilter_pf;
    [FieldOffset(20), KernelField("netfilter.hooknum")] public uint netfilter_hooknum;
    [FieldOffset(24), KernelField("netfilter.priority")] public int netfilter_priority;
    [FieldOffset(28), KernelField("netfilter.flags")] public uint netfilter_flags;

    // tcx, netkit and cgroup share one shape: a relative program or link and an expected revision.
    [FieldOffset(16), KernelField("tcx.relative_fd")] public uint relative_fd;
    [FieldOffset(24), KernelField("tcx.expected_revision")] public ulong expected_revision;

    [FieldOffset(16), KernelField("uprobe_multi.path")] public ulong uprobe_multi_path;
    [FieldOffset(24), KernelField("uprobe_multi.offsets")] public ulong uprobe_multi_offsets;
    [FieldOffset(32), KernelField("uprobe_multi.ref_ctr_offsets")] public ulong uprobe_multi_ref_ctr_offsets;
    [FieldOffset(40), KernelField("uprobe_multi.cookies")] public ulong uprobe_multi_cookies;
    [FieldOffset(48), KernelField("uprobe_multi.cnt")] public uint uprobe_multi_cnt;
    [FieldOffset(52), KernelField("uprobe_multi.flags")] public uint uprobe_multi_flags;
    [FieldOffset(56), KernelField("uprobe_multi.pid")] public uint uprobe_multi_pid;
}

[KernelStruct("bpf_attr", Member = "link_update")]
[StructLayout(LayoutKind.Sequential)]
internal struct LinkUpdateAttr
{
    public uint link_fd;
    /// <summary><c>new_map_fd</c> shares this place.</summary>
    public uint new_prog_fd;
    public uint flags;
    /// <summary><c>old_map_fd</c> shares this place.</summary>
    public uint old_prog_fd;
}

[KernelStruct("bpf_attr", Member = "link_detach")]
[StructLayout(LayoutKind.Sequential)]
internal struct LinkDetachAttr
{
    public uint link_fd;
}

[KernelStruct("bpf_attr", Member = "iter_create")]
[StructLayout(LayoutKind.Sequential)]
internal struct IterCreateAttr
{
    public uint link_fd;
    public uint flags;
}

/// <summary><c>union bpf_iter_link_info</c>: what an iterator walks (a map, a cgroup, a task).</summary>
[KernelStruct("bpf_iter_link_info")]
[StructLayout(LayoutKind.Explicit, Size = 16)]
internal struct IterLinkInfoAttr
{
    [FieldOffset(0), KernelField("map.map_fd")] public uint map_fd;
    [FieldOffset(0), KernelField("cgroup.order")] public uint cgroup_order;
    [FieldOffset(4), KernelField("cgroup.cgroup_fd")] public uint cgroup_fd;
    [FieldOffset(8), KernelField("cgroup.cgroup_id")] public ulong cgroup_id;
    [FieldOffset(0), KernelField("task.tid")] public uint task_tid;
    [FieldOffset(4), KernelField("task.pid")] public uint task_pid;
    [FieldOffset(8), KernelField("task.pid_fd")] public uint task_pid_fd;
}
