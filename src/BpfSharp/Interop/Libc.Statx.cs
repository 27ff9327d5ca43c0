using System.Runtime.InteropServices;

namespace BpfSharp.Interop;

internal static unsafe partial class Libc
{
    private const int AT_EMPTY_PATH = 0x1000;
    private const uint STATX_INO = 0x100;

    // struct statx has one layout on every architecture; stx_ino is the u64 at byte 32 of its 256.
    [LibraryImport(Library, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int statx(int dirfd, string path, int flags, uint mask, byte* buf);

    /// <summary>The inode number of the file open at <paramref name="fd"/>, or -errno.</summary>
    internal static long InodeOf(SafeFdHandle fd)
    {
        byte* buf = stackalloc byte[256];
        using var use = new HandleUse(fd);
        return statx((int)use.Fd, "", AT_EMPTY_PATH, STATX_INO, buf) == 0 ? (long)*(ulong*)(buf + 32) : -LastErrno;
    }
}
