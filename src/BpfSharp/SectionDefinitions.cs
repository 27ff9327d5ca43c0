namespace BpfSharp;

/// <summary>How BpfProgram.Attach() attaches a program of a section kind.</summary>
public enum AutoAttachKind
{
    /// <summary>The section says what the program is but not where to attach it (needs an explicit Attach* call).</summary>
    None,
    RawTracepoint,
    Trace,
    Tracepoint,
    Kprobe,
    Kretprobe,
    Ksyscall,
    Kretsyscall,
    KprobeMulti,
    KretprobeMulti,
    Uprobe,
    Uretprobe,
    UprobeMulti,
    UretprobeMulti,
    Usdt,
    Iter,
    StructOps,
    /// <summary>sk_lookup, flow_dissector: a link to the calling thread's network namespace.</summary>
    Netns,
}

/// <summary>One row of the section table: a <c>SEC("...")</c> name and what it means.</summary>
/// <param name="Prefix">The section name, or its prefix when <paramref name="TakesTarget"/> (then followed by "/target").</param>
public sealed record SectionDefinition(
    string Prefix,
    BpfProgramType ProgramType,
    BpfAttachType? AttachType,
    bool TakesTarget = false,
    AutoAttachKind AutoAttach = AutoAttachKind.None,
    bool Sleepable = false,
    bool XdpFrags = false);

/// <summary>
/// libbpf's section-name conventions in one table (its <c>section_defs[]</c>): adding a hook is one row.
/// A leading <c>?</c> turns autoload off and is not part of the name matched here.
/// </summary>
public static class SectionDefinitions
{
    private const bool T = true;

