namespace BpfSharp;

/// <summary>Attach types, with the kernel's numbers (<c>enum bpf_attach_type</c>).</summary>
public enum BpfAttachType : uint
{
    /// <summary><c>BPF_CGROUP_INET_INGRESS</c>: cgroup packets received (cgroup_skb).</summary>
    CgroupInetIngress = 0,
    /// <summary><c>BPF_CGROUP_INET_EGRESS</c>: cgroup packets sent (cgroup_skb).</summary>
    CgroupInetEgress = 1,
    /// <summary><c>BPF_CGROUP_INET_SOCK_CREATE</c>: cgroup socket creation (cgroup_sock).</summary>
    CgroupInetSockCreate = 2,
    /// <summary><c>BPF_CGROUP_SOCK_OPS</c>: cgroup TCP socket events (sock_ops).</summary>
    CgroupSockOps = 3,
    /// <summary><c>BPF_SK_SKB_STREAM_PARSER</c>: sockmap stream parser (sk_skb).</summary>
    SkSkbStreamParser = 4,
    /// <summary><c>BPF_SK_SKB_STREAM_VERDICT</c>: sockmap stream verdict (sk_skb).</summary>
    SkSkbStreamVerdict = 5,
    /// <summary><c>BPF_CGROUP_DEVICE</c>: cgroup device access (cgroup_device).</summary>
    CgroupDevice = 6,
    /// <summary><c>BPF_SK_MSG_VERDICT</c>: sockmap <c>sendmsg</c> verdict (sk_msg).</summary>
    SkMsgVerdict = 7,
    /// <summary><c>BPF_CGROUP_INET4_BIND</c>: cgroup IPv4 <c>bind</c> (cgroup_sock_addr).</summary>
    CgroupInet4Bind = 8,
    /// <summary><c>BPF_CGROUP_INET6_BIND</c>: cgroup IPv6 <c>bind</c> (cgroup_sock_addr).</summary>
    CgroupInet6Bind = 9,
    /// <summary><c>BPF_CGROUP_INET4_CONNECT</c>: cgroup IPv4 <c>connect</c> (cgroup_sock_addr).</summary>
    CgroupInet4Connect = 10,
    /// <summary><c>BPF_CGROUP_INET6_CONNECT</c>: cgroup IPv6 <c>connect</c> (cgroup_sock_addr).</summary>
    CgroupInet6Connect = 11,
    /// <summary><c>BPF_CGROUP_INET4_POST_BIND</c>: cgroup after an IPv4 bind (cgroup_sock).</summary>
    CgroupInet4PostBind = 12,
    /// <summary><c>BPF_CGROUP_INET6_POST_BIND</c>: cgroup after an IPv6 bind (cgroup_sock).</summary>
    CgroupInet6PostBind = 13,
    /// <summary><c>BPF_CGROUP_UDP4_SENDMSG</c>: cgroup UDP over IPv4 <c>sendmsg</c> (cgroup_sock_addr).</summary>
    CgroupUdp4Sendmsg = 14,
    /// <summary><c>BPF_CGROUP_UDP6_SENDMSG</c>: cgroup UDP over IPv6 <c>sendmsg</c> (cgroup_sock_addr).</summary>
    CgroupUdp6Sendmsg = 15,
    /// <summary><c>BPF_LIRC_MODE2</c>: infrared decoder on a LIRC device (lirc_mode2).</summary>
    LircMode2 = 16,
    /// <summary><c>BPF_FLOW_DISSECTOR</c>: network namespace flow dissector (flow_dissector).</summary>
    FlowDissector = 17,
    /// <summary><c>BPF_CGROUP_SYSCTL</c>: cgroup sysctl access (cgroup_sysctl).</summary>
    CgroupSysctl = 18,
    /// <summary><c>BPF_CGROUP_UDP4_RECVMSG</c>: cgroup UDP over IPv4 <c>recvmsg</c> (cgroup_sock_addr).</summary>
    CgroupUdp4Recvmsg = 19,
    /// <summary><c>BPF_CGROUP_UDP6_RECVMSG</c>: cgroup UDP over IPv6 <c>recvmsg</c> (cgroup_sock_addr).</summary>
    CgroupUdp6Recvmsg = 20,
    /// <summary><c>BPF_CGROUP_GETSOCKOPT</c>: cgroup <c>getsockopt</c> (cgroup_sockopt).</summary>
    CgroupGetsockopt = 21,
    /// <summary><c>BPF_CGROUP_SETSOCKOPT</c>: cgroup <c>setsockopt</c> (cgroup_sockopt).</summary>
    CgroupSetsockopt = 22,
    /// <summary><c>BPF_TRACE_RAW_TP</c>: BTF-typed raw tracepoint (tracing, tp_btf).</summary>
    TraceRawTp = 23,
    /// <summary><c>BPF_TRACE_FENTRY</c>: function entry (tracing, fentry).</summary>
    TraceFentry = 24,
    /// <summary><c>BPF_TRACE_FEXIT</c>: function exit (tracing, fexit).</summary>
    TraceFexit = 25,
    /// <summary><c>BPF_MODIFY_RETURN</c>: function return value override (tracing, fmod_ret).</summary>
    ModifyReturn = 26,
    /// <summary><c>BPF_LSM_MAC</c>: Linux security module hook (lsm).</summary>
    LsmMac = 27,
    /// <summary><c>BPF_TRACE_ITER</c>: BPF iterator (tracing, iter).</summary>
    TraceIter = 28,
    /// <summary><c>BPF_CGROUP_INET4_GETPEERNAME</c>: cgroup IPv4 <c>getpeername</c> (cgroup_sock_addr).</summary>
    CgroupInet4Getpeername = 29,
    /// <summary><c>BPF_CGROUP_INET6_GETPEERNAME</c>: cgroup IPv6 <c>getpeername</c> (cgroup_sock_addr).</summary>
    CgroupInet6Getpeername = 30,
    /// <summary><c>BPF_CGROUP_INET4_GETSOCKNAME</c>: cgroup IPv4 <c>getsockname</c> (cgroup_sock_addr).</summary>
    CgroupInet4Getsockname = 31,
    /// <summary><c>BPF_CGROUP_INET6_GETSOCKNAME</c>: cgroup IPv6 <c>getsockname</c> (cgroup_sock_addr).</summary>
    CgroupInet6Getsockname = 32,
    /// <summary><c>BPF_XDP_DEVMAP</c>: XDP program run by a devmap entry (xdp).</summary>
    XdpDevmap = 33,
    /// <summary><c>BPF_CGROUP_INET_SOCK_RELEASE</c>: cgroup socket release (cgroup_sock).</summary>
    CgroupInetSockRelease = 34,
    /// <summary><c>BPF_XDP_CPUMAP</c>: XDP program run by a cpumap entry (xdp).</summary>
    XdpCpumap = 35,
    /// <summary><c>BPF_SK_LOOKUP</c>: network namespace socket lookup (sk_lookup).</summary>
    SkLookup = 36,
    /// <summary><c>BPF_XDP</c>: XDP on a network device (xdp).</summary>
    Xdp = 37,
    /// <summary><c>BPF_SK_SKB_VERDICT</c>: sockmap verdict for both TCP streams and UDP (sk_skb).</summary>
    SkSkbVerdict = 38,
    /// <summary><c>BPF_SK_REUSEPORT_SELECT</c>: <c>SO_REUSEPORT</c> socket selection (sk_reuseport).</summary>
    SkReuseportSelect = 39,
    /// <summary><c>BPF_SK_REUSEPORT_SELECT_OR_MIGRATE</c>: <c>SO_REUSEPORT</c> selection or migration of a closing socket's requests (sk_reuseport).</summary>
    SkReuseportSelectOrMigrate = 40,
    /// <summary><c>BPF_PERF_EVENT</c>: perf event through a link (perf_event, kprobe, tracepoint).</summary>
    PerfEvent = 41,
    /// <summary><c>BPF_TRACE_KPROBE_MULTI</c>: kprobe on many functions at once (kprobe.multi).</summary>
    TraceKprobeMulti = 42,
    /// <summary><c>BPF_LSM_CGROUP</c>: Linux security module hook per cgroup (lsm_cgroup).</summary>
    LsmCgroup = 43,
    /// <summary><c>BPF_STRUCT_OPS</c>: struct_ops map through a link.</summary>
    StructOps = 44,
    /// <summary><c>BPF_NETFILTER</c>: netfilter hook (netfilter).</summary>
    Netfilter = 45,
    /// <summary><c>BPF_TCX_INGRESS</c>: tcx ingress of a network device (sched_cls).</summary>
    TcxIngress = 46,
    /// <summary><c>BPF_TCX_EGRESS</c>: tcx egress of a network device (sched_cls).</summary>
    TcxEgress = 47,
    /// <summary><c>BPF_TRACE_UPROBE_MULTI</c>: uprobe on many offsets at once (uprobe.multi).</summary>
    TraceUprobeMulti = 48,
    /// <summary><c>BPF_CGROUP_UNIX_CONNECT</c>: cgroup Unix socket <c>connect</c> (cgroup_sock_addr).</summary>
    CgroupUnixConnect = 49,
    /// <summary><c>BPF_CGROUP_UNIX_SENDMSG</c>: cgroup Unix socket <c>sendmsg</c> (cgroup_sock_addr).</summary>
    CgroupUnixSendmsg = 50,
    /// <summary><c>BPF_CGROUP_UNIX_RECVMSG</c>: cgroup Unix socket <c>recvmsg</c> (cgroup_sock_addr).</summary>
    CgroupUnixRecvmsg = 51,
    /// <summary><c>BPF_CGROUP_UNIX_GETPEERNAME</c>: cgroup Unix socket <c>getpeername</c> (cgroup_sock_addr).</summary>
    CgroupUnixGetpeername = 52,
    /// <summary><c>BPF_CGROUP_UNIX_GETSOCKNAME</c>: cgroup Unix socket <c>getsockname</c> (cgroup_sock_addr).</summary>
    CgroupUnixGetsockname = 53,
    /// <summary><c>BPF_NETKIT_PRIMARY</c>: netkit primary device (sched_cls).</summary>
    NetkitPrimary = 54,
    /// <summary><c>BPF_NETKIT_PEER</c>: netkit peer device (sched_cls).</summary>
    NetkitPeer = 55,
    /// <summary><c>BPF_TRACE_KPROBE_SESSION</c>: kprobe session: one program on entry and return (kprobe.session).</summary>
    TraceKprobeSession = 56,
    /// <summary><c>BPF_TRACE_UPROBE_SESSION</c>: uprobe session: one program on entry and return (uprobe.session).</summary>
    TraceUprobeSession = 57,
}
