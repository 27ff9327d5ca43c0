using BpfSharp.Interop;

namespace BpfSharp.Links;

/// <summary>An interface's XDP hook as rtnetlink reports it (links and netlink attachments alike).</summary>
/// <param name="Mode">The mode a program runs in, or null when none is attached; <see cref="XdpMode.Auto"/> when
/// programs run in several modes at once (possible with offload), and <paramref name="ProgramId"/> is then 0.</param>
/// <param name="ProgramId">The program when exactly one mode is attached.</param>
public sealed record XdpAttachedPrograms(XdpMode? Mode, uint ProgramId, uint GenericProgramId, uint NativeProgramId, uint OffloadProgramId);

/// <summary>An interface of the calling thread's network namespace, with what its XDP hook holds.</summary>
public sealed record NetworkInterfaceXdp(int Ifindex, string Name, XdpAttachedPrograms Xdp);

/// <summary>A direct-action cls_bpf filter on a clsact hook.</summary>
public sealed record TcFilter(ushort Priority, uint Handle, uint ProgramId, string Name, bool DirectAction);

/// <summary>
/// What is attached to a hook, as the kernel reports it: BPF_PROG_QUERY for cgroups, tcx, netkit, network
/// namespaces and sockmaps, rtnetlink for XDP and tc filters. Interface indexes are those of the calling
/// thread's network namespace.
/// </summary>
public static class AttachedPrograms
{
    /// <summary>
    /// The programs of a cgroup at an attach type: its own, or with <paramref name="effective"/> every program
    /// that runs for it (inherited ones included), in run order.
    /// </summary>
    public static AttachedProgramList Cgroup(string cgroupPath, BpfAttachType attachType, bool effective = false)
    {
        using var cgroup = CgroupAttach.Open(cgroupPath);
        return Cgroup(cgroup, attachType, effective);
    }

    /// <summary>The programs of the cgroup open as <paramref name="cgroup"/> at an attach type, as the overload taking a path.</summary>
    public static AttachedProgramList Cgroup(SafeFdHandle cgroup, BpfAttachType attachType, bool effective = false) =>
        ProgramQuery.Run(cgroup, 0, attachType, effective ? ProgramQuery.BPF_F_QUERY_EFFECTIVE : 0, "cgroup");

    /// <summary>The tcx programs of an interface's ingress or egress, in run order, with the hook's revision.</summary>
    public static AttachedProgramList Tcx(int ifindex, TcDirection direction) =>
        ProgramQuery.Run(null, (uint)ifindex, TcxAttach.AttachType(direction), 0, $"ifindex {ifindex}");

    /// <summary>The programs of a netkit device's primary or peer side, in run order.</summary>
    public static AttachedProgramList Netkit(int ifindex, NetkitEndpoint endpoint) =>
        ProgramQuery.Run(null, (uint)ifindex, NetkitAttach.AttachType(endpoint), 0, $"ifindex {ifindex}");

    /// <summary>The sk_lookup or flow_dissector programs of a network namespace (<c>/proc/PID/ns/net</c>, <c>/var/run/netns/NAME</c>).</summary>
    public static AttachedProgramList NetworkNamespace(string netnsPath, BpfAttachType attachType)
    {
        using var netns = NetNamespace.Open(netnsPath);
        return ProgramQuery.Run(netns.Handle, 0, attachType, 0, $"network namespace {netnsPath}");
    }

    /// <summary>The sk_msg / sk_skb program of a sockmap or sockhash at an attach type (Linux 6.0).</summary>
    public static AttachedProgramList Sockmap(BpfMap map, BpfAttachType attachType) =>
        ProgramQuery.Run(map.Handle, 0, attachType, 0, $"map \"{map.Name}\"");

    /// <summary>The XDP programs of an interface, in every mode.</summary>
    public static XdpAttachedPrograms Xdp(int ifindex)
    {
        using var socket = NetlinkSocket.Open();
        return FromState(RtNetlink.GetXdp(socket, ifindex));
    }

    /// <summary>Every interface of the calling thread's network namespace and its XDP hook, in one rtnetlink dump.</summary>
    public static IReadOnlyList<NetworkInterfaceXdp> Interfaces()
    {
        using var socket = NetlinkSocket.Open();
        return RtNetlink.ListInterfaces(socket).Select(i => new NetworkInterfaceXdp(i.Ifindex, i.Name, FromState(i.Xdp))).ToList();
    }

    /// <summary>The cls_bpf filters of an interface's clsact ingress or egress hook, in priority order.</summary>
    public static IReadOnlyList<TcFilter> TcFilters(int ifindex, TcDirection direction)
    {
        using var socket = NetlinkSocket.Open();
        return RtNetlink.ListBpfFilters(socket, ifindex, RtNetlink.ClsactParent(direction == TcDirection.Egress))
            .Select(f => new TcFilter(f.Priority, f.Handle, f.ProgramId, f.Name, f.DirectAction)).ToList();
    }

    internal static XdpAttachedPrograms FromState(XdpState s)
    {
        XdpMode? mode = s.Attached switch
        {
            RtNetlink.XDP_ATTACHED_DRV => XdpMode.Native,
            RtNetlink.XDP_ATTACHED_SKB => XdpMode.Generic,
            RtNetlink.XDP_ATTACHED_HW => XdpMode.Offload,
            RtNetlink.XDP_ATTACHED_MULTI => XdpMode.Auto,
            _ => null,
        };
        return new XdpAttachedPrograms(mode, s.Attached == RtNetlink.XDP_ATTACHED_MULTI ? 0 : s.ProgramId,
            s.GenericProgramId, s.DriverProgramId, s.OffloadProgramId);
    }
}
