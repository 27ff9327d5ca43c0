using BpfSharp.Links;

namespace BpfSharp;

public sealed partial class BpfProgram
{
    /// <summary>
    /// Attaches the program where its section name says, with libbpf's conventions:
    /// <c>raw_tp/sys_enter</c>, <c>tp/syscalls/sys_enter_openat</c>, <c>tp_btf/sched_switch</c>,
    /// <c>fentry/do_unlinkat</c>, <c>kprobe/do_unlinkat+4</c>, <c>ksyscall/openat</c>,
    /// <c>kprobe.multi/vfs_*</c>, <c>uprobe/PATH:SYMBOL[+OFFSET]</c>, <c>uprobe.multi/PATH:PATTERN</c>,
    /// <c>usdt/PATH:PROVIDER:NAME</c>, <c>iter/task</c>; <c>sk_lookup</c> and <c>flow_dissector</c> attach to the calling thread's network
    /// namespace. Sections whose target is not in the name (<c>xdp</c>, <c>tcx/ingress</c>, <c>cgroup_skb/ingress</c>,
    /// <c>netfilter</c>, <c>sk_msg</c>, <c>perf_event</c>...) throw <see cref="InvalidOperationException"/> naming
    /// the Attach* method that takes it.
    /// </summary>
    public BpfLink Attach()
    {
        if (SectionName is null)
            throw new InvalidOperationException($"{this} has no section name to attach by; use one of the Attach* methods");
        if (!SectionDefinitions.TryMatch(SectionName, out var def, out string target))
            throw new InvalidOperationException($"{this}: section '{SectionName}' is not one BpfSharp knows how to attach");
        if (def.TakesTarget && target.Length == 0 && def.AutoAttach is not (AutoAttachKind.Trace or AutoAttachKind.None))
            throw new InvalidOperationException($"{this}: section '{SectionName}' names no target to attach to; attach it with {AttachMethodFor(def)}");
        bool ret = def.AutoAttach is AutoAttachKind.Kretprobe or AutoAttachKind.Kretsyscall or AutoAttachKind.Uretprobe
            or AutoAttachKind.KretprobeMulti or AutoAttachKind.UretprobeMulti;
        return def.AutoAttach switch
        {
            AutoAttachKind.RawTracepoint => AttachRawTracepoint(target),
            AutoAttachKind.Trace => AttachTrace(),
            AutoAttachKind.Tracepoint => AttachTracepoint(Before(target, '/'), After(target, '/')),
            AutoAttachKind.Kprobe or AutoAttachKind.Kretprobe => AttachKprobe(Before(target, '+'),
                new KprobeAttachOptions { Retprobe = ret, Offset = ParseOffset(After(target, '+', "0")) }),
            AutoAttachKind.Ksyscall or AutoAttachKind.Kretsyscall => AttachKsyscall(target, new KprobeAttachOptions { Retprobe = ret }),
            AutoAttachKind.KprobeMulti or AutoAttachKind.KretprobeMulti => AttachKprobeMulti(target, new MultiProbeAttachOptions { Retprobe = ret }),
            AutoAttachKind.Uprobe or AutoAttachKind.Uretprobe => AttachUprobe(BeforeLast(target, ':'), AfterLast(target, ':'),
                new UprobeAttachOptions { Retprobe = ret }),
            AutoAttachKind.UprobeMulti or AutoAttachKind.UretprobeMulti => AttachUprobeMulti(BeforeLast(target, ':'), AfterLast(target, ':'),
                new MultiProbeAttachOptions { Retprobe = ret }),
            AutoAttachKind.Usdt => AttachUsdtSection(target),
            AutoAttachKind.Iter => AttachIter(),
            AutoAttachKind.Netns => AttachNetns("/proc/thread-self/ns/net"),
            _ => throw new InvalidOperationException($"{this}: section '{SectionName}' does not say where to attach; use the Attach* method of its kind{MethodFor(def)}"),
        };

        string Before(string s, char c) => s.IndexOf(c) is int i and >= 0 ? s[..i] : s;
        string After(string s, char c, string? missing = null) => s.IndexOf(c) is int i and >= 0 ? s[(i + 1)..]
            : missing ?? throw new InvalidOperationException($"{this}: section '{SectionName}' needs '{c}' in its target");
        string BeforeLast(string s, char c) => s.LastIndexOf(c) is int i and >= 0 ? s[..i]
            : throw new InvalidOperationException($"{this}: section '{SectionName}' needs BINARY:SYMBOL");
        string AfterLast(string s, char c) => s[(s.LastIndexOf(c) + 1)..];
    }

