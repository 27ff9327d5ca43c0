using BpfSharp.Interop;

namespace BpfSharp.Links;

/// <summary>
/// What this library knows of each kernel link type, one row each: the class that wraps a link of the type, how
/// its info is decoded, whether the kernel can detach it with BPF_LINK_DETACH, and which info field carries a
/// string. A link type without a row is still opened, as a <see cref="RawLink"/> with the common info.
/// </summary>
internal static class LinkTypes
{
    /// <summary>Points the info field that carries the type's string at a buffer.</summary>
    internal delegate void StringField(ref BpfLinkInfoRaw raw, ulong buffer, uint length);

    /// <param name="Wrap">The class for an fd of the type, which takes the fd over.</param>
    /// <param name="Info">The type's info, from the raw info, its id, its program's id and the string (empty without one).</param>
    /// <param name="Detachable">Whether the kernel type has a <c>detach</c> operation (BPF_LINK_DETACH).</param>
    internal sealed record Row(Func<SafeFdHandle, BpfLink> Wrap, Func<BpfLinkInfoRaw, uint, uint, string, BpfLinkInfo> Info,
        bool Detachable, StringField? String = null);

    private static readonly Dictionary<BpfLinkType, Row> Rows = new()
    {
        [BpfLinkType.RawTracepoint] = new(h => new RawTracepointLink(h),
            (raw, id, prog, name) => new RawTracepointLinkInfo(id, prog, name, raw.raw_tracepoint_cookie), Detachable: false,
            (ref BpfLinkInfoRaw r, ulong b, uint n) => { r.raw_tracepoint_tp_name = b; r.raw_tracepoint_tp_name_len = n; }),
        [BpfLinkType.Tracing] = new(h => new TracingLink(h),
            (raw, id, prog, _) => new TracingLinkInfo(id, prog, (BpfAttachType)raw.tracing_attach_type, raw.tracing_target_obj_id,
                raw.tracing_target_btf_id, raw.tracing_cookie), Detachable: false),
        [BpfLinkType.Cgroup] = new(h => new CgroupLink(h),
            (raw, id, prog, _) => new CgroupLinkInfo(id, prog, raw.cgroup_cgroup_id, (BpfAttachType)raw.cgroup_attach_type), Detachable: true),
        [BpfLinkType.Iter] = new(h => new IterLink(h),
            (raw, id, prog, target) => new IterLinkInfo(id, prog, target, raw.iter_map_id), Detachable: false,
            (ref BpfLinkInfoRaw r, ulong b, uint n) => { r.iter_target_name = b; r.iter_target_name_len = n; }),
        [BpfLinkType.Netns] = new(h => new NetnsLink(h),
            (raw, id, prog, _) => new NetnsLinkInfo(id, prog, raw.netns_netns_ino, (BpfAttachType)raw.netns_attach_type), Detachable: true),
        [BpfLinkType.Xdp] = new(h => new XdpLink(h),
            (raw, id, prog, _) => new XdpLinkInfo(id, prog, (int)raw.xdp_ifindex), Detachable: true),
        [BpfLinkType.PerfEvent] = new(h => new PerfEventLink(h, perfEvent: null, probeEvent: null),
            (raw, id, prog, name) => PerfEventLinkInfo.From(id, prog, raw, name), Detachable: false,
            (ref BpfLinkInfoRaw r, ulong b, uint n) => { r.perf_event_name = b; r.perf_event_name_len = n; }),
        [BpfLinkType.KprobeMulti] = new(h => new KprobeMultiLink(h),
            (raw, id, prog, _) => new KprobeMultiLinkInfo(id, prog, raw.kprobe_multi_count, raw.kprobe_multi_flags, raw.kprobe_multi_missed),
            Detachable: false),
        [BpfLinkType.UprobeMulti] = new(h => new UprobeMultiLink(h),
            (raw, id, prog, path) => new UprobeMultiLinkInfo(id, prog, path, raw.uprobe_multi_count, raw.uprobe_multi_flags, raw.uprobe_multi_pid),
            Detachable: false,
            (ref BpfLinkInfoRaw r, ulong b, uint n) => { r.uprobe_multi_path = b; r.uprobe_multi_path_size = n; }),
        [BpfLinkType.StructOps] = new(h => new StructOpsLink(h),
            (raw, id, prog, _) => new StructOpsLinkInfo(id, prog, raw.struct_ops_map_id), Detachable: true),
        [BpfLinkType.Netfilter] = new(h => new NetfilterLink(h),
            (raw, id, prog, _) => new NetfilterLinkInfo(id, prog, raw.netfilter_pf, raw.netfilter_hooknum, raw.netfilter_priority,
                raw.netfilter_flags), Detachable: true),
        [BpfLinkType.Tcx] = new(h => new TcxLink(h),
            (raw, id, prog, _) => new TcxLinkInfo(id, prog, (int)raw.tcx_ifindex, (BpfAttachType)raw.tcx_attach_type), Detachable: true),
        [BpfLinkType.Netkit] = new(h => new NetkitLink(h),
            (raw, id, prog, _) => new NetkitLinkInfo(id, prog, (int)raw.netkit_ifindex, (BpfAttachType)raw.netkit_attach_type), Detachable: true),
        [BpfLinkType.Sockmap] = new(h => new SockmapLink(h),
            (raw, id, prog, _) => new SockmapLinkInfo(id, prog, raw.sockmap_map_id, (BpfAttachType)raw.sockmap_attach_type), Detachable: true),
    };

    /// <summary>The row of <paramref name="type"/>, or null for a type this library has no class for.</summary>
    public static Row? Of(BpfLinkType type) => Rows.GetValueOrDefault(type);
}
