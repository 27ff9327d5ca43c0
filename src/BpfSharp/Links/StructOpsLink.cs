using BpfSharp.Interop;

namespace BpfSharp.Links;

/// <summary>
/// A struct_ops link: a struct_ops map (created with <see cref="BpfMapFlags.Link"/>) registered with the
/// kernel subsystem it implements (a TCP congestion control...), until the last fd of the link is closed (unless
/// pinned) or <see cref="BpfLink.Detach"/> is called, which unregisters it.
/// </summary>
public sealed class StructOpsLink : BpfFdLink
{
    internal StructOpsLink(SafeFdHandle handle) : base(handle) { }

    /// <summary>What the kernel reports about the link: the struct_ops map's id (0 once detached).</summary>
    public override StructOpsLinkInfo GetInfo() => (StructOpsLinkInfo)base.GetInfo();

    /// <summary>A struct_ops link holds a map, not a program: use <see cref="UpdateMap"/>.</summary>
    public override void Update(BpfProgram newProgram, BpfProgram? expectedOld = null) =>
        throw new NotSupportedException("a struct_ops link registers a map, not a program: use UpdateMap");

    /// <summary>
    /// Registers <paramref name="newMap"/> in place of the link's map atomically (BPF_LINK_UPDATE with map fds);
    /// with <paramref name="expectedOld"/>, only if that is the current map (EPERM otherwise).
    /// </summary>
    public void UpdateMap(BpfMap newMap, BpfMap? expectedOld = null)
    {
        ObjectDisposedException.ThrowIf(IsDisposed, this);
        using var refs = new HandleRefs();
        var attr = new LinkUpdateAttr { link_fd = refs.Add(Handle!), new_prog_fd = refs.Add(newMap.Handle) };
        if (expectedOld is not null)
        {
            attr.flags = 1u << 2; // BPF_F_REPLACE
            attr.old_prog_fd = refs.Add(expectedOld.Handle);
        }
        Bpf.Call(BpfCommand.BPF_LINK_UPDATE, ref attr, $"{Describe()} to map \"{newMap.Name}\"");
    }
}

/// <summary>What the kernel reports about a struct_ops link.</summary>
/// <param name="Id">The link's kernel id.</param>
/// <param name="ProgramId">0: a struct_ops link holds a map, not a program.</param>
/// <param name="MapId">The struct_ops map's id.</param>
public sealed record StructOpsLinkInfo(uint Id, uint ProgramId, uint MapId)
    : BpfLinkInfo(Id, BpfLinkType.StructOps, ProgramId);
