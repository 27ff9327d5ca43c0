using System.Runtime.InteropServices;

namespace BpfSharp.Interop;

internal static partial class Libc
{
    [LibraryImport(Library, SetLastError = true)]
    internal static partial int close(int fd);
}
