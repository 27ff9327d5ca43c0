using System.Runtime.InteropServices;

namespace BpfSharp.Interop;

internal static unsafe partial class Libc
{
    internal const int SOL_SOCKET = 1, SOL_NETLINK = 270;
    internal const int SO_RCVTIMEO = 20, SO_DETACH_BPF = 27, SO_ATTACH_BPF = 50;
    internal const int NETLINK_CAP_ACK = 10, NETLINK_EXT_ACK = 11;

    // The fd is a plain int: sockets come from .NET's own SafeSocketHandle as well as from ours, and the
    // callers hold a reference on whichever handle it is for the duration of the call.
    [LibraryImport(Library, SetLastError = true)]
    internal static partial int setsockopt(int fd, int level, int name, void* value, uint length);
}
