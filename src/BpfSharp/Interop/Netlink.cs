using System.Runtime.InteropServices;

namespace BpfSharp.Interop;

/// <summary>The netlink wire format: message and attribute headers, alignment, the flags of a request.</summary>
internal static class Netlink
{
    public const int NETLINK_ROUTE = 0;

    // nlmsg_type values every family shares.
    public const ushort NLMSG_NOOP = 1, NLMSG_ERROR = 2, NLMSG_DONE = 3, NLMSG_OVERRUN = 4;

    // nlmsg_flags of a request (GET, NEW and DEL requests give the 0x100-0x800 bits different meanings).
    public const ushort NLM_F_REQUEST = 0x1, NLM_F_MULTI = 0x2, NLM_F_ACK = 0x4, NLM_F_ECHO = 0x8;
    public const ushort NLM_F_DUMP = 0x300;
    public const ushort NLM_F_REPLACE = 0x100, NLM_F_EXCL = 0x200, NLM_F_CREATE = 0x400;

    // nlmsg_flags of an NLMSG_ERROR: the request was not echoed back in full; extended-ack attributes follow.
    public const ushort NLM_F_CAPPED = 0x100, NLM_F_ACK_TLVS = 0x200;

    // Extended ack attributes (enum nlmsgerr_attrs).
    public const ushort NLMSGERR_ATTR_MSG = 1, NLMSGERR_ATTR_OFFS = 2;

    public const ushort NLA_F_NESTED = 0x8000, NLA_F_NET_BYTEORDER = 0x4000, NLA_TYPE_MASK = 0x3fff;

    public const int NLMSG_HDRLEN = 16, NLA_HDRLEN = 4;

    /// <summary>Messages and attributes start on 4-byte boundaries.</summary>
    public static int Align(int length) => (length + 3) & ~3;
}

[KernelStruct("nlmsghdr")]
[StructLayout(LayoutKind.Sequential)]
internal struct NlMsgHdr
{
    public uint nlmsg_len;
    public ushort nlmsg_type;
    public ushort nlmsg_flags;
    public uint nlmsg_seq;
    public uint nlmsg_pid;
}

/// <summary>The payload of NLMSG_ERROR: 0 for an acknowledgement, -errno for a failure, and the request's header.</summary>
[KernelStruct("nlmsgerr")]
[StructLayout(LayoutKind.Sequential)]
internal struct NlMsgErr
{
    public int error;
    public NlMsgHdr msg;
}

[KernelStruct("nlattr")]
[StructLayout(LayoutKind.Sequential)]
internal struct NlAttr
{
    public ushort nla_len;
    public ushort nla_type;
}

[KernelStruct("sockaddr_nl")]
[StructLayout(LayoutKind.Sequential)]
internal struct SockaddrNl
{
    public ushort nl_family;
    public ushort nl_pad;
    public uint nl_pid;
    public uint nl_groups;
}

/// <summary>The fixed header of RTM_*LINK messages.</summary>
[KernelStruct("ifinfomsg")]
[StructLayout(LayoutKind.Sequential)]
internal struct IfInfoMsg
{
    public byte ifi_family;
    private byte _pad;
    public ushort ifi_type;
    public int ifi_index;
    public uint ifi_flags;
    public uint ifi_change;
}

/// <summary>The fixed header of RTM_*QDISC and RTM_*TFILTER messages.</summary>
[KernelStruct("tcmsg")]
[StructLayout(LayoutKind.Sequential)]
internal struct TcMsg
{
    public byte tcm_family;
    private byte _pad1;
    private ushort _pad2;
    public int tcm_ifindex;
    public uint tcm_handle;
    public uint tcm_parent;
    /// <summary>For filters: the priority in the upper 16 bits, the protocol (network byte order) in the lower.</summary>
    public uint tcm_info;
}

/// <summary><c>struct msghdr</c> of sendmsg(2)/recvmsg(2).</summary>
[KernelStruct("user_msghdr")]
[StructLayout(LayoutKind.Sequential)]
internal struct UserMsgHdr
{
    public nint msg_name;
    public int msg_namelen;
    public nint msg_iov;
    public nuint msg_iovlen;
    public nint msg_control;
    public nuint msg_controllen;
    public uint msg_flags;
}

[KernelStruct("iovec")]
[StructLayout(LayoutKind.Sequential)]
internal struct IoVec
{
    public nint iov_base;
    public nuint iov_len;
}
