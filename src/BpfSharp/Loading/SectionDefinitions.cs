using BpfSharp.Links;
using A = BpfSharp.Links.SectionAttacher;

namespace BpfSharp;

/// <summary>One row of the section table: a <c>SEC("...")</c> name and what it means.</summary>
/// <param name="Prefix">The section name, or its prefix when <paramref name="TakesTarget"/> (then followed by "/target").</param>
/// <param name="Attacher">How its programs attach: by the target in the name, or with which method.</param>
public sealed record SectionDefinition(
    string Prefix,
    BpfProgramType ProgramType,
    BpfAttachType? AttachType,
    SectionAttacher Attacher,
    bool TakesTarget = false,
    bool Sleepable = false,
    bool XdpFrags = false);

/// <summary>
/// libbpf's section-name conventions in one table (its <c>section_defs[]</c>): what each section loads as and how
/// it attaches. Adding a hook is one row.
/// A leading <c>?</c> turns autoload off and is not part of the name matched here.
/// </summary>
public static class SectionDefinitions
{
    private const bool T = true;

    /// <summary>Every section definition, in the order names are matched.</summary>
    public static IReadOnlyList<SectionDefinition> All { get; } =
    [
        new("socket", BpfProgramType.SocketFilter, null, A.SocketFilter),
        new("sk_reuseport/migrate", BpfProgramType.SkReuseport, BpfAttachType.SkReuseportSelectOrMigrate, A.NotAttached),
        new("sk_reuseport", BpfProgramType.SkReuseport, BpfAttachType.SkReuseportSelect, A.NotAttached),
        new("kprobe", BpfProgramType.Kprobe, null, A.Kprobe, T),
        new("kretprobe", BpfProgramType.Kprobe, null, A.Kretprobe, T),
        new("ksyscall", BpfProgramType.Kprobe, null, A.Ksyscall, T),
        new("kretsyscall", BpfProgramType.Kprobe, null, A.Kretsyscall, T),
        new("kprobe.multi", BpfProgramType.Kprobe, BpfAttachType.TraceKprobeMulti, A.KprobeMulti, T),
        new("kretprobe.multi", BpfProgramType.Kprobe, BpfAttachType.TraceKprobeMulti, A.KretprobeMulti, T),
        new("kprobe.session", BpfProgramType.Kprobe, BpfAttachType.TraceKprobeSession, A.KprobeMulti, T),
        new("uprobe", BpfProgramType.Kprobe, null, A.Uprobe, T),
        new("uprobe.s", BpfProgramType.Kprobe, null, A.Uprobe, T, Sleepable: T),
        new("uretprobe", BpfProgramType.Kprobe, null, A.Uretprobe, T),
        new("uretprobe.s", BpfProgramType.Kprobe, null, A.Uretprobe, T, Sleepable: T),
        new("uprobe.multi", BpfProgramType.Kprobe, BpfAttachType.TraceUprobeMulti, A.UprobeMulti, T),
        new("uretprobe.multi", BpfProgramType.Kprobe, BpfAttachType.TraceUprobeMulti, A.UretprobeMulti, T),
        new("uprobe.multi.s", BpfProgramType.Kprobe, BpfAttachType.TraceUprobeMulti, A.UprobeMulti, T, Sleepable: T),
        new("uretprobe.multi.s", BpfProgramType.Kprobe, BpfAttachType.TraceUprobeMulti, A.UretprobeMulti, T, Sleepable: T),
        new("uprobe.session", BpfProgramType.Kprobe, BpfAttachType.TraceUprobeSession, A.UprobeMulti, T),
        new("usdt", BpfProgramType.Kprobe, null, A.Usdt, T),
        new("usdt.s", BpfProgramType.Kprobe, null, A.Usdt, T, Sleepable: T),
        new("tc/ingress", BpfProgramType.SchedCls, BpfAttachType.TcxIngress, A.Tcx),
        new("tc/egress", BpfProgramType.SchedCls, BpfAttachType.TcxEgress, A.Tcx),
        new("tcx/ingress", BpfProgramType.SchedCls, BpfAttachType.TcxIngress, A.Tcx),
        new("tcx/egress", BpfProgramType.SchedCls, BpfAttachType.TcxEgress, A.Tcx),
        new("tc", BpfProgramType.SchedCls, null, A.Tc),
        new("classifier", BpfProgramType.SchedCls, null, A.Tc),
        new("action", BpfProgramType.SchedAct, null, A.NotAttached),
        new("netkit/primary", BpfProgramType.SchedCls, BpfAttachType.NetkitPrimary, A.Netkit),
        new("netkit/peer", BpfProgramType.SchedCls, BpfAttachType.NetkitPeer, A.Netkit),
        new("tracepoint", BpfProgramType.Tracepoint, null, A.Tracepoint, T),
        new("tp", BpfProgramType.Tracepoint, null, A.Tracepoint, T),
        new("raw_tracepoint", BpfProgramType.RawTracepoint, null, A.RawTracepoint, T),
        new("raw_tp", BpfProgramType.RawTracepoint, null, A.RawTracepoint, T),
        new("raw_tracepoint.w", BpfProgramType.RawTracepointWritable, null, A.RawTracepoint, T),
        new("raw_tp.w", BpfProgramType.RawTracepointWritable, null, A.RawTracepoint, T),
        new("tp_btf", BpfProgramType.Tracing, BpfAttachType.TraceRawTp, A.Trace, T),
        new("fentry", BpfProgramType.Tracing, BpfAttachType.TraceFentry, A.Trace, T),
        new("fmod_ret", BpfProgramType.Tracing, BpfAttachType.ModifyReturn, A.Trace, T),
        new("fexit", BpfProgramType.Tracing, BpfAttachType.TraceFexit, A.Trace, T),
        new("fentry.s", BpfProgramType.Tracing, BpfAttachType.TraceFentry, A.Trace, T, Sleepable: T),
        new("fmod_ret.s", BpfProgramType.Tracing, BpfAttachType.ModifyReturn, A.Trace, T, Sleepable: T),
        new("fexit.s", BpfProgramType.Tracing, BpfAttachType.TraceFexit, A.Trace, T, Sleepable: T),
        new("freplace", BpfProgramType.Ext, null, A.Freplace, T),
        new("lsm", BpfProgramType.Lsm, BpfAttachType.LsmMac, A.Lsm, T),
        new("lsm.s", BpfProgramType.Lsm, BpfAttachType.LsmMac, A.Lsm, T, Sleepable: T),
        new("lsm_cgroup", BpfProgramType.Lsm, BpfAttachType.LsmCgroup, A.LsmCgroup, T),
        new("iter", BpfProgramType.Tracing, BpfAttachType.TraceIter, A.Iter, T),
        new("iter.s", BpfProgramType.Tracing, BpfAttachType.TraceIter, A.Iter, T, Sleepable: T),
        new("syscall", BpfProgramType.Syscall, null, A.NotAttached, Sleepable: T),
        new("xdp.frags/devmap", BpfProgramType.Xdp, BpfAttachType.XdpDevmap, A.NotAttached, XdpFrags: T),
        new("xdp/devmap", BpfProgramType.Xdp, BpfAttachType.XdpDevmap, A.NotAttached),
        new("xdp.frags/cpumap", BpfProgramType.Xdp, BpfAttachType.XdpCpumap, A.NotAttached, XdpFrags: T),
        new("xdp/cpumap", BpfProgramType.Xdp, BpfAttachType.XdpCpumap, A.NotAttached),
        new("xdp.frags", BpfProgramType.Xdp, BpfAttachType.Xdp, A.Xdp, XdpFrags: T),
        new("xdp", BpfProgramType.Xdp, BpfAttachType.Xdp, A.Xdp),
        new("perf_event", BpfProgramType.PerfEvent, null, A.PerfEvent),
        new("lwt_in", BpfProgramType.LwtIn, null, A.NotAttached),
        new("lwt_out", BpfProgramType.LwtOut, null, A.NotAttached),
        new("lwt_xmit", BpfProgramType.LwtXmit, null, A.NotAttached),
        new("lwt_seg6local", BpfProgramType.LwtSeg6local, null, A.NotAttached),
        new("sockops", BpfProgramType.SockOps, BpfAttachType.CgroupSockOps, A.Cgroup),
        new("sk_skb/stream_parser", BpfProgramType.SkSkb, BpfAttachType.SkSkbStreamParser, A.Sockmap),
        new("sk_skb/stream_verdict", BpfProgramType.SkSkb, BpfAttachType.SkSkbStreamVerdict, A.Sockmap),
        new("sk_skb/verdict", BpfProgramType.SkSkb, BpfAttachType.SkSkbVerdict, A.Sockmap),
        new("sk_skb", BpfProgramType.SkSkb, null, A.Sockmap),
        new("sk_msg", BpfProgramType.SkMsg, BpfAttachType.SkMsgVerdict, A.Sockmap),
        new("lirc_mode2", BpfProgramType.LircMode2, BpfAttachType.LircMode2, A.NotAttached),
        new("flow_dissector", BpfProgramType.FlowDissector, BpfAttachType.FlowDissector, A.ThreadNetns),
        new("cgroup_skb/ingress", BpfProgramType.CgroupSkb, BpfAttachType.CgroupInetIngress, A.Cgroup),
        new("cgroup_skb/egress", BpfProgramType.CgroupSkb, BpfAttachType.CgroupInetEgress, A.Cgroup),
        new("cgroup/skb", BpfProgramType.CgroupSkb, null, A.Cgroup),
        new("cgroup/sock_create", BpfProgramType.CgroupSock, BpfAttachType.CgroupInetSockCreate, A.Cgroup),
        new("cgroup/sock_release", BpfProgramType.CgroupSock, BpfAttachType.CgroupInetSockRelease, A.Cgroup),
        new("cgroup/sock", BpfProgramType.CgroupSock, BpfAttachType.CgroupInetSockCreate, A.Cgroup),
        new("cgroup/post_bind4", BpfProgramType.CgroupSock, BpfAttachType.CgroupInet4PostBind, A.Cgroup),
        new("cgroup/post_bind6", BpfProgramType.CgroupSock, BpfAttachType.CgroupInet6PostBind, A.Cgroup),
        new("cgroup/bind4", BpfProgramType.CgroupSockAddr, BpfAttachType.CgroupInet4Bind, A.Cgroup),
        new("cgroup/bind6", BpfProgramType.CgroupSockAddr, BpfAttachType.CgroupInet6Bind, A.Cgroup),
        new("cgroup/connect4", BpfProgramType.CgroupSockAddr, BpfAttachType.CgroupInet4Connect, A.Cgroup),
        new("cgroup/connect6", BpfProgramType.CgroupSockAddr, BpfAttachType.CgroupInet6Connect, A.Cgroup),
        new("cgroup/connect_unix", BpfProgramType.CgroupSockAddr, BpfAttachType.CgroupUnixConnect, A.Cgroup),
        new("cgroup/sendmsg4", BpfProgramType.CgroupSockAddr, BpfAttachType.CgroupUdp4Sendmsg, A.Cgroup),
        new("cgroup/sendmsg6", BpfProgramType.CgroupSockAddr, BpfAttachType.CgroupUdp6Sendmsg, A.Cgroup),
        new("cgroup/sendmsg_unix", BpfProgramType.CgroupSockAddr, BpfAttachType.CgroupUnixSendmsg, A.Cgroup),
        new("cgroup/recvmsg4", BpfProgramType.CgroupSockAddr, BpfAttachType.CgroupUdp4Recvmsg, A.Cgroup),
        new("cgroup/recvmsg6", BpfProgramType.CgroupSockAddr, BpfAttachType.CgroupUdp6Recvmsg, A.Cgroup),
        new("cgroup/recvmsg_unix", BpfProgramType.CgroupSockAddr, BpfAttachType.CgroupUnixRecvmsg, A.Cgroup),
        new("cgroup/getpeername4", BpfProgramType.CgroupSockAddr, BpfAttachType.CgroupInet4Getpeername, A.Cgroup),
        new("cgroup/getpeername6", BpfProgramType.CgroupSockAddr, BpfAttachType.CgroupInet6Getpeername, A.Cgroup),
        new("cgroup/getpeername_unix", BpfProgramType.CgroupSockAddr, BpfAttachType.CgroupUnixGetpeername, A.Cgroup),
        new("cgroup/getsockname4", BpfProgramType.CgroupSockAddr, BpfAttachType.CgroupInet4Getsockname, A.Cgroup),
        new("cgroup/getsockname6", BpfProgramType.CgroupSockAddr, BpfAttachType.CgroupInet6Getsockname, A.Cgroup),
        new("cgroup/getsockname_unix", BpfProgramType.CgroupSockAddr, BpfAttachType.CgroupUnixGetsockname, A.Cgroup),
        new("cgroup/sysctl", BpfProgramType.CgroupSysctl, BpfAttachType.CgroupSysctl, A.Cgroup),
        new("cgroup/getsockopt", BpfProgramType.CgroupSockopt, BpfAttachType.CgroupGetsockopt, A.Cgroup),
        new("cgroup/setsockopt", BpfProgramType.CgroupSockopt, BpfAttachType.CgroupSetsockopt, A.Cgroup),
        new("cgroup/dev", BpfProgramType.CgroupDevice, BpfAttachType.CgroupDevice, A.Cgroup),
        new("struct_ops", BpfProgramType.StructOps, null, A.StructOps, T),
        new("struct_ops.s", BpfProgramType.StructOps, null, A.StructOps, T, Sleepable: T),
        new("sk_lookup", BpfProgramType.SkLookup, BpfAttachType.SkLookup, A.ThreadNetns),
        new("netfilter", BpfProgramType.Netfilter, BpfAttachType.Netfilter, A.Netfilter),
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
