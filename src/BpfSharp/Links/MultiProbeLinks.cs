using BpfSharp.Interop;

namespace BpfSharp.Links;

/// <summary>One kprobe program on many kernel functions (BPF_TRACE_KPROBE_MULTI, fprobe). Closing its last fd detaches it.</summary>
public sealed class KprobeMultiLink : BpfFdLink
{
    internal KprobeMultiLink(SafeFdHandle handle) : base(handle) { }
}

/// <summary>One uprobe program on many offsets of one binary (BPF_TRACE_UPROBE_MULTI). Closing its last fd detaches it.</summary>
public sealed class UprobeMultiLink : BpfFdLink
{
    internal UprobeMultiLink(SafeFdHandle handle) : base(handle) { }
}

public sealed class MultiProbeAttachOptions
{
    /// <summary>Fire on return instead of entry.</summary>
    public bool Retprobe { get; init; }

    /// <summary>One cookie per target, in the order of the targets.</summary>
    public IReadOnlyList<ulong>? Cookies { get; init; }

    /// <summary>uprobe_multi only: this process; -1 (default) for every process.</summary>
    public int ProcessId { get; init; } = -1;
}

public sealed record KprobeMultiLinkInfo(uint Id, uint ProgramId, uint Count, uint Flags, ulong Missed)
    : BpfLinkInfo(Id, BpfLinkType.KprobeMulti, ProgramId);

public sealed record UprobeMultiLinkInfo(uint Id, uint ProgramId, string Path, uint Count, uint Flags, uint Pid)
    : BpfLinkInfo(Id, BpfLinkType.UprobeMulti, ProgramId);
