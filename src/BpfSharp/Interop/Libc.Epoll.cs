using System.Runtime.InteropServices;

namespace BpfSharp.Interop;

internal static unsafe partial class Libc
{
    internal const int EPOLL_CLOEXEC = 0x80000;
    internal const int EPOLL_CTL_ADD = 1, EPOLL_CTL_DEL = 2, EPOLL_CTL_MOD = 3;
    internal const uint EPOLLIN = 0x1, EPOLLOUT = 0x4, EPOLLERR = 0x8, EPOLLHUP = 0x10, EPOLLET = 1u << 31;

    /// <summary><c>struct epoll_event</c>: packed on x86_64 (12 bytes), naturally aligned on arm64 (16 bytes).</summary>
    [StructLayout(LayoutKind.Sequential, Pack = 4)]
    internal struct EpollEventX64 { public uint events; public ulong data; }

    [StructLayout(LayoutKind.Sequential)]
    internal struct EpollEventArm64 { public uint events; public ulong data; }

    [LibraryImport(Library, SetLastError = true)]
    internal static partial int epoll_create1(int flags);

    [LibraryImport(Library, SetLastError = true)]
    internal static partial int epoll_ctl(SafeFdHandle epfd, int op, SafeFdHandle fd, void* ev);

    [LibraryImport(Library, SetLastError = true)]
    internal static partial int epoll_wait(SafeFdHandle epfd, void* events, int maxEvents, int timeoutMs);
}