    public static IReadOnlyList<SectionDefinition> All { get; } =
    [
        new("socket", BpfProgramType.SocketFilter, null),
        new("sk_reuseport/migrate", BpfProgramType.SkReuseport, BpfAttachType.SkReuseportSelectOrMigrate),
        new("sk_reuseport", BpfProgramType.SkReuseport, BpfAttachType.SkReuseportSelect),
        new("kprobe", BpfProgramType.Kprobe, null, T, AutoAttachKind.Kprobe),
        new("kretprobe", BpfProgramType.Kprobe, null, T, AutoAttachKind.Kretprobe),
        new("ksyscall", BpfProgramType.Kprobe, null, T, AutoAttachKind.Ksyscall),
        new("kretsyscall", BpfProgramType.Kprobe, null, T, AutoAttachKind.Kretsyscall),
        new("kprobe.multi", BpfProgramType.Kprobe, BpfAttachType.TraceKprobeMulti, T, AutoAttachKind.KprobeMulti),
        new("kretprobe.multi", BpfProgramType.Kprobe, BpfAttachType.TraceKprobeMulti, T, AutoAttachKind.KretprobeMulti),
        new("kprobe.session", BpfProgramType.Kprobe, BpfAttachType.TraceKprobeSession, T, AutoAttachKind.KprobeMulti),
        new("uprobe", BpfProgramType.Kprobe, null, T, AutoAttachKind.Uprobe),
        new("uprobe.s", BpfProgramType.Kprobe, null, T, AutoAttachKind.Uprobe, Sleepable: T),
        new("uretprobe", BpfProgramType.Kprobe, null, T, AutoAttachKind.Uretprobe),
        new("uretprobe.s", BpfProgramType.Kprobe, null, T, AutoAttachKind.Uretprobe, Sleepable: T),
        new("uprobe.multi", BpfProgramType.Kprobe, BpfAttachType.TraceUprobeMulti, T, AutoAttachKind.UprobeMulti),
        new("uretprobe.multi", BpfProgramType.Kprobe, BpfAttachType.TraceUprobeMulti, T, AutoAttachKind.UretprobeMulti),
        new("uprobe.multi.s", BpfProgramType.Kprobe, BpfAttachType.TraceUprobeMulti, T, AutoAttachKind.UprobeMulti, Sleepable: T),
        new("uretprobe.multi.s", BpfProgramType.Kprobe, BpfAttachType.TraceUprobeMulti, T, AutoAttachKind.UretprobeMulti, Sleepable: T),
        new("uprobe.session", BpfProgramType.Kprobe, BpfAttachType.TraceUprobeSession, T, AutoAttachKind.UprobeMulti),
        new("usdt", BpfProgramType.Kprobe, null, T, AutoAttachKind.Usdt),
        new("usdt.s", BpfProgramType.Kprobe, null, T, AutoAttachKind.Usdt, Sleepable: T),
        new("tc/ingress", BpfProgramType.SchedCls, BpfAttachType.TcxIngress),
        new("tc/egress", BpfProgramType.SchedCls, BpfAttachType.TcxEgress),
        new("tcx/ingress", BpfProgramType.SchedCls, BpfAttachType.TcxIngress),
        new("tcx/egress", BpfProgramType.SchedCls, BpfAttachType.TcxEgress),
        new("tc", BpfProgramType.SchedCls, null),
        new("classifier", BpfProgramType.SchedCls, null),
        new("action", BpfProgramType.SchedAct, null),
        new("netkit/primary", BpfProgramType.SchedCls, BpfAttachType.NetkitPrimary),
        new("netkit/peer", BpfProgramType.SchedCls, BpfAttachType.NetkitPeer),
        new("tracepoint", BpfProgramType.Tracepoint, null, T, AutoAttachKind.Tracepoint),
        new("tp", BpfProgramType.Tracepoint, null, T, AutoAttachKind.Tracepoint),
        new("raw_tracepoint", BpfProgramType.RawTracepoint, null, T, AutoAttachKind.RawTracepoint),
        new("raw_tp", BpfProgramType.RawTracepoint, null, T, AutoAttachKind.RawTracepoint),
        new("raw_tracepoint.w", BpfProgramType.RawTracepointWritable, null, T, AutoAttachKind.RawTracepoint),
        new("raw_tp.w", BpfProgramType.RawTracepointWritable, null, T, AutoAttachKind.RawTracepoint),
        new("tp_btf", BpfProgramType.Tracing, BpfAttachType.TraceRawTp, T, AutoAttachKind.Trace),
        new("fentry", BpfProgramType.Tracing, BpfAttachType.TraceFentry, T, AutoAttachKind.Trace),
        new("fmod_ret", BpfProgramType.Tracing, BpfAttachType.ModifyReturn, T, AutoAttachKind.Trace),
        new("fexit", BpfProgramType.Tracing, BpfAttachType.TraceFexit, T, AutoAttachKind.Trace),
        new("fentry.s", BpfProgramType.Tracing, BpfAttachType.TraceFentry, T, AutoAttachKind.Trace, Sleepable: T),
        new("fmod_ret.s", BpfProgramType.Tracing, BpfAttachType.ModifyReturn, T, AutoAttachKind.Trace, Sleepable: T),
        new("fexit.s", BpfProgramType.Tracing, BpfAttachType.TraceFexit, T, AutoAttachKind.Trace, Sleepable: T),
        new("freplace", BpfProgramType.Ext, null, T, AutoAttachKind.Trace),
        new("lsm", BpfProgramType.Lsm, BpfAttachType.LsmMac, T, AutoAttachKind.Trace),
        new("lsm.s", BpfProgramType.Lsm, BpfAttachType.LsmMac, T, AutoAttachKind.Trace, Sleepable: T),
        new("lsm_cgroup", BpfProgramType.Lsm, BpfAttachType.LsmCgroup, T),
        new("iter", BpfProgramType.Tracing, BpfAttachType.TraceIter, T, AutoAttachKind.Iter),
        new("iter.s", BpfProgramType.Tracing, BpfAttachType.TraceIter, T, AutoAttachKind.Iter, Sleepable: T),
        new("syscall", BpfProgramType.Syscall, null, Sleepable: T),
        new("xdp.frags/devmap", BpfProgramType.Xdp, BpfAttachType.XdpDevmap, XdpFrags: T),
        new("xdp/devmap", BpfProgramType.Xdp, BpfAttachType.XdpDevmap),
        new("xdp.frags/cpumap", BpfProgramType.Xdp, BpfAttachType.XdpCpumap, XdpFrags: T),
        new("xdp/cpumap", BpfProgramType.Xdp, BpfAttachType.XdpCpumap),
        new("xdp.frags", BpfProgramType.Xdp, BpfAttachType.Xdp, XdpFrags: T),
        new("xdp", BpfProgramType.Xdp, BpfAttachType.Xdp),
        new("perf_event", BpfProgramType.PerfEvent, null),
        new("lwt_in", BpfProgramType.LwtIn, null),
        new("lwt_out", BpfProgramType.LwtOut, null),
        new("lwt_xmit", BpfProgramType.LwtXmit, null),
        new("lwt_seg6local", BpfProgramType.LwtSeg6local, null),
        new("sockops", BpfProgramType.SockOps, BpfAttachType.CgroupSockOps),
        new("sk_skb/stream_parser", BpfProgramType.SkSkb, BpfAttachType.SkSkbStreamParser),
        new("sk_skb/stream_verdict", BpfProgramType.SkSkb, BpfAttachType.SkSkbStreamVerdict),
        new("sk_skb/verdict", BpfProgramType.SkSkb, BpfAttachType.SkSkbVerdict),
        new("sk_skb", BpfProgramType.SkSkb, null),
        new("sk_msg", BpfProgramType.SkMsg, BpfAttachType.SkMsgVerdict),
        new("lirc_mode2", BpfProgramType.LircMode2, BpfAttachType.LircMode2),
        new("flow_dissector", BpfProgramType.FlowDissector, BpfAttachType.FlowDissector, AutoAttach: AutoAttachKind.Netns),
        new("cgroup_skb/ingress", BpfProgramType.CgroupSkb, BpfAttachType.CgroupInetIngress),
        new("cgroup_skb/egress", BpfProgramType.CgroupSkb, BpfAttachType.CgroupInetEgress),
        new("cgroup/skb", BpfProgramType.CgroupSkb, null),
        new("cgroup/sock_create", BpfProgramType.CgroupSock, BpfAttachType.CgroupInetSockCreate),
        new("cgroup/sock_release", BpfProgramType.CgroupSock, BpfAttachType.CgroupInetSockRelease),
        new("cgroup/sock", BpfProgramType.CgroupSock, BpfAttachType.CgroupInetSockCreate),
        new("cgroup/post_bind4", BpfProgramType.CgroupSock, BpfAttachType.CgroupInet4PostBind),
        new("cgroup/post_bind6", BpfProgramType.CgroupSock, BpfAttachType.CgroupInet6PostBind),
        new("cgroup/bind4", BpfProgramType.CgroupSockAddr, BpfAttachType.CgroupInet4Bind),
        new("cgroup/bind6", BpfProgramType.CgroupSockAddr, BpfAttachType.CgroupInet6Bind),
        new("cgroup/connect4", BpfProgramType.CgroupSockAddr, BpfAttachType.CgroupInet4Connect),
        new("cgroup/connect6", BpfProgramType.CgroupSockAddr, BpfAttachType.CgroupInet6Connect),
        new("cgroup/connect_unix", BpfProgramType.CgroupSockAddr, BpfAttachType.CgroupUnixConnect),
        new("cgroup/sendmsg4", BpfProgramType.CgroupSockAddr, BpfAttachType.CgroupUdp4Sendmsg),
        new("cgroup/sendmsg6", BpfProgramType.CgroupSockAddr, BpfAttachType.CgroupUdp6Sendmsg),
        new("cgroup/sendmsg_unix", BpfProgramType.CgroupSockAddr, BpfAttachType.CgroupUnixSendmsg),
        new("cgroup/recvmsg4", BpfProgramType.CgroupSockAddr, BpfAttachType.CgroupUdp4Recvmsg),
        new("cgroup/recvmsg6", BpfProgramType.CgroupSockAddr, BpfAttachType.CgroupUdp6Recvmsg),
        new("cgroup/recvmsg_unix", BpfProgramType.CgroupSockAddr, BpfAttachType.CgroupUnixRecvmsg),
        new("cgroup/getpeername4", BpfProgramType.CgroupSockAddr, BpfAttachType.CgroupInet4Getpeername),
        new("cgroup/getpeername6", BpfProgramType.CgroupSockAddr, BpfAttachType.CgroupInet6Getpeername),
        new("cgroup/getpeername_unix", BpfProgramType.CgroupSockAddr, BpfAttachType.CgroupUnixGetpeername),
        new("cgroup/getsockname4", BpfProgramType.CgroupSockAddr, BpfAttachType.CgroupInet4Getsockname),
        new("cgroup/getsockname6", BpfProgramType.CgroupSockAddr, BpfAttachType.CgroupInet6Getsockname),
        new("cgroup/getsockname_unix", BpfProgramType.CgroupSockAddr, BpfAttachType.CgroupUnixGetsockname),
        new("cgroup/sysctl", BpfProgramType.CgroupSysctl, BpfAttachType.CgroupSysctl),
        new("cgroup/getsockopt", BpfProgramType.CgroupSockopt, BpfAttachType.CgroupGetsockopt),
        new("cgroup/setsockopt", BpfProgramType.CgroupSockopt, BpfAttachType.CgroupSetsockopt),
        new("cgroup/dev", BpfProgramType.CgroupDevice, BpfAttachType.CgroupDevice),
        new("struct_ops", BpfProgramType.StructOps, null, T, AutoAttachKind.StructOps),
        new("struct_ops.s", BpfProgramType.StructOps, null, T, AutoAttachKind.StructOps, Sleepable: T),
        new("sk_lookup", BpfProgramType.SkLookup, BpfAttachType.SkLookup, AutoAttach: AutoAttachKind.Netns),
        new("netfilter", BpfProgramType.Netfilter, BpfAttachType.Netfilter),
    ];

    /// <summary>
    /// Finds the row for a section name: an exact match, or for rows that take a target the longest
    /// prefix followed by '/' (so "uprobe.multi/..." is not read as "uprobe"). Returns the target part.
    /// </summary>
    public static bool TryMatch(string sectionName, out SectionDefinition definition, out string target)
    {
        string name = sectionName.StartsWith('?') ? sectionName[1..] : sectionName;
        SectionDefinition? best = null;
        target = "";
        foreach (var def in All)
        {
            if (name == def.Prefix)
            {
                if (best is null || def.Prefix.Length > best.Prefix.Length) { best = def; target = ""; }
            }
            else if (name.Length > def.Prefix.Length && name.StartsWith(def.Prefix, StringComparison.Ordinal) && name[def.Prefix.Length] == '/')
            {
                // A row without a target still matches "xdp/anything" style names libbpf accepts only for
                // rows that take one; sub-kinds like "cgroup_skb/ingress" are rows of their own.
                if (!def.TakesTarget) continue;
                if (best is null || def.Prefix.Length > best.Prefix.Length)
                {
                    best = def;
                    target = name[(def.Prefix.Length + 1)..];
                }
            }
        }
        definition = best!;
        return best is not null;
    }
}
