using BpfSharp.Interop;

namespace BpfSharp;

/// <summary>Program load flags (<c>BPF_F_*</c> for BPF_PROG_LOAD's <c>prog_flags</c>).</summary>
[Flags]
public enum BpfProgramFlags : uint
{
    None = 0,
    StrictAlignment = 1 << 0,
    AnyAlignment = 1 << 1,
    TestRandomizeHi32 = 1 << 2,
    TestStateFreq = 1 << 3,
    /// <summary>The program may sleep (fentry/lsm/uprobe/iter/syscall programs marked <c>.s</c>).</summary>
    Sleepable = 1 << 4,
    XdpHasFrags = 1 << 5,
    XdpDevBoundOnly = 1 << 6,
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
