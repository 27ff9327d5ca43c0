using System.Runtime.InteropServices;

namespace BpfSharp.Interop;

/// <summary>Linux errno numbers as constants for the interop code (the generic table shared by x86_64 and arm64); names come from <see cref="Errno"/>.</summary>
internal static class Errnos
{
    public const int EPERM = 1, ENOENT = 2, ESRCH = 3, EINTR = 4, EIO = 5, ENXIO = 6, E2BIG = 7, EBADF = 9,
        EAGAIN = 11, ENOMEM = 12, EACCES = 13, EFAULT = 14, EBUSY = 16, EEXIST = 17, EXDEV = 18, ENODEV = 19,
        ENOTDIR = 20, EISDIR = 21, EINVAL = 22, ENFILE = 23, EMFILE = 24, ENOTTY = 25, EFBIG = 27, ENOSPC = 28,
        ESPIPE = 29, EROFS = 30, EMLINK = 31, EPIPE = 32, ERANGE = 34, EDEADLK = 35, ENAMETOOLONG = 36,
        ENOSYS = 38, ENOTEMPTY = 39, ELOOP = 40, ENOMSG = 42, ENODATA = 61, ETIME = 62, ENOLINK = 67,
        EPROTO = 71, EBADMSG = 74, EOVERFLOW = 75, EOPNOTSUPP = 95, EAFNOSUPPORT = 97, EADDRINUSE = 98,
        EADDRNOTAVAIL = 99, ENETDOWN = 100, ENOBUFS = 105, ETIMEDOUT = 110, ECONNREFUSED = 111, EALREADY = 114,
        EINPROGRESS = 115, ESTALE = 116, ECANCELED = 125, ENOTSUPP = 524;

    /// <summary>The errno's symbolic name, as the public <see cref="Errno"/> enum spells it; "errno N" for others.</summary>
    public static string Name(int errno) => Enum.IsDefined((Errno)errno) ? ((Errno)errno).ToString() : $"errno {errno}";

    /// <summary>The C library's text for the errno; the kernel-internal ones (≥ 512) get ours.</summary>
    public static string Describe(int errno) => errno switch
    {
        512 => "Restart system call",
        ENOTSUPP => "Operation is not supported",
        _ => Marshal.GetPInvokeErrorMessage(errno),
    };
}
