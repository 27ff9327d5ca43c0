using BpfSharp.Btf;

namespace BpfSharp;

/// <summary>
/// Resolves a program's attach target name to the BTF id the kernel expects at load, with the kernel's
/// naming rules: tp_btf targets are <c>btf_trace_NAME</c> typedefs, lsm hooks <c>bpf_lsm_NAME</c> functions,
/// iterators <c>bpf_iter_NAME</c> functions, and fentry/fexit/fmod_ret targets the functions themselves.
/// </summary>
internal static class AttachTargets
{
    public static uint Resolve(BpfProgramType type, BpfAttachType? attachType, string target, BpfProgram? targetProgram)
    {
        if (targetProgram is not null)
            return ResolveInProgram(targetProgram, target);
        var (name, kind) = (type, attachType) switch
        {
            (BpfProgramType.Tracing, BpfAttachType.TraceRawTp) => ("btf_trace_" + target, BtfKind.Typedef),
            (BpfProgramType.Tracing, BpfAttachType.TraceIter) => ("bpf_iter_" + target, BtfKind.Func),
            (BpfProgramType.Lsm, _) => ("bpf_lsm_" + target, BtfKind.Func),
            _ => (target, BtfKind.Func),
        };
        BtfSpec kernel;
        try
        {
            kernel = BtfSpec.LoadKernel();
        }
        catch (NotSupportedException e)
        {
            // The target's id is the running kernel's own: a BTF file given for CO-RE cannot stand in for it.
            // libbpf fails the same way (ESRCH, no valid kernel BTF).
            throw new BpfException("BPF_PROG_LOAD", Interop.Errnos.ESRCH, $"a {type} program's target '{target}' is found in the kernel's BTF, which is not there: {e.Message}");
        }
        // ESRCH, as libbpf reports a target missing from the kernel's BTF, so callers can test for it.
        if (!kernel.TryFindId(name, kind, out int id))
            throw new BpfException("BPF_PROG_LOAD", Interop.Errnos.ESRCH, $"the kernel's BTF has no {kind} '{name}' to attach a {type} program to (target '{target}')");
        return (uint)id;
    }

    /// <summary>freplace: the function's id in the target program's own BTF.</summary>
    internal static uint ResolveInProgram(BpfProgram program, string function, string operation = "BPF_PROG_LOAD")
    {
        var info = program.GetInfo();
        if (info.BtfId == 0)
            throw new BpfException(operation, Interop.Errnos.EINVAL, $"{program} has no BTF, so function '{function}' cannot be found in it");
        using var btf = Interop.BtfObjects.OpenById(info.BtfId);
        // A program's BTF came from BPF_BTF_LOAD, which takes standalone BTF: its ids start at 1, not after vmlinux.
        var spec = BtfSpec.Parse(Interop.BtfObjects.ReadData(btf));
        if (!spec.TryFindId(function, BtfKind.Func, out int id))
            throw new BpfException(operation, Interop.Errnos.ENOENT, $"{program}'s BTF has no function '{function}'");
        return (uint)id;
    }
}
