using System.Runtime.InteropServices;

namespace BpfSharp.Interop;

internal static partial class Libc
{
    internal const int O_RDONLY = 0, O_WRONLY = 1, O_RDWR = 2, O_APPEND = 0x400, O_CLOEXEC = 0x80000, O_DIRECTORY = 0x10000;

    // open(2) is variadic in its mode; on x86_64 and arm64 Linux a fixed int argument travels the same way.
    [LibraryImport(Library, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int open(string path, int flags, int mode);
}
