using BpfSharp.Interop;

namespace BpfSharp;

/// <summary>Program load flags (<c>BPF_F_*</c> for BPF_PROG_LOAD's <c>prog_flags</c>).</summary>
[Flags]
public enum BpfProgramFlags : uint
{
    /// <summary>No flags.</summary>
    None = 0,
    /// <c>BPF_F_STRICT_ALIGNMENT</c>: the verifier checks alignment as on an architecture without unaligned access.
    StrictAlignment = 1 << 0,
    /// <c>BPF_F_ANY_ALIGNMENT</c>: the verifier skips alignment checks (testing).
    AnyAlignment = 1 << 1,
    /// <c>BPF_F_TEST_RND_HI32</c>: the verifier randomizes the upper 32 bits of 32-bit results (testing).
    TestRandomizeHi32 = 1 << 2,
    /// <c>BPF_F_TEST_STATE_FREQ</c>: the verifier checkpoints its state often (testing).
    TestStateFreq = 1 << 3,
    /// <summary>The program may sleep (fentry/lsm/uprobe/iter/syscall programs marked <c>.s</c>).</summary>
    Sleepable = 1 << 4,
    /// <c>BPF_F_XDP_HAS_FRAGS</c>: the XDP program handles multi-buffer packets.
    XdpHasFrags = 1 << 5,
    /// <c>BPF_F_XDP_DEV_BOUND_ONLY</c>: the XDP program is bound to the device given at load.
    XdpDevBoundOnly = 1 << 6,
    /// <c>BPF_F_TEST_REG_INVARIANTS</c>: the verifier checks its register bounds invariants (testing).
    TestRegInvariants = 1 << 7,
}

/// <summary>The optional parts of a program load.</summary>
public sealed class BpfProgramLoadOptions
{
    /// <summary>The license string; GPL-only helpers need a GPL-compatible one.</summary>
    public string License { get; init; } = "GPL";

    /// <summary>The program's name in the kernel (at most 15 characters are kept).</summary>
    public string? Name { get; init; }

    /// <summary>The attach type the verifier checks the program against (cgroup, tracing, xdp frags...).</summary>
    public BpfAttachType? ExpectedAttachType { get; init; }

    /// <summary>The BTF id of the attach target (tracing, lsm, struct_ops, freplace).</summary>
    public uint AttachBtfId { get; init; }

    /// <summary>
    /// The attach target by name, resolved to <see cref="AttachBtfId"/> in the kernel's BTF at load: a function
    /// for fentry/fexit/fmod_ret (<c>do_unlinkat</c>), a tracepoint for tp_btf (<c>sched_switch</c>), an LSM
    /// hook for lsm (<c>file_open</c>), an iterator target for iter programs (<c>task</c>, <c>bpf_map_elem</c>),
    /// or a function of <see cref="AttachProgram"/> for freplace.
    /// </summary>
    public string? AttachTarget { get; init; }

    /// <summary>The program an extension (freplace) or a tracing program attaches to.</summary>
    public BpfProgram? AttachProgram { get; init; }

    /// <summary>The kernel BTF object (a module's) that <see cref="AttachBtfId"/> belongs to.</summary>
    public SafeFdHandle? AttachBtfObject { get; init; }

    /// <summary>The load flags (<c>prog_flags</c>).</summary>
    public BpfProgramFlags Flags { get; init; }

    /// <summary>
    /// The verifier log level: 0 asks for no log (on a rejection the load is retried with level 1 to get one),
    /// 1 or 2 always log (the log is then in <see cref="BpfProgram.VerifierLog"/>), 4 adds statistics.
    /// </summary>
    public uint LogLevel { get; init; }

    /// <summary>The first size of the log buffer; it grows until the whole log fits.</summary>
    public int LogSize { get; init; } = 256 * 1024;

    /// <summary>Offload or bind to this network interface.</summary>
    public int Ifindex { get; init; }

    /// <summary>Only kprobe programs on kernels before 5.0 check this.</summary>
    public uint KernelVersion { get; init; }

    // Set by the object loader: the program's BTF with its func and line info.
    internal SafeFdHandle? Btf { get; init; }
    internal ReadOnlyMemory<byte> FuncInfo { get; init; }
    internal uint FuncInfoRecordSize { get; init; }
    internal ReadOnlyMemory<byte> LineInfo { get; init; }
    internal uint LineInfoRecordSize { get; init; }

    /// <summary>A BPF token to load the program with (<c>prog_token_fd</c>, Linux 6.9): see <see cref="BpfToken"/>.</summary>
    public BpfToken? Token { get; init; }
}
