using BpfSharp.Interop;

namespace BpfSharp.Links;

/// <summary>
/// A tcx link (Linux 6.6): the program runs at the interface's ingress or egress in its place among the
/// hook's programs, before any classic tc filter, until the last fd of the link is closed (unless pinned),
/// <see cref="BpfLink.Detach"/> is called, or the interface is deleted (its info then shows ifindex 0).
/// </summary>
public sealed class TcxLink : BpfFdLink
{
    internal TcxLink(SafeFdHandle handle) : base(handle) { }

    /// <summary>What the kernel reports about the link: the interface (0 once detached) and the direction as an attach type.</summary>
    public override TcxLinkInfo GetInfo() => (TcxLinkInfo)base.GetInfo();
}

/// <summary>What the kernel reports about a tcx link.</summary>
/// <param name="Id">The link's kernel id.</param>
/// <param name="ProgramId">The id of the program the link runs.</param>
/// <param name="Ifindex">The interface's index, 0 once detached.</param>
/// <param name="AttachType">The direction: <see cref="BpfAttachType.TcxIngress"/> or <see cref="BpfAttachType.TcxEgress"/>.</param>
public sealed record TcxLinkInfo(uint Id, uint ProgramId, int Ifindex, BpfAttachType AttachType)
    : BpfLinkInfo(Id, BpfLinkType.Tcx, ProgramId);
