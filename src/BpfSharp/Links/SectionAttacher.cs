using System.Globalization;

namespace BpfSharp.Links;

/// <summary>
/// How the programs of one section kind attach (libbpf's per-section attach function): from the target their
/// section name carries (<c>kprobe/do_unlinkat</c>, <c>uprobe/PATH:SYMBOL</c>, <c>iter/task</c>...), or, for
/// sections that do not say where (<c>xdp</c>, <c>tcx/ingress</c>, <c>cgroup_skb/ingress</c>...), only through the
/// method <see cref="Method"/> names. Each row of <see cref="SectionDefinitions"/> holds one.
/// </summary>
public sealed class SectionAttacher
{
    private delegate BpfLink AttachByName(BpfProgram program, string target, SectionNameParts name);

    private readonly AttachByName? _attach;

    /// <summary>A short name of the kind (<c>kprobe</c>, <c>usdt</c>, <c>xdp</c>...), as <c>object inspect</c> prints it.</summary>
    public string Name { get; }

    /// <summary>The attach method for programs of this kind, with what it needs (e.g. <c>AttachXdp(interface)</c>).</summary>
    public string Method { get; }

    /// <summary>Whether the section name can say where to attach (then <c>Attach</c> does).</summary>
    public bool AttachesByName => _attach is not null;

    /// <summary>Whether the name must carry a target (<c>kprobe/FUNCTION</c>); false for <c>tp_btf</c>-like kinds whose
    /// target the kernel took at load, and for <c>sk_lookup</c> and <c>flow_dissector</c> (the thread's namespace).</summary>
    private readonly bool _needsTarget;

    private SectionAttacher(string name, string method, bool needsTarget, AttachByName? attach)
    {
        Name = name;
        Method = method;
        _needsTarget = needsTarget;
        _attach = attach;
    }

    /// <summary>
    /// Whether a program of this kind whose section name carries <paramref name="target"/> attaches by its name;
    /// otherwise <paramref name="reason"/> says why, and which method attaches it.
    /// </summary>
    public bool CanAttach(string sectionName, string target, out string reason)
    {
        if (_attach is null)
        {
            reason = $"section '{sectionName}' does not say where to attach; attach it with {Method}";
            return false;
        }
        if (_needsTarget && target.Length == 0)
        {
            reason = $"section '{sectionName}' names no target to attach to; attach it with {Method}";
            return false;
        }
        reason = "";
        return true;
    }

    /// <summary>
    /// Attaches <paramref name="program"/> as a section <paramref name="sectionName"/> of this kind naming
    /// <paramref name="target"/> would (a tool can supply what the name lacks, e.g. the binary of <c>uprobe/readline</c>);
    /// throws <see cref="InvalidOperationException"/> with the reason when <see cref="CanAttach"/> does not hold.
    /// </summary>
    public BpfLink Attach(BpfProgram program, string sectionName, string target)
    {
        if (!CanAttach(sectionName, target, out string reason)) throw new InvalidOperationException($"{program}: {reason}");
        return _attach!(program, target, new SectionNameParts(program, sectionName));
    }

    private static SectionAttacher ByName(string name, string method, AttachByName attach, bool needsTarget = true) =>
        new(name, method, needsTarget, attach);

    private static SectionAttacher Explicit(string name, string method) => new(name, method, needsTarget: false, attach: null);

    // Sections that say where.
    internal static readonly SectionAttacher RawTracepoint = ByName("raw_tracepoint", "AttachRawTracepoint(name)",
        (p, t, _) => p.AttachRawTracepoint(t));
    internal static readonly SectionAttacher Trace = ByName("trace", "AttachTrace()", (p, _, _) => p.AttachTrace(), needsTarget: false);
    internal static readonly SectionAttacher Tracepoint = ByName("tracepoint", "AttachTracepoint(category, name)",
        (p, t, n) => p.AttachTracepoint(n.Before(t, '/'), n.After(t, '/')));
    internal static readonly SectionAttacher Kprobe = KprobeOf("kprobe", retprobe: false);
    internal static readonly SectionAttacher Kretprobe = KprobeOf("kretprobe", retprobe: true);
    internal static readonly SectionAttacher Ksyscall = KsyscallOf("ksyscall", retprobe: false);
    internal static readonly SectionAttacher Kretsyscall = KsyscallOf("kretsyscall", retprobe: true);
    internal static readonly SectionAttacher KprobeMulti = KprobeMultiOf("kprobe_multi", retprobe: false);
    internal static readonly SectionAttacher KretprobeMulti = KprobeMultiOf("kretprobe_multi", retprobe: true);
    internal static readonly SectionAttacher Uprobe = UprobeOf("uprobe", retprobe: false);
    internal static readonly SectionAttacher Uretprobe = UprobeOf("uretprobe", retprobe: true);
    internal static readonly SectionAttacher UprobeMulti = UprobeMultiOf("uprobe_multi", retprobe: false);
    internal static readonly SectionAttacher UretprobeMulti = UprobeMultiOf("uretprobe_multi", retprobe: true);
    internal static readonly SectionAttacher Usdt = ByName("usdt", "AttachUsdt(binaryPath or processId, provider, name)",
        (p, t, n) => n.AttachUsdt(t));
    internal static readonly SectionAttacher Iter = ByName("iter", "AttachIter(options)", (p, _, _) => p.AttachIter());
    internal static readonly SectionAttacher ThreadNetns = ByName("netns", "AttachNetns(netnsPath)",
        (p, _, _) => p.AttachNetns("/proc/thread-self/ns/net"), needsTarget: false);

