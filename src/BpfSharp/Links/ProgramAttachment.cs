using BpfSharp.Interop;

namespace BpfSharp.Links;

/// <summary>
/// A program attached with BPF_PROG_ATTACH (cgroup, sockmap, flow dissector, tcx without a link). The kernel
/// keeps such an attachment in its target (the cgroup, map, namespace or interface), not in an fd: it stays
/// after every fd is closed and after the process exits, until BPF_PROG_DETACH. <see cref="BpfLink.Dispose"/>
/// detaches it unless <see cref="BpfLink.Disconnect"/> was called; it cannot be pinned.
/// </summary>
public sealed class ProgramAttachment : BpfAttachment
{
    private SafeFdHandle _program;
    private readonly SafeFdHandle? _target;
    private readonly int _ifindex;
    private readonly NetNamespace? _netns;

    /// <summary>The hook.</summary>
    public BpfAttachType AttachType { get; }

    /// <summary>The BPF_F_* flags of the attach (BPF_F_ALLOW_MULTI, BPF_F_ALLOW_OVERRIDE...).</summary>
    public uint AttachFlags { get; }

    /// <summary>The attached program's kernel id.</summary>
    public uint ProgramId { get; private set; }

    /// <summary>What it is attached to, for messages: "cgroup /sys/fs/cgroup/x", "ifindex 3", "map id 7"...</summary>
    public string Target { get; }

    /// <param name="program">A duplicate of the program's fd, owned: the detach names the program.</param>
    /// <param name="target">The target's fd (cgroup, map, namespace), owned; null for an ifindex target.</param>
    /// <param name="netns">The namespace an ifindex or the current-namespace target lives in, owned.</param>
    private ProgramAttachment(SafeFdHandle program, uint programId, SafeFdHandle? target, int ifindex, NetNamespace? netns,
        BpfAttachType attachType, uint flags, string description)
        : base(BpfLinkKind.ProgramAttach)
    {
        _program = program;
        ProgramId = programId;
        _target = target;
        _ifindex = ifindex;
        _netns = netns;
        AttachType = attachType;
        AttachFlags = flags;
        Target = description;
    }

    /// <summary>
    /// Attaches with BPF_PROG_ATTACH and takes ownership of <paramref name="target"/> and <paramref name="netns"/>
    /// (both are released when the attach fails). For an ifindex target (<paramref name="target"/> null,
    /// <paramref name="ifindex"/> set) or a target the kernel takes from the calling thread's namespace (flow
    /// dissector: both unset) the call runs in <paramref name="netns"/>.
    /// </summary>
    internal static ProgramAttachment Attach(BpfProgram program, SafeFdHandle? target, int ifindex, NetNamespace? netns,
        BpfAttachType attachType, uint flags, BpfProgram? replace, AttachPosition? position, ulong expectedRevision, string description)
    {
        SafeFdHandle? dup = null;
        try
        {
            dup = program.Handle.Duplicate();
            uint programId = program.Id;
            RunIn(netns, () =>
            {
                using var refs = new HandleRefs();
                var attr = new ProgAttachAttr
                {
                    target_fd = target is null ? (uint)ifindex : refs.Add(target),
                    attach_bpf_fd = refs.Add(dup),
                    attach_type = (uint)attachType,
                    attach_flags = flags,
                    expected_revision = expectedRevision,
                };
                if (replace is not null)
                {
                    attr.attach_flags |= AttachPosition.BPF_F_REPLACE;
                    attr.replace_bpf_fd = refs.Add(replace.Handle);
                }
                if (position is not null)
                {
                    var (f, relative) = position.Resolve(refs);
                    attr.attach_flags |= f;
                    attr.relative_fd = relative;
                }
                var what = $"{program} to {description} ({attachType}{(position is null ? "" : ", " + position)}{(replace is null ? "" : $", replacing {replace}")})";
                Bpf.Call(BpfCommand.BPF_PROG_ATTACH, ref attr, what);
                return 0;
            });
            return new ProgramAttachment(dup, programId, target, ifindex, netns, attachType, flags, description);
        }
        catch
        {
            dup?.Dispose();
            target?.Dispose();
            netns?.Dispose();
            throw;
        }
    }

    private static T RunIn<T>(NetNamespace? netns, Func<T> action) => netns is null ? action() : netns.Run(action);

    /// <summary>BPF_PROG_DETACH of this program; returns 0 or -errno.</summary>
    private protected override int TryDetach() => RunIn(_netns, () =>
    {
        // A cgroup hook without BPF_F_ALLOW_MULTI detaches whatever it holds, whichever program is named:
        // check that it still holds ours, so as not to remove a program that replaced it.
        if (_target is not null && IsCgroupType(AttachType) && (AttachFlags & CgroupAttach.BPF_F_ALLOW_MULTI) == 0)
        {
            try
            {
                if (!ProgramQuery.Run(_target, 0, AttachType, 0, Target).Programs.Any(p => p.ProgramId == ProgramId)) return 0;
            }
            catch (BpfException e) when (IsGoneErrno((int)e.Errno))
            {
                return 0;
            }
        }
        using var refs = new HandleRefs();
        var attr = new ProgAttachAttr
        {
            target_fd = _target is null ? (uint)_ifindex : refs.Add(_target),
            attach_bpf_fd = refs.Add(_program),
            attach_type = (uint)AttachType,
        };
        int r;
        do r = Bpf.TryCall(BpfCommand.BPF_PROG_DETACH, ref attr); while (r == -Errnos.EINTR);
        return r;
    });

