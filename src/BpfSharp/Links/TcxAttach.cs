using BpfSharp.Interop;
using BpfSharp.Links;

namespace BpfSharp;

/// <summary>The side of an interface a tc or tcx program sees packets on.</summary>
public enum TcDirection
{
    /// <summary>Packets the interface receives.</summary>
    Ingress,
    /// <summary>Packets the interface sends.</summary>
    Egress,
}

/// <summary>The optional parts of <c>AttachTcx</c> (a tcx link).</summary>
public class TcxAttachOptions
{
    /// <summary>Where among the hook's programs; after the last by default.</summary>
    public AttachPosition? Position { get; init; }

    /// <summary>Fail with ESTALE unless the hook is at this revision (see <see cref="AttachedPrograms.Tcx"/>); 0 does not check.</summary>
    public ulong ExpectedRevision { get; init; }
}

/// <summary>The optional parts of <c>AttachTcxProgram</c> (BPF_PROG_ATTACH to the tcx hook).</summary>
public sealed class TcxProgramAttachOptions : TcxAttachOptions
{
    /// <summary>Take the place of this program (BPF_F_REPLACE).</summary>
    public BpfProgram? Replace { get; init; }
}

/// <summary>TcxAttach: the attach methods of <see cref="BpfProgram"/> for this kind (extension members: the Links layer sits above the program).</summary>
public static class TcxAttachExtensions
{
    extension(BpfProgram program)
    {
        /// <summary>
        /// Attaches a sched_cls program to the tcx hook (Linux 6.6) of the interface <paramref name="ifindex"/> (in
        /// the calling thread's network namespace) at ingress or egress. tcx programs run in order, before any
        /// classic tc filter; each returns a tcx verdict (TCX_NEXT = -1 passes on to the next program, TCX_PASS = 0,
        /// TCX_DROP = 2, TCX_REDIRECT = 7). The tcx link holds the place until its last fd is closed (unless pinned).
        /// </summary>
        public TcxLink AttachTcx(int ifindex, TcDirection direction, TcxAttachOptions? options = null)
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(ifindex);
            if (options is TcxProgramAttachOptions)
                throw new ArgumentException("BPF_PROG_ATTACH options given to a tcx link attach; use AttachTcxProgram", nameof(options));
            options ??= new TcxAttachOptions();
            var type = TcxAttach.AttachType(direction);
            var where = $"tcx {direction.ToString().ToLowerInvariant()} of ifindex {ifindex}";
            return new TcxLink(MultiProgramLink.Create(program, ifindex, type, options.Position, options.ExpectedRevision, where));
        }

        /// <summary>Attaches to the tcx hook of the interface named <paramref name="interfaceName"/>.</summary>
        public TcxLink AttachTcx(string interfaceName, TcDirection direction, TcxAttachOptions? options = null) =>
            program.AttachTcx(NetworkInterfaces.IndexOf(interfaceName), direction, options);

        /// <summary>
        /// Attaches to the tcx hook with BPF_PROG_ATTACH: the interface keeps the program after the process exits,
        /// until the result is disposed (unless disconnected), someone detaches it, or the interface goes.
        /// </summary>
        public ProgramAttachment AttachTcxProgram(int ifindex, TcDirection direction, TcxProgramAttachOptions? options = null)
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(ifindex);
            options ??= new TcxProgramAttachOptions();
            var type = TcxAttach.AttachType(direction);
            var where = $"tcx {direction.ToString().ToLowerInvariant()} of ifindex {ifindex}";
            BpfFeatures.Tcx.ThrowIfUnsupported();
            return ProgramAttachment.Attach(program, null, ifindex, NetNamespace.OfCurrentThread(), type, 0, options.Replace,
                options.Position, options.ExpectedRevision, where);
        }

        /// <summary>Attaches with BPF_PROG_ATTACH to the tcx hook of the interface named <paramref name="interfaceName"/>.</summary>
        public ProgramAttachment AttachTcxProgram(string interfaceName, TcDirection direction, TcxProgramAttachOptions? options = null) =>
            program.AttachTcxProgram(NetworkInterfaces.IndexOf(interfaceName), direction, options);
    }
}

internal static class TcxAttach
{
    public static BpfAttachType AttachType(TcDirection direction) =>
        direction == TcDirection.Egress ? BpfAttachType.TcxEgress : BpfAttachType.TcxIngress;
}

/// <summary>BPF_LINK_CREATE on an interface's multi-program hook (tcx, netkit).</summary>
internal static class MultiProgramLink
{
    public static SafeFdHandle Create(BpfProgram program, int ifindex, BpfAttachType type, AttachPosition? position,
        ulong expectedRevision, string where)
    {
        using var refs = new HandleRefs();
        var attr = new LinkCreateAttr
        {
            prog_fd = refs.Add(program.Handle),
            target_fd = (uint)ifindex,
            attach_type = (uint)type,
            expected_revision = expectedRevision,
        };
        if (position is not null)
        {
            var (flags, relative) = position.Resolve(refs);
            attr.flags = flags;
            attr.relative_fd = relative;
        }
        try
        {
            return Bpf.CallForFd(BpfCommand.BPF_LINK_CREATE, ref attr,
                $"{program} to {where}{(position is null ? "" : ", " + position)}{(expectedRevision == 0 ? "" : $", at revision {expectedRevision}")}");
        }
        catch (BpfException e) when (e.Errno == Errno.EINVAL)
        {
            // An attach type the kernel does not know is EINVAL too: name the missing feature instead.
            (type is BpfAttachType.NetkitPrimary or BpfAttachType.NetkitPeer ? BpfFeatures.Netkit : BpfFeatures.Tcx).ThrowIfUnsupported();
            throw;
        }
    }
}
