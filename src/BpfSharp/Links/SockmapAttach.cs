using BpfSharp.Interop;
using BpfSharp.Links;

namespace BpfSharp;

/// <summary>SockmapAttach: the attach methods of <see cref="BpfProgram"/> for this kind (extension members: the Links layer sits above the program).</summary>
public static class SockmapAttachExtensions
{
    extension(BpfProgram program)
    {
        /// <summary>
        /// Attaches an sk_msg or sk_skb program to a sockmap or sockhash at <paramref name="attachType"/> (by
        /// default the type it was loaded for: sk_msg verdict, sk_skb stream parser / stream verdict / verdict).
        /// It then runs for the messages or data of every socket in the map. A map holds one program per
        /// attach type. The sockmap link (Linux 6.10) holds it until its last fd is closed, unless pinned.
        /// </summary>
        public SockmapLink AttachSockmap(BpfMap map, BpfAttachType? attachType = null)
        {
            ArgumentNullException.ThrowIfNull(map);
            var type = program.SockmapAttachType(attachType);
            string description = $"map \"{map.Name}\"";
            using var refs = new HandleRefs();
            var attr = new LinkCreateAttr { prog_fd = refs.Add(program.Handle), target_fd = refs.Add(map.Handle), attach_type = (uint)type };
            try
            {
                return new SockmapLink(Bpf.CallForFd(BpfCommand.BPF_LINK_CREATE, ref attr, $"{program} to {description} ({type})"));
            }
            catch (BpfException e) when (e.Errno == Errno.EINVAL)
            {
                BpfFeatures.SockmapLinks.ThrowIfUnsupported();
                throw;
            }
        }

        /// <summary>
        /// Attaches to a sockmap or sockhash with BPF_PROG_ATTACH: the map keeps the program as long as the map lives,
        /// until the result is disposed (unless disconnected) or someone detaches it.
        /// </summary>
        public ProgramAttachment AttachSockmapProgram(BpfMap map, BpfAttachType? attachType = null)
        {
            ArgumentNullException.ThrowIfNull(map);
            var type = program.SockmapAttachType(attachType);
            return ProgramAttachment.Attach(program, map.Handle.Duplicate(), 0, null, type, 0, null, null, 0, $"map \"{map.Name}\"");
        }

        internal BpfAttachType SockmapAttachType(BpfAttachType? attachType) =>
            attachType ?? program.ExpectedAttachType ?? (program.Type == BpfProgramType.SkMsg ? BpfAttachType.SkMsgVerdict
                : throw new ArgumentException($"{program} was loaded without an expected attach type: name the sockmap attach type", nameof(attachType)));
    }
}
