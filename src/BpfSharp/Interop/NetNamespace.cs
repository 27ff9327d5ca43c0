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
        var handle = new SafeFdHandle(fd);
        try
        {
            return new NetNamespace(handle, InodeOf($"/proc/self/fd/{fd}"));
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary>Wraps a duplicate of a namespace fd the caller keeps.</summary>
    public static NetNamespace FromHandle(SafeFdHandle handle)
    {
        var dup = handle.Duplicate();
        try
        {
            return new NetNamespace(dup, InodeOf($"/proc/self/fd/{dup.Fd}"));
        }
        catch
        {
            dup.Dispose();
            throw;
        }
    }

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
