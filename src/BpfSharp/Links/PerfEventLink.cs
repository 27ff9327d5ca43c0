using BpfSharp.Interop;
using BpfSharp.Tracing;

namespace BpfSharp.Links;

/// <summary>
/// A BPF link over a perf event (tracepoint, kprobe, uprobe, software or hardware event). Disposing
/// closes the link fd and the perf event and removes the tracefs probe event the attach created. The
/// event is not disabled (unlike libbpf): a pinned link holds the event and keeps firing, as a pin
/// promises; an unpinned one is freed with its last fd. The kernel cannot detach it while its fd is open.
/// </summary>
public sealed class PerfEventLink : BpfLink
{
    private readonly SafeFdHandle? _perfEvent;
    private readonly ProbeEvent? _probeEvent;

    internal PerfEventLink(SafeFdHandle link, SafeFdHandle? perfEvent, ProbeEvent? probeEvent)
        : base(BpfLinkKind.PerfEvent, link)
    {
        _perfEvent = perfEvent;
        _probeEvent = probeEvent;
    }

    /// <summary>The perf event the link is attached to (null for a link opened from a pin or id).</summary>
    public SafeFdHandle? PerfEventHandle => _perfEvent;

    private protected override IEnumerable<SafeFdHandle> OwnedHandles() =>
        _perfEvent is null ? [Handle!] : [Handle!, _perfEvent];

    private protected override void Destroy(bool finalizing)
    {
        Handle!.Dispose();
        PerfEventIoctlLink.CloseEvent(_perfEvent, _probeEvent, disable: false);
    }

    /// <summary>Always throws <see cref="NotSupportedException"/>: the kernel cannot detach a perf event link; dispose it instead.</summary>
    public override void Detach() =>
        throw new NotSupportedException("a perf event link cannot be detached while its fd is open (the kernel has no BPF_LINK_DETACH for it); dispose it instead");
}

/// <summary>
/// A program attached to a perf event with PERF_EVENT_IOC_SET_BPF, for kernels without perf links or when
/// asked for. There is no kernel link object: it cannot be pinned and never outlives the process.
/// </summary>
public sealed class PerfEventIoctlLink : BpfLink
{
    private readonly SafeFdHandle _perfEvent;
    private readonly ProbeEvent? _probeEvent;
    private int _detached;

    internal PerfEventIoctlLink(SafeFdHandle perfEvent, ProbeEvent? probeEvent) : base(BpfLinkKind.PerfEventIoctl, null)
    {
        _perfEvent = perfEvent;
        _probeEvent = probeEvent;
    }

    /// <summary>The perf event the program is attached to.</summary>
    public SafeFdHandle PerfEventHandle => _perfEvent;

    /// <see cref="BpfLinkType.Unspec"/>: there is no kernel link.
    public override BpfLinkType LinkType => BpfLinkType.Unspec;

    private protected override IEnumerable<SafeFdHandle> OwnedHandles() => [_perfEvent];

    private protected override void Destroy(bool finalizing) => Detach();

    /// <summary>Disables and closes the perf event (which detaches the program) and removes its probe event.</summary>
    public override void Detach()
    {
        if (Interlocked.Exchange(ref _detached, 1) != 0) return;
        CloseEvent(_perfEvent, _probeEvent);
    }

    /// <summary>The perf event's teardown, shared with perf links: disable, close, then remove the probe event (busy while open).</summary>
    internal static void CloseEvent(SafeFdHandle? perfEvent, ProbeEvent? probeEvent, bool disable = true)
    {
        if (perfEvent is { IsClosed: false })
        {
            if (disable) PerfEvent.TryIoctl(perfEvent, PerfEvent.PERF_EVENT_IOC_DISABLE, 0);
            perfEvent.Dispose();
        }
        // The kernel refuses (EBUSY) to remove a probe event a pinned link still uses; it stays, and
        // TraceFs.RemoveStaleProbeEvents removes it once it is free and our process is gone.
        try { probeEvent?.Dispose(); }
        catch (BpfException) { }
    }
}

/// <summary>What a perf event link's event is (<c>enum bpf_perf_event_type</c>).</summary>
public enum PerfEventLinkKind : uint
{
    /// <c>BPF_PERF_EVENT_UNSPEC</c>: not known.
    Unspec = 0,
    /// <c>BPF_PERF_EVENT_UPROBE</c>: a uprobe.
    Uprobe = 1,
    /// <c>BPF_PERF_EVENT_URETPROBE</c>: a uretprobe.
    Uretprobe = 2,
    /// <c>BPF_PERF_EVENT_KPROBE</c>: a kprobe.
    Kprobe = 3,
    /// <c>BPF_PERF_EVENT_KRETPROBE</c>: a kretprobe.
    Kretprobe = 4,
    /// <c>BPF_PERF_EVENT_TRACEPOINT</c>: a tracepoint.
    Tracepoint = 5,
    /// <c>BPF_PERF_EVENT_EVENT</c>: a hardware or software perf event.
    Event = 6,
}

/// <param name="Name">The tracepoint name, the kprobe's function or the uprobe's file.</param>
/// <param name="Offset">The probe's offset in the function (kprobe) or file (uprobe).</param>
/// <param name="Address">The kprobe's address.</param>
/// <param name="EventType">For <see cref="PerfEventLinkKind.Event"/>: the perf type and config.</param>
public sealed record PerfEventLinkInfo(uint Id, uint ProgramId, PerfEventLinkKind Event, string Name, uint Offset,
    ulong Address, ulong Cookie, uint EventType, ulong EventConfig)
    : BpfLinkInfo(Id, BpfLinkType.PerfEvent, ProgramId)
{
    internal static PerfEventLinkInfo From(uint id, uint prog, in BpfLinkInfoRaw raw, string name)
    {
        var kind = (PerfEventLinkKind)raw.perf_event_type;
        return kind switch
        {
            PerfEventLinkKind.Uprobe or PerfEventLinkKind.Uretprobe =>
                new(id, prog, kind, name, raw.perf_event_offset, 0, raw.perf_event_uprobe_cookie, 0, 0),
            PerfEventLinkKind.Kprobe or PerfEventLinkKind.Kretprobe =>
                new(id, prog, kind, name, raw.perf_event_offset, raw.perf_event_kprobe_addr, raw.perf_event_kprobe_cookie, 0, 0),
            PerfEventLinkKind.Tracepoint =>
                new(id, prog, kind, name, 0, 0, raw.perf_event_tracepoint_cookie, 0, 0),
            PerfEventLinkKind.Event =>
                new(id, prog, kind, "", 0, 0, raw.perf_event_event_cookie, raw.perf_event_event_type, raw.perf_event_event_config),
            _ => new(id, prog, kind, name, 0, 0, 0, 0, 0),
        };
    }
}
