using BpfSharp.Interop;

namespace BpfSharp.Links;

/// <summary>
/// An attachment of a program to a kernel hook, with exact lifetime rules (libbpf's <c>bpf_link</c>).
/// <see cref="Dispose"/> detaches it unless <see cref="Disconnect"/> was called; a disconnected link keeps
/// its attachment (and its handles) when disposed or collected. What each action does depends on
/// <see cref="Kind"/>: the README's table lists every cell.
/// </summary>
public abstract class BpfLink : IDisposable
{
    private int _disposed;
    private uint _id;

    /// <summary>The mechanism behind the attachment.</summary>
    public BpfLinkKind Kind { get; }

    /// <summary>The BPF link fd, for <see cref="BpfLinkKind.Fd"/> and <see cref="BpfLinkKind.PerfEvent"/> links; null otherwise.</summary>
    public SafeFdHandle? Handle { get; }

    /// <summary>Whether <see cref="Disconnect"/> was called.</summary>
    public bool IsDisconnected { get; private set; }

    /// <summary>Whether <see cref="Dispose"/> has run.</summary>
    public bool IsDisposed => Volatile.Read(ref _disposed) != 0;

    /// <summary>Where the link is pinned, when this object pinned it or was opened from a pin.</summary>
    public string? PinPath { get; private set; }

    private protected BpfLink(BpfLinkKind kind, SafeFdHandle? handle)
    {
        Kind = kind;
        Handle = handle;
    }

    /// <summary>The kernel's link type; <see cref="BpfLinkType.Unspec"/> for kinds without a kernel link object.</summary>
    public virtual BpfLinkType LinkType => Handle is null ? BpfLinkType.Unspec : GetInfo().Type;

    /// <summary>The kernel's id of the link (0 for kinds without a kernel link object).</summary>
    public uint Id => _id != 0 || Handle is null ? _id : _id = GetInfo().Id;

