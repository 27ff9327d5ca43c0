using BpfSharp;
using BpfSharp.Links;
using BpfSharp.TestChild;

// usage: BpfSharp.TestChild KIND PIN|- DISCONNECT(0|1) EXIT(normal|kill) [TARGET]
// Prints "ids LINK PROG MAP" once attached; with EXIT=kill it then waits for SIGKILL. TARGET is the cgroup
// directory of the cgroup kinds, the network namespace name of the interface and netfilter kinds (which attach
// to its lo, or to its netfilter hooks), the namespace's path for netns_link, the object file for struct_ops and
// "OBJECT|BINARY" for usdt, "OBJECT|MINIMAL_BTF" for hidden_btf.
if (args.Length is not (4 or 5))
{
    Console.Error.WriteLine("usage: BpfSharp.TestChild KIND PIN|- DISCONNECT EXIT [TARGET]");
    return 2;
}
string kind = args[0], pin = args[1], target = args.Length > 4 ? args[4] : "";
bool disconnect = args[2] == "1", waitForKill = args[3] == "kill";
if (kind == "token") return TokenChild.Run(target);
if (kind == "hidden_btf") return HiddenBtfChild.Run(target);
if (kind is "struct_ops_link" or "struct_ops_legacy") return StructOpsChild.Run(kind == "struct_ops_link", pin, disconnect, waitForKill, target);
if (kind == "usdt") return UsdtChild.Run(pin, disconnect, waitForKill, target);
// This (main) thread does every attach: entering the namespace here makes "lo" the namespace's.
if (kind is "xdp_link" or "xdp_netlink" or "tcx_link" or "tc_filter" or "netfilter_link") NetworkNamespaces.Enter(target);

using var counts = TestPrograms.CounterMap();
// The sockmap is this process's own: it ends with it, unless pinned (sockmap_legacy takes the pin for its map).
using var sockmap = kind.StartsWith("sockmap", StringComparison.Ordinal)
    ? BpfMap.Create(BpfMapType.SockMap, 4, 4, 1, new BpfMapCreateOptions { Name = "t_sockmap" })
    : null;
