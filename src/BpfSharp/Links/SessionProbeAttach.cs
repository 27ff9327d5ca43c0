using BpfSharp.Interop;
using BpfSharp.Links;

namespace BpfSharp;

/// <summary>
/// Session probes: one program on both the entry and the return of each function (<c>kprobe.session</c>, Linux
/// 6.10; <c>uprobe.session</c>, 6.12). The entry's return value decides: 0 runs the program again on the function's
/// return, anything else skips that run. Within one call, <c>bpf_session_cookie()</c> gives entry and return the
/// same 8 bytes and <c>bpf_session_is_return()</c> tells them apart. The links are kprobe.multi/uprobe.multi links
/// with the session attach type.
/// </summary>
/// <summary>SessionProbeAttach: the attach methods of <see cref="BpfProgram"/> for this kind (extension members: the Links layer sits above the program).</summary>
public static unsafe class SessionProbeAttachExtensions
{
    internal delegate void SessionTarget(ref LinkCreateAttr attr, ulong* target);

    extension(BpfProgram program)
    {
        /// <summary>
        /// Attaches a <c>uprobe.session</c> program (loaded with <see cref="BpfAttachType.TraceUprobeSession"/>) to
        /// the entry and return of every symbol named in one binary.
        /// </summary>
        /// <exception cref="BpfFeatureNotSupportedException">The kernel has no uprobe sessions.</exception>
        public UprobeMultiLink AttachUprobeSession(string binaryPath, IReadOnlyList<string> symbols, MultiProbeAttachOptions? options = null)
        {
            program.RequireSession(BpfAttachType.TraceUprobeSession, options);
            return program.AttachUprobeMulti(binaryPath, symbols, options);
        }

        /// <summary>Attaches a <c>uprobe.session</c> program to every function of a binary matching a glob.</summary>
        public UprobeMultiLink AttachUprobeSession(string binaryPath, string pattern, MultiProbeAttachOptions? options = null)
        {
            program.RequireSession(BpfAttachType.TraceUprobeSession, options);
            return program.AttachUprobeMulti(binaryPath, pattern, options);
        }

        /// <summary>
        /// Attaches a <c>kprobe.session</c> program (loaded with <see cref="BpfAttachType.TraceKprobeSession"/>) to the
        /// entry and return of every kernel function named.
        /// </summary>
        /// <exception cref="BpfFeatureNotSupportedException">The kernel has no kprobe sessions.</exception>
        public KprobeMultiLink AttachKprobeSession(IReadOnlyList<string> functions, MultiProbeAttachOptions? options = null)
        {
            program.RequireSession(BpfAttachType.TraceKprobeSession, options);
            return program.AttachKprobeMulti(functions, options);
        }

        /// <summary>Attaches a <c>kprobe.session</c> program to every traceable kernel function matching a glob.</summary>
        public KprobeMultiLink AttachKprobeSession(string pattern, MultiProbeAttachOptions? options = null)
        {
            program.RequireSession(BpfAttachType.TraceKprobeSession, options);
            return program.AttachKprobeMulti(pattern, options);
        }

        internal void RequireSession(BpfAttachType type, MultiProbeAttachOptions? options)
        {
            // The kernel takes the session from the program's expected attach type, fixed at load.
            if (program.ExpectedAttachType != type)
                throw new InvalidOperationException($"{program} was loaded with expected attach type {program.ExpectedAttachType?.ToString() ?? "none"}; a session attach needs {type} (section \"{(type == BpfAttachType.TraceKprobeSession ? "kprobe" : "uprobe")}.session\")");
            // A session runs on return by the entry's choice: the return flag has no meaning and the kernel refuses it.
            if (options?.Retprobe == true)
                throw new ArgumentException("a session probe runs on entry and, when the entry returns 0, on return: Retprobe does not apply", nameof(options));
            program.ThrowIfSessionUnsupported();
        }

        /// <summary>
        /// Before a kprobe.multi/uprobe.multi link is made: a session program (by section name, auto-attach, or a session
        /// attach method) needs the session feature, which a kernel that lacks it would refuse with a bare EINVAL.
        /// </summary>
        internal void ThrowIfSessionUnsupported()
        {
            if (program.ExpectedAttachType == BpfAttachType.TraceKprobeSession) BpfFeatures.KprobeSession.ThrowIfUnsupported();
            if (program.ExpectedAttachType == BpfAttachType.TraceUprobeSession) BpfFeatures.UprobeSession.ThrowIfUnsupported();
        }

        internal static string? ProbeSessionAttach(BpfAttachType type, SessionTarget setTarget, string target)
        {
            try
            {
                var insns = new Asm.BpfAssembler().Mov64(Asm.BpfRegister.R0, 0).Exit().Build();
                using var prog = BpfProgram.Load(BpfProgramType.Kprobe, insns, new BpfProgramLoadOptions { Name = "probe", ExpectedAttachType = type });
                var name = Bpf.CString(target);
                fixed (byte* n = name)
                {
                    // For kprobes: the address of one symbol name. For uprobes: the path, then one offset.
                    ulong* slots = stackalloc ulong[2] { (ulong)n, 0 };
                    using var use = new HandleUse(prog.Handle);
                    var attr = new LinkCreateAttr { prog_fd = use.Fd, attach_type = (uint)type };
                    setTarget(ref attr, slots);
                    int r = Bpf.TryCall(BpfCommand.BPF_LINK_CREATE, ref attr);
                    if (r >= 0) { Libc.close(r); return null; }
                    return type == BpfAttachType.TraceUprobeSession && r == -Errnos.EBADF ? null : $"{Errnos.Name(-r)} from BPF_LINK_CREATE of a {type} link";
                }
            }
            catch (BpfException e)
            {
                return e.Message;
            }
        }
    }
}

public static unsafe partial class BpfFeatures
{
    /// <summary>kprobe.session links (Linux 6.10, needs fprobe): a real session attach to one kernel function.</summary>
    public static BpfFeature KprobeSession { get; } = new("kprobe.session links", "6.10", () =>
    {
        if (KprobeMulti.MissingReason is { } noMulti) return $"no kprobe.multi links: {noMulti}";
        return BpfProgram.ProbeSessionAttach(BpfAttachType.TraceKprobeSession, (ref LinkCreateAttr attr, ulong* target) =>
        {
            attr.kprobe_multi_cnt = 1;
            attr.kprobe_multi_syms = (ulong)target;
        }, "bpf_fentry_test1");
    });

    /// <summary>
    /// uprobe.session links (Linux 6.12): a link on the directory "/" is refused with EBADF by a kernel that knows the
    /// attach type (it checks for a regular file after the type), with EINVAL by one that does not.
    /// </summary>
    public static BpfFeature UprobeSession { get; } = new("uprobe.session links", "6.12", () =>
    {
        if (UprobeMulti.MissingReason is { } noMulti) return $"no uprobe.multi links: {noMulti}";
        return BpfProgram.ProbeSessionAttach(BpfAttachType.TraceUprobeSession, (ref LinkCreateAttr attr, ulong* target) =>
        {
            attr.uprobe_multi_path = target[0];
            attr.uprobe_multi_offsets = (ulong)&target[1];
            attr.uprobe_multi_cnt = 1;
        }, "/");
    });
}
