using BpfSharp.Interop;

namespace BpfSharp.Links;

/// <summary>
/// A network namespace link (sk_lookup, flow_dissector): the program runs for the namespace until the last fd
/// of the link is closed (unless pinned), <see cref="BpfLink.Detach"/> is called, or the namespace is destroyed,
/// which detaches it (its info then shows namespace inode 0).
/// </summary>
public sealed class NetnsLink : BpfFdLink
{
    internal NetnsLink(SafeFdHandle handle) : base(handle) { }

    /// <summary>What the kernel reports about the link: the namespace's inode (0 once detached) and the attach type.</summary>
    public override NetnsLinkInfo GetInfo() => (NetnsLinkInfo)base.GetInfo();
}

/// <summary>What the kernel reports about a network namespace link.</summary>
/// <param name="Id">The link's kernel id.</param>
/// <param name="ProgramId">The id of the program the link runs.</param>
/// <param name="NetnsInode">The namespace's inode number, 0 once detached.</param>
/// <param name="AttachType">The hook (flow dissector or sk_lookup).</param>
public sealed record NetnsLinkInfo(uint Id, uint ProgramId, uint NetnsInode, BpfAttachType AttachType)
    : BpfLinkInfo(Id, BpfLinkType.Netns, ProgramId);
