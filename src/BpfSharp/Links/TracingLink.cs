using BpfSharp.Interop;

namespace BpfSharp.Links;

/// <summary>A fentry, fexit, fmod_ret, lsm or freplace link. Closing its last fd detaches it.</summary>
public sealed class TracingLink : BpfFdLink
{
    internal TracingLink(SafeFdHandle handle) : base(handle) { }
}
