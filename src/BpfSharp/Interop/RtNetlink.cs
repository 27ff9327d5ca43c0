namespace BpfSharp.Interop;

/// <summary>rtnetlink (NETLINK_ROUTE) message types and the attributes BpfSharp uses.</summary>
internal static partial class RtNetlink
{
    public const ushort RTM_NEWLINK = 16, RTM_DELLINK = 17, RTM_GETLINK = 18, RTM_SETLINK = 19;
    public const ushort RTM_NEWQDISC = 36, RTM_DELQDISC = 37, RTM_GETQDISC = 38;
    public const ushort RTM_NEWTFILTER = 44, RTM_DELTFILTER = 45, RTM_GETTFILTER = 46;

    // enum IFLA_*: link attributes.
    public const ushort IFLA_IFNAME = 3, IFLA_LINKINFO = 18, IFLA_EXT_MASK = 29, IFLA_XDP = 43;
    public const ushort IFLA_INFO_KIND = 1, IFLA_INFO_DATA = 2;
    public const uint RTEXT_FILTER_SKIP_STATS = 1 << 3;

    /// <summary>A link request with an empty ifinfomsg for <paramref name="ifindex"/>.</summary>
    public static NetlinkMessage LinkMessage(ushort type, ushort flags, int ifindex, bool dump = false) =>
        new NetlinkMessage(type, flags, dump).Header(new IfInfoMsg { ifi_family = Libc.AF_UNSPEC, ifi_index = ifindex });

    /// <summary>The attributes of an RTM_NEWLINK reply (after its ifinfomsg).</summary>
    public static unsafe NetlinkAttributes LinkAttributes(byte[] payload) =>
        new(payload.AsSpan(Math.Min(sizeof(IfInfoMsg), payload.Length)));

    /// <summary>Deletes an interface (the other end of a veth pair goes with it).</summary>
    public static void DeleteLink(NetlinkSocket socket, int ifindex) =>
        socket.Request(LinkMessage(RTM_DELLINK, 0, ifindex), "RTM_DELLINK", $"ifindex {ifindex}");

    /// <summary>
    /// Creates an interface of <paramref name="kind"/> (veth, netkit...) named <paramref name="name"/> with
    /// no kind-specific data; fails with the kernel's errno and extended ack when the kind is unknown.
    /// </summary>
    public static void CreateLink(NetlinkSocket socket, string name, string kind)
    {
        var msg = LinkMessage(RTM_NEWLINK, Netlink.NLM_F_CREATE | Netlink.NLM_F_EXCL, 0).String(IFLA_IFNAME, name);
        int info = msg.BeginNested(IFLA_LINKINFO);
        msg.String(IFLA_INFO_KIND, kind);
        msg.EndNested(info);
        socket.Request(msg, "RTM_NEWLINK", $"{kind} interface {name}");
    }
}
