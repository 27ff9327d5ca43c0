namespace BpfSharp;

/// <summary>
/// A netlink request the kernel refused (NLMSG_ERROR with an errno). When the kernel explained itself with an
/// extended ack, <see cref="ExtendedAck"/> holds its text and the message ends with it, for example
/// <c>RTM_SETLINK (XDP on ifindex 3): EBUSY: Device or resource busy: Can't replace active BPF XDP link</c>.
/// </summary>
public sealed class NetlinkException : BpfException
{
    /// <summary>The kernel's extended ack message (NLMSGERR_ATTR_MSG), when it sent one.</summary>
    public string? ExtendedAck { get; }

    /// <summary>A refused netlink request: the errno of its NLMSG_ERROR and the extended ack text, if any.</summary>
    public NetlinkException(string operation, int errno, string? detail, string? extendedAck)
        : base(operation, errno, detail)
    {
        ExtendedAck = string.IsNullOrEmpty(extendedAck) ? null : extendedAck;
    }

    /// <summary>The failure, followed by the extended ack when the kernel sent one.</summary>
    public override string Message => ExtendedAck is null ? base.Message : $"{base.Message}: {ExtendedAck}";
}
