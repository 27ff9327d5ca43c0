using System.Runtime.InteropServices;
using BpfSharp.Interop;
using BpfSharp.Links;
using BpfSharp.Tracing;

namespace BpfSharp;

/// <summary>MultiProbeAttach: the attach methods of <see cref="BpfProgram"/> for this kind (extension members: the Links layer sits above the program).</summary>
public static unsafe class MultiProbeAttachExtensions
{
    extension(BpfProgram program)
    {
        /// <summary>
        /// Attaches a kprobe.multi program (loaded with <see cref="BpfAttachType.TraceKprobeMulti"/>) to every
        /// function named (Linux 5.18, needs fprobe in the kernel).
        /// </summary>
        public KprobeMultiLink AttachKprobeMulti(IReadOnlyList<string> functions, MultiProbeAttachOptions? options = null)
        {
            if (functions.Count == 0) throw new ArgumentException("no functions to attach to", nameof(functions));
            BpfFeatures.KprobeMulti.ThrowIfUnsupported();
            var names = functions.Select(Bpf.CString).ToArray();
            var handles = names.Select(n => GCHandle.Alloc(n, GCHandleType.Pinned)).ToArray();
            try
            {
                var pointers = handles.Select(h => (ulong)h.AddrOfPinnedObject()).ToArray();
                fixed (ulong* syms = pointers)
                    return program.CreateKprobeMulti(syms, null, functions.Count, options, $"{functions.Count} functions ({functions[0]}...)");
            }
            finally
            {
                foreach (var h in handles) h.Free();
            }
        }

        /// <summary>Attaches a kprobe.multi program to every traceable kernel function matching a glob (<c>vfs_*</c>).</summary>
        public KprobeMultiLink AttachKprobeMulti(string pattern, MultiProbeAttachOptions? options = null)
        {
            var functions = KernelSymbols.Current.MatchTraceableFunctions(pattern);
            if (functions.Count == 0) throw new BpfException("BPF_LINK_CREATE", $"no traceable kernel function matches '{pattern}'");
            return program.AttachKprobeMulti(functions, options);
        }

        /// <summary>Attaches a kprobe.multi program to kernel addresses.</summary>
        public KprobeMultiLink AttachKprobeMulti(IReadOnlyList<ulong> addresses, MultiProbeAttachOptions? options = null)
        {
            if (addresses.Count == 0) throw new ArgumentException("no addresses to attach to", nameof(addresses));
            BpfFeatures.KprobeMulti.ThrowIfUnsupported();
            var array = addresses.ToArray();
            fixed (ulong* addrs = array)
                return program.CreateKprobeMulti(null, addrs, array.Length, options, $"{array.Length} addresses");
        }

        internal KprobeMultiLink CreateKprobeMulti(ulong* syms, ulong* addrs, int count, MultiProbeAttachOptions? options, string what)
        {
            program.ThrowIfSessionUnsupported();
            var cookies = Cookies(options, count);
            using var prog = new HandleUse(program.Handle);
            fixed (ulong* c = cookies)
            {
                var attr = new LinkCreateAttr
                {
                    prog_fd = prog.Fd,
                    attach_type = (uint)(program.ExpectedAttachType ?? BpfAttachType.TraceKprobeMulti),
                    kprobe_multi_flags = options?.Retprobe == true ? 1u : 0u, // BPF_F_KPROBE_MULTI_RETURN
                    kprobe_multi_cnt = (uint)count,
                    kprobe_multi_syms = (ulong)syms,
                    kprobe_multi_addrs = (ulong)addrs,
                    kprobe_multi_cookies = cookies is null ? 0 : (ulong)c,
                };
                return new KprobeMultiLink(Bpf.CallForFd(BpfCommand.BPF_LINK_CREATE, ref attr, $"{program} to {what}"));
            }
        }

        /// <summary>
        /// Attaches an uprobe.multi program (loaded with <see cref="BpfAttachType.TraceUprobeMulti"/>) to every
        /// symbol named in one binary (Linux 6.6).
        /// </summary>
        public UprobeMultiLink AttachUprobeMulti(string binaryPath, IReadOnlyList<string> symbols, MultiProbeAttachOptions? options = null)
        {
            if (symbols.Count == 0) throw new ArgumentException("no symbols to attach to", nameof(symbols));
            int pid = Math.Max(options?.ProcessId ?? -1, 0);
            var targets = symbols.Select(s => UprobeTarget.Resolve(binaryPath, s, pid)).ToList();
            return program.CreateUprobeMulti(targets, options);
        }

        /// <summary>Attaches an uprobe.multi program to every function of a binary matching a glob, one probe per address.</summary>
        public UprobeMultiLink AttachUprobeMulti(string binaryPath, string pattern, MultiProbeAttachOptions? options = null)
        {
            var targets = UprobeTarget.ResolvePattern(binaryPath, pattern, Math.Max(options?.ProcessId ?? -1, 0));
            if (targets.Count == 0) throw new BpfException("BPF_LINK_CREATE", $"no function of {binaryPath} matches '{pattern}'");
            return program.CreateUprobeMulti(targets, options);
        }

        internal UprobeMultiLink CreateUprobeMulti(IReadOnlyList<UprobeTarget> targets, MultiProbeAttachOptions? options) =>
            program.CreateUprobeMulti(targets[0].BinaryPath, [.. targets.Select(t => t.FileOffset)], null, Cookies(options, targets.Count),
                options?.ProcessId ?? -1, options?.Retprobe == true);

