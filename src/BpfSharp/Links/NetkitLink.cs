using BpfSharp.Interop;

namespace BpfSharp.Links;

/// <summary>
/// A netkit link (Linux 6.7): the program runs for the primary or peer device of a netkit pair in its place
/// among that side's programs, until the last fd of the link is closed (unless pinned), <see cref="BpfLink.Detach"/>
/// is called, or the device is deleted.
/// </summary>
public sealed class NetkitLink : BpfFdLink
{
    internal NetkitLink(SafeFdHandle handle) : base(handle) { }

    /// <summary>What the kernel reports about the link: the interface (0 once detached) and the side as an attach type.</summary>
    public override NetkitLinkInfo GetInfo() => (NetkitLinkInfo)base.GetInfo();
}

/// <summary>What the kernel reports about a netkit link.</summary>
/// <param name="Id">The link's kernel id.</param>
/// <param name="ProgramId">The id of the program the link runs.</param>
/// <param name="Ifindex">The netkit device's index, 0 once detached.</param>
/// <param name="AttachType">The side: <see cref="BpfAttachType.NetkitPrimary"/> or <see cref="BpfAttachType.NetkitPeer"/>.</param>
public sealed record NetkitLinkInfo(uint Id, uint ProgramId, int Ifindex, BpfAttachType AttachType)
    : BpfLinkInfo(Id, BpfLinkType.Netkit, ProgramId);
