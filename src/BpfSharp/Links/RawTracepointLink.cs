using BpfSharp.Interop;

namespace BpfSharp.Links;

/// <summary>A raw tracepoint (raw_tp) or BTF tracepoint (tp_btf) link. Closing its last fd detaches it.</summary>
public sealed class RawTracepointLink : BpfLink
{
    internal RawTracepointLink(SafeFdHandle handle) : base(BpfLinkKind.Fd, handle) { }

    private protected override void Destroy(bool finalizing) => Handle!.Dispose();
}

