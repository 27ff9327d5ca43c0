namespace BpfSharp.Links;

/// <summary>
/// The kernel mechanism that holds an attachment. It decides what <see cref="BpfLink.Dispose"/>,
/// <see cref="BpfLink.Disconnect"/>, <see cref="BpfLink.Detach"/> and <see cref="BpfLink.Pin"/> do
/// (the table in the README).
/// </summary>
public enum BpfLinkKind
{
    /// <summary>A BPF link fd (BPF_LINK_CREATE, BPF_RAW_TRACEPOINT_OPEN): closing the last reference detaches.</summary>
    Fd,
    /// <summary>A BPF link over a perf event (tracepoint, kprobe, uprobe, perf_event).</summary>
    PerfEvent,
    /// <summary>A perf event with the program set by PERF_EVENT_IOC_SET_BPF (no link object in the kernel).</summary>
    PerfEventIoctl,
    /// <summary>BPF_PROG_ATTACH: the attachment lives in the target until BPF_PROG_DETACH.</summary>
    ProgramAttach,
    /// <summary>An rtnetlink attachment (XDP via IFLA_XDP, tc cls_bpf filter): lives until removed.</summary>
    Netlink,
    /// <summary>A socket option (SO_ATTACH_BPF): lives as long as the socket.</summary>
    SocketOption,
    /// <summary>A struct_ops map registered by its own update: lives (beyond the process) until its element is deleted.</summary>
    StructOpsMap,
    /// <summary>A USDT probe: one uprobe per site (or one uprobe.multi link per file) plus the sites' USDT spec slots.</summary>
    Usdt,
}
