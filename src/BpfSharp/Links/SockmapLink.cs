using BpfSharp.Interop;

namespace BpfSharp.Links;

/// <summary>
/// A sockmap link (Linux 6.10): an sk_msg or sk_skb program runs for the sockets of a sockmap or sockhash
/// until the last fd of the link is closed (unless pinned) or <see cref="BpfLink.Detach"/> is called.
/// </summary>
public sealed class SockmapLink : BpfFdLink
{
    internal SockmapLink(SafeFdHandle handle) : base(handle) { }

    /// <summary>What the kernel reports about the link: the map's id (0 once detached) and the attach type.</summary>
    public override SockmapLinkInfo GetInfo() => (SockmapLinkInfo)base.GetInfo();
}

/// <summary>What the kernel reports about a sockmap link.</summary>
/// <param name="Id">The link's kernel id.</param>
/// <param name="ProgramId">The id of the program the link runs.</param>
/// <param name="MapId">The sockmap's id, 0 once detached.</param>
/// <param name="AttachType">The program's role (verdict, parser...).</param>
public sealed record SockmapLinkInfo(uint Id, uint ProgramId, uint MapId, BpfAttachType AttachType)
    : BpfLinkInfo(Id, BpfLinkType.Sockmap, ProgramId);
