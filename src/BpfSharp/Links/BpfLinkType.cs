namespace BpfSharp.Links;

/// <summary>The kernel's link types (<c>enum bpf_link_type</c>): what mechanism holds an attachment.</summary>
public enum BpfLinkType : uint
{
    /// <c>BPF_LINK_TYPE_UNSPEC</c>: no kernel link (an attachment held another way).
    Unspec = 0,
    /// <c>BPF_LINK_TYPE_RAW_TRACEPOINT</c>: a raw tracepoint.
    RawTracepoint = 1,
    /// <c>BPF_LINK_TYPE_TRACING</c>: fentry, fexit, fmod_ret, lsm, tp_btf or freplace.
    Tracing = 2,
    /// <c>BPF_LINK_TYPE_CGROUP</c>: a cgroup hook.
    Cgroup = 3,
    /// <c>BPF_LINK_TYPE_ITER</c>: a BPF iterator.
    Iter = 4,
    /// <c>BPF_LINK_TYPE_NETNS</c>: a network namespace hook (flow dissector, sk_lookup).
    Netns = 5,
    /// <c>BPF_LINK_TYPE_XDP</c>: XDP on a network device.
    Xdp = 6,
    /// <c>BPF_LINK_TYPE_PERF_EVENT</c>: a perf event (kprobe, uprobe, tracepoint, sampling event).
    PerfEvent = 7,
    /// <c>BPF_LINK_TYPE_KPROBE_MULTI</c>: kprobes on many functions.
    KprobeMulti = 8,
    /// <c>BPF_LINK_TYPE_STRUCT_OPS</c>: a registered struct_ops map.
    StructOps = 9,
    /// <c>BPF_LINK_TYPE_NETFILTER</c>: a netfilter hook.
    Netfilter = 10,
    /// <c>BPF_LINK_TYPE_TCX</c>: tcx ingress or egress of a network device.
    Tcx = 11,
    /// <c>BPF_LINK_TYPE_UPROBE_MULTI</c>: uprobes on many offsets of a binary.
    UprobeMulti = 12,
    /// <c>BPF_LINK_TYPE_NETKIT</c>: a netkit device's primary or peer side.
    Netkit = 13,
    /// <c>BPF_LINK_TYPE_SOCKMAP</c>: a sockmap or sockhash program.
    Sockmap = 14,
}
