using System.Runtime.InteropServices;

namespace BpfSharp.Interop;

internal static unsafe partial class Libc
{
    [LibraryImport(Library, SetLastError = true)]
    internal static partial nint sendmsg(SafeFdHandle fd, UserMsgHdr* message, int flags);
}
