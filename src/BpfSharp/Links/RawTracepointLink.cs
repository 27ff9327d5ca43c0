using BpfSharp.Interop;

namespace BpfSharp.Links;

/// <summary>A raw tracepoint (raw_tp) or BTF tracepoint (tp_btf) link. Closing its last fd detaches it.</summary>
public sealed class RawTracepointLink : BpfFdLink
{
    internal RawTracepointLink(SafeFdHandle handle) : base(handle) { }
}

/// <summary>What the kernel reports about a raw tracepoint link.</summary>
/// <param name="Id">The link's kernel id.</param>
/// <param name="ProgramId">The id of the program the link runs.</param>
/// <param name="TracepointName">The tracepoint's name.</param>
/// <param name="Cookie">The BPF cookie given at attach time (0 on kernels that do not report it).</param>
public sealed record RawTracepointLinkInfo(uint Id, uint ProgramId, string TracepointName, ulong Cookie)
    : BpfLinkInfo(Id, BpfLinkType.RawTracepoint, ProgramId);
