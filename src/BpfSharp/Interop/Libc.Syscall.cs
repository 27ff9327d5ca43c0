using System.Runtime.InteropServices;

namespace BpfSharp.Interop;

internal static unsafe partial class Libc
{
    // syscall(2) is variadic; on x86_64 and arm64 Linux integer arguments travel in the same registers
    // either way, so a fixed four-argument signature is safe for the calls below.
    //
    // No SetLastError on the bpf(2) entry: its stub would clear errno before every call and read it after, two
    // calls into the runtime's native library (~12 ns, about 1 % of a map operation). Bpf reads errno itself, at
    // once and only after a failure, which is the same moment the stub would have read it.
    [LibraryImport(Library, EntryPoint = "syscall")]
    private static partial long syscall4(long number, long a1, long a2, long a3, long a4);

    [LibraryImport(Library, EntryPoint = "syscall", SetLastError = true)]
    private static partial long syscall5(long number, long a1, long a2, long a3, long a4, long a5);

    private static readonly bool IsArm64 = RuntimeInformation.ProcessArchitecture == Architecture.Arm64;

    /// <summary><c>bpf(2)</c>: 321 on x86_64, 280 on arm64. Returns the kernel's result, or <c>-errno</c>.</summary>
    internal static long Bpf(int cmd, void* attr, uint size)
    {
        long r = syscall4(IsArm64 ? 280 : 321, cmd, (long)attr, size, 0);
        // syscall(3) returns -1 and sets errno on failure; bpf's own results are never negative.
        return r == -1 ? -Marshal.GetLastSystemError() : r;
    }

    /// <summary><c>perf_event_open(2)</c>: 298 on x86_64, 241 on arm64.</summary>
    internal static int PerfEventOpen(void* attr, int pid, int cpu, int groupFd, ulong flags) =>
        (int)syscall5(IsArm64 ? 241 : 298, (long)attr, pid, cpu, groupFd, (long)flags);
}
