using BpfSharp.Interop;

namespace BpfSharp.Links;

/// <summary>A fentry, fexit, fmod_ret, lsm or freplace link. Closing its last fd detaches it.</summary>
public sealed class TracingLink : BpfLink
{
    internal TracingLink(SafeFdHandle handle) : base(BpfLinkKind.Fd, handle) { }

    private protected override void Destroy(bool finalizing) => Handle!.Dispose();
}
