using BpfSharp.Interop;

namespace BpfSharp.Links;

/// <summary>
/// A link the kernel keeps as a BPF link object behind an fd (<see cref="BpfLinkKind.Fd"/>): closing the last fd
/// of it detaches, unless a pin holds it. Every kind of fd link derives from this class, which owns the fd.
/// </summary>
public abstract class BpfFdLink : BpfLink
{
    private protected BpfFdLink(SafeFdHandle handle) : base(BpfLinkKind.Fd, handle) { }

    /// <summary>Closing the fd is the detach: the kernel frees the link when no fd or pin holds it.</summary>
    private protected sealed override void Destroy(bool finalizing) => Handle!.Dispose();
}
