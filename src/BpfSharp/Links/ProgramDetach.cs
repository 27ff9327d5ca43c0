using BpfSharp.Interop;

namespace BpfSharp.Links;

/// <summary>
/// Detaches what the kernel keeps in a target without a link or an fd to close (BPF_PROG_ATTACH, netlink XDP),
/// attached by another process or an earlier run: what bpftool's <c>detach</c> verbs do. An attachment this process
/// holds as a <see cref="BpfLink"/> is detached through it instead.
/// </summary>
public static class ProgramDetach
{
    /// <summary>
    /// BPF_PROG_DETACH of <paramref name="program"/> from a cgroup's hook <paramref name="attachType"/>. On a hook
    /// attached without BPF_F_ALLOW_MULTI the kernel removes whatever program the hook holds.
    /// </summary>
    public static void Cgroup(string cgroupPath, BpfAttachType attachType, BpfProgram program)
    {
        ArgumentException.ThrowIfNullOrEmpty(cgroupPath);
        ArgumentNullException.ThrowIfNull(program);
        using var cgroup = CgroupAttach.Open(cgroupPath);
        Detach(cgroup, 0, program, attachType, $"program id {program.Id} from cgroup {cgroupPath} ({attachType})");
    }

    /// <summary>BPF_PROG_DETACH of an sk_msg or sk_skb program from a sockmap or sockhash at <paramref name="attachType"/>.</summary>
    public static void Sockmap(BpfMap map, BpfAttachType attachType, BpfProgram program)
    {
        ArgumentNullException.ThrowIfNull(map);
        ArgumentNullException.ThrowIfNull(program);
        Detach(map.Handle, 0, program, attachType, $"program id {program.Id} from map \"{map.Name}\" ({attachType})");
    }

    /// <summary>
    /// BPF_PROG_DETACH of the flow dissector of the calling thread's network namespace (the kernel checks that
    /// <paramref name="program"/> is the one attached when given).
    /// </summary>
    public static void FlowDissector(BpfProgram? program = null) =>
        Detach(null, 0, program, BpfAttachType.FlowDissector, $"{(program is null ? "the program" : $"program id {program.Id}")} from the flow dissector of this network namespace");

    /// <summary>
    /// BPF_PROG_DETACH from the tcx hook of interface <paramref name="ifindex"/> (calling thread's namespace):
    /// <paramref name="program"/>, or without one the last program the hook runs that no link holds.
    /// </summary>
    public static void Tcx(int ifindex, TcDirection direction, BpfProgram? program = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(ifindex);
        BpfFeatures.Tcx.ThrowIfUnsupported();
        var type = TcxAttach.AttachType(direction);
        Detach(null, ifindex, program, type, $"{(program is null ? "the last program" : $"program id {program.Id}")} from tcx {direction.ToString().ToLowerInvariant()} of ifindex {ifindex}");
    }

    /// <summary>
    /// Removes the program an interface runs in XDP mode <paramref name="mode"/> through rtnetlink, whichever it is
    /// (as <c>ip link set dev X xdp off</c>); nothing happens when there is none. A program an XDP link holds is
    /// refused by the kernel (EBUSY): detach the link.
    /// </summary>
    public static void Xdp(int ifindex, XdpMode mode = XdpMode.Auto)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(ifindex);
        using var socket = NetlinkSocket.Open();
        RtNetlink.SetXdp(socket, ifindex, -1, XdpAttach.ModeFlags(mode), -1, $"XDP of ifindex {ifindex}{XdpAttach.Describe(mode)}");
    }

    private static void Detach(SafeFdHandle? target, int ifindex, BpfProgram? program, BpfAttachType attachType, string what)
    {
        using var refs = new HandleRefs();
        var attr = new ProgAttachAttr
        {
            target_fd = target is null ? (uint)ifindex : refs.Add(target),
            attach_bpf_fd = program is null ? 0 : refs.Add(program.Handle),
            attach_type = (uint)attachType,
        };
        Bpf.Call(BpfCommand.BPF_PROG_DETACH, ref attr, what);
    }
}
