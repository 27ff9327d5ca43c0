using BpfSharp.Interop;

namespace BpfSharp.Links;

/// <summary>
/// An XDP program set on an interface through rtnetlink (IFLA_XDP), the way <c>ip link set dev X xdp</c> does.
/// The interface holds the program, not an fd: it stays after the process exits, until removed (by
/// <see cref="BpfLink.Dispose"/> unless disconnected, <see cref="BpfLink.Detach"/>, another tool, or the
/// interface's deletion). It cannot be pinned. The removal only takes out this program: if another one has
/// replaced it meanwhile, that one stays.
/// </summary>
public sealed class XdpNetlinkAttachment : BpfAttachment
{
    // The socket belongs to the namespace the interface was found in: the removal acts there, whichever
    // thread runs it. Holding it keeps that namespace alive until this object is released.
    private readonly NetlinkSocket _socket;
    private SafeFdHandle _program;
    private readonly uint _modeFlags;

    /// <summary>The interface's index.</summary>
    public int Ifindex { get; }
    /// <summary>Where XDP runs on the interface.</summary>
    public XdpMode Mode { get; }
    /// <summary>The kernel id of the program attached.</summary>
    public uint ProgramId { get; private set; }

    private XdpNetlinkAttachment(NetlinkSocket socket, SafeFdHandle program, uint programId, int ifindex, XdpMode mode)
        : base(BpfLinkKind.Netlink)
    {
        _socket = socket;
        _program = program;
        ProgramId = programId;
        Ifindex = ifindex;
        Mode = mode;
        _modeFlags = XdpAttach.ModeFlags(mode);
    }

    internal static XdpNetlinkAttachment Attach(BpfProgram program, int ifindex, XdpNetlinkAttachOptions options)
    {
        // Read before the program is attached: nothing may throw between attaching it and handing it to its owner.
        uint programId = program.Id;
        var socket = NetlinkSocket.Open();
        SafeFdHandle? dup = null;
        try
        {
            dup = program.Handle.Duplicate();
            uint flags = XdpAttach.ModeFlags(options.Mode);
            if (options.ExpectedProgram is not null) flags |= RtNetlink.XDP_FLAGS_REPLACE;
            else if (!options.ReplaceExisting) flags |= RtNetlink.XDP_FLAGS_UPDATE_IF_NOEXIST;
            using (var refs = new HandleRefs())
            {
                int expected = options.ExpectedProgram is null ? -1 : (int)refs.Add(options.ExpectedProgram.Handle);
                RtNetlink.SetXdp(socket, ifindex, (int)refs.Add(dup), flags, expected,
                    $"{program} to ifindex {ifindex}{XdpAttach.Describe(options.Mode)}{(options.ExpectedProgram is null ? "" : $" in place of {options.ExpectedProgram}")}");
            }
            return new XdpNetlinkAttachment(socket, dup, programId, ifindex, options.Mode);
        }
        catch
        {
            dup?.Dispose();
            socket.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Removes the program with RTM_SETLINK, on condition that it is still the one attached
    /// (XDP_FLAGS_REPLACE with it as the expected program); returns 0 or -errno.
    /// </summary>
    private protected override int TryDetach()
    {
        try
        {
            using var program = new HandleUse(_program);
            RtNetlink.SetXdp(_socket, Ifindex, -1, _modeFlags | RtNetlink.XDP_FLAGS_REPLACE, (int)program.Fd,
                $"remove program id {ProgramId} from ifindex {Ifindex}");
            return 0;
        }
        catch (NetlinkException e)
        {
            return -(int)e.Errno;
        }
    }

    /// <summary>
    /// EEXIST: another program (or none) is attached now; ENODEV: the interface is gone. Either way this
    /// attachment is over.
    /// </summary>
    private protected override bool IsGone(int errno) => errno is Errnos.EEXIST or Errnos.ENODEV;

    private protected override (string Call, string What) DetachDescription =>
        ("RTM_SETLINK IFLA_XDP", $"remove program id {ProgramId} from ifindex {Ifindex}");

    private protected override void ReleaseDisconnected()
    {
        _program.Dispose();
        _socket.Dispose();
    }

    /// <summary>
    /// Sets <paramref name="newProgram"/> in place of this one, atomically and only if this one (or
    /// <paramref name="expectedOld"/>) is still attached (XDP_FLAGS_REPLACE; EEXIST otherwise).
    /// </summary>
    public override void Update(BpfProgram newProgram, BpfProgram? expectedOld = null)
    {
        ObjectDisposedException.ThrowIf(IsDisposed, this);
        uint newProgramId = newProgram.Id;
        var dup = newProgram.Handle.Duplicate();
        try
        {
            using (var refs = new HandleRefs())
            {
                int expected = (int)refs.Add(expectedOld?.Handle ?? _program);
                RtNetlink.SetXdp(_socket, Ifindex, (int)refs.Add(dup), _modeFlags | RtNetlink.XDP_FLAGS_REPLACE, expected,
                    $"{newProgram} to ifindex {Ifindex} in place of program id {ProgramId}");
            }
            ProgramId = newProgramId;
            (_program, dup) = (dup, _program);
        }
        finally
        {
            dup.Dispose();
        }
    }

    /// <summary>The interface's XDP state now: <c>ProgramId</c> is the program it runs in this mode (0 once removed).</summary>
    public override XdpNetlinkAttachmentInfo GetInfo()
    {
        ObjectDisposedException.ThrowIf(IsDisposed, this);
        XdpAttachedPrograms state;
        try
        {
            state = AttachedPrograms.FromState(RtNetlink.GetXdp(_socket, Ifindex));
        }
        catch (NetlinkException e) when (e.Errno == Errno.ENODEV)
        {
            return new XdpNetlinkAttachmentInfo(0, Ifindex, Mode);
        }
        uint running = Mode switch
        {
            XdpMode.Generic => state.GenericProgramId,
            XdpMode.Native => state.NativeProgramId,
            XdpMode.Offload => state.OffloadProgramId,
            _ => state.ProgramId,
        };
        return new XdpNetlinkAttachmentInfo(running, Ifindex, Mode);
    }

    /// <summary>The attachment, its program id and interface.</summary>
    public override string ToString() => $"XdpNetlinkAttachment of program id {ProgramId} to ifindex {Ifindex}";
}

/// <summary>What an interface's XDP hook runs, for an <see cref="XdpNetlinkAttachment"/> (no kernel link object: id 0, type Unspec).</summary>
/// <param name="ProgramId">The program the interface runs in the attachment's mode now; 0 once removed.</param>
public sealed record XdpNetlinkAttachmentInfo(uint ProgramId, int Ifindex, XdpMode Mode)
    : BpfLinkInfo(0, BpfLinkType.Unspec, ProgramId);
