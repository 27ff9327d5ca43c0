using System.Runtime.InteropServices;
using BpfSharp.Interop;

namespace BpfSharp.Events;

/// <summary>
/// Everything one reader or writer maps and opens (ring mappings, perf event fds, its epoll and eventfd),
/// released together. It is a <see cref="SafeHandle"/> for its reference count: every call that touches the
/// shared memory holds a reference (<see cref="SafeHandle.DangerousAddRef(ref bool)"/>), so <c>Dispose</c> on another thread only
/// marks it closed, and the memory is unmapped when the last such call has left. Memory is never unmapped
/// under a thread that still reads it.
/// </summary>
internal sealed unsafe class EventResources : SafeHandle
{
    private readonly List<(nint Address, nuint Length)> _mappings = [];
    private readonly List<SafeFdHandle> _fds = [];

    public EventResources() : base(0, ownsHandle: true) => SetHandle(1);

    public override bool IsInvalid => handle == 0;

    /// <summary>Maps <paramref name="length"/> bytes of <paramref name="fd"/> at <paramref name="offset"/>, shared.</summary>
    public byte* Map(SafeFdHandle fd, long length, int protection, long offset, string what)
    {
        if ((ulong)length > nuint.MaxValue) throw new BpfException("mmap", Errnos.E2BIG, what);
        using var use = new HandleUse(fd);
        nint address = Libc.mmap(0, (nuint)length, protection, Libc.MAP_SHARED, (int)use.Fd, offset);
        if (address == Libc.MAP_FAILED) throw new BpfException("mmap", Libc.LastErrno, what);
        lock (_mappings) _mappings.Add((address, (nuint)length));
        return (byte*)address;
    }

    /// <summary>Takes ownership of <paramref name="fd"/>: it is closed with the rest, once no call uses it.</summary>
    public SafeFdHandle Own(SafeFdHandle fd)
    {
        lock (_fds) _fds.Add(fd);
        return fd;
    }

    /// <summary>Takes a reference, or returns false when the owner was disposed.</summary>
    public bool TryAddRef()
    {
        bool added = false;
        try
        {
            DangerousAddRef(ref added);
        }
        catch (ObjectDisposedException)
        {
        }
        return added;
    }

    protected override bool ReleaseHandle()
    {
        foreach (var (address, length) in _mappings) Libc.munmap(address, length);
        _mappings.Clear();
        foreach (var fd in _fds) fd.Dispose();
        _fds.Clear();
        return true;
    }
}

/// <summary>A reference taken on <see cref="EventResources"/> (by <c>TryAddRef</c>), released by <see cref="Dispose"/>.</summary>
internal ref struct ResourceUse(EventResources resources)
{
    private EventResources? _resources = resources;

    public void Dispose()
    {
        _resources?.DangerousRelease();
        _resources = null;
    }
}
