using BpfSharp.Interop;

namespace BpfSharp.Links;

/// <summary>One program of a hook as BPF_PROG_QUERY reports it.</summary>
/// <param name="LinkId">The link holding it (tcx, netkit); 0 for a BPF_PROG_ATTACH attachment and for hooks whose query does not tell (cgroups, namespaces, sockmaps).</param>
/// <param name="AttachFlags">Its own BPF_F_* attach flags (cgroups; 0 elsewhere).</param>
public sealed record AttachedProgram(uint ProgramId, uint LinkId, uint AttachFlags);

/// <summary>The programs of a hook in the order the kernel runs them.</summary>
/// <param name="AttachFlags">The hook's attach flags (a cgroup's BPF_F_ALLOW_MULTI or BPF_F_ALLOW_OVERRIDE).</param>
/// <param name="Revision">The hook's revision (multi-program hooks: tcx, netkit, cgroups from 6.16), which every
/// change increments; pass it as the expected revision of an attach to fail (ESTALE) if anything changed.</param>
public sealed record AttachedProgramList(IReadOnlyList<AttachedProgram> Programs, uint AttachFlags, ulong Revision);

/// <summary>BPF_PROG_QUERY, sized in two calls: first the count, then the ids.</summary>
internal static unsafe class ProgramQuery
{
    public const uint BPF_F_QUERY_EFFECTIVE = 1;

    /// <param name="target">The target's fd (cgroup, namespace, map), or null for an ifindex.</param>
    public static AttachedProgramList Run(SafeFdHandle? target, uint ifindex, BpfAttachType attachType, uint queryFlags, string what)
    {
        // The optional arrays this kernel is taken to know: 2 = link ids (6.6) and per-program flags (6.0), 1 = the
        // flags only, 0 = neither. An older kernel refuses a non-zero field it does not know (EINVAL): ask again
        // without the newest.
        int known = 2;
        int capacity = 0;
        while (true)
        {
            var ids = new uint[capacity];
            var progFlags = new uint[capacity];
            var linkIds = new uint[capacity];
            var linkFlags = new uint[capacity];
            using var refs = new HandleRefs();
            fixed (uint* pIds = ids, pFlags = progFlags, pLinks = linkIds, pLinkFlags = linkFlags)
            {
                var attr = new ProgQueryAttr
                {
                    target_fd = target is null ? ifindex : refs.Add(target),
                    attach_type = (uint)attachType,
                    query_flags = queryFlags,
                    prog_cnt = (uint)capacity,
                };
                if (capacity > 0)
                {
                    attr.prog_ids = (ulong)pIds;
                    // Per-program flags exist only for a cgroup's own programs, not the effective list.
                    if (known >= 1 && (queryFlags & BPF_F_QUERY_EFFECTIVE) == 0) attr.prog_attach_flags = (ulong)pFlags;
                    if (known >= 2)
                    {
                        attr.link_ids = (ulong)pLinks;
                        attr.link_attach_flags = (ulong)pLinkFlags;
                    }
                }
                int r;
                do r = Bpf.TryCall(BpfCommand.BPF_PROG_QUERY, ref attr); while (r == -Errnos.EINTR);
                if (r == -Errnos.EINVAL && capacity > 0 && known > 0)
                {
                    known--;
                    continue;
                }
                // The hook gained programs between the two calls: ask again with room for them.
                if (r == -Errnos.ENOSPC || r == 0 && attr.prog_cnt > capacity)
                {
                    capacity = (int)attr.prog_cnt + 4;
                    continue;
                }
                if (r < 0) throw new BpfException("BPF_PROG_QUERY", -r, $"{what} ({attachType})");
                int count = (int)attr.prog_cnt;
                var programs = new AttachedProgram[count];
                for (int i = 0; i < count; i++) programs[i] = new AttachedProgram(ids[i], linkIds[i], progFlags[i]);
                return new AttachedProgramList(programs, attr.attach_flags, attr.revision);
            }
        }
    }
}