    /// <summary>
    /// Destroys the link: detaches it the way its kind does (close the link fd; disable and close a perf
    /// event and remove the tracefs probe event it created; BPF_PROG_DETACH; netlink removal) and releases
    /// every handle. After <see cref="Disconnect"/> it releases nothing and detaches nothing. Idempotent, and
    /// it does not throw when the attachment is already gone.
    /// </summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        GC.SuppressFinalize(this);
        if (!IsDisconnected) Destroy(finalizing: false);
        else ReleaseDisconnected();
    }

    /// <summary>
    /// From now on <see cref="Dispose"/> and finalization leave the attachment as it is and keep its handles
    /// open: an fd or perf link then lives until the process exits (and beyond if pinned); a program
    /// attachment or netlink attachment stays after the process exits, without a pin.
    /// </summary>
    public void Disconnect()
    {
        IsDisconnected = true;
        GC.SuppressFinalize(this);
        foreach (var h in OwnedHandles()) GC.SuppressFinalize(h);
    }

    /// <summary>Finalization of an undisposed, connected link destroys it as Dispose would.</summary>
    ~BpfLink()
    {
        if (_disposed != 0 || IsDisconnected) return;
        try { Destroy(finalizing: true); }
        catch (Exception) { /* a finalizer must not throw; the handles' own finalizers still close them */ }
    }

    /// <summary>The kind's destroy action. Must tolerate an attachment that is already gone.</summary>
    private protected abstract void Destroy(bool finalizing);

    /// <summary>
    /// What Dispose releases after <see cref="Disconnect"/>: nothing for fd and perf links (their fds are the
    /// attachment); legacy kinds close the handles they kept only to detach later (a program or target fd,
    /// a netlink socket), which leaves their attachment in place.
    /// </summary>
    private protected virtual void ReleaseDisconnected() { }

    /// <summary>The handles whose finalizers a disconnect suppresses.</summary>
    private protected virtual IEnumerable<SafeFdHandle> OwnedHandles() => Handle is null ? [] : [Handle];

    /// <summary><see cref="OwnedHandles"/>, for a composite link whose parts are links.</summary>
    internal IEnumerable<SafeFdHandle> HandlesOwned => OwnedHandles();

    /// <summary>
    /// Detaches now, leaving this object valid (its info then shows the detached state). Kernel links of
    /// types with a detach operation use BPF_LINK_DETACH; other kinds use their own detach. Kinds that
    /// cannot be detached while their fd is open (tracing, raw tracepoint, iterator, perf links, multi
    /// probes) throw <see cref="NotSupportedException"/>.
    /// </summary>
    public virtual void Detach()
    {
        ObjectDisposedException.ThrowIf(IsDisposed, this);
        var type = LinkType;
        if (Handle is null || !SupportsLinkDetach(type))
            throw new NotSupportedException($"a {type} link cannot be detached while its fd is open (the kernel has no BPF_LINK_DETACH for it); dispose it instead");
        using var use = new HandleUse(Handle);
        var attr = new LinkDetachAttr { link_fd = use.Fd };
        int r = Bpf.TryCall(BpfCommand.BPF_LINK_DETACH, ref attr);
        if (r == -Errnos.EOPNOTSUPP) throw new NotSupportedException($"the kernel cannot detach a {type} link (EOPNOTSUPP)");
        if (r < 0) throw new BpfException("BPF_LINK_DETACH", -r, Describe());
    }

    /// <summary>The kernel link types with a <c>detach</c> operation.</summary>
    internal static bool SupportsLinkDetach(BpfLinkType type) => LinkTypes.Of(type)?.Detachable == true;

    /// <summary>
    /// Pins the link in bpffs (creating parent directories): the attachment then survives the closing of
    /// every fd, and the process's exit, until the pin is removed. Kinds without a kernel link object
    /// throw <see cref="NotSupportedException"/>.
    /// </summary>
    public void Pin(string path)
    {
        ObjectDisposedException.ThrowIf(IsDisposed, this);
        PinCore(path);
        PinPath = path;
    }

    /// <summary>Removes the pin file. The attachment lives on while this object (or another fd) holds the link.</summary>
    public void Unpin()
    {
        if (PinPath is null) return;
        UnpinCore(PinPath);
        PinPath = null;
    }

    /// <summary>Pins the kind's kernel link at <paramref name="path"/> (a composite pins its parts under it).</summary>
    private protected virtual void PinCore(string path)
    {
        if (Handle is null) throw new NotSupportedException($"a {Kind} attachment has no BPF link to pin");
        BpfFs.Pin(Handle, path, Describe());
    }

    private protected virtual void UnpinCore(string path) => BpfFs.Unpin(path);

    /// <summary>
    /// Replaces the link's program atomically (BPF_LINK_UPDATE). With <paramref name="expectedOld"/>, the
    /// kernel replaces only if that is the current program, failing with EPERM otherwise.
    /// </summary>
    public virtual void Update(BpfProgram newProgram, BpfProgram? expectedOld = null)
    {
        ObjectDisposedException.ThrowIf(IsDisposed, this);
        if (Handle is null) throw new NotSupportedException($"a {Kind} attachment cannot be updated through BPF_LINK_UPDATE");
        using var link = new HandleUse(Handle);
        using var prog = new HandleUse(newProgram.Handle);
        var attr = new LinkUpdateAttr { link_fd = link.Fd, new_prog_fd = prog.Fd };
        if (expectedOld is null)
        {
            Bpf.Call(BpfCommand.BPF_LINK_UPDATE, ref attr, $"{Describe()} to {newProgram}");
            return;
        }
        using var old = new HandleUse(expectedOld.Handle);
        attr.flags = 1u << 2; // BPF_F_REPLACE
        attr.old_prog_fd = old.Fd;
        Bpf.Call(BpfCommand.BPF_LINK_UPDATE, ref attr, $"{Describe()} to {newProgram} if it runs {expectedOld}");
    }

    /// <summary>What the kernel reports about the link, typed by its link type.</summary>
    public virtual BpfLinkInfo GetInfo()
    {
        if (Handle is null) throw new NotSupportedException($"a {Kind} attachment has no BPF link to describe");
        return BpfLinkInfo.Read(Handle);
    }

    /// <summary>Opens the link pinned at <paramref name="path"/>, typed by its kernel link type.</summary>
    public static BpfLink OpenPinned(string path)
    {
        var link = FromHandle(Bpf.OpenPinned(path));
        link.PinPath = path;
        return link;
    }

    /// <summary>Opens the link with kernel id <paramref name="id"/>, typed by its kernel link type.</summary>
    public static BpfLink FromId(uint id) => FromHandle(Bpf.OpenById(BpfCommand.BPF_LINK_GET_FD_BY_ID, id, "link"));

    /// <summary>The ids of every BPF link in the system.</summary>
    public static IEnumerable<uint> EnumerateIds() => Bpf.EnumerateIds(BpfCommand.BPF_LINK_GET_NEXT_ID);

    /// <summary>
    /// Wraps a link fd, choosing the class by the kernel's link type. The new object owns the fd: disposing
    /// it closes the fd, which detaches unless something else (a pin, another fd) holds the link.
    /// </summary>
    public static BpfLink FromHandle(SafeFdHandle handle)
    {
        BpfLinkType type;
        try
        {
            BpfFdKind.Require(handle, BpfFdKind.Link, "open of a BPF link");
            type = BpfLinkInfo.ReadHead(handle).Type;
        }
        catch
        {
            handle.Dispose();
            throw;
        }
        return LinkTypes.Of(type)?.Wrap(handle) ?? new RawLink(handle);
    }

    internal string Describe() => Handle is { IsClosed: false } && _id != 0 ? $"{GetType().Name} id {_id}" : GetType().Name;

    /// <summary>What the link is and what it attaches, for messages.</summary>
    public override string ToString() => Describe();
}

/// <summary>A BPF link of a type without a class of its own here: it has the common behaviour only.</summary>
public sealed class RawLink : BpfFdLink
{
    internal RawLink(SafeFdHandle handle) : base(handle) { }
}
