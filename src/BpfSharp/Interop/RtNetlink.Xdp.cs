namespace BpfSharp.Interop;

/// <summary>What IFLA_XDP reports for an interface: the attach mode(s) and the program id of each mode.</summary>
internal readonly record struct XdpState(byte Attached, uint ProgramId, uint DriverProgramId, uint GenericProgramId, uint OffloadProgramId);

internal static partial class RtNetlink
{
    // enum IFLA_XDP_*: the attributes nested in IFLA_XDP.
    public const ushort IFLA_XDP_FD = 1, IFLA_XDP_ATTACHED = 2, IFLA_XDP_FLAGS = 3, IFLA_XDP_PROG_ID = 4,
        IFLA_XDP_DRV_PROG_ID = 5, IFLA_XDP_SKB_PROG_ID = 6, IFLA_XDP_HW_PROG_ID = 7, IFLA_XDP_EXPECTED_FD = 8;

    public const uint XDP_FLAGS_UPDATE_IF_NOEXIST = 1, XDP_FLAGS_SKB_MODE = 2, XDP_FLAGS_DRV_MODE = 4,
        XDP_FLAGS_HW_MODE = 8, XDP_FLAGS_REPLACE = 16;

    // enum XDP_ATTACHED_*.
    public const byte XDP_ATTACHED_NONE = 0, XDP_ATTACHED_DRV = 1, XDP_ATTACHED_SKB = 2, XDP_ATTACHED_HW = 3, XDP_ATTACHED_MULTI = 4;

    /// <summary>
    /// Sets (or with <paramref name="programFd"/> -1 removes) the XDP program of an interface with RTM_SETLINK.
    /// With XDP_FLAGS_REPLACE the kernel acts only if <paramref name="expectedFd"/>'s program (or none, for -1)
    /// is the one attached, and fails with EEXIST otherwise.
    /// </summary>
    public static void SetXdp(NetlinkSocket socket, int ifindex, int programFd, uint flags, int expectedFd, string detail)
    {
        var msg = LinkMessage(RTM_SETLINK, 0, ifindex);
        int xdp = msg.BeginNested(IFLA_XDP);
        msg.S32(IFLA_XDP_FD, programFd);
        if (flags != 0) msg.U32(IFLA_XDP_FLAGS, flags);
        if ((flags & XDP_FLAGS_REPLACE) != 0) msg.S32(IFLA_XDP_EXPECTED_FD, expectedFd);
        msg.EndNested(xdp);
        socket.Request(msg, "RTM_SETLINK IFLA_XDP", detail);
    }

    /// <summary>The XDP state of an interface (RTM_GETLINK).</summary>
    public static XdpState GetXdp(NetlinkSocket socket, int ifindex)
    {
        var msg = LinkMessage(RTM_GETLINK, 0, ifindex).U32(IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
        foreach (var reply in socket.Request(msg, "RTM_GETLINK", $"ifindex {ifindex}"))
        {
            if (reply.Type == RTM_NEWLINK) return ParseXdp(LinkAttributes(reply.Payload));
        }
        return default;
    }

    /// <summary>Every interface of the socket's network namespace with its name and XDP state (an RTM_GETLINK dump).</summary>
    public static unsafe List<(int Ifindex, string Name, XdpState Xdp)> ListInterfaces(NetlinkSocket socket)
    {
        var msg = LinkMessage(RTM_GETLINK, 0, 0, dump: true).U32(IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
        var interfaces = new List<(int, string, XdpState)>();
        foreach (var reply in socket.Request(msg, "RTM_GETLINK", "every interface"))
        {
            if (reply.Type != RTM_NEWLINK || reply.Payload.Length < sizeof(IfInfoMsg)) continue;
            int ifindex = System.Runtime.InteropServices.MemoryMarshal.Read<IfInfoMsg>(reply.Payload).ifi_index;
            var attributes = LinkAttributes(reply.Payload);
            string name = attributes.TryFind(IFLA_IFNAME, out var n) ? n.String : $"if{ifindex}";
            interfaces.Add((ifindex, name, ParseXdp(attributes)));
        }
        return interfaces;
    }

    private static XdpState ParseXdp(NetlinkAttributes link)
    {
        if (!link.TryFind(IFLA_XDP, out var xdp)) return default;
        byte attached = 0;
        uint prog = 0, drv = 0, skb = 0, hw = 0;
        foreach (var a in xdp.Nested)
        {
            switch (a.Type)
            {
                case IFLA_XDP_ATTACHED: attached = a.U8; break;
                case IFLA_XDP_PROG_ID: prog = a.U32; break;
                case IFLA_XDP_DRV_PROG_ID: drv = a.U32; break;
                case IFLA_XDP_SKB_PROG_ID: skb = a.U32; break;
                case IFLA_XDP_HW_PROG_ID: hw = a.U32; break;
            }
        }
        // With one mode attached the kernel reports only IFLA_XDP_PROG_ID: file it under that mode.
        switch (attached)
        {
            case XDP_ATTACHED_DRV: drv = prog; break;
            case XDP_ATTACHED_SKB: skb = prog; break;
            case XDP_ATTACHED_HW: hw = prog; break;
        }
        return new XdpState(attached, prog, drv, skb, hw);
    }
}
