using BpfSharp.Interop;
using BpfSharp.Links;

namespace BpfSharp;

/// <summary>The side of an interface a tc or tcx program sees packets on.</summary>
public enum TcDirection
{
    Ingress,
    Egress,
}

/// <summary>The optional parts of <c>AttachTcx</c>.</summary>
public sealed class TcxAttachOptions
{
    /// <summary>Where among the hook's programs; after the last by default.</summary>
    public AttachPosition? Position { get; init; }

    /// <summary>Fail with ESTALE unless the hook is at this revision (see <see cref="AttachedPrograms.Tcx"/>); 0 does not check.</summary>
    public ulong ExpectedRevision { get; init; }

    /// <summary>
    /// Attach with BPF_PROG_ATTACH instead of a link: the result is a <see cref="ProgramAttachment"/>, which
    /// the interface keeps after the process exits unless it is disposed.
    /// </summary>
    public bool UseProgramAttach { get; init; }

    /// <summary><see cref="UseProgramAttach"/> only: take the place of this program (BPF_F_REPLACE).</summary>
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
        /// TCX_DROP = 2, TCX_REDIRECT = 7). By default the result is a <see cref="TcxLink"/>.
        /// </summary>
        public BpfLink AttachTcx(int ifindex, TcDirection direction, TcxAttachOptions? options = null)
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(ifindex);
            options ??= new TcxAttachOptions();
            var type = TcxAttach.AttachType(direction);
            var where = $"tcx {direction.ToString().ToLowerInvariant()} of ifindex {ifindex}";
            if (options.UseProgramAttach)
            {
                BpfFeatures.Tcx.ThrowIfUnsupported();
                return ProgramAttachment.Attach(program, null, ifindex, NetNamespace.OfCurrentThread(), type, 0, options.Replace,
                    options.Position, options.ExpectedRevision, where);
            }
            if (options.Replace is not null)
                throw new ArgumentException("a tcx link cannot replace a program at attach; use Update on its link, or UseProgramAttach", nameof(options));
            return new TcxLink(MultiProgramLink.Create(program, ifindex, type, options.Position, options.ExpectedRevision, where));
        }

        /// <summary>Attaches to the tcx hook of the interface named <paramref name="interfaceName"/>.</summary>
        public BpfLink AttachTcx(string interfaceName, TcDirection direction, TcxAttachOptions? options = null) =>
            program.AttachTcx(NetworkInterfaces.IndexOf(interfaceName), direction, options);
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
