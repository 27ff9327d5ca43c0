using BpfSharp.Interop;
using BpfSharp.Links;

namespace BpfSharp;

public sealed partial class BpfProgram
{
    /// <summary>
    /// Attaches an extension (freplace) program in place of the global function <paramref name="functionName"/>
    /// of <paramref name="targetProgram"/> (which must have BTF): the target then runs this program wherever
    /// it called the function, until the link's last fd is closed (unless pinned). The extension need not have
    /// been loaded for this target; its signature must match the function's. The result is a
    /// <see cref="TracingLink"/>.
    /// </summary>
    public TracingLink AttachFreplace(BpfProgram targetProgram, string functionName)
    {
        ArgumentNullException.ThrowIfNull(targetProgram);
        ArgumentException.ThrowIfNullOrEmpty(functionName);
        if (Type != BpfProgramType.Ext)
            throw new InvalidOperationException($"{this} is a {Type} program; only extension (freplace) programs replace a function");
        uint btfId = AttachTargets.ResolveInProgram(targetProgram, functionName, "BPF_LINK_CREATE");
        using var refs = new HandleRefs();
        var attr = new LinkCreateAttr
        {
            prog_fd = refs.Add(Handle),
            target_fd = refs.Add(targetProgram.Handle),
            target_btf_id = btfId,
        };
        var fd = Bpf.CallForFd(BpfCommand.BPF_LINK_CREATE, ref attr, $"{this} in place of {functionName} of {targetProgram}");
        // Not typed by asking the kernel: once attached, no call may fail the attach.
        return new TracingLink(fd);
    }
}
