namespace BpfSharp;

/// <summary>One entry of <see cref="BpfFeatures.All"/>: a probe, the group it belongs to and the short key tools print.</summary>
/// <param name="Group">program_types, map_types, attach, programs, tracing or btf.</param>
/// <param name="Key">A short snake_case name (bpftool's where it has one: <c>kprobe</c>, <c>ringbuf</c>...).</param>
public sealed record BpfFeatureEntry(string Group, string Key, BpfFeature Feature);

public static partial class BpfFeatures
{
    /// <summary>
    /// Every probe the library has, in one list: each program type, each map type, and each attach, program and
    /// tracing feature. The <c>bpfsharp feature</c> command prints this list, and the tests check each entry against
    /// the kernel. A new probe is added here, beside the property that holds it.
    /// </summary>
    public static IReadOnlyList<BpfFeatureEntry> All => s_all.Value;

    // Built on first use: the properties it lists are initialized in other files, in no set order.
    private static readonly Lazy<IReadOnlyList<BpfFeatureEntry>> s_all = new(BuildCatalogue);

    private static IReadOnlyList<BpfFeatureEntry> BuildCatalogue()
    {
        var all = new List<BpfFeatureEntry>();
        foreach (var t in Enum.GetValues<BpfProgramType>().Where(t => t != BpfProgramType.Unspec))
            all.Add(new("program_types", KernelNames.Of(t), ProgramType(t)));
        foreach (var t in Enum.GetValues<BpfMapType>().Where(t => t != BpfMapType.Unspec))
            all.Add(new("map_types", KernelNames.Of(t), MapType(t)));
        all.AddRange(
        [
            new("attach", "bpf_links", BpfLinks),
            new("attach", "perf_links", PerfLinks),
            new("attach", "bpf_cookie", BpfCookie),
            new("attach", "kprobe_multi", KprobeMulti),
            new("attach", "uprobe_multi", UprobeMulti),
            new("attach", "kprobe_session", KprobeSession),
            new("attach", "uprobe_session", UprobeSession),
            new("attach", "raw_tracepoint_cookies", RawTracepointCookies),
            new("attach", "fentry", Fentry),
            new("attach", "lsm", Lsm),
            new("attach", "tcx", Tcx),
            new("attach", "netkit", Netkit),
            new("attach", "sockmap_links", SockmapLinks),
            new("attach", "netfilter", Netfilter),
            new("attach", "struct_ops_links", StructOpsLinks),
            new("programs", "streams", Streams),
            new("programs", "stream_printing", StreamPrinting),
            new("programs", "bpf_token", Tokens),
            new("tracing", "tracefs", TraceFs),
            new("tracing", "kprobes", Kprobes),
            new("tracing", "uprobes", Uprobes),
            new("tracing", "kprobe_pmu", KprobePmu),
            new("tracing", "uprobe_pmu", UprobePmu),
            new("tracing", "kprobe_events", KprobeEvents),
            new("tracing", "uprobe_events", UprobeEvents),
            // BTF kinds: an object's BTF is rewritten for those missing (BtfSanitizer).
            new("btf", "btf", BtfLoad),
            new("btf", "func", BtfFunc),
            new("btf", "global_func", BtfGlobalFunc),
            new("btf", "datasec", BtfDataSec),
            new("btf", "qmark_datasec", BtfQuestionMarkDataSec),
            new("btf", "float", BtfFloat),
            new("btf", "decl_tag", BtfDeclTag),
            new("btf", "type_tag", BtfTypeTag),
            new("btf", "enum64", BtfEnum64),
        ]);
        return all;
    }
}
