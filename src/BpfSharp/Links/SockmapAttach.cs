using BpfSharp.Interop;
using BpfSharp.Links;

namespace BpfSharp;

/// <summary>The optional parts of <c>AttachSockmap</c>.</summary>
public sealed class SockmapAttachOptions
{
    /// <summary>
    /// Attach with BPF_PROG_ATTACH instead of a link (which needs Linux 6.10): the result is a
    /// <see cref="ProgramAttachment"/>, which the map keeps as long as the map lives unless disposed.
    /// </summary>
    public bool UseProgramAttach { get; init; }
}

/// <summary>SockmapAttach: the attach methods of <see cref="BpfProgram"/> for this kind (extension members: the Links layer sits above the program).</summary>
public static class SockmapAttachExtensions
{
    extension(BpfProgram program)
    {
        /// <summary>
        /// Attaches an sk_msg or sk_skb program to a sockmap or sockhash at <paramref name="attachType"/> (by
        /// default the type it was loaded for: sk_msg verdict, sk_skb stream parser / stream verdict / verdict).
        /// It then runs for the messages or data of every socket in the map. A map holds one program per
        /// attach type.
        /// </summary>
        public BpfLink AttachSockmap(BpfMap map, BpfAttachType? attachType = null, SockmapAttachOptions? options = null)
        {
            ArgumentNullException.ThrowIfNull(map);
            var type = attachType ?? program.ExpectedAttachType ?? (program.Type == BpfProgramType.SkMsg ? BpfAttachType.SkMsgVerdict
                : throw new ArgumentException($"{program} was loaded without an expected attach type: name the sockmap attach type", nameof(attachType)));
            string description = $"map \"{map.Name}\"";
            if (options?.UseProgramAttach == true)
                return ProgramAttachment.Attach(program, map.Handle.Duplicate(), 0, null, type, 0, null, null, 0, description);
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
    }
}
