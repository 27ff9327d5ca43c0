using BpfSharp.Interop;

namespace BpfSharp.Links;

/// <summary>
/// A cgroup link (BPF_LINK_CREATE on a cgroup): the program runs for the cgroup and its descendants until
/// the last fd of the link is closed (unless pinned), <see cref="BpfLink.Detach"/> is called, or the cgroup is
/// removed, which detaches it (its info then shows cgroup id 0).
/// </summary>
public sealed class CgroupLink : BpfFdLink
{
    internal CgroupLink(SafeFdHandle handle) : base(handle) { }

    /// <summary>What the kernel reports about the link: the cgroup's id (0 once detached) and the attach type.</summary>
    public override CgroupLinkInfo GetInfo() => (CgroupLinkInfo)base.GetInfo();
}

/// <summary>What the kernel reports about a cgroup link.</summary>
/// <param name="Id">The link's kernel id.</param>
/// <param name="ProgramId">The id of the program the link runs.</param>
/// <param name="CgroupId">The cgroup's id (its inode number), 0 once detached.</param>
/// <param name="AttachType">The hook in the cgroup.</param>
public sealed record CgroupLinkInfo(uint Id, uint ProgramId, ulong CgroupId, BpfAttachType AttachType)
    : BpfLinkInfo(Id, BpfLinkType.Cgroup, ProgramId);
