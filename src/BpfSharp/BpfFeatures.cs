using System.Collections.Concurrent;
using BpfSharp.Asm;

namespace BpfSharp;

/// <summary>
/// Probes of the running kernel's program and map types. Probes of a specific attach kind live beside that
/// kind (see Links/); all are cached.
/// </summary>
public static partial class BpfFeatures
{
    private static readonly ConcurrentDictionary<BpfProgramType, BpfFeature> ProgramTypes = new();
    private static readonly ConcurrentDictionary<BpfMapType, BpfFeature> MapTypes = new();

    /// <summary>Whether programs of <paramref name="type"/> can be loaded.</summary>
    public static BpfFeature ProgramType(BpfProgramType type) =>
        ProgramTypes.GetOrAdd(type, t => new BpfFeature($"program type {t}", ProgramTypeIntroduced(t), token => ProbeProgramType(t, token)));

    /// <summary>Whether maps of <paramref name="type"/> can be created.</summary>
    public static BpfFeature MapType(BpfMapType type) =>
        MapTypes.GetOrAdd(type, t => new BpfFeature($"map type {t}", "a later kernel", token => ProbeMapType(t, token)));

    /// <summary>BPF_LINK_CREATE (Linux 5.7), probed with a cgroup link on an invalid fd: EBADF means the command exists.</summary>
    public static BpfFeature BpfLinks { get; } = new("BPF_LINK_CREATE", "5.7", () =>
    {
        var attr = new Interop.LinkCreateAttr { prog_fd = uint.MaxValue, target_fd = uint.MaxValue, attach_type = (uint)BpfAttachType.CgroupInetIngress };
        int r = Interop.Bpf.TryCall(Interop.BpfCommand.BPF_LINK_CREATE, ref attr);
        return r == -Interop.Errnos.EBADF ? null : $"{Interop.Errnos.Name(-r)} from BPF_LINK_CREATE";
    });

    /// <summary>
    /// fentry programs (BPF trampolines, Linux 5.5 on x86_64): a real fentry program on <c>bpf_fentry_test1</c>
    /// is loaded. Some kernels refuse trampolines (EPERM, ENOTSUPP) though the program type exists.
    /// </summary>
    public static BpfFeature Fentry { get; } = new("fentry/fexit/fmod_ret programs (BPF trampolines)", "5.5", () =>
        ProbeTracingLoad(BpfProgramType.Tracing, BpfAttachType.TraceFentry, "bpf_fentry_test1"));

    /// <summary>BPF LSM programs (Linux 5.7, and "bpf" in the kernel's lsm= list): a real lsm program on <c>file_open</c>.</summary>
    public static BpfFeature Lsm { get; } = new("BPF LSM programs", "5.7", () =>
        ProbeTracingLoad(BpfProgramType.Lsm, BpfAttachType.LsmMac, "file_open"));

    /// <summary>BPF cookies (Linux 5.15): a tracepoint program calling <c>bpf_get_attach_cookie</c> loads.</summary>
    public static BpfFeature BpfCookie { get; } = new("bpf_get_attach_cookie (BPF cookies)", "5.15", token =>
    {
        var insns = new BpfAssembler().Call(BpfHelper.GetAttachCookie).Mov64(BpfRegister.R0, 0).Exit().Build();
        try
        {
            using var prog = BpfProgram.Load(BpfProgramType.Tracepoint, insns, new BpfProgramLoadOptions { Name = "probe", Token = token });
            return null;
        }
        catch (BpfException e)
        {
            return $"{e.ErrnoName} from BPF_PROG_LOAD of a tracepoint program calling bpf_get_attach_cookie";
        }
    });

    private static string? ProbeTracingLoad(BpfProgramType type, BpfAttachType attachType, string target)
    {
        var insns = new BpfAssembler().Mov64(BpfRegister.R0, 0).Exit().Build();
        try
        {
            using var prog = BpfProgram.Load(type, insns, new BpfProgramLoadOptions
            {
                Name = "probe",
                ExpectedAttachType = attachType,
                AttachTarget = target,
            });
            return null;
        }
        catch (BpfVerifierException e)
        {
            return $"{e.ErrnoName} from BPF_PROG_LOAD of a {attachType} program on {target}";
        }
        catch (BpfException e)
        {
            return e.Message;
        }
    }

