namespace BpfSharp.Interop;

/// <summary>
/// Holds a reference on a handle while its fd number is in use, so a concurrent Dispose cannot close
/// (and the kernel reuse) the fd in the middle of a call. Throws ObjectDisposedException if it is closed.
/// </summary>
internal ref struct HandleUse
{
    private readonly SafeFdHandle _handle;
    private bool _added;

    public HandleUse(SafeFdHandle handle)
    {
        _handle = handle;
        _added = false;
        handle.DangerousAddRef(ref _added);
    }

    public readonly uint Fd => (uint)_handle.DangerousGetHandle();

    public void Dispose()
    {
        if (_added) _handle.DangerousRelease();
        _added = false;
    }
}

/// <summary>References on several handles for a call that passes several fds (map create, program load).</summary>
internal sealed class HandleRefs : IDisposable
{
    private readonly List<SafeFdHandle> _held = [];

    public uint Add(SafeFdHandle handle)
    {
        bool added = false;
        handle.DangerousAddRef(ref added);
        _held.Add(handle);
        return (uint)handle.DangerousGetHandle();
    }

    public void Dispose()
    {
        foreach (var h in _held) h.DangerousRelease();
        _held.Clear();
    }
}
