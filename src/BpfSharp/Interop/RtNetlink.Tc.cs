using System.Runtime.InteropServices;

namespace BpfSharp.Interop;

/// <summary>A cls_bpf filter as a tc dump reports it.</summary>
internal readonly record struct TcBpfFilter(ushort Priority, uint Handle, uint ProgramId, string Name, bool DirectAction);

internal static partial class RtNetlink
{
    public const ushort TCA_KIND = 1, TCA_OPTIONS = 2;
    public const ushort TCA_BPF_FD = 6, TCA_BPF_NAME = 7, TCA_BPF_FLAGS = 8, TCA_BPF_ID = 11;
    public const uint TCA_BPF_FLAG_ACT_DIRECT = 1;

    // The clsact qdisc sits at TC_H_CLSACT; its two filter hooks are minor numbers below it.
    public const uint TC_H_CLSACT = 0xFFFFFFF1, TC_H_MIN_INGRESS = 0xFFF2, TC_H_MIN_EGRESS = 0xFFF3;
    public const uint ClsactHandle = TC_H_CLSACT & 0xFFFF0000;

    /// <summary>The filter parent of the clsact ingress or egress hook.</summary>
    public static uint ClsactParent(bool egress) => (TC_H_CLSACT & 0xFFFF0000) | (egress ? TC_H_MIN_EGRESS : TC_H_MIN_INGRESS);

    // The filter matches every protocol: ETH_P_ALL in network byte order.
    private const ushort EthPAllNetworkOrder = 0x0300;

    private static uint FilterInfo(ushort priority) => (uint)priority << 16 | EthPAllNetworkOrder;

    private static NetlinkMessage TcMessage(ushort type, ushort flags, int ifindex, uint handle, uint parent, uint info, bool dump = false) =>
        new NetlinkMessage(type, flags, dump).Header(new TcMsg
        {
            tcm_family = Libc.AF_UNSPEC,
            tcm_ifindex = ifindex,
            tcm_handle = handle,
            tcm_parent = parent,
            tcm_info = info,
        });

    /// <summary>Adds the clsact qdisc; false when the interface already has one (it is then not ours to remove).</summary>
    public static bool AddClsact(NetlinkSocket socket, int ifindex)
    {
        var msg = TcMessage(RTM_NEWQDISC, Netlink.NLM_F_CREATE | Netlink.NLM_F_EXCL, ifindex, ClsactHandle, TC_H_CLSACT, 0)
            .String(TCA_KIND, "clsact");
        try
        {
            socket.Request(msg, "RTM_NEWQDISC", $"clsact on ifindex {ifindex}");
            return true;
        }
        catch (NetlinkException e) when (e.Errno == Errno.EEXIST)
        {
            return false;
        }
    }

    /// <summary>Removes the clsact qdisc and every filter on its hooks.</summary>
    public static void DeleteClsact(NetlinkSocket socket, int ifindex) =>
        socket.Request(TcMessage(RTM_DELQDISC, 0, ifindex, ClsactHandle, TC_H_CLSACT, 0).String(TCA_KIND, "clsact"),
            "RTM_DELQDISC", $"clsact on ifindex {ifindex}");

    /// <summary>
    /// Adds a direct-action cls_bpf filter running <paramref name="programFd"/>. The kernel picks the priority
    /// and handle left at 0; the echoed filter tells which it chose. Without <paramref name="replace"/> an
    /// existing filter at the same priority and handle fails the request with EEXIST.
    /// </summary>
    public static (ushort Priority, uint Handle) AddBpfFilter(NetlinkSocket socket, int ifindex, uint parent, ushort priority,
        uint handle, int programFd, string name, bool replace, string detail)
    {
        ushort flags = (ushort)(Netlink.NLM_F_CREATE | Netlink.NLM_F_ECHO | (replace ? Netlink.NLM_F_REPLACE : Netlink.NLM_F_EXCL));
        var msg = TcMessage(RTM_NEWTFILTER, flags, ifindex, handle, parent, FilterInfo(priority)).String(TCA_KIND, "bpf");
        int options = msg.BeginNested(TCA_OPTIONS);
        msg.U32(TCA_BPF_FD, (uint)programFd).String(TCA_BPF_NAME, name).U32(TCA_BPF_FLAGS, TCA_BPF_FLAG_ACT_DIRECT);
        msg.EndNested(options);
        foreach (var reply in socket.Request(msg, "RTM_NEWTFILTER", detail))
        {
            if (reply.Type != RTM_NEWTFILTER || reply.Payload.Length < Marshal.SizeOf<TcMsg>()) continue;
            var tc = MemoryMarshal.Read<TcMsg>(reply.Payload);
            return ((ushort)(tc.tcm_info >> 16), tc.tcm_handle);
        }
        return (priority, handle);
    }

