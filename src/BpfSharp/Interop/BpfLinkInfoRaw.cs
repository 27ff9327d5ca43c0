using System.Runtime.InteropServices;

namespace BpfSharp.Interop;

/// <summary><c>struct bpf_link_info</c>: a common head and, from byte 16, one union member per link type.</summary>
[KernelStruct("bpf_link_info")]
[StructLayout(LayoutKind.Explicit, Size = 64)]
internal struct BpfLinkInfoRaw
{
    [FieldOffset(0)] public uint type;
    [FieldOffset(4)] public uint id;
    [FieldOffset(8)] public uint prog_id;

    [FieldOffset(16), KernelField("raw_tracepoint.tp_name")] public ulong raw_tracepoint_tp_name;
    [FieldOffset(24), KernelField("raw_tracepoint.tp_name_len")] public uint raw_tracepoint_tp_name_len;
    [FieldOffset(32), KernelField("raw_tracepoint.cookie")] public ulong raw_tracepoint_cookie;

    [FieldOffset(16), KernelField("tracing.attach_type")] public uint tracing_attach_type;
    [FieldOffset(20), KernelField("tracing.target_obj_id")] public uint tracing_target_obj_id;
    [FieldOffset(24), KernelField("tracing.target_btf_id")] public uint tracing_target_btf_id;
    [FieldOffset(32), KernelField("tracing.cookie")] public ulong tracing_cookie;

    [FieldOffset(16), KernelField("cgroup.cgroup_id")] public ulong cgroup_cgroup_id;
    [FieldOffset(24), KernelField("cgroup.attach_type")] public uint cgroup_attach_type;

    [FieldOffset(16), KernelField("iter.target_name")] public ulong iter_target_name;
    [FieldOffset(24), KernelField("iter.target_name_len")] public uint iter_target_name_len;
    [FieldOffset(28), KernelField("iter.map.map_id")] public uint iter_map_id;
    [FieldOffset(32), KernelField("iter.cgroup.cgroup_id")] public ulong iter_cgroup_id;
    [FieldOffset(40), KernelField("iter.cgroup.order")] public uint iter_cgroup_order;
    [FieldOffset(32), KernelField("iter.task.tid")] public uint iter_task_tid;
    [FieldOffset(36), KernelField("iter.task.pid")] public uint iter_task_pid;

    [FieldOffset(16), KernelField("netns.netns_ino")] public uint netns_netns_ino;
    [FieldOffset(20), KernelField("netns.attach_type")] public uint netns_attach_type;

    [FieldOffset(16), KernelField("xdp.ifindex")] public uint xdp_ifindex;

    [FieldOffset(16), KernelField("struct_ops.map_id")] public uint struct_ops_map_id;

    [FieldOffset(16), KernelField("netfilter.pf")] public uint netfilter_pf;
    [FieldOffset(20), KernelField("netfilter.hooknum")] public uint netfilter_hooknum;
    [FieldOffset(24), KernelField("netfilter.priority")] public int netfilter_priority;
    [FieldOffset(28), KernelField("netfilter.flags")] public uint netfilter_flags;

    [FieldOffset(16), KernelField("kprobe_multi.addrs")] public ulong kprobe_multi_addrs;
    [FieldOffset(24), KernelField("kprobe_multi.count")] public uint kprobe_multi_count;
    [FieldOffset(28), KernelField("kprobe_multi.flags")] public uint kprobe_multi_flags;
    [FieldOffset(32), KernelField("kprobe_multi.missed")] public ulong kprobe_multi_missed;
    [FieldOffset(40), KernelField("kprobe_multi.cookies")] public ulong kprobe_multi_cookies;

    [FieldOffset(16), KernelField("uprobe_multi.path")] public ulong uprobe_multi_path;
    [FieldOffset(24), KernelField("uprobe_multi.offsets")] public ulong uprobe_multi_offsets;
    [FieldOffset(32), KernelField("uprobe_multi.ref_ctr_offsets")] public ulong uprobe_multi_ref_ctr_offsets;
    [FieldOffset(40), KernelField("uprobe_multi.cookies")] public ulong uprobe_multi_cookies;
    [FieldOffset(48), KernelField("uprobe_multi.path_size")] public uint uprobe_multi_path_size;
    [FieldOffset(52), KernelField("uprobe_multi.count")] public uint uprobe_multi_count;
    [FieldOffset(56), KernelField("uprobe_multi.flags")] public uint uprobe_multi_flags;
    [FieldOffset(60), KernelField("uprobe_multi.pid")] public uint uprobe_multi_pid;

    [FieldOffset(16), KernelField("perf_event.type")] public uint perf_event_type;
    // uprobe, kprobe and tracepoint share the name pointer and length; kprobe and uprobe the offset.
    [FieldOffset(24), KernelField("perf_event.uprobe.file_name")] public ulong perf_event_name;
    [FieldOffset(32), KernelField("perf_event.uprobe.name_len")] public uint perf_event_name_len;
    [FieldOffset(36), KernelField("perf_event.uprobe.offset")] public uint perf_event_offset;
    [FieldOffset(40), KernelField("perf_event.uprobe.cookie")] public ulong perf_event_uprobe_cookie;
    [FieldOffset(48), KernelField("perf_event.uprobe.ref_ctr_offset")] public ulong perf_event_uprobe_ref_ctr_offset;
    [FieldOffset(40), KernelField("perf_event.kprobe.addr")] public ulong perf_event_kprobe_addr;
    [FieldOffset(48), KernelField("perf_event.kprobe.missed")] public ulong perf_event_kprobe_missed;
    [FieldOffset(56), KernelField("perf_event.kprobe.cookie")] public ulong perf_event_kprobe_cookie;
    [FieldOffset(40), KernelField("perf_event.tracepoint.cookie")] public ulong perf_event_tracepoint_cookie;
    [FieldOffset(24), KernelField("perf_event.event.config")] public ulong perf_event_event_config;
    [FieldOffset(32), KernelField("perf_event.event.type")] public uint perf_event_event_type;
    [FieldOffset(40), KernelField("perf_event.event.cookie")] public ulong perf_event_event_cookie;

    [FieldOffset(16), KernelField("tcx.ifindex")] public uint tcx_ifindex;
    [FieldOffset(20), KernelField("tcx.attach_type")] public uint tcx_attach_type;

    [FieldOffset(16), KernelField("netkit.ifindex")] public uint netkit_ifindex;
    [FieldOffset(20), KernelField("netkit.attach_type")] public uint netkit_attach_type;

    [FieldOffset(16), KernelField("sockmap.map_id")] public uint sockmap_map_id;
    [FieldOffset(20), KernelField("sockmap.attach_type")] public uint sockmap_attach_type;
}