    // Sections whose target the name does not carry.
    internal static readonly SectionAttacher Xdp = Explicit("xdp", "AttachXdp(interface)");
    internal static readonly SectionAttacher Tcx = Explicit("tcx", "AttachTcx(interface, direction)");
    internal static readonly SectionAttacher Tc = Explicit("tc", "AttachTcx(interface, direction) or AttachTcFilter(interface, direction)");
    internal static readonly SectionAttacher Netkit = Explicit("netkit", "AttachNetkit(ifindex, endpoint)");
    internal static readonly SectionAttacher Cgroup = Explicit("cgroup", "AttachCgroup(cgroupPath)");
    internal static readonly SectionAttacher Netfilter = Explicit("netfilter", "AttachNetfilter(family, hook, priority)");
    internal static readonly SectionAttacher Sockmap = Explicit("sockmap", "AttachSockmap(map)");
    internal static readonly SectionAttacher SocketFilter = Explicit("socket", "AttachSocketFilter(socket)");
    internal static readonly SectionAttacher StructOps = Explicit("struct_ops",
        "its struct_ops map: BpfObject.AttachAll() or BpfMap.AttachStructOps() for .struct_ops.link, BpfObject.RegisterStructOps(map) for .struct_ops");
    internal static readonly SectionAttacher PerfEvent = Explicit("perf_event", "AttachPerfEvent(perfEventFd)");
    internal static readonly SectionAttacher Freplace = ByName("freplace", "AttachFreplace(targetProgram, functionName)",
        (p, _, _) => p.AttachTrace(), needsTarget: false);
    internal static readonly SectionAttacher Lsm = ByName("lsm", "AttachTrace()", (p, _, _) => p.AttachTrace(), needsTarget: false);
    internal static readonly SectionAttacher LsmCgroup = Explicit("lsm_cgroup", "AttachCgroup(cgroupPath)");
    internal static readonly SectionAttacher NotAttached = Explicit("-",
        "the hook of its program type (it is not attached to a kernel hook by BpfSharp: run it with TestRun, or load it for another program)");

    private static SectionAttacher KprobeOf(string name, bool retprobe) => ByName(name, "AttachKprobe(function)",
        (p, t, n) => p.AttachKprobe(n.Before(t, '+'), new KprobeAttachOptions { Retprobe = retprobe, Offset = n.Offset(n.After(t, '+', "0")) }));

    private static SectionAttacher KsyscallOf(string name, bool retprobe) => ByName(name, "AttachKsyscall(syscall)",
        (p, t, _) => p.AttachKsyscall(t, new KprobeAttachOptions { Retprobe = retprobe }));

    private static SectionAttacher KprobeMultiOf(string name, bool retprobe) => ByName(name, "AttachKprobeMulti(functions or pattern)",
        (p, t, _) => p.AttachKprobeMulti(t, new MultiProbeAttachOptions { Retprobe = retprobe }));

    private static SectionAttacher UprobeOf(string name, bool retprobe) => ByName(name, "AttachUprobe(binaryPath, symbol)",
        (p, t, n) => p.AttachUprobe(n.BeforeLast(t, ':'), n.AfterLast(t, ':'), new UprobeAttachOptions { Retprobe = retprobe }));

    private static SectionAttacher UprobeMultiOf(string name, bool retprobe) => ByName(name, "AttachUprobeMulti(binaryPath, symbols or pattern)",
        (p, t, n) => p.AttachUprobeMulti(n.BeforeLast(t, ':'), n.AfterLast(t, ':'), new MultiProbeAttachOptions { Retprobe = retprobe }));

    /// <summary>The attacher's name.</summary>
    public override string ToString() => Name;

    /// <summary>Splits a section's target the way libbpf does, with errors that name the program and the section.</summary>
    private readonly record struct SectionNameParts(BpfProgram Program, string Section)
    {
        public string Before(string s, char c) => s.IndexOf(c) is int i and >= 0 ? s[..i] : s;

        public string After(string s, char c, string? missing = null) => s.IndexOf(c) is int i and >= 0 ? s[(i + 1)..]
            : missing ?? throw Malformed($"needs '{c}' in its target");

        public string BeforeLast(string s, char c) => s.LastIndexOf(c) is int i and >= 0 ? s[..i] : throw Malformed("needs BINARY:SYMBOL");

        public string AfterLast(string s, char c) => s[(s.LastIndexOf(c) + 1)..];

        public ulong Offset(string text)
        {
            bool hex = text.StartsWith("0x", StringComparison.OrdinalIgnoreCase);
            if (ulong.TryParse(hex ? text[2..] : text, hex ? NumberStyles.HexNumber : NumberStyles.None, null, out ulong v)) return v;
            throw Malformed($"has '{text}', which is not an offset");
        }

        // usdt/PATH:PROVIDER:NAME, as libbpf splits it: the path is everything before the last two colons.
        public UsdtLink AttachUsdt(string target)
        {
            string[] parts = target.Split(':');
            if (parts.Length < 3 || parts[^1].Length == 0 || parts[^2].Length == 0 || parts.Length == 3 && parts[0].Length == 0)
                throw Malformed("is not usdt/PATH:PROVIDER:NAME");
            return Program.AttachUsdt(string.Join(':', parts[..^2]), parts[^2], parts[^1]);
        }

        private InvalidOperationException Malformed(string what) => new($"{Program}: section '{Section}' {what}");
    }
}
