using System.Runtime.InteropServices;

namespace BpfSharp.Interop;

internal static unsafe partial class Libc
{
    private const int AT_EMPTY_PATH = 0x1000;
    private const uint STATX_INO = 0x100;
    private const uint STATX_TYPE = 0x1;
    private const int AT_FDCWD = -100;
    private const int S_IFMT = 0xF000, S_IFREG = 0x8000;

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

    /// <summary>
    /// The device (major, minor) and inode of the file at <paramref name="path"/> (following links), as
    /// <c>/proc/PID/maps</c> lists a mapping's file; false when it cannot be stat'ed.
    /// </summary>
    internal static bool TryGetFileId(string path, out uint major, out uint minor, out ulong inode)
    {
        byte* buf = stackalloc byte[256];
        bool ok = statx(AT_FDCWD, path, 0, STATX_INO, buf) == 0;
        // stx_dev_major and stx_dev_minor are the u32s at bytes 136 and 140.
        major = ok ? *(uint*)(buf + 136) : 0;
        minor = ok ? *(uint*)(buf + 140) : 0;
        inode = ok ? *(ulong*)(buf + 32) : 0;
        return ok;
    }

    /// <summary>
    /// Whether <paramref name="path"/> (symlinks followed) is a regular file; false for a FIFO, a device, a socket,
    /// a directory, or a path that cannot be examined. stx_mode is the u16 at byte 28.
    /// </summary>
    internal static bool IsRegularFile(string path)
    {
        byte* buf = stackalloc byte[256];
        return statx(AT_FDCWD, path, 0, STATX_TYPE, buf) == 0 && (*(ushort*)(buf + 28) & S_IFMT) == S_IFREG;
    }
}
