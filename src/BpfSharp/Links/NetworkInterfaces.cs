using BpfSharp.Interop;

namespace BpfSharp.Links;

/// <summary>Interface names, resolved in the calling thread's network namespace.</summary>
internal static class NetworkInterfaces
{
    public static int IndexOf(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        uint index = Libc.if_nametoindex(name);
        if (index == 0) throw new BpfException("if_nametoindex", Libc.LastErrno, $"interface \"{name}\"");
        return (int)index;
    }
}
