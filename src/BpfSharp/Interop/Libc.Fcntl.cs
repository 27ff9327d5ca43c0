using System.Runtime.InteropServices;

namespace BpfSharp.Interop;

internal static partial class Libc
{
    internal const int F_DUPFD_CLOEXEC = 1030;

    [LibraryImport(Library, SetLastError = true)]
    internal static partial int fcntl(int fd, int cmd, int arg);
}