        /// <summary>One uprobe.multi link on <paramref name="offsets"/> of a file, with optional reference counter (USDT semaphore) offsets and cookies.</summary>
        internal UprobeMultiLink CreateUprobeMulti(string binaryPath, ulong[] offsets, ulong[]? refCtrOffsets, ulong[]? cookies, int pid, bool retprobe)
        {
            // Before 6.6 the kernel answers a bare EINVAL, indistinguishable from a bad argument.
            BpfFeatures.UprobeMulti.ThrowIfUnsupported();
            program.ThrowIfSessionUnsupported();
            var path = Bpf.CString(binaryPath);
            if (refCtrOffsets is not null && refCtrOffsets.All(o => o == 0)) refCtrOffsets = null;
            using var prog = new HandleUse(program.Handle);
            fixed (byte* p = path)
            fixed (ulong* o = offsets, c = cookies, r = refCtrOffsets)
            {
                var attr = new LinkCreateAttr
                {
                    prog_fd = prog.Fd,
                    attach_type = (uint)(program.ExpectedAttachType ?? BpfAttachType.TraceUprobeMulti),
                    uprobe_multi_path = (ulong)p,
                    uprobe_multi_offsets = (ulong)o,
                    uprobe_multi_ref_ctr_offsets = refCtrOffsets is null ? 0 : (ulong)r,
                    uprobe_multi_cookies = cookies is null ? 0 : (ulong)c,
                    uprobe_multi_cnt = (uint)offsets.Length,
                    uprobe_multi_flags = retprobe ? 1u : 0u, // BPF_F_UPROBE_MULTI_RETURN
                    uprobe_multi_pid = (uint)Math.Max(pid, 0),
                };
                var fd = Bpf.CallForFd(BpfCommand.BPF_LINK_CREATE, ref attr, $"{program} to {offsets.Length} offsets of {binaryPath}");
                return new UprobeMultiLink(fd);
            }
        }

        internal static ulong[]? Cookies(MultiProbeAttachOptions? options, int count)
        {
            if (options?.Cookies is not { } cookies) return null;
            if (cookies.Count != count) throw new ArgumentException($"{cookies.Count} cookies for {count} targets", nameof(options));
            return cookies.ToArray();
        }


    }
}

public static unsafe partial class BpfFeatures
{
    /// <summary>
    /// kprobe.multi links (Linux 5.18 with CONFIG_FPROBE): a real attach of a kprobe.multi program to one
    /// kernel function, closed at once.
    /// </summary>
    public static BpfFeature KprobeMulti { get; } = new("kprobe.multi links (fprobe)", "5.18", () =>
    {
        try
        {
            var insns = new Asm.BpfAssembler().Mov64(Asm.BpfRegister.R0, 0).Exit().Build();
            using var prog = BpfProgram.Load(BpfProgramType.Kprobe, insns, new BpfProgramLoadOptions { Name = "probe", ExpectedAttachType = BpfAttachType.TraceKprobeMulti });
            var name = Bpf.CString("bpf_fentry_test1");
            fixed (byte* n = name)
            {
                ulong sym = (ulong)n;
                using var use = new HandleUse(prog.Handle);
                var attr = new LinkCreateAttr
                {
                    prog_fd = use.Fd,
                    attach_type = (uint)BpfAttachType.TraceKprobeMulti,
                    kprobe_multi_cnt = 1,
                    kprobe_multi_syms = (ulong)&sym,
                };
                int r = Bpf.TryCall(BpfCommand.BPF_LINK_CREATE, ref attr);
                if (r >= 0) { Libc.close(r); return null; }
                return $"{Errnos.Name(-r)} from BPF_LINK_CREATE";
            }
        }
        catch (BpfException e)
        {
            return e.Message;
        }
    });

    /// <summary>
    /// uprobe.multi links (Linux 6.6): a link on the directory "/" is refused with EBADF by a kernel that knows
    /// the attach type (it checks for a regular file), with EINVAL by one that does not.
    /// </summary>
    public static BpfFeature UprobeMulti { get; } = new("uprobe.multi links", "6.6", () =>
    {
        try
        {
            var insns = new Asm.BpfAssembler().Mov64(Asm.BpfRegister.R0, 0).Exit().Build();
            using var prog = BpfProgram.Load(BpfProgramType.Kprobe, insns, new BpfProgramLoadOptions { Name = "probe", ExpectedAttachType = BpfAttachType.TraceUprobeMulti });
            var root = Bpf.CString("/");
            ulong offset = 0;
            fixed (byte* p = root)
            {
                using var use = new HandleUse(prog.Handle);
                var attr = new LinkCreateAttr
                {
                    prog_fd = use.Fd,
                    attach_type = (uint)BpfAttachType.TraceUprobeMulti,
                    uprobe_multi_path = (ulong)p,
                    uprobe_multi_offsets = (ulong)&offset,
                    uprobe_multi_cnt = 1,
                };
                int r = Bpf.TryCall(BpfCommand.BPF_LINK_CREATE, ref attr);
                if (r >= 0) { Libc.close(r); return null; }
                return r == -Errnos.EBADF ? null : $"{Errnos.Name(-r)} from BPF_LINK_CREATE";
            }
        }
        catch (BpfException e)
        {
            return e.Message;
        }
    });
}
