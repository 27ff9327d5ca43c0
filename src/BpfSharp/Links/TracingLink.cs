using BpfSharp.Interop;

namespace BpfSharp.Links;

/// <summary>A fentry, fexit, fmod_ret, lsm or freplace link. Closing its last fd detaches it.</summary>
public sealed class TracingLink : BpfFdLink
{
    internal TracingLink(SafeFdHandle handle) : base(handle) { }
}

/// <param name="TargetObjectId">The BTF object id of the target (vmlinux or a module), or the target program's id for freplace.</param>
public sealed record TracingLinkInfo(uint Id, uint ProgramId, BpfAttachType AttachType, uint TargetObjectId, uint TargetBtfId, ulong Cookie)
    : BpfLinkInfo(Id, BpfLinkType.Tracing, ProgramId);
