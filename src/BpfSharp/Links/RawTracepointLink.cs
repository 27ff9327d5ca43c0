using BpfSharp.Interop;

namespace BpfSharp.Links;

/// <summary>A raw tracepoint (raw_tp) or BTF tracepoint (tp_btf) link. Closing its last fd detaches it.</summary>
public sealed class RawTracepointLink : BpfFdLink
{
    internal RawTracepointLink(SafeFdHandle handle) : base(handle) { }
}

public sealed record RawTracepointLinkInfo(uint Id, uint ProgramId, string TracepointName, ulong Cookie)
    : BpfLinkInfo(Id, BpfLinkType.RawTracepoint, ProgramId);