    /// <summary>The cls_bpf filter at a priority and handle, or null when there is none.</summary>
    public static TcBpfFilter? GetBpfFilter(NetlinkSocket socket, int ifindex, uint parent, ushort priority, uint handle)
    {
        var msg = TcMessage(RTM_GETTFILTER, 0, ifindex, handle, parent, FilterInfo(priority)).String(TCA_KIND, "bpf");
        try
        {
            foreach (var reply in socket.Request(msg, "RTM_GETTFILTER", $"ifindex {ifindex} priority {priority} handle {handle:x}"))
                if (ParseFilter(reply) is { } f) return f;
            return null;
        }
        catch (NetlinkException e) when (e.Errno is Errno.ENOENT or Errno.EINVAL or Errno.ENODEV)
        {
            // ENOENT: no such filter or priority; EINVAL: no clsact qdisc left; ENODEV: no interface left.
            return null;
        }
    }

    /// <summary>The cls_bpf filters of one hook, in the order tc runs them (by priority).</summary>
    public static List<TcBpfFilter> ListBpfFilters(NetlinkSocket socket, int ifindex, uint parent)
    {
        var filters = new List<TcBpfFilter>();
        var msg = TcMessage(RTM_GETTFILTER, 0, ifindex, 0, parent, 0, dump: true);
        try
        {
            foreach (var reply in socket.Request(msg, "RTM_GETTFILTER", $"filters of ifindex {ifindex}"))
                if (ParseFilter(reply) is { } f) filters.Add(f);
        }
        catch (NetlinkException e) when (e.Errno == Errno.EINVAL)
        {
            // No clsact qdisc: no hook, no filters.
        }
        return filters;
    }

    /// <summary>Deletes the filter at a priority and handle.</summary>
    public static void DeleteFilter(NetlinkSocket socket, int ifindex, uint parent, ushort priority, uint handle) =>
        socket.Request(TcMessage(RTM_DELTFILTER, 0, ifindex, handle, parent, FilterInfo(priority)).String(TCA_KIND, "bpf"),
            "RTM_DELTFILTER", $"ifindex {ifindex} priority {priority} handle {handle:x}");

    private static TcBpfFilter? ParseFilter(NetlinkReply reply)
    {
        int headerSize = Marshal.SizeOf<TcMsg>();
        if (reply.Type != RTM_NEWTFILTER || reply.Payload.Length < headerSize) return null;
        var tc = MemoryMarshal.Read<TcMsg>(reply.Payload);
        // A dump lists each priority's classifier itself (handle 0) before its filters.
        if (tc.tcm_handle == 0) return null;
        var attributes = new NetlinkAttributes(reply.Payload.AsSpan(headerSize));
        if (!attributes.TryFind(TCA_KIND, out var kind) || kind.String != "bpf") return null;
        uint id = 0, flags = 0;
        string name = "";
        if (attributes.TryFind(TCA_OPTIONS, out var options))
        {
            foreach (var a in options.Nested)
            {
                switch (a.Type)
                {
                    case TCA_BPF_ID: id = a.U32; break;
                    case TCA_BPF_NAME: name = a.String; break;
                    case TCA_BPF_FLAGS: flags = a.U32; break;
                }
            }
        }
        return new TcBpfFilter((ushort)(tc.tcm_info >> 16), tc.tcm_handle, id, name, (flags & TCA_BPF_FLAG_ACT_DIRECT) != 0);
    }
}