    private static string? ProbeProgramType(BpfProgramType type, BpfToken? token)
    {
        var insns = new BpfAssembler().Mov64(BpfRegister.R0, 0).Exit().Build();
        // Types that need a target at load are asked to attach to BTF id 1 (never a valid target): a kernel
        // that knows the type rejects the target by name in the log, one that does not rejects the type.
        var (attach, expectInLog) = type switch
        {
            // tp_btf: the one tracing attach that needs no trampoline (fentry has its own probe, Fentry).
            BpfProgramType.Tracing => (BpfAttachType.TraceRawTp, "attach_btf_id 1 is not a typedef"),
            BpfProgramType.Lsm => (BpfAttachType.LsmMac, "attach_btf_id 1 is not a function"),
            BpfProgramType.Ext => ((BpfAttachType?)null, "Cannot replace kernel functions"),
            BpfProgramType.StructOps => (null, "attach_btf_id 1 is not a supported struct"),
            _ => (ProbeAttachType(type), (string?)null),
        };
        try
        {
            using var prog = BpfProgram.Load(type, insns, new BpfProgramLoadOptions
            {
                Name = "probe",
                ExpectedAttachType = attach,
                AttachBtfId = expectInLog is null ? 0 : 1u,
                LogLevel = expectInLog is null ? 0u : 1u,
                // The verifier accepts syscall programs only as sleepable.
                Flags = type == BpfProgramType.Syscall ? BpfProgramFlags.Sleepable : BpfProgramFlags.None,
                Token = token,
            });
            return null;
        }
        catch (BpfVerifierException e)
        {
            if (expectInLog is not null && e.VerifierLog.Contains(expectInLog, StringComparison.Ordinal)) return null;
            return $"{e.ErrnoName} from BPF_PROG_LOAD{(e.VerifierLog.Length > 0 ? ": " + e.VerifierLog.Trim().Split('\n')[^1] : "")}";
        }
    }

    /// <summary>The expected attach type the verifier insists on for some program types.</summary>
    private static BpfAttachType? ProbeAttachType(BpfProgramType type) => type switch
    {
        BpfProgramType.CgroupSockAddr => BpfAttachType.CgroupInet4Connect,
        BpfProgramType.SkLookup => BpfAttachType.SkLookup,
        BpfProgramType.Netfilter => BpfAttachType.Netfilter,
        BpfProgramType.CgroupSockopt => BpfAttachType.CgroupGetsockopt,
        _ => null,
    };

    private static string? ProbeMapType(BpfMapType type, BpfToken? token)
    {
        var (key, value, entries, flags) = type switch
        {
            BpfMapType.Queue or BpfMapType.Stack or BpfMapType.BloomFilter => (0, 4, 1, BpfMapFlags.None),
            BpfMapType.RingBuf or BpfMapType.UserRingBuf => (0, 0, Interop.Libc.PageSize, BpfMapFlags.None),
            BpfMapType.LpmTrie => (8, 4, 1, BpfMapFlags.NoPrealloc),
            BpfMapType.StackTrace => (4, 8, 1, BpfMapFlags.None),
            BpfMapType.ArrayOfMaps or BpfMapType.HashOfMaps => (4, 4, 1, BpfMapFlags.None),
            BpfMapType.CgroupStorage or BpfMapType.PerCpuCgroupStorage => (16, 8, 0, BpfMapFlags.None),
            BpfMapType.SkStorage or BpfMapType.InodeStorage or BpfMapType.TaskStorage or BpfMapType.CgrpStorage
                => (4, 4, 0, BpfMapFlags.NoPrealloc),
            BpfMapType.Arena => (0, 0, 1, BpfMapFlags.Mmapable),
            _ => (4, 4, 1, BpfMapFlags.None),
        };
        BpfMap? inner = null;
        try
        {
            if (type is BpfMapType.ArrayOfMaps or BpfMapType.HashOfMaps)
                inner = BpfMap.Create(BpfMapType.Array, 4, 4, 1, new BpfMapCreateOptions { Token = token });
            using var map = BpfMap.Create(type, key, value, entries, new BpfMapCreateOptions { Flags = flags, InnerMap = inner, Token = token });
            return null;
        }
        catch (BpfException e)
        {
            // Storage maps and struct_ops need BTF for their values: EINVAL about missing BTF still means the
            // kernel knows the type, which answers ENOENT/EINVAL for unknown types before looking at BTF.
            bool needsBtf = type is BpfMapType.SkStorage or BpfMapType.InodeStorage or BpfMapType.TaskStorage
                or BpfMapType.CgrpStorage or BpfMapType.StructOps or BpfMapType.CgroupStorage or BpfMapType.PerCpuCgroupStorage;
            if (needsBtf && IsKnownMapType(type)) return null;
            return $"{e.ErrnoName} from BPF_MAP_CREATE";
        }
        finally
        {
            inner?.Dispose();
        }
    }

    /// <summary>Whether the kernel's own BTF lists the map type (for types that cannot be created without BTF).</summary>
    private static bool IsKnownMapType(BpfMapType type)
    {
        try
        {
            var kernel = Btf.BtfSpec.LoadKernel();
            return kernel.TryFind<Btf.BtfEnum>("bpf_map_type", out var e) && e!.Values.Any(v => v.Value == (long)type);
        }
        catch (Exception ex) when (ex is NotSupportedException or IOException or BpfException)
        {
            return false;
        }
    }

    private static string ProgramTypeIntroduced(BpfProgramType t) => t switch
    {
        BpfProgramType.Tracing or BpfProgramType.Ext or BpfProgramType.StructOps => "5.5",
        BpfProgramType.Lsm => "5.7",
        BpfProgramType.SkLookup => "5.9",
        BpfProgramType.Syscall => "5.14",
        BpfProgramType.Netfilter => "6.4",
        _ => "an earlier kernel",
    };
}