using var prog = kind switch
{
    "raw_tp" => TestPrograms.Load(BpfProgramType.RawTracepoint, counts),
    "perf_event" or "perf_ioctl" => TestPrograms.Load(BpfProgramType.PerfEvent, counts),
    "tracepoint" => TestPrograms.Load(BpfProgramType.Tracepoint, counts),
    "uprobe" or "uprobe_tracefs" or "kprobe" or "kprobe_tracefs" => TestPrograms.Load(BpfProgramType.Kprobe, counts),
    // Syscall wrappers are not in every kernel's BTF (6.1 has none); do_unlinkat is.
    "fentry" => TestPrograms.Load(BpfProgramType.Tracing, counts, BpfAttachType.TraceFentry, "do_unlinkat"),
    "tp_btf" => TestPrograms.Load(BpfProgramType.Tracing, counts, BpfAttachType.TraceRawTp, "sys_enter"),
    // Returns 0: allows every file open it sees.
    "lsm" => TestPrograms.Load(BpfProgramType.Lsm, counts, BpfAttachType.LsmMac, "file_open"),
    // An iterator over the system's maps; it runs when its pin (or an iterator fd) is read.
    "iter" => TestPrograms.Load(BpfProgramType.Tracing, counts, BpfAttachType.TraceIter, "bpf_map"),
    "uprobe_multi" => TestPrograms.Load(BpfProgramType.Kprobe, counts, BpfAttachType.TraceUprobeMulti),
    "kprobe_multi" => TestPrograms.Load(BpfProgramType.Kprobe, counts, BpfAttachType.TraceKprobeMulti),
    "cgroup_link" or "cgroup_legacy" => TestPrograms.Load(BpfProgramType.CgroupSock, counts, BpfAttachType.CgroupInetSockCreate, returnValue: 1),
    "xdp_link" or "xdp_netlink" => TestPrograms.Load(BpfProgramType.Xdp, counts, returnValue: 2),
    // TCX_NEXT (-1) for tcx, TC_ACT_OK (0) for a classic filter: both let the packet through.
    "tcx_link" => TestPrograms.Load(BpfProgramType.SchedCls, counts, returnValue: -1),
    "tc_filter" => TestPrograms.Load(BpfProgramType.SchedCls, counts),
    // SK_PASS, NF_ACCEPT and SK_PASS again are all 1.
    "netns_link" => TestPrograms.Load(BpfProgramType.SkLookup, counts, BpfAttachType.SkLookup, returnValue: 1),
    "netfilter_link" => TestPrograms.Load(BpfProgramType.Netfilter, counts, BpfAttachType.Netfilter, returnValue: 1),
    "sockmap_link" or "sockmap_legacy" => TestPrograms.Load(BpfProgramType.SkSkb, counts, BpfAttachType.SkSkbVerdict, returnValue: 1),
    _ => throw new ArgumentException($"unknown kind {kind}"),
};
BpfLink link = kind switch
{
    "raw_tp" => prog.AttachRawTracepoint("sys_enter"),
    "perf_event" => prog.AttachPerfEvent(PerfEvents.OpenSoftware(SoftwarePerfEvent.CpuClock, cpu: 0, frequency: 1000)),
    "perf_ioctl" => prog.AttachPerfEvent(PerfEvents.OpenSoftware(SoftwarePerfEvent.CpuClock, cpu: 0, frequency: 1000), new() { UseIoctl = true }),
    "tracepoint" => prog.AttachTracepoint("syscalls", "sys_enter_getppid"),
    // Every process's getppid in libc: the parent's calls show whether the probe still fires.
    "uprobe" => prog.AttachUprobe("libc.so.6", "getppid"),
    "uprobe_tracefs" => prog.AttachUprobe("libc.so.6", "getppid", new() { Mode = ProbeAttachMode.TraceFs }),
    "cgroup_link" => prog.AttachCgroup(target),
    "cgroup_legacy" => prog.AttachCgroupProgram(target, CgroupAttachMode.Multi),
    "xdp_link" => prog.AttachXdp("lo"),
    "xdp_netlink" => prog.AttachXdpNetlink("lo", new() { Mode = XdpMode.Generic }),
    "tcx_link" => prog.AttachTcx("lo", TcDirection.Ingress),
    "tc_filter" => prog.AttachTcFilter("lo", TcDirection.Ingress),
    "netns_link" => prog.AttachNetns(target),
    "netfilter_link" => prog.AttachNetfilter(NetfilterProtocolFamily.IPv4, NetfilterHook.LocalIn, 10),
    "sockmap_link" => prog.AttachSockmap(sockmap!),
    "sockmap_legacy" => prog.AttachSockmapProgram(sockmap!),
    "kprobe" => prog.AttachKsyscall("getppid", new() { Mode = ProbeAttachMode.Pmu }),
    "kprobe_tracefs" => prog.AttachKsyscall("getppid", new() { Mode = ProbeAttachMode.TraceFs }),
    "fentry" or "tp_btf" or "lsm" => prog.AttachTrace(),
    "iter" => prog.AttachIter(),
    "uprobe_multi" => prog.AttachUprobeMulti("libc.so.6", ["getppid"]),
    "kprobe_multi" => prog.AttachKprobeMulti([BpfSharp.Tracing.KernelSymbols.Current.SyscallFunctionName("getppid")]),
    _ => throw new ArgumentException(kind),
};
if (pin != "-" && kind == "sockmap_legacy") sockmap!.Pin(pin);
else if (pin != "-") link.Pin(pin);
if (disconnect) link.Disconnect();
Console.WriteLine($"ids {(link.Handle is null ? 0 : link.Id)} {prog.Id} {counts.Id}");
Console.Out.Flush();
if (waitForKill)
{
    Thread.Sleep(Timeout.Infinite);
}
link.Dispose();
return 0;