    // usdt/PATH:PROVIDER:NAME, as libbpf splits it: the path is everything before the last two colons.
    private UsdtLink AttachUsdtSection(string target)
    {
        string[] parts = target.Split(':');
        if (parts.Length < 3 || parts[^1].Length == 0 || parts[^2].Length == 0 || parts.Length == 3 && parts[0].Length == 0)
            throw new InvalidOperationException($"{this}: section '{SectionName}' is not usdt/PATH:PROVIDER:NAME");
        return AttachUsdt(string.Join(':', parts[..^2]), parts[^2], parts[^1]);
    }

    /// <summary>The typed attach method of a section kind that takes a target, for a section that names none.</summary>
    internal static string AttachMethodFor(SectionDefinition def) => def.AutoAttach switch
    {
        AutoAttachKind.Usdt => "AttachUsdt(binaryPath or processId, provider, name)",
        AutoAttachKind.Uprobe or AutoAttachKind.Uretprobe => "AttachUprobe(binaryPath, symbol)",
        AutoAttachKind.UprobeMulti or AutoAttachKind.UretprobeMulti => "AttachUprobeMulti(binaryPath, symbols or pattern)",
        AutoAttachKind.Kprobe or AutoAttachKind.Kretprobe => "AttachKprobe(function)",
        AutoAttachKind.KprobeMulti or AutoAttachKind.KretprobeMulti => "AttachKprobeMulti(functions or pattern)",
        AutoAttachKind.Ksyscall or AutoAttachKind.Kretsyscall => "AttachKsyscall(syscall)",
        AutoAttachKind.Tracepoint => "AttachTracepoint(category, name)",
        AutoAttachKind.RawTracepoint => "AttachRawTracepoint(name)",
        _ => "the Attach* method of its kind",
    };

    /// <summary>The typed attach method for a section whose target the name does not carry.</summary>
    private static string MethodFor(SectionDefinition def) => def.ProgramType switch
    {
        BpfProgramType.Xdp when def.AttachType == BpfAttachType.Xdp => ": AttachXdp(interface)",
        BpfProgramType.SchedCls when def.AttachType is BpfAttachType.NetkitPrimary or BpfAttachType.NetkitPeer => ": AttachNetkit(ifindex, endpoint)",
        BpfProgramType.SchedCls when def.AttachType is BpfAttachType.TcxIngress or BpfAttachType.TcxEgress => ": AttachTcx(interface, direction)",
        BpfProgramType.SchedCls => ": AttachTcx(interface, direction) or AttachTcFilter(interface, direction)",
        BpfProgramType.CgroupSkb or BpfProgramType.CgroupSock or BpfProgramType.CgroupSockAddr or BpfProgramType.CgroupSysctl
            or BpfProgramType.CgroupSockopt or BpfProgramType.CgroupDevice or BpfProgramType.SockOps => ": AttachCgroup(cgroupPath)",
        BpfProgramType.Netfilter => ": AttachNetfilter(family, hook, priority)",
        BpfProgramType.SkMsg or BpfProgramType.SkSkb => ": AttachSockmap(map)",
        BpfProgramType.SocketFilter => ": AttachSocketFilter(socket)",
        BpfProgramType.StructOps => ": AttachStructOps() on its struct_ops map",
        BpfProgramType.PerfEvent => ": AttachPerfEvent(perfEventFd)",
        _ => "",
    };

    private ulong ParseOffset(string text)
    {
        bool hex = text.StartsWith("0x", StringComparison.OrdinalIgnoreCase);
        if (ulong.TryParse(hex ? text[2..] : text, hex ? System.Globalization.NumberStyles.HexNumber : System.Globalization.NumberStyles.None, null, out ulong v))
            return v;
        throw new InvalidOperationException($"{this}: '{text}' in section '{SectionName}' is not an offset");
    }
}
