using System.Runtime.InteropServices;

namespace BpfSharp.Benchmarks;

/// <summary>getrusage(RUSAGE_THREAD): the thread's user-mode CPU time, which is what a library adds around its system calls.</summary>
internal static unsafe partial class Rusage
{
    private const int RUSAGE_THREAD = 1;

    [LibraryImport("libc", EntryPoint = "getrusage")]
    private static partial int GetRusage(int who, byte* usage);

    public static long ThreadUserNanoseconds()
    {
        // struct rusage starts with struct timeval ru_utime { long tv_sec; long tv_usec; }; 144 bytes in all on 64-bit Linux.
        byte* usage = stackalloc byte[144];
        if (GetRusage(RUSAGE_THREAD, usage) != 0) return 0;
        long* utime = (long*)usage;
        return utime[0] * 1_000_000_000 + utime[1] * 1000;
    }
}
