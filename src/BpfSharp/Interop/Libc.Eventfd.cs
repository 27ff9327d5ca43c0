using System.Runtime.InteropServices;

namespace BpfSharp.Interop;

internal static unsafe partial class Libc
{
    // O_CLOEXEC and O_NONBLOCK: the same values on x86_64 and arm64.
    internal const int EFD_CLOEXEC = 0x80000, EFD_NONBLOCK = 0x800;

    [LibraryImport(Library, SetLastError = true)]
    internal static partial int eventfd(uint initval, int flags);

    /// <summary>Reads (and resets) the counter; fails with EAGAIN on a non-blocking eventfd whose counter is 0.</summary>
    [LibraryImport(Library, SetLastError = true)]
    internal static partial int eventfd_read(SafeFdHandle fd, ulong* value);

    /// <summary>Adds <paramref name="value"/> to the counter, making the eventfd readable.</summary>
    [LibraryImport(Library, SetLastError = true)]
    internal static partial int eventfd_write(SafeFdHandle fd, ulong value);
}
