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

/// <summary>The optional parts of a kprobe_multi or uprobe_multi attachment.</summary>
public sealed class MultiProbeAttachOptions
{
    /// <summary>Fire on return instead of entry.</summary>
    public bool Retprobe { get; init; }

    /// <summary>One cookie per target, in the order of the targets.</summary>
    public IReadOnlyList<ulong>? Cookies { get; init; }

    /// <summary>uprobe_multi only: this process; -1 (default) for every process.</summary>
    public int ProcessId { get; init; } = -1;
}

/// <summary>What the kernel reports about a kprobe_multi link.</summary>
/// <param name="Id">The link's kernel id.</param>
/// <param name="ProgramId">The id of the program the link runs.</param>
/// <param name="Count">The number of functions probed.</param>
/// <param name="Flags"><c>BPF_F_KPROBE_MULTI_RETURN</c> (1) for a kretprobe.</param>
/// <param name="Missed">How many times the program was not run (recursion, for example).</param>
public sealed record KprobeMultiLinkInfo(uint Id, uint ProgramId, uint Count, uint Flags, ulong Missed)
    : BpfLinkInfo(Id, BpfLinkType.KprobeMulti, ProgramId);

/// <summary>What the kernel reports about a uprobe_multi link.</summary>
/// <param name="Id">The link's kernel id.</param>
/// <param name="ProgramId">The id of the program the link runs.</param>
/// <param name="Path">The probed binary's path.</param>
/// <param name="Count">The number of offsets probed.</param>
/// <param name="Flags"><c>BPF_F_UPROBE_MULTI_RETURN</c> (1) for a uretprobe.</param>
/// <param name="Pid">The process probed, 0 for every process.</param>
public sealed record UprobeMultiLinkInfo(uint Id, uint ProgramId, string Path, uint Count, uint Flags, uint Pid)
    : BpfLinkInfo(Id, BpfLinkType.UprobeMulti, ProgramId);
