using System.Runtime.ExceptionServices;

namespace BpfSharp.Interop;

/// <summary>
/// A network namespace held open by an fd (which keeps it alive). Interface indexes, netlink sockets and
/// some BPF calls (BPF_PROG_ATTACH of a flow dissector, ifindex targets) act in the namespace of the
/// calling thread; <see cref="Run{T}"/> runs such a call in this one.
/// </summary>
internal sealed class NetNamespace : IDisposable
{
    private const string ThreadSelf = "/proc/thread-self/ns/net";

    public SafeFdHandle Handle { get; }

    /// <summary>The namespace's identity (the inode number of its nsfs file).</summary>
    public ulong Inode { get; }

    private NetNamespace(SafeFdHandle handle, ulong inode)
    {
        Handle = handle;
        Inode = inode;
    }

    /// <summary>The namespace of the calling thread.</summary>
    public static NetNamespace OfCurrentThread() => Open(ThreadSelf);

    /// <summary>Opens a namespace file: <c>/proc/PID/ns/net</c>, <c>/var/run/netns/NAME</c> (a bind mount of one).</summary>
    public static NetNamespace Open(string path)
    {
        int fd = Libc.open(path, Libc.O_RDONLY | Libc.O_CLOEXEC, 0);
        if (fd < 0) throw new BpfException("open network namespace", Libc.LastErrno, path);
        return Wrap(new SafeFdHandle(fd), path);
    }

    /// <summary>Wraps a duplicate of a namespace fd the caller keeps.</summary>
    public static NetNamespace FromHandle(SafeFdHandle handle) => Wrap(handle.Duplicate(), $"fd {handle.DangerousGetHandle()}");

    /// <summary>Takes <paramref name="handle"/> if it is a network namespace (NS_GET_NSTYPE says so), closes it otherwise.</summary>
    private static NetNamespace Wrap(SafeFdHandle handle, string what)
    {
        try
        {
            int type = Libc.ioctl(handle, NS_GET_NSTYPE, 0);
            if (type < 0 && Libc.LastErrno is int errno)
                throw new BpfException("open network namespace", $"{what} is not a namespace file ({Errnos.Name(errno)})");
            if (type != Libc.CLONE_NEWNET)
                throw new BpfException("open network namespace", $"{what} is a namespace, but not a network namespace");
            long inode = Libc.InodeOf(handle);
            if (inode < 0) throw new BpfException("statx", (int)-inode, what);
            return new NetNamespace(handle, (ulong)inode);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    // _IO(0xb7, 0x3): the CLONE_NEW* type of a namespace fd (Linux 4.11).
    private const nuint NS_GET_NSTYPE = 0xb703;

    /// <summary>The inode of the calling thread's network namespace.</summary>
    public static ulong CurrentInode() => InodeOf(ThreadSelf);

    /// <summary>Reads "net:[INODE]" from an nsfs link; anything else is not a network namespace.</summary>
    private static ulong InodeOf(string link)
    {
        string? target = new FileInfo(link).LinkTarget;
        if (target is null || !target.StartsWith("net:[", StringComparison.Ordinal) || !target.EndsWith(']')
            || !ulong.TryParse(target.AsSpan(5, target.Length - 6), out ulong inode))
            throw new BpfException("open network namespace", $"{link} is not a network namespace ({target ?? "not a link"})");
        return inode;
    }

    /// <summary>
    /// Runs <paramref name="action"/> in this namespace: on the calling thread when it is already there,
    /// otherwise on a new thread that enters the namespace (setns affects only the thread that calls it)
    /// and ends with the action.
    /// </summary>
    public T Run<T>(Func<T> action)
    {
        if (CurrentInode() == Inode) return action();
        T result = default!;
        ExceptionDispatchInfo? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                if (Libc.setns(Handle, Libc.CLONE_NEWNET) < 0) throw new BpfException("setns(CLONE_NEWNET)", Libc.LastErrno);
                result = action();
            }
            catch (Exception e)
            {
                failure = ExceptionDispatchInfo.Capture(e);
            }
        })
        { IsBackground = true, Name = "BpfSharp netns" };
        thread.Start();
        thread.Join();
        failure?.Throw();
        return result;
    }

    public void Run(Action action) => Run(() => { action(); return 0; });

    public void Dispose() => Handle.Dispose();
}
