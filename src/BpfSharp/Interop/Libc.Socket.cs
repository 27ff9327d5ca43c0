using System.Runtime.InteropServices;

namespace BpfSharp.Interop;

internal static partial class Libc
{
    internal const int AF_UNSPEC = 0, AF_NETLINK = 16;
    internal const int SOCK_RAW = 3, SOCK_CLOEXEC = 0x80000;

    [LibraryImport(Library, SetLastError = true)]
    internal static partial int socket(int domain, int type, int protocol);
}
