using BpfSharp.Btf;
using BpfSharp.Interop;

namespace BpfSharp;

/// <summary>
/// Resolves a program's attach target name to the BTF id the kernel expects at load, with the kernel's
/// naming rules: tp_btf targets are <c>btf_trace_NAME</c> typedefs, lsm hooks <c>bpf_lsm_NAME</c> functions,
/// iterators <c>bpf_iter_NAME</c> functions, and fentry/fexit/fmod_ret targets the functions themselves. A function
/// the kernel's own BTF lacks is looked for in the loaded modules' BTF (ext4_file_open where ext4 is a module), as
/// libbpf does: the load then names that module's BTF object beside the id.
/// </summary>
internal static class AttachTargets
{
    /// <summary>The target's BTF id; for a module's function also the module's BTF object (the caller disposes it).</summary>
    public static (uint Id, SafeFdHandle? ModuleBtf) Resolve(BpfProgramType type, BpfAttachType? attachType, string target, BpfProgram? targetProgram)
    {
        if (targetProgram is not null)
            return (ResolveInProgram(targetProgram, target), null);
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
        if (kernel.TryFindId(name, kind, out int id))
            return ((uint)id, null);
        if (kind == BtfKind.Func && type == BpfProgramType.Tracing && InModules(name) is { } found)
            return found;
        // ESRCH, as libbpf reports a target missing from the kernel's BTF, so callers can test for it.
        throw new BpfException("BPF_PROG_LOAD", Interop.Errnos.ESRCH, $"the kernel's BTF (and its loaded modules') has no {kind} '{name}' to attach a {type} program to (target '{target}')");
    }

    /// <summary>A function of a loaded module: its id in the module's split BTF, and that BTF object, opened.</summary>
    private static (uint Id, SafeFdHandle ModuleBtf)? InModules(string function)
    {
        // The modules' BTF objects (kernel BTF named after their module); the module a function's name starts
        // with (ext4_file_open: ext4) is searched first.
        var modules = new List<(string Name, uint Id)>();
        foreach (uint btfId in BtfObjectInfo.EnumerateIds())
        {
            try
            {
                if (BtfObjectInfo.FromId(btfId) is { IsKernel: true } info && info.Name != "vmlinux") modules.Add((info.Name, btfId));
            }
            catch (BpfException) { /* freed since it was listed */ }
        }
        foreach (var (module, btfId) in modules.OrderBy(m => function.StartsWith(m.Name + "_", StringComparison.Ordinal) ? 0 : 1))
        {
            if (ModuleSpec(module, btfId) is not { } spec || !spec.TryFindId(function, BtfKind.Func, out int id)) continue;
            try { return ((uint)id, Interop.BtfObjects.OpenById(btfId)); }
            catch (BpfException) { continue; } // the module was unloaded meanwhile
        }
        return null;
    }

    private static readonly Dictionary<string, (uint BtfId, BtfSpec Spec)> ModuleSpecs = [];
    private static readonly Lock ModuleSpecsLock = new();

    /// <summary>
    /// A module's parsed BTF, kept while the module stays loaded (an object's programs often target the same module:
    /// it is parsed once); a module loaded again has a BTF object of another id, and is read afresh.
    /// </summary>
    private static BtfSpec? ModuleSpec(string module, uint btfId)
    {
        lock (ModuleSpecsLock)
        {
            if (ModuleSpecs.TryGetValue(module, out var known) && known.BtfId == btfId) return known.Spec;
        }
        BtfSpec spec;
        try { spec = BtfSpec.LoadKernelModule(module); }
        catch (Exception e) when (e is IOException or BpfFormatException) { return null; } // unloaded meanwhile, or unreadable
        lock (ModuleSpecsLock) ModuleSpecs[module] = (btfId, spec);
        return spec;
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
