using BpfSharp.Interop;
using BpfSharp.Links;

namespace BpfSharp;

/// <summary>How <c>AttachCgroupProgram</c> attaches a program to a cgroup with BPF_PROG_ATTACH.</summary>
public enum CgroupAttachMode
{
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

/// <summary>The optional parts of <c>AttachCgroup</c> (a cgroup link).</summary>
public class CgroupAttachOptions
{
    /// <summary>Where among the cgroup's programs (Linux 6.16); the end by default.</summary>
    public AttachPosition? Position { get; init; }

    /// <summary>Fail with ESTALE unless the cgroup's programs are at this revision (Linux 6.16); 0 does not check.</summary>
    public ulong ExpectedRevision { get; init; }
}

/// <summary>The optional parts of <c>AttachCgroupProgram</c> (BPF_PROG_ATTACH).</summary>
public sealed class CgroupProgramAttachOptions : CgroupAttachOptions
{
    /// <summary>
    /// <see cref="CgroupAttachMode.Multi"/> only: replace this program atomically (BPF_F_REPLACE); the
    /// kernel fails with ENOENT when it is not attached to the cgroup.
    /// </summary>
    public BpfProgram? Replace { get; init; }
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
        /// (by default the type it was loaded for) through a cgroup link (BPF_LINK_CREATE, Linux 5.7): it then runs for
        /// the sockets, devices or sysctls of every process in the cgroup and its descendants until the link's last
        /// fd is closed, unless pinned.
        /// </summary>
        public CgroupLink AttachCgroup(string cgroupPath, BpfAttachType? attachType = null, CgroupAttachOptions? options = null)
        {
            ArgumentException.ThrowIfNullOrEmpty(cgroupPath);
            using var cgroup = CgroupAttach.Open(cgroupPath);
            return program.AttachCgroupLink(cgroup, attachType, options, $"cgroup {cgroupPath}");
        }

        /// <summary>
        /// Attaches the program to a cgroup v2 directory with BPF_PROG_ATTACH in <paramref name="mode"/>: the cgroup
        /// keeps the program after every fd is closed and after the process exits, until the result is disposed
        /// (unless disconnected) or someone detaches it.
        /// </summary>
        public ProgramAttachment AttachCgroupProgram(string cgroupPath, CgroupAttachMode mode, BpfAttachType? attachType = null,
            CgroupProgramAttachOptions? options = null)
        {
            ArgumentException.ThrowIfNullOrEmpty(cgroupPath);
            using var cgroup = CgroupAttach.Open(cgroupPath);
            return program.AttachCgroupProgram(cgroup, mode, attachType, options, $"cgroup {cgroupPath}");
        }

        /// <summary>Attaches with BPF_PROG_ATTACH to the cgroup open at <paramref name="cgroup"/> (the caller keeps its handle).</summary>
        public ProgramAttachment AttachCgroupProgram(SafeFdHandle cgroup, CgroupAttachMode mode, BpfAttachType? attachType = null,
            CgroupProgramAttachOptions? options = null) =>
            program.AttachCgroupProgram(cgroup, mode, attachType, options, $"cgroup fd {cgroup.Fd}");

        /// <summary>
        /// Attaches the program to the cgroup open at <paramref name="cgroup"/> (a directory fd). The caller keeps
        /// its handle: closing it later does not detach a link (the link holds the cgroup itself).
        /// </summary>
        public CgroupLink AttachCgroup(SafeFdHandle cgroup, BpfAttachType? attachType = null, CgroupAttachOptions? options = null) =>
            program.AttachCgroupLink(cgroup, attachType, options, $"cgroup fd {cgroup.Fd}");

        internal BpfAttachType CgroupAttachType(BpfAttachType? attachType) => attachType ?? program.ExpectedAttachType
            ?? throw new ArgumentException($"{program} was loaded without an expected attach type: name the cgroup attach type", nameof(attachType));

        internal CgroupLink AttachCgroupLink(SafeFdHandle cgroup, BpfAttachType? attachType, CgroupAttachOptions? options, string description)
        {
            options ??= new CgroupAttachOptions();
            var type = program.CgroupAttachType(attachType);
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

        internal ProgramAttachment AttachCgroupProgram(SafeFdHandle cgroup, CgroupAttachMode attachMode, BpfAttachType? attachType,
            CgroupProgramAttachOptions? options, string description)
        {
            options ??= new CgroupProgramAttachOptions();
            var type = program.CgroupAttachType(attachType);
            if (options.Replace is not null && attachMode != CgroupAttachMode.Multi)
                throw new ArgumentException("replacing a program (BPF_F_REPLACE) needs CgroupAttachMode.Multi", nameof(options));
            uint mode = attachMode switch
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
