using BpfSharp.Interop;
using BpfSharp.Links;

namespace BpfSharp;

/// <summary>RawTracepointAttach: the attach methods of <see cref="BpfProgram"/> for this kind (extension members: the Links layer sits above the program).</summary>
public static unsafe class RawTracepointAttachExtensions
{
    extension(BpfProgram program)
    {
        /// <summary>
        /// Attaches a raw_tp program to the raw tracepoint <paramref name="name"/> (e.g. <c>sys_enter</c>)
        /// with BPF_RAW_TRACEPOINT_OPEN. A non-zero <paramref name="cookie"/> is readable with
        /// <c>bpf_get_attach_cookie</c> (Linux 6.10).
        /// </summary>
        public RawTracepointLink AttachRawTracepoint(string name, ulong cookie = 0)
        {
            ArgumentException.ThrowIfNullOrEmpty(name);
            // An older kernel refuses the non-zero cookie field with a bare EINVAL.
            if (cookie != 0) BpfFeatures.RawTracepointCookies.ThrowIfUnsupported();
            var tp = Bpf.CString(name);
            using var prog = new HandleUse(program.Handle);
            fixed (byte* p = tp)
            {
                var attr = new RawTracepointOpenAttr { name = (ulong)p, prog_fd = prog.Fd, cookie = cookie };
                var fd = Bpf.CallForFd(BpfCommand.BPF_RAW_TRACEPOINT_OPEN, ref attr, $"{program} to raw tracepoint {name}");
                return new RawTracepointLink(fd);
            }
        }

        /// <summary>
        /// Attaches a program whose target was fixed at load (tp_btf, fentry, fexit, fmod_ret, lsm, freplace
        /// loaded against a target program): the result is a <see cref="RawTracepointLink"/> for tp_btf and a
        /// <see cref="TracingLink"/> otherwise. A non-zero <paramref name="cookie"/> needs BPF_LINK_CREATE
        /// with tracing cookies (Linux 5.19).
        /// </summary>
        public BpfFdLink AttachTrace(ulong cookie = 0)
        {
            if (program.Type is not (BpfProgramType.Tracing or BpfProgramType.Lsm or BpfProgramType.Ext))
                throw new InvalidOperationException($"{program} is not a tracing, lsm or extension program");
            using var prog = new HandleUse(program.Handle);
            SafeFdHandle fd;
            if (cookie == 0)
            {
                // A NULL name attaches to the target the program was loaded for (Linux 5.5).
                var attr = new RawTracepointOpenAttr { prog_fd = prog.Fd };
                fd = Bpf.CallForFd(BpfCommand.BPF_RAW_TRACEPOINT_OPEN, ref attr, $"{program} to its BTF target");
            }
            else
            {
                var attr = new LinkCreateAttr
                {
                    prog_fd = prog.Fd,
                    attach_type = (uint)(program.ExpectedAttachType ?? BpfAttachType.TraceFentry),
                    tracing_cookie = cookie,
                };
                fd = Bpf.CallForFd(BpfCommand.BPF_LINK_CREATE, ref attr, $"{program} to its BTF target with a cookie");
            }
            // Typed from what was loaded, not by asking the kernel: once attached, no call may fail the attach (a BPF LSM
            // program may deny every later bpf() call, and a throw here would leave the attachment unowned).
            return program.ExpectedAttachType == BpfAttachType.TraceRawTp ? new RawTracepointLink(fd) : new TracingLink(fd);
        }


    }
}

public static unsafe partial class BpfFeatures
{
    /// <summary>
    /// Attach cookies on raw tracepoints (Linux 6.10): a raw_tp program calling <c>bpf_get_attach_cookie</c>
    /// loads only where the kernel has them.
    /// </summary>
    public static BpfFeature RawTracepointCookies { get; } = new("raw tracepoint attach cookies", "6.10", () =>
    {
        var insns = new Asm.BpfAssembler().Call(Asm.BpfHelper.GetAttachCookie).Mov64(Asm.BpfRegister.R0, 0).Exit().Build();
        try
        {
            using var prog = BpfProgram.Load(BpfProgramType.RawTracepoint, insns, new BpfProgramLoadOptions { Name = "probe" });
            return null;
        }
        catch (BpfException e)
        {
            return $"{e.ErrnoName} from BPF_PROG_LOAD of a raw_tp program calling bpf_get_attach_cookie";
        }
    });
}
