using System.Runtime.InteropServices;

namespace BpfSharp.Interop;

/// <summary><c>struct perf_event_attr</c> (PERF_ATTR_SIZE_VER8, 136 bytes), with the kernel's field names.</summary>
[KernelStruct("perf_event_attr")]
[StructLayout(LayoutKind.Sequential)]
internal struct PerfEventAttr
{
    public uint type;
    public uint size;
    public ulong config;
    /// <summary><c>sample_freq</c> shares this place (with flag <see cref="PerfEventAttrFlags.Freq"/>).</summary>
    public ulong sample_period;
    public ulong sample_type;
    public ulong read_format;
    /// <summary>The bitfield word that starts with <c>disabled</c>: see <see cref="PerfEventAttrFlags"/>.</summary>
    [KernelField("disabled")] public PerfEventAttrFlags flags;
    /// <summary><c>wakeup_watermark</c> shares this place (with flag <see cref="PerfEventAttrFlags.Watermark"/>).</summary>
    public uint wakeup_events;
    public uint bp_type;
    /// <summary><c>kprobe_func</c>, <c>uprobe_path</c> and <c>bp_addr</c> share this place.</summary>
    public ulong config1;
    /// <summary><c>probe_offset</c>, <c>kprobe_addr</c> and <c>bp_len</c> share this place.</summary>
    public ulong config2;
    public ulong branch_sample_type;
    public ulong sample_regs_user;
    public uint sample_stack_user;
    public int clockid;
    public ulong sample_regs_intr;
    public uint aux_watermark;
    public ushort sample_max_stack;
    private ushort __reserved_2;
    public uint aux_sample_size;
    public uint aux_action;
    public ulong sig_data;
    public ulong config3;
}

/// <summary>The bits of perf_event_attr's flag word, in the kernel's order.</summary>
[Flags]
internal enum PerfEventAttrFlags : ulong
{
    Disabled = 1UL << 0,
    Inherit = 1UL << 1,
    Pinned = 1UL << 2,
    Exclusive = 1UL << 3,
    ExcludeUser = 1UL << 4,
    ExcludeKernel = 1UL << 5,
    ExcludeHv = 1UL << 6,
    ExcludeIdle = 1UL << 7,
    Mmap = 1UL << 8,
    Comm = 1UL << 9,
    Freq = 1UL << 10,
    InheritStat = 1UL << 11,
    EnableOnExec = 1UL << 12,
    Task = 1UL << 13,
    Watermark = 1UL << 14,
}
