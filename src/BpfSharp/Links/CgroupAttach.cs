using BpfSharp.Interop;
using BpfSharp.Links;

namespace BpfSharp;

/// <summary>How a program is attached to a cgroup.</summary>
public enum CgroupAttachMode
{
    /// <summary>A <see cref="CgroupLink"/> (BPF_LINK_CREATE, Linux 5.7): detached when its last fd closes, unless pinned.</summary>
    Link,
    /// <summary>
    /// BPF_PROG_ATTACH without flags: the cgroup's only program of the attach type; attaching another the
    /// same way replaces it, and descendants cannot attach their own.
    /// </summary>
    Exclusive,
    /// <summary>BPF_PROG_ATTACH with BPF_F_ALLOW_OVERRIDE: one program, which a descendant's own program overrides.</summary>
    Override,
    /// <summary>BPF_PROG_ATTACH with BPF_F_ALLOW_MULTI: one of several programs, all run along with the descendants'.</summary>
    Multi,
}

/// <summary>The optional parts of <c>AttachCgroup</c>.</summary>
public sealed class CgroupAttachOptions
{
    /// <summary>A link (the default) or one of the legacy BPF_PROG_ATTACH modes, which survive the process.</summary>
    public CgroupAttachMode Mode { get; init; }

    /// <summary>
    /// <see cref="CgroupAttachMode.Multi"/> only: replace this program atomically (BPF_F_REPLACE); the
    /// kernel fails with ENOENT when it is not attached to the cgroup.
    /// </summary>
    public BpfProgram? Replace { get; init; }

    /// <summary>Where among the cgroup's programs (Linux 6.16); the end by default.</summary>
    public AttachPosition? Position { get; init; }

    /// <summary>Fail with ESTALE unless the cgroup's programs are at this revision (Linux 6.16); 0 does not check.</summary>
    public ulong ExpectedRevision { get; init; }
}

internal static class CgroupAttach
{
    public const uint BPF_F_ALLOW_OVERRIDE = 1u << 0, BPF_F_ALLOW_MULTI = 1u << 1;

    /// <summary>Opens a cgroup v2 directory for BPF_PROG_ATTACH / BPF_LINK_CREATE / BPF_PROG_QUERY.</summary>
    public static SafeFdHandle Open(string path)
    {
        int fd = Libc.open(path, Libc.O_RDONLY | Libc.O_CLOEXEC, 0);
        if (fd < 0) throw new BpfException("open cgroup", Libc.LastErrno, path);
        return new SafeFdHandle(fd);
    }
}

/// <summary>CgroupAttach: the attach methods of <see cref="BpfProgram"/> for this kind (extension members: the Links layer sits above the program).</summary>
public static class CgroupAttachExtensions
{
    extension(BpfProgram program)
    {
        /// <summary>
        /// Attaches the program to a cgroup v2 directory (<c>/sys/fs/cgroup/...</c>) at <paramref name="attachType"/>
        /// (by default the type it was loaded for): it then runs for the sockets, devices or sysctls of every
        /// process in the cgroup and its descendants. By default the result is a <see cref="CgroupLink"/>; a
        /// legacy <see cref="CgroupAttachOptions.Mode"/> gives a <see cref="ProgramAttachment"/>, which the
        /// kernel keeps after the process exits unless it is disposed.
        /// </summary>
        public BpfLink AttachCgroup(string cgroupPath, BpfAttachType? attachType = null, CgroupAttachOptions? options = null)
        {
            ArgumentException.ThrowIfNullOrEmpty(cgroupPath);
            using var cgroup = CgroupAttach.Open(cgroupPath);
            return program.AttachCgroup(cgroup, attachType, options, $"cgroup {cgroupPath}");
        }

        /// <summary>
        /// Attaches the program to the cgroup open at <paramref name="cgroup"/> (a directory fd). The caller keeps
        /// its handle: closing it later does not detach a link (the link holds the cgroup itself).
        /// </summary>
        public BpfLink AttachCgroup(SafeFdHandle cgroup, BpfAttachType? attachType = null, CgroupAttachOptions? options = null) =>
            program.AttachCgroup(cgroup, attachType, options, $"cgroup fd {cgroup.Fd}");

        internal BpfLink AttachCgroup(SafeFdHandle cgroup, BpfAttachType? attachType, CgroupAttachOptions? options, string description)
        {
            options ??= new CgroupAttachOptions();
            var type = attachType ?? program.ExpectedAttachType
                ?? throw new ArgumentException($"{program} was loaded without an expected attach type: name the cgroup attach type", nameof(attachType));
            if (options.Replace is not null && options.Mode != CgroupAttachMode.Multi)
                throw new ArgumentException("replacing a program (BPF_F_REPLACE) needs CgroupAttachMode.Multi", nameof(options));

            if (options.Mode == CgroupAttachMode.Link)
            {
                using var refs = new HandleRefs();
                var attr = new LinkCreateAttr
                {
                    prog_fd = refs.Add(program.Handle),
                    target_fd = refs.Add(cgroup),
                    attach_type = (uint)type,
                    expected_revision = options.ExpectedRevision,
                };
                if (options.Position is not null)
                {
                    var (flags, relative) = options.Position.Resolve(refs);
                    attr.flags = flags;
                    attr.relative_fd = relative;
                }
                var fd = Bpf.CallForFd(BpfCommand.BPF_LINK_CREATE, ref attr, $"{program} to {description} ({type})");
                return new CgroupLink(fd);
            }

            uint mode = options.Mode switch
            {
                CgroupAttachMode.Override => CgroupAttach.BPF_F_ALLOW_OVERRIDE,
                CgroupAttachMode.Multi => CgroupAttach.BPF_F_ALLOW_MULTI,
                _ => 0,
            };
            return ProgramAttachment.Attach(program, cgroup.Duplicate(), 0, null, type, mode, options.Replace, options.Position,
                options.ExpectedRevision, description);
        }
    }
}
