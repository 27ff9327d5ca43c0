using BpfSharp.Interop;
using BpfSharp.Links;

namespace BpfSharp;

/// <summary>NetnsAttach: the attach methods of <see cref="BpfProgram"/> for this kind (extension members: the Links layer sits above the program).</summary>
public static class NetnsAttachExtensions
{
    extension(BpfProgram program)
    {
        /// <summary>
        /// Attaches an sk_lookup or flow_dissector program to a network namespace, given by a namespace file
        /// (<c>/proc/PID/ns/net</c>, <c>/run/netns/NAME</c>). The link does not keep the namespace alive: when
        /// the namespace goes away the link is detached (its info then shows inode 0).
        /// </summary>
        public NetnsLink AttachNetns(string netnsPath)
        {
            ArgumentException.ThrowIfNullOrEmpty(netnsPath);
            using var netns = NetNamespace.Open(netnsPath);
            return program.AttachNetnsLink(netns, $"network namespace {netnsPath}");
        }

        /// <summary>Attaches to the network namespace open at <paramref name="netns"/> (the caller keeps its handle).</summary>
        public NetnsLink AttachNetns(SafeFdHandle netns)
        {
            using var ns = NetNamespace.FromHandle(netns);
            return program.AttachNetnsLink(ns, $"network namespace inode {ns.Inode}");
        }

        /// <summary>
        /// Attaches a flow_dissector program to a network namespace with BPF_PROG_ATTACH: the namespace keeps it after
        /// the process exits, until the result is disposed (unless disconnected) or someone detaches it.
        /// </summary>
        public ProgramAttachment AttachNetnsProgram(string netnsPath)
        {
            ArgumentException.ThrowIfNullOrEmpty(netnsPath);
            using var netns = NetNamespace.Open(netnsPath);
            return program.AttachNetnsProgram(netns, $"network namespace {netnsPath}");
        }

        /// <summary>Attaches a flow_dissector program with BPF_PROG_ATTACH to the namespace open at <paramref name="netns"/>.</summary>
        public ProgramAttachment AttachNetnsProgram(SafeFdHandle netns)
        {
            using var ns = NetNamespace.FromHandle(netns);
            return program.AttachNetnsProgram(ns, $"network namespace inode {ns.Inode}");
        }

        internal ProgramAttachment AttachNetnsProgram(NetNamespace netns, string description)
        {
            var type = program.NetnsAttachType();
            if (type != BpfAttachType.FlowDissector)
                throw new NotSupportedException($"{program}: only flow_dissector programs attach to a namespace with BPF_PROG_ATTACH; {type} needs a link");
            // The kernel takes the namespace of the calling thread: the attachment runs (and later detaches) there.
            var owned = NetNamespace.FromHandle(netns.Handle);
            return ProgramAttachment.Attach(program, null, 0, owned, type, 0, null, null, 0, description);
        }

        internal NetnsLink AttachNetnsLink(NetNamespace netns, string description)
        {
            var type = program.NetnsAttachType();
            using var refs = new HandleRefs();
            var attr = new LinkCreateAttr { prog_fd = refs.Add(program.Handle), target_fd = refs.Add(netns.Handle), attach_type = (uint)type };
            return new NetnsLink(Bpf.CallForFd(BpfCommand.BPF_LINK_CREATE, ref attr, $"{program} to {description} ({type})"));
        }

        internal BpfAttachType NetnsAttachType() => program.Type switch
        {
            BpfProgramType.SkLookup => BpfAttachType.SkLookup,
            BpfProgramType.FlowDissector => BpfAttachType.FlowDissector,
            _ => throw new InvalidOperationException($"{program} is a {program.Type} program; only sk_lookup and flow_dissector programs attach to a network namespace"),
        };
    }
}
