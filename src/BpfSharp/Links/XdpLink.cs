using BpfSharp.Interop;

namespace BpfSharp.Links;

/// <summary>
/// An XDP link on a network interface: the program sees every received frame until the last fd of the link is
/// closed (unless pinned) or <see cref="BpfLink.Detach"/> is called. While it holds the interface, neither another
/// XDP link nor a netlink attach (<c>ip link set dev X xdp</c>) can replace it in the same mode; deleting the
/// interface detaches it (its info then shows ifindex 0).
/// </summary>
public sealed class XdpLink : BpfFdLink
{
    internal XdpLink(SafeFdHandle handle) : base(handle) { }

    /// <summary>What the kernel reports about the link: the interface (0 once detached).</summary>
    public override XdpLinkInfo GetInfo() => (XdpLinkInfo)base.GetInfo();
}

/// <param name="Ifindex">The interface, or 0 once the link has been detached.</param>
public sealed record XdpLinkInfo(uint Id, uint ProgramId, int Ifindex)
    : BpfLinkInfo(Id, BpfLinkType.Xdp, ProgramId);
