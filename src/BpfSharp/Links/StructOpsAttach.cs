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
        using var refs = new HandleRefs();
        var attr = new LinkCreateAttr { prog_fd = refs.Add(Handle), attach_type = (uint)BpfAttachType.StructOps };
        return new StructOpsLink(Bpf.CallForFd(BpfCommand.BPF_LINK_CREATE, ref attr, $"struct_ops map \"{Name}\""));
    }
}
