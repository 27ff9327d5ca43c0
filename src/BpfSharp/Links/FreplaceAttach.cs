using BpfSharp.Interop;
using BpfSharp.Links;

namespace BpfSharp;

/// <summary>FreplaceAttach: the attach methods of <see cref="BpfProgram"/> for this kind (extension members: the Links layer sits above the program).</summary>
public static class FreplaceAttachExtensions
{
    extension(BpfProgram program)
    {
        /// <summary>
        /// Attaches an extension (freplace) program in place of the global function <paramref name="functionName"/>
        /// of <paramref name="targetProgram"/> (which must have BTF): the target then runs program program wherever
        /// it called the function, until the link's last fd is closed (unless pinned). The extension need not have
        /// been loaded for program target; its signature must match the function's. The result is a
        /// <see cref="TracingLink"/>.
        /// </summary>
        public TracingLink AttachFreplace(BpfProgram targetProgram, string functionName)
        {
            ArgumentNullException.ThrowIfNull(targetProgram);
            ArgumentException.ThrowIfNullOrEmpty(functionName);
            if (program.Type != BpfProgramType.Ext)
                throw new InvalidOperationException($"{program} is a {program.Type} program; only extension (freplace) programs replace a function");
            uint btfId = AttachTargets.ResolveInProgram(targetProgram, functionName, "BPF_LINK_CREATE");
            using var refs = new HandleRefs();
            var attr = new LinkCreateAttr
            {
                prog_fd = refs.Add(program.Handle),
                target_fd = refs.Add(targetProgram.Handle),
                target_btf_id = btfId,
            };
            var fd = Bpf.CallForFd(BpfCommand.BPF_LINK_CREATE, ref attr, $"{program} in place of {functionName} of {targetProgram}");
            // Not typed by asking the kernel: once attached, no call may fail the attach.
            return new TracingLink(fd);
        }
    }
}