    private static bool IsCgroupType(BpfAttachType type) => type switch
    {
        BpfAttachType.SkSkbStreamParser or BpfAttachType.SkSkbStreamVerdict or BpfAttachType.SkMsgVerdict
            or BpfAttachType.LircMode2 or BpfAttachType.FlowDissector => false,
        <= BpfAttachType.CgroupSetsockopt => true,
        BpfAttachType.CgroupInet4Getpeername or BpfAttachType.CgroupInet6Getpeername or BpfAttachType.CgroupInet4Getsockname
            or BpfAttachType.CgroupInet6Getsockname or BpfAttachType.CgroupInetSockRelease => true,
        >= BpfAttachType.CgroupUnixConnect and <= BpfAttachType.CgroupUnixGetsockname => true,
        _ => false,
    };

    /// <summary>What the kernel answers when the attachment is not there any more.</summary>
    internal static bool IsGoneErrno(int errno) => errno is Errnos.ENOENT or Errnos.ENODEV or Errnos.ENXIO;

    private protected override bool IsGone(int errno) => IsGoneErrno(errno);

    private protected override (string Call, string What) DetachDescription => ("BPF_PROG_DETACH", $"program id {ProgramId} from {Target} ({AttachType})");

    private protected override void ReleaseDisconnected()
    {
        _program.Dispose();
        _target?.Dispose();
        _netns?.Dispose();
    }

    /// <summary>
    /// Attaches <paramref name="newProgram"/> in place of this one with BPF_PROG_ATTACH. Where the kernel
    /// keeps several programs (BPF_F_ALLOW_MULTI cgroups, tcx) it replaces this program atomically
    /// (BPF_F_REPLACE), comparing with <paramref name="expectedOld"/> when given (ENOENT when that is not
    /// attached); elsewhere the hook holds one program, which the new attach replaces, and
    /// <paramref name="expectedOld"/> is not supported.
    /// </summary>
    public override void Update(BpfProgram newProgram, BpfProgram? expectedOld = null)
    {
        ObjectDisposedException.ThrowIf(IsDisposed, this);
        bool multi = (AttachFlags & CgroupAttach.BPF_F_ALLOW_MULTI) != 0 || AttachType is BpfAttachType.TcxIngress or BpfAttachType.TcxEgress;
        if (!multi && expectedOld is not null)
            throw new NotSupportedException($"BPF_PROG_ATTACH to {Target} ({AttachType}) cannot compare the program it replaces");
        var dup = newProgram.Handle.Duplicate();
        try
        {
            uint newId = newProgram.Id;
            RunIn(_netns, () =>
            {
                using var refs = new HandleRefs();
                var attr = new ProgAttachAttr
                {
                    target_fd = _target is null ? (uint)_ifindex : refs.Add(_target),
                    attach_bpf_fd = refs.Add(dup),
                    attach_type = (uint)AttachType,
                    attach_flags = AttachFlags,
                };
                if (multi)
                {
                    attr.attach_flags |= AttachPosition.BPF_F_REPLACE;
                    attr.replace_bpf_fd = refs.Add(expectedOld?.Handle ?? _program);
                }
                Bpf.Call(BpfCommand.BPF_PROG_ATTACH, ref attr, $"{newProgram} to {Target} in place of program id {ProgramId}");
                return 0;
            });
            (_program, dup) = (dup, _program);
            ProgramId = newId;
        }
        finally
        {
            dup.Dispose();
        }
    }

    /// <summary>Whether this program is still attached (BPF_PROG_QUERY of the target), with what the attach was.</summary>
    public override ProgramAttachmentInfo GetInfo()
    {
        ObjectDisposedException.ThrowIf(IsDisposed, this);
        bool attached = RunIn(_netns, () =>
        {
            // A namespace-wide attachment (flow dissector) is queried through the namespace's fd.
            var target = _target ?? (_ifindex == 0 ? _netns?.Handle : null);
            var result = target is null
                ? ProgramQuery.Run(null, (uint)_ifindex, AttachType, 0, Target)
                : ProgramQuery.Run(target, 0, AttachType, 0, Target);
            return result.Programs.Any(p => p.ProgramId == ProgramId);
        });
        return new ProgramAttachmentInfo(ProgramId, AttachType, Target, AttachFlags, attached);
    }

    /// <summary>The program, the target and the attach type.</summary>
    public override string ToString() => $"ProgramAttachment of program id {ProgramId} to {Target} ({AttachType})";
}

/// <summary>What a <see cref="ProgramAttachment"/> is: no kernel link object, so its id is 0 and its type Unspec.</summary>
/// <param name="IsAttached">Whether BPF_PROG_QUERY of the target still lists the program.</param>
public sealed record ProgramAttachmentInfo(uint ProgramId, BpfAttachType AttachType, string Target, uint AttachFlags, bool IsAttached)
    : BpfLinkInfo(0, BpfLinkType.Unspec, ProgramId);
