using System.Runtime.InteropServices;
using BpfSharp.Interop;

namespace BpfSharp;

/// <summary>
/// A Linux file descriptor (a BPF map, program, link or BTF object, a perf event, an epoll instance...).
/// Releasing it closes the fd; -1 is invalid and 0 is a valid fd.
/// </summary>
public sealed class SafeFdHandle : SafeHandle
{
    /// <summary>An invalid handle (-1), for marshalling.</summary>
    public SafeFdHandle() : base(new IntPtr(-1), ownsHandle: true) { }

    /// <summary>Wraps <paramref name="fd"/>; with <paramref name="ownsHandle"/> the handle closes it.</summary>
    public SafeFdHandle(int fd, bool ownsHandle = true) : base(new IntPtr(-1), ownsHandle) => SetHandle(new IntPtr(fd));

    /// <summary>Whether the fd is negative.</summary>
    public override bool IsInvalid => handle.ToInt64() < 0;

    /// <summary>The numeric fd. Callers keep the handle alive (or use DangerousAddRef) while using it.</summary>
    public int Fd => (int)handle.ToInt64();

    /// <summary>Closes the fd.</summary>
    protected override bool ReleaseHandle() => Libc.close((int)handle.ToInt64()) == 0;

    /// <summary>Duplicates the fd (<c>F_DUPFD_CLOEXEC</c>); the new handle is independent of this one.</summary>
    public SafeFdHandle Duplicate()
    {
        bool added = false;
        try
        {
            DangerousAddRef(ref added);
            int fd = Libc.fcntl(Fd, Libc.F_DUPFD_CLOEXEC, 3);
            if (fd < 0) throw new BpfException("fcntl(F_DUPFD_CLOEXEC)", Marshal.GetLastPInvokeError());
            return new SafeFdHandle(fd);
        }
        finally
        {
            if (added) DangerousRelease();
        }
    }
}
