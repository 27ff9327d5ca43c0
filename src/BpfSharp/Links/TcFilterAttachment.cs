using BpfSharp.Interop;

namespace BpfSharp.Links;

/// <summary>
/// A direct-action cls_bpf filter on an interface's clsact qdisc, added through rtnetlink. The qdisc holds the
/// program, not an fd: the filter stays after the process exits, until deleted (by <see cref="BpfLink.Dispose"/>
/// unless disconnected, <see cref="BpfLink.Detach"/>, <c>tc filter del</c>, or the interface's deletion). It
/// cannot be pinned. Deleting removes the filter only when it still runs this program; the clsact qdisc stays.
/// </summary>
public sealed class TcFilterAttachment : BpfAttachment
{
    // The socket belongs to the interface's namespace; the deletion acts there whichever thread runs it.
    private readonly NetlinkSocket _socket;
    private readonly uint _parent;

    /// <summary>The interface's index.</summary>
    public int Ifindex { get; }
    /// <summary>Ingress or egress.</summary>
    public TcDirection Direction { get; }
    /// <summary>The filter's priority (preference) in the clsact qdisc.</summary>
    public ushort Priority { get; }
    /// <summary>The filter's handle.</summary>
    public uint FilterHandle { get; }
    /// <summary>The kernel id of the program the filter runs.</summary>
    public uint ProgramId { get; private set; }

    /// <summary>Whether this attach added the clsact qdisc (it is left in place all the same).</summary>
    public bool CreatedQdisc { get; }

    private TcFilterAttachment(NetlinkSocket socket, int ifindex, TcDirection direction, ushort priority, uint handle,
        uint programId, bool createdQdisc)
        : base(BpfLinkKind.Netlink)
    {
        _socket = socket;
        Ifindex = ifindex;
        Direction = direction;
        _parent = RtNetlink.ClsactParent(direction == TcDirection.Egress);
        Priority = priority;
        FilterHandle = handle;
        ProgramId = programId;
        CreatedQdisc = createdQdisc;
    }

    internal static TcFilterAttachment Attach(BpfProgram program, int ifindex, TcDirection direction, TcFilterOptions options)
    {
        // Read before the filter exists: nothing may throw between adding it and handing it to its owner.
        uint programId = program.Id;
        var socket = NetlinkSocket.Open();
        bool created = false;
        try
        {
            created = RtNetlink.AddClsact(socket, ifindex);
            using var prog = new HandleUse(program.Handle);
            var (priority, handle) = RtNetlink.AddBpfFilter(socket, ifindex, RtNetlink.ClsactParent(direction == TcDirection.Egress),
                options.Priority, options.Handle, (int)prog.Fd, options.Name ?? program.Name, options.ReplaceExisting,
                $"{program} as a filter on {direction.ToString().ToLowerInvariant()} of ifindex {ifindex}");
            return new TcFilterAttachment(socket, ifindex, direction, priority, handle, programId, created);
        }
        catch
        {
            // A failed attach leaves nothing behind: not the clsact qdisc it added either (one that was there stays).
            if (created)
            {
                try { RtNetlink.DeleteClsact(socket, ifindex); }
                catch (BpfException) { }
            }
            socket.Dispose();
            throw;
        }
    }

    /// <summary>The filter at our priority and handle, if it still runs our program.</summary>
    private bool StillOurs() =>
        RtNetlink.GetBpfFilter(_socket, Ifindex, _parent, Priority, FilterHandle) is { } f && f.ProgramId == ProgramId;

    /// <summary>Deletes the filter if it still runs this program; returns 0 or -errno.</summary>
    private protected override int TryDetach()
    {
        try
        {
            if (!StillOurs()) return 0;
            RtNetlink.DeleteFilter(_socket, Ifindex, _parent, Priority, FilterHandle);
            return 0;
        }
        catch (NetlinkException e) when (e.Errno is Errno.ENOENT or Errno.ENODEV or Errno.EINVAL)
        {
            // Gone meanwhile: the filter, the interface, or the clsact qdisc with its filters.
            return 0;
        }
        catch (NetlinkException e)
        {
            return -(int)e.Errno;
        }
    }

    private protected override void ReleaseDisconnected() => _socket.Dispose();

    private protected override (string Call, string What) DetachDescription => ("RTM_DELTFILTER", Describe());

    /// <summary>
    /// Replaces the filter's program (RTM_NEWTFILTER with NLM_F_REPLACE at the same priority and handle).
    /// With <paramref name="expectedOld"/>, only when that program is the one the filter runs.
    /// </summary>
    public override void Update(BpfProgram newProgram, BpfProgram? expectedOld = null)
    {
        ObjectDisposedException.ThrowIf(IsDisposed, this);
        uint expected = expectedOld?.Id ?? ProgramId;
        uint newProgramId = newProgram.Id;
        if (RtNetlink.GetBpfFilter(_socket, Ifindex, _parent, Priority, FilterHandle) is not { } current || current.ProgramId != expected)
            throw new BpfException("RTM_NEWTFILTER", Errnos.EPERM, $"{Describe()}: the filter does not run program id {expected}");
        using var prog = new HandleUse(newProgram.Handle);
        RtNetlink.AddBpfFilter(_socket, Ifindex, _parent, Priority, FilterHandle, (int)prog.Fd, current.Name, replace: true,
            $"{newProgram} in place of program id {ProgramId} in {Describe()}");
        ProgramId = newProgramId;
    }

    /// <summary>The filter as the kernel reports it now: <c>ProgramId</c> is 0 once it is gone.</summary>
    public override TcFilterAttachmentInfo GetInfo()
    {
        ObjectDisposedException.ThrowIf(IsDisposed, this);
        var f = RtNetlink.GetBpfFilter(_socket, Ifindex, _parent, Priority, FilterHandle);
        return new TcFilterAttachmentInfo(f?.ProgramId ?? 0, Ifindex, Direction, Priority, FilterHandle, f?.Name ?? "", f?.DirectAction ?? false);
    }

    private new string Describe() => $"tc filter priority {Priority} handle {FilterHandle:x} on {Direction.ToString().ToLowerInvariant()} of ifindex {Ifindex}";

    /// <summary>The attachment, its program id, interface, direction and filter.</summary>
    public override string ToString() => $"TcFilterAttachment of program id {ProgramId}: {Describe()}";
}

/// <summary>What a tc filter runs (no kernel link object: id 0, type Unspec).</summary>
/// <param name="ProgramId">The program the filter runs now; 0 once the filter is gone.</param>
public sealed record TcFilterAttachmentInfo(uint ProgramId, int Ifindex, TcDirection Direction, ushort Priority, uint Handle,
    string Name, bool DirectAction)
    : BpfLinkInfo(0, BpfLinkType.Unspec, ProgramId);
