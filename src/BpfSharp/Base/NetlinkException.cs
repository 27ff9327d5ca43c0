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

    public NetlinkException(string operation, int errno, string? detail, string? extendedAck)
        : base(operation, errno, detail)
    {
        ExtendedAck = string.IsNullOrEmpty(extendedAck) ? null : extendedAck;
    }

    public override string Message => ExtendedAck is null ? base.Message : $"{base.Message}: {ExtendedAck}";
}
