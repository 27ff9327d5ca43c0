using BpfSharp.Interop;

namespace BpfSharp.Links;

/// <summary>
/// An attachment without a kernel link object: the kernel keeps it in its target (a cgroup, an interface, a
/// socket, a struct_ops map), so it outlives every fd and the process. <see cref="BpfLink.Dispose"/> and
/// finalization detach it unless <see cref="BpfLink.Disconnect"/> was called; an attachment that someone else
/// removed already is not an error. Each kind supplies its detach call and what that call answers when the
/// attachment is gone; this class holds the rules once.
/// </summary>
public abstract class BpfAttachment : BpfLink
{
    private int _detached;

    private protected BpfAttachment(BpfLinkKind kind) : base(kind, null) { }

    /// <summary>The kind's detach call: 0, or -errno.</summary>
    private protected abstract int TryDetach();

    /// <summary>The errnos of <see cref="TryDetach"/> that mean the attachment was already gone.</summary>
    private protected virtual bool IsGone(int errno) => false;

    /// <summary>The name of the detach call and what it detached, for the exception of a failed detach.</summary>
    private protected abstract (string Call, string What) DetachDescription { get; }

    /// <summary>
    /// Whether a finalizer may run the detach. Not when the target is a handle owned by someone else, which may
    /// be finalized first (its fd number then reused).
    /// </summary>
    private protected virtual bool DetachWhenFinalized => true;

    /// <summary>Detaches now; this object stays valid. Already gone is not an error.</summary>
    public override void Detach()
    {
        ObjectDisposedException.ThrowIf(IsDisposed, this);
        if (Interlocked.Exchange(ref _detached, 1) != 0) return;
        int r = TryDetach();
        if (r < 0 && !IsGone(-r))
        {
            _detached = 0;
            throw DetachFailed(-r);
        }
    }

    private protected sealed override void Destroy(bool finalizing)
    {
        try
        {
            if ((!finalizing || DetachWhenFinalized) && Interlocked.Exchange(ref _detached, 1) == 0)
            {
                int r = TryDetach();
                // A finalizer must not throw; the attachment then stays, as after a disconnect.
                if (r < 0 && !IsGone(-r) && !finalizing) throw DetachFailed(-r);
            }
        }
        finally
        {
            ReleaseDisconnected();
        }
    }

    private BpfException DetachFailed(int errno)
    {
        var (call, what) = DetachDescription;
        return new BpfException(call, errno, what);
    }

    /// <summary>The handles such an attachment keeps are only for detaching later; a disconnect keeps none of them.</summary>
    private protected sealed override IEnumerable<SafeFdHandle> OwnedHandles() => [];
}
