namespace BpfSharp;

/// <summary>Program types, with the kernel's numbers (<c>enum bpf_prog_type</c>).</summary>
public enum BpfProgramType : uint
{
    /// <summary><c>BPF_PROG_TYPE_UNSPEC</c>: reserved; not a program type.</summary>
    Unspec = 0,
    /// <summary><c>BPF_PROG_TYPE_SOCKET_FILTER</c>: a socket filter (<c>SO_ATTACH_BPF</c>), which trims or drops packets a socket receives.</summary>
    SocketFilter = 1,
    /// <summary><c>BPF_PROG_TYPE_KPROBE</c>: a kprobe, kretprobe, uprobe or uretprobe program.</summary>
    Kprobe = 2,
    /// <summary><c>BPF_PROG_TYPE_SCHED_CLS</c>: a tc classifier (clsact, tcx or netkit).</summary>
    SchedCls = 3,
    /// <summary><c>BPF_PROG_TYPE_SCHED_ACT</c>: a tc action.</summary>
    SchedAct = 4,
    /// <summary><c>BPF_PROG_TYPE_TRACEPOINT</c>: a program on a kernel tracepoint (tracefs event).</summary>
    Tracepoint = 5,
    /// <summary><c>BPF_PROG_TYPE_XDP</c>: an XDP program, run on a packet at the driver before the stack sees it.</summary>
    Xdp = 6,
    /// <summary><c>BPF_PROG_TYPE_PERF_EVENT</c>: a program on a perf event (sampling).</summary>
    PerfEvent = 7,
    /// <summary><c>BPF_PROG_TYPE_CGROUP_SKB</c>: a cgroup program that filters packets ingressing or egressing the cgroup's sockets.</summary>
    CgroupSkb = 8,
    /// <summary><c>BPF_PROG_TYPE_CGROUP_SOCK</c>: a cgroup program run on socket creation, release and bind.</summary>
    CgroupSock = 9,
    /// <summary><c>BPF_PROG_TYPE_LWT_IN</c>: a lightweight-tunnel program on input routes.</summary>
    LwtIn = 10,
    /// <summary><c>BPF_PROG_TYPE_LWT_OUT</c>: a lightweight-tunnel program on output routes.</summary>
    LwtOut = 11,
    /// <summary><c>BPF_PROG_TYPE_LWT_XMIT</c>: a lightweight-tunnel program on transmit.</summary>
    LwtXmit = 12,
    /// <summary><c>BPF_PROG_TYPE_SOCK_OPS</c>: a cgroup program on TCP socket events (<c>struct bpf_sock_ops</c>).</summary>
    SockOps = 13,
    /// <summary><c>BPF_PROG_TYPE_SK_SKB</c>: a sockmap stream parser or verdict program.</summary>
    SkSkb = 14,
    /// <summary><c>BPF_PROG_TYPE_CGROUP_DEVICE</c>: a cgroup program that allows or denies device access.</summary>
    CgroupDevice = 15,
    /// <summary><c>BPF_PROG_TYPE_SK_MSG</c>: a sockmap program on each <c>sendmsg</c>.</summary>
    SkMsg = 16,
    /// <summary><c>BPF_PROG_TYPE_RAW_TRACEPOINT</c>: a program on a raw tracepoint, with the tracepoint's raw arguments.</summary>
    RawTracepoint = 17,
    /// <summary><c>BPF_PROG_TYPE_CGROUP_SOCK_ADDR</c>: a cgroup program on socket address calls (bind, connect, sendmsg, recvmsg, getpeername, getsockname).</summary>
    CgroupSockAddr = 18,
    /// <summary><c>BPF_PROG_TYPE_LWT_SEG6LOCAL</c>: a program on an IPv6 segment routing <c>seg6local</c> action.</summary>
    LwtSeg6local = 19,
    /// <summary><c>BPF_PROG_TYPE_LIRC_MODE2</c>: an infrared decoder on a LIRC device.</summary>
    LircMode2 = 20,
    /// <summary><c>BPF_PROG_TYPE_SK_REUSEPORT</c>: a program that selects the socket of a <c>SO_REUSEPORT</c> group.</summary>
    SkReuseport = 21,
    /// <summary><c>BPF_PROG_TYPE_FLOW_DISSECTOR</c>: a flow dissector, which parses packet headers for the network namespace.</summary>
    FlowDissector = 22,
    /// <summary><c>BPF_PROG_TYPE_CGROUP_SYSCTL</c>: a cgroup program on sysctl reads and writes.</summary>
    CgroupSysctl = 23,
    /// <summary><c>BPF_PROG_TYPE_RAW_TRACEPOINT_WRITABLE</c>: a raw tracepoint program that may write its tracepoint's buffer.</summary>
    RawTracepointWritable = 24,
    /// <summary><c>BPF_PROG_TYPE_CGROUP_SOCKOPT</c>: a cgroup program on <c>getsockopt</c> and <c>setsockopt</c>.</summary>
    CgroupSockopt = 25,
    /// <summary><c>BPF_PROG_TYPE_TRACING</c>: a BTF-typed tracing program (fentry, fexit, fmod_ret, tp_btf, iterators).</summary>
    Tracing = 26,
    /// <summary><c>BPF_PROG_TYPE_STRUCT_OPS</c>: a program that implements a member of a kernel <c>struct_ops</c> structure.</summary>
    StructOps = 27,
    /// <summary><c>BPF_PROG_TYPE_EXT</c>: an extension (freplace) that replaces a global function of another program.</summary>
    Ext = 28,
    /// <summary><c>BPF_PROG_TYPE_LSM</c>: a program on a Linux security module hook.</summary>
    Lsm = 29,
    /// <summary><c>BPF_PROG_TYPE_SK_LOOKUP</c>: a program that picks the socket for an incoming connection or packet.</summary>
    SkLookup = 30,
    /// <summary><c>BPF_PROG_TYPE_SYSCALL</c>: a program run by <c>BPF_PROG_TEST_RUN</c> that may itself make bpf system calls.</summary>
    Syscall = 31,
    /// <summary><c>BPF_PROG_TYPE_NETFILTER</c>: a netfilter hook.</summary>
    Netfilter = 32,
}
