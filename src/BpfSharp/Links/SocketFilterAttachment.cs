using System.Runtime.InteropServices;
using BpfSharp.Interop;

namespace BpfSharp.Links;

/// <summary>
/// A socket filter set with SO_ATTACH_BPF. The socket holds the program: the attachment ends with the socket,
/// or when <see cref="BpfLink.Dispose"/> (unless disconnected) or <see cref="BpfLink.Detach"/> removes it with
/// SO_DETACH_BPF. There is no kernel link object: it cannot be pinned or updated in place (attach the new
/// program to the socket instead, which replaces the filter).
/// </summary>
public sealed unsafe class SocketFilterAttachment : BpfAttachment
{
    // Not owned, and not referenced between calls: closing the socket must close it (and end the filter).
    private readonly SafeHandle _socket;

    /// <summary>The attached program's kernel id.</summary>
    public uint ProgramId { get; }

    private SocketFilterAttachment(SafeHandle socket, uint programId) : base(BpfLinkKind.SocketOption)
    {
        _socket = socket;
        ProgramId = programId;
    }

    internal static SocketFilterAttachment Attach(BpfProgram program, SafeHandle socket)
    {
        // Read before the filter is set: nothing may throw between setting it and handing it over.
        uint programId = program.Id;
        bool added = false;
        socket.DangerousAddRef(ref added);
        try
        {
            using var prog = new HandleUse(program.Handle);
            int fd = (int)prog.Fd;
            if (Libc.setsockopt((int)socket.DangerousGetHandle(), Libc.SOL_SOCKET, Libc.SO_ATTACH_BPF, &fd, sizeof(int)) < 0)
                throw new BpfException("setsockopt(SO_ATTACH_BPF)", Libc.LastErrno, $"{program} to socket fd {socket.DangerousGetHandle()}");
            return new SocketFilterAttachment(socket, programId);
        }
        finally
        {
            if (added) socket.DangerousRelease();
        }
    }

    /// <summary>SO_DETACH_BPF; 0 or -errno. ENOENT: no filter (removed already); EBADF/ENOTSOCK: the socket is closed.</summary>
    private protected override int TryDetach()
    {
        bool added = false;
        try
        {
            _socket.DangerousAddRef(ref added);
        }
        catch (ObjectDisposedException)
        {
            return 0; // the socket is closed, and its filter with it
        }
        try
        {
            int unused = 0;
            int r = Libc.setsockopt((int)_socket.DangerousGetHandle(), Libc.SOL_SOCKET, Libc.SO_DETACH_BPF, &unused, sizeof(int));
            return r == 0 || Libc.LastErrno == Errnos.ENOENT ? 0 : -Libc.LastErrno;
        }
        finally
        {
            if (added) _socket.DangerousRelease();
        }
    }

    private protected override (string Call, string What) DetachDescription => ("setsockopt(SO_DETACH_BPF)", ToString());

    // A finalizer must not touch the socket: it may already be finalized (and its fd number reused).
    private protected override bool DetachWhenFinalized => false;

    /// <summary>Always throws <see cref="NotSupportedException"/>: a socket filter has no link to update; attach the new program instead.</summary>
    public override void Update(BpfProgram newProgram, BpfProgram? expectedOld = null) =>
        throw new NotSupportedException("a socket filter has no BPF link to update; attach the new program to the socket, which replaces the filter");

    /// <summary>What was attached; the kernel does not report a socket's filter by id.</summary>
    public override BpfLinkInfo GetInfo() => new(0, BpfLinkType.Unspec, ProgramId);

    /// <summary>The attachment and its program id.</summary>
    public override string ToString() => $"SocketFilterAttachment of program id {ProgramId}";
}
