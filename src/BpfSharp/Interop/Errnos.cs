using System.Runtime.InteropServices;

namespace BpfSharp.Interop;

/// <summary>Linux errno numbers (the generic table shared by x86_64 and arm64) and their names.</summary>
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

    private static readonly Dictionary<int, string> Names = new()
    {
        [EPERM] = "EPERM", [ENOENT] = "ENOENT", [ESRCH] = "ESRCH", [EINTR] = "EINTR", [EIO] = "EIO",
        [ENXIO] = "ENXIO", [E2BIG] = "E2BIG", [8] = "ENOEXEC", [EBADF] = "EBADF", [10] = "ECHILD",
        [EAGAIN] = "EAGAIN", [ENOMEM] = "ENOMEM", [EACCES] = "EACCES", [EFAULT] = "EFAULT", [15] = "ENOTBLK",
        [EBUSY] = "EBUSY", [EEXIST] = "EEXIST", [EXDEV] = "EXDEV", [ENODEV] = "ENODEV", [ENOTDIR] = "ENOTDIR",
        [EISDIR] = "EISDIR", [EINVAL] = "EINVAL", [ENFILE] = "ENFILE", [EMFILE] = "EMFILE", [ENOTTY] = "ENOTTY",
        [26] = "ETXTBSY", [EFBIG] = "EFBIG", [ENOSPC] = "ENOSPC", [ESPIPE] = "ESPIPE", [EROFS] = "EROFS",
        [EMLINK] = "EMLINK", [EPIPE] = "EPIPE", [33] = "EDOM", [ERANGE] = "ERANGE", [EDEADLK] = "EDEADLK",
        [ENAMETOOLONG] = "ENAMETOOLONG", [37] = "ENOLCK", [ENOSYS] = "ENOSYS", [ENOTEMPTY] = "ENOTEMPTY",
        [ELOOP] = "ELOOP", [ENOMSG] = "ENOMSG", [43] = "EIDRM", [ENODATA] = "ENODATA", [ETIME] = "ETIME",
        [ENOLINK] = "ENOLINK", [EPROTO] = "EPROTO", [EBADMSG] = "EBADMSG", [EOVERFLOW] = "EOVERFLOW",
        [84] = "EILSEQ", [88] = "ENOTSOCK", [90] = "EMSGSIZE", [92] = "ENOPROTOOPT",
        [93] = "EPROTONOSUPPORT", [EOPNOTSUPP] = "EOPNOTSUPP", [EAFNOSUPPORT] = "EAFNOSUPPORT",
        [EADDRINUSE] = "EADDRINUSE", [EADDRNOTAVAIL] = "EADDRNOTAVAIL", [ENETDOWN] = "ENETDOWN",
        [101] = "ENETUNREACH", [ENOBUFS] = "ENOBUFS", [106] = "EISCONN", [107] = "ENOTCONN",
        [ETIMEDOUT] = "ETIMEDOUT", [ECONNREFUSED] = "ECONNREFUSED", [EALREADY] = "EALREADY",
        [EINPROGRESS] = "EINPROGRESS", [ESTALE] = "ESTALE", [ECANCELED] = "ECANCELED", [512] = "ERESTARTSYS",
        [ENOTSUPP] = "ENOTSUPP", [525] = "ETOOSMALL", [526] = "ESERVERFAULT", [527] = "EBADTYPE",
    };

    public static string Name(int errno) => Names.TryGetValue(errno, out var n) ? n : $"errno {errno}";

    /// <summary>The C library's text for the errno; the kernel-internal ones (≥ 512) get ours.</summary>
    public static string Describe(int errno) => errno switch
    {
        512 => "Restart system call",
        ENOTSUPP => "Operation is not supported",
        _ => Marshal.GetPInvokeErrorMessage(errno),
    };
}
