using System.Runtime.InteropServices;

namespace BpfSharp.Interop;

/// <summary>A message received in answer to a request: its type and what follows its header.</summary>
internal readonly record struct NetlinkReply(ushort Type, byte[] Payload);

/// <summary>
/// A netlink socket talking to the kernel. It belongs to the network namespace of the thread that opened it,
/// and every request it sends acts there, whichever thread sends it later. Requests are serialized.
/// </summary>
internal sealed unsafe class NetlinkSocket : IDisposable
{
    private readonly SafeFdHandle _fd;
    private readonly Lock _lock = new();
    private readonly uint _portId;
    private uint _seq;
    private byte[] _receive = new byte[32 * 1024];

    private NetlinkSocket(SafeFdHandle fd, uint portId)
    {
        _fd = fd;
        _portId = portId;
        _seq = (uint)Environment.TickCount;
    }

    /// <summary>Opens a socket of <paramref name="protocol"/> (NETLINK_ROUTE by default) in the calling thread's network namespace.</summary>
    public static NetlinkSocket Open(int protocol = Netlink.NETLINK_ROUTE)
    {
        int raw = Libc.socket(Libc.AF_NETLINK, Libc.SOCK_RAW | Libc.SOCK_CLOEXEC, protocol);
        if (raw < 0) throw new BpfException("socket(AF_NETLINK)", Libc.LastErrno);
        var fd = new SafeFdHandle(raw);
        try
        {
            int one = 1;
            // Both are optional (Linux 4.12 / 4.3): the kernel then sends neither explanations nor capped errors.
            Libc.setsockopt(raw, Libc.SOL_NETLINK, Libc.NETLINK_EXT_ACK, &one, sizeof(int));
            Libc.setsockopt(raw, Libc.SOL_NETLINK, Libc.NETLINK_CAP_ACK, &one, sizeof(int));
            // An answer that never comes (a request the kernel dropped) becomes EAGAIN instead of a hang.
            var timeout = stackalloc long[2] { 10, 0 };
            Libc.setsockopt(raw, Libc.SOL_SOCKET, Libc.SO_RCVTIMEO, timeout, 2 * sizeof(long));
            var address = new SockaddrNl { nl_family = Libc.AF_NETLINK };
            if (Libc.bind(fd, &address, (uint)sizeof(SockaddrNl)) < 0) throw new BpfException("bind(AF_NETLINK)", Libc.LastErrno);
            uint length = (uint)sizeof(SockaddrNl);
            if (Libc.getsockname(fd, &address, &length) < 0) throw new BpfException("getsockname(AF_NETLINK)", Libc.LastErrno);
            return new NetlinkSocket(fd, address.nl_pid);
        }
        catch
        {
            fd.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Sends <paramref name="message"/> and returns the kernel's replies: for a dump every part up to
    /// NLMSG_DONE, otherwise the replies before the acknowledgement (the request always asks for one).
    /// An NLMSG_ERROR with an errno throws <see cref="NetlinkException"/> with the extended ack's text.
    /// </summary>
    public List<NetlinkReply> Request(NetlinkMessage message, string operation, string? detail)
    {
        lock (_lock)
        {
            uint seq = ++_seq;
            Send(message.Complete(seq), operation, detail);
            var replies = new List<NetlinkReply>();
            while (true)
            {
                int n = Receive(operation, detail);
                if (Parse(_receive.AsSpan(0, n), seq, message.IsDump, replies, operation, detail)) return replies;
            }
        }
    }

    private void Send(ReadOnlySpan<byte> data, string operation, string? detail)
    {
        fixed (byte* p = data)
        {
            var iov = new IoVec { iov_base = (nint)p, iov_len = (nuint)data.Length };
            var msg = new UserMsgHdr { msg_iov = (nint)(&iov), msg_iovlen = 1 };
            nint r;
            do r = Libc.sendmsg(_fd, &msg, 0); while (r < 0 && Libc.LastErrno == Errnos.EINTR);
            if (r < 0) throw new BpfException($"{operation} sendmsg", Libc.LastErrno, detail);
        }
    }

    /// <summary>Receives one datagram, first peeking at its size so that no reply is ever truncated.</summary>
    private int Receive(string operation, string? detail)
    {
        while (true)
        {
            nint size = RecvMsg(_receive, Libc.MSG_PEEK | Libc.MSG_TRUNC, operation, detail);
            if (size > _receive.Length) _receive = new byte[Math.Max(size, _receive.Length * 2)];
            nint n = RecvMsg(_receive, 0, operation, detail);
            if (n > 0) return (int)n;
        }
    }

    private nint RecvMsg(byte[] buffer, int flags, string operation, string? detail)
    {
        fixed (byte* p = buffer)
        {
            var iov = new IoVec { iov_base = (nint)p, iov_len = (nuint)buffer.Length };
            var msg = new UserMsgHdr { msg_iov = (nint)(&iov), msg_iovlen = 1 };
            nint r;
            do r = Libc.recvmsg(_fd, &msg, flags); while (r < 0 && Libc.LastErrno == Errnos.EINTR);
            if (r < 0) throw new BpfException($"{operation} recvmsg", Libc.LastErrno, detail);
            return r;
        }
    }

    /// <summary>Reads the messages of one datagram; true once the answer is complete.</summary>
    private bool Parse(ReadOnlySpan<byte> data, uint seq, bool dump, List<NetlinkReply> replies, string operation, string? detail)
    {
        while (data.Length >= Netlink.NLMSG_HDRLEN)
        {
            var header = MemoryMarshal.Read<NlMsgHdr>(data);
            int length = (int)header.nlmsg_len;
            if (length < Netlink.NLMSG_HDRLEN || length > data.Length)
                throw new BpfException(operation, $"malformed netlink message (length {length} of {data.Length} bytes)");
            var payload = data[Netlink.NLMSG_HDRLEN..length];
            data = data[Math.Min(Netlink.Align(length), data.Length)..];
            // Another request's late answer, or a notification: not ours.
            if (header.nlmsg_seq != seq || header.nlmsg_pid != _portId && header.nlmsg_pid != 0) continue;
            switch (header.nlmsg_type)
            {
                case Netlink.NLMSG_NOOP:
                    continue;
                case Netlink.NLMSG_ERROR:
                    {
                        if (payload.Length < sizeof(NlMsgErr))
                            throw new BpfException(operation, $"malformed netlink error message ({payload.Length} bytes)");
                        var err = MemoryMarshal.Read<NlMsgErr>(payload);
                        if (err.error < 0) throw new NetlinkException(operation, -err.error, detail, ExtendedAck(header, err, payload));
                        return true;
                    }
                case Netlink.NLMSG_DONE:
                    {
                        int error = payload.Length >= 4 ? MemoryMarshal.Read<int>(payload) : 0;
                        if (error < 0) throw new NetlinkException(operation, -error, detail, null);
                        return true;
                    }
                case Netlink.NLMSG_OVERRUN:
                    throw new BpfException(operation, Errnos.ENOBUFS, detail);
                default:
                    replies.Add(new NetlinkReply(header.nlmsg_type, payload.ToArray()));
                    if (dump && (header.nlmsg_flags & Netlink.NLM_F_MULTI) == 0) return true;
                    continue;
            }
        }
        return false;
    }

    /// <summary>The NLMSGERR_ATTR_MSG text after the error (and after the echoed request, unless capped).</summary>
    private static string? ExtendedAck(in NlMsgHdr header, in NlMsgErr err, ReadOnlySpan<byte> payload)
    {
        if ((header.nlmsg_flags & Netlink.NLM_F_ACK_TLVS) == 0) return null;
        long offset = sizeof(NlMsgErr);
        // The echoed request's length comes from the reply: anything that does not fit the payload means no text.
        if ((header.nlmsg_flags & Netlink.NLM_F_CAPPED) == 0) offset += ((long)err.msg.nlmsg_len - Netlink.NLMSG_HDRLEN + 3) & ~3L;
        if (offset < sizeof(NlMsgErr) || offset > payload.Length) return null;
        return new NetlinkAttributes(payload[(int)offset..]).TryFind(Netlink.NLMSGERR_ATTR_MSG, out var msg) ? msg.String : null;
    }

    public void Dispose() => _fd.Dispose();
}
