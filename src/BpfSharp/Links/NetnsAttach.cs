using BpfSharp.Interop;
using BpfSharp.Links;

namespace BpfSharp;

/// <summary>The optional parts of <see cref="BpfProgram.AttachNetns(string, NetnsAttachOptions?)"/>.</summary>
public sealed class NetnsAttachOptions
{
    /// <summary>
    /// flow_dissector only: attach with BPF_PROG_ATTACH instead of a link. The result is a
    /// <see cref="ProgramAttachment"/>, which the namespace keeps after the process exits unless disposed.
    /// </summary>
    public bool UseProgramAttach { get; init; }
}

public sealed partial class BpfProgram
{
    /// <summary>
    /// Attaches an sk_lookup or flow_dissector program to a network namespace, given by a namespace file
    /// (<c>/proc/PID/ns/net</c>, <c>/run/netns/NAME</c>). The link does not keep the namespace alive: when
    /// the namespace goes away the link is detached (its info then shows inode 0).
    /// </summary>
    public BpfLink AttachNetns(string netnsPath, NetnsAttachOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(netnsPath);
        using var netns = NetNamespace.Open(netnsPath);
        return AttachNetns(netns, options, $"network namespace {netnsPath}");
    }

    /// <summary>Attaches to the network namespace open at <paramref name="netns"/> (the caller keeps its handle).</summary>
    public BpfLink AttachNetns(SafeFdHandle netns, NetnsAttachOptions? options = null)
    {
        using var ns = NetNamespace.FromHandle(netns);
        return AttachNetns(ns, options, $"network namespace inode {ns.Inode}");
    }

    private BpfLink AttachNetns(NetNamespace netns, NetnsAttachOptions? options, string description)
    {
        var type = NetnsAttachType();
        if (options?.UseProgramAttach == true)
        {
            if (type != BpfAttachType.FlowDissector)
                throw new NotSupportedException($"{this}: only flow_dissector programs attach to a namespace with BPF_PROG_ATTACH; {type} needs a link");
            // The kernel takes the namespace of the calling thread: the attachment runs (and later detaches) there.
            var owned = NetNamespace.FromHandle(netns.Handle);
            return ProgramAttachment.Attach(this, null, 0, owned, type, 0, null, null, 0, description);
        }
        using var refs = new HandleRefs();
        var attr = new LinkCreateAttr { prog_fd = refs.Add(Handle), target_fd = refs.Add(netns.Handle), attach_type = (uint)type };
        return new NetnsLink(Bpf.CallForFd(BpfCommand.BPF_LINK_CREATE, ref attr, $"{this} to {description} ({type})"));
    }

    private BpfAttachType NetnsAttachType() => Type switch
    {
        BpfProgramType.SkLookup => BpfAttachType.SkLookup,
        BpfProgramType.FlowDissector => BpfAttachType.FlowDissector,
        _ => throw new InvalidOperationException($"{this} is a {Type} program; only sk_lookup and flow_dissector programs attach to a network namespace"),
    };
}
