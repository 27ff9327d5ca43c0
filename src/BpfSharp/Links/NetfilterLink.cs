using BpfSharp.Interop;

namespace BpfSharp.Links;

/// <summary>
/// A netfilter link (Linux 6.4): the program is a netfilter hook of the network namespace it was attached in,
/// at a protocol family, hook and priority, until the last fd of the link is closed (unless pinned) or
/// <see cref="BpfLink.Detach"/> is called.
/// </summary>
public sealed class NetfilterLink : BpfFdLink
{
    internal NetfilterLink(SafeFdHandle handle) : base(handle) { }

    /// <summary>What the kernel reports about the link: the protocol family, hook, priority and flags.</summary>
    public override NetfilterLinkInfo GetInfo() => (NetfilterLinkInfo)base.GetInfo();
}

/// <summary>What the kernel reports about a netfilter link.</summary>
/// <param name="Id">The link's kernel id.</param>
/// <param name="ProgramId">The id of the program the link runs.</param>
/// <param name="ProtocolFamily">The <c>NFPROTO_*</c> family (see <see cref="NetfilterProtocolFamily"/>).</param>
/// <param name="Hook">The hook (see <see cref="NetfilterHook"/>).</param>
/// <param name="Priority">The hook priority; lower runs first.</param>
/// <param name="Flags">The link's <c>BPF_F_NETFILTER_*</c> flags.</param>
public sealed record NetfilterLinkInfo(uint Id, uint ProgramId, uint ProtocolFamily, uint Hook, int Priority, uint Flags)
    : BpfLinkInfo(Id, BpfLinkType.Netfilter, ProgramId);
