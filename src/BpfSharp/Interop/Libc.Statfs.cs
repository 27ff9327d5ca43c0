using System.Runtime.InteropServices;

namespace BpfSharp.Interop;

internal static unsafe partial class Libc
{
    internal const long BPF_FS_MAGIC = 0xcafe4a11;

    // struct statfs begins with f_type (a long) on x86_64 and arm64; the rest is not needed.
    [LibraryImport(Library, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int statfs(string path, byte* buf);

    /// <summary>The filesystem magic of the filesystem holding <paramref name="path"/>, or -errno.</summary>
    internal static long FileSystemType(string path)
    {
        byte* buf = stackalloc byte[256];
        return statfs(path, buf) == 0 ? *(long*)buf : -LastErrno;
    }
}
