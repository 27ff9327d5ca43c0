using BpfSharp.Interop;
using BpfSharp.Links;

namespace BpfSharp;

public sealed partial class BpfMap
{
    /// <summary>
    /// Registers a struct_ops map (created with <see cref="BpfMapFlags.Link"/>, its value set) with the kernel
    /// subsystem it implements, through a link: the registration lasts until the link's last fd is closed
    /// (unless pinned) or <see cref="BpfLink.Detach"/>. <see cref="BpfLink.Update"/> does not apply; a
    /// struct_ops link swaps maps with <see cref="StructOpsLink.UpdateMap"/>.
    /// </summary>
    public StructOpsLink AttachStructOps()
    {
        if (Type != BpfMapType.StructOps)
            throw new InvalidOperationException($"map \"{Name}\" is a {Type} map; only struct_ops maps register through a link");
        if ((Flags & BpfMapFlags.Link) == 0)
            throw new InvalidOperationException($"struct_ops map \"{Name}\" was created without BpfMapFlags.Link: it registers by its update (RegisterStructOps)");
        using var refs = new HandleRefs();
        var attr = new LinkCreateAttr { prog_fd = refs.Add(Handle), attach_type = (uint)BpfAttachType.StructOps };
        return new StructOpsLink(Bpf.CallForFd(BpfCommand.BPF_LINK_CREATE, ref attr, $"struct_ops map \"{Name}\""));
    }

    /// <summary>
    /// Registers a struct_ops map created without <see cref="BpfMapFlags.Link"/> the older way: setting its
    /// value (<paramref name="value"/>, a <c>bpf_struct_ops_*</c> struct) is the registration. The kernel then
    /// holds the map: the registration outlives every fd and the process, until the result is disposed (which
    /// deletes the element, unregistering it) unless disconnected.
    /// </summary>
    public StructOpsRegistration RegisterStructOps(ReadOnlySpan<byte> value)
    {
        if (Type != BpfMapType.StructOps)
            throw new InvalidOperationException($"map \"{Name}\" is a {Type} map; only struct_ops maps register");
        if ((Flags & BpfMapFlags.Link) != 0)
            throw new InvalidOperationException($"struct_ops map \"{Name}\" was created with BpfMapFlags.Link: its update does not register it; use AttachStructOps");
        // The id is read before the map registers: nothing may throw between registering and handing it over.
        uint id = Id;
        var dup = Handle.Duplicate();
        try
        {
            Update(stackalloc byte[4], value);
            return new StructOpsRegistration(dup, id, Name);
        }
        catch
        {
            dup.Dispose();
            throw;
        }
    }
}
