using System.Runtime.InteropServices;

namespace BpfSharp.Interop;

internal static unsafe partial class Libc
{
    [LibraryImport(Library, SetLastError = true)]
    internal static partial int getsockname(SafeFdHandle fd, void* address, uint* addressLength);
}
