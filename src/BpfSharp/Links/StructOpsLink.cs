using BpfSharp.Interop;

namespace BpfSharp.Links;

/// <summary>
/// A struct_ops link: a struct_ops map (created with <see cref="BpfMapFlags.Link"/>) registered with the
/// kernel subsystem it implements (a TCP congestion control...), until the last fd of the link is closed (unless
/// pinned) or <see cref="BpfLink.Detach"/> is called, which unregisters it.
/// </summary>
public sealed class StructOpsLink : BpfLink
{
    internal StructOpsLink(SafeFdHandle handle) : base(BpfLinkKind.Fd, handle) { }

    /// <summary>What the kernel reports about the link: the struct_ops map's id (0 once detached).</summary>
    public override StructOpsLinkInfo GetInfo() => (StructOpsLinkInfo)base.GetInfo();

    private protected override void Destroy(bool finalizing) => Handle!.Dispose();
}
