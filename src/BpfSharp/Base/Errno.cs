namespace BpfSharp;

/// <summary>
/// Linux errno values (the generic table that x86-64 and arm64 share, plus the kernel-internal ones at 512 and
/// above that BPF calls return, such as <see cref="ENOTSUPP"/>), as <see cref="BpfException.Errno"/> reports them.
/// </summary>
public enum Errno
{
    /// <summary>Not a system call's failure.</summary>
    None = 0,
    /// <summary><c>EPERM</c> (1): Operation not permitted.</summary>
    EPERM = 1,
    /// <summary><c>ENOENT</c> (2): No such file or directory.</summary>
    ENOENT = 2,
    /// <summary><c>ESRCH</c> (3): No such process.</summary>
    ESRCH = 3,
    /// <summary><c>EINTR</c> (4): Interrupted system call.</summary>
    EINTR = 4,
    /// <summary><c>EIO</c> (5): Input/output error.</summary>
    EIO = 5,
    /// <summary><c>ENXIO</c> (6): No such device or address.</summary>
    ENXIO = 6,
    /// <summary><c>E2BIG</c> (7): Argument list too long.</summary>
    E2BIG = 7,
    /// <summary><c>ENOEXEC</c> (8): Exec format error.</summary>
    ENOEXEC = 8,
    /// <summary><c>EBADF</c> (9): Bad file descriptor.</summary>
    EBADF = 9,
    /// <summary><c>ECHILD</c> (10): No child processes.</summary>
    ECHILD = 10,
    /// <summary><c>EAGAIN</c> (11): Resource temporarily unavailable.</summary>
    EAGAIN = 11,
    /// <summary><c>ENOMEM</c> (12): Cannot allocate memory.</summary>
    ENOMEM = 12,
    /// <summary><c>EACCES</c> (13): Permission denied.</summary>
    EACCES = 13,
    /// <summary><c>EFAULT</c> (14): Bad address.</summary>
    EFAULT = 14,
    /// <summary><c>ENOTBLK</c> (15): Block device required.</summary>
    ENOTBLK = 15,
    /// <summary><c>EBUSY</c> (16): Device or resource busy.</summary>
    EBUSY = 16,
    /// <summary><c>EEXIST</c> (17): File exists.</summary>
    EEXIST = 17,
    /// <summary><c>EXDEV</c> (18): Invalid cross-device link.</summary>
    EXDEV = 18,
    /// <summary><c>ENODEV</c> (19): No such device.</summary>
    ENODEV = 19,
    /// <summary><c>ENOTDIR</c> (20): Not a directory.</summary>
    ENOTDIR = 20,
    /// <summary><c>EISDIR</c> (21): Is a directory.</summary>
    EISDIR = 21,
    /// <summary><c>EINVAL</c> (22): Invalid argument.</summary>
    EINVAL = 22,
    /// <summary><c>ENFILE</c> (23): Too many open files in system.</summary>
    ENFILE = 23,
    /// <summary><c>EMFILE</c> (24): Too many open files.</summary>
    EMFILE = 24,
    /// <summary><c>ENOTTY</c> (25): Inappropriate ioctl for device.</summary>
    ENOTTY = 25,
    /// <summary><c>ETXTBSY</c> (26): Text file busy.</summary>
    ETXTBSY = 26,
    /// <summary><c>EFBIG</c> (27): File too large.</summary>
    EFBIG = 27,
    /// <summary><c>ENOSPC</c> (28): No space left on device.</summary>
    ENOSPC = 28,
    /// <summary><c>ESPIPE</c> (29): Illegal seek.</summary>
    ESPIPE = 29,
    /// <summary><c>EROFS</c> (30): Read-only file system.</summary>
    EROFS = 30,
    /// <summary><c>EMLINK</c> (31): Too many links.</summary>
    EMLINK = 31,
    /// <summary><c>EPIPE</c> (32): Broken pipe.</summary>
    EPIPE = 32,
    /// <summary><c>EDOM</c> (33): Numerical argument out of domain.</summary>
    EDOM = 33,
    /// <summary><c>ERANGE</c> (34): Numerical result out of range.</summary>
    ERANGE = 34,
    /// <summary><c>EDEADLK</c> (35): Resource deadlock avoided.</summary>
    EDEADLK = 35,
    /// <summary><c>ENAMETOOLONG</c> (36): File name too long.</summary>
    ENAMETOOLONG = 36,
    /// <summary><c>ENOLCK</c> (37): No locks available.</summary>
    ENOLCK = 37,
    /// <summary><c>ENOSYS</c> (38): Function not implemented.</summary>
    ENOSYS = 38,
    /// <summary><c>ENOTEMPTY</c> (39): Directory not empty.</summary>
    ENOTEMPTY = 39,
    /// <summary><c>ELOOP</c> (40): Too many levels of symbolic links.</summary>
    ELOOP = 40,
    /// <summary><c>ENOMSG</c> (42): No message of desired type.</summary>
    ENOMSG = 42,
    /// <summary><c>EIDRM</c> (43): Identifier removed.</summary>
    EIDRM = 43,
    /// <summary><c>ENODATA</c> (61): No data available.</summary>
    ENODATA = 61,
    /// <summary><c>ETIME</c> (62): Timer expired.</summary>
    ETIME = 62,
    /// <summary><c>ENOLINK</c> (67): Link has been severed.</summary>
    ENOLINK = 67,
    /// <summary><c>EPROTO</c> (71): Protocol error.</summary>
    EPROTO = 71,
    /// <summary><c>EBADMSG</c> (74): Bad message.</summary>
    EBADMSG = 74,
    /// <summary><c>EOVERFLOW</c> (75): Value too large for defined data type.</summary>
    EOVERFLOW = 75,
    /// <summary><c>EILSEQ</c> (84): Invalid or incomplete multibyte or wide character.</summary>
    EILSEQ = 84,
    /// <summary><c>ENOTSOCK</c> (88): Socket operation on non-socket.</summary>
    ENOTSOCK = 88,
    /// <summary><c>EMSGSIZE</c> (90): Message too long.</summary>
    EMSGSIZE = 90,
    /// <summary><c>ENOPROTOOPT</c> (92): Protocol not available.</summary>
    ENOPROTOOPT = 92,
    /// <summary><c>EPROTONOSUPPORT</c> (93): Protocol not supported.</summary>
    EPROTONOSUPPORT = 93,
    /// <summary><c>EOPNOTSUPP</c> (95): Operation not supported.</summary>
    EOPNOTSUPP = 95,
    /// <summary><c>EAFNOSUPPORT</c> (97): Address family not supported by protocol.</summary>
    EAFNOSUPPORT = 97,
    /// <summary><c>EADDRINUSE</c> (98): Address already in use.</summary>
    EADDRINUSE = 98,
    /// <summary><c>EADDRNOTAVAIL</c> (99): Cannot assign requested address.</summary>
    EADDRNOTAVAIL = 99,
    /// <summary><c>ENETDOWN</c> (100): Network is down.</summary>
    ENETDOWN = 100,
    /// <summary><c>ENETUNREACH</c> (101): Network is unreachable.</summary>
    ENETUNREACH = 101,
    /// <summary><c>ENOBUFS</c> (105): No buffer space available.</summary>
    ENOBUFS = 105,
    /// <summary><c>EISCONN</c> (106): Transport endpoint is already connected.</summary>
    EISCONN = 106,
    /// <summary><c>ENOTCONN</c> (107): Transport endpoint is not connected.</summary>
    ENOTCONN = 107,
    /// <summary><c>ETIMEDOUT</c> (110): Connection timed out.</summary>
    ETIMEDOUT = 110,
    /// <summary><c>ECONNREFUSED</c> (111): Connection refused.</summary>
    ECONNREFUSED = 111,
    /// <summary><c>EALREADY</c> (114): Operation already in progress.</summary>
    EALREADY = 114,
    /// <summary><c>EINPROGRESS</c> (115): Operation now in progress.</summary>
    EINPROGRESS = 115,
    /// <summary><c>ESTALE</c> (116): Stale file handle.</summary>
    ESTALE = 116,
    /// <summary><c>ECANCELED</c> (125): Operation canceled.</summary>
    ECANCELED = 125,
    /// <summary><c>ERESTARTSYS</c> (512): Restart the system call (kernel-internal; user space should not see it).</summary>
    ERESTARTSYS = 512,
    /// <summary><c>ENOTSUPP</c> (524): Operation is not supported (kernel-internal; BPF returns it where user space would expect EOPNOTSUPP).</summary>
    ENOTSUPP = 524,
    /// <summary><c>ETOOSMALL</c> (525): Buffer or request is too small (kernel-internal).</summary>
    ETOOSMALL = 525,
    /// <summary><c>ESERVERFAULT</c> (526): An error on the server side (kernel-internal, NFS).</summary>
    ESERVERFAULT = 526,
    /// <summary><c>EBADTYPE</c> (527): Type not supported by server (kernel-internal, NFS).</summary>
    EBADTYPE = 527,
}
