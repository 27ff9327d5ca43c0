using System.Runtime.InteropServices;

namespace BpfSharp.Interop;

internal static partial class Libc
{
    internal const int CLONE_NEWNET = 0x40000000;

    /// <summary>Moves the calling thread (only it) into the namespace behind <paramref name="fd"/>.</summary>
    [LibraryImport(Library, SetLastError = true)]
    internal static partial int setns(SafeFdHandle fd, int nsType);
}
