using System.Runtime.InteropServices;

namespace BpfSharp.Interop;

internal static unsafe partial class Libc
{
    internal const int MSG_PEEK = 0x2, MSG_TRUNC = 0x20;

    [LibraryImport(Library, SetLastError = true)]
    internal static partial nint recvmsg(SafeFdHandle fd, UserMsgHdr* message, int flags);
}
