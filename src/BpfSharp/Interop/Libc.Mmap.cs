using System.Runtime.InteropServices;

namespace BpfSharp.Interop;

internal static unsafe partial class Libc
{
    internal const int PROT_NONE = 0, PROT_READ = 1, PROT_WRITE = 2;
    internal const int MAP_SHARED = 1, MAP_PRIVATE = 2, MAP_FIXED = 0x10, MAP_ANONYMOUS = 0x20;
    internal static readonly nint MAP_FAILED = -1;

    [LibraryImport(Library, SetLastError = true)]
    internal static partial nint mmap(nint addr, nuint length, int prot, int flags, int fd, long offset);

    [LibraryImport(Library, SetLastError = true)]
    internal static partial int munmap(nint addr, nuint length);

    [LibraryImport(Library)]
    internal static partial long sysconf(int name);

    private const int _SC_PAGESIZE = 30;

    internal static readonly int PageSize = (int)sysconf(_SC_PAGESIZE);
}
